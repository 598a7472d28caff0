// Data-movement kernels of the cpu backend: permute, expand, slice and its adjoint, cat, and indexing.
import type { ComputeDType as DType, TypedArray } from "../../dtype.js";
import { IndexError } from "../../errors.js";
import { allocOut } from "./buffer-pool.js";
import { broadcastStrides, sizeOf, stridesOf } from "../../shape.js";
import type { Shape } from "../../shape.js";
import { forEachRow, splitAt } from "./strided.js";

// One row of a strided copy, its own function so the position counters live in registers rather than
// in the closure `forEachRow` calls (a captured counter is a memory load and store per element).
function copyRow(out: TypedArray, o: number, x: TypedArray, ix: number, s: number, n: number): void {
  const end = o + n;
  for (; o < end; o++, ix += s) out[o] = x[ix]!;
}

// A float32 twin of `copyRow`: a body of its own keeps its element accesses monomorphic.
function copyRowF32(out: Float32Array, o: number, x: Float32Array, ix: number, s: number, n: number): void {
  // A long contiguous row (a coalesced block) is a memcpy.
  if (s === 1 && n >= 256) {
    out.set(x.subarray(ix, ix + n), o);
    return;
  }
  const end = o + n;
  for (; o < end; o++, ix += s) out[o] = x[ix]!;
}

/**
 * `shape` and `strides` with each dim merged into the next where it steps over the next one whole (and dims of 1
 * dropped): the same elements in the same row-major order, in fewer, longer rows. A select of the GPT's
 * [3, B, H, T, hs] q/k/v block is then one row, not B·H·T rows of hs (a callback each).
 */
export function coalesce(shape: Shape, strides: readonly number[]): [number[], number[]] {
  const outShape: number[] = [], outStrides: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!, st = strides[d]!;
    if (n === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && outStrides[last] === st * n) {
      outShape[last] = outShape[last]! * n;
      outStrides[last] = st;
    } else {
      outShape.push(n);
      outStrides.push(st);
    }
  }
  return [outShape, outStrides];
}

/** out (contiguous, `outShape`) ← x read at `offset + Σ i[d]·strides[d]` (the core's strided read). */
export function stridedCopy(x: TypedArray, offset: number, stridesIn: readonly number[], outShapeIn: Shape, dtype: DType): TypedArray {
  const out = allocOut(dtype, sizeOf(outShapeIn), "any");
  if (out.length === 0) return out;
  const [outShape, strides] = coalesce(outShapeIn, stridesIn);
  const s = strides[strides.length - 1] ?? 0;
  const f32 = out instanceof Float32Array && x instanceof Float32Array;
  let o = 0;
  forEachRow(outShape, [strides], (off, n) => {
    if (f32) copyRowF32(out, o, x, offset + off[0]!, s, n);
    else copyRow(out, o, x, offset + off[0]!, s, n);
    o += n;
  });
  return out;
}

// Tile edge of the blocked transpose: 32 rows of a tile stay in L1 while its columns are read out.
const TILE = 32;

// out[b][j][i] = x[b][i][j] for `batch` matrices of rows×cols, in TILE×TILE tiles: a plain loop reads x
// with a stride of `cols` elements, touching a new cache line for every element it copies.
function transposeLastTwo(x: TypedArray, out: TypedArray, batch: number, rows: number, cols: number): void {
  const size = rows * cols;
  for (let base = 0; base < batch * size; base += size) {
    for (let i0 = 0; i0 < rows; i0 += TILE) {
      const i1 = Math.min(i0 + TILE, rows);
      for (let j0 = 0; j0 < cols; j0 += TILE) {
        const j1 = Math.min(j0 + TILE, cols);
        for (let j = j0; j < j1; j++) {
          let o = base + j * rows + i0;
          for (let ix = base + i0 * cols + j, end = base + i1 * cols + j; ix < end; ix += cols) out[o++] = x[ix]!;
        }
      }
    }
  }
}

