// cr.linalg, einsum, the products and the distances: gradcheck and gradgradcheck in float64, forward-mode tangents
// against reverse mode, the decompositions' defining identities, PyTorch's conventions where a derivative is not
// defined, and the errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";

type Tensor = cr.Tensor;
const L = cr.linalg;
const F = cr.nn.functional;

const f64 = (shape: number[], scale = 1) => cr.randn(shape, { dtype: "float64" }).mul(scale).requiresGrad_(true);
/** Well conditioned: a dominant diagonal. */
const goodMatrix = (shape: number[]) => {
  const n = shape[shape.length - 1]!;
  return cr.randn(shape, { dtype: "float64" }).add(cr.eye(n, { dtype: "float64" }).mul(2 * Math.sqrt(n))).requiresGrad_(true);
};
const sym = (x: Tensor) => x.add(x.transpose(-2, -1));
const spdOf = (x: Tensor) => x.matmul(x.transpose(-2, -1)).add(cr.eye(x.shape[x.ndim - 1]!, { dtype: "float64" }).mul(2));

function check(name: string, fn: (...xs: Tensor[]) => Tensor, inputs: () => Tensor[], twice = false): void {
  test(`gradcheck${twice ? " and gradgradcheck" : ""}: ${name}`, () => {
    cr.manualSeed(21);
    const xs = inputs();
    assert.equal(cr.autograd.gradcheck(fn, xs), true);
    if (twice) assert.equal(cr.autograd.gradgradcheck(fn, xs), true);
  });
}

check("solve, matrix and broadcast right-hand sides", (a, b) => L.solve(a, b), () => [goodMatrix([3, 3]), f64([2, 3, 2])], true);
check("solve, a vector, left: false", (a, b) => L.solve(a, b, { left: false }).add(L.solve(a, b)), () => [goodMatrix([3, 3]), f64([3])]);
check("solveTriangular, upper", (a, b) => L.solveTriangular(a, b, { upper: true }), () => [goodMatrix([2, 3, 3]), f64([2, 3, 2])], true);
check("solveTriangular, lower, unit diagonal, from the right", (a, b) => L.solveTriangular(a, b, { upper: false, unitriangular: true, left: false }), () => [goodMatrix([3, 3]), f64([2, 3])]);
check("inv", (a) => L.inv(a), () => [goodMatrix([2, 3, 3])], true);
check("det", (a) => L.det(a), () => [f64([2, 3, 3])], true);
check("slogdet's logabsdet", (a) => L.slogdet(a).logabsdet, () => [f64([2, 3, 3])], true);
check("cholesky of X·Xᵀ + 2I, lower and upper", (x) => L.cholesky(spdOf(x)).add(L.cholesky(spdOf(x), { upper: true })), () => [f64([2, 3, 3])], true);
check("qr, tall: Q and R", (a) => { const { Q, R } = L.qr(a); return Q.sum().add(R.square().sum()); }, () => [f64([4, 3])], true);
check("qr, wide, complete", (a) => { const { Q, R } = L.qr(a, { mode: "complete" }); return Q.mul(2).sum().add(R.sum()); }, () => [f64([3, 5])]);
check("eigh: values and the eigenvectors' squares (sign-invariant)", (x) => { const [v, w] = L.eigh(sym(x)); return w.square().sum(-2).mul(v).add(w.square().mul(cr.arange(3, { dtype: "float64" })).sum(-2)); }, () => [f64([2, 3, 3])], true);
check("eigvalsh, reading the upper triangle", (x) => L.eigvalsh(sym(x), { UPLO: "U" }), () => [f64([3, 3])]);
check("svd: S, U∘U and Vh∘Vh, tall", (a) => { const [u, s, vh] = L.svd(a, { fullMatrices: false }); return u.square().sum(0).add(s).add(vh.square().mul(cr.arange(3, { dtype: "float64" })).sum(1)); }, () => [f64([4, 3])], true);
check("svd, wide, full matrices", (a) => { const [u, s, vh] = L.svd(a); return u.square().mul(cr.arange(2, { dtype: "float64" })).sum().add(s.sum()).add(vh.narrow(0, 0, 2).square().mul(cr.arange(4, { dtype: "float64" })).sum()); }, () => [f64([2, 4])]);
check("svdvals", (a) => L.svdvals(a), () => [f64([2, 3, 4])], true);
check("einsum with a diagonal, a broadcast and a contraction path", (a, b, c) => cr.einsum("iij,jk,k...->i...", a, b, c), () => [f64([3, 3, 2]), f64([2, 4]), f64([4, 1, 2])], true);
check("outer, kron, trace", (a, b, m) => cr.outer(a, b).sum().add(cr.kron(m, a.reshape([1, 3])).square().sum()).add(cr.trace(m)), () => [f64([3]), f64([2]), f64([2, 2])], true);
check("cdist, p = 2, 1 and 3", (a, b) => cr.cdist(a, b).add(cr.cdist(a, b, { p: 1 })).add(cr.cdist(a, b, { p: 3 })), () => [f64([3, 2]), f64([4, 2])], true);
check("cdist through the matrix product", (a, b) => cr.cdist(a, b, { computeMode: "use_mm_for_euclid_dist" }), () => [f64([3, 2]), f64([4, 2])]);
check("cosineSimilarity and pairwiseDistance", (a, b) => F.cosineSimilarity(a, b).add(F.pairwiseDistance(a, b, { p: 3 })), () => [f64([4, 3]), f64([4, 3])], true);

