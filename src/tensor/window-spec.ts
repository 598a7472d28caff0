// Sliding windows over any number of spatial dims, for convolution and pooling in 1-D, 2-D and 3-D: argument
// parsing, PyTorch's output-size rules, and the choice of kernel. A 1-D window is run as a 2-D one of height 1, and
// a 2-D one padded evenly by the 2-D kernels (unfold, fold, maxPool2dIndices); the rest by their N-d forms.
import { applyPrimitive } from "../autograd/dispatch.js";
import type { Window2d } from "../backend/backend.js";
import { ArgumentError, ShapeError } from "../errors.js";
import type { WindowNd } from "../ops/params.js";
import { product, windowNdOut } from "../ops/window-nd.js";
import { fmt } from "../shape.js";
import type { Shape } from "../shape.js";
import type { Tensor } from "./tensor.js";

/** A size given as one number for every spatial dim, or one per dim. */
export type SizeN = number | readonly number[];

/** A window's numbers per spatial dim; `padAfter` may differ from `padBefore` (see WindowNd). */
export interface WindowSpec {
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly padBefore: readonly number[];
  readonly padAfter: readonly number[];
  readonly dilation: readonly number[];
}

/** `v` as `dims` integers, each at least `min`; `op` and `name` name it in the error. */
export function tupleOf(op: string, name: string, v: SizeN, dims: number, min: number): number[] {
  const list = typeof v === "number" ? new Array<number>(dims).fill(v) : [...v];
  if (list.length !== dims || list.some((x) => !Number.isInteger(x) || x < min)) {
    throw new ArgumentError(`${op}: ${name} must be an integer >= ${min} or a list of ${dims} of them, got ${JSON.stringify(v)}`);
  }
  return list;
}

/** The windows along each spatial dim of an input of spatial sizes `spatial`. */
export function windowCounts(spatial: readonly number[], spec: WindowSpec): number[] {
  return windowNdOut(spatial, { ...spec, padValue: 0 });
}

/**
 * PyTorch's pooling output size along one dim (pooling_output_shape): with `ceilMode` the last window may run
 * past the end, but must start inside the input or its left padding.
 */
export function poolOut(size: number, kernel: number, stride: number, pad: number, dilation: number, ceilMode: boolean): number {
  const span = size + 2 * pad - dilation * (kernel - 1) - 1;
  let out = Math.floor((span + (ceilMode ? stride - 1 : 0)) / stride) + 1;
  if (ceilMode && (out - 1) * stride >= size + pad) out--;
  return out;
}

/**
 * The padding after the input that makes exactly `out` windows fit (the least that does): pooling's ceilMode
 * windows, and a transposed convolution's output size, as a WindowSpec.
 */
export function padAfterFor(size: number, out: number, kernel: number, stride: number, padBefore: number, dilation: number): number {
  return (out - 1) * stride + dilation * (kernel - 1) + 1 - size - padBefore;
}

/** The 2-D kernels' window for `spec` over `spatial` (two dims), where padding the end as much as the start gives the same windows. */
function as2d(spatial: readonly number[], spec: WindowSpec, padValue: number): Window2d | null {
  if (spec.kernel.length !== 2) return null;
  const even: WindowSpec = { ...spec, padAfter: spec.padBefore };
  const a = windowCounts(spatial, spec), b = windowCounts(spatial, even);
  if (a[0] !== b[0] || a[1] !== b[1]) return null;
  const two = (v: readonly number[]) => [v[0]!, v[1]!] as const;
  return { kernel: two(spec.kernel), stride: two(spec.stride), padding: two(spec.padBefore), dilation: two(spec.dilation), padValue };
}

// A 1-D window as a 2-D one over a height of 1.
function lift(spec: WindowSpec): WindowSpec {
  return {
    kernel: [1, spec.kernel[0]!], stride: [1, spec.stride[0]!], padBefore: [0, spec.padBefore[0]!],
    padAfter: [0, spec.padAfter[0]!], dilation: [1, spec.dilation[0]!],
  };
}

const windowOf = (spec: WindowSpec, padValue: number): WindowNd => ({ ...spec, padValue });

/**
 * The sliding windows of `x` (`[N, C, ...spatial]`) as columns: `[N, C·∏kernel, ∏out]`, padding read as
 * `padValue` (differentiable: the gradient sums each column back where it came from).
 */
