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
  readonly onBool?: "logicalOr" | "logicalAnd" | "int32" | "error";
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
