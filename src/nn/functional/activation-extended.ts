// More functional activations (`cr.nn.functional.elu`, …), PyTorch's names, defaults and `inplace` flags. The
// elementwise ones are registry ops (src/ops/elementwise.ts: elu, celu, selu, hardtanh, relu6, hardswish,
// hardsigmoid, mish, softsign, logsigmoid, prelu), so their derivatives are generated; softmin, glu and normalize
// are compositions along a dim.
import { isFloating, requireFloating } from "../../dtype.js";
import type { DType } from "../../dtype.js";
import { ArgumentError, ShapeError } from "../../errors.js";
import { fmt, normalizeDim } from "../../shape.js";
import { applyOp, checkTensor } from "../../tensor/apply-op.js";
import { abs, clamp, eq, mul, ne, pow, sigmoid, where } from "../../tensor/elementwise.js";
import { applyInplace } from "../../tensor/inplace.js";
import { narrow, reshape } from "../../tensor/movement.js";
import { amax, amin, softmax, sum } from "../../tensor/reduce.js";
import type { Tensor } from "../../tensor/tensor.js";

type PointwiseOp = "elu" | "celu" | "selu" | "hardtanh" | "relu6" | "hardswish" | "hardsigmoid" | "mish" | "softsign" | "logsigmoid";

function pointwise(op: PointwiseOp, x: Tensor, params: readonly number[], inplace: boolean): Tensor {
  checkTensor(op, x);
  requireFloating(op, x.dtype);
  for (const p of params) if (typeof p !== "number") throw new ArgumentError(`${op}: parameters must be numbers, got ${typeof p}`);
  const compute = () => applyOp(op, [x, ...params]);
  return inplace ? applyInplace(x, `${op}_`, compute) : compute();
}

/**
 * Exponential linear unit: `x` for x > 0, `alpha·(eˣ - 1)` otherwise. `inplace` overwrites `x`.
 * @example cr.nn.functional.elu(x, 1.0)
 */
export function elu(x: Tensor, alpha = 1, inplace = false): Tensor {
  return pointwise("elu", x, [alpha], inplace);
}

/**
 * Continuously differentiable ELU: `x` for x > 0, `alpha·(e^(x/alpha) - 1)` otherwise.
 * @example cr.nn.functional.celu(x, 0.5)
 */
export function celu(x: Tensor, alpha = 1, inplace = false): Tensor {
  if (alpha === 0) throw new ArgumentError("celu: alpha must not be 0 (ZeroDivisionError in PyTorch)");
  return pointwise("celu", x, [alpha], inplace);
}

/**
 * Scaled ELU with the self-normalising constants (alpha ≈ 1.6733, scale ≈ 1.0507).
 * @example cr.nn.functional.selu(x)
 */
export function selu(x: Tensor, inplace = false): Tensor {
  return pointwise("selu", x, [], inplace);
}

/**
 * `x` limited to [minVal, maxVal] (default [-1, 1]); the gradient is 0 at the bounds themselves, as PyTorch's.
 * @example cr.nn.functional.hardtanh(x, -2, 2)
 */
export function hardtanh(x: Tensor, minVal = -1, maxVal = 1, inplace = false): Tensor {
  return pointwise("hardtanh", x, [minVal, maxVal], inplace);
}

/** `min(max(x, 0), 6)`. @example cr.nn.functional.relu6(x) */
export function relu6(x: Tensor, inplace = false): Tensor {
  return pointwise("relu6", x, [], inplace);
}

/**
 * `x·min(max(x + 3, 0), 6) / 6` (MobileNetV3), with PyTorch's gradient at the breakpoints (-½ at -3, 3/2 at 3).
 * @example cr.nn.functional.hardswish(x)
 */
export function hardswish(x: Tensor, inplace = false): Tensor {
  return pointwise("hardswish", x, [], inplace);
}

/** `min(max(x + 3, 0), 6) / 6`. @example cr.nn.functional.hardsigmoid(x) */
export function hardsigmoid(x: Tensor, inplace = false): Tensor {
  return pointwise("hardsigmoid", x, [], inplace);
}

/** `x·tanh(softplus(x))`. @example cr.nn.functional.mish(x) */
export function mish(x: Tensor, inplace = false): Tensor {
  return pointwise("mish", x, [], inplace);
}

/** `x / (1 + |x|)`. @example cr.nn.functional.softsign(x) */
export function softsign(x: Tensor): Tensor {
  return pointwise("softsign", x, [], false);
}

/**
 * `log σ(x)`, stable for large |x| (±1000 are fine), with gradient ½ at 0.
 * @example cr.nn.functional.logsigmoid(cr.tensor([-1000, 0, 1000])) // [-1000, -0.6931, 0]
 */
export function logsigmoid(x: Tensor): Tensor {
  return pointwise("logsigmoid", x, [], false);
}

/**
 * Softmax of `-x` along `dim`: large inputs get small weights. `dtype` converts the input first.
 * @example cr.nn.functional.softmin(x, 1)
 */
export function softmin(x: Tensor, dim: number, dtype?: DType): Tensor {
  checkTensor("softmin", x);
  const input = dtype === undefined ? x : x.to(dtype);
  requireFloating("softmin", input.dtype);
  return softmax(input.neg(), dim);
}

