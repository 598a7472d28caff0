// In-place ops and version counters: every hazard torch 1.13 detects is detected, and what it allows works with the right gradient.
// Each case's outcome (error or gradient) was checked against torch 1.13 (/usr/bin/python3) when it was written.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "chainrule";

const X = () => cr.tensor([0.5, -1, 2], { requiresGrad: true, dtype: "float64" });
const W = () => cr.tensor([1, 2, 3], { requiresGrad: true, dtype: "float64" });

/** Asserts that `fn` throws the version-counter error naming `node`. */
function stale(node: string, fn: () => void): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cr.AutogradError, String(e));
    assert.match(e.message, new RegExp(`^${node}: one of the tensors needed for the gradient \\((input \\d|the output) of shape \\[[\\d,]*\\], \\w+\\) was modified by an in-place operation`));
    return true;
  });
}

// float32 results: the wasm backend's fused multiply-add differs from mul + add in the last bits.
const close = (a: cr.Tensor, b: number[]) => (a.tolist() as number[]).forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-6 * Math.max(1, Math.abs(b[i]!)), `${v} vs ${b[i]}`));

test("in-place on outputs a rule saved (exp, tanh, sigmoid, relu, sqrt): error naming the node (torch: error)", () => {
  for (const [op, node] of [["exp", "ExpBackward"], ["tanh", "TanhBackward"], ["sigmoid", "SigmoidBackward"], ["relu", "ReluBackward"], ["sqrt", "SqrtBackward"]] as const) {
    const x = cr.tensor([0.5, 1, 2], { requiresGrad: true });
    const y = x[op]();
    y.mul_(2);
    stale(node, () => y.sum().backward());
    assert.equal(x.grad, null, `${op}: nothing accumulated`);
  }
  // zero_, copy_, clamp_ count as much as mul_ (torch: error for each)
  for (const modify of [(y: cr.Tensor) => y.zero_(), (y: cr.Tensor) => y.copy_(cr.ones([3])), (y: cr.Tensor) => y.clamp_(0, 0.5)]) {
    const y = X().sigmoid();
    modify(y);
    stale("SigmoidBackward", () => y.sum().backward());
  }
});

test("pow: its output is saved only for the exponent's gradient (torch: pow(x, 2) output may change, pow(x, w) not)", () => {
  const x = X();
  const y = x.pow(2);
  y.mul_(2);
  y.sum().backward();
  close(x.grad!, [2, -4, 8]);
  const w = cr.tensor(2, { requiresGrad: true, dtype: "float64" });
  const z = cr.tensor([0.5, 1, 2], { requiresGrad: true, dtype: "float64" }).pow(w);
  z.mul_(2);
  stale("PowBackward", () => z.sum().backward());
  const h = X().mul(1);
  const p = h.pow(2);
  h.add_(1);
  stale("PowBackward", () => p.sum().backward());
});

test("inputs of mul, div and matmul modified in place: an error exactly when the gradient reads them (torch: same)", () => {
  // mul reads a only for b's gradient
  let h = X().mul(1);
  const w = W();
  let y = h.mul(w);
  h.add_(1);
  stale("MulBackward", () => y.sum().backward());
  const x = X();
  h = x.add(1);
  y = h.mul(2);
  h.add_(1);
  y.sum().backward();
  close(x.grad!, [2, 2, 2]);
  // mul's other input, when self needs a gradient
  const hw = W().mul(1);
  y = X().mul(hw);
  hw.add_(1);
  stale("MulBackward", () => y.sum().backward());

  // div reads b always, a only for b's gradient
  const b = W().mul(1);
  y = X().div(b);
  b.add_(1);
  stale("DivBackward", () => y.sum().backward());
  const x2 = X();
  h = x2.mul(1);
  y = h.div(2);
  h.add_(1);
  y.sum().backward();
  close(x2.grad!, [0.5, 0.5, 0.5]);
  h = X().mul(1);
  y = h.div(W());
  h.add_(1);
  stale("DivBackward", () => y.sum().backward());

  // matmul reads A only for B's gradient, B only for A's
  const a = cr.randn([2, 3], { requiresGrad: true });
  const B = cr.randn([3, 4], { requiresGrad: true });
  let ha = a.mul(1);
  let m = ha.matmul(B);
  ha.add_(1);
  stale("MatmulBackward", () => m.sum().backward());
  const Bc = cr.randn([3, 4]);
  ha = a.mul(1);
  m = ha.matmul(Bc);
  ha.add_(1);
  m.sum().backward();
  const rows = Bc.sum(1).tolist() as number[]; // d Σ(A·Bc)/dA = 1·Bcᵀ: every row of A gets Bc's row sums
  close(a.grad!.reshape(-1), [...rows, ...rows]);
  const hB = B.mul(1);
  m = a.matmul(hB);
  hB.mul_(2);
  stale("MatmulBackward", () => m.sum().backward());
});

