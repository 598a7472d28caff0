// Convolutions in 1-D and 3-D, and transposed convolutions in 1-D, 2-D and 3-D: the sliding windows of
// window-spec.ts (im2col) times the weight as one matrix product, so every gradient comes from theirs. A transposed
// convolution is a convolution's gradient with respect to its input: the weight's product, then col2im.
import { applyPrimitive } from "../autograd/dispatch.js";
import { requireFloating } from "../dtype.js";
import { ArgumentError, DTypeError, ShapeError } from "../errors.js";
import { product } from "../ops/window-nd.js";
import { fmt } from "../shape.js";
import { checkTensor } from "./elementwise.js";
import type { Tensor } from "./tensor.js";
import { foldWindows, slidingWindows, tupleOf, windowCounts, withBatch } from "./window-spec.js";
import type { SizeN, WindowSpec } from "./window-spec.js";

/** Options of `conv1d` and `conv3d`, as PyTorch's keyword arguments (one number, or one per spatial dim). */
export interface ConvNdOptions {
  /** The step between windows (default 1). */
  stride?: SizeN;
  /** Zeros added on each side, or "valid" (none) or "same" (output size = input size; stride 1 only). */
  padding?: SizeN | "same" | "valid";
  /** The spacing between kernel elements (default 1). */
  dilation?: SizeN;
  /** Split the channels into this many independent groups (default 1). */
  groups?: number;
}

/** Options of the transposed convolutions, as PyTorch's keyword arguments. */
export interface ConvTransposeOptions {
  /** The step between windows (default 1). */
  stride?: SizeN;
  /** Removed from each side of the full output (`dilation·(kernel−1) − padding` zeros pad the input). */
  padding?: SizeN;
  /** Added to one side of the output, to pick among the output sizes a strided convolution maps to one input size. */
  outputPadding?: SizeN;
  /** Blocked connections: input and output channels split into this many groups (default 1). */
  groups?: number;
  /** The spacing between kernel elements (default 1). */
  dilation?: SizeN;
}

const SPATIAL = ["", "L", "H, W", "D, H, W"];

function checkOperands(op: string, x: Tensor, weight: Tensor, bias: Tensor | null, dims: number): void {
  checkTensor(op, x);
  checkTensor(op, weight);
  requireFloating(op, x.dtype);
  if (weight.dtype !== x.dtype) throw new DTypeError(`${op}: input is ${x.dtype} and weight is ${weight.dtype}; convert one with .to() so they match`);
  if (bias !== null) {
    checkTensor(op, bias);
    if (bias.dtype !== x.dtype) throw new DTypeError(`${op}: input is ${x.dtype} and bias is ${bias.dtype}; convert one with .to() so they match`);
  }
  if (weight.ndim !== dims + 2) throw new ShapeError(`${op}: weight must have ${dims + 2} dims (channels, channels, ${SPATIAL[dims]}), got ${fmt(weight.shape)}`);
}

function checkGroups(op: string, groups: number): number {
  if (!Number.isInteger(groups) || groups < 1) throw new ArgumentError(`${op}: groups must be a positive integer, got ${groups}`);
  return groups;
}

/** The convolution's padding per side: numbers, "valid", or "same" (any odd total's extra element at the end, as PyTorch). */
function convPadding(op: string, padding: SizeN | "same" | "valid", kernel: readonly number[], stride: readonly number[], dilation: readonly number[]): [number[], number[]] {
  const dims = kernel.length;
  if (padding === "valid") return [new Array<number>(dims).fill(0), new Array<number>(dims).fill(0)];
  if (padding === "same") {
    if (stride.some((s) => s !== 1)) throw new ArgumentError(`${op}: padding "same" is not supported for strided convolutions`);
    const total = kernel.map((k, d) => dilation[d]! * (k - 1));
    const before = total.map((t) => Math.floor(t / 2));
    return [before, total.map((t, d) => t - before[d]!)];
  }
  if (typeof padding === "string") throw new ArgumentError(`${op}: padding must be a size, "same" or "valid", got ${JSON.stringify(padding)}`);
  const p = tupleOf(op, "padding", padding, dims, 0);
  return [p, p];
}

