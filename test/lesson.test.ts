// The lesson's claims as tests, on the tensor engine, and the two engines agreeing with each other.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "chainrule";

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

describe("the lesson's examples", () => {
  test("y = sin(x²) gives dy/dx = 2x·cos(x²)", () => {
    for (const v of [-2, -0.3, 0, 0.7, 1.3, 3]) {
      const x = cr.tensor(v, { requiresGrad: true, dtype: "float64" });
      x.pow(2).sin().backward();
      close(x.grad!.item(), 2 * v * Math.cos(v * v));
    }
  });

  test("f = (x+y)·z at x=-2, y=5, z=-4 gives ∂f/∂x = -4, ∂f/∂y = -4, ∂f/∂z = 3", () => {
    const x = cr.tensor(-2, { requiresGrad: true });
    const y = cr.tensor(5, { requiresGrad: true });
    const z = cr.tensor(-4, { requiresGrad: true });
    const f = x.add(y).mul(z);
    assert.equal(f.item(), -12);
    f.backward();
    assert.equal(x.grad!.item(), -4);
    assert.equal(y.grad!.item(), -4);
    assert.equal(z.grad!.item(), 3);
  });

  test("a value used on two paths sums its gradients (the multivariate chain rule)", () => {
    // z = x·y + sin(x) with x, y both functions of t: dz/dt = ∂z/∂x·dx/dt + ∂z/∂y·dy/dt
    const t = cr.tensor(0.4, { requiresGrad: true, dtype: "float64" });
    const x = t.pow(2);
    const y = t.exp();
    x.mul(y).add(x.sin()).backward();
    const tv = 0.4;
    const [xv, yv] = [tv * tv, Math.exp(tv)];
    close(t.grad!.item(), (yv + Math.cos(xv)) * 2 * tv + xv * yv);
  });

  test("forgetting to zero gradients accumulates them", () => {
    const w = cr.tensor([1, -2], { requiresGrad: true });
    const loss = () => w.mul(w).sum();
    loss().backward();
    assert.deepEqual(w.grad!.tolist(), [2, -4]);
    loss().backward();
    assert.deepEqual(w.grad!.tolist(), [4, -8]);
    w.grad = null;
    loss().backward();
    assert.deepEqual(w.grad!.tolist(), [2, -4]);
  });

  test("the sigmoid derivative never exceeds 0.25", () => {
    const x = cr.linspace(-20, 20, 4001, { dtype: "float64", requiresGrad: true });
    x.sigmoid().sum().backward();
    const slopes = x.grad!.toTypedArray();
    assert.ok(slopes.every((s) => s <= 0.25 && s >= 0));
    close(x.grad!.max().item(), 0.25);
  });

  test("ten stacked sigmoids shrink the gradient below 0.25¹⁰", () => {
    const x = cr.linspace(-3, 3, 61, { dtype: "float64", requiresGrad: true });
    let h = x;
    for (let i = 0; i < 10; i++) h = h.sigmoid();
    h.sum().backward();
    assert.ok(x.grad!.toTypedArray().every((g) => g > 0 && g < 0.25 ** 10));
  });

  test("numerical gradient checking agrees with backprop to better than 1e-5", () => {
    cr.manualSeed(1);
    const x = cr.randn([5], { dtype: "float64", requiresGrad: true });
    assert.equal(cr.autograd.gradcheck((x) => x.pow(2).sin().mul(x.tanh()).sum(), [x], { atol: 1e-5, rtol: 0 }), true);
  });
});

describe("the Value engine and the tensor engine agree", () => {
  type Expr = { value: (a: cr.Value, b: cr.Value) => cr.Value; tensor: (a: cr.Tensor, b: cr.Tensor) => cr.Tensor; name: string };
  const exprs: Expr[] = [
    { name: "(a+b)·a", value: (a, b) => a.add(b).mul(a), tensor: (a, b) => a.add(b).mul(a) },
    { name: "a/b - b", value: (a, b) => a.div(b).sub(b), tensor: (a, b) => a.div(b).sub(b) },
    { name: "aᵇ", value: (a, b) => a.pow(b), tensor: (a, b) => a.pow(b) },
    { name: "a³ + 1", value: (a) => a.pow(3).add(1), tensor: (a) => a.pow(3).add(1) },
    { name: "exp(a)·log(b)", value: (a, b) => a.exp().mul(b.log()), tensor: (a, b) => a.exp().mul(b.log()) },
    { name: "tanh(a·b)", value: (a, b) => a.mul(b).tanh(), tensor: (a, b) => a.mul(b).tanh() },
    { name: "σ(a) - relu(b)", value: (a, b) => a.sigmoid().sub(b.relu()), tensor: (a, b) => a.sigmoid().sub(b.relu()) },
    { name: "sin(a)·cos(b) + -a", value: (a, b) => a.sin().mul(b.cos()).add(a.neg()), tensor: (a, b) => a.sin().mul(b.cos()).add(a.neg()) },
    {
      name: "a neuron: tanh(w1·x1 + w2·x2 + b)",
      value: (a, b) => a.mul(0.5).add(b.mul(-1.5)).add(0.1).tanh(),
      tensor: (a, b) => a.mul(0.5).add(b.mul(-1.5)).add(0.1).tanh(),
    },
  ];
  const points: [number, number][] = [[0.8, 1.7], [1.3, 0.4], [2.1, 2.5], [0.35, 1.05]];
  for (const e of exprs) {
    test(e.name, () => {
      for (const [av, bv] of points) {
        const a = new cr.Value(av);
        const b = new cr.Value(bv);
        const out = e.value(a, b);
        out.backward();
        const at = cr.tensor(av, { dtype: "float64", requiresGrad: true });
        const bt = cr.tensor(bv, { dtype: "float64", requiresGrad: true });
        const ot = e.tensor(at, bt);
        ot.backward();
        close(out.data, ot.item(), 1e-12);
        close(a.grad, at.grad?.item() ?? 0, 1e-12);
        close(b.grad, bt.grad?.item() ?? 0, 1e-12);
      }
    });
  }
});