test("in-place on a leaf that requires grad is an error outside noGrad, naming the op (torch: error)", () => {
  const x = X();
  for (const [op, f] of [["add_", () => x.add_(1)], ["mul_", () => x.mul_(2)], ["fill_", () => x.fill_(0)], ["zero_", () => x.zero_()], ["copy_", () => x.copy_(cr.ones([3]))]] as const) {
    assert.throws(f, (e: Error) => e instanceof cr.AutogradError && e.message.startsWith(op === "zero_" ? "fill_" : op) && /leaf tensor that requires grad/.test(e.message));
  }
  assert.deepEqual(x.tolist(), [0.5, -1, 2], "unchanged");
  cr.noGrad(() => x.add_(1));
  assert.deepEqual(x.tolist(), [1.5, 0, 3]);
  assert.equal(x.isLeaf, true);
  // a view of such a leaf (torch: "a view of a leaf Variable that requires grad is being used in an in-place operation")
  assert.throws(() => x.reshape(3, 1).mul_(2), /mul_: a view \(shape \[3,1\]\) of a leaf tensor that requires grad/);
  assert.deepEqual(x.tolist(), [1.5, 0, 3]);
});

test("what torch allows works, with its gradient: add_ on a non-leaf no rule saved; the brief's exp·mul·mul_ case", () => {
  let x = X();
  const h = x.mul(2);
  h.add_(1);
  h.sum().backward();
  close(x.grad!, [2, 2, 2]);
  // h = exp(x); h2 = 3h; h2 *= 2: mul_ must not trip over its own old input (torch: allowed, grad 6·eˣ)
  x = X();
  const h2 = x.exp().mul(3);
  h2.mul_(2);
  assert.equal(h2.gradFn?.name, "MulBackward");
  h2.sum().backward();
  close(x.grad!, [0.5, -1, 2].map((v) => 6 * Math.exp(v)));
  // zero_ on a non-leaf whose value nothing saved (torch: grad 1 through the earlier sum)
  x = X();
  const y = x.add(1);
  const s = y.sum();
  y.zero_();
  s.backward();
  close(x.grad!, [1, 1, 1]);
});

test("in-place ops whose own derivative reads the old self get a copy of it, as torch saves self.clone()", () => {
  let x = X();
  let w = W();
  let h = x.mul(1);
  h.mul_(w); // torch: x.grad = w, w.grad = x
  h.sum().backward();
  close(x.grad!, [1, 2, 3]);
  close(w.grad!, [0.5, -1, 2]);
  x = X();
  w = cr.tensor([1, 2, 4], { requiresGrad: true, dtype: "float64" });
  h = x.mul(1);
  h.div_(w); // torch: x.grad = 1/w, w.grad = -x/w²
  h.sum().backward();
  close(x.grad!, [1, 0.5, 0.25]);
  close(w.grad!, [-0.5, 0.25, -0.125]);
  // h *= h: torch 1.13 reports an error here; chainrule saves a copy and gives the right gradient 2h
  x = X();
  h = x.mul(1);
  h.mul_(h);
  h.sum().backward();
  close(x.grad!, [1, -2, 4]);
});

test("fill_ and copy_ keep the history with a zero gradient to what was overwritten (torch: FillBackward, CopyBackwards)", () => {
  let x = X();
  const w = W();
  const h = x.mul(1);
  h.fill_(3);
  h.mul(w).sum().backward();
  close(x.grad!, [0, 0, 0]);
  close(w.grad!, [3, 3, 3]);
  x = X();
  const src = W();
  const c = x.mul(1);
  c.copy_(src.mul(2));
  c.sum().backward();
  close(x.grad!, [0, 0, 0]);
  close(src.grad!, [2, 2, 2]);
});

test("views share the version counter and the history: stale uses are caught, and the base and views follow each other (torch: same)", () => {
  // a view of exp's output modified: exp's saved output went stale
  let x = X();
  const y = x.exp();
  y.reshape(3, 1).mul_(2);
  stale("ExpBackward", () => y.sum().backward());
  // a view modified in place: the base's gradient goes through the change (torch: 2)
  x = X();
  let a = x.mul(1);
  const v = a.reshape(3, 1);
  v.mul_(2);
  assert.deepEqual(a.tolist(), [1, -2, 4]);
  a.sum().backward();
  close(x.grad!, [2, 2, 2]);
  // the base modified in place: an older view's gradient goes through the change (torch: 2)
  x = X();
  a = x.mul(1);
  const v2 = a.reshape(3, 1);
  a.mul_(2);
  v2.sum().backward();
  close(x.grad!, [2, 2, 2]);
  // a sibling view sees a change made through another view
  x = X();
  a = x.mul(1);
  const s1 = a.reshape(1, 3);
  const s2 = a.reshape(3, 1);
  s2.add_(cr.tensor([[1], [1], [1]], { dtype: "float64" }).mul(W().reshape(3, 1)));
  s1.sum().backward();
  close(x.grad!, [1, 1, 1]);
  // detach shares memory but not history: changing it is not tracked (torch: allowed, grad 1)
  x = X();
  a = x.mul(1);
  a.detach().mul_(2);
  a.sum().backward();
  close(x.grad!, [1, 1, 1]);
});

test("noGrad in-place ops still bump the version: a later backward through a saved tensor fails", () => {
  const x = X();
  const y = x.exp();
  cr.noGrad(() => y.mul_(2));
  stale("ExpBackward", () => y.sum().backward());
});
