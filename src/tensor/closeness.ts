// Floating-point special values and closeness: nanToNum (NaN and infinities replaced by numbers), isclose and
// allclose (PyTorch's |a − b| ≤ atol + rtol·|b| test, infinities and NaN included).
import { isFloating } from "../dtype.js";
import { ArgumentError, DTypeError } from "../errors.js";
import { applyElementwise } from "../autograd/primitives.js";
import { select } from "../ops/expr.js";
import { makeProgram } from "../ops/program.js";
import { abs, add, asTensor, checkTensor, eq, isfinite, isnan, le, logicalAnd, logicalOr, mul, sub } from "./elementwise.js";
import { applyInplace } from "./inplace.js";
import type { Tensor } from "./tensor.js";

/** Options of `nanToNum`: the replacements (defaults: 0, and the dtype's largest and lowest finite values). */
export interface NanToNumOptions {
  /** What replaces NaN (default 0). */
  nan?: number;
  /** What replaces +Infinity (default, or null: the dtype's largest finite value). */
  posinf?: number | null;
  /** What replaces −Infinity (default, or null: the dtype's lowest finite value). */
  neginf?: number | null;
}

// One kernel for the three replacements, the values as operands so every call shares it. Its derivative (from
// the registry's where) passes the gradient where x is kept and gives 0 where it was replaced, as PyTorch's.
const NAN_TO_NUM = makeProgram("nanToNum", 4, (x, nan, posinf, neginf) =>
  select(x.ne(x), nan, select(x.eq(Infinity), posinf, select(x.eq(-Infinity), neginf, x))));

const FLOAT32_MAX = 3.4028234663852886e38;

function replacement(name: string, v: number | null | undefined, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "number") throw new ArgumentError(`nanToNum: ${name} must be a number, got ${typeof v}`);
  return v;
}

/**
 * `x` with NaN replaced by `nan` (0), +Infinity by `posinf` and −Infinity by `neginf` (by default the dtype's
 * largest and lowest finite values). Integer and bool tensors have none of them: a copy comes back.
 * @example cr.nanToNum(cr.tensor([NaN, Infinity, -1]), { posinf: 1e6 }) // tensor([0, 1e6, -1])
 */
export function nanToNum(x: Tensor, opts: NanToNumOptions = {}): Tensor {
  checkTensor("nanToNum", x);
  const nan = replacement("nan", opts.nan, 0);
  if (!isFloating(x.dtype)) return x.clone();
  const max = x.dtype === "float32" ? FLOAT32_MAX : Number.MAX_VALUE;
  const posinf = replacement("posinf", opts.posinf, max);
  const neginf = replacement("neginf", opts.neginf, -max);
  const values = [nan, posinf, neginf].map((v) => asTensor(v, x.dtype, x._backend));
  return applyElementwise(NAN_TO_NUM, [x, ...values], x.dtype);
}

/** `nanToNum` in place. @example x.nanToNum_() */
export function nanToNum_(x: Tensor, opts: NanToNumOptions = {}): Tensor {
  checkTensor("nanToNum_", x);
  return applyInplace(x, "nanToNum_", () => nanToNum(x, opts));
}

/** Options of `isclose` and `allclose`, PyTorch's defaults. */
export interface IscloseOptions {
  /** Relative tolerance (default 1e-5), a multiple of |b|. */
  rtol?: number;
  /** Absolute tolerance (default 1e-8). */
  atol?: number;
  /** Whether NaN is close to NaN (default false). */
  equalNan?: boolean;
}

function tolerance(op: string, name: string, v: number): number {
  if (typeof v !== "number" || !(v >= 0)) throw new ArgumentError(`${op}: ${name} must be greater than or equal to zero, but got ${v}`);
  return v;
}

function iscloseAs(op: string, a: Tensor, b: Tensor, opts: IscloseOptions): Tensor {
  checkTensor(op, a);
  checkTensor(op, b);
  if (a.dtype !== b.dtype) throw new DTypeError(`${op}: both tensors must have the same dtype, got ${a.dtype} and ${b.dtype}`);
  const rtol = tolerance(op, "rtol", opts.rtol ?? 1e-5);
  const atol = tolerance(op, "atol", opts.atol ?? 1e-8);
  let close = eq(a, b); // equal values, infinities of one sign included
  if (opts.equalNan === true) close = logicalOr(close, logicalAnd(isnan(a), isnan(b)));
  if (a.dtype === "bool" || (rtol === 0 && atol === 0)) return close;
  // As PyTorch: the error of integers in their own dtype, the allowance in the default float dtype.
  const actual = abs(sub(a, b));
  const allowed = add(abs(mul(isFloating(b.dtype) ? b : b.float(), rtol)), atol);
  return logicalOr(close, logicalAnd(isfinite(actual), le(actual, allowed)));
}

/**
 * Whether each element of `a` is close to `b`'s (broadcast): `|a - b| <= atol + rtol·|b|`, or equal (so equal
 * infinities are close); NaN only with `equalNan`. Both must have the same dtype. A bool tensor.
 * @example cr.isclose(cr.tensor([1, 1.1]), cr.tensor([1.000001, 1])) // tensor([true, false])
 */
export function isclose(a: Tensor, b: Tensor, opts: IscloseOptions = {}): Tensor {
  return iscloseAs("isclose", a, b, opts);
}

/**
 * Whether every element of `a` is close to `b`'s, as `isclose` decides: a boolean, read at once (on a backend
 * that reads asynchronously, use `await cr.isclose(a, b).all().itemAsync()`).
 * @example cr.allclose(x, y, { atol: 1e-6 })
 */
export function allclose(a: Tensor, b: Tensor, opts: IscloseOptions = {}): boolean {
  return iscloseAs("allclose", a, b, opts).all().item() === 1;
}
