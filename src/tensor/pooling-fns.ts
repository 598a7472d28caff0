// The public forms of pooling in 1-D and 3-D (2-D is in windows.ts), adaptive pooling in 1-D, 2-D and 3-D, and
// maxUnpool: PyTorch's F.max_pool1d, F.adaptive_avg_pool2d, F.max_unpool2d, … in camelCase, each a thin call of
// pool.ts's N-d implementation.
import { ArgumentError } from "../errors.js";
import { fmt } from "../shape.js";
import { adaptiveAvgPoolNd, adaptiveMaxPoolNd, avgPoolNd, maxPoolNd, maxUnpoolNd } from "./pool.js";
import type { AvgPoolOptions, MaxPoolOptions } from "./pool.js";
import type { Tensor } from "./tensor.js";
import { tupleOf } from "./window-spec.js";
import type { SizeN } from "./window-spec.js";

/** An adaptive pooling's output size: one for every spatial dim, or one per dim (null keeps the input's size). */
export type AdaptiveSize = number | readonly (number | null)[];

/**
 * 1-D max pooling of `[N, C, L]` (or `[C, L]`); the gradient goes to each window's maximum.
 * @example cr.maxPool1d(x, 3, { stride: 2, ceilMode: true })
 */
export function maxPool1d(input: Tensor, kernelSize: SizeN, opts: MaxPoolOptions = {}): Tensor {
  return maxPoolNd("maxPool1d", 1, input, kernelSize, opts)[0];
}

/** `maxPool1d` and each window's winner as an index into L (int32). @example const [y, i] = cr.nn.functional.maxPool1dWithIndices(x, 2) */
export function maxPool1dWithIndices(input: Tensor, kernelSize: SizeN, opts: MaxPoolOptions = {}): [Tensor, Tensor] {
  return maxPoolNd("maxPool1d", 1, input, kernelSize, opts);
}

/**
 * 3-D max pooling of `[N, C, D, H, W]` (or `[C, D, H, W]`).
 * @example cr.maxPool3d(volumes, 2)
 */
export function maxPool3d(input: Tensor, kernelSize: SizeN, opts: MaxPoolOptions = {}): Tensor {
  return maxPoolNd("maxPool3d", 3, input, kernelSize, opts)[0];
}

/** `maxPool3d` and each window's winner as a flat index (iz·H·W + iy·W + ix) into its volume (int32). @example cr.nn.functional.maxPool3dWithIndices(v, 2) */
export function maxPool3dWithIndices(input: Tensor, kernelSize: SizeN, opts: MaxPoolOptions = {}): [Tensor, Tensor] {
  return maxPoolNd("maxPool3d", 3, input, kernelSize, opts);
}

/**
 * 1-D average pooling of `[N, C, L]` (or `[C, L]`).
 * @example cr.avgPool1d(x, 3, { stride: 2, padding: 1, countIncludePad: false })
 */
export function avgPool1d(input: Tensor, kernelSize: SizeN, opts: Omit<AvgPoolOptions, "divisorOverride"> = {}): Tensor {
  return avgPoolNd("avgPool1d", 1, input, kernelSize, opts);
}

/**
 * 3-D average pooling of `[N, C, D, H, W]` (or `[C, D, H, W]`).
 * @example cr.nn.functional.avgPool3d(volumes, 2, { ceilMode: true })
 */
export function avgPool3d(input: Tensor, kernelSize: SizeN, opts: AvgPoolOptions = {}): Tensor {
  return avgPoolNd("avgPool3d", 3, input, kernelSize, opts);
}

/**
 * Average of each of `outputSize` bins of `[N, C, L]`; bin i covers [⌊i·L/out⌋, ⌈(i+1)·L/out⌉).
 * @example cr.adaptiveAvgPool1d(x, 5)
 */
export function adaptiveAvgPool1d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  return adaptiveAvgPoolNd("adaptiveAvgPool1d", 1, input, outputSize);
}

/**
 * Average of each bin of `[N, C, H, W]`: the output is `outputSize` whatever the input's size (`1`: global average pooling).
 * @example cr.nn.functional.adaptiveAvgPool2d(features, [7, 7])
 */
export function adaptiveAvgPool2d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  return adaptiveAvgPoolNd("adaptiveAvgPool2d", 2, input, outputSize);
}

/** Average of each bin of `[N, C, D, H, W]`. @example cr.nn.functional.adaptiveAvgPool3d(v, [2, 4, 4]) */
export function adaptiveAvgPool3d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  return adaptiveAvgPoolNd("adaptiveAvgPool3d", 3, input, outputSize);
}

/** Maximum of each bin of `[N, C, L]`. @example cr.adaptiveMaxPool1d(x, 4) */
export function adaptiveMaxPool1d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  return adaptiveMaxPoolNd("adaptiveMaxPool1d", 1, input, outputSize)[0];
}

/** `adaptiveMaxPool1d` and each bin's winner as an index into L (int32). @example cr.nn.functional.adaptiveMaxPool1dWithIndices(x, 4) */
export function adaptiveMaxPool1dWithIndices(input: Tensor, outputSize: AdaptiveSize): [Tensor, Tensor] {
  return adaptiveMaxPoolNd("adaptiveMaxPool1d", 1, input, outputSize);
}

