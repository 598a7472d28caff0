// cr.func: closed forms for every transform, compositions, every primitive's tangent rule against
// finite differences and its own vjp, forward vs reverse jacobians, and torch.func fixtures.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as cr from "chainrule";
import { applyElementwise, rules } from "../src/autograd/primitives.js";
import { applyPrimitive } from "../src/autograd/dispatch.js";
import { dualLevel, enterDualLevel, exitDualLevel, makeDual, tangentOf, unpackDual } from "../src/autograd/forward-ad.js";
import type { Primitive } from "../src/autograd/primitives.js";
import type { JvpContext } from "../src/autograd/rule.js";
import type { ElementwiseParams } from "../src/autograd/primitives.js";
import { ELEMENTWISE, ELEMENTWISE_OPS } from "../src/ops/elementwise.js";
import type { ElementwiseOp, ElementwiseOpDef } from "../src/ops/elementwise.js";
import { applyOp } from "../src/tensor/apply-op.js";
import { asStrided } from "../src/tensor/movement.js";
import { opProgram } from "../src/ops/program.js";
import { stackedAttention } from "../src/tensor/attention-stacked.js";

const { func } = cr;

type Tensor = cr.Tensor;
const f64 = { dtype: "float64" } as const;
const T = (data: cr.NestedArray) => cr.tensor(data, f64);

function close(actual: Tensor, expected: Tensor | cr.NestedArray, tol = 1e-9, what = ""): void {
  const e = expected instanceof cr.Tensor ? expected : T(expected);
  assert.deepEqual([...actual.shape], [...e.shape], `${what}: shape`);
  const a = actual.toTypedArray();
  const b = e.toTypedArray();
  for (let i = 0; i < a.length; i++) {
    const diff = Math.abs(a[i]! - b[i]!);
    assert.ok(diff <= tol * (1 + Math.abs(b[i]!)), `${what}: element ${i}: ${a[i]} vs ${b[i]} (diff ${diff})`);
  }
}

// ---- closed forms --------------------------------------------------------------------------

test("grad of Σ sin(x)·x is sin x + x cos x; valueAndGrad gives the value too", () => {
  const x = T([0.3, -1.2, 2.5]);
  const f = (x: Tensor) => x.sin().mul(x).sum();
  const expected = x.sin().add(x.mul(x.cos()));
  close(func.grad(f)(x), expected);
  const [value, g] = func.valueAndGrad(f)(x);
  close(value, f(x));
  close(g, expected);
  assert.equal(g.requiresGrad, false, "a top-level gradient is a plain tensor");
  assert.equal(value.requiresGrad, false);
});

test("grad: argnums picks arguments (array → array), hasAux passes aux through, objects of tensors work", () => {
  const a = T([1, 2]);
  const b = T([3, 5]);
  const [ga, gb] = func.grad((a: Tensor, b: Tensor) => a.mul(b).sum(), { argnums: [0, 1] })(a, b);
  close(ga!, b);
  close(gb!, a);
  close(func.grad((a: Tensor, b: Tensor) => a.mul(b).sum(), { argnums: 1 })(a, b), a);
  close(func.grad((a: Tensor, b: Tensor) => a.mul(b).sum(), { argnums: -1 })(a, b), a);
  const [g, aux] = func.grad((x: Tensor) => [x.square().sum(), "note"] as const, { hasAux: true })(a);
  close(g, [2, 4]);
  assert.equal(aux, "note");
  const params = { w: T([[1, 2], [3, 4]]), b: T([0.5, -0.5]) };
  const x = T([1, -1]);
  const loss = (p: { w: Tensor; b: Tensor }, x: Tensor) => p.w.matmul(x).add(p.b).square().sum();
  const gp = func.grad(loss)(params, x);
  const r = params.w.matmul(x).add(params.b).mul(2); // dL/d(Wx + b)
  close(gp.b, r);
  close(gp.w, r.unsqueeze(1).mul(x.unsqueeze(0)));
  const [[value, tag], g2] = func.valueAndGrad((x: Tensor) => [x.sum(), 7] as const, { hasAux: true })(a);
  close(value, T(3));
  assert.equal(tag, 7);
  close(g2, [1, 1]);
});

test("grad: unused inputs get zeros, constant outputs too, and noGrad outside does not stop it", () => {
  close(func.grad((_x: Tensor, y: Tensor) => y.sum(), { argnums: [0, 1] })(T([1, 2]), T([3]))[0]!, [0, 0]);
  close(func.grad((_x: Tensor) => T(3))(T([1, 2])), [0, 0]);
  close(cr.noGrad(() => func.grad((x: Tensor) => x.square().sum())(T([3]))), [6]);
});

test("grad(grad(x³)) = 6x, and a third derivative", () => {
  const f = (x: Tensor) => x.pow(3);
  close(func.grad(func.grad(f))(T(2)), T(12));
  close(func.grad(func.grad(func.grad(f)))(T(2)), T(6));
  close(func.grad(func.grad((x: Tensor) => x.sin()))(T(0.7)), T(-Math.sin(0.7)));
});

