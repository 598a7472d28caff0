// The wasm backend's SIMD strided copies (src/backend/wasm/strided.ts): strided, scatterStrided, permute, expand,
// slice and slice's backward on 4-byte tensors large enough to take the kernel give exactly the cpu kernels'
// results (the composite they replace), each case checked to have run in wasm; and the GPT's q/k/v head split and
// merge give the same values and float32 gradients on wasm as on cpu.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";
import type { CompleteBackend, TensorData } from "../src/backend/backend.js";
import { cpuBackend } from "../src/backend/cpu/index.js";
import { wasmBackend } from "../src/backend/wasm/index.js";
import type { Shape } from "../src/shape.js";
import { sizeOf } from "../src/shape.js";
import { onBackend } from "./helpers/backend.js";

type Arr = Float32Array | Int32Array;
const wasmCalls = () => cr.backends.wasm.memoryStats().calls;

// A seeded tensor with -0, NaN and ±∞ among its values, so copies must keep every bit pattern's value.
function data(dtype: "float32" | "int32", n: number): Arr {
  let s = 7;
  const out = dtype === "float32" ? new Float32Array(n) : new Int32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = dtype === "int32" ? (s >> 8) - (1 << 22) : (s / 2 ** 32) * 8 - 4;
  }
  if (dtype === "float32") out.set([-0, NaN, Infinity, -Infinity], 0);
  return out;
}

function on(b: CompleteBackend, dtype: "float32" | "int32", shape: Shape, values: Arr): TensorData {
  return { buf: b.fromArray(values.slice()), shape, dtype };
}

function same(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (!(Object.is(got[i], want[i]) || got[i] === want[i] || (Number.isNaN(got[i]) && Number.isNaN(want[i])))) {
      assert.fail(`${what}: [${i}] ${got[i]} vs ${want[i]}`);
    }
  }
}

function close(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-6 * (1 + Math.abs(want[i]!)), `${what}: [${i}] ${got[i]} vs ${want[i]}`);
}

const read = (b: CompleteBackend, buf: unknown, dtype: "float32" | "int32", n: number) => b.readSync!(buf as never, dtype, n) as unknown as ArrayLike<number>;

interface Case {
  readonly name: string;
  readonly shape: Shape;
  readonly outSize: number;
  readonly run: (b: CompleteBackend, x: TensorData) => unknown;
}

// The GPT's copies (c_attn's output to heads and back, the head merge), views of up to five dims, transposes with
// odd sizes, a broadcast last dim (a splat), row lengths that leave a partial vector, negative strides (flip), a
// strided slice, and slice's backward into a larger tensor.
const CASES: readonly Case[] = [
  { name: "c_attn output [12, 64, 3, 4, 32] to heads [3, 12, 4, 64, 32]", shape: [12, 64, 3, 4, 32], outSize: 294912, run: (b, x) => b.permute(x, [2, 0, 3, 1, 4]) },
  { name: "heads back [3, 12, 4, 64, 32] → [12, 64, 3, 4, 32]", shape: [3, 12, 4, 64, 32], outSize: 294912, run: (b, x) => b.permute(x, [1, 3, 0, 2, 4]) },
  { name: "head merge [2, 4, 37, 7] → [2, 37, 4, 7]", shape: [2, 4, 37, 7], outSize: 2072, run: (b, x) => b.permute(x, [0, 2, 1, 3]) },
  { name: "six dims that coalesce to five", shape: [2, 3, 4, 5, 6, 7], outSize: 5040, run: (b, x) => b.permute(x, [5, 0, 1, 3, 2, 4]) },
  { name: "expand [24, 1] → [24, 133] (a splat a row)", shape: [24, 1], outSize: 24 * 133, run: (b, x) => b.expand(x, [24, 133]) },
  { name: "expand [1, 61] → [50, 61]", shape: [1, 61], outSize: 3050, run: (b, x) => b.expand(x, [50, 61]) },
  { name: "slice from 5 every 3rd column", shape: [80, 90], outSize: 79 * 29, run: (b, x) => b.slice(x, [1, 5], [1, 3], [79, 29]) },
  { name: "strided flip of the last dim", shape: [40, 90], outSize: 3600, run: (b, x) => b.strided(x, { offset: 89, strides: [90, -1] }, [40, 90]) },
  { name: "strided overlapping windows", shape: [3000], outSize: 2980 / 2 * 20, run: (b, x) => b.strided(x, { offset: 0, strides: [2, 1] }, [1490, 20]) },
];

