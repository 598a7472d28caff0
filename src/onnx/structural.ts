// The structural primitives (products, reductions, movement, indexing, windows) as ONNX nodes. Shapes that
// depend on the batch size are found by comparing the op's parameters in two traces at different batch sizes,
// and written so the graph takes any batch size (-1 in a Reshape, 1 in an Expand, a Slice leaving the axis).
import type { Primitive, PrimitiveParams } from "../autograd/primitives.js";
import type { DType } from "../dtype.js";
import type { Shape } from "../shape.js";
import type { Tensor } from "../tensor/tensor.js";
import type { GraphBuilder} from "./builder.js";
import { attr, OnnxExportError } from "./builder.js";
import { emitProgram } from "./elementwise.js";
import { ONNX_DTYPE } from "./model.js";
import { lowerFold, lowerMaxPoolIndices, lowerUnfold } from "./windows.js";

/** What a primitive's mapping sees: its operands' names and tensors, its result, and the second trace's view of it. */
export interface LowerContext<P> {
  readonly b: GraphBuilder;
  readonly x: readonly string[];
  readonly inputs: readonly Tensor[];
  readonly out: Tensor;
  readonly params: P;
  /** The same op's parameters and shapes in the trace at the other batch size. */
  readonly other: { readonly params: P; readonly inShapes: readonly Shape[]; readonly outShape: Shape };
  readonly opset: number;
}

type Lowering<P> = (c: LowerContext<P>) => string;
type Lowerings = { [K in Primitive]?: Lowering<PrimitiveParams[K]> };

const cast = (b: GraphBuilder, x: string, to: DType): string => b.op("Cast", [x], [attr.int("to", ONNX_DTYPE[to])]);

// Opset 18 moved every reduction's axes from an attribute to an input (ReduceSum already in 13).
function reduce(c: LowerContext<unknown>, opType: string, x: string, axes: readonly number[], keepdim: boolean): string {
  const keep = attr.int("keepdims", keepdim ? 1 : 0);
  if (axes.length === 0) return c.b.op("Identity", [x]);
  if (opType === "ReduceSum" || c.opset >= 18) return c.b.op(opType, [x, c.b.ints(axes)], [keep]);
  return c.b.op(opType, [x], [attr.ints("axes", axes), keep]);
}

function varying(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) out.push(i);
  return out;
}

const swapLast = (ndim: number): number[] => [...Array.from({ length: ndim - 2 }, (_, i) => i), ndim - 1, ndim - 2];

function windowAttrs(w: { kernel: readonly number[]; stride: readonly number[]; padding: readonly number[]; dilation: readonly number[] }) {
  return [
    attr.ints("kernel_shape", w.kernel),
    attr.ints("strides", w.stride),
    attr.ints("pads", [...w.padding, ...w.padding]),
    attr.ints("dilations", w.dilation),
  ];
}

function check4d(op: string, shape: Shape): void {
  if (shape.length !== 4) throw new OnnxExportError(`onnx.export: ${op} is mapped for [N, C, H, W] inputs, got [${shape.join(", ")}]`);
}

