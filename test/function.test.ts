// cr.autograd.Function: custom ops with their own backward, as torch.autograd.Function (checked against torch 1.13).
import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "chainrule";

type Ctx = cr.autograd.FunctionCtx<[cr.Tensor]>;

class Square extends cr.autograd.Function {
  static forward(ctx: Ctx, x: cr.Tensor): cr.Tensor {
    ctx.saveForBackward(x);
    return x.mul(x);
  }
  static backward(ctx: Ctx, g: cr.Tensor): cr.Tensor {
    const [x] = ctx.savedTensors;
    return g.mul(x).mul(2); // written in tensor ops: differentiable again
  }
}

// Two tensor inputs, a number in between, two outputs: (a·k + b, a·b).
class MulAdd extends cr.autograd.Function {
  static forward(ctx: cr.autograd.FunctionCtx<[cr.Tensor, cr.Tensor]>, a: cr.Tensor, k: number, b: cr.Tensor): [cr.Tensor, cr.Tensor] {
    ctx.saveForBackward(a, b);
    ctx.k = k;
    return [a.mul(k).add(b), a.mul(b)];
  }
  static backward(ctx: cr.autograd.FunctionCtx<[cr.Tensor, cr.Tensor]>, g0: cr.Tensor, g1: cr.Tensor): (cr.Tensor | null)[] {
    const [a, b] = ctx.savedTensors;
    const k = ctx.k as number;
    const [na, , nb] = ctx.needsInputGrad;
    return [na ? g0.mul(k).add(g1.mul(b)) : null, null, nb ? g0.add(g1.mul(a)) : null];
  }
}

test("Function: apply records ${Class}Backward and backward gives the gradient", () => {
  const x = cr.tensor([1, -2, 3], { requiresGrad: true });
  const y = Square.apply(x);
  assert.equal(y.gradFn?.name, "SquareBackward");
  assert.deepEqual(y.tolist(), [1, 4, 9]);
  y.sum().backward();
  assert.deepEqual(x.grad!.tolist(), [2, -4, 6]);
});

test("Function: forward runs without recording, and nothing is recorded when no input requires grad", () => {
  let inside: boolean | null = null;
  class Probe extends cr.autograd.Function {
    static forward(_ctx: cr.autograd.FunctionCtx, x: cr.Tensor): cr.Tensor {
      inside = cr.isGradEnabled();
      return x.mul(2);
    }
    static backward(_ctx: cr.autograd.FunctionCtx, g: cr.Tensor): cr.Tensor {
      return g.mul(2);
    }
  }
  const y = Probe.apply(cr.tensor([1], { requiresGrad: true }));
  assert.equal(inside, false);
  assert.equal(y.gradFn?.name, "ProbeBackward");
  const z = Probe.apply(cr.tensor([1]));
  assert.equal(z.requiresGrad, false);
  assert.equal(z.gradFn, null);
});

test("Function: several inputs and outputs, a non-tensor argument, needsInputGrad", () => {
  const a = cr.tensor([1, 2], { requiresGrad: true, dtype: "float64" });
  const b = cr.tensor([3, 5], { dtype: "float64" });
  const [s, p] = MulAdd.apply(a, 4, b);
  assert.equal(s.gradFn, p.gradFn);
  assert.deepEqual(s.gradFn!.nextFunctions.map(([n]) => n?.name ?? null), ["AccumulateGrad", null, null]);
  s.add(p).sum().backward();
  assert.deepEqual(a.grad!.tolist(), [4 + 3, 4 + 5]);
  // torch 1.13: ctx.needs_input_grad == (True, False, False) for this call.
  let seen: readonly boolean[] = [];
  class Needs extends cr.autograd.Function {
    static forward(ctx: cr.autograd.FunctionCtx, x: cr.Tensor, _k: number, w: cr.Tensor): cr.Tensor {
      seen = ctx.needsInputGrad;
      return x.mul(w);
    }
    static backward(_ctx: cr.autograd.FunctionCtx, g: cr.Tensor): (cr.Tensor | null)[] {
      return [g, null, null];
    }
  }
  Needs.apply(a, 1, b);
  assert.deepEqual(seen, [true, false, false]);
});

test("Function: gradcheck and gradgradcheck pass (multiple inputs, outputs and a number)", () => {
  const a = cr.randn([3], { dtype: "float64" }).requiresGrad_();
  const b = cr.randn([3], { dtype: "float64" }).requiresGrad_();
  assert.equal(cr.autograd.gradcheck((x) => Square.apply(x), [a]), true);
  assert.equal(cr.autograd.gradgradcheck((x) => Square.apply(x), [a]), true);
  assert.equal(cr.autograd.gradcheck((x, y) => MulAdd.apply(x!, 0.5, y!), [a, b]), true);
  assert.equal(cr.autograd.gradgradcheck((x, y) => MulAdd.apply(x!, 0.5, y!), [a, b]), true);
});

