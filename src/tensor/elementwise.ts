// Elementwise ops: arithmetic with broadcasting and PyTorch's type promotion, math functions,
// activations, comparisons and `where`. Composites (clamp, leakyRelu, gelu, …) define no backward.
import { applyPrimitive } from "../autograd/dispatch.js";
import type { Primitive } from "../autograd/primitives.js";
import type { Backend } from "../backend/backend.js";
import { currentBackend } from "../backend/registry.js";
import type { DType, Operand } from "../dtype.js";
import { isFloating, resultType } from "../dtype.js";
import { ArgumentError, DTypeError } from "../errors.js";
import { checkDType } from "./convert.js";
import { Tensor } from "./tensor.js";

/** A tensor, or a plain number or boolean that broadcasts like a zero-dim tensor of the other operand's dtype. */
export type TensorLike = Tensor | number | boolean;

function operand(x: TensorLike): Operand {
  return x instanceof Tensor ? { kind: "tensor", dtype: x.dtype, ndim: x.ndim } : { kind: "scalar", value: x };
}

function checkScalar(op: string, x: TensorLike): void {
  if (!(x instanceof Tensor) && typeof x !== "number" && typeof x !== "boolean") {
    throw new ArgumentError(`${op}: expected a Tensor, number or boolean, got ${x === null ? "null" : typeof x}`);
  }
}

/** `x` as a tensor of `dtype`: a constant for numbers, a (differentiable) cast for tensors of another dtype. */
export function asTensor(x: TensorLike, dtype: DType, backend: Backend = currentBackend()): Tensor {
  if (x instanceof Tensor) return x.dtype === dtype ? x : applyPrimitive("cast", [x], { dtype: checkDType("to", dtype) });
  const v = typeof x === "boolean" ? (x ? 1 : 0) : x;
  return Tensor._create(backend.full(1, v, dtype), [], dtype, backend);
}

function backendOf(...xs: TensorLike[]): Backend {
  for (const x of xs) if (x instanceof Tensor) return x._backend;
  return currentBackend();
}

type ArithOp = "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum";
type CompareOp = "gt" | "ge" | "lt" | "le" | "eq" | "ne";

function arithmetic(op: ArithOp, a: TensorLike, b: TensorLike): Tensor {
  checkScalar(op, a);
  checkScalar(op, b);
  let dtype = resultType([operand(a), operand(b)]);
  let prim: Primitive = op;
  if (op === "div" && !isFloating(dtype)) dtype = "float32"; // true division, as torch.div
  if (op === "pow" && (dtype === "int32" || dtype === "bool") && typeof b === "number" && b < 0) {
    throw new DTypeError(`pow: integers to negative integer powers are not allowed (exponent ${b}); convert the base with .float()`);
  }
  if (dtype === "bool") {
    if (op === "add") prim = "logicalOr";
    else if (op === "mul") prim = "logicalAnd";
    else if (op === "sub") throw new DTypeError("sub: subtracting bool tensors is not supported; use logicalXor or cast with .to()");
    else if (op === "pow") dtype = "int32";
  }
  const backend = backendOf(a, b);
  return applyPrimitive(prim, [asTensor(a, dtype, backend), asTensor(b, dtype, backend)], {});
}

function compare(op: CompareOp | "logicalAnd" | "logicalOr", a: TensorLike, b: TensorLike): Tensor {
  checkScalar(op, a);
  checkScalar(op, b);
  const dtype = op === "logicalAnd" || op === "logicalOr" ? "bool" : resultType([operand(a), operand(b)]);
  const backend = backendOf(a, b);
  return applyPrimitive(op, [asTensor(a, dtype, backend), asTensor(b, dtype, backend)], {});
}

type FloatUnary = "exp" | "log" | "log1p" | "expm1" | "sin" | "cos" | "sqrt" | "tanh" | "sigmoid" | "erf";
type KeepUnary = "neg" | "abs" | "relu" | "sign" | "floor" | "ceil" | "round";

