// The cpu backend's whole-array kernels on worker threads: large arrays live on SharedArrayBuffers, and a
// kernel split into chunks across threads writes exactly what one call on one thread writes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpuBackend } from "../src/backend/cpu/index.js";
import { adopt, allocOut } from "../src/backend/cpu/buffer-pool.js";
import { RANGE_KERNELS } from "../src/backend/cpu/range-kernels.js";
import { isShared, setCpuThreads, sharedArray, sharingMemory } from "../src/backend/cpu/sharing.js";
import { cpuWorkerChunks, runRange, warmUpCpuThreads } from "../src/backend/cpu/threads.js";
import type { AdamHyper } from "../src/backend/backend.js";
import { programSource } from "../src/backend/cpu/program-source.js";
import type { ComputeDType as DType, TypedArray } from "../src/dtype.js";
import type { ElementwiseOp } from "../src/ops/elementwise.js";
import { opProgram } from "../src/ops/program.js";

setCpuThreads(2); // even on one core: the split itself is under test

const N = 200_003; // several chunks, and a last one cut short
const MIN_CHUNK = 4096;

let seed = 7;
function rand(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
}

// Mixed signs, with the values kernels treat specially scattered through.
function values(n: number): number[] {
  const special = [NaN, Infinity, -Infinity, 0, -0, 1e-40];
  return Array.from({ length: n }, (_, i) => (i % 97 === 0 ? special[(i / 97) % special.length]! : rand() * 8 - 4));
}

function shared(v: readonly number[]): Float32Array {
  const a = sharedArray("float32", v.length) as Float32Array;
  a.set(v);
  return a;
}

const bitsOf = (a: TypedArray) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function assertSameBits(got: TypedArray, want: TypedArray, what: string): void {
  assert.equal(got.length, want.length, what);
  const g = bitsOf(got), w = bitsOf(want);
  for (let i = 0; i < g.length; i++) if (g[i] !== w[i]) assert.fail(`${what}: byte ${i} differs (${got[Math.floor(i / got.BYTES_PER_ELEMENT)]} vs ${want[Math.floor(i / want.BYTES_PER_ELEMENT)]})`);
}

