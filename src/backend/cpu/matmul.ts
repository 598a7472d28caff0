// Batched matrix multiplication on the cpu backend: a packed, cache-blocked GEMM in plain TypeScript.
import type { ComputeDType as DType, TypedArray } from "../../dtype.js";
import { allocOut } from "./buffer-pool.js";
import { broadcastShapes, broadcastStrides, sizeOf } from "../../shape.js";
import type { Shape } from "../../shape.js";
import { forEachRow } from "./strided.js";
import { parallelProduct } from "./threads.js";

// The structure is GotoBLAS's: C is computed in MR×NR tiles whose accumulators live in registers,
// over copies ("packs") of A and B laid out so that the tile kernel reads both with one
// sequential index each. Packing also turns every input dtype into float64 once, so the kernel is
// monomorphic (one element type, no per-load conversion) and float32/int32 accumulate in double.
//
// Register block: MR rows of A by NR columns of B. 2×4 measured fastest and steadiest in V8
// (Node 20, x64): 4×4 and larger need fewer loads per flop on paper, but their 16+ accumulators
// spill to the stack, and a spilled accumulator puts a store-to-load round trip on every step.
const MR = 2;
const NR = 4;
// Cache blocks: a KC×NR panel of B (8 KiB) and a KC×MR panel of A (4 KiB) stay in L1 while a
// tile is computed; the MC×KC block of A and the KC×NC block of B stay in L2 across tiles.
const KC = 256;
const MC = 128;
const NC = 512;

/** Where element (row, col) of a stored matrix lives: `off + row * rs + col * cs`. */
export interface MatrixView {
  readonly data: TypedArray;
  readonly off: number;
  readonly rs: number;
  readonly cs: number;
}

// Scratch reused across calls, so a training loop does not allocate (and zero) megabytes per
// matmul. The packs are bounded by the cache blocks; the accumulator is m×n, so one above
// ACCUM_RETAIN_LIMIT elements (32 MiB) is used once and dropped rather than pinned for the life of
// the process.
const ACCUM_RETAIN_LIMIT = 1 << 22;
let packedA: Float64Array = new Float64Array(0);
let packedB: Float64Array = new Float64Array(0);
let accum: Float64Array = new Float64Array(0);

function scratch(current: Float64Array, size: number): Float64Array {
  if (current.length >= size) return current;
  return new Float64Array(size);
}

/** Rows [0, m) × cols [0, n) of the padded accumulator into `out` at `off`, converting to its dtype. */
function copyOut(acc: Float64Array, ldc: number, m: number, n: number, out: TypedArray, off: number): void {
  for (let i = 0; i < m; i++) {
    const src = i * ldc;
    const dst = off + i * n;
    for (let j = 0; j < n; j++) out[dst + j] = acc[src + j]!;
  }
}

/**
 * Copies rows [i0, i0+mc) × cols [p0, p0+kc) of A into MR-row panels: panel r holds, for each p,
 * the MR values A[i0+r*MR .. +MR, p] next to each other. Rows past the matrix are zero, so the
 * kernel can always run full tiles.
 */
function packA(a: MatrixView, i0: number, mc: number, p0: number, kc: number, dst: Float64Array): void {
  const { data, rs, cs } = a;
  let q = 0;
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = Math.min(MR, mc - ir);
    const base = a.off + (i0 + ir) * rs + p0 * cs;
    for (let p = 0; p < kc; p++) {
      const src = base + p * cs;
      let r = 0;
      for (; r < rows; r++) dst[q + r] = data[src + r * rs]!;
      for (; r < MR; r++) dst[q + r] = 0;
      q += MR;
    }
  }
}

/**
 * Copies rows [p0, p0+kc) × cols [j0, j0+nc) of B into NR-column panels at `dst[q0]`, zero-padded like packA;
 * only the panels of columns [j0+jr0, j0+jr1) where those are given (jr0 a multiple of NR).
 */
function packB(b: MatrixView, p0: number, kc: number, j0: number, nc: number, dst: Float64Array, q0: number, jr0 = 0, jr1 = nc): void {
  const { data, rs, cs } = b;
  let q = q0 + jr0 * kc;
  for (let jr = jr0; jr < jr1; jr += NR) {
    const cols = Math.min(NR, nc - jr);
    const base = b.off + p0 * rs + (j0 + jr) * cs;
    for (let p = 0; p < kc; p++) {
      const src = base + p * rs;
      let c = 0;
      for (; c < cols; c++) dst[q + c] = data[src + c * cs]!;
      for (; c < NR; c++) dst[q + c] = 0;
      q += NR;
    }
  }
}