test("nested grad keeps the inner variable apart (no perturbation confusion) and reaches closed-over tensors", () => {
  // d/dx [ d/dy (x·y) at y = x ] = d/dx x = 1, not 2
  close(func.grad((x: Tensor) => func.grad((y: Tensor) => x.mul(y))(x))(T(3)), T(1));
  // The gradient w.r.t. a closed-over parameter flows through an inner grad (MAML-style): d/dw [d/dx (w x²)] = 2x
  const w = cr.tensor(1.5, { dtype: "float64", requiresGrad: true });
  const inner = func.grad((x: Tensor) => w.mul(x.square()))(T(2));
  assert.equal(inner.requiresGrad, true, "an inner gradient that depends on w is differentiable");
  inner.backward();
  close(w.grad!, T(4));
});

test("vjp returns the output and a pullback that can be called repeatedly", () => {
  const a = T([[1, 2], [3, 4]]);
  const x = T([0.5, -1]);
  const [y, vjpFn] = func.vjp((a: Tensor, x: Tensor) => a.matmul(x).exp(), a, x);
  close(y, a.matmul(x).exp());
  const u = T([1, -2]);
  const [ga, gx] = vjpFn(u);
  const s = u.mul(y); // u ⊙ exp(Ax)
  close(gx!, a.t().matmul(s));
  close(ga!, s.unsqueeze(1).mul(x.unsqueeze(0)));
  close(vjpFn(u)[1]!, gx!, 1e-12, "second call");
  assert.throws(() => vjpFn(T([1, 2, 3])), /vjp: cotangent 0 has shape \[3\] but output 0 has shape \[2\]/);
});

test("jvp of exp is exp(x)·t; several primals; hasAux; zeros for outputs that ignore the input", () => {
  const x = T([0.1, 1, -2]);
  const t = T([1, 2, 3]);
  const [y, dy] = func.jvp((x: Tensor) => x.exp(), [x], [t]);
  close(y, x.exp());
  close(dy, x.exp().mul(t));
  const [p, dp] = func.jvp((a: Tensor, b: Tensor) => a.mul(b), [x, t], [T([1, 0, 0]), T([0, 0, 1])]);
  close(p, x.mul(t));
  close(dp, [t.select(0, 0).item(), 0, x.select(0, 2).item()]);
  const [, dz, aux] = func.jvp((x: Tensor) => [x.square(), x.sum()] as const, [x], [t], { hasAux: true });
  close(dz, x.mul(t).mul(2));
  close(aux, T(-0.9));
  const c = T([5]);
  close(func.jvp((_x: Tensor) => c, [x], [t])[1], [0]);
  assert.throws(() => func.jvp((x: Tensor) => x, [x], [T([1, 2])]), /jvp: tangents\[0\] has shape \[2\] but primals\[0\] has shape \[3\]/);
});

test("jacobian of a linear map is its matrix, in both modes; several outputs and argnums", () => {
  cr.manualSeed(1);
  const A = cr.randn([3, 4], f64);
  const x = cr.randn([4], f64);
  close(func.jacobian((x: Tensor) => A.matmul(x))(x), A);
  close(func.jacobian((x: Tensor) => A.matmul(x), { mode: "forward" })(x), A);
  const [ja, jb] = func.jacobian((a: Tensor, b: Tensor) => a.mul(b), { argnums: [0, 1] })(T([1, 2]), T([3, 4]));
  close(ja!, [[3, 0], [0, 4]]);
  close(jb!, [[1, 0], [0, 2]]);
  const [j1, j2] = func.jacobian((x: Tensor) => [x.sum(), x.mul(2)], { mode: "forward" })(T([1, 2]));
  close(j1!, [1, 1]);
  close(j2!, [[2, 0], [0, 2]]);
  const M = cr.randn([2, 3], f64);
  const J = func.jacobian((m: Tensor) => m.t())(M);
  assert.deepEqual([...J.shape], [3, 2, 2, 3]);
  close(J.select(0, 1).select(0, 0), [[0, 1, 0], [0, 0, 0]]);
  const empty = cr.zeros([0], f64);
  for (const mode of ["reverse", "forward"] as const) {
    assert.deepEqual([...func.jacobian((x: Tensor) => x.sum(), { mode })(empty).shape], [0], mode);
    assert.deepEqual([...func.jacobian((x: Tensor) => x.mul(2), { mode })(empty).shape], [0, 0], mode);
  }
});

test("jacobian with hasAux returns [jacobian, aux] in both modes", () => {
  for (const mode of ["reverse", "forward"] as const) {
    const [J, aux] = func.jacobian((x: Tensor) => [x.mul(3), x.sum()] as const, { hasAux: true, mode })(T([1, 2]));
    close(J, [[3, 0], [0, 3]], 1e-12, mode);
    close(aux, T(3), 1e-12, mode);
  }
});

test("hessian of xᵀAx is A + Aᵀ; jacobian(grad(f)) equals hessian(f); hvp equals H·v", () => {
  const A = T([[1, 2, 0], [3, 4, -1], [0.5, 0, 2]]);
  const quad = (x: Tensor) => x.dot(A.matmul(x));
  const x = T([0.3, -0.7, 1.1]);
  close(func.hessian(quad)(x), A.add(A.t()));
  const f = (x: Tensor) => x.sin().mul(x.exp()).sum().mul(quad(x));
  const H = func.hessian(f)(x);
  close(func.jacobian(func.grad(f))(x), H, 1e-9, "jacrev(grad)");
  close(func.jacobian(func.grad(f), { mode: "forward" })(x), H, 1e-9, "jacfwd(grad)");
  close(func.jacobian(func.jacobian(f), { mode: "reverse" })(x), H, 1e-9, "jacrev(jacrev)");
  close(H, H.t(), 1e-9, "symmetric");
  const v = T([1, -2, 0.5]);
  const [value, [hv]] = func.hvp(f, [x], [v]);
  close(value, f(x));
  close(hv!, H.matmul(v), 1e-9, "hvp");
  // Forward-over-reverse by hand: jvp of grad.
  close(func.jvp(func.grad(f), [x], [v])[1], H.matmul(v), 1e-9, "jvp(grad)");
  // Reverse-over-forward: grad of a directional derivative is H·v too.
  close(func.grad((x: Tensor) => func.jvp(f, [x], [v])[1])(x), H.matmul(v), 1e-9, "grad(jvp)");
});

