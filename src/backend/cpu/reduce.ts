// Reduction kernels of the cpu backend: sum, prod, max, min over any set of axes, and argmax/argmin.
import type { ComputeDType as DType, TypedArray } from "../../dtype.js";
import { allocOut } from "./buffer-pool.js";
import { sizeOf, stridesOf } from "../../shape.js";
import type { Shape } from "../../shape.js";
import type { ReduceOp } from "../backend.js";
import { forEachRow, splitAt } from "./strided.js";

// Folds `n` contiguous elements from `start` into `init`, in index order (so sums match the element-by-element
// accumulation bit for bit). One body per array type keeps V8's element-access feedback monomorphic:
// float32 is what nearly every reduction reads.
function foldF32(op: ReduceOp, x: Float32Array, start: number, n: number, init: number): number {
  let r = init;
  const end = start + n;
  switch (op) {
    case "sum": for (let i = start; i < end; i++) r += x[i]!; break;
    case "prod": for (let i = start; i < end; i++) r *= x[i]!; break;
    // `v !== v` takes a NaN, and no later comparison replaces it: max and min propagate NaN.
    case "max": for (let i = start; i < end; i++) { const v = x[i]!; if (v > r || v !== v) r = v; } break;
    case "min": for (let i = start; i < end; i++) { const v = x[i]!; if (v < r || v !== v) r = v; } break;
  }
  return r;
}

// `foldF32` for the other array types (float64, int32, bool), kept apart so they cannot make its loads polymorphic.
function foldAny(op: ReduceOp, x: TypedArray, start: number, n: number, init: number): number {
  let r = init;
  const end = start + n;
  switch (op) {
    case "sum": for (let i = start; i < end; i++) r += x[i]!; break;
    case "prod": for (let i = start; i < end; i++) r *= x[i]!; break;
    case "max": for (let i = start; i < end; i++) { const v = x[i]!; if (v > r || v !== v) r = v; } break;
    case "min": for (let i = start; i < end; i++) { const v = x[i]!; if (v < r || v !== v) r = v; } break;
  }
  return r;
}

// acc[j] ⊕= x[start + j] for j < n: one row of a reduction over leading axes (a bias gradient's sum over the batch).
function accumulateRowF32(op: ReduceOp, acc: Float64Array, x: Float32Array, start: number, n: number): void {
  switch (op) {
    case "sum": for (let j = 0; j < n; j++) acc[j]! += x[start + j]!; break;
    case "prod": for (let j = 0; j < n; j++) acc[j]! *= x[start + j]!; break;
    case "max": for (let j = 0; j < n; j++) { const v = x[start + j]!; if (v > acc[j]! || v !== v) acc[j] = v; } break;
    case "min": for (let j = 0; j < n; j++) { const v = x[start + j]!; if (v < acc[j]! || v !== v) acc[j] = v; } break;
  }
}

// acc[o] ⊕= x[ix], o stepping by `so`: one row of the general case, any dtype.
function accumulateStrided(op: ReduceOp, acc: Float64Array, o: number, so: number, x: TypedArray, ix: number, n: number): void {
  const end = ix + n;
  switch (op) {
    case "sum": for (; ix < end; ix++, o += so) acc[o]! += x[ix]!; break;
    case "prod": for (; ix < end; ix++, o += so) acc[o]! *= x[ix]!; break;
    case "max": for (; ix < end; ix++, o += so) { const v = x[ix]!; if (v > acc[o]! || v !== v) acc[o] = v; } break;
    case "min": for (; ix < end; ix++, o += so) { const v = x[ix]!; if (v < acc[o]! || v !== v) acc[o] = v; } break;
  }
}

// True when `axes` (sorted, distinct) are consecutive dims starting at `first`.
function isRun(axes: readonly number[], first: number): boolean {
  return axes.every((a, i) => a === first + i);
}

export function reduce(op: ReduceOp, x: TypedArray, shape: Shape, axes: readonly number[], outDtype: DType): TypedArray {
  const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const outSize = sizeOf(outShape);
  // Accumulate in float64 whatever the dtype, so long float32 sums keep their precision.
  const acc = new Float64Array(outSize);
  const init = op === "sum" ? 0 : op === "prod" ? 1 : op === "max" ? -Infinity : Infinity;
  const ndim = shape.length;
  const inner = outSize === 0 ? 0 : x.length / outSize;
  if (outSize > 0 && isRun(axes, ndim - axes.length)) {
    // Trailing axes (or all of them): each output folds one contiguous run of the input.
    for (let o = 0; o < outSize; o++) {
      acc[o] = x instanceof Float32Array ? foldF32(op, x, o * inner, inner, init) : foldAny(op, x, o * inner, inner, init);
    }
  } else if (x instanceof Float32Array && outSize > 0 && isRun(axes, 0)) {
    // Leading axes: add whole rows of outSize elements into acc, rows in order as the general case does.
    acc.fill(init);
    for (let r = 0; r < inner; r++) accumulateRowF32(op, acc, x, r * outSize, outSize);
  } else {
    acc.fill(init);
    const outStrides = stridesOf(outShape).map((s, i) => (axes.includes(i) ? 0 : s));
    const so = outStrides[ndim - 1] ?? 0;
    let ix = 0;
    forEachRow(shape, [outStrides], (off, n) => {
      accumulateStrided(op, acc, off[0]!, so, x, ix, n);
      ix += n;
    });
  }
  const out = allocOut(outDtype, outSize, "any");
  if (outDtype === "bool") for (let i = 0; i < outSize; i++) out[i] = acc[i] ? 1 : 0;
  else out.set(acc);
  return out;
}

export function argReduce(op: "argmax" | "argmin", x: TypedArray, shape: Shape, axis: number): Int32Array {
  const [outer, size, inner] = splitAt(shape, axis);
  const out = new Int32Array(outer * inner);
  if (size === 0) return out;
  // A row of `inner` running extremes, updated one slice of the axis at a time: contiguous reads, and no
  // call per element. NaN counts as the extreme, and the first one wins, as in PyTorch; on ties the first
  // index stays.
  const best = new Float64Array(inner);
  const isMax = op === "argmax";
  for (let o = 0; o < outer; o++) {
    const base = o * size * inner, at = o * inner;
    for (let j = 0; j < inner; j++) best[j] = x[base + j]!;
    for (let i = 1; i < size; i++) {
      const row = base + i * inner;
      if (isMax) {
        for (let j = 0; j < inner; j++) {
          const b = best[j]!, v = x[row + j]!;
          if (b === b && (v > b || v !== v)) {
            best[j] = v;
            out[at + j] = i;
          }
        }
      } else {
        for (let j = 0; j < inner; j++) {
          const b = best[j]!, v = x[row + j]!;
          if (b === b && (v < b || v !== v)) {
            best[j] = v;
            out[at + j] = i;
          }
        }
      }
    }
  }
  return out;
}
