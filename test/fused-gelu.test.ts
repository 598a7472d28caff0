// The fused exact GELU (gelu/geluBackward primitives, SIMD float32 kernels on wasm) and linear's folding of
// leading dims: what gets recorded, values and gradients against float64 on every backend, double backward,
// and that a 3-D linear gives the rows' 2-D results and gradients.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";
import { onBackend } from "./helpers/backend.js";

type Tensor = cr.Tensor;
const F = cr.nn.functional;

const on = onBackend;

function close(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!, w = want[i]!;
    if (Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w))) continue;
    assert.ok(Math.abs(g - w) <= tol * (1 + Math.abs(w)), `${what}: [${i}] ${g} vs ${w}`);
  }
}

// −9…9 in steps that hit no grid of the kernels, then the special values; 1,000+ elements so wasm's kernel runs.
const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1e-30, -1e-30, 20, -20, 40, -40];
const xs = [...Array.from({ length: 1201 }, (_, i) => -9 + i * 0.015), ...SPECIALS];

test("gelu on a floating tensor records the fused primitive; an integer tensor the composite", () => {
  const x = cr.tensor([-1, 0.5, 2], { requiresGrad: true });
  assert.equal(x.gelu().gradFn?.name, "GeluBackward");
  assert.equal(F.gelu(x, "tanh").gradFn?.name === "GeluBackward", false);
  const ints = cr.tensor([-1, 0, 2], { dtype: "int32" }).gelu();
  assert.equal(ints.dtype, "float32");
  close(ints.toTypedArray(), [-0.15865525393145707, 0, 1.9544997361036416], 1e-6, "int input");
});

for (const backend of ["cpu", "wasm"]) {
  test(`gelu and its gradient in float32 on ${backend} match float64 (PyTorch's formula) within 1e-6, special values included`, () => {
    const ref64 = cr.tensor(xs, { dtype: "float64", requiresGrad: true });
    const y64 = ref64.gelu();
    const g = cr.linspace(-2, 2, xs.length, { dtype: "float64" });
    y64.backward(g);
    on(backend, () => {
      const x = cr.tensor(xs, { requiresGrad: true });
      const y = x.gelu();
      y.backward(cr.tensor(g.toTypedArray(), { dtype: "float32" }));
      close(y.toTypedArray(), y64.toTypedArray(), 1e-6, "gelu");
      close(x.grad!.toTypedArray(), ref64.grad!.toTypedArray(), 1e-6, "gradient");
    });
  });

  test(`gelu's second derivative (geluBackward's rules) on ${backend} matches float64`, () => {
    const second = (dtype: "float32" | "float64") => {
      const x = cr.tensor(xs.slice(0, 1201), { dtype, requiresGrad: true });
      const [gx] = cr.autograd.grad([x.gelu().sum()], [x], { createGraph: true });
      const [ggx] = cr.autograd.grad([gx!.mul(gx!).sum()], [x]);
      return [gx!.toTypedArray(), ggx!.toTypedArray()] as const;
    };
    const [g64, gg64] = second("float64");
    const [g32, gg32] = on(backend, () => second("float32"));
    close(g32, g64, 1e-6, "gradient");
    close(gg32, gg64, 1e-5, "second derivative");
  });
}

test("gradcheck and gradgradcheck in float64 through the fused primitive", () => {
  const x = cr.tensor([-3.1, -1.2, -0.4, 0.3, 0.9, 2.5], { dtype: "float64", requiresGrad: true });
  assert.ok(cr.autograd.gradcheck((t: Tensor) => t.gelu(), [x]));
  assert.ok(cr.autograd.gradgradcheck((t: Tensor) => t.gelu(), [x]));
});

test("forward mode: gelu's tangent is its derivative times the input's", () => {
  const x = cr.tensor([-2, -0.5, 0.25, 1.5], { dtype: "float64" });
  const t = cr.tensor([1, -2, 3, 0.5], { dtype: "float64" });
  const [, tangent] = cr.func.jvp((u: Tensor) => u.gelu(), [x], [t]);
  const [, vjp] = cr.func.vjp((u: Tensor) => u.gelu(), x);
  close(tangent.toTypedArray(), vjp(cr.onesLike(x))[0]!.mul(t).toTypedArray(), 1e-12, "tangent");
});

for (const backend of ["cpu", "wasm"]) {
  test(`linear on a [2, 3, 5] input gives each row's 2-D result and the same gradients on ${backend}`, () => {
    on(backend, () => {
      cr.manualSeed(4);
      const w = cr.randn([4, 5], { requiresGrad: true }), b = cr.randn([4], { requiresGrad: true });
      const x = cr.randn([2, 3, 5], { requiresGrad: true });
      const y = F.linear(x, w, b);
      assert.deepEqual(y.shape, [2, 3, 4]);
      const g = cr.randn([2, 3, 4]);
      y.backward(g);
      const [gx, gw, gb] = [x.grad!, w.grad!, b.grad!].map((t) => t.toTypedArray());
      x.grad = null; w.grad = null; b.grad = null;
      const rows = F.linear(x.reshape([6, 5]), w, b);
      close(y.toTypedArray(), rows.toTypedArray(), 1e-6, "values");
      rows.backward(g.reshape([6, 4]));
      close(gx!, x.grad!.toTypedArray(), 1e-6, "x grad");
      close(gw!, w.grad!.toTypedArray(), 1e-6, "w grad");
      close(gb!, b.grad!.toTypedArray(), 1e-6, "b grad");
      // Empty leading dims and no bias.
      assert.deepEqual(F.linear(cr.zeros([0, 3, 5]), w).shape, [0, 3, 4]);
    });
  });
}
