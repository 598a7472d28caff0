// The primitive table: every differentiable op's forward (a kernel call) beside its derivative rules,
// `vjp` for reverse mode and `jvp` for forward mode (the compiler requires both or neither). Rules are
// written in differentiable tensor ops, so derivatives of derivatives come for free; the engine sums
// broadcast gradients down to each input's shape, and the dispatcher expands tangents up to the
// output's, so rules need not.
import type { BinaryOp, LossReduction, ReduceOp, TensorData, UnaryOp, Window2d } from "../backend/backend.js";
import type { DType } from "../dtype.js";
import { broadcastShapes, sizeOf } from "../shape.js";
import type { Shape } from "../shape.js";
import { Tensor } from "../tensor/tensor.js";
import { where } from "../tensor/elementwise.js";
import { sumToShape } from "../tensor/movement.js";
import { applyPrimitive } from "./dispatch.js";
import type { Derivatives, Jvp, Rule } from "./rule.js";

type NoParams = Record<string, never>;
/**
 * An operand flagged `trans` is stored with its last two dims swapped: the product uses its transpose without
 * copying it. `sumBatch`: the products over the operands' (broadcast) batch dims summed into one [m, n] result.
 */
interface MatmulParams { transA: boolean; transB: boolean; sumBatch?: boolean }
interface NllParams { ignoreIndex: number; reduction: LossReduction }
interface ReduceParams { axes: readonly number[]; keepdim: boolean }
interface SliceParams { starts: readonly number[]; steps: readonly number[]; outShape: Shape; inShape: Shape }

/** Every primitive and the parameters it takes besides its tensor inputs. */
export interface PrimitiveParams {
  neg: NoParams; abs: NoParams; sqrt: NoParams; exp: NoParams; log: NoParams; log1p: NoParams; expm1: NoParams; sin: NoParams; cos: NoParams;
  tanh: NoParams; sigmoid: NoParams; relu: NoParams; erf: NoParams;
  sign: NoParams; floor: NoParams; ceil: NoParams; round: NoParams;
  isnan: NoParams; isinf: NoParams; isfinite: NoParams; logicalNot: NoParams;
  add: NoParams; sub: NoParams; mul: NoParams; div: NoParams; pow: NoParams; maximum: NoParams; minimum: NoParams;
  gt: NoParams; ge: NoParams; lt: NoParams; le: NoParams; eq: NoParams; ne: NoParams;
  logicalAnd: NoParams; logicalOr: NoParams; thresholdBackward: NoParams;
  where: NoParams;
  cast: { dtype: DType };
  sum: ReduceParams & { dtype: DType }; amax: ReduceParams; amin: ReduceParams;
  argmax: { axis: number; keepdim: boolean }; argmin: { axis: number; keepdim: boolean };
  logSoftmax: { axis: number }; logSoftmaxBackward: { axis: number };
  nllLoss: NllParams; nllLossBackward: NllParams & { inShape: Shape };
  matmul: MatmulParams;
  addmm: { transA: boolean; transB: boolean };
  reshape: { shape: Shape };
  permute: { perm: readonly number[] };
  expand: { shape: Shape };
  slice: SliceParams;
  sliceBackward: SliceParams;
  cat: { axis: number };
  unfold: { window: Window2d; outShape: Shape; inShape: Shape };
  fold: { window: Window2d; outShape: Shape; inShape: Shape };
  maxPool2dIndices: { window: Window2d; outShape: Shape };
  gather: { dim: number }; scatterAdd: { dim: number };
  indexSelect: { dim: number }; indexAdd: { dim: number };
}
export type Primitive = keyof PrimitiveParams;

// `derivatives` is null for ops without a derivative; otherwise both rules must be given.
function unaryRule(op: UnaryOp, derivatives: Derivatives<NoParams> | null, saves: Rule<NoParams>["saves"], outDtype?: DType): Rule<NoParams> {
  const forward: Rule<NoParams>["forward"] = (backend, [x]) => {
    const dtype = outDtype ?? x!.dtype;
    return { buf: backend.unary(op, x!, dtype), shape: x!.shape, dtype };
  };
  return derivatives ? { forward, saves, ...derivatives } : { forward, saves };
}

