// The arithmetic of N-d sliding windows (ops/params.ts's WindowNd), shared by the tensor layer, the kernels and
// the fallbacks: how many windows fit along each spatial dim.
import type { WindowNd } from "./params.js";

/** The number of windows along each spatial dim of `spatial` (the input's sizes after N and C). */
export function windowNdOut(spatial: readonly number[], w: WindowNd): number[] {
  return spatial.map((size, d) => Math.floor((size + w.padBefore[d]! + w.padAfter[d]! - w.dilation[d]! * (w.kernel[d]! - 1) - 1) / w.stride[d]!) + 1);
}

/** The product of `sizes` (1 for none). */
export function product(sizes: readonly number[]): number {
  let p = 1;
  for (const s of sizes) p *= s;
  return p;
}