test("three transforms deep: grad of (jvp of grad) is a third-derivative contraction", () => {
  const f = (x: Tensor) => x.pow(4).sum();
  const x = T([0.5, -1, 2]);
  const v = T([1, 2, -1]);
  const w = T([0.5, 1, 3]);
  // ∇f = 4x³, H v = 12x² ⊙ v, ∇_x ⟨w, H v⟩ = 24 x ⊙ v ⊙ w
  const g = func.grad((x: Tensor) => func.jvp(func.grad(f), [x], [v])[1].dot(w))(x);
  close(g, x.mul(v).mul(w).mul(24));
  const h = func.jacobian((x: Tensor) => func.hvp(f, [x], [v])[1][0]!, { mode: "forward" })(x);
  close(h, cr.eye(3, f64).mul(x.mul(v).mul(24)));
});

test("hessian with several argnums gives the blocks", () => {
  const f = (a: Tensor, b: Tensor) => a.mul(b).sum().mul(a.sum());
  const a = T([1, 2]);
  const b = T([3, 4]);
  const [[haa, hab], [hba, hbb]] = func.hessian(f, { argnums: [0, 1] })(a, b);
  // f = (a·b)(Σa): ∂²f/∂a_i∂a_j = b_i + b_j, ∂²f/∂a_i∂b_j = a_j + δ_ij Σa, ∂²f/∂b² = 0
  close(haa!, [[6, 7], [7, 8]]);
  close(hab!, [[4, 2], [1, 5]]);
  close(hba!, hab!.t());
  close(hbb!, [[0, 0], [0, 0]]);
});

test("nested forward mode: jvp of jvp gives the second directional derivative", () => {
  const x = T([0.4, 1.3]);
  const t = T([1, -2]);
  const s = T([0.5, 3]);
  const [, d2] = func.jvp((x: Tensor) => func.jvp((z: Tensor) => z.sin().mul(z), [x], [t])[1], [x], [s]);
  // f = x sin x, f'' = 2 cos x − x sin x
  close(d2, x.cos().mul(2).sub(x.mul(x.sin())).mul(t).mul(s));
  // The same with the inner tangent depending on the outer input.
  const [, e2] = func.jvp((x: Tensor) => func.jvp((z: Tensor) => z.exp(), [x], [x])[1], [x], [t]);
  close(e2, x.exp().mul(t).add(x.exp().mul(x).mul(t))); // d/dx (eˣ·x)·t
});

test("nested forward mode keeps levels apart (Siskind and Pearlmutter's perturbation confusion)", () => {
  // d/dx [x · d/dy (x + y) at y = 1] = d/dx [x · 1] = 1; confusing the two perturbations gives 2.
  const one = T(1);
  const [, d] = func.jvp((x: Tensor) => x.mul(func.jvp((y: Tensor) => x.add(y), [one], [one])[1]), [T(1)], [one]);
  close(d, T(1));
});

test("forward and reverse jacobians agree on random networks", () => {
  cr.manualSeed(7);
  for (let trial = 0; trial < 3; trial++) {
    const w1 = cr.randn([5, 4], f64);
    const b1 = cr.randn([5], f64);
    const w2 = cr.randn([3, 5], f64);
    const net = (x: Tensor, w: Tensor) => w.matmul(w1.matmul(x).add(b1).tanh()).softmax(0).mul(x.sum().sigmoid());
    const x = cr.randn([4], f64);
    const rev = func.jacobian(net, { argnums: [0, 1] })(x, w2);
    const fwd = func.jacobian(net, { argnums: [0, 1], mode: "forward" })(x, w2);
    close(rev[0]!, fwd[0]!, 1e-10, `trial ${trial} dx`);
    close(rev[1]!, fwd[1]!, 1e-10, `trial ${trial} dw`);
  }
  const conv = cr.randn([2, 1, 2, 2], f64);
  const cnn = (img: Tensor) => cr.maxPool2d(cr.conv2d(img, conv, null, { padding: 1 }).relu(), 2).flatten();
  const img = cr.randn([1, 1, 3, 3], f64);
  close(func.jacobian(cnn)(img), func.jacobian(cnn, { mode: "forward" })(img), 1e-10, "cnn");
});