/** Maximum of each bin of `[N, C, H, W]`. @example cr.nn.functional.adaptiveMaxPool2d(features, 1) */
export function adaptiveMaxPool2d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  return adaptiveMaxPoolNd("adaptiveMaxPool2d", 2, input, outputSize)[0];
}

/**
 * `adaptiveMaxPool2d` and each bin's winner as a flat index (iy·W + ix) into its plane (int32): the first maximum,
 * or the last NaN (PyTorch's `return_indices=True`).
 * @example const [pooled, indices] = cr.nn.functional.adaptiveMaxPool2dWithIndices(x, [3, 3])
 */
export function adaptiveMaxPool2dWithIndices(input: Tensor, outputSize: AdaptiveSize): [Tensor, Tensor] {
  return adaptiveMaxPoolNd("adaptiveMaxPool2d", 2, input, outputSize);
}

/** Maximum of each bin of `[N, C, D, H, W]`. @example cr.nn.functional.adaptiveMaxPool3d(v, 2) */
export function adaptiveMaxPool3d(input: Tensor, outputSize: AdaptiveSize): Tensor {
  return adaptiveMaxPoolNd("adaptiveMaxPool3d", 3, input, outputSize)[0];
}

/** `adaptiveMaxPool3d` and each bin's winner as a flat index into its volume (int32). @example cr.nn.functional.adaptiveMaxPool3dWithIndices(v, 2) */
export function adaptiveMaxPool3dWithIndices(input: Tensor, outputSize: AdaptiveSize): [Tensor, Tensor] {
  return adaptiveMaxPoolNd("adaptiveMaxPool3d", 3, input, outputSize);
}

/** Options of maxUnpool, as PyTorch's keyword arguments. */
export interface MaxUnpoolOptions {
  /** Defaults to the kernel size. */
  stride?: SizeN | null;
  /** The padding the matching max pool used (default 0). */
  padding?: SizeN;
  /** The output's size (spatial, or the whole shape); by default (in − 1)·stride − 2·padding + kernel. */
  outputSize?: readonly number[] | null;
}

/** The output size of maxUnpool (PyTorch's `_unpool_output_size`). */
function unpoolSize(op: string, input: Tensor, dims: number, kernelSize: SizeN, opts: MaxUnpoolOptions): number[] {
  const kernel = tupleOf(op, "kernelSize", kernelSize, dims, 1);
  const stride = tupleOf(op, "stride", opts.stride ?? kernel, dims, 1);
  const padding = tupleOf(op, "padding", opts.padding ?? 0, dims, 0);
  const spatial = input.shape.slice(input.ndim - dims);
  const preset = spatial.map((s, d) => (s - 1) * stride[d]! + kernel[d]! - 2 * padding[d]!);
  const given = opts.outputSize;
  if (given === undefined || given === null) return preset;
  const wanted = given.length === dims + 2 ? given.slice(2) : given.length === dims + 1 && input.ndim === dims + 1 ? given.slice(1) : given;
  if (wanted.length !== dims) throw new ArgumentError(`${op}: outputSize must have ${dims} or ${dims + 2} elements, got ${fmt(given)}`);
  wanted.forEach((s, d) => {
    const lo = preset[d]! - stride[d]!, hi = preset[d]! + stride[d]!;
    if (!(s > lo && s < hi)) throw new ArgumentError(`${op}: invalid outputSize ${fmt(given)} (dim ${d} must be between ${lo} and ${hi})`);
  });
  return [...wanted];
}

/**
 * The inverse of `maxPool1d`: values put back at their winners' positions, zeros elsewhere.
 * @example const [y, i] = cr.nn.functional.maxPool1dWithIndices(x, 2); cr.nn.functional.maxUnpool1d(y, i, 2)
 */
export function maxUnpool1d(input: Tensor, indices: Tensor, kernelSize: SizeN, opts: MaxUnpoolOptions = {}): Tensor {
  return maxUnpoolNd("maxUnpool1d", 1, input, indices, unpoolSize("maxUnpool1d", input, 1, kernelSize, opts));
}

/**
 * The inverse of `maxPool2d`: `[N, C, h, w]` values put back at the flat positions `indices` of an output of
 * `outputSize` (zeros elsewhere), as PyTorch's `max_unpool2d`.
 * @example const [y, i] = cr.maxPool2dWithIndices(x, 2); cr.nn.functional.maxUnpool2d(y, i, 2) // x's shape, zeros but at the maxima
 */
export function maxUnpool2d(input: Tensor, indices: Tensor, kernelSize: SizeN, opts: MaxUnpoolOptions = {}): Tensor {
  return maxUnpoolNd("maxUnpool2d", 2, input, indices, unpoolSize("maxUnpool2d", input, 2, kernelSize, opts));
}

/** The inverse of `maxPool3d`. @example cr.nn.functional.maxUnpool3d(y, i, 2) */
export function maxUnpool3d(input: Tensor, indices: Tensor, kernelSize: SizeN, opts: MaxUnpoolOptions = {}): Tensor {
  return maxUnpoolNd("maxUnpool3d", 3, input, indices, unpoolSize("maxUnpool3d", input, 3, kernelSize, opts));
}
