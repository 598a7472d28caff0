// THE table of elementwise ops: one entry per op, and everything that lists elementwise ops derives from it —
// the tensor methods and `cr.*` functions (generated at build time), the autograd primitive's derivative rules,
// every backend's kernels, the wasm kernels' op codes, the conformance cases, the PyTorch fixtures' op list and
// the op-coverage table in the docs. CONTRIBUTING.md walks through adding one.
//
// An entry is either an *instruction* (`fn`: its scalar math, which the cpu backend compiles into loops and other
// backends may run natively) or a *composite* (`expr`: a program over other entries). Its derivative is written
// once, as a local rule linear in `m` (the incoming gradient in reverse mode, the tangent in forward mode), from
// which both modes are generated; a composite's comes from its parts by the chain rule.
import { Expr, select } from "./expr.js";
import { erf, roundHalfEven, sigmoid } from "./scalar-math.js";
import { copysign, divFloor, lerp, logaddexp, mish, remainder, shiftLeft, shiftRight, xlogy } from "./scalar-math.js";
import { binaryCrossEntropy } from "./scalar-math.js";

/** How the tensor layer picks an op's dtypes from its operands (PyTorch's rules). */
export type DTypeRule =
  /** Operands promoted together; integers and bools are computed as float32 (exp, true division). */
  | "float"
  /** Operands promoted together; the result keeps that dtype (neg, add, maximum). */
  | "keep"
  /** Operands promoted together; the result is bool (gt, eq). */
  | "compare"
  /** Operands read as bools; the result is bool (logicalAnd). */
  | "logical"
  /** Any operand; the result is bool (isnan). */
  | "test"
  /** A bool condition, then the two branches promoted together (where). */
  | "where"
  /** Dtypes chosen by the library's own caller (cast, thresholdBackward). */
  | "internal";

/**
 * An op's local derivative: for `m` (a gradient flowing back, or a tangent flowing forward) the contribution to
 * each input, as expressions over the op's inputs and its result `out`. Linear in `m`. null where an input gets
 * none; a float input that gets none from anywhere gets zeros, as PyTorch's zero gradients of floor or sign.
 */
export type Derivative = (m: Expr, inputs: readonly Expr[], out: Expr) => readonly (Expr | null)[];

/** What tests need to know to draw inputs for an op (gradcheck, the conformance suite, the PyTorch fixtures). */
export interface OpTest {
  /** Where inputs are drawn from: one range for every input, or one per input (default [-2, 2]). */
  readonly domain?: readonly [number, number] | readonly (readonly [number, number])[];
  /** Points the op is not differentiable at (gradcheck keeps inputs away from them). */
  readonly avoid?: "zero" | "integers" | "ties";
  /** The inputs' kinds where some are conditions (where). */
  readonly kinds?: readonly ("float" | "bool")[];
  /**
   * Inputs (by position) that are an op's numeric parameters rather than data (elu's alpha): the PyTorch fixtures
   * pass them to torch as plain numbers, and take no gradient for them.
   */
  readonly parameters?: readonly number[];
}

export interface ElementwiseOpDef {
  readonly arity: 1 | 2 | 3;
  /** The scalar math, on doubles (bools and integers arrive as numbers): the op is an instruction. */
  readonly fn?: (...args: number[]) => number;
  /** The op as a program over other ops: a composite. */
  readonly expr?: (...inputs: Expr[]) => Expr;
  /** A test whose result is 0 or 1 (stored as bool). */
  readonly predicate?: true;
  /** Absent for ops whose results never require grad (predicates). */
  readonly derivative?: Derivative;
  readonly dtype: DTypeRule;
  /** What `add`/`mul`/`sub`/`pow`/`neg` do with bool operands, as PyTorch: another op, int32 math, or an error. */
  readonly onBool?: "logicalOr" | "logicalAnd" | "int32" | "error" | "logicalNot";
  /** With `onBool: "error"`: what to use instead, for the message. */
  readonly boolHint?: string;
  /** An example for the docs, with `x` (and `y`) tensors. */
  readonly example?: string;
  /** False where PyTorch's tensor method differs from the function (`Tensor.where` takes its arguments in another order). */
  readonly method?: false;
  /** One sentence for the docs (the method's and the function's JSDoc). */
  readonly doc: string;
  /**
   * PyTorch's equivalent, for the fixtures: a name where it is not the snake_case of ours (`torch.${torch}`), or
   * an expression of the operands `a`, `b`, `c` (`torch.ops.aten.threshold_backward(a, b, 0)`).
   */
  readonly torch?: string;
  readonly test?: OpTest;
  /** False for ops only the library itself applies (no tensor method, no `cr.*` function). */
  readonly public?: false;
  /** Integer and bool operands only (the bitwise ops): a floating-point operand is a DTypeError, as in PyTorch. */
  readonly integral?: true;
  /** The operands' names in the generated function and method, where `x` or `a, b` would not say what they are. */
  readonly operands?: readonly string[];
  /**
   * The op in WGSL, for GPU backends: a template over the operands `$0`, `$1`, `$2` (WGSL values of the op's
   * math type, `$T`: f32 or i32; bools where the op reads them as conditions or logic), one form for every type
   * or a float and an int form. Helpers it calls (`cr_erf`) are in `wgsl-math.ts`. Composites need none.
   */
  readonly wgsl?: WgslForm;
}

/** An op's WGSL spelling: one template for every math type, or one for floats and one for integers. */
export type WgslForm = string | { readonly float: string; readonly int: string };