test("bad input is a clear error", () => {
  const x = T([1, 2]);
  assert.throws(() => func.grad((x: Tensor) => x.mul(2))(x), /grad: f must return a tensor with one element, got shape \[2\]/);
  assert.throws(() => func.grad((x: Tensor) => x.sum(), { argnums: 3 })(x), /grad: argnums 3 is out of range for a call with 1 argument/);
  assert.throws(() => func.grad((x: Tensor, _y: Tensor) => x.sum(), { argnums: [0, 0] })(x, x), /grad: argnums has duplicates/);
  assert.throws(() => func.grad((x: Tensor) => x.sum())(cr.tensor([1, 2], { dtype: "int32" })), /grad: argument 0 holds a int32 tensor/);
  assert.throws(() => func.grad((x: unknown) => T(1).mul(x as number))(3 as unknown), /grad: argument 0 must be a Tensor, or an array or plain object of Tensors, got number/);
  assert.throws(() => func.jacobian((x: Tensor) => x, { mode: "sideways" as "forward" })(x), /jacobian: mode must be "reverse" or "forward"/);
  assert.throws(() => func.jacobian((x: Tensor) => x.argmax())(x), /jacobian: output 0 is int32/);
  assert.throws(() => func.jvp((x: Tensor) => x, [x], [] as unknown as [Tensor]), /jvp: got 1 primal\(s\) but 0 tangent\(s\)/);
});

test("dual levels: makeDual, unpackDual, nesting order, and errors", () => {
  const x = T([0.5, 2]);
  const t = T([1, -1]);
  const dy = dualLevel((level) => {
    const y = makeDual(x, t, level).sin();
    const { primal, tangent } = unpackDual(y, level);
    close(primal, x.sin());
    assert.equal(tangentOf(primal, level), null, "the unpacked primal carries no tangent");
    return tangent!;
  });
  close(dy, x.cos().mul(t));
  const outer = enterDualLevel();
  const inner = enterDualLevel();
  assert.throws(() => exitDualLevel(outer), /exitDualLevel: level \d+ is not the innermost open dual level/);
  exitDualLevel(inner);
  assert.throws(() => makeDual(x, T([1]), outer), /makeDual: the tangent has shape \[1\] but the primal has shape \[2\]/);
  assert.throws(() => makeDual(cr.tensor([1, 2], { dtype: "int32" }), t, outer), /makeDual: only floating-point tensors can carry tangents/);
  exitDualLevel(outer);
  assert.throws(() => makeDual(x, t, outer), /makeDual: dual level \d+ is not open/);
  // Nothing is left on what jvp hands back once its level is closed.
  const [y] = func.jvp((x: Tensor) => x.exp(), [x], [t]);
  assert.equal(tangentOf(y, outer), null);
});

// ---- every primitive's tangent rule --------------------------------------------------------

const rnd = (shape: number[], lo = -1.5, hi = 1.5) => cr.rand(shape, f64).mul(hi - lo).add(lo);
const away = (shape: number[]) => rnd(shape).sign().mul(rnd(shape, 0.2, 1.5));
const idx = (data: number[]) => cr.tensor(data, { dtype: "int32" });

interface PrimSpec {
  /** A structural primitive, or an elementwise op of the registry (each runs as the one elementwise primitive). */
  readonly prim: Exclude<Primitive, "elementwise"> | ElementwiseOp;
  readonly inputs: () => Tensor[];
  readonly fn: (...xs: Tensor[]) => Tensor;
}

