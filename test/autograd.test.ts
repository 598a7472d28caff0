// Autograd semantics as PyTorch defines them: leaves and results, .grad, gradFn, backward's
// options, accumulation, freed graphs, grad modes, autograd.grad and higher-order derivatives.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "chainrule";

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `${a} is not close to ${b}`);

describe("leaves, results and requiresGrad", () => {
  test("requiresGrad propagates to results, which are not leaves", () => {
    const x = cr.tensor([1, 2], { requiresGrad: true });
    const c = cr.tensor([3, 4]);
    const y = x.mul(c);
    assert.equal(y.requiresGrad, true);
    assert.equal(y.isLeaf, false);
    assert.equal(x.isLeaf, true);
    assert.equal(c.isLeaf, true);
    const z = c.mul(2);
    assert.equal(z.requiresGrad, false);
    assert.equal(z.isLeaf, true);
    assert.equal(z.gradFn, null);
  });

  test(".grad is filled on leaves only, unless retainGrad()", () => {
    const x = cr.tensor([1, 2], { requiresGrad: true });
    const h = x.mul(3);
    const k = h.exp();
    k.retainGrad();
    assert.equal(k.retainsGrad, true);
    k.sum().backward();
    assert.equal(h.grad, null);
    assert.ok(k.grad !== null);
    assert.deepEqual(k.grad.tolist(), [1, 1]);
    const expected = [3 * Math.exp(3), 3 * Math.exp(6)];
    (x.grad!.tolist() as number[]).forEach((v, i) => close(v, expected[i]!, 1e-2));
  });

  test(".grad can be set to null, and assigning a wrong shape is an error", () => {
    const x = cr.tensor([1, 2], { requiresGrad: true });
    x.sum().backward();
    assert.ok(x.grad !== null);
    x.grad = null;
    assert.equal(x.grad, null);
    assert.throws(() => (x.grad = cr.zeros([3])), { name: "ShapeError", message: /\[3\].*\[2\]/ });
    assert.throws(() => (x.grad = cr.zeros([2], { dtype: "float64" })), { name: "DTypeError" });
  });

  test("requiresGrad_ and its errors", () => {
    const x = cr.ones([2]).requiresGrad_();
    assert.equal(x.requiresGrad, true);
    assert.equal(x.requiresGrad_(false).requiresGrad, false);
    assert.throws(() => cr.ones([2], { dtype: "int32" }).requiresGrad_(), { name: "DTypeError", message: /floating-point/ });
    const y = cr.ones([2], { requiresGrad: true }).mul(2);
    assert.throws(() => (y.requiresGrad = false), { name: "AutogradError", message: /leaf.*MulBackward/ });
  });

  test("detach() shares memory but leaves the graph", () => {
    const x = cr.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    const d = y.detach();
    assert.equal(d.requiresGrad, false);
    assert.equal(d.gradFn, null);
    assert.equal(d.isLeaf, true);
    y.dataView()[0] = 42;
    assert.equal(d.toTypedArray()[0], 42);
    const z = d.mul(x).sum();
    z.backward();
    assert.deepEqual(x.grad!.tolist(), [42, 4]);
  });
});

describe("gradFn", () => {
  test("every result has a named gradFn with nextFunctions", () => {
    const a = cr.tensor([1], { requiresGrad: true });
    const b = cr.tensor([2], { requiresGrad: true });
    const c = cr.tensor([3]);
    const y = a.add(b).mul(c);
    assert.equal(y.gradFn!.name, "MulBackward");
    const [addEdge, constEdge] = y.gradFn!.nextFunctions;
    const [add, addNr] = addEdge!;
    const [none] = constEdge!;
    assert.equal(add!.name, "AddBackward");
    assert.equal(addNr, 0);
    assert.equal(none, null);
    const leaves = add!.nextFunctions.map(([n]) => n);
    assert.ok(leaves.every((n) => n instanceof cr.autograd.AccumulateGrad));
    assert.equal((leaves[0] as cr.autograd.AccumulateGrad).variable, a);
    assert.equal((leaves[1] as cr.autograd.AccumulateGrad).variable, b);
  });

  test("names follow the op", () => {
    const x = cr.randn([2, 3], { requiresGrad: true });
    assert.equal(x.exp().gradFn!.name, "ExpBackward");
    assert.equal(x.sum().gradFn!.name, "SumBackward");
    assert.equal(x.matmul(x.t()).gradFn!.name, "MatmulBackward");
    assert.equal(x.reshape([3, 2]).gradFn!.name, "ReshapeBackward");
    assert.equal(x.relu().gradFn!.name, "ReluBackward");
  });
});

