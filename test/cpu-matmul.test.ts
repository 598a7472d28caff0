// The cpu backend's blocked matmul against a naive triple loop: every dtype, transpose flag,
// awkward size (around and past the register and cache blocks), batch broadcast and empty case.
import { test } from "node:test";
import assert from "node:assert/strict";
import { matmul } from "../src/backend/cpu/matmul.js";
import { adopt } from "../src/backend/cpu/buffer-pool.js";
import { isShared } from "../src/backend/cpu/sharing.js";
import { cpuWorkerChunks, setCpuThreads, warmUpCpuThreads } from "../src/backend/cpu/threads.js";
import type { ComputeDType as DType, TypedArray } from "../src/dtype.js";
import { allocArray } from "../src/dtype.js";
import { broadcastShapes, sizeOf } from "../src/shape.js";
import type { Shape } from "../src/shape.js";

let seed = 2024;
function rand(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
}

function random(dtype: DType, shape: Shape): TypedArray {
  const data = allocArray(dtype, sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = dtype === "int32" ? Math.floor(rand() * 21) - 10 : rand() * 4 - 2;
  return data;
}

interface Case {
  readonly batchA: Shape;
  readonly batchB: Shape;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly transA: boolean;
  readonly transB: boolean;
}

/** The stored shape of an operand whose product-side dims are [rows, cols]. */
function stored(batch: Shape, rows: number, cols: number, trans: boolean): Shape {
  return trans ? [...batch, cols, rows] : [...batch, rows, cols];
}

/** Offset of the batch element `flat` (an index into the broadcast batch) in an operand with batch `own`. */
function batchOffset(flat: number, batch: Shape, own: Shape, matrixSize: number): number {
  let off = 0;
  let stride = matrixSize;
  for (let d = batch.length - 1, od = own.length - 1; d >= 0; d--, od--) {
    const idx = flat % batch[d]!;
    flat = Math.floor(flat / batch[d]!);
    if (od < 0) continue;
    if (own[od] !== 1) off += idx * stride;
    stride *= own[od]!;
  }
  return off;
}

/** The plain definition, summing in double, in the same p order as any blocking would. */
function naive(c: Case, a: TypedArray, b: TypedArray, batch: Shape, dtype: DType): TypedArray {
  const { m, k, n, transA, transB } = c;
  const nb = sizeOf(batch);
  const out = allocArray(dtype, nb * m * n);
  for (let t = 0; t < nb; t++) {
    const ao = batchOffset(t, batch, c.batchA, m * k);
    const bo = batchOffset(t, batch, c.batchB, k * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const x = a[ao + (transA ? p * m + i : i * k + p)]!;
          const y = b[bo + (transB ? j * k + p : p * n + j)]!;
          s += x * y;
        }
        out[t * m * n + i * n + j] = s;
      }
    }
  }
  return out;
}

function check(c: Case, dtype: DType): void {
  const aShape = stored(c.batchA, c.m, c.k, c.transA);
  const bShape = stored(c.batchB, c.k, c.n, c.transB);
  const batch = broadcastShapes("matmul", c.batchA, c.batchB);
  const outShape = [...batch, c.m, c.n];
  const a = random(dtype, aShape);
  const b = random(dtype, bShape);
  const got = matmul(a, aShape, b, bShape, outShape, dtype, c.transA, c.transB);
  const want = naive(c, a, b, batch, dtype);
  const label = `${dtype} A${JSON.stringify(aShape)}${c.transA ? "ᵀ" : ""} · B${JSON.stringify(bShape)}${c.transB ? "ᵀ" : ""}`;
  assert.equal(got.constructor, want.constructor, `${label}: result type`);
  assert.equal(got.length, want.length, `${label}: result size`);
  // Blocking over k regroups the sum, so float results may differ in the last bits.
  const rel = dtype === "float64" ? 1e-13 : dtype === "float32" ? 1e-6 : 0;
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (Math.abs(g - w) > rel * Math.max(1, Math.abs(w)) * Math.max(1, Math.sqrt(c.k))) {
      assert.fail(`${label}: element ${i} is ${g}, expected ${w}`);
    }
  }
}