test("Function: double backward through a differentiable backward (createGraph)", () => {
  const x = cr.tensor([1.5, -2], { requiresGrad: true, dtype: "float64" });
  const y = Square.apply(Square.apply(x)).sum(); // x⁴
  const [g] = cr.autograd.grad([y], [x], { createGraph: true });
  assert.deepEqual(g!.tolist(), [4 * 1.5 ** 3, 4 * -8]);
  const [gg] = cr.autograd.grad([g!.sum()], [x]);
  assert.deepEqual(gg!.tolist(), [12 * 1.5 ** 2, 12 * 4]);
});

test("Function: saved tensors are version-checked; freed after backward", () => {
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const h = x.mul(1);
  const y = Square.apply(h);
  h.add_(1); // torch 1.13: "one of the variables needed for gradient computation has been modified by an inplace operation"
  assert.throws(() => y.sum().backward(), (e: Error) => e instanceof cr.AutogradError && /SquareBackward: saved tensor 0 .*in-place/.test(e.message));

  const z = Square.apply(x);
  z.sum().backward();
  assert.throws(() => z.sum().backward(), /SquareBackward: trying to backward through the graph a second time/);
});

test("Function: returning an input gives an alias, so the input keeps its own history", () => {
  class Ident extends cr.autograd.Function {
    static forward(_ctx: cr.autograd.FunctionCtx, x: cr.Tensor): cr.Tensor {
      return x;
    }
    static backward(_ctx: cr.autograd.FunctionCtx, g: cr.Tensor): cr.Tensor {
      return g.mul(3);
    }
  }
  const x = cr.tensor([1, 2], { requiresGrad: true });
  const y = Ident.apply(x);
  assert.notEqual(y, x);
  assert.equal(x.isLeaf, true);
  y.sum().backward();
  assert.deepEqual(x.grad!.tolist(), [3, 3]);
});

test("Function: markNonDifferentiable outputs do not require grad; backward gets zeros for them", () => {
  let got: number[] | null = null;
  class SortLike extends cr.autograd.Function {
    static forward(ctx: cr.autograd.FunctionCtx, x: cr.Tensor): [cr.Tensor, cr.Tensor] {
      const idx = x.argmax(0, true).to("float32");
      ctx.markNonDifferentiable(idx);
      return [x.mul(2), idx];
    }
    static backward(_ctx: cr.autograd.FunctionCtx, g: cr.Tensor, gIdx: cr.Tensor): cr.Tensor {
      got = gIdx.tolist() as number[];
      return g.mul(2);
    }
  }
  const x = cr.tensor([1, 5, 2], { requiresGrad: true });
  const [y, idx] = SortLike.apply(x);
  assert.equal(idx.requiresGrad, false);
  y.sum().backward();
  assert.deepEqual(got, [0]);
  assert.deepEqual(x.grad!.tolist(), [2, 2, 2]);
});

test("Function: a wrong number or shape of gradients is a clear error naming the node", () => {
  class Bad extends cr.autograd.Function {
    static forward(_ctx: cr.autograd.FunctionCtx, x: cr.Tensor, _y: cr.Tensor): cr.Tensor {
      return x.add(1);
    }
    static backward(_ctx: cr.autograd.FunctionCtx, g: cr.Tensor): cr.Tensor[] {
      return [g];
    }
  }
  const x = cr.tensor([1, 2], { requiresGrad: true });
  assert.throws(() => Bad.apply(x, x).sum().backward(), /BadBackward: backward returned 1 gradients, expected 2/);
  class BadShape extends cr.autograd.Function {
    static forward(_ctx: cr.autograd.FunctionCtx, x: cr.Tensor): cr.Tensor {
      return x.add(1);
    }
    static backward(): cr.Tensor {
      return cr.ones([3]);
    }
  }
  assert.throws(() => BadShape.apply(x).sum().backward(), (e: Error) => e instanceof cr.ShapeError && /BadShapeBackward.*\[3\].*\[2\]/.test(e.message));
  class NotTensor extends cr.autograd.Function {
    static forward(): number {
      return 1;
    }
    static backward(): null {
      return null;
    }
  }
  assert.throws(() => (NotTensor as unknown as { apply(x: cr.Tensor): unknown }).apply(x), /NotTensor.forward: must return a Tensor/);
});
