// Functional convolution and pooling: the core's conv2d/maxPool2d/avgPool2d with PyTorch's extra
// options (padding "same"/"valid", countIncludePad, divisorOverride) and unbatched [C, H, W] input.
import { ArgumentError, ShapeError } from "../../errors.js";
import { fmt } from "../../shape.js";
import { avgPool2d as corePool, conv2d as coreConv, maxPool2dWithIndices as coreMaxPool } from "../../tensor/conv.js";
import type { Size2 } from "../../tensor/conv.js";
import { ones, zeros } from "../../tensor/creation.js";
import { checkTensor } from "../../tensor/elementwise.js";
import { cat } from "../../tensor/movement.js";
import type { Tensor } from "../../tensor/tensor.js";

/** Options of `conv2d`, as PyTorch's keyword arguments. */
export interface Conv2dFnOptions {
  stride?: Size2;
  /** Zeros added on each side, or "valid" (none) or "same" (output size = input size; stride 1 only). */
  padding?: Size2 | "same" | "valid";
  dilation?: Size2;
  groups?: number;
}

/** Options of `maxPool2d`. */
export interface MaxPool2dFnOptions {
  /** Defaults to the kernel size. */
  stride?: Size2 | null;
  padding?: Size2;
  dilation?: Size2;
  /** Only false is supported. */
  ceilMode?: boolean;
}

/** Options of `avgPool2d`. */
export interface AvgPool2dFnOptions {
  /** Defaults to the kernel size. */
  stride?: Size2 | null;
  padding?: Size2;
  /** Only false is supported. */
  ceilMode?: boolean;
  /** Count the zero padding in each window's average (default true, as PyTorch). */
  countIncludePad?: boolean;
  /** Divide every window's sum by this instead of its size. */
  divisorOverride?: number | null;
}

/** A size as [height, width]. */
export const pairOf = (v: Size2): [number, number] => (typeof v === "number" ? [v, v] : [v[0], v[1]]);

/** `x` as `[N, C, H, W]`: itself, or an unbatched `[C, H, W]` with a batch dim of 1 added. */
function asBatch(op: string, x: Tensor): Tensor {
  checkTensor(op, x);
  if (x.ndim === 3) return x.unsqueeze(0);
  if (x.ndim !== 4) throw new ShapeError(`${op}: expected input [N, C, H, W] or [C, H, W], got ${fmt(x.shape)}`);
  return x;
}

/** Runs `fn` on `[N, C, H, W]`, adding (and removing) the batch dim for an unbatched `[C, H, W]` input. */
function batched(op: string, x: Tensor, fn: (x4: Tensor) => Tensor): Tensor {
  const y = fn(asBatch(op, x));
  return x.ndim === 3 ? y.squeeze(0) : y;
}

/** Throws for `ceilMode: true`, which the core's window arithmetic does not do. */
export function noCeil(op: string, ceilMode: boolean | undefined): void {
  if (ceilMode === true) throw new ArgumentError(`${op}: ceilMode true is not supported; pad the input or pick a kernel and stride that fit`);
}

/**
 * 2-D convolution (cross-correlation, as PyTorch): input `[N, Cin, H, W]` (or `[Cin, H, W]`),
 * weight `[Cout, Cin/groups, kh, kw]`, optional bias `[Cout]`.
 * @example cr.nn.functional.conv2d(images, kernels, null, { padding: "same" })
 */
export function conv2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, opts: Conv2dFnOptions = {}): Tensor {
  return batched("conv2d", input, (x) => {
    const { padding = 0, ...rest } = opts;
    if (padding === "valid") return coreConv(x, weight, bias, rest);
    if (padding !== "same") return coreConv(x, weight, bias, { ...rest, padding });
    if (pairOf(rest.stride ?? 1).some((s) => s !== 1)) throw new ArgumentError("conv2d: padding \"same\" is not supported for strided convolutions");
    if (weight.ndim !== 4) throw new ShapeError(`conv2d: weight must be [Cout, Cin/groups, kh, kw], got ${fmt(weight.shape)}`);
    const dil = pairOf(rest.dilation ?? 1);
    const total = [dil[0] * (weight.shape[2]! - 1), dil[1] * (weight.shape[3]! - 1)] as const;
    // An odd total goes one more to the bottom/right, as PyTorch; the core pads symmetrically, so add that one by hand.
    let padded = x;
    for (const d of [0, 1] as const) {
      if (total[d] % 2 === 1) {
        const extra = [...padded.shape];
        extra[2 + d] = 1;
        padded = cat([padded, zeros(extra, { dtype: padded.dtype })], 2 + d);
      }
    }
    return coreConv(padded, weight, bias, { ...rest, padding: [Math.floor(total[0] / 2), Math.floor(total[1] / 2)] });
  });
}

/**
 * Max pooling over `kernelSize` windows (stride defaults to the kernel size); the gradient goes to
 * each window's maximum.
 * @example cr.nn.functional.maxPool2d(x, 2) // halves H and W
 */
export function maxPool2d(input: Tensor, kernelSize: Size2, opts: MaxPool2dFnOptions = {}): Tensor {
  return maxPool2dWithIndices(input, kernelSize, opts)[0];
}

/**
 * `maxPool2d` and each window's winner as a flat index (iy·W + ix) into its `[H, W]` plane, int32:
 * PyTorch's `max_pool2d(..., return_indices=True)`.
 * @example const [pooled, indices] = cr.nn.functional.maxPool2dWithIndices(x, 2)
 */
export function maxPool2dWithIndices(input: Tensor, kernelSize: Size2, opts: MaxPool2dFnOptions = {}): [Tensor, Tensor] {
  noCeil("maxPool2d", opts.ceilMode);
  const window = { stride: opts.stride ?? kernelSize, padding: opts.padding ?? 0, dilation: opts.dilation ?? 1 };
  const [values, indices] = coreMaxPool(asBatch("maxPool2d", input), kernelSize, window);
  return input.ndim === 3 ? [values.squeeze(0), indices.squeeze(0)] : [values, indices];
}

/**
 * Average pooling over `kernelSize` windows (stride defaults to the kernel size). The zero padding
 * counts in the average unless `countIncludePad` is false; `divisorOverride` replaces the divisor.
 * @example cr.nn.functional.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false })
 */
export function avgPool2d(input: Tensor, kernelSize: Size2, opts: AvgPool2dFnOptions = {}): Tensor {
  noCeil("avgPool2d", opts.ceilMode);
  const window = { stride: opts.stride ?? kernelSize, padding: opts.padding ?? 0 };
  const [kh, kw] = pairOf(kernelSize);
  return batched("avgPool2d", input, (x) => {
    const avg = corePool(x, kernelSize, window);
    const div = opts.divisorOverride;
    if (div !== undefined && div !== null) {
      if (!Number.isInteger(div) || div === 0) throw new ArgumentError(`avgPool2d: divisorOverride must be a non-zero integer, got ${div}`);
      return avg.mul((kh * kw) / div);
    }
    if (opts.countIncludePad !== false || pairOf(window.padding).every((p) => p === 0)) return avg;
    // The share of real (unpadded) elements in each window is the average of a padded image of ones.
    const [, , h, w] = x.shape as [number, number, number, number];
    const share = corePool(ones([1, 1, h, w], { dtype: x.dtype }), kernelSize, window);
    return avg.div(share);
  });
}
