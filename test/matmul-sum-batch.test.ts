// A matrix used by every item of a batch (a convolution's weight, a linear layer on sequences) gets its
// gradient as one product summed over the batch: Backend.matmul with a 2-D result, not a product stored per
// item for the engine to sum. Its derivatives (second order, forward mode) go through the same primitive.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";
import { cpuBackend } from "../src/backend/cpu/index.js";

function close(got: cr.Tensor, want: cr.Tensor, tol: number, what: string): void {
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  const g = got.toTypedArray(), w = want.toTypedArray();
  for (let i = 0; i < g.length; i++) assert.ok(Math.abs(g[i]! - w[i]!) <= tol * (1 + Math.abs(w[i]!)), `${what}: [${i}] ${g[i]} vs ${w[i]}`);
}

test("a weight's gradient over a batch is one product summed over the batch, with each item's share in it", () => {
  const before = cr.getBackend();
  cr.setBackend("cpu");
  const shapes: number[][] = [];
  const matmul = cpuBackend.matmul;
  cpuBackend.matmul = (a, b, outShape, transA, transB) => {
    shapes.push([...outShape]);
    return matmul(a, b, outShape, transA, transB);
  };
  try {
    cr.manualSeed(3);
    const w = cr.randn([3, 4], { dtype: "float64", requiresGrad: true });
    const x = cr.randn([6, 4, 2], { dtype: "float64", requiresGrad: true });
    const g = cr.randn([6, 3, 2], { dtype: "float64" });
    w.matmul(x).mul(g).sum().backward();
    assert.deepEqual(shapes, [[6, 3, 2], [3, 4], [6, 4, 2]], "forward, then W's gradient as one [3, 4] sum, then X's");
    // Σ_t G_t · X_tᵀ, item by item.
    let want = cr.zeros([3, 4], { dtype: "float64" });
    for (let t = 0; t < 6; t++) want = want.add(g.select(0, t).matmul(x.select(0, t).t()));
    close(w.grad!, want, 1e-12, "dW");
  } finally {
    cpuBackend.matmul = matmul;
    cr.setBackend(before);
  }
});

test("the summed product agrees on both backends in float32, for a convolution's weight gradient", () => {
  const before = cr.getBackend();
  try {
    const grads = (["cpu", "wasm"] as const).map((name) => {
      cr.setBackend(name);
      cr.manualSeed(5);
      const x = cr.randn([64, 8, 12, 12]);
      const conv = new cr.nn.Conv2d(8, 16, 3);
      conv.forward(x).square().sum().backward();
      return conv.weight.grad!.to("float64");
    });
    close(grads[1]!, grads[0]!, 1e-4, "conv weight gradient, wasm vs cpu");
  } finally {
    cr.setBackend(before);
  }
});

test("forward mode through the summed product: the Hessian of a loss in a shared weight", () => {
  cr.manualSeed(7);
  const x = cr.randn([5, 3, 2], { dtype: "float64" });
  // f(W) = Σ_t ‖W·X_t‖²: its Hessian is 2·Σ_t X_t X_tᵀ on each row of W, and forward-over-reverse runs the
  // jvp of the summed product that W's gradient is.
  const f = (w: cr.Tensor) => w.matmul(x).square().sum();
  const w = cr.randn([2, 3], { dtype: "float64" });
  const h = cr.func.hessian(f)(w) as cr.Tensor; // [2, 3, 2, 3]
  const xxT = x.matmul(x.transpose(1, 2)).sum(0).mul(2); // [3, 3]
  const want = cr.zeros([2, 3, 2, 3], { dtype: "float64" }).add(cr.eye(2, { dtype: "float64" }).reshape([2, 1, 2, 1]).mul(xxT.reshape([1, 3, 1, 3])));
  close(h, want, 1e-10, "hessian");
  const reverse = cr.func.jacobian(cr.func.grad(f) as (w: cr.Tensor) => cr.Tensor)(w) as cr.Tensor;
  close(reverse, want, 1e-10, "jacobian of the gradient, reverse over reverse");
});