const PRIM_SPECS: PrimSpec[] = [
  { prim: "neg", inputs: () => [rnd([3])], fn: (x) => x.neg() },
  { prim: "abs", inputs: () => [away([4])], fn: (x) => x.abs() },
  { prim: "sqrt", inputs: () => [rnd([4], 0.3, 2)], fn: (x) => x.sqrt() },
  { prim: "exp", inputs: () => [rnd([4])], fn: (x) => x.exp() },
  { prim: "log", inputs: () => [rnd([4], 0.3, 2)], fn: (x) => x.log() },
  { prim: "log1p", inputs: () => [rnd([4], -0.5, 2)], fn: (x) => x.log1p() },
  { prim: "expm1", inputs: () => [rnd([4])], fn: (x) => x.expm1() },
  { prim: "sin", inputs: () => [rnd([4])], fn: (x) => x.sin() },
  { prim: "cos", inputs: () => [rnd([4])], fn: (x) => x.cos() },
  { prim: "tanh", inputs: () => [rnd([4])], fn: (x) => x.tanh() },
  { prim: "sigmoid", inputs: () => [rnd([4])], fn: (x) => x.sigmoid() },
  { prim: "relu", inputs: () => [away([5])], fn: (x) => x.relu() },
  { prim: "logSoftmax", inputs: () => [rnd([2, 4])], fn: (x) => cr.logSoftmax(x, 1) },
  // logSoftmax's gradient as an op (reached through double backward), in both its inputs.
  { prim: "logSoftmaxBackward", inputs: () => [rnd([2, 4]), rnd([2, 4], -3, -0.2)], fn: (g, y) => applyPrimitive("logSoftmaxBackward", [g, y], { axis: 1 }) },
  { prim: "nllLoss", inputs: () => [rnd([4, 3])], fn: (x) => cr.nn.functional.nllLoss(x, idx([2, -100, 0, 2])) },
  {
    prim: "nllLossBackward",
    inputs: () => [rnd([2, 4])],
    fn: (g) => applyPrimitive("nllLossBackward", [g, idx([1, 2, 1, 0, 2, -100, 0, 0]).reshape(2, 4)], { ignoreIndex: -100, reduction: "none", inShape: [2, 3, 4] }),
  },
  // relu's gradient as an op (reached through double backward): linear in g, flat in y away from 0.
  { prim: "thresholdBackward", inputs: () => [rnd([5]), away([5])], fn: (g, y) => applyElementwise(opProgram("thresholdBackward"), [g, y], g.dtype) },
  { prim: "erf", inputs: () => [rnd([4])], fn: (x) => x.erf() },
  { prim: "sign", inputs: () => [away([4])], fn: (x) => x.sign().mul(x) },
  { prim: "floor", inputs: () => [rnd([4]).mul(3)], fn: (x) => x.floor().add(x) },
  { prim: "ceil", inputs: () => [rnd([4]).mul(3)], fn: (x) => x.ceil().mul(x) },
  { prim: "round", inputs: () => [rnd([4]).mul(3)], fn: (x) => x.round().add(x.square()) },
  { prim: "add", inputs: () => [rnd([2, 3]), rnd([3])], fn: (a, b) => a.add(b) },
  { prim: "sub", inputs: () => [rnd([2, 1]), rnd([2, 3])], fn: (a, b) => a.sub(b) },
  { prim: "mul", inputs: () => [rnd([2, 3]), rnd([1, 3])], fn: (a, b) => a.mul(b) },
  { prim: "div", inputs: () => [rnd([2, 3]), rnd([3], 0.5, 2)], fn: (a, b) => a.div(b) },
  { prim: "pow", inputs: () => [rnd([2, 3], 0.4, 2), rnd([3])], fn: (a, b) => a.pow(b) },
  { prim: "maximum", inputs: () => [rnd([5]), rnd([5])], fn: (a, b) => a.maximum(b) },
  { prim: "minimum", inputs: () => [rnd([5]), rnd([5])], fn: (a, b) => a.minimum(b) },
  { prim: "where", inputs: () => [rnd([4]), rnd([4])], fn: (a, b) => cr.where(cr.tensor([true, false, true, false]), a, b) },
  { prim: "cast", inputs: () => [rnd([3])], fn: (x) => x.clone() },
  { prim: "sum", inputs: () => [rnd([2, 3, 2])], fn: (x) => x.sum([0, 2]) },
  { prim: "amax", inputs: () => [rnd([3, 4])], fn: (x) => x.amax(1) },
  { prim: "amin", inputs: () => [rnd([3, 4])], fn: (x) => x.amin(0, true) },
  { prim: "matmul", inputs: () => [rnd([2, 3, 4]), rnd([4, 2])], fn: (a, b) => a.matmul(b) },
  { prim: "addmm", inputs: () => [rnd([2]), rnd([3, 4]), rnd([4, 2])], fn: (bias, a, b) => cr.addmm(bias, a, b) },
  { prim: "reshape", inputs: () => [rnd([2, 3])], fn: (x) => x.reshape(3, 2) },
  { prim: "permute", inputs: () => [rnd([2, 3, 4])], fn: (x) => x.permute(2, 0, 1) },
  { prim: "expand", inputs: () => [rnd([3, 1])], fn: (x) => x.expand(2, 3, 4) },
  { prim: "slice", inputs: () => [rnd([3, 5])], fn: (x) => x.slice(1, 1, null, 2) },
  {
    prim: "sliceBackward",
    inputs: () => [rnd([3, 2])],
    // The pullback of slice is sliceBackward, linear in the cotangent.
    fn: (g) => func.vjp((x: Tensor) => x.slice(1, 1, null, 2), rnd([3, 5]))[1](g)[0]!,
  },
  { prim: "cat", inputs: () => [rnd([2, 3]), rnd([2, 1])], fn: (a, b) => cr.cat([a, b], 1) },
  // Overlapping windows (a strided view whose elements repeat) and a reversed diagonal (negative strides).
  { prim: "asStrided", inputs: () => [rnd([11])], fn: (x) => asStrided(x, [4, 4], [2, 1]) },
  { prim: "asStrided", inputs: () => [rnd([3, 3])], fn: (x) => asStrided(x, [3], [-4], 8) },
  {
    prim: "asStridedBackward",
    inputs: () => [rnd([4, 4])],
    fn: (g) => func.vjp((x: Tensor) => asStrided(x, [4, 4], [2, 1]), rnd([11]))[1](g)[0]!,
  },
  { prim: "unfold", inputs: () => [rnd([1, 2, 3, 3])], fn: (x) => cr.unfold(x, 2, { padding: 1 }) },
  { prim: "fold", inputs: () => [rnd([1, 4, 4])], fn: (c) => cr.fold(c, [3, 3], 2) },
  { prim: "gather", inputs: () => [rnd([2, 3])], fn: (x) => x.gather(1, idx([2, 0, 0, 1]).reshape(2, 2)) },
  { prim: "scatterAdd", inputs: () => [rnd([2, 3]), rnd([2, 2])], fn: (b, s) => b.scatterAdd(1, idx([2, 0, 2, 1]).reshape(2, 2), s) },
  { prim: "indexSelect", inputs: () => [rnd([3, 2])], fn: (x) => x.indexSelect(0, idx([2, 0, 2])) },
  { prim: "indexAdd", inputs: () => [rnd([3, 2]), rnd([2, 2])], fn: (b, s) => b.indexAdd(0, idx([1, 1]), s) },
  { prim: "prod", inputs: () => [rnd([3, 4])], fn: (x) => x.prod(1) },
  { prim: "cumsum", inputs: () => [rnd([3, 4])], fn: (x) => x.cumsum(0) },
  { prim: "cumprod", inputs: () => [rnd([3, 4])], fn: (x) => x.cumprod(1) },
  { prim: "logcumsumexp", inputs: () => [rnd([3, 4])], fn: (x) => x.logcumsumexp(1) },
  { prim: "selectAll", inputs: () => [rnd([3, 4])], fn: (x) => x.median() },
  { prim: "vectorNorm", inputs: () => [rnd([3, 4])], fn: (x) => cr.linalg.vectorNorm(x, 3, 1) },
  { prim: "scatterReduce", inputs: () => [rnd([3, 2]), rnd([2, 2])], fn: (b, s) => b.scatterReduce(0, idx([2, 0, 2, 2]).reshape(2, 2), s, "prod") },
  // N-d windows: a strided, dilated, padded 3-D convolution, and a 3-D transposed one with an output padding.
  { prim: "unfoldNd", inputs: () => [rnd([1, 2, 3, 4, 3]), rnd([2, 2, 2, 2, 2])], fn: (x, w) => cr.conv3d(x, w, null, { stride: [1, 2, 1], padding: 1, dilation: [2, 1, 1] }) },
  { prim: "foldNd", inputs: () => [rnd([1, 2, 2, 3, 2]), rnd([2, 1, 2, 2, 2])], fn: (x, w) => cr.convTranspose3d(x, w, null, { stride: [2, 1, 1], outputPadding: [1, 0, 0] }) },
  // Dense linear algebra on well-conditioned matrices (a dominant diagonal; symmetric positive-definite where the
  // method needs it); the vectors of eigh and svd enter squared, since their signs are arbitrary.
  { prim: "linalgSolve", inputs: () => [wellConditioned(3), rnd([3, 2])], fn: (a, b) => cr.linalg.solve(a, b) },
  { prim: "linalgSolveTriangular", inputs: () => [wellConditioned(3), rnd([3, 2])], fn: (a, b) => cr.linalg.solveTriangular(a, b, { upper: true }) },
  { prim: "linalgDet", inputs: () => [wellConditioned(3)], fn: (a) => cr.linalg.det(a) },
  { prim: "linalgSlogdet", inputs: () => [wellConditioned(3)], fn: (a) => cr.linalg.slogdet(a).logabsdet },
  { prim: "linalgCholesky", inputs: () => [wellConditioned(3)], fn: (a) => cr.linalg.cholesky(a.add(a.mT)) },
  { prim: "linalgQr", inputs: () => [rnd([4, 3])], fn: (a) => { const { Q, R } = cr.linalg.qr(a); return cr.cat([Q.flatten(), R.flatten()]); } },
  { prim: "linalgEigh", inputs: () => [rnd([3, 3])], fn: (a) => { const { eigenvalues, eigenvectors } = cr.linalg.eigh(a.add(a.mT)); return cr.cat([eigenvalues, eigenvectors.square().flatten()]); } },
  { prim: "linalgSvd", inputs: () => [rnd([4, 3])], fn: (a) => { const { U, S, Vh } = cr.linalg.svd(a, { fullMatrices: false }); return cr.cat([S, U.square().flatten(), Vh.square().flatten()]); } },
  // Fused attention (causal, and with an additive mask that needs a gradient too), and its backward as an op in
  // its own right (reached through double backward): linear in the output's cotangent.
  { prim: "attention", inputs: () => [rnd([2, 3, 4]), rnd([2, 5, 4]), rnd([2, 5, 3]), rnd([3, 5])], fn: (q, k, v, m) => cr.nn.functional.scaledDotProductAttention(q, k, v, { attnMask: m }) },
  { prim: "attention", inputs: () => [rnd([1, 4, 2]), rnd([1, 4, 2]), rnd([1, 4, 3])], fn: (q, k, v) => cr.nn.functional.scaledDotProductAttention(q, k, v, { isCausal: true }) },
  {
    prim: "attentionBackward",
    inputs: () => [rnd([2, 3, 3]), rnd([2, 4, 2]), rnd([2, 4, 3])],
    // dq at a fixed q, as a function of the cotangent, k and v.
    fn: (g, k, v) => func.vjp((q: Tensor) => cr.nn.functional.scaledDotProductAttention(q, k!, v!), cr.linspace(-1, 1, 12, f64).reshape(2, 3, 2))[1](g)[0]!,
  },
  // The fused exact GELU, and its gradient kernel as a function of the cotangent and the input.
  { prim: "gelu", inputs: () => [rnd([2, 5])], fn: (x) => x.gelu() },
  { prim: "geluBackward", inputs: () => [rnd([6]), rnd([6])], fn: (g, x) => func.vjp((y: Tensor) => y.gelu(), x!)[1](g!)[0]! },
  // The fused layer normalisation, over two dims with weight and bias, and over one without.
  { prim: "layerNorm", inputs: () => [rnd([2, 3, 4]), rnd([3, 4]), rnd([3, 4])], fn: (x, w, b) => cr.nn.functional.layerNorm(x!, [3, 4], { weight: w!, bias: b! }) },
  { prim: "layerNorm", inputs: () => [rnd([3, 5])], fn: (x) => cr.nn.functional.layerNorm(x!, 5) },
  // Attention over q, k, v stacked in one [3, ...] tensor (the GPT's heads), causal.
  { prim: "attentionStacked", inputs: () => [rnd([3, 2, 4, 3])], fn: (qkv) => stackedAttention(qkv, true, 0.6) },
];

