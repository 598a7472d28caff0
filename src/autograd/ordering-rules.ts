// The primitive rules of the reductions, scans, sorting and scatter ops (prod, cumsum, cumprod, logcumsumexp,
// cummax/cummin's and sort's positions, max/min/median of all elements, the vector norm, scatterReduce): each
// forward a backend call, each derivative PyTorch's formula (derivatives.yaml, FunctionsManual.cpp) in tensor ops,
// so higher derivatives come from differentiating it. Part of the table in primitives.ts.
import type { CompleteBackend, DataBuf, TensorData } from "../backend/backend.js";
import type { ComputeDType as DType } from "../dtype.js";
import { Expr, select } from "../ops/expr.js";
import { makeProgram, opProgram } from "../ops/program.js";
import type { StructuralParams } from "../ops/structural.js";
import { sizeOf } from "../shape.js";
import type { Shape } from "../shape.js";
import { where } from "../tensor/elementwise.js";
import { cat, narrow } from "../tensor/movement.js";
import { arangeOn, fullOn } from "../tensor/on-backend.js";
import { cumprod, cumsum, logcumsumexp } from "../tensor/scan.js";
import type { Tensor } from "../tensor/tensor.js";
import { flip, movedim } from "../tensor/views.js";
import { isGradEnabled } from "./grad-mode.js";
import { applyPrimitive } from "./dispatch.js";
import type { Rule } from "./rule.js";

type Params = StructuralParams;
type OrderingOp = "prod" | "cumsum" | "cumprod" | "logcumsumexp" | "cumulativeIndex" | "argsort" | "selectAll" | "vectorNorm" | "scatterReduce";

const keptShape = (shape: Shape, axes: readonly number[]): number[] => shape.map((d, i) => (axes.includes(i) ? 1 : d));
const reducedShape = (shape: Shape, axes: readonly number[], keepdim: boolean): number[] =>
  keepdim ? keptShape(shape, axes) : shape.filter((_, i) => !axes.includes(i));
const allAxes = (shape: Shape) => shape.map((_, i) => i);
const zerosLike = (x: Tensor) => fullOn(x, x.shape, x.dtype, 0);
// `t / d` where d may be 0 in a branch `where` discards: dividing by 1 there keeps NaN out of higher derivatives.
const safeDiv = (t: Tensor, d: Tensor) => t.div(where(d.eq(0), 1, d));

// Runs `fn` with the backend temporaries it registers (as tensor data of a shape and dtype) released afterwards.
function withTemps<T>(b: CompleteBackend, fn: (temp: (buf: DataBuf, shape: Shape, dtype: DType) => TensorData) => T): T {
  const temps: DataBuf[] = [];
  try {
    return fn((buf, shape, dtype) => (temps.push(buf), { buf, shape, dtype }));
  } finally {
    for (const t of temps) b.release?.(t);
  }
}

// ---- prod ----

// d prod/dx_i = ∏_{j≠i} x_j: where no element of x is 0, PyTorch's y/x; otherwise the product of the exclusive
// running products from either side (prod_safe_zeros_backward), which stays right at zeros.
function prodFactor(x: Tensor, y: Tensor, axis: number): Tensor {
  const n = x.shape[axis]!;
  if (n === 0) return zerosLike(x);
  const ones = fullOn(x, keptShape(x.shape, [axis]), x.dtype, 1);
  const left = cumprod(cat([ones, narrow(x, axis, 0, n - 1)], axis), axis);
  const right = flip(cumprod(cat([ones, flip(narrow(x, axis, 1, n - 1), axis)], axis), axis), axis);
  const zero = x.eq(0);
  return where(zero.any(), left.mul(right), y.div(where(zero, 1, x)));
}

// ---- cumprod ----

