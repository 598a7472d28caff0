// Reductions: sum, mean, max/min (with and without dim), argmax/argmin, logsumexp, var, std,
// softmax and logSoftmax. Only sum, amax, amin and arg* are primitives; the rest compose them.
import { applyPrimitive } from "../autograd/dispatch.js";
import { isFloating, isStorageDType, requireFloating } from "../dtype.js";
import type { DType } from "../dtype.js";
import { ArgumentError } from "../errors.js";
import { fmt, normalizeDim, normalizeDims } from "../shape.js";
import { asTensor, checkTensor, where } from "./elementwise.js";
import { checkDType } from "./convert.js";
import type { Tensor } from "./tensor.js";

/**
 * Throws PyTorch's error for an extreme over no elements: over all of an empty tensor, or along a dim of size 0
 * (reducing the other dims of an empty tensor gives an empty result instead).
 */
export function checkNonEmptyReduction(op: string, x: Tensor, axes: readonly number[]): void {
  if (x.numel() > 0) return;
  const empty = axes.find((a) => x.shape[a] === 0);
  if (empty === undefined) return;
  if (axes.length === x.ndim) throw new ArgumentError(`${op}: cannot reduce an empty tensor (shape ${fmt(x.shape)}) over all its elements; give a dim whose size is not 0`);
  throw new ArgumentError(`${op}: cannot reduce over dim ${empty}, which has size 0 (shape ${fmt(x.shape)})`);
}

/** A dim or list of dims to reduce; undefined means all of them. */
export type Dims = number | readonly number[] | undefined;

function reducedCount(x: Tensor, axes: readonly number[]): number {
  let n = 1;
  for (const a of axes) n *= x.shape[a]!;
  return n;
}

/**
 * Sum over `dim` (all dims when omitted); integers and bools sum to int32.
 * @example cr.tensor([[1, 2], [3, 4]]).sum(1) // tensor([3, 7])
 */
export function sum(x: Tensor, dim?: Dims | SumOptions, keepdim: boolean | SumOptions = false, opts: SumOptions = {}): Tensor {
  checkTensor("sum", x);
  // sum(x, { dtype }) and sum(x, dim, { dtype }) as well as sum(x, dim, keepdim, { dtype }).
  if (isSumOptions(dim)) return sum(x, undefined, false, dim);
  if (isSumOptions(keepdim)) return sum(x, dim, false, keepdim);
  // Integers of a storage dtype sum in int64, as PyTorch's (int32 and bool keep chainrule's int32).
  const into = opts.dtype !== undefined ? checkDType("sum", opts.dtype) : isStorageDType(x.dtype) && !isFloating(x.dtype) ? "int64" : undefined;
  const t = into === undefined ? x : asTensor(x, into);
  const axes = normalizeDims("sum", dim, x.ndim).sort((a, b) => a - b);
  const dtype: DType = isFloating(t.dtype) || t.dtype === "int64" ? t.dtype : "int32";
  return applyPrimitive("sum", [t], { axes, keepdim, dtype });
}

/** Options of `sum`: the dtype to sum in (the input is converted first, as PyTorch's `sum(dtype=…)`). */
export interface SumOptions {
  /** Converts the input to this dtype before summing (PyTorch's `dtype=`). */
  dtype?: DType;
}

