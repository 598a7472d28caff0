// Elementwise ops: the registry's (generated: tensor/generated/elementwise.ts, through apply-op.ts's dtype rules)
// and the composites built from them (clamp, leakyRelu, gelu, …), which define no backward.
import { ArgumentError } from "../errors.js";
import { applyPrimitive, tracingPrimitives } from "../autograd/dispatch.js";
import { isFloating } from "../dtype.js";
import { add, div, erf, exp, gt, log1p, lt, mul, neg, abs, pow, relu, sigmoid, tanh, where } from "./generated/elementwise.js";
import { checkTensor } from "./apply-op.js";
import type { TensorLike } from "./apply-op.js";
import type { Tensor } from "./tensor.js";

export * from "./generated/elementwise.js";
// div with its options (roundingMode) in place of the generated two-operand one.
export { div } from "./div.js";
export type { DivOptions } from "./div.js";
export { asTensor, checkTensor } from "./apply-op.js";
export type { TensorLike } from "./apply-op.js";




/**
 * Limits each element to [min, max] (either bound may be omitted). The gradient is 1 inside the
 * range, bounds included, and 0 outside, as in PyTorch.
 * @example x.clamp(0, 1)
 */
export function clamp(x: Tensor, min?: TensorLike | null, max?: TensorLike | null): Tensor {
  checkTensor("clamp", x);
  if ((min === undefined || min === null) && (max === undefined || max === null)) {
    throw new ArgumentError("clamp: at least one of min or max must be given");
  }
  if (typeof min === "number" && typeof max === "number" && Number.isNaN(min + max)) {
    throw new ArgumentError(`clamp: bounds must not be NaN (min ${min}, max ${max})`);
  }
  let out = x;
  if (min !== undefined && min !== null) out = where(lt(out, min), min, out);
  if (max !== undefined && max !== null) out = where(gt(out, max), max, out);
  return out;
}

/** `x` for x > 0, `negativeSlope · x` otherwise. @example cr.leakyRelu(cr.tensor([-1, 2]), 0.1) // [-0.1, 2] */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  checkTensor("leakyRelu", x);
  return where(gt(x, 0), x, mul(x, negativeSlope));
}

/** Gaussian error linear unit: `x·Φ(x)` exactly (`"none"`), or its tanh approximation (`"tanh"`). @example cr.gelu(cr.tensor([0, 1])) // [0, 0.8413] */
export function gelu(x: Tensor, approximate: "none" | "tanh" = "none"): Tensor {
  checkTensor("gelu", x);
  if (approximate === "tanh") {
    const inner = mul(add(x, mul(pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(x, 0.5), add(tanh(inner), 1));
  }
  if (approximate !== "none") throw new ArgumentError(`gelu: approximate must be "none" or "tanh", got ${JSON.stringify(approximate)}`);
  // A floating tensor runs the fused primitive (one kernel forward, one backward); an ONNX trace records the composite's ops.
  if (isFloating(x.dtype) && !tracingPrimitives()) return applyPrimitive("gelu", [x], {});
  return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));
}

/** `log(1 + eˣ)` (β = 1), linear above `threshold` for numerical stability, as PyTorch's softplus. @example cr.softplus(cr.tensor([0, 30])) // [0.6931, 30] */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  checkTensor("softplus", x);
  const bx = mul(x, beta);
  // log(1 + e^z) = max(z, 0) + log(1 + e^-|z|) never overflows.
  const soft = div(add(relu(bx), log1p(exp(neg(abs(bx))))), beta);
  return where(gt(bx, threshold), x, soft);
}

/** `x · σ(x)` (also called swish). */
export const silu = (x: Tensor): Tensor => mul(x, sigmoid(x));