interface ZeroMasks {
  /** Positions before the slice's first zero. */
  before: Tensor;
  /** The first zero itself. */
  first: Tensor;
  /** The running product with every element up to the first zero replaced by 1: ∏_{z<j≤k} x_j after it. */
  after: Tensor;
  /** The product of the elements before each position (1 at the first). */
  exclusive: Tensor;
}
function zeroMasks(x: Tensor, y: Tensor, axis: number): ZeroMasks {
  const n = x.shape[axis]!;
  const zero = x.eq(0);
  const seen = cumsum(zero, axis);
  const before = seen.eq(0);
  const first = zero.logicalAnd(seen.eq(1));
  const after = cumprod(where(before.logicalOr(first), 1, x), axis);
  const ones = fullOn(x, keptShape(x.shape, [axis]), x.dtype, 1);
  const exclusive = n === 0 ? y : cat([ones, narrow(y, axis, 0, n - 1)], axis);
  return { before, first, after, exclusive };
}
const reverseCumsum = (t: Tensor, axis: number) => flip(cumsum(flip(t, axis), axis), axis);

// dL/dx_i = Σ_{k≥i} g_k ∏_{j≤k, j≠i} x_j term by term, O(n²): with no division and no mask it is right at zeros to
// every order, so it serves when the gradient is itself differentiated (PyTorch's cumprod_backward in grad mode).
function cumprodGradQuadratic(g: Tensor, x: Tensor, axis: number): Tensor {
  const n = x.shape[axis]!;
  const i = arangeOn(x, n).reshape([n, 1]), k = arangeOn(x, n).reshape([1, n]);
  const xs = movedim(x, axis, -1).unsqueeze(-2); // [..., 1, n]
  const others = cumprod(where(i.eq(k), 1, xs), -1); // [..., i, k]: ∏_{j≤k, j≠i} x_j
  const terms = where(k.ge(i), others.mul(movedim(g, axis, -1).unsqueeze(-2)), 0);
  return movedim(terms.sum(-1), -1, axis);
}

// ---- logcumsumexp ----

// log|t| on the positions of one sign, the dtype's lowest value elsewhere: the sign-split log domain of PyTorch's
// logcumsumexp_backward, so every term can be summed stably.
function logOfSign(t: Tensor, positive: boolean): Tensor {
  const keep = positive ? t.gt(0) : t.lt(0);
  const lowest = t.dtype === "float64" ? -Number.MAX_VALUE : -3.4028234663852886e38;
  return where(keep, where(keep, t, 1).abs().log(), lowest);
}
const reverseLogcumsumexp = (t: Tensor, axis: number) => flip(logcumsumexp(flip(t, axis), axis), axis);

// ---- max, min, median of all elements ----

// The elements the selected value came from: equal to it, or NaN where it is NaN (PyTorch's evenly_distribute_backward).
function selectedMask(x: Tensor, y: Tensor): Tensor {
  return x.eq(y).logicalOr(x.isnan().logicalAnd(y.isnan())).to(x.dtype);
}
const medianPick = makeProgram("selectAll", 2, (mid, last) => select(Expr.call("isnan", last!), last!, mid!));

// ---- the vector norm ----

const squared = makeProgram("vectorNorm", 1, (x) => x!.mul(x!));
const nonzero = makeProgram("vectorNorm", 1, (x) => select(x!.ne(0), 1, 0));
const absPow = makeProgram("vectorNorm", 2, (x, p) => Expr.call("abs", x!).pow(p!));
const power = makeProgram("vectorNorm", 2, (s, p) => s!.pow(p!));

function normForward(b: CompleteBackend, x: TensorData, ord: number, axes: readonly number[]): DataBuf {
  const dt = x.dtype;
  const kept = keptShape(x.shape, axes);
  return withTemps(b, (t) => {
    const scalar = (v: number) => t(b.full(1, v, dt), [], dt);
    if (ord === 2) {
      const s = t(b.reduce("sum", t(b.elementwise(squared, [x], x.shape, dt), x.shape, dt), axes, dt), kept, dt);
      return b.elementwise(opProgram("sqrt"), [s], kept, dt);
    }
    if (ord === 0) return b.reduce("sum", t(b.elementwise(nonzero, [x], x.shape, dt), x.shape, dt), axes, dt);
    if (ord === 1 || !Number.isFinite(ord)) {
      const a = t(b.elementwise(opProgram("abs"), [x], x.shape, dt), x.shape, dt);
      return b.reduce(ord === 1 ? "sum" : ord > 0 ? "max" : "min", a, axes, dt);
    }
    const s = t(b.reduce("sum", t(b.elementwise(absPow, [x, scalar(ord)], x.shape, dt), x.shape, dt), axes, dt), kept, dt);
    return b.elementwise(power, [s, scalar(1 / ord)], kept, dt);
  });
}

