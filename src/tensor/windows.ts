// Sliding-window ops on [N, C, H, W] tensors (or an unbatched [C, H, W]): unfold/fold (im2col), and convolution
// and average pooling composed from them; max pooling, a gather at the winners its own kernel finds. These are
// `cr.conv2d` and `cr.nn.functional.conv2d` alike (PyTorch's torch.conv2d is F.conv2d too).
import { applyPrimitive } from "../autograd/dispatch.js";
import type { Window2d } from "../backend/backend.js";
import { requireFloating } from "../dtype.js";
import { ArgumentError, ShapeError } from "../errors.js";
import { fmt, windowOut } from "../shape.js";
import type { Shape } from "../shape.js";
import { ones, zeros } from "./creation.js";
import { checkTensor } from "./elementwise.js";
import { cat } from "./movement.js";
import { avgPoolNd, maxPoolNd } from "./pool.js";
import type { Tensor } from "./tensor.js";

/** A size given as one number for both spatial dims, or as [height, width]. */
export type Size2 = number | readonly [number, number];

/** Options of the sliding-window ops, as PyTorch's keyword arguments. */
export interface WindowOptions {
  /** The step between windows (default 1). */
  stride?: Size2;
  /** Zeros added on each side of both spatial dims (default 0). */
  padding?: Size2;
  /** The spacing between window elements (default 1). */
  dilation?: Size2;
}

/** A size as [height, width], each an integer at least `min`; `op` and `name` name it in the error. */
export function pair(op: string, name: string, v: Size2, min: number): [number, number] {
  const p: [number, number] = typeof v === "number" ? [v, v] : [v[0], v[1]];
  for (const x of p) {
    if (!Number.isInteger(x) || x < min) throw new ArgumentError(`${op}: ${name} must be an integer >= ${min} (or a pair of them), got ${JSON.stringify(v)}`);
  }
  return p;
}

function windowOf(op: string, shape: Shape, kernel: Size2, opts: WindowOptions, defaultStride: Size2, padValue: number): { window: Window2d; oh: number; ow: number } {
  if (shape.length !== 4) throw new ShapeError(`${op}: expected input of shape [N, C, H, W], got ${fmt(shape)}`);
  const window: Window2d = {
    kernel: pair(op, "kernelSize", kernel, 1),
    stride: pair(op, "stride", opts.stride ?? defaultStride, 1),
    padding: pair(op, "padding", opts.padding ?? 0, 0),
    dilation: pair(op, "dilation", opts.dilation ?? 1, 1),
    padValue,
  };
  const [, , h, w] = shape as [number, number, number, number];
  const oh = windowOut(h, window.kernel[0], window.stride[0], window.padding[0], window.dilation[0]);
  const ow = windowOut(w, window.kernel[1], window.stride[1], window.padding[1], window.dilation[1]);
  if (oh <= 0 || ow <= 0) {
    throw new ShapeError(`${op}: the window ${fmt(window.kernel)} (padding ${fmt(window.padding)}, dilation ${fmt(window.dilation)}) does not fit the input ${fmt(shape)}`);
  }
  return { window, oh, ow };
}

function unfoldWith(x: Tensor, window: Window2d, oh: number, ow: number): Tensor {
  const [n, c] = x.shape as [number, number];
  const outShape = [n, c * window.kernel[0] * window.kernel[1], oh * ow];
  return applyPrimitive("unfold", [x], { window, outShape, inShape: x.shape });
}

/**
 * Extracts sliding windows: `[N, C, H, W]` → `[N, C·kh·kw, L]` (PyTorch's `nn.functional.unfold`).
 * @example cr.unfold(images, 3, { padding: 1 })
 */
export function unfold(x: Tensor, kernelSize: Size2, opts: WindowOptions = {}): Tensor {
  checkTensor("unfold", x);
  // An unbatched [C, H, W] gives [C·kh·kw, L], as PyTorch's.
  if (x.ndim === 3) return unfold(x.unsqueeze(0), kernelSize, opts).squeeze(0);
  const { window, oh, ow } = windowOf("unfold", x.shape, kernelSize, opts, 1, 0);
  return unfoldWith(x, window, oh, ow);
}