/** The mapped primitives. */
export const LOWERINGS: Lowerings = {
  elementwise: ({ b, x, inputs, params }) => emitProgram(b, params.program, x, inputs.map((t) => t.dtype), params.dtype),

  sum: (c) => {
    const x = c.params.dtype === c.inputs[0]!.dtype ? c.x[0]! : cast(c.b, c.x[0]!, c.params.dtype);
    return reduce(c, "ReduceSum", x, c.params.axes, c.params.keepdim);
  },
  amax: (c) => reduce(c, "ReduceMax", c.x[0]!, c.params.axes, c.params.keepdim),
  amin: (c) => reduce(c, "ReduceMin", c.x[0]!, c.params.axes, c.params.keepdim),
  argmax: ({ b, x, params }) => cast(b, b.op("ArgMax", [x[0]!], [attr.int("axis", params.axis), attr.int("keepdims", params.keepdim ? 1 : 0)]), "int32"),
  argmin: ({ b, x, params }) => cast(b, b.op("ArgMin", [x[0]!], [attr.int("axis", params.axis), attr.int("keepdims", params.keepdim ? 1 : 0)]), "int32"),
  logSoftmax: ({ b, x, params }) => b.op("LogSoftmax", [x[0]!], [attr.int("axis", params.axis)]),

  matmul: ({ b, x, inputs, params }) => {
    if (params.sumBatch === true) throw new OnnxExportError("onnx.export: no ONNX mapping for a batch-summed matmul (it appears only in gradients)");
    const a = params.transA ? b.op("Transpose", [x[0]!], [attr.ints("perm", swapLast(inputs[0]!.ndim))]) : x[0]!;
    const m = params.transB ? b.op("Transpose", [x[1]!], [attr.ints("perm", swapLast(inputs[1]!.ndim))]) : x[1]!;
    return b.op("MatMul", [a, m]);
  },
  // addmm(bias, a, b) = bias + op(a)·op(b): Gemm's C + A·B on matrices.
  addmm: ({ b, x, params }) =>
    b.op("Gemm", [x[1]!, x[2]!, x[0]!], [attr.int("transA", params.transA ? 1 : 0), attr.int("transB", params.transB ? 1 : 0)]),

  reshape: ({ b, x, params, other }) => {
    const dyn = varying(params.shape, other.params.shape);
    if (dyn.length > 1) {
      throw new OnnxExportError(`onnx.export: reshape to [${params.shape.join(", ")}] has ${dyn.length} dims that change with the dynamic axes (${dyn.join(", ")}); ONNX's Reshape infers one: make fewer axes dynamic`);
    }
    const shape = params.shape.map((d, i) => (dyn.includes(i) ? -1 : d));
    return b.op("Reshape", [x[0]!, b.ints(shape)]);
  },
  permute: ({ b, x, params }) => b.op("Transpose", [x[0]!], [attr.ints("perm", params.perm)]),
  expand: ({ b, x, inputs, params, other }) => {
    const inShape = inputs[0]!.shape;
    const lead = params.shape.length - inShape.length;
    const shape = params.shape.map((d, i) => {
      if (d === other.params.shape[i]) return d;
      const j = i - lead;
      // Expand broadcasts: a 1 keeps the input's own (dynamic) size; a size-1 input dim can't follow the batch.
      if (j >= 0 && inShape[j] !== other.inShapes[0]![j]) return 1;
      throw new OnnxExportError(`onnx.export: expand of [${inShape.join(", ")}] to [${params.shape.join(", ")}] grows dim ${i} to a size that depends on the dynamic axes; no mapping`);
    });
    return b.op("Expand", [x[0]!, b.ints(shape)]);
  },
  slice: ({ b, x, params, other }) => {
    const { starts, steps, outShape, inShape } = params;
    const axes: number[] = [], begin: number[] = [], end: number[] = [], step: number[] = [];
    for (let i = 0; i < inShape.length; i++) {
      const whole = starts[i] === 0 && steps[i] === 1 && outShape[i] === inShape[i];
      if (whole && other.params.outShape[i] === other.params.inShape[i]) continue;
      if (inShape[i] !== other.params.inShape[i]) {
        throw new OnnxExportError(`onnx.export: slice of [${inShape.join(", ")}] cuts dim ${i}, which changes with the dynamic axes; no mapping`);
      }
      const e = starts[i]! + outShape[i]! * steps[i]!;
      axes.push(i); begin.push(starts[i]!); step.push(steps[i]!);
      // Going backwards past the first element: an end before it (ONNX clamps it).
      end.push(steps[i]! < 0 && e < 0 ? Number.MIN_SAFE_INTEGER : e);
    }
    if (axes.length === 0) return b.op("Identity", [x[0]!]);
    return b.op("Slice", [x[0]!, b.ints(begin), b.ints(end), b.ints(axes), b.ints(step)]);
  },
  cat: ({ b, x, params }) => b.op("Concat", [...x], [attr.int("axis", params.axis)]),
  indexSelect: ({ b, x, params }) => b.op("Gather", [x[0]!, x[1]!], [attr.int("axis", params.dim)]),
  gather: ({ b, x, params }) => b.op("GatherElements", [x[0]!, x[1]!], [attr.int("axis", params.dim)]),

  // im2col as a grouped convolution with one-hot kernels, col2im as the transposed one (./windows.ts).
  unfold: ({ b, x, inputs, params }) => lowerUnfold("unfold", b, x[0]!, inputs[0]!, params.window),
  unfoldNd: ({ b, x, inputs, params }) => lowerUnfold("unfoldNd", b, x[0]!, inputs[0]!, params.window),
  fold: ({ b, x, inputs, params }) => lowerFold("fold", b, x[0]!, inputs[0]!, params.window, params.outShape),
  foldNd: ({ b, x, inputs, params }) => lowerFold("foldNd", b, x[0]!, inputs[0]!, params.window, params.outShape),
  maxPoolNdIndices: ({ b, x, inputs, params }) => lowerMaxPoolIndices("maxPoolNdIndices", b, x[0]!, inputs[0]!, params.window),
  // Max pooling's winners, as positions within each [H, W] plane: MaxPool's indices (flat over the whole
  // tensor in ONNX) modulo H·W.
  maxPool2dIndices: ({ b, x, inputs, params }) => {
    const { window, outShape } = params;
    const shape = inputs[0]!.shape;
    check4d("maxPool2d", shape);
    const floorSize = (d: number) => Math.floor((shape[d + 2]! + 2 * window.padding[d]! - window.dilation[d]! * (window.kernel[d]! - 1) - 1) / window.stride[d]!) + 1;
    const ceil = outShape[2] !== floorSize(0) || outShape[3] !== floorSize(1) ? 1 : 0;
    const [, indices] = b.node("MaxPool", [x[0]!], [...windowAttrs(window), attr.int("ceil_mode", ceil)], 2);
    const plane = b.op("Mod", [indices!, b.scalar(shape[2]! * shape[3]!, "int64")]);
    return cast(b, plane, "int32");
  },
};
