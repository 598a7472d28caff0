// The primitive table: every differentiable op's forward (a kernel call) beside its derivative rules,
// `vjp` for reverse mode and `jvp` for forward mode (the compiler requires both or neither). Rules are
// written in differentiable tensor ops, so derivatives of derivatives come for free; the engine sums
// broadcast gradients down to each input's shape, and the dispatcher expands tangents up to the
// output's, so rules need not. Elementwise ops are one primitive: their rules are generated from the op
// registry's local derivatives (ops/program.ts), so each is written once, there.
import type { CompleteBackend, TensorData } from "../backend/backend.js";
import type { DType } from "../dtype.js";
import { computeDType } from "../dtype.js";
import { narrowScalar } from "../tensor/narrow.js";
import type { DerivativeOf, Operand, Program } from "../ops/program.js";
import type { StructuralParams } from "../ops/structural.js";
import { broadcastShapes, sizeOf } from "../shape.js";
import type { Shape } from "../shape.js";
import { Tensor } from "../tensor/tensor.js";
import { sumToShape } from "../tensor/movement.js";
import { applyPrimitive } from "./dispatch.js";
import type { Jvp, Rule } from "./rule.js";
import { orderingRules } from "./ordering-rules.js";
import * as linalgRules from "./linalg-rules.js";
import * as attentionRules from "./attention-rules.js";
import * as geluRules from "./gelu-rules.js";
import * as layerNormRules from "./layer-norm-rules.js";
import * as attentionStackedRules from "./attention-stacked-rules.js";

/** An elementwise program's parameters: the program, and the dtype of its result. */
export interface ElementwiseParams {
  readonly program: Program;
  readonly dtype: DType;
}

/** Every primitive and the parameters it takes besides its tensor inputs: the registry's structural ops, and `elementwise`. */
export interface PrimitiveParams extends StructuralParams {
  elementwise: ElementwiseParams;
}
export type Primitive = keyof PrimitiveParams;

type ReduceParams = StructuralParams["amax"];

// Tangent rules get null for inputs without a tangent (at least one has one): these treat null as zero.
function plus(a: Tensor | null, b: Tensor | null): Tensor {
  return a === null ? b! : b === null ? a : a.add(b);
}
// Constants made inside rules live on the backend of the tensors they combine with, not the current one.
const fullOn = (like: Tensor, shape: Shape, dtype: DType, value: number): Tensor =>
  Tensor._create(like._backend.full(sizeOf(shape), narrowScalar(value, dtype), computeDType(dtype)), shape, dtype, like._backend);
const zerosOn = (like: Tensor, shape: Shape, dtype: DType): Tensor => fullOn(like, shape, dtype, 0);
const orZeros = (t: Tensor | null, like: Tensor, shape: Shape, dtype: DType): Tensor => t ?? zerosOn(like, shape, dtype);