/** Sums sliding windows back into an image: `[N, C·kh·kw, L]` → `[N, C, H, W]` (PyTorch's `nn.functional.fold`). @example cr.fold(cr.ones([1, 4, 4]), [3, 3], 2) // [[[[1, 2, 1], [2, 4, 2], [1, 2, 1]]]] */
export function fold(cols: Tensor, outputSize: readonly [number, number], kernelSize: Size2, opts: WindowOptions = {}): Tensor {
  checkTensor("fold", cols);
  // An unbatched [C·kh·kw, L] gives [C, H, W], as PyTorch's.
  if (cols.ndim === 2) return fold(cols.unsqueeze(0), outputSize, kernelSize, opts).squeeze(0);
  const [kh, kw] = pair("fold", "kernelSize", kernelSize, 1);
  if (cols.ndim !== 3 || cols.shape[1]! % (kh * kw) !== 0) {
    throw new ShapeError(`fold: expected input [N, C·${kh}·${kw}, L], got ${fmt(cols.shape)}`);
  }
  const [n, ck] = cols.shape as [number, number, number];
  const imageShape = [n, ck / (kh * kw), outputSize[0], outputSize[1]];
  const { window, oh, ow } = windowOf("fold", imageShape, kernelSize, opts, 1, 0);
  if (oh * ow !== cols.shape[2]) throw new ShapeError(`fold: ${cols.shape[2]} columns do not match ${oh}×${ow} windows of an ${fmt(outputSize)} image`);
  return applyPrimitive("fold", [cols], { window, outShape: imageShape, inShape: cols.shape });
}

/** Options of `conv2d`, as PyTorch's keyword arguments. */
export interface Conv2dOptions {
  /** The step between windows, one number or [height, width] (default 1). */
  stride?: Size2;
  /** Zeros added on each side, or "valid" (none) or "same" (output size = input size; stride 1 only). */
  padding?: Size2 | "same" | "valid";
  /** The spacing between kernel elements (default 1; 2 reads every other pixel). */
  dilation?: Size2;
  /** Split the channels into this many independent groups (default 1). */
  groups?: number;
}

// Convolution of a batch [N, Cin, H, W] with symmetric padding, built as unfold + matmul, so its gradient comes
// from theirs.
function convolve(x: Tensor, weight: Tensor, bias: Tensor | null, opts: WindowOptions & { groups?: number }): Tensor {
  checkTensor("conv2d", x);
  checkTensor("conv2d", weight);
  requireFloating("conv2d", x.dtype);
  if (weight.ndim !== 4) throw new ShapeError(`conv2d: weight must be [Cout, Cin/groups, kh, kw], got ${fmt(weight.shape)}`);
  const groups = opts.groups ?? 1;
  const [cout, cinG, kh, kw] = weight.shape as [number, number, number, number];
  if (x.ndim !== 4 || x.shape[1] !== cinG * groups) {
    throw new ShapeError(`conv2d: input ${fmt(x.shape)} must be [N, ${cinG * groups}, H, W] for weight ${fmt(weight.shape)} with groups ${groups}`);
  }
  if (!Number.isInteger(groups) || groups < 1 || cout % groups !== 0) throw new ArgumentError(`conv2d: groups ${groups} must divide the ${cout} output channels`);
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== cout)) throw new ShapeError(`conv2d: bias must be [${cout}], got ${fmt(bias.shape)}`);
  const { window, oh, ow } = windowOf("conv2d", x.shape, [kh, kw], opts, 1, 0);
  const n = x.shape[0]!;
  const cols = unfoldWith(x, window, oh, ow); // [N, Cin·kh·kw, L]
  let out: Tensor;
  if (groups === 1) out = weight.reshape([cout, cinG * kh * kw]).matmul(cols);
  else {
    // Each group convolves its own slice of channels: [N, G, Cin/G·kh·kw, L] with [G, Cout/G, Cin/G·kh·kw].
    const g = cols.reshape([n, groups, cinG * kh * kw, oh * ow]);
    const w = weight.reshape([groups, cout / groups, cinG * kh * kw]);
    out = w.matmul(g);
  }
  out = out.reshape([n, cout, oh, ow]);
  return bias === null ? out : out.add(bias.reshape([1, cout, 1, 1]));
}