/**
 * C[ic.., ..] += one MR×NR tile: the A panel at `ia` times the B panel at `ib`, over kc steps.
 * The 8 sums and 6 operands fit x64's 16 xmm registers, so nothing spills inside the loop; C is
 * touched once per tile. Index arithmetic is `| 0` so V8 adds int32s without overflow checks.
 */
function kernel2x4(pa: Float64Array, ia: number, pb: Float64Array, ib: number, kc: number, c: Float64Array, ic: number, ldc: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = pa[ia]!, a1 = pa[(ia + 1) | 0]!;
    const b0 = pb[ib]!, b1 = pb[(ib + 1) | 0]!, b2 = pb[(ib + 2) | 0]!, b3 = pb[(ib + 3) | 0]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    ia = (ia + 2) | 0;
    ib = (ib + 4) | 0;
  }
  c[ic] = c[ic]! + c00; c[ic + 1] = c[ic + 1]! + c01; c[ic + 2] = c[ic + 2]! + c02; c[ic + 3] = c[ic + 3]! + c03;
  ic += ldc;
  c[ic] = c[ic]! + c10; c[ic + 1] = c[ic + 1]! + c11; c[ic + 2] = c[ic + 2]! + c12; c[ic + 3] = c[ic + 3]! + c13;
}

/** One row of a tile, for a panel holding a single real row (odd m; m = 1 is a vector-matrix product). */
function kernel1x4(pa: Float64Array, ia: number, pb: Float64Array, ib: number, kc: number, c: Float64Array, ic: number): void {
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = pa[ia]!;
    c0 += a0 * pb[ib]!; c1 += a0 * pb[(ib + 1) | 0]!; c2 += a0 * pb[(ib + 2) | 0]!; c3 += a0 * pb[(ib + 3) | 0]!;
    ia = (ia + 2) | 0;
    ib = (ib + 4) | 0;
  }
  c[ic] = c[ic]! + c0; c[ic + 1] = c[ic + 1]! + c1; c[ic + 2] = c[ic + 2]! + c2; c[ic + 3] = c[ic + 3]! + c3;
}

/** One column of a tile, for a panel holding a single real column (n = 1 is a matrix-vector product). */
function kernel2x1(pa: Float64Array, ia: number, pb: Float64Array, ib: number, kc: number, c: Float64Array, ic: number, ldc: number): void {
  let c0 = 0, c1 = 0;
  for (let p = 0; p < kc; p++) {
    const b0 = pb[ib]!;
    c0 += pa[ia]! * b0; c1 += pa[(ia + 1) | 0]! * b0;
    ia = (ia + 2) | 0;
    ib = (ib + 4) | 0;
  }
  c[ic] = c[ic]! + c0; c[ic + ldc] = c[ic + ldc]! + c1;
}

/** Multiplies the packed MC×KC block of A by the packed KC×NC block of B at `pb[pbOff]` into `c` at (i0, j0). */
function macroKernel(pa: Float64Array, pb: Float64Array, pbOff: number, mc: number, nc: number, kc: number, c: Float64Array, i0: number, j0: number, ldc: number): void {
  // With MR = 2 an odd mc leaves one real row in the last panel, and an n ≡ 1 (mod NR) leaves one
  // real column: padded to full tiles they would mostly multiply zeros, so thin kernels take them.
  const mFull = mc - (mc % MR);
  for (let jr = 0; jr < nc; jr += NR) {
    const ib = pbOff + jr * kc;
    const ic0 = i0 * ldc + j0 + jr;
    if (nc - jr === 1) {
      for (let ir = 0; ir < mFull; ir += MR) kernel2x1(pa, ir * kc, pb, ib, kc, c, ic0 + ir * ldc, ldc);
    } else {
      for (let ir = 0; ir < mFull; ir += MR) kernel2x4(pa, ir * kc, pb, ib, kc, c, ic0 + ir * ldc, ldc);
    }
    if (mFull < mc) kernel1x4(pa, mFull * kc, pb, ib, kc, c, ic0 + mFull * ldc);
  }
}

/** C = A·B for one matrix pair into `c` (zeroed, row stride ldc ≥ n rounded up to NR, rows ≥ m rounded up to MR). */
function gemm(a: MatrixView, b: MatrixView, m: number, k: number, n: number, c: Float64Array, ldc: number): void {
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packB(b, pc, kc, jc, nc, packedB, 0);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packA(a, ic, mc, pc, kc, packedA);
        macroKernel(packedA, packedB, 0, mc, nc, kc, c, ic, jc, ldc);
      }
    }
  }
}