test("forward-mode tangents of every decomposition match reverse mode: ⟨g, J·t⟩ = ⟨Jᵀ·g, t⟩", () => {
  cr.manualSeed(5);
  const fns: [string, (x: Tensor) => Tensor, number[]][] = [
    ["solve", (x) => L.solve(x.add(cr.eye(3, { dtype: "float64" }).mul(4)), x.narrow(-1, 0, 2)), [3, 3]],
    ["solveTriangular", (x) => L.solveTriangular(x.add(cr.eye(3, { dtype: "float64" }).mul(4)), x, { upper: true }), [3, 3]],
    ["det", (x) => L.det(x), [2, 3, 3]],
    ["slogdet", (x) => cr.stack(L.slogdet(x), -1), [3, 3]],
    ["cholesky", (x) => L.cholesky(spdOf(x)), [3, 3]],
    ["qr tall", (x) => { const [q, r] = L.qr(x); return cr.cat([q.reshape([-1]), r.reshape([-1])]); }, [4, 3]],
    ["qr wide", (x) => { const [q, r] = L.qr(x); return cr.cat([q.reshape([-1]), r.reshape([-1])]); }, [2, 4]],
    ["eigh", (x) => { const [v, w] = L.eigh(sym(x)); return cr.cat([v.reshape([-1]), w.square().reshape([-1])]); }, [3, 3]],
    ["svd tall, full", (x) => { const [u, s, vh] = L.svd(x); return cr.cat([u.narrow(-1, 0, 2).square().reshape([-1]), s, vh.square().reshape([-1])]); }, [3, 2]],
    ["svd wide", (x) => { const [u, s, vh] = L.svd(x, { fullMatrices: false }); return cr.cat([u.square().reshape([-1]), s, vh.square().reshape([-1])]); }, [2, 3]],
  ];
  for (const [name, f, shape] of fns) {
    const x = cr.randn(shape, { dtype: "float64" }), t = cr.randn(shape, { dtype: "float64" });
    const [y, tangent] = cr.func.jvp(f, [x], [t]);
    const g = cr.randn(y.shape, { dtype: "float64" });
    const xr = x.detach().requiresGrad_(true);
    const [vjp] = cr.autograd.grad(f(xr), [xr], { gradOutputs: [g] });
    const lhs = g.mul(tangent).sum().item(), rhs = vjp!.mul(t).sum().item();
    assert.ok(Math.abs(lhs - rhs) <= 1e-8 * (1 + Math.abs(rhs)), `${name}: ${lhs} vs ${rhs}`);
  }
});

test("the decompositions satisfy their definitions, batched, in float32 and float64", () => {
  cr.manualSeed(9);
  for (const dtype of ["float32", "float64"] as const) {
    const tol = dtype === "float32" ? 1e-4 : 1e-11;
    const close = (a: Tensor, b: Tensor, what: string) => assert.ok(a.sub(b).abs().max().item() <= tol * (1 + b.abs().max().item()), `${dtype} ${what}`);
    const a = cr.randn([3, 5, 4], { dtype });
    const [q, r] = L.qr(a);
    close(q.matmul(r), a, "Q·R");
    close(q.transpose(-2, -1).matmul(q), cr.eye(4, { dtype }).expand([3, 4, 4]), "QᵀQ");
    const [u, s, vh] = L.svd(a);
    close(u.narrow(-1, 0, 4).mul(s.unsqueeze(-2)).matmul(vh), a, "U·S·Vh");
    close(u.transpose(-2, -1).matmul(u), cr.eye(5, { dtype }).expand([3, 5, 5]), "UᵀU (full)");
    const sm = sym(a.narrow(-1, 0, 4).narrow(-2, 0, 4));
    const [w, v] = L.eigh(sm);
    close(v.mul(w.unsqueeze(-2)).matmul(v.transpose(-2, -1)), sm, "V·diag(w)·Vᵀ");
    assert.ok(w.narrow(-1, 1, 3).sub(w.narrow(-1, 0, 3)).min().item() >= 0, "ascending");
    const spd = spdOf(cr.randn([2, 4, 4], { dtype }));
    const l = L.cholesky(spd);
    close(l.matmul(l.transpose(-2, -1)), spd, "L·Lᵀ");
    close(spd.matmul(L.inv(spd)), cr.eye(4, { dtype }).expand([2, 4, 4]), "A·A⁻¹");
    close(L.det(spd), L.slogdet(spd).logabsdet.exp(), "det = exp(logabsdet)");
  }
});