// PyTorch's rule: padding past half the kernel would give windows of padding alone.
function checkPoolPadding(op: string, window: Window2d): void {
  if (window.padding[0] * 2 > window.kernel[0] || window.padding[1] * 2 > window.kernel[1]) {
    throw new ArgumentError(`${op}: padding ${fmt(window.padding)} must be at most half the kernel ${fmt(window.kernel)}`);
  }
}

// A dilated window can skip over a small image entirely (kernel 2, dilation 3, padding 1 on 2 pixels): it
// has no maximum. PyTorch returns -inf and an index outside the image; this says so instead.
function checkNoEmptyWindow(shape: Shape, window: Window2d, oh: number, ow: number): void {
  for (const d of [0, 1] as const) {
    const size = shape[2 + d]!, outs = d === 0 ? oh : ow;
    for (let o = 0; o < outs; o++) {
      const start = o * window.stride[d] - window.padding[d];
      if (!Array.from({ length: window.kernel[d] }, (_, k) => start + k * window.dilation[d]).some((i) => i >= 0 && i < size)) {
        throw new ArgumentError(
          `maxPool2d: window ${o} along ${d === 0 ? "height" : "width"} covers only padding (kernel ${fmt(window.kernel)}, dilation ${fmt(window.dilation)}, padding ${fmt(window.padding)} on ${fmt(shape)}), so it has no maximum`,
        );
      }
    }
  }
}

// Max pooling of a batch and each window's winner: ties to the first in window order. The values are a gather at
// the winners, so the gradient goes to each window's maximum.
function maxPoolBatch(x: Tensor, kernelSize: Size2, opts: WindowOptions): [Tensor, Tensor] {
  checkTensor("maxPool2d", x);
  const { window, oh, ow } = windowOf("maxPool2d", x.shape, kernelSize, opts, kernelSize, -Infinity);
  checkPoolPadding("maxPool2d", window);
  checkNoEmptyWindow(x.shape, window, oh, ow);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const indices = applyPrimitive("maxPool2dIndices", [x], { window, outShape: [n, c, oh, ow] });
  const values = x.reshape([n, c, h * w]).gather(2, indices.reshape([n, c, oh * ow])).reshape([n, c, oh, ow]);
  return [values, indices];
}

// Average pooling of a batch, the padding counted in the average.
function averagePool(x: Tensor, kernelSize: Size2, opts: WindowOptions): Tensor {
  checkTensor("avgPool2d", x);
  requireFloating("avgPool2d", x.dtype);
  const { window, oh, ow } = windowOf("avgPool2d", x.shape, kernelSize, opts, kernelSize, 0);
  checkPoolPadding("avgPool2d", window);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  // Each channel on its own: [N·C, 1, H, W] → [N·C, kh·kw, L], then the mean of each window.
  const cols = unfoldWith(x.reshape([n * c, 1, h, w]), window, oh, ow);
  return cols.mean(1).reshape([n, c, oh, ow]);
}

/** Options of `maxPool2d`. */
export interface MaxPool2dOptions {
  /** Defaults to the kernel size. */
  stride?: Size2 | null;
  /** Implicit −∞ padding on each side of both spatial dims (default 0), at most half the kernel size. */
  padding?: Size2;
  /** The spacing between window elements (default 1). */
  dilation?: Size2;
  /** Round the output size up: the last window may run past the end (but starts inside the input or its padding). */
  ceilMode?: boolean;
}

/** Options of `avgPool2d`. */
export interface AvgPool2dOptions {
  /** Defaults to the kernel size. */
  stride?: Size2 | null;
  /** Zeros added on each side of both spatial dims (default 0), at most half the kernel size. */
  padding?: Size2;
  /** Round the output size up (the part of a window past the padding never counts). */
  ceilMode?: boolean;
  /** Count the zero padding in each window's average (default true, as PyTorch). */
  countIncludePad?: boolean;
  /** Divide every window's sum by this instead of its size. */
  divisorOverride?: number | null;
}

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

