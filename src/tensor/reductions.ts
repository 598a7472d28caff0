// More reductions: prod (a primitive), varMean/stdMean, countNonzero, median (over everything: a primitive that
// shares the gradient among ties; along a dim: a sort's pick), aminmax, and norm / the vector and matrix norms.
import { applyPrimitive } from "../autograd/dispatch.js";
import type { DType } from "../dtype.js";
import { isFloating } from "../dtype.js";
import { ArgumentError, DTypeError } from "../errors.js";
import { fmt, normalizeDim, normalizeDims } from "../shape.js";
import { checkDType } from "./convert.js";
import { asTensor, checkTensor, where } from "./elementwise.js";
import { reshape } from "./movement.js";
import { amax, amin, checkNonEmptyReduction, mean, std, variance } from "./reduce.js";
import type { Dims, VarOptions } from "./reduce.js";
import type { ValuesIndices } from "./scan.js";
import type { Tensor } from "./tensor.js";

/** Options of the reductions that can compute in another dtype (the input is converted first, as PyTorch's). */
export interface ReduceDTypeOptions {
  /** Converts the input to this dtype before reducing (PyTorch's `dtype=`). */
  dtype?: DType;
}

// The dtype a product or sum computes in: the one asked for, else the input's, with integers and bools as int32.
function accumulateIn(op: string, x: Tensor, dtype: DType | undefined): Tensor {
  if (dtype !== undefined) return asTensor(x, checkDType(op, dtype));
  return isFloating(x.dtype) || x.dtype === "int32" ? x : asTensor(x, "int32");
}

/**
 * The product of all elements, or along `dim`. The gradient is right where elements are 0 (PyTorch's: the
 * product of the others).
 * @example cr.tensor([[1, 2], [3, 4]]).prod(1) // tensor([2, 12])
 */
export function prod(x: Tensor, dim?: number, keepdim = false, opts: ReduceDTypeOptions = {}): Tensor {
  checkTensor("prod", x);
  const t = accumulateIn("prod", x, opts.dtype);
  if (dim === undefined) {
    const all = applyPrimitive("prod", [reshape(t, [-1])], { axis: 0, keepdim: false });
    return keepdim ? reshape(all, x.shape.map(() => 1)) : all;
  }
  const axis = normalizeDim("prod", dim, x.ndim);
  if (x.ndim === 0) return applyPrimitive("prod", [reshape(t, [1])], { axis: 0, keepdim: false });
  return applyPrimitive("prod", [t], { axis, keepdim });
}

/** The variance and the mean over `dim`, in one call (PyTorch's var_mean). @example const [v, m] = x.varMean(0); */
export function varMean(x: Tensor, dim?: Dims, opts: VarOptions = {}): [Tensor, Tensor] {
  return [variance(x, dim, opts), mean(x, dim ?? undefined, opts.keepdim ?? false)];
}

/** The standard deviation and the mean over `dim` (PyTorch's std_mean). @example cr.stdMean(cr.tensor([1, 2, 3, 4])) // [1.2910, 2.5] */
export function stdMean(x: Tensor, dim?: Dims, opts: VarOptions = {}): [Tensor, Tensor] {
  return [std(x, dim, opts), mean(x, dim ?? undefined, opts.keepdim ?? false)];
}

/** How many elements are not zero, over `dim` (all dims when omitted); int32. @example cr.tensor([0, 1, 2]).countNonzero() // 2 */
export function countNonzero(x: Tensor, dim?: Dims): Tensor {
  checkTensor("countNonzero", x);
  return x.ne(0).sum(dim);
}

/**
 * The lower median (of an even count, the smaller middle element) of all elements, NaN where there is a NaN;
 * the gradient shared evenly by the elements equal to it. Along `dim`: the values and their positions, the
 * gradient to the one picked (equal elements are taken in their order, as a stable sort gives them; PyTorch does
 * not fix which of equal elements it reports).
 * @example cr.tensor([3, 1, 2, 4]).median() // tensor(2)
 */