function wellConditioned(n: number): Tensor {
  return rnd([n, n]).add(cr.eye(n, { dtype: "float64" }).mul(n));
}

// Every differentiable op of the registry gets the same checks, its inputs drawn from its entry's test domain (so a
// new entry needs nothing here); the specs above are kept for the combinations they were written for.
function registryInput(def: ElementwiseOpDef, i: number, shape: number[]): Tensor {
  if (def.test?.kinds?.[i] === "bool") return cr.rand(shape).gt(0.5);
  const dom = def.test?.domain;
  const [lo, hi] = dom === undefined ? [-1.5, 1.5] : typeof dom[0] === "number" ? (dom as readonly [number, number]) : (dom as readonly (readonly [number, number])[])[i]!;
  if (def.test?.avoid === "zero") return away(shape);
  if (def.test?.avoid === "integers") return rnd(shape, -3, 3).floor().add(rnd(shape, 0.2, 0.8));
  return rnd(shape, lo, hi);
}
// Ops with a bool operand (where's condition) are left to the specs above, which close over it.
const REGISTRY_SPECS: PrimSpec[] = ELEMENTWISE_OPS.filter((op) => op !== "cast" && opProgram(op).differentiable && !(ELEMENTWISE[op] as ElementwiseOpDef).test?.kinds?.includes("bool")).map((op) => {
  const def: ElementwiseOpDef = ELEMENTWISE[op];
  const shapes = def.arity === 1 ? [[4]] : def.arity === 2 ? [[2, 3], [3]] : [[2, 1], [3], [2, 3]];
  return { prim: op, inputs: () => shapes.map((shape, i) => registryInput(def, i, shape)), fn: (...xs: Tensor[]) => applyOp(op, xs) };
});

