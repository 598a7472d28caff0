// The fused layer normalisation primitive: PyTorch's F.layer_norm (outputs and gradients, tools/
// gen_torch_layer_norm_fixtures.py), gradcheck and gradgradcheck in float64, agreement with the composite it
// replaces, and what it records (nothing under noGrad), on cpu (the composite of the core) and wasm (the kernel).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as cr from "chainrule";
import type { Tensor } from "chainrule";
import { onBackend } from "./helpers/backend.js";
import { assertMatches, decode } from "./helpers/fixture.js";
import type { Encoded } from "./helpers/fixture.js";

const F = cr.nn.functional;

interface LayerNormCase {
  name: string;
  args: { normalizedShape: number[]; affine: "none" | "weight" | "bias" | "both"; eps: number };
  inputs: (Encoded & { requiresGrad: boolean })[];
  output: Encoded;
  gradOutput: Encoded | null;
  grads: (Encoded | null)[] | null;
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/torch-layer-norm.json", import.meta.url), "utf8")) as { cases: LayerNormCase[] };

/** The composite layerNorm computes (mean, biased variance, normalise, affine), in tensor ops. */
function composite(x: Tensor, shape: readonly number[], w: Tensor | null, b: Tensor | null, eps: number): Tensor {
  const dims = shape.map((_, i) => x.ndim - shape.length + i);
  const mean = x.mean(dims, true);
  let y = x.sub(mean).div(x.var(dims, { correction: 0, keepdim: true }).add(eps).sqrt());
  if (w !== null) y = y.mul(w);
  if (b !== null) y = y.add(b);
  return y;
}

function run(c: LayerNormCase): { out: Tensor; leaves: Tensor[] } {
  const leaves = c.inputs.map((t) => decode(t, t.requiresGrad));
  const [x, ...affine] = leaves;
  const w = c.args.affine === "weight" || c.args.affine === "both" ? affine[0]! : null;
  const b = c.args.affine === "bias" ? affine[0]! : c.args.affine === "both" ? affine[1]! : null;
  return { out: F.layerNorm(x!, c.args.normalizedShape, { weight: w, bias: b, eps: c.args.eps }), leaves };
}

for (const backend of ["cpu", "wasm"]) {
  test(`layerNorm matches PyTorch's F.layer_norm, values and gradients, on ${backend}`, () =>
    onBackend(backend, () => {
      for (const c of fixture.cases) {
        const { out, leaves } = run(c);
        const f64 = c.output.dtype === "float64";
        // Rows near 1e4 keep float32's absolute error of x − mean (ulp(1e4) ≈ 1e-3) in PyTorch too.
        const far = c.name.includes("far_from_zero") && !f64;
        const [rtol, atol] = f64 ? [1e-10, 1e-12] : far ? [1e-2, 5e-3] : [1e-4, 2e-5];
        assertMatches(out, c.output, `${c.name} output`, rtol, atol);
        assert.equal(out.gradFn?.name, "LayerNormBackward", `${c.name}: the fused primitive ran`);
        if (c.gradOutput === null || c.grads === null) continue;
        out.backward(decode(c.gradOutput));
        c.grads.forEach((g, i) => g !== null && assertMatches(leaves[i]!.grad!, g, `${c.name} grad of input ${i}`, rtol * 10, atol * 10));
      }
    }));

  test(`layerNorm: gradcheck and gradgradcheck in float64 on ${backend}`, () =>
    onBackend(backend, () => {
      cr.manualSeed(11);
      const r = (shape: number[]) => cr.randn(shape, { dtype: "float64" }).requiresGrad_(true);
      const cases: [string, (...xs: Tensor[]) => Tensor, Tensor[]][] = [
        ["weight and bias, two dims", (x, w, b) => F.layerNorm(x!, [2, 3], { weight: w!, bias: b! }), [r([2, 2, 3]), r([2, 3]), r([2, 3])]],
        ["weight only, rows of 5", (x, w) => F.layerNorm(x!, 5, { weight: w!, eps: 0.1 }), [r([3, 5]), r([5])]],
        ["bias only", (x, b) => F.layerNorm(x!, 4, { bias: b! }), [r([2, 4]), r([4])]],
        ["no affine", (x) => F.layerNorm(x!, 4), [r([3, 4])]],
      ];
      for (const [name, fn, inputs] of cases) {
        assert.equal(cr.autograd.gradcheck(fn, inputs), true, name);
        assert.equal(cr.autograd.gradgradcheck(fn, inputs), true, name);
      }
    }));

  test(`layerNorm agrees with the composite it replaces, and its gradients with the composite's, on ${backend}`, () =>
    onBackend(backend, () => {
      cr.manualSeed(5);
      for (const dtype of ["float32", "float64"] as const) {
        const x = cr.randn([6, 10, 20], { dtype }).mul(3).add(1).requiresGrad_(true);
        const w = cr.randn([20], { dtype }).requiresGrad_(true), b = cr.randn([20], { dtype }).requiresGrad_(true);
        const g = cr.randn([6, 10, 20], { dtype });
        const fused = F.layerNorm(x, 20, { weight: w, bias: b });
        const [fx, fw, fb] = cr.autograd.grad([fused], [x, w, b], { gradOutputs: [g] });
        const comp = composite(x, [20], w, b, 1e-5);
        const [cx, cw, cb] = cr.autograd.grad([comp], [x, w, b], { gradOutputs: [g] });
        const tol = dtype === "float64" ? 1e-12 : 1e-5;
        for (const [got, want, what] of [[fused, comp, "output"], [fx, cx, "dx"], [fw, cw, "dw"], [fb, cb, "db"]] as const) {
          assert.ok(cr.allclose(got!.detach(), want!.detach(), { rtol: tol, atol: tol }), `${dtype} ${what}`);
        }
      }
    }));

  test(`layerNorm under noGrad records nothing, and falls back to the composite for empty or mixed inputs, on ${backend}`, () =>
    onBackend(backend, () => {
      const x = cr.randn([4, 8]).requiresGrad_(true);
      const w = cr.ones([8]).requiresGrad_(true);
      const y = cr.noGrad(() => F.layerNorm(x, 8, { weight: w }));
      assert.equal(y.requiresGrad, false);
      assert.equal(y.gradFn, null);
      assert.ok(cr.allclose(y, cr.noGrad(() => composite(x, [8], w, null, 1e-5)), { rtol: 1e-5, atol: 1e-5 }));
      assert.deepEqual(F.layerNorm(cr.zeros([0, 8]), 8).shape, [0, 8]);
      // A float64 weight on a float32 input: the composite's promotion, as before.
      assert.equal(F.layerNorm(cr.randn([2, 3]), 3, { weight: cr.ones([3], { dtype: "float64" }) }).dtype, "float64");
    }));
}