function isSumOptions(v: unknown): v is SumOptions {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Mean over `dim` (all dims when omitted); floating-point tensors only, as in PyTorch. @example cr.mean(cr.tensor([[1, 2], [3, 4]]), 0) // [2, 3] */
export function mean(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  checkTensor("mean", x);
  requireFloating("mean", x.dtype);
  const axes = normalizeDims("mean", dim, x.ndim);
  return sum(x, axes, keepdim).div(reducedCount(x, axes));
}

/** Largest elements over `dim`, ties sharing the gradient (PyTorch's `amax`). @example cr.amax(cr.tensor([[1, 5], [3, 2]]), 1) // [5, 3] */
export function amax(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  checkTensor("amax", x);
  const axes = normalizeDims("amax", dim, x.ndim).sort((a, b) => a - b);
  checkNonEmptyReduction("amax", x, axes);
  return applyPrimitive("amax", [x], { axes, keepdim });
}

/** Smallest elements over `dim`, ties sharing the gradient (PyTorch's `amin`). @example cr.amin(cr.tensor([[1, 5], [3, 2]]), 0) // [1, 2] */
export function amin(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  checkTensor("amin", x);
  const axes = normalizeDims("amin", dim, x.ndim).sort((a, b) => a - b);
  checkNonEmptyReduction("amin", x, axes);
  return applyPrimitive("amin", [x], { axes, keepdim });
}

function argReduce(op: "argmax" | "argmin", x: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  checkTensor(op, x);
  checkNonEmptyReduction(op, x, dim === undefined ? x.shape.map((_, i) => i) : [normalizeDim(op, dim, x.ndim)]);
  if (dim === undefined) {
    const flat = applyPrimitive(op, [x.reshape([-1])], { axis: 0, keepdim: false });
    return keepdim ? flat.reshape(x.shape.map(() => 1)) : flat;
  }
  const axis = normalizeDim(op, dim, x.ndim);
  if (x.ndim === 0) return applyPrimitive(op, [x.reshape([1])], { axis: 0, keepdim: false });
  return applyPrimitive(op, [x], { axis, keepdim });
}

/** True where every element over `dim` (all dims when omitted) is non-zero; a bool tensor. @example cr.all(cr.tensor([[1, 0], [1, 1]]), 1) // [false, true] */
export function all(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  checkTensor("all", x);
  if (x.numel() === 0) return x.ne(0).sum(dim, keepdim).eq(0);
  return amin(x.ne(0).to("int32"), dim, keepdim).to("bool");
}

/** True where any element over `dim` (all dims when omitted) is non-zero; a bool tensor. @example cr.any(cr.tensor([[0, 0], [0, 1]]), 1) // [false, true] */
export function any(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  checkTensor("any", x);
  return x.ne(0).sum(dim, keepdim).gt(0);
}

/** Index of the largest element (over all elements, flattened, when `dim` is omitted); first one on ties. */
export const argmax = (x: Tensor, dim?: number, keepdim = false): Tensor => argReduce("argmax", x, dim, keepdim);
/** Index of the smallest element (over all elements, flattened, when `dim` is omitted); first one on ties. */
export const argmin = (x: Tensor, dim?: number, keepdim = false): Tensor => argReduce("argmin", x, dim, keepdim);

function selectExtreme(op: "max" | "min", x: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  checkTensor(op, x);
  if (dim === undefined) {
    checkNonEmptyReduction(op, x, x.shape.map((_, i) => i));
    return applyPrimitive("selectAll", [x], { op });
  }
  // The gradient goes to the selected element, as PyTorch's max(dim) does.
  const d = normalizeDim(op, dim, x.ndim);
  checkNonEmptyReduction(op, x, [d]);
  if (x.ndim === 0) return x;
  const idx = argReduce(op === "max" ? "argmax" : "argmin", x, d, true);
  const values = x.gather(d, idx);
  return keepdim ? values : values.squeeze(d);
}

/**
 * The largest element, or with `dim` the largest along it (values; use `argmax` for indices).
 * @example x.max(1) // row maxima
 */
export const max = (x: Tensor, dim?: number, keepdim = false): Tensor => selectExtreme("max", x, dim, keepdim);
/** The smallest element, or with `dim` the smallest along it (values; use `argmin` for indices). */
export const min = (x: Tensor, dim?: number, keepdim = false): Tensor => selectExtreme("min", x, dim, keepdim);

/** `log Σ exp(x)` over `dim`, computed stably (shifted by the maximum). Its gradient is the softmax. @example cr.logsumexp(cr.tensor([0, 0]), 0) // 0.6931 */
export function logsumexp(x: Tensor, dim: Dims, keepdim = false): Tensor {
  checkTensor("logsumexp", x);
  requireFloating("logsumexp", x.dtype);
  const axes = normalizeDims("logsumexp", dim, x.ndim);
  // log Σ over no elements is log 0 = -∞ (PyTorch's): the sum keeps the (empty) input in the graph.
  if (reducedCount(x, axes) === 0) return sum(x, axes, keepdim).add(-Infinity);
  // The shift is a constant for differentiation: its two contributions cancel exactly.
  const m = amax(x, axes, true).detach();
  const shift = where(m.isinf(), 0, m);
  const out = x.sub(shift).exp().sum(axes, true).log().add(shift);
  return keepdim ? out : out.reshape(x.shape.filter((_, i) => !axes.includes(i)));
}

/** Options of `var` and `std`. */
export interface VarOptions {
  /** Subtracted from the count in the denominator: 1 (default) for the unbiased estimate, 0 for the population. */
  correction?: number;
  /** Keep the reduced dims with size 1 (default false). */
  keepdim?: boolean;
}

/** Variance over `dim` (all dims when omitted), with Bessel's correction by default. @example cr.var(cr.tensor([1, 2, 3, 4])) // 1.6667 */
export function variance(x: Tensor, dim?: Dims, { correction = 1, keepdim = false }: VarOptions = {}): Tensor {
  checkTensor("var", x);
  requireFloating("var", x.dtype);
  const axes = normalizeDims("var", dim, x.ndim);
  const centered = x.sub(mean(x, axes, true));
  const squares = sum(centered.mul(centered), axes, keepdim);
  const dof = reducedCount(x, axes) - correction;
  if (dof >= 0) return squares.div(dof);
  // PyTorch clamps the divisor at 0 in the value (+∞, or NaN for no elements, rather than a sign flip) but its
  // var_backward divides by the unclamped N − correction: the value of the one, the gradient of the other.
  const unclamped = squares.div(dof);
  return unclamped.add(squares.div(0).sub(unclamped).detach());
}

/** Standard deviation over `dim`, the square root of `var`. @example cr.std(cr.tensor([1, 2, 3, 4])) // 1.2910 */
export function std(x: Tensor, dim?: Dims, opts: VarOptions = {}): Tensor {
  const v = variance(x, dim, opts);
  // PyTorch's std_backward masks the gradient where the deviation is 0 (a constant input): 0 there, not ∞·0.
  const zero = v.eq(0);
  return where(zero, 0, where(zero, 1, v).sqrt());
}

/**
 * `exp(x) / Σ exp(x)` along `dim`, shifted by the maximum so large inputs do not overflow.
 * @example logits.softmax(-1)
 */
export function softmax(x: Tensor, dim: number): Tensor {
  checkTensor("softmax", x);
  requireFloating("softmax", x.dtype);
  const d = normalizeDim("softmax", dim, x.ndim);
  if (x.numel() === 0) return x.clone(); // nothing to normalize, whichever dim is empty (as PyTorch)
  const e = x.sub(amax(x, d, true).detach()).exp();
  return e.div(e.sum(d, true));
}

/**
 * `log(softmax(x))` along `dim`, as `s - log Σ exp(s)` with `s = x - max(x)`: it never takes the
 * log of 0, and subtracting the maximum first keeps float32 precision for large logits. One kernel
 * (a primitive, as PyTorch's), computed in double precision.
 * @example cr.logSoftmax(cr.tensor([0, 0]), 0) // [-0.6931, -0.6931]
 */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  checkTensor("logSoftmax", x);
  requireFloating("logSoftmax", x.dtype);
  return applyPrimitive("logSoftmax", [x], { axis: normalizeDim("logSoftmax", dim, x.ndim) });
}