const DTYPES: readonly DType[] = ["float32", "float64", "int32"];
const FLAGS: readonly (readonly [boolean, boolean])[] = [[false, false], [true, false], [false, true], [true, true]];

test("odd sizes match the naive product, for every dtype and transpose combination", () => {
  const sizes = [1, 2, 3, 5, 7, 13, 17, 33, 65];
  for (const dtype of DTYPES) {
    for (const [transA, transB] of FLAGS) {
      for (const m of sizes) {
        for (const n of sizes) {
          const k = sizes[(m * 7 + n * 3) % sizes.length]!;
          check({ batchA: [], batchB: [], m, k, n, transA, transB }, dtype);
        }
      }
    }
  }
});

test("sizes past the cache blocks (k > 256, m > 128, n > 512) and not multiples of the tiles", () => {
  const shapes: readonly (readonly [number, number, number])[] = [
    [131, 300, 9],
    [3, 517, 529],
    [129, 257, 130],
    [100, 101, 102],
    [1, 600, 7],
    [7, 600, 1],
  ];
  for (const dtype of DTYPES) {
    for (const [transA, transB] of FLAGS) {
      for (const [m, k, n] of shapes) check({ batchA: [], batchB: [], m, k, n, transA, transB }, dtype);
    }
  }
});

test("batch dims broadcast, either operand repeating the same matrix", () => {
  const batches: readonly (readonly [Shape, Shape])[] = [
    [[3], [3]],
    [[3], []],
    [[], [4]],
    [[2, 1], [1, 3]],
    [[1], [2, 2]],
    [[2, 3], [3]],
  ];
  for (const dtype of DTYPES) {
    for (const [transA, transB] of FLAGS) {
      for (const [batchA, batchB] of batches) check({ batchA, batchB, m: 5, k: 6, n: 7, transA, transB }, dtype);
    }
  }
});

test("k = 0 gives zeros; m = 0, n = 0 or an empty batch give empty results", () => {
  for (const dtype of DTYPES) {
    for (const [transA, transB] of FLAGS) {
      check({ batchA: [], batchB: [], m: 3, k: 0, n: 4, transA, transB }, dtype);
      check({ batchA: [2], batchB: [], m: 3, k: 0, n: 5, transA, transB }, dtype);
      check({ batchA: [], batchB: [], m: 0, k: 3, n: 4, transA, transB }, dtype);
      check({ batchA: [], batchB: [], m: 3, k: 4, n: 0, transA, transB }, dtype);
      check({ batchA: [0], batchB: [], m: 3, k: 4, n: 2, transA, transB }, dtype);
    }
  }
});

test("the old six-argument call still means no transposes", () => {
  const a = new Float64Array([1, 2, 3, 4, 5, 6]);
  const b = new Float64Array([7, 8, 9, 10, 11, 12]);
  assert.deepEqual(Array.from(matmul(a, [2, 3], b, [3, 2], [2, 2], "float64")), [58, 64, 139, 154]);
});

test("float32 sums in double, then rounds once", () => {
  // 1 + 1e-8 + … is lost term by term in float32 but not in a double accumulator.
  const k = 1000;
  const a = new Float32Array(k).fill(1e-8);
  a[0] = 1;
  const b = new Float32Array(k).fill(1);
  const got = matmul(a, [1, k], b, [k, 1], [1, 1], "float32");
  assert.equal(got[0], Math.fround(1 + 999 * Math.fround(1e-8)));
});