// d‖x‖/dx with the norm `n` (kept dims): PyTorch's norm_backward, 0 where the norm is 0 (and for p = 0), the
// gradient of the infinity norms shared by the elements at the extreme (and the NaNs).
function normFactor(x: Tensor, n: Tensor, ord: number, axes: readonly number[]): Tensor {
  if (ord === 0) return zerosLike(x);
  if (ord === 1) return x.sign();
  if (ord === 2) return where(n.eq(0), 0, safeDiv(x, n));
  if (!Number.isFinite(ord)) {
    const a = x.abs();
    const mask = a.eq(n).logicalOr(a.isnan()).to(x.dtype);
    return x.sign().mul(mask).div(mask.sum(axes, true));
  }
  const scale = (p: number) => where(n.eq(0), 0, safeDiv(fullOn(n, [], n.dtype, 1), n.pow(p)));
  if (ord < 1) return x.sign().mul(where(x.eq(0), 0, where(x.eq(0), 1, x).abs().pow(ord - 1))).mul(n.pow(1 - ord));
  if (ord < 2) return x.sign().mul(x.abs().pow(ord - 1)).mul(scale(ord - 1));
  return x.mul(x.abs().pow(ord - 2)).mul(scale(ord - 1));
}

// ---- scatterReduce ----

type ScatterParams = Params["scatterReduce"];
const scatterWith = (base: Tensor, index: Tensor, src: Tensor, params: ScatterParams) => applyPrimitive("scatterReduce", [base, index, src], params);
// `t` with zeros written at every position the index reaches along `dim` (PyTorch's t.scatter(dim, index, 0)).
const clearScattered = (t: Tensor, index: Tensor, dim: number) =>
  scatterWith(t, index, fullOn(t, index.shape, t.dtype, 0), { dim, op: "assign", includeSelf: true });
const scatterAddTo = (t: Tensor, index: Tensor, src: Tensor, dim: number) => scatterWith(t, index, src, { dim, op: "sum", includeSelf: true });

/**
 * The local derivatives of a reducing scatter: the result's derivative with respect to the base's element at the
 * same position, and to each src element (at its target): PyTorch's scatter_reduce_backward with a gradient of 1,
 * so the gradient is `g·base` and `g.gather(index)·src`, and the tangent the sum of the tangents times them.
 */
function scatterFactors(base: Tensor, index: Tensor, src: Tensor, result: Tensor, { dim, op, includeSelf }: ScatterParams): { base: Tensor; src: Tensor } {
  const ones = fullOn(base, base.shape, base.dtype, 1);
  let fb: Tensor, fs: Tensor;
  if (op === "sum") {
    fb = ones;
    fs = fullOn(src, src.shape, src.dtype, 1);
  } else if (op === "mean") {
    const count = scatterAddTo(includeSelf ? ones : zerosLike(base), index, fullOn(src, src.shape, src.dtype, 1), dim);
    const n = where(count.eq(0), 1, count);
    fb = n.reciprocal();
    fs = n.gather(dim, index).reciprocal();
  } else if (op === "prod") {
    const maskedBase = where(base.eq(0), 1, base);
    fb = scatterWith(maskedBase, index, src, { dim, op, includeSelf }).div(maskedBase);
    const srcZero = src.eq(0);
    const zerosThere = scatterAddTo(zerosLike(base), index, srcZero.to(base.dtype), dim).gather(dim, index);
    const single = srcZero.logicalAnd(zerosThere.eq(1));
    const withoutIt = scatterWith(base, index, where(single, 1, src), { dim, op, includeSelf }).gather(dim, index);
    fs = where(single, withoutIt, result.gather(dim, index).div(where(srcZero, 1, src)));
  } else {
    // amax, amin: shared evenly by the elements (of the base and of src) equal to the result.
    const value = result.gather(dim, index);
    const baseIs = base.eq(result).to(base.dtype);
    const srcIs = src.eq(value).to(src.dtype);
    const count = scatterAddTo(baseIs, index, srcIs, dim);
    fb = baseIs.div(count);
    fs = srcIs.div(count.gather(dim, index));
  }
  return { base: includeSelf ? fb : clearScattered(fb, index, dim), src: fs };
}