// ---- B packed once, for threads that share one product ----
// Each thread's gemm packs all of B; threads splitting the rows of one product would each repeat that, so
// they share one packing of all of B instead (`packAllB`), block (jc, pc) at k·jc + pc·(nc rounded up to NR).

/** Float64 elements `packAllB` writes for a k×n B. */
export function packedBLength(k: number, n: number): number {
  return k * roundUp(n, NR);
}

/** NR-column panels of a B with n columns: what threads sharing `packAllB` split. */
export function panelsOf(n: number): number {
  return Math.ceil(n / NR);
}

/**
 * Packs all of B into `dst`: every KC×NC block as `gemm` packs it, one after the other; or only the columns of
 * panels [s0, s1), so that threads can share the packing (NC is a whole number of panels).
 */
export function packAllB(b: MatrixView, k: number, n: number, dst: Float64Array, s0 = 0, s1 = panelsOf(n)): void {
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    const jr0 = Math.max(0, s0 * NR - jc), jr1 = Math.min(nc, s1 * NR - jc);
    if (jr0 >= jr1) continue;
    for (let pc = 0; pc < k; pc += KC) packB(b, pc, Math.min(KC, k - pc), jc, nc, dst, k * jc + pc * roundUp(nc, NR), jr0, jr1);
  }
}

/** `gemm` on a B that `packAllB` packed. */
function gemmPacked(a: MatrixView, pb: Float64Array, m: number, k: number, n: number, c: Float64Array, ldc: number): void {
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packA(a, ic, mc, pc, kc, packedA);
        macroKernel(packedA, pb, k * jc + pc * roundUp(nc, NR), mc, nc, kc, c, ic, jc, ldc);
      }
    }
  }
}

function roundUp(x: number, to: number): number {
  return Math.ceil(x / to) * to;
}

/**
 * @internal One product C = A·B (A m×k, B k×n, read through their views) written row-major into `out` at
 * `outOff`, converted to its dtype. Uses this thread's scratch. With `packed` (B packed by `packAllB`, for
 * threads sharing a product: worker threads run this same function) B itself is not read.
 */
export function productInto(a: MatrixView, b: MatrixView | null, m: number, k: number, n: number, out: TypedArray, outOff: number, packed: Float64Array | null = null): void {
  const ldc = startAccumulator(m, k, n, packed === null);
  if (packed !== null) gemmPacked(a, packed, m, k, n, accum, ldc);
  else gemm(a, b!, m, k, n, accum, ldc);
  finishAccumulator(ldc, m, n, out, outOff);
}

// This thread's scratch sized for an m×k by k×n product (B's pack only where `packB` is this thread's), and a
// zeroed accumulator; returns its row stride.
function startAccumulator(m: number, k: number, n: number, packB: boolean): number {
  const ldc = roundUp(n, NR);
  const accSize = roundUp(m, MR) * ldc;
  packedA = scratch(packedA, roundUp(Math.min(m, MC), MR) * Math.min(k, KC));
  if (packB) packedB = scratch(packedB, roundUp(Math.min(n, NC), NR) * Math.min(k, KC));
  accum = scratch(accum, accSize);
  accum.fill(0, 0, accSize);
  return ldc;
}

// The accumulator into `out` at `outOff`, converted to its dtype; a huge accumulator is not kept.
function finishAccumulator(ldc: number, m: number, n: number, out: TypedArray, outOff: number): void {
  copyOut(accum, ldc, m, n, out, outOff);
  if (accum.length > ACCUM_RETAIN_LIMIT) accum = new Float64Array(0);
}

/** Σ over the pairs of op(A)·op(B) (each m×k by k×n), added up in double in order, into `out` (m×n). */
function sumOfProducts(pairs: readonly (readonly [MatrixView, MatrixView])[], m: number, k: number, n: number, out: TypedArray): void {
  const ldc = startAccumulator(m, k, n, true);
  for (const [a, b] of pairs) gemm(a, b, m, k, n, accum, ldc); // the tile kernels add to the accumulator
  finishAccumulator(ldc, m, n, out, 0);
}

/**
 * @internal Rows [r0, r1) of a product C = A·B (A read through its view, k columns; C row-major with n
 * columns) on a B that `packAllB` packed: the share of one product that threads split by rows.
 */
