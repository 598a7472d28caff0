// Running reductions along one axis on the cpu backend: cumsum, cumprod, logcumsumexp, and the positions of
// the running maximum and minimum (cummax, cummin). Each slice is walked in order with the accumulator in
// double precision, as PyTorch's cpu kernels accumulate, and every output rounded to the tensor's dtype.
import type { ComputeDType as DType, TypedArray } from "../../dtype.js";
import type { ScanOp } from "../../ops/params.js";
import type { Shape } from "../../shape.js";
import { allocOut } from "./buffer-pool.js";
import { splitAt } from "./strided.js";

/** `log(eᵃ + eᵇ)` as PyTorch's logcumsumexp takes it: NaN propagates, and equal infinities stay as they are. */
export function logAddExp(a: number, b: number): number {
  const lo = Number.isNaN(b) ? b : Math.min(a, b);
  const hi = Number.isNaN(b) ? b : Math.max(a, b);
  if (lo !== hi || Number.isFinite(lo)) return Math.log1p(Math.exp(lo - hi)) + hi;
  return a;
}

export function cumulative(op: ScanOp, x: TypedArray, shape: Shape, axis: number, dtype: DType): TypedArray {
  const [outer, size, inner] = splitAt(shape, axis);
  const out = allocOut(dtype, x.length, "any");
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const start = o * size * inner + j;
      let acc = op === "sum" ? 0 : op === "prod" ? 1 : -Infinity;
      for (let i = 0, at = start; i < size; i++, at += inner) {
        const v = x[at]!;
        acc = op === "sum" ? acc + v : op === "prod" ? acc * v : logAddExp(acc, v);
        // int32 results wrap as the typed array stores them; keep the accumulator the stored value, as int math does.
        out[at] = acc;
        if (dtype === "int32") acc = out[at]!;
      }
    }
  }
  return out;
}

/**
 * The index of the running maximum (minimum) along `axis`: a later element equal to the running one takes over
 * (PyTorch compares with >=), and a NaN takes over and keeps it, each later NaN taking over again.
 */
export function cumulativeIndex(op: "max" | "min", x: TypedArray, shape: Shape, axis: number): Int32Array {
  const [outer, size, inner] = splitAt(shape, axis);
  const out = allocOut("int32", x.length, "any") as Int32Array;
  const isMax = op === "max";
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const start = o * size * inner + j;
      let best = x[start]!, at = 0;
      for (let i = 0, p = start; i < size; i++, p += inner) {
        const v = x[p]!;
        if (v !== v || (best === best && (isMax ? v >= best : v <= best))) {
          best = v;
          at = i;
        }
        out[p] = at;
      }
    }
  }
  return out;
}