describe("backward", () => {
  test("scalar outputs need no gradient; others need one", () => {
    const x = cr.tensor([1, 2, 3], { requiresGrad: true });
    assert.throws(() => x.mul(2).backward(), {
      name: "AutogradError",
      message: /implicitly only for a tensor with one element.*\[3\]/,
    });
    assert.equal(x.grad, null);
    x.mul(2).backward(cr.tensor([1, 10, 100]));
    assert.deepEqual(x.grad!.tolist(), [2, 20, 200]);
    x.mul(2).backward({ gradient: cr.ones([3]) });
    assert.deepEqual(x.grad!.tolist(), [4, 22, 202]);
  });

  test("backward on a tensor that needs no gradient is a clear error", () => {
    assert.throws(() => cr.tensor([1]).mul(2).backward(), { name: "AutogradError", message: /does not require grad/ });
  });

  test("a gradient of the wrong shape is an error", () => {
    const x = cr.tensor([1, 2, 3], { requiresGrad: true });
    assert.throws(() => x.mul(2).backward(cr.ones([2])), { name: "ShapeError", message: /\[2\].*\[3\]/ });
  });

  test("gradients accumulate across backward calls", () => {
    const x = cr.tensor([2], { requiresGrad: true });
    x.pow(2).backward();
    x.pow(2).backward();
    assert.equal(x.grad!.item(), 8);
  });

  test("the graph is freed after backward; a second backward is a clear error", () => {
    const x = cr.tensor([2], { requiresGrad: true });
    const y = x.exp().mul(x);
    y.backward();
    assert.throws(() => y.backward(), { name: "AutogradError", message: /second time.*retainGraph/ });
  });

  test("retainGraph keeps the graph for another backward", () => {
    const x = cr.tensor([2], { requiresGrad: true });
    const y = x.exp().mul(x);
    y.backward({ retainGraph: true });
    const first = x.grad!.item();
    y.backward();
    close(x.grad!.item(), 2 * first, 1e-4);
  });

  test("a value used on several paths sums its gradients", () => {
    const x = cr.tensor([3], { requiresGrad: true });
    const y = x.mul(x).add(x.sin()).add(x);
    y.backward();
    close(x.grad!.item(), 2 * 3 + Math.cos(3) + 1, 1e-5);
  });

  test("createGraph makes the gradient differentiable", () => {
    const x = cr.tensor([1.5], { requiresGrad: true, dtype: "float64" });
    x.pow(3).backward({ createGraph: true });
    const g = x.grad!;
    assert.equal(g.requiresGrad, true);
    close(g.item(), 3 * 1.5 ** 2);
    x.grad = null;
    g.backward();
    close(x.grad!.item(), 6 * 1.5);
  });

  test("deep chains backpropagate without overflowing the stack", () => {
    const x = cr.tensor([1], { requiresGrad: true, dtype: "float64" });
    let y = x;
    for (let i = 0; i < 20000; i++) y = y.mul(1.0001);
    y.backward();
    close(x.grad!.item(), 1.0001 ** 20000, 1e-6);
  });
});

describe("grad modes", () => {
  test("noGrad records nothing, and restores the mode after throwing", () => {
    const x = cr.tensor([1], { requiresGrad: true });
    const y = cr.noGrad(() => x.mul(2));
    assert.equal(y.requiresGrad, false);
    assert.equal(y.gradFn, null);
    assert.throws(() =>
      cr.noGrad(() => {
        throw new Error("boom");
      }),
    );
    assert.equal(cr.isGradEnabled(), true);
  });

  test("enableGrad inside noGrad records again", () => {
    const x = cr.tensor([1], { requiresGrad: true });
    const y = cr.noGrad(() => cr.enableGrad(() => x.mul(2)));
    assert.equal(y.requiresGrad, true);
  });

  test("the using form restores the previous mode at the end of the block", () => {
    const x = cr.tensor([1], { requiresGrad: true });
    {
      using _guard = cr.noGrad();
      assert.equal(cr.isGradEnabled(), false);
      assert.equal(x.mul(2).requiresGrad, false);
      {
        using _inner = cr.enableGrad();
        assert.equal(x.mul(2).requiresGrad, true);
      }
      assert.equal(cr.isGradEnabled(), false);
    }
    assert.equal(cr.isGradEnabled(), true);
  });
});

