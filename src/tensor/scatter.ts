// Scattering values along a dim: scatter (written; of a src tensor or a value), scatter with `reduce`,
// scatterReduce (sum, prod, mean, amax, amin, with or without the base's own values), and the whole-slice forms
// indexCopy and indexFill. All are one primitive, scatterReduce, with PyTorch's derivatives.
import { applyPrimitive } from "../autograd/dispatch.js";
import { ArgumentError, DTypeError, IndexError, ShapeError } from "../errors.js";
import type { ScatterOp } from "../ops/params.js";
import { fmt, normalizeDim } from "../shape.js";
import { asTensor, checkTensor, where } from "./elementwise.js";
import { expand, reshape, slice } from "./movement.js";
import { Tensor } from "./tensor.js";
import { asIndexTensor } from "./index-dtype.js";

/** A reduction of `scatterReduce`. */
export type ScatterReduction = "sum" | "prod" | "mean" | "amax" | "amin";

function checkIndex(op: string, index: Tensor): Tensor {
  checkTensor(op, index);
  return asIndexTensor(op, index);
}

/**
 * The checks PyTorch makes of a scatter (same number of dims; the index no larger than the base outside `dim` nor
 * than src anywhere), then `src` cut to the index's shape, the part the scatter reads.
 */
function prepare(op: string, x: Tensor, dim: number, index: Tensor, src: Tensor | number): { d: number; base: Tensor; index: Tensor; src: Tensor } {
  checkTensor(op, x);
  index = checkIndex(op, index);
  const zeroDim = x.ndim === 0;
  const base = zeroDim ? reshape(x, [1]) : x;
  const idx = index.ndim === 0 ? reshape(index, [1]) : index;
  const d = normalizeDim(op, dim, x.ndim);
  if (idx.ndim !== base.ndim) throw new ShapeError(`${op}: index ${fmt(index.shape)} must have as many dims as the input ${fmt(x.shape)}`);
  idx.shape.forEach((s, i) => {
    if (i !== d && s > base.shape[i]!) throw new ShapeError(`${op}: index ${fmt(index.shape)} is larger than the input ${fmt(x.shape)} in dim ${i}`);
  });
  let values: Tensor;
  if (src instanceof Tensor) {
    if (src.dtype !== x.dtype) throw new DTypeError(`${op}: src is ${src.dtype} but the input is ${x.dtype}; convert one with .to() so they match`);
    const s = src.ndim === 0 ? reshape(src, [1]) : src;
    if (s.ndim !== idx.ndim) throw new ShapeError(`${op}: src ${fmt(src.shape)} must have as many dims as the index ${fmt(index.shape)}`);
    idx.shape.forEach((n, i) => {
      if (n > s.shape[i]!) throw new ShapeError(`${op}: index ${fmt(index.shape)} is larger than src ${fmt(src.shape)} in dim ${i}`);
    });
    values = s.shape.reduce((t, n, i) => (n === idx.shape[i] ? t : slice(t, i, 0, idx.shape[i])), s);
  } else {
    if (typeof src !== "number" && typeof src !== "boolean") throw new ArgumentError(`${op}: expected a tensor or a number as the value, got ${String(src)}`);
    values = expand(asTensor(src, x.dtype, x._backend), idx.shape);
  }
  return { d, base, index: idx, src: values };
}

function run(x: Tensor, p: ReturnType<typeof prepare>, op: ScatterOp, includeSelf: boolean): Tensor {
  const out = applyPrimitive("scatterReduce", [p.base, p.index, p.src], { dim: p.d, op, includeSelf });
  return x.ndim === 0 ? reshape(out, []) : out;
}

/** Options of `scatter`: PyTorch's `reduce` argument. */
export interface ScatterOptions {
  /** Combine with the value already there, by adding or multiplying, rather than overwrite. */
  reduce?: "add" | "multiply";
}

/**
 * A copy of `x` with the values of `src` (or the number `value`) written along `dim` at the positions `index`
 * gives: `out[i][index[i][j]] = src[i][j]` for dim 1. Where positions repeat, the last write wins. With `reduce`
 * the values are added to (multiplied with) what is there.
 * @example cr.zeros([3]).scatter(0, cr.tensor([2, 0], { dtype: "int32" }), cr.tensor([5, 6])) // tensor([6, 0, 5])
 */
export function scatter(x: Tensor, dim: number, index: Tensor, src: Tensor | number, options: ScatterOptions = {}): Tensor {
  const p = prepare("scatter", x, dim, index, src);
  const { reduce } = options;
  if (reduce === undefined) return run(x, p, "assign", true);
  if (reduce !== "add" && reduce !== "multiply") throw new ArgumentError(`scatter: reduce must be "add" or "multiply", got ${JSON.stringify(reduce)}`);
  return run(x, p, reduce === "add" ? "sum" : "prod", true);
}