export function slidingWindows(x: Tensor, spec: WindowSpec, padValue = 0): Tensor {
  const [n, c] = x.shape as [number, number];
  if (spec.kernel.length === 1) {
    return slidingWindows(x.reshape([n, c, 1, x.shape[2]!]), lift(spec), padValue);
  }
  const spatial = x.shape.slice(2);
  const outs = windowCounts(spatial, spec);
  const outShape = [n, c * product(spec.kernel), product(outs)];
  const w2 = as2d(spatial, spec, padValue);
  if (w2 !== null) return applyPrimitive("unfold", [x], { window: w2, outShape, inShape: x.shape });
  return applyPrimitive("unfoldNd", [x], { window: windowOf(spec, padValue), outShape, inShape: x.shape });
}

/** The adjoint of `slidingWindows`: columns `[N, C·∏kernel, L]` summed back into `[N, C, ...spatial]`. */
export function foldWindows(cols: Tensor, spec: WindowSpec, spatial: readonly number[]): Tensor {
  const [n, ck] = cols.shape as [number, number];
  const c = ck / product(spec.kernel);
  if (spec.kernel.length === 1) {
    return foldWindows(cols, lift(spec), [1, spatial[0]!]).reshape([n, c, spatial[0]!]);
  }
  const outShape = [n, c, ...spatial];
  const w2 = as2d(spatial, spec, 0);
  if (w2 !== null) return applyPrimitive("fold", [cols], { window: w2, outShape, inShape: cols.shape });
  return applyPrimitive("foldNd", [cols], { window: windowOf(spec, 0), outShape, inShape: cols.shape });
}

/**
 * Each window's largest element of `x` (`[N, C, ...spatial]`) as a flat index into its `spatial` plane (int32
 * `[N, C, ...out]`): the first in window order, or the last NaN, as PyTorch's max pooling. Padding never wins.
 */
export function poolWinners(x: Tensor, spec: WindowSpec): Tensor {
  const [n, c] = x.shape as [number, number];
  const spatial = x.shape.slice(2);
  const outs = windowCounts(spatial, spec);
  if (spec.kernel.length === 1) {
    return poolWinners(x.reshape([n, c, 1, spatial[0]!]), lift(spec)).reshape([n, c, outs[0]!]);
  }
  const outShape = [n, c, ...outs];
  const w2 = as2d(spatial, spec, -Infinity);
  if (w2 !== null) return applyPrimitive("maxPool2dIndices", [x], { window: w2, outShape });
  return applyPrimitive("maxPoolNdIndices", [x], { window: windowOf(spec, -Infinity), outShape });
}

/**
 * A dilated window can skip over a small input entirely (kernel 2, dilation 3, padding 1 on 2 elements): it has no
 * maximum. PyTorch returns -inf and an index outside the input; this says so instead.
 */
export function checkNoEmptyWindow(op: string, shape: Shape, spec: WindowSpec): void {
  const spatial = shape.slice(2);
  const outs = windowCounts(spatial, spec);
  spatial.forEach((size, d) => {
    for (let o = 0; o < outs[d]!; o++) {
      const start = o * spec.stride[d]! - spec.padBefore[d]!;
      if (!Array.from({ length: spec.kernel[d]! }, (_, k) => start + k * spec.dilation[d]!).some((i) => i >= 0 && i < size)) {
        throw new ArgumentError(
          `${op}: window ${o} along spatial dim ${d} covers only padding (kernel ${fmt(spec.kernel)}, dilation ${fmt(spec.dilation)}, padding ${fmt(spec.padBefore)} on ${fmt(shape)}), so it has no maximum`,
        );
      }
    }
  });
}

/**
 * `x` as `[N, C, ...spatial]` with `dims` spatial dims: itself, or an unbatched `[C, ...spatial]` with a batch dim
 * of 1 added; `fn`'s result loses that dim again.
 */
export function withBatch(op: string, x: Tensor, dims: number, fn: (batched: Tensor) => Tensor): Tensor {
  if (x.ndim === dims + 1) return fn(x.unsqueeze(0)).squeeze(0);
  if (x.ndim !== dims + 2) {
    const names = ["L", "H, W", "D, H, W"][dims - 1] ?? `${dims} spatial dims`;
    throw new ShapeError(`${op}: expected input [N, C, ${names}] or [C, ${names}], got ${fmt(x.shape)}`);
  }
  return fn(x);
}