test("rank-deficient, zero and empty matrices: PyTorch's values", () => {
  const [u, s, vh] = L.svd(cr.tensor([[1, 0], [0, 1], [0, 0]], { dtype: "float64" }));
  assert.deepEqual(s.tolist(), [1, 1]);
  assert.ok(u.transpose(0, 1).matmul(u).sub(cr.eye(3, { dtype: "float64" })).abs().max().item() < 1e-12, "U completed to an orthonormal basis");
  assert.deepEqual(vh.abs().tolist(), [[1, 0], [0, 1]]);
  assert.deepEqual(L.svdvals(cr.zeros([2, 3], { dtype: "float64" })).tolist(), [0, 0]);
  assert.equal(L.det(cr.zeros([0, 0], { dtype: "float64" })).item(), 1);
  const { sign, logabsdet } = L.slogdet(cr.tensor([[1, 2], [2, 4]], { dtype: "float64" }));
  assert.deepEqual([Math.abs(sign.item()), logabsdet.item()], [0, -Infinity]);
  assert.deepEqual(L.qr(cr.zeros([3, 2], { dtype: "float64" }), { mode: "r" }).Q.shape, [0]);
});

test("det's gradient at a singular matrix: 0 for a first derivative, the adjugate when differentiated again (PyTorch's)", () => {
  const a = cr.tensor([[1, 2, 3], [2, 4, 6], [1, 0, 1]], { dtype: "float64", requiresGrad: true });
  assert.deepEqual(cr.autograd.grad(L.det(a), [a])[0]!.abs().tolist(), [[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
  const [g] = cr.autograd.grad(L.det(a), [a], { createGraph: true });
  // torch.autograd.grad(torch.linalg.det(a), a, create_graph=True) in PyTorch 1.13.
  const want = [[4, 4, -4], [-2, -2, 2], [0, 0, 0]];
  (g!.tolist() as number[][]).forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - want[i]![j]!) < 1e-12, `[${i}][${j}] ${v}`)));
  // The adjugate's own derivative exists too (a second derivative through the SVD).
  assert.equal(cr.autograd.grad(g!.sum(), [a])[0]!.shape.length, 2);
});