/**
 * 2-D convolution (cross-correlation, as PyTorch): input `[N, Cin, H, W]` (or `[Cin, H, W]`),
 * weight `[Cout, Cin/groups, kh, kw]`, optional bias `[Cout]`.
 * @example cr.conv2d(images, kernels, null, { padding: "same" })
 */
export function conv2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, opts: Conv2dOptions = {}): Tensor {
  return batched("conv2d", input, (x) => {
    const { padding = 0, ...rest } = opts;
    if (padding === "valid") return convolve(x, weight, bias, rest);
    if (padding !== "same") return convolve(x, weight, bias, { ...rest, padding });
    if (pair("conv2d", "stride", rest.stride ?? 1, 1).some((s) => s !== 1)) throw new ArgumentError("conv2d: padding \"same\" is not supported for strided convolutions");
    if (weight.ndim !== 4) throw new ShapeError(`conv2d: weight must be [Cout, Cin/groups, kh, kw], got ${fmt(weight.shape)}`);
    const dil = pair("conv2d", "dilation", rest.dilation ?? 1, 1);
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
    return convolve(padded, weight, bias, { ...rest, padding: [Math.floor(total[0] / 2), Math.floor(total[1] / 2)] });
  });
}

/**
 * Max pooling over `kernelSize` windows (stride defaults to the kernel size); the gradient goes to
 * each window's maximum.
 * @example cr.maxPool2d(x, 2) // halves H and W
 */
export function maxPool2d(input: Tensor, kernelSize: Size2, opts: MaxPool2dOptions = {}): Tensor {
  return maxPool2dWithIndices(input, kernelSize, opts)[0];
}

/**
 * `maxPool2d` and each window's winner as a flat index (iy·W + ix) into its `[H, W]` plane, int32:
 * PyTorch's `max_pool2d(..., return_indices=True)`.
 * @example const [pooled, indices] = cr.maxPool2dWithIndices(x, 2)
 */
export function maxPool2dWithIndices(input: Tensor, kernelSize: Size2, opts: MaxPool2dOptions = {}): [Tensor, Tensor] {
  // Rounding up adds windows past the end: the N-d windows, which pad each side on its own.
  if (opts.ceilMode === true) return maxPoolNd("maxPool2d", 2, input, kernelSize, opts);
  const window = { stride: opts.stride ?? kernelSize, padding: opts.padding ?? 0, dilation: opts.dilation ?? 1 };
  const [values, indices] = maxPoolBatch(asBatch("maxPool2d", input), kernelSize, window);
  return input.ndim === 3 ? [values.squeeze(0), indices.squeeze(0)] : [values, indices];
}

/**
 * Average pooling over `kernelSize` windows (stride defaults to the kernel size). The zero padding
 * counts in the average unless `countIncludePad` is false; `divisorOverride` replaces the divisor.
 * @example cr.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false })
 */
export function avgPool2d(input: Tensor, kernelSize: Size2, opts: AvgPool2dOptions = {}): Tensor {
  if (opts.ceilMode === true) return avgPoolNd("avgPool2d", 2, input, kernelSize, opts);
  const window = { stride: opts.stride ?? kernelSize, padding: opts.padding ?? 0 };
  const [kh, kw] = pair("avgPool2d", "kernelSize", kernelSize, 1);
  return batched("avgPool2d", input, (x) => {
    const avg = averagePool(x, kernelSize, window);
    const div = opts.divisorOverride;
    if (div !== undefined && div !== null) {
      if (!Number.isInteger(div) || div === 0) throw new ArgumentError(`avgPool2d: divisorOverride must be a non-zero integer, got ${div}`);
      return avg.mul((kh * kw) / div);
    }
    if (opts.countIncludePad !== false || pair("avgPool2d", "padding", window.padding, 0).every((p) => p === 0)) return avg;
    // The share of real (unpadded) elements in each window is the average of a padded image of ones.
    const [, , h, w] = x.shape as [number, number, number, number];
    const share = averagePool(ones([1, 1, h, w], { dtype: x.dtype }), kernelSize, window);
    return avg.div(share);
  });
}