export function permute(x: TypedArray, shape: Shape, perm: readonly number[], dtype: DType): TypedArray {
  const nd = perm.length;
  // Swapping the last two dims (a matrix transpose, batched or not) has a cache-blocked loop.
  if (nd >= 2 && perm[nd - 2] === nd - 1 && perm[nd - 1] === nd - 2 && perm.slice(0, nd - 2).every((p, i) => p === i)) {
    const out = allocOut(dtype, x.length, "any");
    const rows = shape[nd - 2]!, cols = shape[nd - 1]!;
    if (out.length > 0) transposeLastTwo(x, out, out.length / (rows * cols), rows, cols);
    return out;
  }
  const inStrides = stridesOf(shape);
  return stridedCopy(x, 0, perm.map((p) => inStrides[p]!), perm.map((p) => shape[p]!), dtype);
}

export function expand(x: TypedArray, shape: Shape, outShape: Shape, dtype: DType): TypedArray {
  // A single element (sum's backward) broadcast is a fill.
  if (x.length === 1) {
    const out = allocOut(dtype, sizeOf(outShape), "any");
    out.fill(x[0]!);
    return out;
  }
  return stridedCopy(x, 0, broadcastStrides(shape, outShape), outShape, dtype);
}

function sliceGeometry(shape: Shape, starts: readonly number[], steps: readonly number[]): [number, number[]] {
  const strides = stridesOf(shape);
  let offset = 0;
  for (let d = 0; d < shape.length; d++) offset += starts[d]! * strides[d]!;
  return [offset, strides.map((s, d) => s * steps[d]!)];
}

export function slice(x: TypedArray, shape: Shape, starts: readonly number[], steps: readonly number[], outShape: Shape, dtype: DType): TypedArray {
  const [offset, strides] = sliceGeometry(shape, starts, steps);
  return stridedCopy(x, offset, strides, outShape, dtype);
}

export function sliceBackward(src: TypedArray, srcShapeIn: Shape, inShape: Shape, starts: readonly number[], steps: readonly number[], dtype: DType): TypedArray {
  const out = allocOut(dtype, sizeOf(inShape));
  if (src.length === 0) return out;
  const [offset, stridesIn] = sliceGeometry(inShape, starts, steps);
  const [srcShape, strides] = coalesce(srcShapeIn, stridesIn);
  const s = strides[strides.length - 1] ?? 0;
  let i = 0;
  forEachRow(srcShape, [strides], (off, n) => {
    let o = offset + off[0]!;
    for (let j = 0; j < n; j++, o += s) out[o]! += src[i++]!;
  });
  return out;
}

/** dst at `offset + Σ i[d]·strides[d]` ← src (contiguous, `srcShape`), or += with `accumulate` (the core's strided write). */
export function scatterStrided(dst: TypedArray, src: TypedArray, srcShape: Shape, offset: number, strides: readonly number[], accumulate: boolean): void {
  const s = strides[strides.length - 1] ?? 0;
  let i = 0;
  forEachRow(srcShape, [strides], (off, n) => {
    let o = offset + off[0]!;
    if (accumulate) for (let j = 0; j < n; j++, o += s) dst[o]! += src[i++]!;
    else for (let j = 0; j < n; j++, o += s) dst[o] = src[i++]!;
  });
}

export function cat(xs: readonly { data: TypedArray; shape: Shape }[], axis: number, outShape: Shape, dtype: DType): TypedArray {
  const out = allocOut(dtype, sizeOf(outShape), "any");
  const [outer, , inner] = splitAt(outShape, axis);
  const outRow = outShape[axis]! * inner;
  let start = 0;
  for (const { data, shape } of xs) {
    const rowLen = shape[axis]! * inner;
    for (let o = 0; o < outer; o++) out.set(data.subarray(o * rowLen, (o + 1) * rowLen), o * outRow + start);
    start += rowLen;
  }
  return out;
}

// The layout shared by gather and scatterAdd, row by row of the index's last dim: where each row starts in
// a tensor of `shape` (leaving out the `dim` coordinate, which the index supplies) and, with `pairShape`,
// where the same coordinates start in a tensor of that shape. Element j of row r then lives at
// rowBase[r] + j·lastStride + index·dimStride. The row starts are stepped like an odometer.
interface IndexRows {
  readonly row: number;
  readonly rowBase: Int32Array;
  readonly pairBase: Int32Array;
  readonly lastStride: number;
  readonly dimStride: number;
  readonly pairLast: number;
}