describe("autograd.grad", () => {
  test("returns gradients without touching .grad", () => {
    const x = cr.tensor([1, 2], { requiresGrad: true });
    const w = cr.tensor([3, 4], { requiresGrad: true });
    const [gx, gw] = cr.autograd.grad(x.mul(w).sum(), [x, w]);
    assert.deepEqual(gx!.tolist(), [3, 4]);
    assert.deepEqual(gw!.tolist(), [1, 2]);
    assert.equal(x.grad, null);
    assert.equal(w.grad, null);
  });

  test("gradOutputs for non-scalar outputs, several outputs at once", () => {
    const x = cr.tensor([1, 2], { requiresGrad: true });
    const [g] = cr.autograd.grad([x.mul(2), x.mul(x)], [x], { gradOutputs: [cr.ones([2]), cr.tensor([1, 10])] });
    assert.deepEqual(g!.tolist(), [2 + 2, 2 + 40]);
  });

  test("gradients with respect to intermediate tensors", () => {
    const x = cr.tensor([2], { requiresGrad: true });
    const h = x.mul(3);
    const y = h.pow(2);
    const [gh] = cr.autograd.grad(y, [h]);
    assert.equal(gh!.item(), 12);
  });

  test("unused inputs: an error, or null with allowUnused", () => {
    const x = cr.tensor([1], { requiresGrad: true });
    const u = cr.tensor([1], { requiresGrad: true });
    assert.throws(() => cr.autograd.grad(x.mul(2), [x, u], { retainGraph: true }), { name: "AutogradError", message: /input 1.*allowUnused/ });
    const [gx, gu] = cr.autograd.grad(x.mul(2), [x, u], { allowUnused: true });
    assert.equal(gx!.item(), 2);
    assert.equal(gu, null);
  });

  test("higher-order derivatives of x³ and of sin", () => {
    const x = cr.tensor([0.7], { requiresGrad: true, dtype: "float64" });
    const [d1] = cr.autograd.grad(x.pow(3), [x], { createGraph: true });
    const [d2] = cr.autograd.grad(d1!, [x], { createGraph: true });
    const [d3] = cr.autograd.grad(d2!, [x]);
    close(d1!.item(), 3 * 0.49);
    close(d2!.item(), 6 * 0.7);
    close(d3!.item(), 6);
    const [s1] = cr.autograd.grad(x.sin(), [x], { createGraph: true });
    const [s2] = cr.autograd.grad(s1!, [x]);
    close(s2!.item(), -Math.sin(0.7));
  });

  test("a Hessian-vector product through softmax matches finite differences", () => {
    cr.manualSeed(3);
    const x = cr.randn([4], { dtype: "float64", requiresGrad: true });
    const v = cr.randn([4], { dtype: "float64" });
    const f = (t: cr.Tensor) => t.softmax(0).mul(cr.tensor([1, 2, 3, 4], { dtype: "float64" })).sum();
    const [g] = cr.autograd.grad(f(x), [x], { createGraph: true });
    const [hv] = cr.autograd.grad(g!.mul(v).sum(), [x]);
    const eps = 1e-5;
    const gradAt = (t: cr.Tensor) => cr.autograd.grad(f(t), [t])[0]!.toTypedArray();
    const plus = gradAt(x.detach().add(v.mul(eps)).requiresGrad_());
    const minus = gradAt(x.detach().sub(v.mul(eps)).requiresGrad_());
    const hvVals = hv!.toTypedArray();
    for (let i = 0; i < 4; i++) close(hvVals[i]!, (plus[i]! - minus[i]!) / (2 * eps), 1e-6);
  });

  test("autograd.backward with several roots accumulates into leaves", () => {
    const x = cr.tensor([1, 2], { requiresGrad: true });
    cr.autograd.backward([x.mul(2).sum(), x.mul(3).sum()]);
    assert.deepEqual(x.grad!.tolist(), [5, 5]);
  });
});

describe("hooks", () => {
  test("registerHook sees and may replace the gradient; remove() stops it", () => {
    const x = cr.tensor([1, 2], { requiresGrad: true });
    const seen: number[][] = [];
    const h = x.mul(2);
    const handle = h.registerHook((g) => {
      seen.push(g.tolist() as number[]);
      return g.mul(10);
    });
    h.sum().backward();
    assert.deepEqual(seen, [[1, 1]]);
    assert.deepEqual(x.grad!.tolist(), [20, 20]);
    handle.remove();
    x.grad = null;
    const h2 = x.mul(2);
    h2.sum().backward();
    assert.deepEqual(x.grad!.tolist(), [2, 2]);
  });
});

test("a leaf keeps a gradient nobody else holds without copying it, and copies one that is shared", () => {
  for (const backend of ["cpu", "wasm"]) {
    const previous = cr.getBackend();
    cr.setBackend(backend);
    try {
      const x = cr.randn([600], { requiresGrad: true });
      const w = cr.randn([600], { requiresGrad: true });
      const g = cr.ones([600]);
      x.add(w).backward(g); // add's gradient is the caller's g, for both leaves
      cr.noGrad(() => x.grad!.zero_());
      assert.equal(w.grad!.sum().item(), 600, `${backend}: w.grad is not x.grad's memory`);
      assert.equal(g.sum().item(), 600, `${backend}: the caller's gradient is not a leaf's .grad`);
      const u = cr.randn([600], { requiresGrad: true });
      u.mul(3).relu().sum().backward(); // a fresh gradient: kept as it is
      const before = u.grad!;
      const expected = before.add(2).tolist();
      u.mul(2).sum().backward(); // accumulates in place, as PyTorch without createGraph: no new tensor
      assert.ok(u.grad === before);
      assert.deepEqual(before.tolist(), expected);
      const shared = x.grad!;
      x.add(w).backward(g); // x.grad was zeroed in place: now g's values, still its own memory
      assert.ok(x.grad === shared);
      assert.equal(g.sum().item(), 600, `${backend}: accumulating did not write into the caller's gradient`);
    } finally {
      cr.setBackend(previous);
    }
  }
});