// Composites get tangents for free: a few, through the same checks.
const COMPOSITE_SPECS: { name: string; inputs: () => Tensor[]; fn: (...xs: Tensor[]) => Tensor }[] = [
  { name: "softmax", inputs: () => [rnd([2, 4])], fn: (x) => x.softmax(1) },
  { name: "logSoftmax", inputs: () => [rnd([2, 4])], fn: (x) => x.logSoftmax(0) },
  { name: "gelu", inputs: () => [rnd([5])], fn: (x) => x.gelu() },
  { name: "var", inputs: () => [rnd([3, 4])], fn: (x) => x.var(1) },
  { name: "maxPool2d", inputs: () => [rnd([1, 1, 4, 4])], fn: (x) => cr.maxPool2d(x, 2, { padding: 1 }) },
  { name: "conv2d", inputs: () => [rnd([1, 2, 4, 4]), rnd([3, 2, 3, 3])], fn: (x, w) => cr.conv2d(x, w, null, { padding: 1 }) },
  { name: "crossEntropy-like", inputs: () => [rnd([3, 4])], fn: (x) => x.logsumexp(1).sub(x.select(1, 2)).mean() },
];

function fd(fn: (...xs: Tensor[]) => Tensor, xs: Tensor[], ts: Tensor[], eps = 1e-6): Tensor {
  const plus = fn(...xs.map((x, i) => x.add(ts[i]!.mul(eps))));
  const minus = fn(...xs.map((x, i) => x.sub(ts[i]!.mul(eps))));
  return plus.sub(minus).div(2 * eps);
}

const dot = (a: Tensor, b: Tensor) => a.mul(b).sum().item();

function checkTangents(name: string, inputs: () => Tensor[], fn: (...xs: Tensor[]) => Tensor): void {
  cr.manualSeed(11);
  const xs = inputs();
  const ts = xs.map((x) => cr.randnLike(x));
  const [y, dy] = func.jvp(fn, xs, ts);
  close(y, fn(...xs), 1e-12, `${name}: primal`);
  close(dy, fd(fn, xs, ts), 1e-6, `${name}: jvp vs finite differences`);
  // The tangent rule and the derivative rule are adjoint: ⟨u, J t⟩ = ⟨Jᵀ u, t⟩.
  const u = cr.randnLike(y);
  const [, vjpFn] = func.vjp(fn, ...xs);
  const back = vjpFn(u);
  const lhs = dot(u, dy);
  const rhs = back.reduce((s, g, i) => s + dot(g, ts[i]!), 0);
  assert.ok(Math.abs(lhs - rhs) <= 1e-9 * (1 + Math.abs(lhs)), `${name}: ⟨u, Jt⟩ = ${lhs} but ⟨Jᵀu, t⟩ = ${rhs}`);
}

// Which primitives a function runs, read off the graph it records.
function backwardNames(fn: (...xs: Tensor[]) => Tensor, xs: Tensor[]): Set<string> {
  const out = fn(...xs.map((x) => x.detach().requiresGrad_()));
  const names = new Set<string>();
  const visited = new Set<unknown>();
  const stack = out.gradFn ? [out.gradFn] : [];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (visited.has(n)) continue;
    visited.add(n);
    names.add(n.name);
    for (const [next] of n.nextFunctions) if (next !== null) stack.push(next);
  }
  return names;
}