export function productRows(a: MatrixView, packed: Float64Array, out: TypedArray, k: number, n: number, r0: number, r1: number): void {
  productInto({ data: a.data, off: a.off + r0 * a.rs, rs: a.rs, cs: a.cs }, null, r1 - r0, k, n, out, r0 * n, packed);
}

/**
 * @internal What a worker thread needs to run `productInto`: the blocking constants, the scratch
 * variables and the functions, as source text of these very functions (one definition, two threads).
 */
export function productSource(): string {
  return [
    `const MR = ${MR}, NR = ${NR}, KC = ${KC}, MC = ${MC}, NC = ${NC}, ACCUM_RETAIN_LIMIT = ${ACCUM_RETAIN_LIMIT};`,
    "let packedA = new Float64Array(0), packedB = new Float64Array(0), accum = new Float64Array(0);",
    ...[scratch, copyOut, packA, packB, kernel2x4, kernel1x4, kernel2x1, macroKernel, gemm, gemmPacked, roundUp, startAccumulator, finishAccumulator, productInto, productRows, panelsOf, packAllB].map((f) => f.toString()),
  ].join("\n");
}

/**
 * Batched C = op(A)·op(B), where op transposes the last two dims when the flag is set.
 * `aShape`/`bShape` are the stored shapes: [..., m, k] (or [..., k, m] with transA) and
 * [..., k, n] (or [..., n, k] with transB); batch dims broadcast to `outShape` = [..., m, n], or, for an
 * `outShape` of [m, n] with batched operands, the products are summed over the broadcast batch.
 */
export function matmul(
  a: TypedArray,
  aShape: Shape,
  b: TypedArray,
  bShape: Shape,
  outShape: Shape,
  dtype: DType,
  transA = false,
  transB = false,
): TypedArray {
  const ra = aShape.length;
  const rb = bShape.length;
  const m = aShape[transA ? ra - 1 : ra - 2]!;
  const k = aShape[transA ? ra - 2 : ra - 1]!;
  const n = bShape[transB ? rb - 2 : rb - 1]!;
  const size = sizeOf(outShape);
  if (size === 0 || k === 0) return allocOut(dtype, size);
  // Row-major strides of the stored matrices, read as op(A) [m,k] and op(B) [k,n].
  const [ars, acs] = transA ? [1, m] : [k, 1];
  const [brs, bcs] = transB ? [1, k] : [n, 1];
  const sumBatch = outShape.length === 2 && (ra > 2 || rb > 2);
  const out = allocOut(dtype, size, "any"); // every product writes all its rows
  if (!sumBatch && outShape.length === 2 && parallelProduct({ data: a, off: 0, rs: ars, cs: acs }, { data: b, off: 0, rs: brs, cs: bcs }, m, k, n, out)) return out;
  const batchShape = sumBatch ? broadcastShapes("matmul", aShape.slice(0, -2), bShape.slice(0, -2)) : outShape.slice(0, -2);
  const sa = broadcastStrides(aShape.slice(0, -2), batchShape).map((s) => s * m * k);
  const sb = broadcastStrides(bShape.slice(0, -2), batchShape).map((s) => s * k * n);
  if (sumBatch) {
    const pairs: (readonly [MatrixView, MatrixView])[] = [];
    forEachRow([...batchShape, 1], [[...sa, 0], [...sb, 0]], (off) => {
      pairs.push([{ data: a, off: off[0]!, rs: ars, cs: acs }, { data: b, off: off[1]!, rs: brs, cs: bcs }]);
    });
    sumOfProducts(pairs, m, k, n, out);
    return out;
  }
  let cOff = 0;
  // Treat the batch dims as a shape with a trailing 1 so forEachRow visits one batch at a time.
  forEachRow([...batchShape, 1], [[...sa, 0], [...sb, 0]], (off) => {
    productInto({ data: a, off: off[0]!, rs: ars, cs: acs }, { data: b, off: off[1]!, rs: brs, cs: bcs }, m, k, n, out, cOff);
    cOff += m * n;
  });
  return out;
}

/**
 * `bias` (n elements) added in place to each row of the product `out` (rows of n): addmm's bias, after the product,
 * with the same single add (and rounding to the dtype) per element as a separate add.
 */
export function addBiasRows(out: TypedArray, bias: TypedArray, n: number): TypedArray {
  for (let r = 0; r < out.length; r += n) {
    for (let j = 0; j < n; j++) out[r + j] = out[r + j]! + bias[j]!;
  }
  return out;
}
