// Sliding-window primitives over any number of spatial dims as ONNX nodes, one primitive at a time: im2col
// (unfold, unfoldNd) as a grouped convolution with one-hot kernels, col2im (fold, foldNd) as the matching
// transposed convolution, and max pooling's winners (maxPoolNdIndices) as MaxPool's indices. Each is exact:
// a one-hot kernel multiplies by 1 and adds zeros. Windows padded unevenly (ceil-mode pooling, "same"
// convolution with an even kernel) keep their per-side padding in ONNX's begin/end `pads`.
import type { Window2d, WindowNd } from "../ops/params.js";
import { product, windowNdOut } from "../ops/window-nd.js";
import type { Shape } from "../shape.js";
import type { Tensor } from "../tensor/tensor.js";
import type { GraphBuilder } from "./builder.js";
import { attr, OnnxExportError } from "./builder.js";
import { ONNX_DTYPE } from "./model.js";

/** A 2-D window (even padding) as an N-d one. */
export function asWindowNd(w: Window2d | WindowNd): WindowNd {
  return "padding" in w ? { kernel: w.kernel, stride: w.stride, padBefore: w.padding, padAfter: w.padding, dilation: w.dilation, padValue: w.padValue } : w;
}

/** Conv/ConvTranspose/MaxPool's window attributes; `pads` lists every dim's begin, then every dim's end. */
export function windowNdAttrs(w: WindowNd, withPads = true) {
  return [
    attr.ints("kernel_shape", w.kernel),
    attr.ints("strides", w.stride),
    ...(withPads ? [attr.ints("pads", [...w.padBefore, ...w.padAfter])] : []),
    attr.ints("dilations", w.dilation),
  ];
}

function checkBatched(op: string, shape: Shape, w: WindowNd): void {
  if (shape.length !== w.kernel.length + 2) {
    throw new OnnxExportError(`onnx.export: ${op} is mapped for [N, C, ...spatial] inputs with ${w.kernel.length} spatial dims, got [${shape.join(", ")}]`);
  }
}

// One-hot kernels [C·K, 1, ...kernel]: channel c·K + j picks kernel position j of input channel c (unfold's order).
function oneHot(b: GraphBuilder, input: Tensor, channels: number, w: WindowNd): string {
  const k = product(w.kernel);
  const weight = new Array<number>(channels * k * k).fill(0);
  for (let o = 0; o < channels * k; o++) weight[o * k + (o % k)] = 1;
  return b.constant(input.dtype, [channels * k, 1, ...w.kernel], weight);
}

/** unfold/unfoldNd: `[N, C, ...spatial]` → columns `[N, C·∏kernel, L]`. */
export function lowerUnfold(op: string, b: GraphBuilder, x: string, input: Tensor, window: Window2d | WindowNd): string {
  const w = asWindowNd(window);
  checkBatched(op, input.shape, w);
  if (w.padValue !== 0) throw new OnnxExportError(`onnx.export: ${op} padded with ${w.padValue} has no mapping (only 0)`);
  if (w.padAfter.some((p) => p < 0)) throw new OnnxExportError(`onnx.export: ${op} with negative padding [${w.padAfter.join(", ")}] has no mapping`);
  const c = input.shape[1]!;
  const cols = b.op("Conv", [x, oneHot(b, input, c, w)], [...windowNdAttrs(w), attr.int("group", c)]);
  return b.op("Reshape", [cols, b.ints([0, c * product(w.kernel), -1])]);
}

/**
 * fold/foldNd: columns `[N, C·∏kernel, L]` summed back into `outShape` `[N, C, ...spatial]`. The transposed
 * one-hot convolution writes the whole padded plane the windows cover; the part inside the padding is cut out
 * (and zeros added where the windows stop short of the end).
 */
export function lowerFold(op: string, b: GraphBuilder, x: string, cols: Tensor, window: Window2d | WindowNd, outShape: Shape): string {
  const w = asWindowNd(window);
  checkBatched(op, outShape, w);
  const c = outShape[1]!;
  const spatial = outShape.slice(2);
  const outs = windowNdOut(spatial, w);
  const grid = b.op("Reshape", [x, b.ints([0, c * product(w.kernel), ...outs])]);
  const full = b.op("ConvTranspose", [grid, oneHot(b, cols, c, w)], [...windowNdAttrs(w, false), attr.int("group", c)]);
  const covered = outs.map((o, d) => (o - 1) * w.stride[d]! + w.dilation[d]! * (w.kernel[d]! - 1) + 1);
  const short = spatial.map((s, d) => Math.max(0, w.padBefore[d]! + s - covered[d]!));
  const padded = short.some((s) => s > 0) ? b.op("Pad", [full, b.ints([0, 0, ...spatial.map(() => 0), 0, 0, ...short])]) : full;
  const axes = spatial.map((_, d) => d + 2);
  return b.op("Slice", [padded, b.ints([...w.padBefore]), b.ints(spatial.map((s, d) => w.padBefore[d]! + s)), b.ints(axes)]);
}

/**
 * Max pooling's winners as flat positions within each spatial plane (int32): MaxPool's indices, which ONNX
 * counts over the whole tensor, modulo the plane's size. MaxPool pads with -Infinity, so padding never wins.
 */
export function lowerMaxPoolIndices(op: string, b: GraphBuilder, x: string, input: Tensor, window: WindowNd): string {
  checkBatched(op, input.shape, window);
  const [, indices] = b.node("MaxPool", [x], maxPoolAttrs(window), 2);
  const plane = b.op("Mod", [indices!, b.scalar(product(input.shape.slice(2)), "int64")]);
  return b.op("Cast", [plane], [attr.int("to", ONNX_DTYPE.int32)]);
}

/** MaxPool's attributes for a window whose per-side padding decides the output size (ceil_mode off). */
export function maxPoolAttrs(w: WindowNd) {
  return [...windowNdAttrs(w), attr.int("ceil_mode", 0)];
}