test("a 2-D result for batched operands is the sum of the batch's products, in every layout", () => {
  const cases: Case[] = [
    { batchA: [6], batchB: [], m: 5, k: 7, n: 3, transA: false, transB: false },
    { batchA: [], batchB: [4], m: 9, k: 300, n: 6, transA: true, transB: false }, // past the k block
    { batchA: [2, 3], batchB: [3], m: 4, k: 5, n: 6, transA: false, transB: true },
    { batchA: [5], batchB: [5], m: 3, k: 2, n: 9, transA: true, transB: true },
    { batchA: [0], batchB: [], m: 3, k: 2, n: 4, transA: false, transB: false },
  ];
  for (const dtype of DTYPES) {
    for (const c of cases) {
      const aShape = stored(c.batchA, c.m, c.k, c.transA), bShape = stored(c.batchB, c.k, c.n, c.transB);
      const batch = broadcastShapes("matmul", c.batchA, c.batchB);
      const a = random(dtype, aShape), b = random(dtype, bShape);
      const got = matmul(a, aShape, b, bShape, [c.m, c.n], dtype, c.transA, c.transB);
      const each = naive(c, a, b, batch, dtype);
      const want = new Float64Array(c.m * c.n);
      for (let i = 0; i < each.length; i++) want[i % want.length]! += each[i]!;
      assert.equal(got.constructor, each.constructor);
      for (let i = 0; i < want.length; i++) {
        const tol = dtype === "int32" ? 0 : dtype === "float32" ? 1e-5 * (1 + Math.abs(want[i]!)) : 1e-12 * (1 + Math.abs(want[i]!));
        assert.ok(Math.abs(got[i]! - want[i]!) <= tol, `${dtype} ${JSON.stringify(c)}: element ${i} is ${got[i]}, expected ${want[i]}`);
      }
    }
  }
});

test("repeated calls of different sizes reuse scratch without leaking values between them", () => {
  for (const [m, k, n] of [[40, 300, 40], [3, 2, 3], [65, 9, 17], [40, 300, 40]] as const) {
    check({ batchA: [], batchB: [], m, k, n, transA: false, transB: false }, "float64");
  }
});

test("large products split across worker threads give the one-thread result bit for bit", async () => {
  setCpuThreads(2); // even on one core: the split itself is under test
  assert.ok(warmUpCpuThreads(), "worker_threads exist in Node");
  const ready = async () => {
    for (let i = 0; i < 200; i++) {
      const before = cpuWorkerChunks();
      matmul(random("float32", [64, 400]), [64, 400], random("float32", [400, 200]), [400, 200], [64, 200], "float32");
      if (cpuWorkerChunks() > before) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.fail("no worker ever took a chunk");
  };
  await ready();
  for (const dtype of ["float32", "float64", "int32"] as const) {
    // Odd rows: a last chunk with one real row in its panel; then k and n past the cache blocks (B packed in several);
    // then a result too small to be allocated shared (copied back from the staging area).
    const sizes: [number, number, number][] = [[131, 157, 203], [37, 600, 530], [40, 1200, 100]];
    const layouts: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];
    const cases = sizes.flatMap((size) => layouts.flatMap((t) => [false, true].map((shared) => [size, t, shared] as const)));
    for (const [[m, k, n], [transA, transB], shared] of cases) {
      const aShape = transA ? [k, m] : [m, k], bShape = transB ? [n, k] : [k, n];
      // Operands as tensors made here hold them (shared: A read in place, B packed by all threads), or as a
      // user's arrays (A copied for the workers, B packed by the caller).
      const operand = (shape: Shape) => (shared ? adopt(random(dtype, shape)) : random(dtype, shape));
      const a = operand(aShape), b = operand(bShape);
      assert.equal(isShared(a) && isShared(b), shared);
      const before = cpuWorkerChunks();
      const threaded = matmul(a, aShape, b, bShape, [m, n], dtype, transA, transB);
      // A batch of one never goes to the workers: the same kernel on this thread alone.
      const single = matmul(a, [1, ...aShape], b, bShape, [1, m, n], dtype, transA, transB);
      assert.ok(cpuWorkerChunks() >= before, `${dtype}: counter`);
      assert.deepEqual(Array.from(threaded), Array.from(single), `${dtype} ${m}×${k}·${k}×${n} transA=${transA} transB=${transB} shared=${shared}`);
    }
  }
  assert.ok(cpuWorkerChunks() > 0, "workers computed chunks");
});