test("every differentiable primitive has a tangent rule, and the table covers each one", () => {
  const structural = (Object.keys(rules) as Primitive[]).filter((p) => p !== "elementwise" && rules[p].vjp !== undefined);
  for (const p of structural) assert.equal(typeof rules[p].jvp, "function", `${p} has a vjp but no jvp`);
  // Every differentiable op of the registry (its vjp and jvp generated from one local rule).
  const elementwise = ELEMENTWISE_OPS.filter((op) => op !== "cast" && opProgram(op).differentiable);
  const differentiable: string[] = [...structural, ...elementwise];
  const covered = new Set<string>([...PRIM_SPECS, ...REGISTRY_SPECS].map((s) => s.prim));
  assert.deepEqual(differentiable.filter((p) => !covered.has(p)), [], "primitives missing from PRIM_SPECS");
  for (const s of PRIM_SPECS) {
    cr.manualSeed(3);
    const name = `${s.prim[0]!.toUpperCase()}${s.prim.slice(1)}Backward`;
    const seen = backwardNames(s.fn, s.inputs());
    assert.ok(seen.has(name), `${s.prim}: the table's function does not run it (saw ${[...seen].join(", ")})`);
  }
});

for (const s of PRIM_SPECS) {
  test(`tangent rule of ${s.prim}: finite differences and adjointness`, () => checkTangents(s.prim, s.inputs, s.fn));
}
for (const s of REGISTRY_SPECS) {
  test(`tangent rule of ${s.prim}, inputs from its registry entry: finite differences and adjointness`, () => checkTangents(s.prim, s.inputs, s.fn));
}
for (const s of COMPOSITE_SPECS) {
  test(`tangents of the composite ${s.name}`, () => checkTangents(s.name, s.inputs, s.fn));
}

test("the tangent checks catch a wrong tangent rule", () => {
  const table = rules as unknown as Record<string, { jvp: (ts: readonly (Tensor | null)[], ctx: JvpContext<ElementwiseParams>) => Tensor }>;
  const saved = table.elementwise!;
  // wrong: d eˣ is eˣ dx
  table.elementwise = { ...saved, jvp: (ts, ctx) => (ctx.params.program.name === "exp" ? ts[0]!.mul(2) : saved.jvp(ts, ctx)) };
  try {
    assert.throws(() => checkTangents("exp", () => [rnd([3])], (x) => x.exp()), /exp: jvp vs finite differences/);
  } finally {
    table.elementwise = saved;
  }
});

test("comparisons and argmax carry no tangent; integer casts drop it", () => {
  const x = T([1, 3, 2]);
  const [, dm] = func.jvp((x: Tensor) => x.gt(1.5).to("float64").add(x.argmax().to("float64")), [x], [T([1, 1, 1])]);
  close(dm, [0, 0, 0]);
  const [, di] = func.jvp((x: Tensor) => x.int().to("float64"), [x], [T([1, 1, 1])]);
  close(di, [0, 0, 0]);
});

// ---- torch.func fixtures -------------------------------------------------------------------

interface Encoded {
  readonly shape: number[];
  readonly data: number[];
}
interface FuncCase {
  readonly name: string;
  readonly fn: string;
  readonly transform: "grad" | "jvp" | "vjp" | "jacrev" | "jacfwd" | "hessian" | "hvp";
  readonly argnums: number | number[];
  readonly inputs: Encoded[];
  readonly tangents?: Encoded[];
  readonly cotangent?: Encoded;
  readonly outputs: Encoded[];
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/torch-func.json", import.meta.url), "utf8")) as { cases: FuncCase[] };
const decode = (e: Encoded) => cr.tensor([...e.data], f64).reshape(e.shape);

// The same functions as tools/gen_torch_func_fixtures.py.
const FUNCS: Record<string, (...xs: Tensor[]) => Tensor> = {
  sinTimesX: (x) => x.sin().mul(x).sum(),
  tanhLinear: (x, w) => w!.matmul(x!).tanh(),
  softmax: (x) => x.softmax(-1),
  logsumexp: (x) => x.logsumexp(0),
  expCos: (x) => x.exp().mul(x.cos()),
  matmul: (a, b) => a!.matmul(b!),
  mlpLoss: (w1, w2, x) => x!.matmul(w1!).tanh().matmul(w2!).pow(2).mean(),
  quartic: (x) => x.pow(4).sub(x.pow(2).mul(2)).add(x).sum(),
  gelu: (x) => x.gelu(),
  normalize: (x) => x.div(x.square().sum().sqrt()),
};

function flat(x: unknown): Tensor[] {
  return x instanceof cr.Tensor ? [x] : (x as unknown[]).flatMap(flat);
}

for (const c of fixture.cases) {
  test(`torch.func: ${c.name}`, () => {
    const f = FUNCS[c.fn]!;
    const xs = c.inputs.map(decode);
    const argnums = c.argnums;
    let got: unknown;
    switch (c.transform) {
      case "grad": got = func.grad(f, { argnums })(...xs); break;
      case "jacrev": got = func.jacobian(f, { argnums })(...xs); break;
      case "jacfwd": got = func.jacobian(f, { argnums, mode: "forward" })(...xs); break;
      case "hessian": got = func.hessian(f, { argnums })(...xs); break;
      case "jvp": got = func.jvp(f, xs, c.tangents!.map(decode)); break;
      case "vjp": {
        const [y, vjpFn] = func.vjp(f, ...xs);
        got = [y, vjpFn(decode(c.cotangent!))];
        break;
      }
      case "hvp": got = func.hvp(f, xs, c.tangents!.map(decode)); break;
    }
    const tensors = flat(got);
    assert.equal(tensors.length, c.outputs.length, "number of results");
    tensors.forEach((t, i) => close(t, decode(c.outputs[i]!), 1e-10, `result ${i}`));
  });
}
