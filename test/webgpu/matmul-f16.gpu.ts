// float16 operands for float32 products on the webgpu backend (setFloat32MatmulPrecision("medium")): where the
// adapter has shader-f16, the tiled and the narrow kernels give the float32 sum of the operands rounded to float16;
// where it lacks it, the setting is refused, naming the feature (SwiftShader has none: the product test is skipped).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";
import { openGpu } from "./gpu.js";

/** `x` rounded to the nearest float16 (ties to even), as a number. */
function f16round(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const a = Math.abs(x);
  if (a >= 65520) return Math.sign(x) * Infinity;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  const step = 2 ** (Math.max(e, -14) - 10);
  const m = a / step, lo = Math.floor(m);
  const r = m - lo > 0.5 || (m - lo === 0.5 && lo % 2 === 1) ? lo + 1 : lo;
  return Math.sign(x) * r * step;
}

test("f16round rounds to float16's neighbours, ties to even", () => {
  assert.equal(f16round(1 + 2 ** -11), 1); // a tie: to the even 1
  assert.equal(f16round(1 + 3 * 2 ** -11), 1 + 2 ** -9);
  assert.equal(f16round(65504), 65504);
  assert.equal(f16round(2 ** -24), 2 ** -24);
  assert.equal(f16round(-0.1), -0.0999755859375);
});

test("setFloat32MatmulPrecision checks its argument, and refuses float16 where the adapter lacks shader-f16", async () => {
  const info = await openGpu();
  const gpu = cr.backends.webgpu;
  assert.throws(() => gpu.setFloat32MatmulPrecision("low" as "high"), { name: "ArgumentError", message: /"highest", "high" or "medium"/ });
  gpu.setFloat32MatmulPrecision("high");
  assert.equal(gpu.float32MatmulPrecision(), "high");
  gpu.setFloat32MatmulPrecision("highest");
  if (!info.f16) {
    assert.throws(() => gpu.setFloat32MatmulPrecision("medium"), { name: "ArgumentError", message: /shader-f16/ });
    assert.equal(gpu.float32MatmulPrecision(), "highest", "unchanged");
  }
});

test("float16 operands, float32 sums: matmul with setFloat32MatmulPrecision(\"medium\") on a shader-f16 adapter", async (t) => {
  const info = await openGpu();
  if (!info.f16) {
    t.skip(`the adapter (${info.description}) lacks shader-f16, so float16 kernels cannot be compiled on it`);
    return;
  }
  const gpu = cr.backends.webgpu;
  cr.manualSeed(1);
  // Tiled (both sides over 32) and narrow products, one with a transposed operand.
  const pairs: [cr.Tensor, cr.Tensor, boolean][] = [[cr.randn([70, 40]), cr.randn([40, 66]), false], [cr.randn([2, 8, 20]), cr.randn([2, 5, 20]), true]];
  gpu.setFloat32MatmulPrecision("medium");
  try {
    for (const [a, b, transB] of pairs) {
      const rhs = (x: cr.Tensor) => (transB ? x.transpose(-2, -1) : x);
      const got = await a.to("webgpu").matmul(rhs(b.to("webgpu"))).data();
      const round = (x: cr.Tensor) => cr.tensor(Array.from(x.toTypedArray(), f16round)).reshape(x.shape);
      const want = round(a).to("float64").matmul(rhs(round(b).to("float64"))).toTypedArray();
      const exact = a.matmul(rhs(b)).toTypedArray();
      let apart = 0;
      got.forEach((v, i) => {
        assert.ok(Math.abs(v - want[i]!) <= 1e-5 * (1 + Math.abs(want[i]!)), `[${i}] ${v} vs ${want[i]} (float16 operands)`);
        apart = Math.max(apart, Math.abs(v - exact[i]!));
      });
      assert.ok(apart > 1e-4, "the operands were rounded to float16");
    }
  } finally {
    gpu.setFloat32MatmulPrecision("highest");
  }
});
