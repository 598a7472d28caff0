// log-softmax on the cpu backend: one pass for the maximum, one for the sum of exponentials, one to write.
import type { ComputeDType as DType, TypedArray } from "../../dtype.js";
import { sizeOf } from "../../shape.js";
import type { Shape } from "../../shape.js";
import { allocOut } from "./buffer-pool.js";

/**
 * `x − log Σ exp x` along `axis`, in double precision, in the composite's order of operations
 * (shift by the slice's maximum, or by 0 where the maximum is −∞; exponentials summed in index
 * order): an all −∞ slice gives NaN, as PyTorch's does.
 */
export function logSoftmax(x: TypedArray, shape: Shape, axis: number, dtype: DType): TypedArray {
  const out = allocOut(dtype, x.length, "any");
  const n = shape[axis]!;
  const inner = sizeOf(shape.slice(axis + 1));
  const outer = n === 0 ? 0 : x.length / (n * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let m = -Infinity;
      for (let j = 0, at = base; j < n; j++, at += inner) {
        const v = x[at]!;
        if (v > m || v !== v) m = v;
      }
      const shift = m === -Infinity ? 0 : m; // a +∞ maximum makes the slice NaN, as PyTorch's
      let sum = 0;
      for (let j = 0, at = base; j < n; j++, at += inner) sum += Math.exp(x[at]! - shift);
      const lse = Math.log(sum);
      for (let j = 0, at = base; j < n; j++, at += inner) out[at] = x[at]! - shift - lse;
    }
  }
  return out;
}

/** logSoftmax's gradient `g − exp(y)·Σ g` along `axis`, the sum and each product in double precision. */
export function logSoftmaxBackward(g: TypedArray, y: TypedArray, shape: Shape, axis: number, dtype: DType): TypedArray {
  const out = allocOut(dtype, g.length, "any");
  const n = shape[axis]!;
  const inner = sizeOf(shape.slice(axis + 1));
  const outer = n === 0 ? 0 : g.length / (n * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let sum = 0;
      for (let j = 0, at = base; j < n; j++, at += inner) sum += g[at]!;
      for (let j = 0, at = base; j < n; j++, at += inner) out[at] = g[at]! - Math.exp(y[at]!) * sum;
    }
  }
  return out;
}