test("eigvalsh and svdvals have finite gradients at repeated values; eigenvectors' do not (as PyTorch)", () => {
  const a = cr.eye(3, { dtype: "float64" }).mul(2).requiresGrad_(true);
  assert.deepEqual(cr.autograd.grad(L.eigvalsh(a).sum(), [a])[0]!.tolist(), [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  assert.deepEqual(cr.autograd.grad(L.eigh(a).eigenvalues.sum(), [a])[0]!.tolist(), [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  const [g] = cr.autograd.grad(L.eigh(a).eigenvectors.sum(), [a]);
  assert.ok(g!.isnan().any().item() || g!.isinf().any().item(), "not finite");
  const b = cr.tensor([[1, 2], [2, 4], [0, 0]], { dtype: "float64", requiresGrad: true });
  assert.ok(cr.autograd.grad(L.svdvals(b).sum(), [b])[0]!.isfinite().all().item());
});

test("errors name the op, the batch element and the pivot or minor, as PyTorch's LinAlgError", () => {
  const singular = cr.tensor([[1, 2], [2, 4]], { dtype: "float64" });
  const eye = cr.eye(2, { dtype: "float64" });
  assert.throws(() => L.solve(singular, cr.ones([2], { dtype: "float64" })), { name: "LinAlgError", message: "linalg.solve: The solver failed because the input matrix is singular." });
  assert.throws(() => L.solve(cr.stack([eye, singular]), cr.ones([2, 2, 1], { dtype: "float64" })), { name: "LinAlgError", message: "linalg.solve: (Batch element 1): The solver failed because the input matrix is singular." });
  assert.throws(() => L.inv(singular), { name: "LinAlgError", message: "linalg.inv: The diagonal element 2 is zero, the inversion could not be completed because the input matrix is singular." });
  assert.throws(() => L.cholesky(singular), { name: "LinAlgError", message: "linalg.cholesky: The factorization could not be completed because the input is not positive-definite (the leading minor of order 2 is not positive-definite)." });
  assert.throws(() => L.cholesky(cr.stack([eye, eye.neg()])), /linalg.cholesky: \(Batch element 1\): .*leading minor of order 1 is not positive-definite/);
  assert.ok(new L.LinAlgError("x") instanceof cr.LinAlgError);
  assert.throws(() => L.inv(cr.ones([2, 3])), /linalg.inv: A must be batches of square matrices, but they are 2 by 3 matrices/);
  assert.throws(() => L.det(cr.ones([3])), /linalg.det: the input tensor A must have at least 2 dimensions, got \[3\]/);
  assert.throws(() => L.det(cr.ones([2, 2], { dtype: "int32" })), /linalg.det: expected a floating-point tensor, got int32/);
  assert.throws(() => L.solve(eye, cr.ones([3], { dtype: "float64" })), /linalg.solve: incompatible shapes of A and B for the equation AX = B \(\[2,2\] and \[3\]\)/);
  assert.throws(() => L.solveTriangular(eye, eye, {} as { upper: boolean }), /linalg.solveTriangular: the option upper \(true or false\) is required/);
  assert.throws(() => L.eigh(cr.tensor([[NaN, 0], [0, 1]])), /linalg.eigh: The algorithm failed to converge/);
  const x = cr.randn([4, 2], { dtype: "float64", requiresGrad: true });
  assert.throws(() => L.qr(x, { mode: "complete" }).Q.sum().backward(), /The QR decomposition is not differentiable when mode='complete' and nrows > ncols/);
  assert.throws(() => L.qr(x, { mode: "r" }).R.sum().backward(), /The derivative of linalg.qr depends on Q, which is not computed when mode='r'/);
});

test("einsum: PyTorch's implicit output, ellipsis, broadcasting, sublists, and its errors", () => {
  cr.manualSeed(2);
  const a = cr.randn([2, 3]), b = cr.randn([3, 4]), c = cr.randn([4, 5]);
  const close = (x: Tensor, y: Tensor) => assert.ok(x.sub(y).abs().max().item() < 1e-5);
  close(cr.einsum("ij,jk,kl->il", a, b, c), a.matmul(b).matmul(c));
  close(cr.einsum("ij,jk,kl", [a, b, c]), a.matmul(b).matmul(c));
  close(cr.einsum(a, [0, 1], b, [1, 2]), a.matmul(b));
  assert.deepEqual(cr.einsum("Ba,ab", a, b).shape, [2, 4]); // B before b
  assert.deepEqual(cr.einsum("...,...", cr.ones([3, 1]), cr.ones([4])).shape, [3, 4]);
  assert.deepEqual(cr.einsum("b i j -> j i b", cr.ones([2, 3, 4])).shape, [4, 3, 2]);
  assert.equal(cr.einsum("ii", cr.eye(4)).item(), 4);
  assert.deepEqual(cr.einsum("i,j->", cr.ones([2]), cr.ones([3])).item(), 6);
  assert.throws(() => cr.einsum("ij,jk", a, cr.ones([4, 5])), /einsum: subscript j has size 4 for operand 1 which does not broadcast with previously seen size 3/);
  assert.throws(() => cr.einsum("ij->ii", a), /einsum: output subscript i appears more than once in the output/);
  assert.throws(() => cr.einsum("ij->k", a), /einsum: output subscript k does not appear in the equation for any input operand/);
  assert.throws(() => cr.einsum("ijk", a), /einsum: operand 0 has 2 dims \[2,3\] but its subscripts name 3/);
  assert.throws(() => cr.einsum("ij,jk", a), /einsum: the equation names 2 operands but 1 were given/);
  assert.throws(() => cr.einsum("i1", a), /einsum: invalid subscript "1"/);
  assert.throws(() => cr.einsum("ii", cr.ones([2, 3])), /einsum: subscript i is repeated for operand 0 but the sizes don't match, 2 != 3/);
});

test("outer, kron, trace, cdist and friends check their arguments", () => {
  assert.throws(() => cr.outer(cr.ones([2, 2]), cr.ones([2])), /outer: expected two 1-D tensors, got \[2,2\] and \[2\]/);
  assert.throws(() => cr.trace(cr.ones([2])), /trace: expected a matrix, got \[2\]/);
  assert.deepEqual(cr.kron(cr.eye(2), cr.ones([2, 2])).tolist(), [[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]]);
  assert.throws(() => cr.cdist(cr.ones([3]), cr.ones([2, 3])), /cdist: expects at least 2-D tensors, got \[3\] and \[2,3\]/);
  assert.throws(() => cr.cdist(cr.ones([2, 3]), cr.ones([2, 4])), /cdist: x1 \[2,3\] and x2 \[2,4\] must have the same number of columns/);
  assert.throws(() => cr.cdist(cr.ones([2, 3]), cr.ones([2, 3]), { p: -1 }), /cdist: p must be a non-negative number/);
  assert.throws(() => F.cosineSimilarity(cr.ones([2], { dtype: "int32" }), cr.ones([2], { dtype: "int32" })), /cosineSimilarity: expected floating-point inputs, got int32 and int32/);
});