/** Options of `scatterReduce`. */
export interface ScatterReduceOptions {
  /** Whether the base's own values take part in the reduction (default true); where false, only the scattered ones. */
  includeSelf?: boolean;
}

/**
 * A copy of `x` with `src` reduced into it along `dim` at `index`: the sum, product, mean, maximum or minimum of
 * the values sent to each position, with the value already there unless `includeSelf` is false. Positions nothing
 * is sent to keep their value. Gradients as PyTorch's (ties of amax/amin share theirs).
 * @example cr.zeros([2]).scatterReduce(0, cr.tensor([0, 0, 1], { dtype: "int32" }), cr.tensor([1, 2, 3]), "amax")
 */
export function scatterReduce(x: Tensor, dim: number, index: Tensor, src: Tensor, reduce: ScatterReduction, { includeSelf = true }: ScatterReduceOptions = {}): Tensor {
  checkTensor("scatterReduce", src);
  if (!["sum", "prod", "mean", "amax", "amin"].includes(reduce)) {
    throw new ArgumentError(`scatterReduce: reduce must be "sum", "prod", "mean", "amax" or "amin", got ${JSON.stringify(reduce)}`);
  }
  return run(x, prepare("scatterReduce", x, dim, index, src), reduce, includeSelf);
}

// A 1-D index of positions along `d` as an index of `shape` (the index broadcast over the other dims).
function wholeSlices(op: string, x: Tensor, d: number, index: Tensor, shape: readonly number[], wrapNegative: boolean): Tensor {
  index = checkIndex(op, index);
  if (index.ndim > 1) throw new ShapeError(`${op}: index must be 1-D, got shape ${fmt(index.shape)}`);
  const n = index.numel();
  const size = x.ndim === 0 ? 1 : x.shape[d]!;
  // indexFill counts negative positions from the end, indexCopy refuses them (as PyTorch); a position past the
  // end is the backend's IndexError.
  let positions = index;
  if (wrapNegative) positions = where(index.lt(0), index.add(size), index);
  else if (x.readsSynchronously && n > 0 && index.amin().item() < 0) {
    throw new IndexError(`${op}: index ${index.amin().item()} is out of range for dim ${d} of size ${size}`);
  }
  const along = shape.map((_, i) => (i === d ? n : 1));
  return expand(reshape(positions, along), shape.map((s, i) => (i === d ? n : s)));
}

/**
 * A copy of `x` with slice j of `source` written at slice `index[j]` along `dim` (PyTorch's index_copy).
 * @example cr.zeros([3, 2]).indexCopy(0, cr.tensor([2, 0], { dtype: "int32" }), cr.ones([2, 2]))
 */
export function indexCopy(x: Tensor, dim: number, index: Tensor, source: Tensor): Tensor {
  checkTensor("indexCopy", x);
  checkTensor("indexCopy", source);
  const d = normalizeDim("indexCopy", dim, x.ndim);
  const shape = x.ndim === 0 ? [1] : x.shape;
  const expected = shape.map((s, i) => (i === d ? index.numel() : s));
  const src = source.ndim === 0 ? reshape(source, [1]) : source;
  if (src.ndim !== expected.length || src.shape.some((s, i) => s !== expected[i])) {
    throw new ShapeError(`indexCopy: source has shape ${fmt(source.shape)}, expected ${fmt(expected)} for input ${fmt(x.shape)} and ${index.numel()} indices along dim ${d}`);
  }
  return scatter(x, d, wholeSlices("indexCopy", x, d, index, shape, false), reshape(src, expected));
}

/**
 * A copy of `x` with the slices at `index` along `dim` filled with `value` (a number, or a zero-dim tensor that
 * then receives the gradient of what it filled).
 * @example cr.ones([2, 3]).indexFill(1, cr.tensor([0, 2], { dtype: "int32" }), -1)
 */
export function indexFill(x: Tensor, dim: number, index: Tensor, value: number | Tensor): Tensor {
  checkTensor("indexFill", x);
  const d = normalizeDim("indexFill", dim, x.ndim);
  const shape = x.ndim === 0 ? [1] : x.shape;
  if (value instanceof Tensor && value.ndim !== 0) throw new ShapeError(`indexFill: value must be a number or a zero-dim tensor, got shape ${fmt(value.shape)}`);
  const idx = wholeSlices("indexFill", x, d, index, shape, true);
  const v = value instanceof Tensor ? expand(reshape(asTensor(value, x.dtype), shape.map(() => 1)), idx.shape) : value;
  return scatter(x, d, idx, v);
}