function binaryRule(op: BinaryOp, derivatives: Derivatives<NoParams> | null, saves: Rule<NoParams>["saves"], outDtype?: DType): Rule<NoParams> {
  const forward: Rule<NoParams>["forward"] = (backend, [a, b]) => {
    const shape = broadcastShapes(op, a!.shape, b!.shape);
    const dtype = outDtype ?? a!.dtype;
    return { buf: backend.binary(op, a!, b!, shape, dtype), shape, dtype };
  };
  return derivatives ? { forward, saves, ...derivatives } : { forward, saves };
}

// Tangent rules get null for inputs without a tangent (at least one has one): these treat null as zero.
function plus(a: Tensor | null, b: Tensor | null): Tensor {
  return a === null ? b! : b === null ? a : a.add(b);
}
// Constants made inside rules live on the backend of the tensors they combine with, not the current one.
const zerosOn = (like: Tensor, shape: Shape, dtype: DType): Tensor =>
  Tensor._create(like._backend.full(sizeOf(shape), 0, dtype), shape, dtype, like._backend);
const orZeros = (t: Tensor | null, like: Tensor, shape: Shape, dtype: DType): Tensor => t ?? zerosOn(like, shape, dtype);

function reduceShape(shape: Shape, axes: readonly number[], keepdim: boolean): number[] {
  return keepdim ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

function reduceRule(op: ReduceOp & ("max" | "min")): Rule<ReduceParams> {
  return {
    forward: (backend, [x], { axes, keepdim }) => ({
      buf: backend.reduce(op, x!, axes, x!.dtype),
      shape: reduceShape(x!.shape, axes, keepdim),
      dtype: x!.dtype,
    }),
    // Ties share the gradient evenly, as PyTorch's amax/amin do: d max = Σ_{x_i = max} dx_i / count.
    vjp: (g, { inputs: [x], output: y, params: { axes } }) => {
      const keep = reduceShape(x!.shape, axes, true);
      const mask = x!.eq(y.reshape(keep)).to(g.dtype);
      return [g.reshape(keep).mul(mask).div(mask.sum(axes, true))];
    },
    // The same even split going forward: the mean of the tangents over the tied maxima.
    jvp: ([t], { inputs: [x], output: y, params: { axes, keepdim } }) => {
      const mask = x!.eq(y.reshape(reduceShape(x!.shape, axes, true))).to(t!.dtype);
      return t!.mul(mask).sum(axes, keepdim).div(mask.sum(axes, keepdim));
    },
  };
}

function argRule(op: "argmax" | "argmin"): Rule<{ axis: number; keepdim: boolean }> {
  return {
    forward: (backend, [x], { axis, keepdim }) => ({
      buf: backend.argReduce(op, x!, axis),
      shape: reduceShape(x!.shape, [axis], keepdim),
      dtype: "int32",
    }),
    saves: "none",
  };
}

// Piecewise-constant functions: zero derivative both ways (as PyTorch gives).
const zeroDerivatives: Derivatives<NoParams> = { vjp: (g) => [g.mul(0)], jvp: ([t]) => t!.mul(0) };
// Linear ops map a tangent exactly as they map the value.
const linear = <P extends Primitive>(prim: P): Jvp<PrimitiveParams[P]> => ([t], { params }) => applyPrimitive(prim, [t!], params);
const inv = (perm: readonly number[]) => perm.map((_, i) => perm.indexOf(i));
// C = op(A)·op(B) as the gradient of an operand of shape `target`: summed over the batch in the product itself
// when the operand is one matrix and the product is batched (a weight used by every item of a batch), rather
// than stored product by product for the engine to sum.
const mmFor = (target: Shape, a: Tensor, b: Tensor, transA: boolean, transB: boolean) =>
  applyPrimitive("matmul", [a, b], { transA, transB, sumBatch: target.length === 2 && (a.ndim > 2 || b.ndim > 2) });

/** The table itself: a missing or misnamed entry is a compile error. */
export const rules: { [P in Primitive]: Rule<PrimitiveParams[P]> } = {
  neg: unaryRule("neg", {
    vjp: (g) => [g.neg()],
    jvp: ([t]) => t!.neg(),
  }, "none"),
  // d|x| = sign(x) dx (0 at 0, as in PyTorch)
  abs: unaryRule("abs", {
    vjp: (g, { inputs: [x] }) => [g.mul(x!.sign())],
    jvp: ([t], { inputs: [x] }) => t!.mul(x!.sign()),
  }, "inputs"),
  // d√x = dx / (2√x)
  sqrt: unaryRule("sqrt", {
    vjp: (g, { output: y }) => [g.div(y.mul(2))],
    jvp: ([t], { output: y }) => t!.div(y.mul(2)),
  }, "output"),
  // d eˣ = eˣ dx
  exp: unaryRule("exp", {
    vjp: (g, { output: y }) => [g.mul(y)],
    jvp: ([t], { output: y }) => t!.mul(y),
  }, "output"),
  // d log x = dx / x
  log: unaryRule("log", {
    vjp: (g, { inputs: [x] }) => [g.div(x!)],
    jvp: ([t], { inputs: [x] }) => t!.div(x!),
  }, "inputs"),
  // d log(1 + x) = dx / (1 + x)
  log1p: unaryRule("log1p", {
    vjp: (g, { inputs: [x] }) => [g.div(x!.add(1))],
    jvp: ([t], { inputs: [x] }) => t!.div(x!.add(1)),
  }, "inputs"),
  // d(eˣ - 1) = eˣ dx = (y + 1) dx
  expm1: unaryRule("expm1", {
    vjp: (g, { output: y }) => [g.mul(y.add(1))],
    jvp: ([t], { output: y }) => t!.mul(y.add(1)),
  }, "output"),
  // d sin x = cos x dx
  sin: unaryRule("sin", {
    vjp: (g, { inputs: [x] }) => [g.mul(x!.cos())],
    jvp: ([t], { inputs: [x] }) => t!.mul(x!.cos()),
  }, "inputs"),
  // d cos x = -sin x dx
  cos: unaryRule("cos", {
    vjp: (g, { inputs: [x] }) => [g.mul(x!.sin()).neg()],
    jvp: ([t], { inputs: [x] }) => t!.mul(x!.sin()).neg(),
  }, "inputs"),
  // d tanh x = (1 - tanh² x) dx
  tanh: unaryRule("tanh", {
    vjp: (g, { output: y }) => [g.mul(y.mul(y).neg().add(1))],
    jvp: ([t], { output: y }) => t!.mul(y.mul(y).neg().add(1)),
  }, "output"),
  // d σ(x) = σ(x)(1 - σ(x)) dx, never above 0.25
  sigmoid: unaryRule("sigmoid", {
    vjp: (g, { output: y }) => [g.mul(y.mul(y.neg().add(1)))],
    jvp: ([t], { output: y }) => t!.mul(y.mul(y.neg().add(1))),
  }, "output"),
  // d relu x = [x > 0] dx (0 at 0, as in PyTorch)
  relu: unaryRule("relu", {
    vjp: (g, { output: y }) => [applyPrimitive("thresholdBackward", [g, y], {})],
    jvp: ([t], { output: y }) => applyPrimitive("thresholdBackward", [t!, y], {}),
  }, "output"),
  // d erf x = 2/√π e^(-x²) dx
  erf: unaryRule("erf", {
    vjp: (g, { inputs: [x] }) => [g.mul(x!.mul(x!).neg().exp().mul(2 / Math.sqrt(Math.PI)))],
    jvp: ([t], { inputs: [x] }) => t!.mul(x!.mul(x!).neg().exp().mul(2 / Math.sqrt(Math.PI))),
  }, "inputs"),
  sign: unaryRule("sign", zeroDerivatives, "none"),
  floor: unaryRule("floor", zeroDerivatives, "none"),
  ceil: unaryRule("ceil", zeroDerivatives, "none"),
  round: unaryRule("round", zeroDerivatives, "none"),
  isnan: unaryRule("isnan", null, "none", "bool"),
  isinf: unaryRule("isinf", null, "none", "bool"),
  isfinite: unaryRule("isfinite", null, "none", "bool"),
  logicalNot: unaryRule("logicalNot", null, "none", "bool"),

  // d(a + b) = da + db
  add: binaryRule("add", { vjp: (g) => [g, g], jvp: ([ta, tb]) => plus(ta!, tb!) }, "none"),
  // d(a - b) = da - db
  sub: binaryRule("sub", { vjp: (g) => [g, g.neg()], jvp: ([ta, tb]) => plus(ta!, tb?.neg() ?? null) }, "none"),
  // d(ab) = b da + a db
  mul: binaryRule("mul", {
    vjp: (g, { inputs: [a, b], needsInputGrad: [na, nb] }) => [na ? g.mul(b!) : null, nb ? g.mul(a!) : null],
    jvp: ([ta, tb], { inputs: [a, b] }) => plus(ta ? ta.mul(b!) : null, tb ? tb.mul(a!) : null),
  }, (n) => ({ inputs: [n[1] === true, n[0] === true], output: false })), // a only for b's gradient, and b only for a's

  // d(a/b) = da/b - a db/b²
  div: binaryRule("div", {
    vjp: (g, { inputs: [a, b], needsInputGrad: [na, nb] }) => [
      na ? g.div(b!) : null,
      nb ? g.neg().mul(a!).div(b!.mul(b!)) : null,
    ],
    jvp: ([ta, tb], { inputs: [a, b] }) => plus(ta ? ta.div(b!) : null, tb ? tb.neg().mul(a!).div(b!.mul(b!)) : null),
  }, (n) => ({ inputs: [n[1] === true, true], output: false })), // a only for b's gradient

  // d(aᵇ) = b aᵇ⁻¹ da + aᵇ log a db; PyTorch's conventions at b = 0 and at a = 0 keep NaN out.
  pow: binaryRule("pow", {
    vjp: (g, { inputs: [a, b], output: y, needsInputGrad: [na, nb] }) => [
      na ? where(b!.eq(0), 0, g.mul(b!).mul(a!.pow(b!.sub(1)))) : null,
      nb ? where(a!.eq(0).logicalAnd(b!.ge(0)), 0, g.mul(y).mul(a!.log())) : null,
    ],
    jvp: ([ta, tb], { inputs: [a, b], output: y }) => plus(
      ta ? where(b!.eq(0), 0, ta.mul(b!).mul(a!.pow(b!.sub(1)))) : null,
      tb ? where(a!.eq(0).logicalAnd(b!.ge(0)), 0, tb.mul(y).mul(a!.log())) : null,
    ),
  }, (n) => ({ inputs: [true, true], output: n[1] === true })), // the output only for the exponent's gradient

  // Ties split the gradient in half, as PyTorch's maximum and minimum do.
  maximum: binaryRule("maximum", {
    vjp: (g, { inputs: [a, b] }) => [
      where(a!.eq(b!), g.div(2), where(a!.gt(b!), g, 0)),
      where(a!.eq(b!), g.div(2), where(b!.gt(a!), g, 0)),
    ],
    jvp: ([ta, tb], { inputs: [a, b] }) => plus(
      ta ? where(a!.eq(b!), ta.div(2), where(a!.gt(b!), ta, 0)) : null,
      tb ? where(a!.eq(b!), tb.div(2), where(b!.gt(a!), tb, 0)) : null,
    ),
  }, "inputs"),
  minimum: binaryRule("minimum", {
    vjp: (g, { inputs: [a, b] }) => [
      where(a!.eq(b!), g.div(2), where(a!.lt(b!), g, 0)),
      where(a!.eq(b!), g.div(2), where(b!.lt(a!), g, 0)),
    ],
    jvp: ([ta, tb], { inputs: [a, b] }) => plus(
      ta ? where(a!.eq(b!), ta.div(2), where(a!.lt(b!), ta, 0)) : null,
      tb ? where(a!.eq(b!), tb.div(2), where(b!.lt(a!), tb, 0)) : null,
    ),
  }, "inputs"),
  gt: binaryRule("gt", null, "none", "bool"),
  ge: binaryRule("ge", null, "none", "bool"),
  lt: binaryRule("lt", null, "none", "bool"),
  le: binaryRule("le", null, "none", "bool"),
  eq: binaryRule("eq", null, "none", "bool"),
  ne: binaryRule("ne", null, "none", "bool"),
  logicalAnd: binaryRule("logicalAnd", null, "none", "bool"),
  logicalOr: binaryRule("logicalOr", null, "none", "bool"),
  // relu's gradient as an op of its own (one pass instead of a mask and a select): [y > 0]·g is linear in g, flat in y.
  thresholdBackward: binaryRule("thresholdBackward", {
    vjp: (gg, { inputs: [, y], needsInputGrad: [ng, ny] }) => [
      ng ? applyPrimitive("thresholdBackward", [gg, y!], {}) : null,
      ny ? zerosOn(gg, y!.shape, gg.dtype) : null,
    ],
    jvp: ([tg], { inputs: [g, y] }) => (tg ? applyPrimitive("thresholdBackward", [tg, y!], {}) : zerosOn(g!, g!.shape, g!.dtype)),
  }, (n) => ({ inputs: [false, n[0] === true || n[1] === true], output: false })),

  // d where(c, a, b) = where(c, da, db)
  where: {
    forward: (backend, [c, a, b]) => {
      const shape = broadcastShapes("where", broadcastShapes("where", c!.shape, a!.shape), b!.shape);
      return { buf: backend.where(c!, a!, b!, shape, a!.dtype), shape, dtype: a!.dtype };
    },
    vjp: (g, { inputs: [c], needsInputGrad: [, na, nb] }) => [null, na ? where(c!, g, 0) : null, nb ? where(c!, 0, g) : null],
    jvp: ([, ta, tb], { inputs: [c] }) => where(c!, ta ?? 0, tb ?? 0),
    saves: () => ({ inputs: [true, false, false], output: false }), // the condition only
  },
  cast: {
    forward: (backend, [x], { dtype }) => ({ buf: backend.cast(x!, dtype), shape: x!.shape, dtype }),
    vjp: (g, { inputDtypes: [d] }) => [g.to(d!)],
    jvp: ([t], { params: { dtype } }) => t!.to(dtype),
    saves: "none",
  },

  // d Σx = broadcast of the gradient back over the summed axes
  sum: {
    forward: (backend, [x], { axes, keepdim, dtype }) => ({
      buf: backend.reduce("sum", x!, axes, dtype),
      shape: reduceShape(x!.shape, axes, keepdim),
      dtype,
    }),
    vjp: (g, { inputShapes: [shape], params: { axes } }) => [g.reshape(reduceShape(shape!, axes, true)).expand(shape!)],
    jvp: linear("sum"),
    saves: "none",
  },
  amax: reduceRule("max"),
  amin: reduceRule("min"),
  // y = x − log Σ exp x along the axis (PyTorch's _log_softmax: one kernel, not the eight ops of its
  // composite). dy = dx − Σ softmax·dx, so dL/dx = g − exp(y)·Σ g, and the tangent t − Σ exp(y)·t.
  logSoftmax: {
    forward: (backend, [x], { axis }) => ({ buf: backend.logSoftmax(x!, axis), shape: x!.shape, dtype: x!.dtype }),
    vjp: (g, { output: y, params }) => [applyPrimitive("logSoftmaxBackward", [g, y], params)],
    jvp: ([t], { output: y, params: { axis } }) => t!.sub(y.exp().mul(t!).sum(axis, true)),
    saves: "output",
  },
  // z = g − exp(y)·s with s = Σ g along the axis, one kernel (as PyTorch's): dz = dg − exp(y)·(dy·s + Σ dg), so
  // dL/dg = h − Σ h·exp(y) and dL/dy = −h·exp(y)·s for the incoming gradient h (PyTorch's derivatives.yaml).
  logSoftmaxBackward: {
    forward: (backend, [g, y], { axis }) => ({ buf: backend.logSoftmaxBackward(g!, y!, axis), shape: g!.shape, dtype: g!.dtype }),
    vjp: (h, { inputs: [g, y], params: { axis } }) => {
      const e = y!.exp();
      return [h.sub(h.mul(e).sum(axis, true)), h.mul(e).mul(g!.sum(axis, true)).neg()];
    },
    jvp: ([tg, ty], { inputs: [g, y], params: { axis } }) => {
      const e = y!.exp();
      const fromG = tg == null ? null : tg.sub(e.mul(tg.sum(axis, true)));
      const fromY = ty == null ? null : e.mul(ty).mul(g!.sum(axis, true)).neg();
      return plus(fromG, fromY);
    },
    saves: "inputs",
  },
  // nllLoss is linear in the log-probabilities, and nllLossBackward is its adjoint: each one's derivative is the other.
  nllLoss: {
    forward: (backend, [logp, target], { ignoreIndex, reduction }) => ({
      buf: backend.nllLoss(logp!, target!, ignoreIndex, reduction),
      shape: reduction === "none" ? target!.shape : [],
      dtype: logp!.dtype,
    }),
    vjp: (g, { inputs: [, target], inputShapes: [inShape], params }) => [applyPrimitive("nllLossBackward", [g, target!], { ...params, inShape: inShape! }), null],
    jvp: ([t], { inputs: [, target], params }) => applyPrimitive("nllLoss", [t!, target!], params),
    saves: () => ({ inputs: [false, true], output: false }),
  },
  nllLossBackward: {
    forward: (backend, [g, target], { ignoreIndex, reduction, inShape }) => ({
      buf: backend.nllLossBackward(g!, target!, inShape, ignoreIndex, reduction),
      shape: inShape,
      dtype: g!.dtype,
    }),
    vjp: (h, { inputs: [, target], params: { ignoreIndex, reduction } }) => [applyPrimitive("nllLoss", [h, target!], { ignoreIndex, reduction }), null],
    jvp: ([t], { inputs: [, target], params }) => applyPrimitive("nllLossBackward", [t!, target!], params),
    saves: () => ({ inputs: [false, true], output: false }),
  },
  argmax: argRule("argmax"),
  argmin: argRule("argmin"),

  // C = op(A)·op(B), op = transpose where flagged (with sumBatch, C = Σ over the batch of op(A_t)·op(B_t)).
  // d C = d op(A)·op(B) + op(A)·d op(B), so dL/dop(A) = G·op(B)ᵀ and dL/dop(B) = op(A)ᵀ·G, transposed back for a
  // flagged operand; every product is again one matmul with flags (no transpose is materialized). Batch dims an
  // operand was broadcast over are summed by the engine, or by the product itself for a single matrix (mmFor).
  matmul: {
    forward: (backend, [a, b], { transA, transB, sumBatch }) => {
      const ra = a!.shape.length, rb = b!.shape.length;
      const batch = sumBatch === true ? [] : broadcastShapes("matmul", a!.shape.slice(0, -2), b!.shape.slice(0, -2));
      const shape = [...batch, a!.shape[transA ? ra - 1 : ra - 2]!, b!.shape[transB ? rb - 2 : rb - 1]!];
      return { buf: backend.matmul(a!, b!, shape, transA, transB), shape, dtype: a!.dtype };
    },
    vjp: (g, { inputs: [a, b], inputShapes: [sa, sb], needsInputGrad: [na, nb], params: { transA, transB } }) => [
      !na ? null : transA ? mmFor(sa!, b!, g, transB, true) : mmFor(sa!, g, b!, false, !transB),
      !nb ? null : transB ? mmFor(sb!, g, a!, true, transA) : mmFor(sb!, a!, g, !transA, false),
    ],
    jvp: ([ta, tb], { inputs: [a, b], params }) =>
      plus(ta ? applyPrimitive("matmul", [ta, b!], params) : null, tb ? applyPrimitive("matmul", [a!, tb], params) : null),
    saves: (n) => ({ inputs: [n[1] === true, n[0] === true], output: false }), // A only for B's gradient, and B only for A's
  },
  // C = bias + op(A)·op(B) for matrices, bias [n] added to every row (PyTorch's addmm with a 1-D input; a linear
  // layer): matmul's rules for A and B, and the bias's gradient is G, which the engine sums over the rows.
  addmm: {
    forward: (backend, [bias, a, b], { transA, transB }) => {
      const shape = [a!.shape[transA ? 1 : 0]!, b!.shape[transB ? 0 : 1]!];
      return { buf: backend.addmm(bias!, a!, b!, shape, transA, transB), shape, dtype: a!.dtype };
    },
    vjp: (g, { inputs: [, a, b], needsInputGrad: [nbias, na, nb], params: { transA, transB } }) => [
      nbias ? g : null,
      !na ? null : transA ? mmFor([], b!, g, transB, true) : mmFor([], g, b!, false, !transB),
      !nb ? null : transB ? mmFor([], g, a!, true, transA) : mmFor([], a!, g, !transA, false),
    ],
    jvp: ([tbias, ta, tb], { inputs: [, a, b], params }) =>
      plus(plus(ta ? applyPrimitive("matmul", [ta, b!], params) : null, tb ? applyPrimitive("matmul", [a!, tb], params) : null), tbias ?? null),
    saves: (n) => ({ inputs: [false, n[2] === true, n[1] === true], output: false }), // A only for B's gradient, and B only for A's
  },

  reshape: {
    forward: (_backend, [x], { shape }) => ({ buf: x!.buf, shape, dtype: x!.dtype }),
    vjp: (g, { inputShapes: [shape] }) => [g.reshape(shape!)],
    jvp: linear("reshape"),
    saves: "none",
    view: true,
  },
  permute: {
    forward: (backend, [x], { perm }) => ({
      buf: backend.permute(x!, perm),
      shape: perm.map((p) => x!.shape[p]!),
      dtype: x!.dtype,
    }),
    vjp: (g, { params: { perm } }) => [g.permute(inv(perm))],
    jvp: linear("permute"),
    saves: "none",
  },
  expand: {
    forward: (backend, [x], { shape }) => ({ buf: backend.expand(x!, shape), shape, dtype: x!.dtype }),
    vjp: (g, { inputShapes: [shape] }) => [sumToShape(g, shape!)],
    jvp: linear("expand"),
    saves: "none",
  },
  // slice and sliceBackward are each other's adjoints.
  slice: {
    forward: (backend, [x], { starts, steps, outShape }) => ({
      buf: backend.slice(x!, starts, steps, outShape),
      shape: outShape,
      dtype: x!.dtype,
    }),
    vjp: (g, { params }) => [applyPrimitive("sliceBackward", [g], params)],
    jvp: linear("slice"),
    saves: "none",
  },
  sliceBackward: {
    forward: (backend, [x], { starts, steps, inShape }) => ({
      buf: backend.sliceBackward(x!, inShape, starts, steps),
      shape: inShape,
      dtype: x!.dtype,
    }),
    vjp: (g, { params }) => [applyPrimitive("slice", [g], params)],
    jvp: linear("sliceBackward"),
    saves: "none",
  },
  cat: {
    forward: (backend, xs, { axis }) => {
      const shape = [...xs[0]!.shape];
      shape[axis] = xs.reduce((n, x) => n + x.shape[axis]!, 0);
      return { buf: backend.cat(xs, axis, shape), shape, dtype: xs[0]!.dtype };
    },
    vjp: (g, { inputShapes, params: { axis } }) => {
      let start = 0;
      return inputShapes.map((s) => {
        const part = g.narrow(axis, start, s[axis]!);
        start += s[axis]!;
        return part;
      });
    },
    jvp: (ts, { inputShapes, inputDtypes, params }) =>
      applyPrimitive("cat", ts.map((t, i) => orZeros(t, ts.find((u) => u !== null)!, inputShapes[i]!, inputDtypes[i]!)), params),
    saves: "none",
  },
  // unfold (im2col) and fold (col2im) are each other's adjoints; padding gets no gradient.
  unfold: {
    forward: (backend, [x], { window, outShape }) => ({ buf: backend.unfold(x!, window, outShape), shape: outShape, dtype: x!.dtype }),
    vjp: (g, { params: { window, outShape, inShape } }) => [applyPrimitive("fold", [g], { window, outShape: inShape, inShape: outShape })],
    // The padding is a constant: its tangent is 0 whatever it reads as (-Infinity for max pooling).
    jvp: ([t], { params }) => applyPrimitive("unfold", [t!], { ...params, window: { ...params.window, padValue: 0 } }),
    saves: "none",
  },
  fold: {
    forward: (backend, [x], { window, outShape }) => ({ buf: backend.fold(x!, window, outShape), shape: outShape, dtype: x!.dtype }),
    vjp: (g, { params: { window, outShape, inShape } }) => [applyPrimitive("unfold", [g], { window: { ...window, padValue: 0 }, outShape: inShape, inShape: outShape })],
    jvp: linear("fold"),
    saves: "none",
  },
  // Max pooling's winners: integer positions, so no derivative. The pooled values are a gather at them,
  // whose derivative (a scatterAdd) routes each window's gradient to its maximum.
  maxPool2dIndices: {
    forward: (backend, [x], { window, outShape }) => ({ buf: backend.maxPool2dIndices(x!, window, outShape), shape: outShape, dtype: "int32" }),
    saves: "none",
  },
  // gather/scatterAdd and indexSelect/indexAdd are adjoint pairs; indices get no gradient.
  gather: {
    forward: (backend, [x, index], { dim }) => ({ buf: backend.gather(x!, dim, index!), shape: index!.shape, dtype: x!.dtype }),
    vjp: (g, { inputs: [, index], inputShapes: [shape], params: { dim } }) =>
      [zerosOn(g, shape!, g.dtype).scatterAdd(dim, index!, g), null],
    jvp: ([t], { inputs: [, index], params }) => applyPrimitive("gather", [t!, index!], params),
    saves: "inputs",
  },
  scatterAdd: {
    forward: (backend, [base, index, src], { dim }) => ({
      buf: backend.scatterAdd(base!, dim, index!, src!),
      shape: base!.shape,
      dtype: base!.dtype,
    }),
    vjp: (g, { inputs: [, index], params: { dim } }) => [g, null, g.gather(dim, index!)],
    jvp: ([tb, , ts], { inputs: [base, index, src], params }) =>
      applyPrimitive("scatterAdd", [orZeros(tb ?? null, index!, base!.shape, base!.dtype), index!, orZeros(ts ?? null, index!, src!.shape, src!.dtype)], params),
    saves: "inputs",
  },
  indexSelect: {
    forward: (backend, [x, index], { dim }) => {
      const shape = [...x!.shape];
      shape[dim] = sizeOf(index!.shape);
      return { buf: backend.indexSelect(x!, dim, index!), shape, dtype: x!.dtype };
    },
    vjp: (g, { inputs: [, index], inputShapes: [shape], params: { dim } }) =>
      [zerosOn(g, shape!, g.dtype).indexAdd(dim, index!, g), null],
    jvp: ([t], { inputs: [, index], params }) => applyPrimitive("indexSelect", [t!, index!], params),
    saves: "inputs",
  },
  indexAdd: {
    forward: (backend, [base, index, src], { dim }) => ({
      buf: backend.indexAdd(base!, dim, index!, src!),
      shape: base!.shape,
      dtype: base!.dtype,
    }),
    vjp: (g, { inputs: [, index], params: { dim } }) => [g, null, g.indexSelect(dim, index!)],
    jvp: ([tb, , ts], { inputs: [base, index, src], params }) =>
      applyPrimitive("indexAdd", [orZeros(tb ?? null, index!, base!.shape, base!.dtype), index!, orZeros(ts ?? null, index!, src!.shape, src!.dtype)], params),
    saves: "inputs",
  },
};

export type { SliceParams, TensorData };