/**
 * Convolution (cross-correlation, as PyTorch) of `x` `[N, Cin, ...spatial]` (or unbatched) with `weight`
 * `[Cout, Cin/groups, ...kernel]` over `dims` spatial dims.
 */
export function convNd(op: string, dims: number, input: Tensor, weight: Tensor, bias: Tensor | null, opts: ConvNdOptions): Tensor {
  checkOperands(op, input, weight, bias, dims);
  const groups = checkGroups(op, opts.groups ?? 1);
  const [cout, cinG] = weight.shape as [number, number];
  const kernel = weight.shape.slice(2);
  const stride = tupleOf(op, "stride", opts.stride ?? 1, dims, 1);
  const dilation = tupleOf(op, "dilation", opts.dilation ?? 1, dims, 1);
  const [padBefore, padAfter] = convPadding(op, opts.padding ?? 0, kernel, stride, dilation);
  if (cout % groups !== 0) throw new ArgumentError(`${op}: groups ${groups} must divide the ${cout} output channels`);
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== cout)) throw new ShapeError(`${op}: bias must be [${cout}], got ${fmt(bias.shape)}`);
  return withBatch(op, input, dims, (x) => {
    if (x.shape[1] !== cinG * groups) {
      throw new ShapeError(`${op}: input ${fmt(input.shape)} must have ${cinG * groups} channels for weight ${fmt(weight.shape)} with groups ${groups}`);
    }
    const spec: WindowSpec = { kernel, stride, padBefore, padAfter, dilation };
    const spatial = x.shape.slice(2);
    const outs = windowCounts(spatial, spec);
    if (outs.some((o) => o <= 0)) {
      throw new ShapeError(`${op}: the kernel ${fmt(kernel)} (dilation ${fmt(dilation)}) is larger than the padded input ${fmt(spatial.map((s, d) => s + padBefore[d]! + padAfter[d]!))}`);
    }
    const n = x.shape[0]!, k = product(kernel), l = product(outs);
    const cols = slidingWindows(x, spec); // [N, Cin·K, L]
    const out = groups === 1
      ? weight.reshape([cout, cinG * k]).matmul(cols)
      // Each group convolves its own slice of channels: [G, Cout/G, Cin/G·K] with [N, G, Cin/G·K, L].
      : weight.reshape([groups, cout / groups, cinG * k]).matmul(cols.reshape([n, groups, cinG * k, l]));
    const shaped = out.reshape([n, cout, ...outs]);
    return bias === null ? shaped : shaped.add(bias.reshape([1, cout, ...new Array<number>(dims).fill(1)]));
  });
}

/**
 * Transposed convolution of `x` `[N, Cin, ...spatial]` (or unbatched) with `weight` `[Cin, Cout/groups, ...kernel]`
 * over `dims` spatial dims: the gradient of a convolution with respect to its input.
 */
