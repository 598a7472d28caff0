// The cpu backend's loss kernels: nllLoss and its adjoint, one pass over the targets each, in double precision.
import type { ComputeDType as DType, TypedArray } from "../../dtype.js";
import { IndexError } from "../../errors.js";
import { sizeOf } from "../../shape.js";
import type { Shape } from "../../shape.js";
import type { LossReduction } from "../backend.js";
import { allocOut } from "./buffer-pool.js";

// Where target j's class dim lies in a [N, C, d1, …] (or [C]) input: element (n, c, r) is at base(j) + c·inner.
export interface Layout {
  readonly classes: number;
  readonly inner: number;
}

/** @internal The class count and inner size of an nllLoss input (the wasm backend's kernels take them too). */
export function layoutOf(shape: Shape): Layout {
  return shape.length === 1 ? { classes: shape[0]!, inner: 1 } : { classes: shape[1]!, inner: sizeOf(shape.slice(2)) };
}

const baseOf = (j: number, { classes, inner }: Layout) => (j - (j % inner)) * classes + (j % inner);

/** @internal nllLoss's error for a target outside [0, classes), on every backend. */
export function targetOutOfBounds(op: string, target: number, classes: number): IndexError {
  return new IndexError(`${op}: target ${target} is out of bounds for ${classes} classes`);
}

// The targets that count, each checked against the class count.
function countTargets(op: string, target: Int32Array, classes: number, ignoreIndex: number): number {
  let count = 0;
  for (let j = 0; j < target.length; j++) {
    const t = target[j]!;
    if (t === ignoreIndex) continue;
    if (t < 0 || t >= classes) throw targetOutOfBounds(op, t, classes);
    count++;
  }
  return count;
}

export function nllLoss(logp: TypedArray, shape: Shape, target: Int32Array, ignoreIndex: number, reduction: LossReduction, dtype: DType): TypedArray {
  const layout = layoutOf(shape);
  const count = countTargets("nllLoss", target, layout.classes, ignoreIndex);
  if (reduction === "none") {
    const out = allocOut(dtype, target.length);
    for (let j = 0; j < target.length; j++) {
      const t = target[j]!;
      if (t !== ignoreIndex) out[j] = -logp[baseOf(j, layout) + t * layout.inner]!;
    }
    return out;
  }
  let total = 0;
  for (let j = 0; j < target.length; j++) {
    const t = target[j]!;
    if (t !== ignoreIndex) total -= logp[baseOf(j, layout) + t * layout.inner]!;
  }
  const out = allocOut(dtype, 1, "any");
  out[0] = reduction === "sum" ? total : total / count; // no target counting: 0/0, NaN as in PyTorch
  return out;
}

export function nllLossBackward(
  g: TypedArray, target: Int32Array, inShape: Shape, ignoreIndex: number, reduction: LossReduction, dtype: DType,
): TypedArray {
  const layout = layoutOf(inShape);
  const count = countTargets("nllLossBackward", target, layout.classes, ignoreIndex);
  const out = allocOut(dtype, sizeOf(inShape));
  const scalar = reduction === "none" ? 0 : reduction === "sum" ? -g[0]! : -g[0]! / count;
  for (let j = 0; j < target.length; j++) {
    const t = target[j]!;
    if (t !== ignoreIndex) out[baseOf(j, layout) + t * layout.inner] = reduction === "none" ? -g[j]! : scalar;
  }
  return out;
}