function unaryFloat(op: FloatUnary, x: Tensor): Tensor {
  checkTensor(op, x);
  return applyPrimitive(op, [isFloating(x.dtype) ? x : asTensor(x, "float32")], {});
}

function unaryKeep(op: KeepUnary, x: Tensor): Tensor {
  checkTensor(op, x);
  if (x.dtype === "bool" && op === "neg") throw new DTypeError("neg: negation of a bool tensor is not supported; use logicalNot");
  return applyPrimitive(op, [x], {});
}

/** Throws a TypeError naming the op unless `x` is a Tensor. */
export function checkTensor(op: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor, got ${x === null ? "null" : typeof x}`);
}

/** `a + b` with broadcasting. @example cr.add(cr.tensor([1, 2]), 1) // tensor([2, 3]) */
export const add = (a: TensorLike, b: TensorLike): Tensor => arithmetic("add", a, b);
/** `a - b` with broadcasting. */
export const sub = (a: TensorLike, b: TensorLike): Tensor => arithmetic("sub", a, b);
/** `a * b` with broadcasting. */
export const mul = (a: TensorLike, b: TensorLike): Tensor => arithmetic("mul", a, b);
/** `a / b` with broadcasting; always true division (integers give float32). */
export const div = (a: TensorLike, b: TensorLike): Tensor => arithmetic("div", a, b);
/** `a ** b` with broadcasting. @example cr.pow(x, 2) */
export const pow = (a: TensorLike, b: TensorLike): Tensor => arithmetic("pow", a, b);
/** Elementwise maximum (NaN propagates; ties split the gradient). */
export const maximum = (a: TensorLike, b: TensorLike): Tensor => arithmetic("maximum", a, b);
/** Elementwise minimum (NaN propagates; ties split the gradient). */
export const minimum = (a: TensorLike, b: TensorLike): Tensor => arithmetic("minimum", a, b);

/** `a > b`, a bool tensor. */
export const gt = (a: TensorLike, b: TensorLike): Tensor => compare("gt", a, b);
/** `a >= b`, a bool tensor. */
export const ge = (a: TensorLike, b: TensorLike): Tensor => compare("ge", a, b);
/** `a < b`, a bool tensor. */
export const lt = (a: TensorLike, b: TensorLike): Tensor => compare("lt", a, b);
/** `a <= b`, a bool tensor. */
export const le = (a: TensorLike, b: TensorLike): Tensor => compare("le", a, b);
/** `a == b` elementwise, a bool tensor. */
export const eq = (a: TensorLike, b: TensorLike): Tensor => compare("eq", a, b);
/** `a != b` elementwise, a bool tensor. */
export const ne = (a: TensorLike, b: TensorLike): Tensor => compare("ne", a, b);
/** Elementwise logical and (non-zero is true). */
export const logicalAnd = (a: TensorLike, b: TensorLike): Tensor => compare("logicalAnd", a, b);
/** Elementwise logical or (non-zero is true). */
export const logicalOr = (a: TensorLike, b: TensorLike): Tensor => compare("logicalOr", a, b);
/** Elementwise logical not. */
export const logicalNot = (x: Tensor): Tensor => (checkTensor("logicalNot", x), applyPrimitive("logicalNot", [x], {}));
/** True where the element is NaN. */
export const isnan = (x: Tensor): Tensor => (checkTensor("isnan", x), applyPrimitive("isnan", [x], {}));
/** True where the element is ±Infinity. */
export const isinf = (x: Tensor): Tensor => (checkTensor("isinf", x), applyPrimitive("isinf", [x], {}));
/** True where the element is finite. */
export const isfinite = (x: Tensor): Tensor => (checkTensor("isfinite", x), applyPrimitive("isfinite", [x], {}));

/** `-x`. */
export const neg = (x: Tensor): Tensor => unaryKeep("neg", x);
/** `|x|`. */
export const abs = (x: Tensor): Tensor => unaryKeep("abs", x);
/** Sign of each element: -1, 0 or 1. */
export const sign = (x: Tensor): Tensor => unaryKeep("sign", x);
/** Rounds down. */
export const floor = (x: Tensor): Tensor => unaryKeep("floor", x);
/** Rounds up. */
export const ceil = (x: Tensor): Tensor => unaryKeep("ceil", x);
/** Rounds half to even, as PyTorch. */
export const round = (x: Tensor): Tensor => unaryKeep("round", x);
/** `√x`. */
export const sqrt = (x: Tensor): Tensor => unaryFloat("sqrt", x);
/** `eˣ`. */
export const exp = (x: Tensor): Tensor => unaryFloat("exp", x);
/** Natural logarithm. */
export const log = (x: Tensor): Tensor => unaryFloat("log", x);
/** `log(1 + x)`, accurate for small x. */
export const log1p = (x: Tensor): Tensor => unaryFloat("log1p", x);
/** `eˣ - 1`, accurate for small x. */
export const expm1 = (x: Tensor): Tensor => unaryFloat("expm1", x);
/** Sine. @example cr.sin(x.pow(2)) // the lesson's y = sin(x²) */
export const sin = (x: Tensor): Tensor => unaryFloat("sin", x);
/** Cosine. */
export const cos = (x: Tensor): Tensor => unaryFloat("cos", x);
/** Hyperbolic tangent. */
export const tanh = (x: Tensor): Tensor => unaryFloat("tanh", x);
/** The logistic sigmoid `1 / (1 + e⁻ˣ)`; its derivative never exceeds 0.25. */
export const sigmoid = (x: Tensor): Tensor => unaryFloat("sigmoid", x);
/** The error function. */
export const erf = (x: Tensor): Tensor => unaryFloat("erf", x);
/** `max(x, 0)`, with gradient 0 at 0 as in PyTorch. */
export const relu = (x: Tensor): Tensor => unaryKeep("relu", x);

/** `x²`. */
export const square = (x: Tensor): Tensor => mul(x, x);
/** `1 / x`. */
export const reciprocal = (x: Tensor): Tensor => div(1, x);
/** `1 / √x`. */
export const rsqrt = (x: Tensor): Tensor => div(1, sqrt(x));

/**
 * `cond ? a : b` elementwise, with broadcasting; gradients flow to `a` where cond holds and to `b` elsewhere.
 * @example cr.where(x.gt(0), x, 0) // relu
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  checkTensor("where", cond);
  checkScalar("where", a);
  checkScalar("where", b);
  const dtype = resultType([operand(a), operand(b)]);
  const backend = backendOf(cond, a, b);
  const c = cond.dtype === "bool" ? cond : asTensor(cond, "bool", backend);
  return applyPrimitive("where", [c, asTensor(a, dtype, backend), asTensor(b, dtype, backend)], {});
}

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

/** `x` for x > 0, `negativeSlope · x` otherwise. */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  checkTensor("leakyRelu", x);
  return where(gt(x, 0), x, mul(x, negativeSlope));
}

/** Gaussian error linear unit: `x·Φ(x)` exactly (`"none"`), or its tanh approximation (`"tanh"`). */
export function gelu(x: Tensor, approximate: "none" | "tanh" = "none"): Tensor {
  checkTensor("gelu", x);
  if (approximate === "tanh") {
    const inner = mul(add(x, mul(pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(x, 0.5), add(tanh(inner), 1));
  }
  if (approximate !== "none") throw new ArgumentError(`gelu: approximate must be "none" or "tanh", got ${JSON.stringify(approximate)}`);
  return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));
}

/** `log(1 + eˣ)` (β = 1), linear above `threshold` for numerical stability, as PyTorch's softplus. */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  checkTensor("softplus", x);
  const bx = mul(x, beta);
  // log(1 + e^z) = max(z, 0) + log(1 + e^-|z|) never overflows.
  const soft = div(add(relu(bx), log1p(exp(neg(abs(bx))))), beta);
  return where(gt(bx, threshold), x, soft);
}

/** `x · σ(x)` (also called swish). */
export const silu = (x: Tensor): Tensor => mul(x, sigmoid(x));