export function convTransposeNd(op: string, dims: number, input: Tensor, weight: Tensor, bias: Tensor | null, opts: ConvTransposeOptions): Tensor {
  checkOperands(op, input, weight, bias, dims);
  const groups = checkGroups(op, opts.groups ?? 1);
  const [cin, coutG] = weight.shape as [number, number];
  const kernel = weight.shape.slice(2);
  const stride = tupleOf(op, "stride", opts.stride ?? 1, dims, 1);
  const padding = tupleOf(op, "padding", opts.padding ?? 0, dims, 0);
  const outputPadding = tupleOf(op, "outputPadding", opts.outputPadding ?? 0, dims, 0);
  const dilation = tupleOf(op, "dilation", opts.dilation ?? 1, dims, 1);
  outputPadding.forEach((p, d) => {
    if (p >= stride[d]! && p >= dilation[d]!) {
      throw new ArgumentError(`${op}: outputPadding ${fmt(outputPadding)} must be smaller than either the stride ${fmt(stride)} or the dilation ${fmt(dilation)} in every dim`);
    }
  });
  if (cin % groups !== 0) throw new ArgumentError(`${op}: groups ${groups} must divide the ${cin} input channels`);
  const cout = coutG * groups;
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== cout)) throw new ShapeError(`${op}: bias must be [${cout}], got ${fmt(bias.shape)}`);
  return withBatch(op, input, dims, (x) => {
    if (x.shape[1] !== cin) throw new ShapeError(`${op}: input ${fmt(input.shape)} must have ${cin} channels for weight ${fmt(weight.shape)}`);
    const spatial = x.shape.slice(2);
    const outs = spatial.map((s, d) => (s - 1) * stride[d]! - 2 * padding[d]! + dilation[d]! * (kernel[d]! - 1) + outputPadding[d]! + 1);
    if (outs.some((o) => o <= 0)) throw new ShapeError(`${op}: the output size ${fmt(outs)} for input ${fmt(input.shape)} is not positive`);
    const n = x.shape[0]!, k = product(kernel), l = product(spatial), cinG = cin / groups;
    // Columns [N, Cout·K, L]: each input position's contribution to the window around it, Wᵀ·x per group
    // (the weight read transposed in place).
    const cols = groups === 1
      ? applyPrimitive("matmul", [weight.reshape([cin, coutG * k]), x.reshape([n, cin, l])], { transA: true, transB: false })
      : applyPrimitive("matmul", [weight.reshape([groups, cinG, coutG * k]), x.reshape([n, groups, cinG, l])], { transA: true, transB: false });
    // The output's windows are the input's positions: padding `padding` before, and `outputPadding` less after.
    const spec: WindowSpec = { kernel, stride, padBefore: padding, padAfter: padding.map((p, d) => p - outputPadding[d]!), dilation };
    const out = foldWindows(cols.reshape([n, cout * k, l]), spec, outs);
    return bias === null ? out : out.add(bias.reshape([1, cout, ...new Array<number>(dims).fill(1)]));
  });
}

/**
 * 1-D convolution: input `[N, Cin, L]` (or `[Cin, L]`), weight `[Cout, Cin/groups, k]`, optional bias `[Cout]`.
 * @example cr.conv1d(signal, kernels, null, { padding: 1 })
 */
export function conv1d(input: Tensor, weight: Tensor, bias: Tensor | null = null, opts: ConvNdOptions = {}): Tensor {
  return convNd("conv1d", 1, input, weight, bias, opts);
}

/**
 * 3-D convolution: input `[N, Cin, D, H, W]` (or `[Cin, D, H, W]`), weight `[Cout, Cin/groups, kd, kh, kw]`.
 * @example cr.conv3d(volumes, kernels, bias, { stride: 2, padding: 1 })
 */
export function conv3d(input: Tensor, weight: Tensor, bias: Tensor | null = null, opts: ConvNdOptions = {}): Tensor {
  return convNd("conv3d", 3, input, weight, bias, opts);
}

/**
 * 1-D transposed convolution ("deconvolution"): input `[N, Cin, L]`, weight `[Cin, Cout/groups, k]`.
 * @example cr.convTranspose1d(x, w, null, { stride: 2 }) // about doubles L
 */
export function convTranspose1d(input: Tensor, weight: Tensor, bias: Tensor | null = null, opts: ConvTransposeOptions = {}): Tensor {
  return convTransposeNd("convTranspose1d", 1, input, weight, bias, opts);
}

/**
 * 2-D transposed convolution: input `[N, Cin, H, W]` (or `[Cin, H, W]`), weight `[Cin, Cout/groups, kh, kw]`.
 * @example cr.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }) // doubles H and W for k = 3
 */
export function convTranspose2d(input: Tensor, weight: Tensor, bias: Tensor | null = null, opts: ConvTransposeOptions = {}): Tensor {
  return convTransposeNd("convTranspose2d", 2, input, weight, bias, opts);
}

/**
 * 3-D transposed convolution: input `[N, Cin, D, H, W]`, weight `[Cin, Cout/groups, kd, kh, kw]`.
 * @example cr.convTranspose3d(x, w, null, { stride: 2 })
 */
export function convTranspose3d(input: Tensor, weight: Tensor, bias: Tensor | null = null, opts: ConvTransposeOptions = {}): Tensor {
  return convTransposeNd("convTranspose3d", 3, input, weight, bias, opts);
}