function indexRows(shape: Shape, dim: number, idxShape: Shape, pairShape: Shape): IndexRows {
  const strides = stridesOf(shape), pairStrides = stridesOf(pairShape);
  const rank = idxShape.length;
  if (rank === 0) return { row: 1, rowBase: Int32Array.of(0), pairBase: Int32Array.of(0), lastStride: 0, dimStride: 1, pairLast: 0 };
  const last = rank - 1;
  const row = idxShape[last]!;
  const rows = row === 0 ? 0 : sizeOf(idxShape) / row;
  const rowBase = new Int32Array(rows), pairBase = new Int32Array(rows);
  const coord = new Array<number>(rank).fill(0);
  let base = 0, pair = 0;
  for (let r = 0; r < rows; r++) {
    rowBase[r] = base;
    pairBase[r] = pair;
    for (let d = last - 1; d >= 0; d--) {
      const stride = d === dim ? 0 : strides[d]!;
      if (++coord[d]! < idxShape[d]!) {
        base += stride;
        pair += pairStrides[d]!;
        break;
      }
      base -= (coord[d]! - 1) * stride;
      pair -= (coord[d]! - 1) * pairStrides[d]!;
      coord[d] = 0;
    }
  }
  // Along the last dim a step moves one stride, except when it is `dim`, whose position the index gives.
  return { row, rowBase, pairBase, lastStride: last === dim ? 0 : strides[last]!, dimStride: strides[dim]!, pairLast: pairStrides[last]! };
}

/** @internal The error of gather and scatterAdd (on every backend) for an index value outside its dim. */
export function outOfBounds(op: string, v: number, dim: number, size: number): IndexError {
  return new IndexError(`${op}: index ${v} is out of bounds for dim ${dim} of size ${size}`);
}

export function gather(x: TypedArray, shape: Shape, dim: number, index: Int32Array, idxShape: Shape, dtype: DType): TypedArray {
  const { row, rowBase, lastStride, dimStride } = indexRows(shape, dim, idxShape, idxShape);
  const size = shape[dim]!;
  const out = allocOut(dtype, index.length, "any");
  for (let r = 0, i = 0; r < rowBase.length; r++) {
    const base = rowBase[r]!;
    for (let j = 0; j < row; j++, i++) {
      const v = index[i]!;
      if (v < 0 || v >= size) throw outOfBounds("gather", v, dim, size);
      out[i] = x[base + j * lastStride + v * dimStride]!;
    }
  }
  return out;
}

export function scatterAdd(base: TypedArray, shape: Shape, dim: number, index: Int32Array, idxShape: Shape, src: TypedArray, srcShape: Shape, dtype: DType): TypedArray {
  // src may be larger than index; element i of index pairs with the same coordinates in src.
  const { row, rowBase, pairBase, lastStride, dimStride, pairLast } = indexRows(shape, dim, idxShape, srcShape);
  const size = shape[dim]!;
  for (const v of index) if (v < 0 || v >= size) throw outOfBounds("scatterAdd", v, dim, size);
  const out = allocOut(dtype, base.length);
  out.set(base);
  for (let r = 0, i = 0; r < rowBase.length; r++) {
    const at = rowBase[r]!, from = pairBase[r]!;
    for (let j = 0; j < row; j++, i++) out[at + j * lastStride + index[i]! * dimStride]! += src[from + j * pairLast]!;
  }
  return out;
}

function checkIndex(op: string, index: Int32Array, size: number): void {
  for (const v of index) {
    if (v < 0 || v >= size) throw new IndexError(`${op}: index ${v} is out of bounds for a dim of size ${size}`);
  }
}

export function indexSelect(x: TypedArray, shape: Shape, dim: number, index: Int32Array, dtype: DType): TypedArray {
  const [outer, size, inner] = splitAt(shape, dim);
  checkIndex("indexSelect", index, size);
  const m = index.length;
  const out = allocOut(dtype, outer * m * inner, "any");
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const from = (o * size + index[j]!) * inner;
      out.set(x.subarray(from, from + inner), (o * m + j) * inner);
    }
  }
  return out;
}

export function indexAdd(base: TypedArray, shape: Shape, dim: number, index: Int32Array, src: TypedArray, dtype: DType): TypedArray {
  const [outer, size, inner] = splitAt(shape, dim);
  checkIndex("indexAdd", index, size);
  const m = index.length;
  const out = allocOut(dtype, base.length);
  out.set(base);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const to = (o * size + index[j]!) * inner;
      const from = (o * m + j) * inner;
      for (let t = 0; t < inner; t++) out[to + t]! += src[from + t]!;
    }
  }
  return out;
}