/** The rules, keyed by primitive: spread into the table in primitives.ts. */
export const orderingRules: { [P in OrderingOp]: Rule<Params[P]> } = {
  prod: {
    forward: (backend, [x], { axis, keepdim }) => ({
      buf: backend.reduce("prod", x!, [axis], x!.dtype),
      shape: reducedShape(x!.shape, [axis], keepdim),
      dtype: x!.dtype,
    }),
    vjp: (g, { inputs: [x], output: y, params: { axis } }) => {
      const kept = keptShape(x!.shape, [axis]);
      return [g.reshape(kept).mul(prodFactor(x!, y.reshape(kept), axis))];
    },
    jvp: ([t], { inputs: [x], output: y, params: { axis, keepdim } }) =>
      t!.mul(prodFactor(x!, y.reshape(keptShape(x!.shape, [axis])), axis)).sum(axis, keepdim),
    saves: "both",
  },
  // y_k = Σ_{i≤k} x_i: the gradient is the reversed running sum of g.
  cumsum: {
    forward: (backend, [x], { axis }) => ({ buf: backend.cumulative("sum", x!, axis), shape: x!.shape, dtype: x!.dtype }),
    vjp: (g, { params: { axis } }) => [reverseCumsum(g, axis)],
    jvp: ([t], { params }) => applyPrimitive("cumsum", [t!], params),
    saves: "none",
  },
  // y_k = ∏_{i≤k} x_i. Before the first zero, dL/dx_i = Σ_{k≥i} g_k y_k / x_i; at the first zero z,
  // y_{z−1}·Σ_{k≥z} g_k ∏_{z<j≤k} x_j; after it, 0 (PyTorch's cumprod_backward), in O(n). The tangent the same
  // way. When the gradient is recorded to be differentiated again, the O(n²) sum, exact at zeros to every order.
  cumprod: {
    forward: (backend, [x], { axis }) => ({ buf: backend.cumulative("prod", x!, axis), shape: x!.shape, dtype: x!.dtype }),
    vjp: (g, { inputs: [x], output: y, params: { axis } }) => {
      if (isGradEnabled()) return [cumprodGradQuadratic(g, x!, axis)];
      const { before, first, after, exclusive } = zeroMasks(x!, y, axis);
      const plain = reverseCumsum(g.mul(y), axis).div(where(before, x!, 1));
      const atZero = exclusive.mul(reverseCumsum(g.mul(after), axis));
      return [where(before, plain, where(first, atZero, 0))];
    },
    jvp: ([t], { inputs: [x], output: y, params: { axis } }) => {
      const { before, first, after, exclusive } = zeroMasks(x!, y, axis);
      const plain = y.mul(cumsum(t!.div(where(before, x!, 1)), axis));
      const fromZero = where(first, t!.mul(exclusive), 0).sum(axis, true).mul(after);
      return where(before, plain, fromZero);
    },
    saves: "both",
  },
  // dL/dx_i = Σ_{k≥i} g_k exp(x_i − y_k), summed in the log domain by sign (PyTorch's logcumsumexp_backward).
  logcumsumexp: {
    forward: (backend, [x], { axis }) => ({ buf: backend.cumulative("logsumexp", x!, axis), shape: x!.shape, dtype: x!.dtype }),
    vjp: (g, { inputs: [x], output: y, params: { axis } }) => {
      const part = (positive: boolean) => reverseLogcumsumexp(logOfSign(g, positive).sub(y), axis).add(x!).exp();
      return [part(true).sub(part(false))];
    },
    jvp: ([t], { inputs: [x], output: y, params: { axis } }) => {
      const part = (positive: boolean) => logcumsumexp(logOfSign(t!, positive).add(x!), axis).sub(y).exp();
      return part(true).sub(part(false));
    },
    saves: "both",
  },
  cumulativeIndex: {
    forward: (backend, [x], { op, axis }) => ({ buf: backend.cumulativeIndex(op, x!, axis), shape: x!.shape, dtype: "int32" }),
    saves: "none",
  },
  argsort: {
    forward: (backend, [x], { axis, descending }) => ({ buf: backend.argsort(x!, axis, descending), shape: x!.shape, dtype: "int32" }),
    saves: "none",
  },
  // max, min or lower median of every element; the gradient split evenly over the elements it equals.
  selectAll: {
    forward: (backend, [x], { op }) => {
      const dt = x!.dtype;
      if (op !== "median") return { buf: backend.reduce(op, x!, allAxes(x!.shape), dt), shape: [], dtype: dt };
      const n = sizeOf(x!.shape);
      return withTemps(backend, (t) => {
        const flat = { ...x!, shape: [n] };
        const order = t(backend.argsort(flat, 0, false), [n], "int32");
        const sorted = t(backend.gather(flat, 0, order), [n], dt);
        const at = (k: number) => t(backend.strided(sorted, { offset: k, strides: [] }, []), [], dt);
        // NaN sorts last: where there is one, the median is NaN (PyTorch's median), else the lower middle.
        return { buf: backend.elementwise(medianPick, [at((n - 1) >> 1), at(n - 1)], [], dt), shape: [], dtype: dt };
      });
    },
    vjp: (g, { inputs: [x], output: y }) => {
      const mask = selectedMask(x!, y);
      return [g.mul(mask).div(mask.sum())];
    },
    jvp: ([t], { inputs: [x], output: y }) => {
      const mask = selectedMask(x!, y);
      return t!.mul(mask).sum().div(mask.sum());
    },
    saves: "both",
  },
  vectorNorm: {
    forward: (backend, [x], { ord, axes, keepdim }) => ({ buf: normForward(backend, x!, ord, axes), shape: reducedShape(x!.shape, axes, keepdim), dtype: x!.dtype }),
    vjp: (g, { inputs: [x], output: y, params: { ord, axes } }) => {
      const kept = keptShape(x!.shape, axes);
      return [g.reshape(kept).mul(normFactor(x!, y.reshape(kept), ord, axes))];
    },
    jvp: ([t], { inputs: [x], output: y, params: { ord, axes, keepdim } }) =>
      t!.mul(normFactor(x!, y.reshape(keptShape(x!.shape, axes)), ord, axes)).sum(axes, keepdim),
    saves: "both",
  },
  // src has the index's shape (the tensor layer narrows a larger one). scatter (assign): the base's gradient is g
  // with the overwritten positions cleared, src's g at its targets; the reductions as scatterFactors says.
  scatterReduce: {
    forward: (backend, [base, index, src], { dim, op, includeSelf }) => ({
      buf: backend.scatterReduce(base!, dim, index!, src!, op, includeSelf),
      shape: base!.shape,
      dtype: base!.dtype,
    }),
    vjp: (g, { inputs: [base, index, src], output, params, needsInputGrad: [nb, , ns] }) => {
      if (params.op === "assign") return [nb ? clearScattered(g, index!, params.dim) : null, null, ns ? g.gather(params.dim, index!) : null];
      const f = scatterFactors(base!, index!, src!, output, params);
      return [nb ? g.mul(f.base) : null, null, ns ? g.gather(params.dim, index!).mul(f.src) : null];
    },
    jvp: ([tb, , ts], { inputs: [base, index, src], output, params }) => {
      const tBase = tb ?? zerosLike(base!), tSrc = ts ?? zerosLike(src!);
      if (params.op === "assign") return scatterWith(tBase, index!, tSrc, params);
      const f = scatterFactors(base!, index!, src!, output, params);
      return scatterAddTo(tBase.mul(f.base), index!, tSrc.mul(f.src), params.dim);
    },
    saves: "both",
  },
};
