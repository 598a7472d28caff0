// Running reductions along a dim: cumsum, cumprod, logcumsumexp (primitives, each with its derivative), and
// cummax/cummin (the positions a primitive without derivative; the values a gather at them, which routes each
// gradient to the element that held the running extreme, as PyTorch's).
import { applyPrimitive } from "../autograd/dispatch.js";
import type { DType } from "../dtype.js";
import { checkDType } from "./convert.js";
import { isFloating } from "../dtype.js";
import { DTypeError } from "../errors.js";
import { normalizeDim } from "../shape.js";
import { asTensor, checkTensor } from "./elementwise.js";
import { reshape } from "./movement.js";
import type { Tensor } from "./tensor.js";

/** Options of cumsum and cumprod: the dtype to compute in (the input is converted first, as PyTorch's). */
export interface CumulativeOptions {
  /** Converts the input to this dtype first (PyTorch's `dtype=`), e.g. to accumulate int32 in float64. */
  dtype?: DType;
}

/** A values-and-indices pair, as PyTorch's named tuples (`max(dim)`, `sort`, `topk`, `cummax`, …). */
export interface ValuesIndices {
  /** The values found. */
  values: Tensor;
  /** Where each value was found along the dim (int32). */
  indices: Tensor;
}

// `x` in the dtype a scan computes in: the one asked for, else its own, integers and bools as int32.
function scanInput(op: string, x: Tensor, dtype: DType | undefined): Tensor {
  if (dtype !== undefined) return asTensor(x, checkDType(op, dtype));
  return isFloating(x.dtype) || x.dtype === "int32" ? x : asTensor(x, "int32");
}

// Zero-dim tensors scan as one element; the result keeps their shape.
function along(op: "cumsum" | "cumprod" | "logcumsumexp", x: Tensor, dim: number): Tensor {
  const axis = normalizeDim(op, dim, x.ndim);
  if (x.ndim === 0) return reshape(applyPrimitive(op, [reshape(x, [1])], { axis: 0 }), []);
  return applyPrimitive(op, [x], { axis });
}

/**
 * The running sum along `dim`: element i is the sum of elements 0..i. Integers and bools sum as int32.
 * @example cr.tensor([1, 2, 3]).cumsum(0) // tensor([1, 3, 6])
 */
export function cumsum(x: Tensor, dim: number, opts: CumulativeOptions = {}): Tensor {
  checkTensor("cumsum", x);
  return along("cumsum", scanInput("cumsum", x, opts.dtype), dim);
}

/**
 * The running product along `dim`. Its gradient is right at zeros too (PyTorch's formula: through the first zero,
 * nothing after it).
 * @example cr.tensor([1, 2, 3]).cumprod(0) // tensor([1, 2, 6])
 */
export function cumprod(x: Tensor, dim: number, opts: CumulativeOptions = {}): Tensor {
  checkTensor("cumprod", x);
  return along("cumprod", scanInput("cumprod", x, opts.dtype), dim);
}

/**
 * `log Σ_{j ≤ i} exp(x_j)` along `dim`, computed stably (never exponentiating a large value); floating dtypes.
 * @example cr.tensor([0, 0]).logcumsumexp(0) // tensor([0, 0.6931])
 */
export function logcumsumexp(x: Tensor, dim: number): Tensor {
  checkTensor("logcumsumexp", x);
  if (!isFloating(x.dtype)) throw new DTypeError(`logcumsumexp: expected a floating-point tensor, got ${x.dtype}; convert it with .float()`);
  return along("logcumsumexp", x, dim);
}

function cumulativeExtreme(op: "max" | "min", x: Tensor, dim: number): ValuesIndices {
  const name = op === "max" ? "cummax" : "cummin";
  checkTensor(name, x);
  const axis = normalizeDim(name, dim, x.ndim);
  if (x.ndim === 0) {
    const r = cumulativeExtreme(op, reshape(x, [1]), 0);
    return { values: reshape(r.values, []), indices: reshape(r.indices, []) };
  }
  const indices = applyPrimitive("cumulativeIndex", [x], { op, axis });
  return { values: x.gather(axis, indices), indices };
}

/**
 * The running maximum along `dim` and where it is: a later equal element takes over, and NaN, once met, stays
 * (PyTorch's cummax). The gradient goes to the element holding the maximum.
 * @example cr.tensor([1, 3, 2]).cummax(0).values // tensor([1, 3, 3])
 */
export const cummax = (x: Tensor, dim: number): ValuesIndices => cumulativeExtreme("max", x, dim);
/** The running minimum along `dim` and where it is (PyTorch's cummin). */
export const cummin = (x: Tensor, dim: number): ValuesIndices => cumulativeExtreme("min", x, dim);