/**
 * Gated linear unit: `a·σ(b)`, with `a` and `b` the two halves of `x` along `dim` (whose size must be even).
 * @example cr.nn.functional.glu(cr.randn([4, 6])).shape // [4, 3]
 */
export function glu(x: Tensor, dim = -1): Tensor {
  checkTensor("glu", x);
  requireFloating("glu", x.dtype);
  if (x.ndim === 0) throw new ShapeError("glu: does not support scalars (0-dim tensors), because the halving size must be even");
  const d = normalizeDim("glu", dim, x.ndim);
  const n = x.shape[d]!;
  if (n % 2 !== 0) throw new ShapeError(`glu: halving dimension must be even, but dimension ${dim} is size ${n} (shape ${fmt(x.shape)})`);
  return mul(narrow(x, d, 0, n / 2), sigmoid(narrow(x, d, n / 2, n / 2)));
}

/**
 * PReLU: `x` for x > 0, `weight·x` otherwise, `weight` one slope (numel 1) or one per channel (dim 1 of `x`).
 * @example cr.nn.functional.prelu(x, cr.full([3], 0.25)) // x of shape [N, 3, …]
 */
export function prelu(x: Tensor, weight: Tensor): Tensor {
  checkTensor("prelu", x);
  checkTensor("prelu", weight);
  requireFloating("prelu", x.dtype);
  if (weight.ndim > 1) throw new ShapeError(`prelu: weight must be a scalar or a 1-D tensor, got shape ${fmt(weight.shape)}`);
  const n = weight.numel();
  if (n === 1) return applyOp("prelu", [x, reshape(weight, [])]);
  const channels = x.ndim >= 2 ? x.shape[1]! : 1;
  if (n !== channels) {
    throw new ShapeError(`prelu: mismatch of parameter numbers and input channel size: weight has ${n} (shape ${fmt(weight.shape)}), input has ${channels} channels (shape ${fmt(x.shape)})`);
  }
  return applyOp("prelu", [x, reshape(weight, [n, ...new Array<number>(x.ndim - 2).fill(1)])]);
}

/** Options of `normalize`, PyTorch's defaults. */
export interface NormalizeOptions {
  /** The exponent of the norm (default 2; 1, any p > 0, 0 and ±Infinity too). */
  p?: number;
  /** The dim along which each vector is normalised (default 1). */
  dim?: number;
  /** The smallest denominator (default 1e-12), so zero vectors stay zero. */
  eps?: number;
}

// ‖x‖ₚ along `d`, kept: its gradient is 0 (not NaN) where the whole vector is 0, as PyTorch's norm's.
function pNorm(x: Tensor, p: number, d: number): Tensor {
  if (p === Infinity) return amax(abs(x), d, true);
  if (p === -Infinity) return amin(abs(x), d, true);
  if (p === 0) return sum(ne(x, 0), d, true).to(x.dtype);
  if (p === 1) return sum(abs(x), d, true);
  const s = p === 2 ? sum(mul(x, x), d, true) : sum(pow(abs(x), p), d, true);
  // The root's derivative is infinite at 0: taken of 1 there instead, and 0 put back (the double-where trick).
  const zero = eq(s, 0);
  const root = p === 2 ? where(zero, 1, s).sqrt() : pow(where(zero, 1, s), 1 / p);
  return where(zero, 0, root);
}

/**
 * `x / max(‖x‖ₚ, eps)` along `dim`: each vector scaled to unit p-norm (zero vectors stay zero). Positional
 * arguments as PyTorch's (`p`, `dim`, `eps`) or an options object.
 * @example cr.nn.functional.normalize(x, { dim: -1 }) // rows of unit length
 */
export function normalize(x: Tensor, p?: number | NormalizeOptions, dim?: number, eps?: number): Tensor {
  checkTensor("normalize", x);
  const opts: NormalizeOptions = typeof p === "object" && p !== null ? p : { p, dim, eps };
  const order = opts.p ?? 2;
  const e = opts.eps ?? 1e-12;
  if (typeof order !== "number" || Number.isNaN(order) || (order < 0 && order !== -Infinity)) {
    throw new ArgumentError(`normalize: p must be a non-negative number or ±Infinity, got ${String(order)}`);
  }
  if (typeof e !== "number" || !(e >= 0)) throw new ArgumentError(`normalize: eps must be a non-negative number, got ${String(e)}`);
  if (!isFloating(x.dtype)) requireFloating("normalize", x.dtype);
  const d = normalizeDim("normalize", opts.dim ?? 1, x.ndim);
  return x.div(clamp(pNorm(x, order, d), e));
}

/** `elu` in place (PyTorch's F.elu_). @example cr.nn.functional.elu_(h) */
export const elu_ = (x: Tensor, alpha = 1): Tensor => elu(x, alpha, true);
/** `celu` in place (PyTorch's F.celu_). @example cr.nn.functional.celu_(h, 0.5) */
export const celu_ = (x: Tensor, alpha = 1): Tensor => celu(x, alpha, true);
/** `selu` in place (PyTorch's F.selu_). @example cr.nn.functional.selu_(h) */
export const selu_ = (x: Tensor): Tensor => selu(x, true);
/** `hardtanh` in place (PyTorch's F.hardtanh_). @example cr.nn.functional.hardtanh_(h, -2, 2) */
export const hardtanh_ = (x: Tensor, minVal = -1, maxVal = 1): Tensor => hardtanh(x, minVal, maxVal, true);
