// linear on inputs of 3+ dims folds the leading dims into rows (src/nn/functional/layers.ts): under noGrad and with
// grad, the same values as the 2-D rows give, on every backend, empty batches included.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";
import { onBackend } from "./helpers/backend.js";

const on = onBackend;

function close(a: cr.Tensor, b: cr.Tensor, tol: number): void {
  assert.deepEqual(a.shape, b.shape);
  const x = a.toTypedArray(), y = b.toTypedArray();
  for (let i = 0; i < x.length; i++) assert.ok(Math.abs(x[i]! - y[i]!) <= tol * (1 + Math.abs(y[i]!)), `element ${i}: ${x[i]} vs ${y[i]}`);
}

for (const backend of ["cpu", "wasm"]) {
  describe(`linear folded under noGrad, ${backend}`, () => {
    for (const dtype of ["float32", "float64"] as const) {
      test(`${dtype}: [2, 3, 5, 4] · [6, 4]ᵀ + b equals the grad-mode result and the 2-D rows'`, () => on(backend, () => {
        cr.manualSeed(11);
        const x = cr.randn([2, 3, 5, 4], { dtype });
        const w = cr.randn([6, 4], { dtype, requiresGrad: true });
        const b = cr.randn([6], { dtype, requiresGrad: true });
        const withGrad = cr.nn.functional.linear(x, w, b);
        assert.equal(withGrad.requiresGrad, true);
        const folded = cr.noGrad(() => cr.nn.functional.linear(x, w, b));
        assert.equal(folded.requiresGrad, false);
        const rows = cr.noGrad(() => cr.nn.functional.linear(x.reshape([30, 4]), w, b)).reshape([2, 3, 5, 6]);
        const tol = dtype === "float32" ? 1e-5 : 1e-12;
        close(folded, withGrad.detach(), tol);
        close(folded, rows, tol);
      }));
    }
    test("an empty batch gives an empty result of the right shape", () => on(backend, () => {
      const out = cr.noGrad(() => cr.nn.functional.linear(cr.zeros([0, 3, 4]), cr.ones([2, 4]), cr.ones([2])));
      assert.deepEqual(out.shape, [0, 3, 2]);
    }));
  });
}