export function median(x: Tensor): Tensor;
export function median(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function median(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  checkTensor("median", x);
  if (dim === undefined) {
    checkNonEmptyReduction("median", x, x.shape.map((_, i) => i));
    return applyPrimitive("selectAll", [x], { op: "median" });
  }
  const axis = normalizeDim("median", dim, x.ndim);
  const t = x.ndim === 0 ? reshape(x, [1]) : x;
  checkNonEmptyReduction("median", t, [axis]);
  const n = t.shape[axis]!;
  const order = applyPrimitive("argsort", [t], { axis, descending: false });
  // NaN sorts last; where a slice has one, its median is its first NaN (PyTorch's), else the lower middle.
  const nans = t.isnan().sum(axis, true);
  const position = where(nans.gt(0), nans.neg().add(n), (n - 1) >> 1);
  let indices = order.gather(axis, position);
  let values = t.gather(axis, indices);
  if (!keepdim || x.ndim === 0) {
    indices = indices.squeeze(axis);
    values = values.squeeze(axis);
  }
  return { values, indices };
}

/** The smallest and largest elements, over `dim` when given (PyTorch's aminmax). @example cr.aminmax(cr.tensor([3, 1, 2])) // { min: 1, max: 3 } */
export function aminmax(x: Tensor, opts: { dim?: number; keepdim?: boolean } = {}): { min: Tensor; max: Tensor } {
  checkTensor("aminmax", x);
  const { dim, keepdim = false } = opts;
  return { min: amin(x, dim, keepdim), max: amax(x, dim, keepdim) };
}

// ---- norms ----

/**
 * The vector `ord`-norm of the elements over `dim` (all of them when omitted): `(Σ |x|^ord)^(1/ord)`; ord Infinity
 * the largest |x|, -Infinity the smallest, 0 the count of non-zero elements. Floating dtypes; the gradient at a
 * zero vector is 0, as PyTorch's.
 * @example cr.linalg.vectorNorm(cr.tensor([3, 4])) // tensor(5)
 */
export function vectorNorm(x: Tensor, ord = 2, dim?: Dims, keepdim = false, opts: ReduceDTypeOptions = {}): Tensor {
  checkTensor("vectorNorm", x);
  if (typeof ord !== "number" || Number.isNaN(ord)) throw new ArgumentError(`vectorNorm: ord must be a number (Infinity and -Infinity included), got ${String(ord)}`);
  const t = opts.dtype === undefined ? x : asTensor(x, checkDType("vectorNorm", opts.dtype));
  if (!isFloating(t.dtype)) throw new DTypeError(`vectorNorm: expected a floating-point tensor, got ${t.dtype}; convert it with .float() or pass { dtype }`);
  const listed = normalizeDims("vectorNorm", dim, x.ndim).sort((a, b) => a - b);
  // No dims (or an empty list, as PyTorch reads it) means all of them.
  const axes = listed.length === 0 ? t.shape.map((_, i) => i) : listed;
  if (!Number.isFinite(ord) || ord < 0) checkNonEmptyReduction("vectorNorm", t, axes);
  if (x.ndim === 0) return applyPrimitive("vectorNorm", [reshape(t, [1])], { ord, axes: [0], keepdim: false });
  return applyPrimitive("vectorNorm", [t], { ord, axes, keepdim });
}

/** A matrix norm's `ord`: Frobenius, or the largest (1, Infinity) or smallest (-1, -Infinity) column or row abs sum. */
export type MatrixNormOrd = "fro" | 1 | -1 | number;

/**
 * The matrix norm of the matrices over dims `dim` (default the last two): "fro" (Frobenius), 1 / -1 (the largest /
 * smallest column sum of |x|), Infinity / -Infinity (the same for rows). The spectral and nuclear norms need an SVD.
 * @example cr.linalg.matrixNorm(cr.tensor([[1, -2], [3, 4]]), 1) // tensor(6)
 */
export function matrixNorm(x: Tensor, ord: MatrixNormOrd = "fro", dim: readonly [number, number] = [-2, -1], keepdim = false, opts: ReduceDTypeOptions = {}): Tensor {
  checkTensor("matrixNorm", x);
  if (x.ndim < 2) throw new ArgumentError(`matrixNorm: expected a tensor of at least 2 dims, got shape ${fmt(x.shape)}`);
  if (!Array.isArray(dim) || dim.length !== 2) throw new ArgumentError(`matrixNorm: dim must be two dims, got ${String(dim)}`);
  const [d0, d1] = [normalizeDim("matrixNorm", dim[0], x.ndim), normalizeDim("matrixNorm", dim[1], x.ndim)];
  if (d0 === d1) throw new ArgumentError(`matrixNorm: the two dims must differ, got ${fmt(dim)}`);
  if (ord === "fro") return vectorNorm(x, 2, [d0, d1], keepdim, opts);
  if (ord !== 1 && ord !== -1 && ord !== Infinity && ord !== -Infinity) {
    throw new ArgumentError(`matrixNorm: ord ${String(ord)} is not supported: use "fro", 1, -1, Infinity or -Infinity (2, -2 and "nuc" need an SVD)`);
  }
  // |x| summed along the other dim (columns for ±1, rows for ±∞), then the largest or smallest of those sums.
  const [sumDim, pickDim] = Math.abs(ord) === 1 ? [d0, d1] : [d1, d0];
  const sums = vectorNorm(x, 1, sumDim, true, opts);
  const picked = ord > 0 ? amax(sums, pickDim, true) : amin(sums, pickDim, true);
  return keepdim ? picked : reshape(picked, x.shape.filter((_, i) => i !== d0 && i !== d1));
}

/**
 * PyTorch's `torch.norm`: "fro" (default) the 2-norm of the elements over `dim` (all when omitted), a number p
 * the vector p-norm over `dim` ("nuc" needs an SVD).
 * @example cr.tensor([3, 4]).norm() // tensor(5)
 */
export function norm(x: Tensor, p: number | "fro" | "nuc" = "fro", dim?: Dims, keepdim = false, opts: ReduceDTypeOptions = {}): Tensor {
  checkTensor("norm", x);
  if (p === "nuc") throw new ArgumentError("norm: the nuclear norm needs an SVD, which chainrule does not have yet");
  if (p !== "fro" && typeof p !== "number") throw new ArgumentError(`norm: p must be a number, "fro" or "nuc", got ${String(p)}`);
  return vectorNorm(x, p === "fro" ? 2 : p, dim, keepdim, opts);
}