const SQRT_2_OVER_PI = 2 / Math.sqrt(Math.PI);
// SELU's constants (Klambauer et al. 2017), to PyTorch's digits.
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
/** x where x ≤ 0, else 0 (selected, so no gradient reaches x from above 0): the ELUs' exponential never overflows. */
const nonPositive = (x: Expr): Expr => select(x.gt(0), 0, x);
/** A piecewise-constant op: zero gradient everywhere (PyTorch's too, not none). */
const flat: Derivative = () => [null];
// NaN propagates through maximum and minimum, as in PyTorch.
const nanMax = (a: number, b: number): number => (a !== a || b !== b ? NaN : a > b ? a : b);
const nanMin = (a: number, b: number): number => (a !== a || b !== b ? NaN : a < b ? a : b);

/** The elementwise ops. The order is the op codes' (the wasm kernels' constants are generated from it). */
export const ELEMENTWISE = {
  // ---- arithmetic ----
  add: {
    arity: 2, fn: (a, b) => a + b, dtype: "keep", onBool: "logicalOr",
    // d(a + b) = da + db
    derivative: (m) => [m, m],
    example: "cr.add(cr.tensor([1, 2]), 1) // tensor([2, 3])",
    doc: "`a + b` elementwise, with broadcasting.",
    wgsl: "$0 + $1",
  },
  sub: {
    arity: 2, fn: (a, b) => a - b, dtype: "keep", onBool: "error", boolHint: "use logicalXor, or convert with .to()",
    // d(a − b) = da − db
    derivative: (m) => [m, m.neg()],
    doc: "`a - b` elementwise, with broadcasting.",
    wgsl: "$0 - $1",
  },
  mul: {
    arity: 2, fn: (a, b) => a * b, dtype: "keep", onBool: "logicalAnd",
    // d(ab) = b da + a db
    derivative: (m, [a, b]) => [m.mul(b!), m.mul(a!)],
    example: "x.mul(2)",
    doc: "`a * b` elementwise, with broadcasting.",
    wgsl: "$0 * $1",
  },
  div: {
    arity: 2, fn: (a, b) => a / b, dtype: "float",
    // d(a/b) = da/b − a db/b²
    derivative: (m, [a, b]) => [m.div(b!), m.neg().mul(a!).div(b!.mul(b!))],
    doc: "`a / b` elementwise, always true division (integers give float32).",
    test: { domain: [[-2, 2], [0.5, 2]] },
    wgsl: { float: "$0 / $1", int: "select($0 / $1, 0, $1 == 0)" },
  },
  pow: {
    arity: 2, fn: Math.pow, dtype: "keep", onBool: "int32",
    // d(aᵇ) = b aᵇ⁻¹ da + aᵇ log a db; PyTorch's conventions at b = 0 and at a = 0 keep NaN out.
    derivative: (m, [a, b], y) => [
      select(b!.eq(0), 0, m.mul(b!).mul(a!.pow(b!.sub(1)))),
      select(a!.eq(0).and(b!.ge(0)), 0, m.mul(y).mul(a!.log())),
    ],
    example: "cr.pow(x, 2)",
    doc: "`a ** b` elementwise, with broadcasting.",
    test: { domain: [[0.4, 2], [-1.5, 1.5]] },
    wgsl: { float: "cr_pow($0, $1)", int: "cr_ipow($0, $1)" },
  },
  maximum: {
    arity: 2, fn: nanMax, dtype: "keep",
    // Ties split the gradient in half, as PyTorch's maximum does.
    derivative: (m, [a, b]) => [
      select(a!.eq(b!), m.div(2), select(a!.gt(b!), m, 0)),
      select(a!.eq(b!), m.div(2), select(b!.gt(a!), m, 0)),
    ],
    doc: "The larger of `a` and `b` elementwise (NaN propagates; ties split the gradient).",
    test: { avoid: "ties" },
    wgsl: { float: "cr_maximum($0, $1)", int: "max($0, $1)" },
  },
  minimum: {
    arity: 2, fn: nanMin, dtype: "keep",
    derivative: (m, [a, b]) => [
      select(a!.eq(b!), m.div(2), select(a!.lt(b!), m, 0)),
      select(a!.eq(b!), m.div(2), select(b!.lt(a!), m, 0)),
    ],
    doc: "The smaller of `a` and `b` elementwise (NaN propagates; ties split the gradient).",
    test: { avoid: "ties" },
    wgsl: { float: "cr_minimum($0, $1)", int: "min($0, $1)" },
  },

  // ---- unary math ----
  neg: {
    arity: 1, fn: (a) => -a, dtype: "keep", onBool: "error", boolHint: "use logicalNot",
    derivative: (m) => [m.neg()],
    doc: "`-x`.",
    wgsl: "-$0",
  },
  abs: {
    arity: 1, fn: Math.abs, dtype: "keep",
    // d|x| = sign(x) dx (0 at 0, as in PyTorch)
    derivative: (m, [x]) => [m.mul(x!.sign())],
    doc: "`|x|`.",
    test: { avoid: "zero" },
    wgsl: "abs($0)",
  },
  sqrt: {
    arity: 1, fn: Math.sqrt, dtype: "float",
    // d√x = dx / (2√x)
    derivative: (m, _x, y) => [m.div(y.mul(2))],
    doc: "`√x`.",
    test: { domain: [0.3, 2] },
    wgsl: "sqrt($0)",
  },
  exp: {
    arity: 1, fn: Math.exp, dtype: "float",
    // d eˣ = eˣ dx
    derivative: (m, _x, y) => [m.mul(y)],
    example: "x.exp()",
    doc: "`eˣ`.",
    wgsl: "cr_exp($0)",
  },
  log: {
    arity: 1, fn: Math.log, dtype: "float",
    // d log x = dx / x
    derivative: (m, [x]) => [m.div(x!)],
    doc: "The natural logarithm.",
    test: { domain: [0.3, 2] },
    wgsl: "cr_log($0)",
  },
  log1p: {
    arity: 1, fn: Math.log1p, dtype: "float",
    // d log(1 + x) = dx / (1 + x)
    derivative: (m, [x]) => [m.div(x!.add(1))],
    doc: "`log(1 + x)`, accurate for small x.",
    test: { domain: [-0.5, 2] },
    wgsl: "cr_log1p($0)",
  },
  expm1: {
    arity: 1, fn: Math.expm1, dtype: "float",
    // d(eˣ − 1) = eˣ dx = (y + 1) dx
    derivative: (m, _x, y) => [m.mul(y.add(1))],
    doc: "`eˣ - 1`, accurate for small x.",
    wgsl: "cr_expm1($0)",
  },
  sin: {
    arity: 1, fn: Math.sin, dtype: "float",
    // d sin x = cos x dx
    derivative: (m, [x]) => [m.mul(x!.cos())],
    example: "cr.sin(x.pow(2)) // the lesson's y = sin(x²)",
    doc: "The sine.",
    wgsl: "cr_sin($0)",
  },
  cos: {
    arity: 1, fn: Math.cos, dtype: "float",
    // d cos x = −sin x dx
    derivative: (m, [x]) => [m.mul(x!.sin()).neg()],
    doc: "The cosine.",
    wgsl: "cr_cos($0)",
  },
  tan: {
    arity: 1, fn: Math.tan, dtype: "float",
    // d tan x = (1 + tan² x) dx
    derivative: (m, _x, y) => [m.mul(y.mul(y).add(1))],
    doc: "The tangent.",
    test: { domain: [-1.2, 1.2] },
    wgsl: "cr_tan($0)",
  },
  tanh: {
    arity: 1, fn: Math.tanh, dtype: "float",
    // d tanh x = (1 − tanh² x) dx
    derivative: (m, _x, y) => [m.mul(y.mul(y).neg().add(1))],
    doc: "The hyperbolic tangent.",
    wgsl: "cr_tanh($0)",
  },
  sigmoid: {
    arity: 1, fn: sigmoid, dtype: "float",
    // d σ(x) = σ(x)(1 − σ(x)) dx, never above 0.25
    derivative: (m, _x, y) => [m.mul(y.mul(y.neg().add(1)))],
    doc: "The logistic sigmoid `1 / (1 + e⁻ˣ)`; its derivative never exceeds 0.25.",
    wgsl: "cr_sigmoid($0)",
  },
  relu: {
    arity: 1, fn: (a) => (a <= 0 ? 0 : a), dtype: "keep",
    // d relu x = [x > 0] dx, read off the result (0 at 0, as in PyTorch; NaN passes the gradient): thresholdBackward
    derivative: (m, _x, y) => [Expr.call("thresholdBackward", m, y)],
    example: "x.relu()",
    doc: "`max(x, 0)`, with gradient 0 at 0 as in PyTorch.",
    test: { avoid: "zero" },
    wgsl: "select($0, 0, $0 <= 0)",
  },
  erf: {
    arity: 1, fn: erf, dtype: "float",
    // d erf x = 2/√π e^(−x²) dx
    derivative: (m, [x]) => [m.mul(x!.mul(x!).neg().exp().mul(SQRT_2_OVER_PI))],
    doc: "The error function.",
    wgsl: "cr_erf($0)",
  },
  sign: {
    // (0 < x) − (x < 0), as PyTorch: NaN and −0 give 0.
    arity: 1, fn: (a) => Number(a > 0) - Number(a < 0), dtype: "keep", derivative: flat,
    doc: "The sign of each element: -1, 0 or 1 (0 for NaN, as PyTorch).",
    test: { avoid: "zero" },
    wgsl: "$T($0 > 0) - $T($0 < 0)",
  },
  floor: {
    arity: 1, fn: Math.floor, dtype: "keep", derivative: flat,
    doc: "Rounds down.",
    test: { avoid: "integers" },
    wgsl: { float: "floor($0)", int: "$0" },
  },
  ceil: {
    arity: 1, fn: Math.ceil, dtype: "keep", derivative: flat,
    doc: "Rounds up.",
    test: { avoid: "integers" },
    wgsl: { float: "ceil($0)", int: "$0" },
  },
  round: {
    arity: 1, fn: roundHalfEven, dtype: "keep", derivative: flat,
    doc: "Rounds half to even, as PyTorch.",
    test: { avoid: "integers" },
    wgsl: { float: "round($0)", int: "$0" },
  },

  // ---- tests and logic ----
  gt: { arity: 2, fn: (a, b) => Number(a > b), predicate: true, dtype: "compare", example: "x.gt(0) // a mask of the positive elements", doc: "`a > b`, a bool tensor.", wgsl: "$0 > $1" },
  ge: { arity: 2, fn: (a, b) => Number(a >= b), predicate: true, dtype: "compare", doc: "`a >= b`, a bool tensor.", wgsl: "$0 >= $1" },
  lt: { arity: 2, fn: (a, b) => Number(a < b), predicate: true, dtype: "compare", doc: "`a < b`, a bool tensor.", wgsl: "$0 < $1" },
  le: { arity: 2, fn: (a, b) => Number(a <= b), predicate: true, dtype: "compare", doc: "`a <= b`, a bool tensor.", wgsl: "$0 <= $1" },
  eq: { arity: 2, fn: (a, b) => Number(a === b), predicate: true, dtype: "compare", doc: "`a == b` elementwise, a bool tensor.", wgsl: "$0 == $1" },
  ne: { arity: 2, fn: (a, b) => Number(a !== b), predicate: true, dtype: "compare", doc: "`a != b` elementwise, a bool tensor.", wgsl: "!($0 == $1)" },
  logicalAnd: { arity: 2, fn: (a, b) => Number(a !== 0 && b !== 0), predicate: true, dtype: "logical", doc: "Elementwise logical and (non-zero is true).", wgsl: "$0 && $1" },
  logicalOr: { arity: 2, fn: (a, b) => Number(a !== 0 || b !== 0), predicate: true, dtype: "logical", doc: "Elementwise logical or (non-zero is true).", wgsl: "$0 || $1" },
  logicalNot: { arity: 1, fn: (a) => Number(a === 0), predicate: true, dtype: "logical", doc: "Elementwise logical not.", wgsl: "!$0" },
  isnan: { arity: 1, fn: (a) => Number(a !== a), predicate: true, dtype: "test", doc: "True where the element is NaN.", wgsl: "cr_isnan($0)" },
  isinf: { arity: 1, fn: (a) => Number(a === Infinity || a === -Infinity), predicate: true, dtype: "test", doc: "True where the element is ±Infinity.", wgsl: "cr_isinf($0)" },
  isfinite: { arity: 1, fn: (a) => Number(a - a === 0), predicate: true, dtype: "test", doc: "True where the element is finite.", wgsl: "cr_isfinite($0)" },

  // ---- selection and conversion ----
  where: {
    arity: 3, fn: (c, a, b) => (c !== 0 ? a : b), dtype: "where",
    // d where(c, a, b) = where(c, da, db)
    derivative: (m, [c]) => [null, select(c!, m, 0), select(c!, 0, m)],
    doc: "`cond ? a : b` elementwise, with broadcasting; gradients flow to `a` where cond holds and to `b` elsewhere.",
    example: "cr.where(x.gt(0), x, 0) // relu",
    method: false,
    test: { kinds: ["bool", "float", "float"] },
    wgsl: "select($2, $1, $0)",
  },
  cast: {
    arity: 1, fn: (a) => a, dtype: "internal", public: false,
    // The gradient goes back converted to the input's dtype (the engine converts it).
    derivative: (m) => [m],
    doc: "A copy converted to another dtype (bool: non-zero is true; int32: truncation toward zero).",
    wgsl: "$0",
  },
  // relu's gradient as an op of its own: [y > 0]·g, linear in g and flat in y (PyTorch's threshold_backward). An
  // instruction rather than where(y <= 0, 0, g), so backends give it the one or two instructions it needs.
  thresholdBackward: {
    arity: 2, fn: (g, y) => (y <= 0 ? 0 : g), dtype: "internal", public: false,
    // d/dg: the same mask; d/dy: zero (the engine gives y zeros)
    derivative: (m, [, y]) => [Expr.call("thresholdBackward", m, y!), null],
    doc: "relu's gradient: `b <= 0 ? 0 : a`, with `a` the incoming gradient and `b` relu's output.",
    torch: "torch.ops.aten.threshold_backward(a, b, 0)",
    wgsl: "select($0, 0, $1 <= 0)",
  },
  // ---- more math (issue 23) ----
  asin: {
    arity: 1, fn: Math.asin, dtype: "float",
    // d asin x = dx / √(1 − x²)
    derivative: (m, [x]) => [m.div(x!.mul(x!).neg().add(1).sqrt())],
    doc: "The inverse sine (NaN outside [-1, 1]).",
    test: { domain: [-0.9, 0.9] },
    wgsl: "cr_asin($0)",
  },
  acos: {
    arity: 1, fn: Math.acos, dtype: "float",
    // d acos x = −dx / √(1 − x²)
    derivative: (m, [x]) => [m.neg().div(x!.mul(x!).neg().add(1).sqrt())],
    doc: "The inverse cosine (NaN outside [-1, 1]).",
    test: { domain: [-0.9, 0.9] },
    wgsl: "cr_acos($0)",
  },
  atan: {
    arity: 1, fn: Math.atan, dtype: "float",
    // d atan x = dx / (1 + x²)
    derivative: (m, [x]) => [m.div(x!.mul(x!).add(1))],
    doc: "The inverse tangent.",
    wgsl: "cr_atan($0)",
  },
  atan2: {
    arity: 2, fn: Math.atan2, dtype: "float",
    // d atan2(a, b) = (b da − a db) / (a² + b²)
    derivative: (m, [a, b]) => {
      const r2 = a!.mul(a!).add(b!.mul(b!));
      return [m.mul(b!).div(r2), m.neg().mul(a!).div(r2)];
    },
    example: "cr.atan2(y, x) // the angle of the point (x, y)",
    doc: "The angle of the point `(b, a)` from the positive x axis, in (-π, π]: `atan(a / b)` in the right quadrant.",
    test: { domain: [[-2, 2], [0.3, 2]] },
    wgsl: "cr_atan2($0, $1)",
  },
  sinh: {
    arity: 1, fn: Math.sinh, dtype: "float",
    // d sinh x = cosh x dx
    derivative: (m, [x]) => [m.mul(Expr.call("cosh", x!))],
    doc: "The hyperbolic sine.",
    wgsl: "cr_sinh($0)",
  },
  cosh: {
    arity: 1, fn: Math.cosh, dtype: "float",
    // d cosh x = sinh x dx
    derivative: (m, [x]) => [m.mul(Expr.call("sinh", x!))],
    doc: "The hyperbolic cosine.",
    wgsl: "cr_cosh($0)",
  },
  asinh: {
    arity: 1, fn: Math.asinh, dtype: "float",
    // d asinh x = dx / √(x² + 1)
    derivative: (m, [x]) => [m.div(x!.mul(x!).add(1).sqrt())],
    doc: "The inverse hyperbolic sine.",
    wgsl: "cr_asinh($0)",
  },
  acosh: {
    arity: 1, fn: Math.acosh, dtype: "float",
    // d acosh x = dx / √(x² − 1)
    derivative: (m, [x]) => [m.div(x!.mul(x!).sub(1).sqrt())],
    doc: "The inverse hyperbolic cosine (NaN below 1).",
    test: { domain: [1.2, 3] },
    wgsl: "cr_acosh($0)",
  },
  atanh: {
    arity: 1, fn: Math.atanh, dtype: "float",
    // d atanh x = dx / (1 − x²)
    derivative: (m, [x]) => [m.div(x!.mul(x!).neg().add(1))],
    doc: "The inverse hyperbolic tangent (±Infinity at ±1, NaN beyond).",
    test: { domain: [-0.9, 0.9] },
    wgsl: "cr_atanh($0)",
  },
  log2: {
    arity: 1, fn: Math.log2, dtype: "float",
    // d log₂ x = dx / (x ln 2)
    derivative: (m, [x]) => [m.div(x!.mul(Math.LN2))],
    doc: "The base-2 logarithm.",
    test: { domain: [0.3, 2] },
    wgsl: "cr_log2($0)",
  },
  log10: {
    arity: 1, fn: Math.log10, dtype: "float",
    // d log₁₀ x = dx / (x ln 10)
    derivative: (m, [x]) => [m.div(x!.mul(Math.LN10))],
    doc: "The base-10 logarithm.",
    test: { domain: [0.3, 2] },
    wgsl: "cr_log($0) * 0.4342944819032518",
  },
  exp2: {
    arity: 1, fn: (a) => Math.pow(2, a), dtype: "float",
    // d 2ˣ = 2ˣ ln 2 dx
    derivative: (m, _x, y) => [m.mul(y).mul(Math.LN2)],
    doc: "`2ˣ`.",
    wgsl: "cr_exp2($0)",
  },
  trunc: {
    arity: 1, fn: Math.trunc, dtype: "keep", derivative: flat, onBool: "error", boolHint: "convert with .to()",
    doc: "Rounds toward zero.",
    test: { avoid: "integers" },
    wgsl: { float: "trunc($0)", int: "$0" },
  },
  frac: {
    // x − trunc(x): its derivative is dx, as PyTorch's (trunc's is zero)
    arity: 1, expr: (x) => x.sub(Expr.call("trunc", x)), dtype: "keep", onBool: "error", boolHint: "convert with .to()",
    doc: "The fractional part `x - trunc(x)`, with the sign of x (NaN for ±Infinity).",
    test: { avoid: "integers" },
  },
  reciprocal: {
    arity: 1, fn: (a) => 1 / a, dtype: "float",
    // d(1/x) = −dx / x² = −y² dx
    derivative: (m, _x, y) => [m.neg().mul(y.mul(y))],
    doc: "`1 / x` (integers give float32).",
    test: { domain: [0.4, 2] },
    wgsl: "1.0 / $0",
  },
  rsqrt: {
    arity: 1, fn: (a) => 1 / Math.sqrt(a), dtype: "float",
    // d x^(−1/2) = −½ x^(−3/2) dx = −½ y³ dx
    derivative: (m, _x, y) => [m.mul(y.mul(y).mul(y)).mul(-0.5)],
    doc: "`1 / √x`.",
    test: { domain: [0.3, 2] },
    wgsl: "cr_rsqrt($0)",
  },
  square: {
    arity: 1, fn: (a) => a * a, dtype: "keep", onBool: "int32",
    // d x² = 2x dx
    derivative: (m, [x]) => [m.mul(x!.mul(2))],
    doc: "`x²` (integers stay integers).",
    wgsl: "$0 * $0",
  },
  hypot: {
    arity: 2, fn: Math.hypot, dtype: "float",
    // d √(a² + b²) = (a da + b db) / y
    derivative: (m, [a, b], y) => [m.mul(a!).div(y), m.mul(b!).div(y)],
    doc: "`√(a² + b²)` without overflow or underflow in the squares.",
    test: { avoid: "zero" },
    wgsl: "cr_hypot($0, $1)",
  },
  copysign: {
    arity: 2, fn: copysign, dtype: "float",
    // d copysign(a, b) = (y / a) da away from a = 0 and 0 there, as PyTorch; nothing for b
    derivative: (m, [a], y) => [select(a!.eq(0), 0, m.mul(y.div(a!))), null],
    doc: "`|a|` with the sign of `b` (`-0` counts as negative).",
    test: { avoid: "zero" },
    wgsl: "cr_copysign($0, $1)",
  },
  logaddexp: {
    arity: 2, fn: logaddexp, dtype: "float",
    // d log(eᵃ + eᵇ) = da / (1 + e^(b−a)) + db / (1 + e^(a−b))
    derivative: (m, [a, b]) => [m.div(b!.sub(a!).exp().add(1)), m.div(a!.sub(b!).exp().add(1))],
    doc: "`log(eᵃ + eᵇ)`, computed without overflow (`max(a, b) + log1p(e^-|a-b|)`).",
    test: { domain: [-4, 4] },
    wgsl: "cr_logaddexp($0, $1)",
  },
  lerp: {
    arity: 3, fn: lerp, dtype: "float", operands: ["input", "end", "weight"],
    // d(s + w(e − s)) = (1 − w) ds + w de + (e − s) dw
    derivative: (m, [s, e, w]) => [m.mul(w!.neg().add(1)), m.mul(w!), m.mul(e!.sub(s!))],
    example: "cr.lerp(start, end, 0.25) // a quarter of the way from start to end",
    doc: "Linear interpolation `input + weight·(end - input)` (weight a tensor or a number), exact at weight 0 and 1.",
    wgsl: "cr_lerp($0, $1, $2)",
  },
  fmod: {
    arity: 2, fn: (a, b) => a % b, dtype: "keep", onBool: "error", boolHint: "convert with .to()",
    // a − b·trunc(a/b): d = da − trunc(a/b) db
    derivative: (m, [a, b]) => [m, m.neg().mul(Expr.call("divTrunc", a!, b!))],
    doc: "The remainder of `a / b` with the sign of `a` (C's fmod); integer division by zero gives 0 where PyTorch raises.",
    test: { domain: [[-3, 3], [0.7, 1.6]] },
    wgsl: { float: "cr_fmod($0, $1)", int: "select($0 % $1, 0, $1 == 0)" },
  },
  remainder: {
    arity: 2, fn: remainder, dtype: "keep", onBool: "error", boolHint: "convert with .to()",
    // a − b·floor(a/b): d = da − floor(a/b) db
    derivative: (m, [a, b]) => [m, m.neg().mul(Expr.call("divFloor", a!, b!))],
    example: "cr.remainder(cr.tensor([-3, 3]), 2) // tensor([1, 1]), as Python's %",
    doc: "The remainder of `a / b` with the sign of `b` (Python's `%`); integer division by zero gives 0 where PyTorch raises.",
    test: { domain: [[-3, 3], [0.7, 1.6]] },
    wgsl: { float: "cr_remainder($0, $1)", int: "cr_iremainder($0, $1)" },
  },
  divTrunc: {
    arity: 2, fn: (a, b) => Math.trunc(a / b), dtype: "keep", onBool: "error", boolHint: "convert with .to()", public: false,
    derivative: flat,
    doc: "`a / b` rounded toward zero (`cr.div(a, b, { roundingMode: \"trunc\" })`); integers stay integers.",
    torch: "torch.div(a, b, rounding_mode='trunc')",
    test: { domain: [[-3, 3], [0.7, 1.6]] },
    wgsl: { float: "cr_div_trunc($0, $1)", int: "select($0 / $1, 0, $1 == 0)" },
  },
  divFloor: {
    arity: 2, fn: divFloor, dtype: "keep", onBool: "error", boolHint: "convert with .to()", public: false,
    derivative: flat,
    doc: "`a / b` rounded toward −∞ (`cr.div(a, b, { roundingMode: \"floor\" })`, Python's `//`); integers stay integers.",
    torch: "torch.div(a, b, rounding_mode='floor')",
    test: { domain: [[-3, 3], [0.7, 1.6]] },
    wgsl: { float: "cr_div_floor($0, $1)", int: "cr_idiv_floor($0, $1)" },
  },
  floorDivide: {
    arity: 2, expr: (a, b) => Expr.call("divFloor", a, b), dtype: "keep", onBool: "error", boolHint: "convert with .to()",
    example: "cr.floorDivide(cr.tensor([-7, 7]), 2) // tensor([-4, 3])",
    doc: "`a / b` rounded toward −∞ (Python's `//`, PyTorch's floor_divide); integer division by zero gives 0 where PyTorch raises.",
    test: { domain: [[-3, 3], [0.7, 1.6]] },
  },
  xlogy: {
    arity: 2, fn: xlogy, dtype: "float",
    // d x log y = xlogy(x ≠ 0, y) dx + (x / y) dy, so x = 0 gives 0 rather than 0·log 0, as PyTorch
    derivative: (m, [a, b]) => [m.mul(Expr.call("xlogy", a!.ne(0), b!)), m.mul(a!).div(b!)],
    doc: "`a·log(b)`, 0 where a is 0 (unless b is NaN): the entropy term that stays finite at 0.",
    test: { domain: [[-2, 2], [0.3, 2]] },
    wgsl: "cr_xlogy($0, $1)",
  },

  // ---- activations (cr.nn.functional; public: false, since PyTorch has no tensor methods for them) ----
  elu: {
    // expm1 of min(x, 0) (selected, not computed): for large x, expm1(x) overflows and its 0 gradient would be NaN.
    arity: 2, expr: (x, alpha) => select(x.gt(0), x, Expr.call("expm1", nonPositive(x)).mul(alpha)), dtype: "float", public: false,
    doc: "`x` for x > 0, `alpha·(eˣ - 1)` otherwise (`cr.nn.functional.elu`).",
    torch: "torch.nn.functional.elu(a, b)",
    test: { domain: [[-2, 2], [0.5, 2]], avoid: "zero", parameters: [1] },
  },
  celu: {
    arity: 2, expr: (x, alpha) => select(x.gt(0), x, Expr.call("expm1", nonPositive(x).div(alpha)).mul(alpha)), dtype: "float", public: false,
    doc: "`x` for x > 0, `alpha·(e^(x/alpha) - 1)` otherwise (`cr.nn.functional.celu`).",
    torch: "torch.nn.functional.celu(a, b)",
    test: { domain: [[-2, 2], [0.5, 2]], avoid: "zero", parameters: [1] },
  },
  selu: {
    arity: 1, expr: (x) => select(x.gt(0), x.mul(SELU_SCALE), Expr.call("expm1", nonPositive(x)).mul(SELU_ALPHA * SELU_SCALE)), dtype: "float", public: false,
    doc: "`scale·x` for x > 0, `scale·alpha·(eˣ - 1)` otherwise, with the self-normalising constants (`cr.nn.functional.selu`).",
    torch: "torch.nn.functional.selu",
    test: { avoid: "zero" },
  },
  hardtanh: {
    // Selected, not clamped: the gradient is 0 at the bounds themselves, as PyTorch's hardtanh_backward.
    arity: 3, expr: (x, lo, hi) => select(x.le(lo), lo, select(x.ge(hi), hi, x)), dtype: "float", public: false,
    doc: "`x` limited to [minVal, maxVal], with gradient 0 at the bounds (`cr.nn.functional.hardtanh`).",
    torch: "torch.nn.functional.hardtanh(a, b, c)",
    test: { domain: [[-2, 2], [-1.5, -0.5], [0.5, 1.5]], parameters: [1, 2] },
  },
  relu6: {
    arity: 1, expr: (x) => Expr.call("hardtanh", x, 0, 6), dtype: "float", public: false,
    doc: "`min(max(x, 0), 6)`, with gradient 0 at 0 and 6 (`cr.nn.functional.relu6`).",
    torch: "torch.nn.functional.relu6",
    test: { domain: [-2, 8], avoid: "zero" },
  },
  hardswish: {
    // PyTorch's pieces: 0 below −3, x(x + 3)/6 on [−3, 3], x above; its gradient x/3 + ½ on the closed middle piece
    // (−½ at −3 and 3/2 at 3, as PyTorch's hardswish_backward).
    // The low piece is x·0, as PyTorch's x·min(max(x + 3, 0), 6)/6: −0 for finite x, NaN for −Infinity.
    arity: 1, expr: (x) => select(x.lt(-3), x.mul(0), select(x.le(3), x.mul(x.add(3)).div(6), x)), dtype: "float", public: false,
    doc: "`x·min(max(x + 3, 0), 6) / 6` (`cr.nn.functional.hardswish`).",
    torch: "torch.nn.functional.hardswish",
    test: { domain: [-5, 5] },
  },
  hardsigmoid: {
    arity: 1, expr: (x) => select(x.le(-3), 0, select(x.ge(3), 1, x.add(3).div(6))), dtype: "float", public: false,
    doc: "`min(max(x + 3, 0), 6) / 6`, with gradient 0 at ±3 (`cr.nn.functional.hardsigmoid`).",
    // PyTorch's hardsigmoid_backward multiplies by 1/6 rounded to float32 even in float64; relu6(x + 3)/6 is the
    // same function with the exact gradient (test/activations.test.ts compares with F.hardsigmoid itself).
    torch: "torch.nn.functional.relu6(a + 3) / 6",
    test: { domain: [-5, 5] },
  },
  mish: {
    // An instruction: as a composite, softplus's gradient e^x/(1 + e^x) is ∞/∞ once e^x overflows.
    arity: 1, fn: mish, dtype: "float", public: false,
    // d x·tanh(sp(x)) = (t + x·σ(x)·(1 − t²)) dx with t = tanh(softplus(x)), as PyTorch's mish_backward
    derivative: (m, [x]) => {
      const t = Expr.call("tanh", Expr.call("log1p", x!.exp()));
      return [m.mul(t.add(x!.mul(Expr.call("sigmoid", x!)).mul(t.mul(t).neg().add(1))))];
    },
    doc: "`x·tanh(softplus(x))` (`cr.nn.functional.mish`).",
    torch: "torch.nn.functional.mish",
    wgsl: "cr_mish($0)",
  },
  softsign: {
    arity: 1, expr: (x) => x.div(Expr.call("abs", x).add(1)), dtype: "float", public: false,
    doc: "`x / (1 + |x|)` (`cr.nn.functional.softsign`).",
    torch: "torch.nn.functional.softsign",
  },
  logsigmoid: {
    // min(x, 0) − log1p(e^−|x|), both pieces taking the side x ≥ 0 at 0, so the gradient there is the true ½.
    arity: 1, expr: (x) => {
      const pos = x.ge(0);
      return select(pos, 0, x).sub(Expr.call("log1p", select(pos, x.neg(), x).exp()));
    },
    dtype: "float", public: false,
    doc: "`log σ(x)`, without overflow for large |x| (`cr.nn.functional.logsigmoid`).",
    torch: "torch.nn.functional.logsigmoid",
  },
  prelu: {
    arity: 2, expr: (x, w) => select(x.gt(0), x, w.mul(x)), dtype: "float", public: false,
    doc: "`x` for x > 0, `weight·x` otherwise, the weight broadcast (`cr.nn.functional.prelu` puts it on the channel dim).",
    // torch.prelu puts the weight on dim 1: a 1-D input (the special values) gets a leading dim to match.
    torch: "torch.prelu(a.unsqueeze(0), b).squeeze(0) if a.dim() == 1 else torch.prelu(a, b)",
    test: { domain: [[-2, 2], [0, 0.5]], avoid: "zero" },
  },

  // ---- bitwise (integer and bool tensors) ----
  bitwiseAnd: {
    arity: 2, fn: (a, b) => a & b, dtype: "keep", integral: true,
    example: "cr.bitwiseAnd(cr.tensor([12], { dtype: \"int32\" }), 10) // tensor([8])",
    doc: "`a & b` elementwise, on int32 and bool tensors (logical and on bools).",
    test: { domain: [-1000, 1000] },
    wgsl: { float: "f32(cr_toint32($0) & cr_toint32($1))", int: "$0 & $1" },
  },
  bitwiseOr: {
    arity: 2, fn: (a, b) => a | b, dtype: "keep", integral: true,
    doc: "`a | b` elementwise, on int32 and bool tensors.",
    test: { domain: [-1000, 1000] },
    wgsl: { float: "f32(cr_toint32($0) | cr_toint32($1))", int: "$0 | $1" },
  },
  bitwiseXor: {
    arity: 2, fn: (a, b) => a ^ b, dtype: "keep", integral: true,
    doc: "`a ^ b` elementwise, on int32 and bool tensors.",
    test: { domain: [-1000, 1000] },
    wgsl: { float: "f32(cr_toint32($0) ^ cr_toint32($1))", int: "$0 ^ $1" },
  },
  bitwiseNot: {
    arity: 1, fn: (a) => ~a, dtype: "keep", integral: true, onBool: "logicalNot",
    doc: "`~x` elementwise, on int32 tensors (logical not on bools).",
    test: { domain: [-1000, 1000] },
    wgsl: { float: "f32(~cr_toint32($0))", int: "~$0" },
  },
  bitwiseLeftShift: {
    arity: 2, fn: shiftLeft, dtype: "keep", integral: true, onBool: "error", boolHint: "convert with .int()",
    example: "cr.bitwiseLeftShift(cr.tensor([1, 3], { dtype: \"int32\" }), 2) // tensor([4, 12])",
    doc: "`a << b` on int32 tensors (wrapping at 32 bits; counts outside [0, 31] give 0).",
    test: { domain: [[-1000, 1000], [0, 31]] },
    wgsl: { float: "f32(select(cr_toint32($0) << (u32(cr_toint32($1)) & 31u), 0, $1 < 0.0 || $1 > 31.0))", int: "select($0 << u32($1), 0, $1 < 0 || $1 > 31)" },
  },
  bitwiseRightShift: {
    arity: 2, fn: shiftRight, dtype: "keep", integral: true, onBool: "error", boolHint: "convert with .int()",
    doc: "`a >> b` (arithmetic) on int32 tensors (counts outside [0, 31] leave only the sign: 0 or -1).",
    test: { domain: [[-1000, 1000], [0, 31]] },
    wgsl: { float: "f32(cr_toint32($0) >> select(u32(cr_toint32($1)) & 31u, 31u, $1 < 0.0 || $1 > 31.0))", int: "$0 >> select(u32($1), 31u, $1 < 0 || $1 > 31)" },
  },
  logicalXor: { arity: 2, fn: (a, b) => Number((a !== 0) !== (b !== 0)), predicate: true, dtype: "logical", doc: "Elementwise logical exclusive or (non-zero is true).", wgsl: "$0 != $1" },
  binaryCrossEntropy: {
    // An instruction, as PyTorch's binary_cross_entropy: the logs are clamped at −100 in the value, while the
    // gradient is PyTorch's (p − y) / max(p·(1 − p), 1e-12), large and finite at p = 0 and 1 rather than 0.
    arity: 2, fn: binaryCrossEntropy, dtype: "float", public: false,
    derivative: (m, [p, y]) => [
      m.mul(p!.sub(y!)).div(Expr.call("maximum", p!.mul(p!.neg().add(1)), Math.fround(1e-12))), // PyTorch's EPSILON is a float
      m.mul(Expr.call("log1p", p!.neg()).sub(Expr.call("log", p!))),
    ],
    doc: "`−(y·log p + (1 − y)·log(1 − p))`, each log clamped at −100 (`cr.nn.functional.bceLoss`).",
    torch: "torch.nn.functional.binary_cross_entropy(*torch.broadcast_tensors(a, b), reduction='none')",
    test: { domain: [[0.05, 0.95], [0, 1]] },
    wgsl: "(($1 - 1.0) * cr_maximum(cr_log1p(-$0), -100.0) - $1 * cr_maximum(cr_log($0), -100.0))",
  },
} satisfies Record<string, ElementwiseOpDef>;

/** The name of an elementwise op. */
export type ElementwiseOp = keyof typeof ELEMENTWISE;

/** Every elementwise op's name, in op-code order. */
export const ELEMENTWISE_OPS = Object.keys(ELEMENTWISE) as ElementwiseOp[];

/** An op's definition by name, or undefined for a name the table lacks. */
export function elementwiseDef(name: string): ElementwiseOpDef | undefined {
  return Object.hasOwn(ELEMENTWISE, name) ? (ELEMENTWISE as Record<string, ElementwiseOpDef>)[name] : undefined;
}

/** An op's code: its position in the table (the wasm kernels' constants are generated from these). */
export function opCode(name: ElementwiseOp): number {
  return ELEMENTWISE_OPS.indexOf(name);
}

/** The ops the public API gets a tensor method and a `cr.*` function for. */
export const PUBLIC_ELEMENTWISE_OPS: readonly ElementwiseOp[] = ELEMENTWISE_OPS.filter((n) => (ELEMENTWISE as Record<string, ElementwiseOpDef>)[n]!.public !== false);