for (const dtype of ["float32", "int32"] as const) {
  test(`wasm's strided copies of ${dtype} match the cpu kernels bit for bit, in wasm`, () => {
    for (const k of CASES) {
      const values = data(dtype, sizeOf(k.shape));
      const want = read(cpuBackend, k.run(cpuBackend, on(cpuBackend, dtype, k.shape, values)), dtype, k.outSize);
      const before = wasmCalls();
      const got = read(wasmBackend, k.run(wasmBackend, on(wasmBackend, dtype, k.shape, values)), dtype, k.outSize);
      assert.ok(wasmCalls() > before, `${k.name}: ran in wasm`);
      same(got, want, `${dtype} ${k.name}`);
    }
  });
}

test("wasm's slice backward and strided writes match the cpu kernels, in wasm", () => {
  const dtype = "float32";
  const src = data(dtype, 12 * 4 * 64 * 32);
  const shape = [1, 12, 4, 64, 32];
  const want = read(cpuBackend, cpuBackend.sliceBackward(on(cpuBackend, dtype, shape, src), [3, 12, 4, 64, 32], [1, 0, 0, 0, 0], [1, 1, 1, 1, 1]), dtype, 3 * src.length);
  let before = wasmCalls();
  const got = read(wasmBackend, wasmBackend.sliceBackward(on(wasmBackend, dtype, shape, src), [3, 12, 4, 64, 32], [1, 0, 0, 0, 0], [1, 1, 1, 1, 1]), dtype, 3 * src.length);
  assert.ok(wasmCalls() > before, "sliceBackward ran in wasm");
  same(got, want, "sliceBackward of the middle of three");
  // A strided write, then an adding one whose windows overlap.
  for (const accumulate of [false, true]) {
    for (const [view, srcShape] of [[{ offset: 3, strides: [97, 2] }, [60, 40]], [{ offset: 0, strides: [2, 1] }, [1490, 20]]] as const) {
      const dstValues = data(dtype, 6000), vals = data(dtype, sizeOf(srcShape)).map((v) => (Number.isFinite(v) ? v : 1));
      const results = [cpuBackend, wasmBackend].map((b) => {
        const dst = b.fromArray(dstValues.slice());
        before = wasmCalls();
        b.scatterStrided(dst, on(b, dtype, srcShape, vals), view, accumulate);
        if (b === wasmBackend) assert.ok(wasmCalls() > before, "scatterStrided ran in wasm");
        return read(b, dst, dtype, 6000);
      });
      same(results[1]!, results[0]!, `scatterStrided ${JSON.stringify(view)}${accumulate ? " adding" : ""}`);
    }
  }
});

test("the GPT's head split and merge give the same values and gradients on wasm as on cpu", () => {
  const [B, T, H, hs] = [3, 16, 4, 8];
  const x = data("float32", B * T * 3 * H * hs).map((v) => (Number.isFinite(v) ? v : 0.5));
  const weights = data("float32", B * H * T * hs).map((v) => (Number.isFinite(v) ? v : 0.25));
  const run = () => {
    const qkvFlat = cr.tensor(x).reshape([B, T, 3 * H * hs]).requiresGrad_();
    const qkv = qkvFlat.reshape([B, T, 3, H, hs]).permute([2, 0, 3, 1, 4]);
    const [q, k, v] = [qkv.select(0, 0), qkv.select(0, 1), qkv.select(0, 2)];
    const w = cr.tensor(weights).reshape([B, H, T, hs]);
    const y = q.mul(w).add(k.mul(k)).sub(v.mul(2)).transpose(1, 2).reshape([B, T, H * hs]);
    y.mul(cr.tensor(weights).reshape([B, T, H * hs])).sum().backward();
    return [y.toTypedArray(), qkvFlat.grad!.toTypedArray()];
  };
  const [yCpu, gCpu] = onBackend("cpu", run);
  const [yWasm, gWasm] = onBackend("wasm", run);
  // The elementwise ops between the copies may round per op (wasm, float32) or per fused chain (cpu, float64).
  close(yWasm!, yCpu!, "head split and merge");
  close(gWasm!, gCpu!, "its gradient");
});