function reduceShape(shape: Shape, axes: readonly number[], keepdim: boolean): number[] {
  return keepdim ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

function reduceRule(op: "max" | "min"): Rule<ReduceParams> {
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

// Linear ops map a tangent exactly as they map the value.
const linear = <P extends Primitive>(prim: P): Jvp<PrimitiveParams[P]> => ([t], { params }) => applyPrimitive(prim, [t!], params);
const inv = (perm: readonly number[]) => perm.map((_, i) => perm.indexOf(i));
// C = op(A)·op(B) as the gradient of an operand of shape `target`: summed over the batch in the product itself
// when the operand is one matrix and the product is batched (a weight used by every item of a batch), rather
// than stored product by product for the engine to sum.
const mmFor = (target: Shape, a: Tensor, b: Tensor, transA: boolean, transB: boolean) =>
  applyPrimitive("matmul", [a, b], { transA, transB, sumBatch: target.length === 2 && (a.ndim > 2 || b.ndim > 2) });

/** Runs `program` on `inputs` (a result of `dtype`): the one way elementwise work is recorded. */
export function applyElementwise(program: Program, inputs: readonly Tensor[], dtype: DType): Tensor {
  return applyPrimitive("elementwise", inputs, { program, dtype });
}

// A derivative the registry generated, applied: a program over its operands, a constant, or an operand itself.
function applyDerivative(d: DerivativeOf, operand: (o: Operand) => Tensor, like: Tensor, shape: Shape, dtype: DType): Tensor {
  if (d.kind === "const") return fullOn(like, shape, dtype, d.value);
  if (d.kind === "operand") return operand(d.operand);
  return applyElementwise(d.program, d.operands.map(operand), dtype);
}

/** The table itself: a missing or misnamed entry is a compile error. */
export const rules: { [P in Primitive]: Rule<PrimitiveParams[P]> } = {
  // Any elementwise program, its shape the operands' broadcast; gradients and tangents from the registry's rules.
  elementwise: {
    forward: (backend, inputs, { program, dtype }) => {
      let shape: Shape = inputs[0]!.shape;
      for (let i = 1; i < inputs.length; i++) shape = broadcastShapes(program.name, shape, inputs[i]!.shape);
      return { buf: backend.elementwise(program, inputs, shape, computeDType(dtype)), shape, dtype };
    },
    vjp: (g, { inputs, output, params: { program }, inputShapes, inputDtypes, needsInputGrad }) =>
      needsInputGrad.map((need, i) => {
        if (!need) return null;
        const operand = (o: Operand): Tensor => (o === "grad" ? g : o === "output" ? output : typeof o === "number" ? inputs[o]! : g);
        return applyDerivative(program.vjp(i), operand, g, inputShapes[i]!, inputDtypes[i]!);
      }),
    jvp: (ts, { inputs, output, params: { program } }) => {
      const like = ts.find((t) => t !== null)!;
      const operand = (o: Operand): Tensor => (o === "output" ? output : typeof o === "number" ? inputs[o]! : o === "grad" ? like : ts[o.tangent]!);
      return applyDerivative(program.jvp(ts.map((t) => t !== null)), operand, like, output.shape, like.dtype);
    },
    saves: (needs, { program }) => program.saves(needs),
    differentiable: ({ program }) => program.differentiable,
    name: ({ program }) => program.name,
  },

  // d Σx = broadcast of the gradient back over the summed axes
  sum: {
    forward: (backend, [x], { axes, keepdim, dtype }) => ({
      buf: backend.reduce("sum", x!, axes, computeDType(dtype)),
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
  // asStrided and asStridedBackward are each other's adjoints: a read through a strided view, and the sum of
  // values into zeros at the view's positions (overlapping windows add up).
  asStrided: {
    forward: (backend, [x], { shape, strides, offset }) => ({ buf: backend.strided(x!, { offset, strides }, shape), shape, dtype: x!.dtype }),
    vjp: (g, { params }) => [applyPrimitive("asStridedBackward", [g], params)],
    jvp: linear("asStrided"),
    saves: "none",
  },
  asStridedBackward: {
    forward: (backend, [g], { strides, offset, inShape }) => {
      const buf = backend.full(sizeOf(inShape), 0, g!.dtype);
      backend.scatterStrided(buf, g!, { offset, strides }, true);
      return { buf, shape: inShape, dtype: g!.dtype };
    },
    vjp: (h, { params }) => [applyPrimitive("asStrided", [h], params)],
    jvp: linear("asStridedBackward"),
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
  // prod, the scans, sorting's positions, max/min/median of all elements, the vector norm, scatterReduce.
  ...orderingRules,
  // unfoldNd and foldNd are each other's adjoints, as unfold and fold; padding gets no gradient.
  unfoldNd: {
    forward: (backend, [x], { window, outShape }) => ({ buf: backend.unfoldNd(x!, window, outShape), shape: outShape, dtype: x!.dtype }),
    vjp: (g, { params: { window, outShape, inShape } }) => [applyPrimitive("foldNd", [g], { window, outShape: inShape, inShape: outShape })],
    jvp: ([t], { params }) => applyPrimitive("unfoldNd", [t!], { ...params, window: { ...params.window, padValue: 0 } }),
    saves: "none",
  },
  foldNd: {
    forward: (backend, [x], { window, outShape }) => ({ buf: backend.foldNd(x!, window, outShape), shape: outShape, dtype: x!.dtype }),
    vjp: (g, { params: { window, outShape, inShape } }) => [applyPrimitive("unfoldNd", [g], { window: { ...window, padValue: 0 }, outShape: inShape, inShape: outShape })],
    jvp: linear("foldNd"),
    saves: "none",
  },
  // Integer positions: no derivative (the pooled values are a gather at them, as in 2-D).
  maxPoolNdIndices: {
    forward: (backend, [x], { window, outShape }) => ({ buf: backend.maxPoolNdIndices(x!, window, outShape), shape: outShape, dtype: "int32" }),
    saves: "none",
  },
  // cr.linalg's decompositions and solves: their rules, PyTorch's formulas, are in linalg-rules.ts.
  linalgSolve: linalgRules.linalgSolve,
  linalgSolveTriangular: linalgRules.linalgSolveTriangular,
  linalgDet: linalgRules.linalgDet,
  linalgSlogdet: linalgRules.linalgSlogdet,
  linalgCholesky: linalgRules.linalgCholesky,
  linalgQr: linalgRules.linalgQr,
  linalgEigh: linalgRules.linalgEigh,
  linalgSvd: linalgRules.linalgSvd,
  attention: attentionRules.attention,
  attentionBackward: attentionRules.attentionBackward,
  gelu: geluRules.gelu,
  geluBackward: geluRules.geluBackward,
  layerNorm: layerNormRules.layerNorm,
  attentionStacked: attentionStackedRules.attentionStacked,
};

export type { TensorData };
export type { CompleteBackend };