async function workersReady(): Promise<void> {
  assert.ok(warmUpCpuThreads(), "worker_threads exist in Node");
  const x = shared(values(N)), out = sharedArray("float32", N) as Float32Array;
  for (let i = 0; i < 200; i++) {
    const before = cpuWorkerChunks();
    runRange("reluF32", [x, out], N, MIN_CHUNK);
    if (cpuWorkerChunks() > before) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail("no worker ever took a chunk");
}

test("large arrays are allocated shared; small ones, and data handed in beyond a dataset's size, are not", () => {
  assert.ok(sharingMemory());
  assert.ok(isShared(allocOut("float32", 10_000)));
  assert.ok(!isShared(allocOut("float32", 100)));
  const plain = Float32Array.from(values(10_000));
  const adopted = adopt(plain);
  assert.ok(isShared(adopted) && adopted !== plain, "a large array handed in is copied onto shared memory");
  assertSameBits(adopted, plain, "adopted copy");
  assert.equal(adopt(adopted), adopted, "an array already shared is kept");
  const small = new Float32Array(10);
  assert.equal(adopt(small), small);
  const dataset = new Uint8Array(5_000_000);
  assert.equal(adopt(dataset), dataset, "a dataset is not copied again");
  // What users get back is never shared memory: a copy they may hand to any API.
  assert.ok(!isShared(cpuBackend.readSync!(adopted, "float32", adopted.length)));
  setCpuThreads(1);
  assert.ok(!isShared(allocOut("float32", 10_001)), "one thread wanted: nothing to share");
  setCpuThreads(2);
});

// A registry op's generated loop (the source a worker compiles) over whole arrays, for programRange.
function loop(op: ElementwiseOp, xs: readonly TypedArray[], out: DType): [string, string] {
  const dtypes = xs.map((x): DType => (x instanceof Float32Array ? "float32" : x instanceof Uint8Array ? "bool" : "float64"));
  const scalar = xs.map((x) => x.length === 1);
  return [`${op}|${dtypes.join()}|${scalar.join()}|${out}`, programSource(opProgram(op), dtypes, out, scalar, true)];
}

test("elementwise kernels split across threads give the one-thread result bit for bit", async () => {
  await workersReady();
  const before = cpuWorkerChunks();
  const a = shared(values(N)), b = shared(values(N)), scalar = Float32Array.of(0.75);
  const unaries: ElementwiseOp[] = ["relu", "exp", "tanh", "sigmoid", "erf", "sqrt", "neg", "round", "isnan"];
  for (const op of unaries) {
    const outDtype = op === "isnan" ? "bool" : "float32";
    const out = sharedArray(outDtype, N), want = outDtype === "bool" ? new Uint8Array(N) : new Float32Array(N);
    const [key, source] = loop(op, [a], outDtype);
    runRange("programRange", [key, source, out, [a]], N, MIN_CHUNK);
    RANGE_KERNELS.programRange(key, source, want, [a], 0, N);
    assertSameBits(out, want, `unary ${op}`);
  }
  const relu = sharedArray("float32", N) as Float32Array, reluWant = new Float32Array(N);
  runRange("reluF32", [a, relu], N, MIN_CHUNK);
  const [reluKey, reluSource] = loop("relu", [a], "float32");
  RANGE_KERNELS.programRange(reluKey, reluSource, reluWant, [a], 0, N);
  assertSameBits(relu, reluWant, "relu through the bits");
  for (const op of ["add", "sub", "mul", "div", "gt", "ge", "lt", "le"] as const) {
    const outDtype = op.length === 2 ? "bool" : "float32";
    for (const [x, y, what] of [[a, b, "arrays"], [a, scalar, "scalar right"], [scalar, b, "scalar left"]] as const) {
      const out = sharedArray(outDtype, N), want = outDtype === "bool" ? new Uint8Array(N) : new Float32Array(N);
      const [key, source] = loop(op, [x, y], outDtype);
      runRange("programRange", [key, source, out, [x, y]], N, MIN_CHUNK);
      RANGE_KERNELS.programRange(key, source, want, [x, y], 0, N);
      assertSameBits(out, want, `${op} of ${what}`);
    }
  }
  const masked = sharedArray("float32", N) as Float32Array, maskedWant = new Float32Array(N);
  runRange("thresholdBackwardF32", [masked, a, b], N, MIN_CHUNK);
  const [tbKey, tbSource] = loop("thresholdBackward", [a, b], "float32");
  RANGE_KERNELS.programRange(tbKey, tbSource, maskedWant, [a, b], 0, N);
  assertSameBits(masked, maskedWant, "thresholdBackward through the bits, as the generated loop");
  assert.ok(cpuWorkerChunks() > before, "workers computed chunks");
});

test("Adam split across threads updates parameters and state as one thread does, with and without amsgrad", async () => {
  await workersReady();
  const h: AdamHyper = { beta1: 0.9, beta2: 0.999, stepSize: 1e-3 / 0.1, biasCorrection2Sqrt: Math.sqrt(1 - 0.999), eps: 1e-8 };
  for (const amsgrad of [false, true]) {
    for (const float32 of [true, false]) {
      const dtype = float32 ? "float32" : "float64";
      const init = [values(N), values(N), values(N).map(Math.abs), values(N).map((v) => Math.abs(v) * 2)].map((v) => v.map((x) => (Number.isFinite(x) ? x : 0.5)));
      const make = (v: number[], share: boolean) => {
        const arr = share ? sharedArray(dtype, N) : float32 ? new Float32Array(N) : new Float64Array(N);
        arr.set(v);
        return arr;
      };
      const [p, g, m, v, vmax] = [...init, init[3]!].map((x) => make(x, true));
      const [pw, gw, mw, vw, vmaxw] = [...init, init[3]!].map((x) => make(x, false));
      const before = cpuWorkerChunks();
      for (let step = 0; step < 3; step++) {
        cpuBackend.adamUpdate({ buf: p!, shape: [N], dtype }, { buf: g!, shape: [N], dtype }, m!, v!, amsgrad ? vmax! : null, h);
        const kernel = float32 ? RANGE_KERNELS.adamF32 : RANGE_KERNELS.adamF64;
        (kernel as (...args: unknown[]) => void)(pw, gw, mw, vw, amsgrad ? vmaxw : null, h, 0, N);
      }
      assert.ok(cpuWorkerChunks() > before, `${dtype} amsgrad=${amsgrad}: workers computed chunks`);
      for (const [got, want, name] of [[p, pw, "param"], [m, mw, "exp_avg"], [v, vw, "exp_avg_sq"], [vmax, vmaxw, "max_exp_avg_sq"]] as const) {
        assertSameBits(got!, want!, `${dtype} amsgrad=${amsgrad} ${name}`);
      }
    }
  }
});

test("a large operand that is not shared keeps the kernel on this thread, with the same result", async () => {
  await workersReady();
  const plain = Float32Array.from(values(N)), out = sharedArray("float32", N) as Float32Array, want = new Float32Array(N);
  const before = cpuWorkerChunks();
  const [key, source] = loop("exp", [plain], "float32");
  runRange("programRange", [key, source, out, [plain]], N, MIN_CHUNK);
  assert.equal(cpuWorkerChunks(), before, "no chunk went to a worker");
  RANGE_KERNELS.programRange(key, source, want, [plain], 0, N);
  assertSameBits(out, want, "exp of a plain array");
});

test("the backend's kernels on shared tensors use the threads and match the element-by-element definition", async () => {
  await workersReady();
  const x = adopt(Float32Array.from(values(N))) as Float32Array, y = adopt(Float32Array.from(values(N))) as Float32Array;
  const t = (buf: TypedArray) => ({ buf, shape: [N], dtype: "float32" as const });
  const before = cpuWorkerChunks();
  const prod = cpuBackend.elementwise(opProgram("mul"), [t(x), t(y)], [N], "float32") as Float32Array;
  const gt = cpuBackend.elementwise(opProgram("gt"), [t(x), t(y)], [N], "bool") as Uint8Array;
  const relu = cpuBackend.elementwise(opProgram("relu"), [t(x)], [N], "float32") as Float32Array;
  assert.ok(cpuWorkerChunks() > before, "workers computed chunks");
  for (const out of [prod, gt, relu]) assert.ok(isShared(out), "outputs are shared too, for the next kernel");
  for (let i = 0; i < N; i++) {
    assert.ok(Object.is(prod[i], Math.fround(x[i]! * y[i]!)), `mul at ${i}`);
    assert.equal(gt[i], x[i]! > y[i]! ? 1 : 0, `gt at ${i}`);
    const r = x[i]! > 0 ? x[i]! : Number.isNaN(x[i]!) ? NaN : 0;
    assert.ok(Object.is(relu[i], r), `relu at ${i}: ${relu[i]} vs ${r}`);
  }
});
