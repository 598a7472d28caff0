// scaledDotProductAttention: PyTorch's formula (test/fixtures/torch-attention.json, tools/gen_torch_attention_fixtures.py),
// gradcheck in float64, masks, dropout, and the errors bad arguments get.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as cr from "chainrule";
import { assertClose, decode, tolerance } from "./helpers/fixture.js";
import type { Encoded } from "./helpers/fixture.js";

const F = cr.nn.functional;
type Tensor = cr.Tensor;

interface SdpaCase {
  kind: "sdpa";
  name: string;
  dtype: string;
  q: Encoded;
  k: Encoded;
  v: Encoded;
  output: Encoded;
  gradOutput: Encoded;
  grads: Encoded[];
  isCausal: boolean;
  scale: number | null;
  enableGqa: boolean;
  attnMask: Encoded | null;
  maskGrad: Encoded | null;
}

const fixture = JSON.parse(readFileSync(new URL("./fixtures/torch-attention.json", import.meta.url), "utf8")) as { cases: { kind: string }[] };
const sdpaCases = fixture.cases.filter((c): c is SdpaCase => c.kind === "sdpa");

describe("scaledDotProductAttention agrees with PyTorch's formula", () => {
  assert.ok(sdpaCases.length >= 15);
  for (const c of sdpaCases) {
    test(c.name, () => {
      const { rtol, atol } = tolerance(c.dtype);
      const [q, k, v] = [c.q, c.k, c.v].map((e) => decode(e).requiresGrad_(true)) as [Tensor, Tensor, Tensor];
      const mask = c.attnMask === null ? null : decode(c.attnMask);
      if (mask !== null && c.maskGrad !== null) mask.requiresGrad_(true);
      const out = F.scaledDotProductAttention(q, k, v, { attnMask: mask, isCausal: c.isCausal, scale: c.scale, enableGqa: c.enableGqa });
      assertClose(out, c.output, "output", rtol, atol);
      out.mul(decode(c.gradOutput)).sum().backward();
      [q, k, v].forEach((t, i) => assertClose(t.grad!, c.grads[i]!, `grad ${"qkv"[i]}`, rtol, atol));
      if (c.maskGrad !== null) assertClose(mask!.grad!, c.maskGrad, "grad of the float mask", rtol, atol);
    });
  }
});

describe("scaledDotProductAttention gradcheck (float64)", () => {
  const f64 = (shape: number[]): Tensor => cr.randn(shape, { dtype: "float64" }).requiresGrad_(true);
  const check = (name: string, fn: (q: Tensor, k: Tensor, v: Tensor) => Tensor, shapes: [number[], number[], number[]]) =>
    test(name, () => {
      cr.manualSeed(3);
      const inputs = shapes.map(f64) as [Tensor, Tensor, Tensor];
      assert.equal(cr.autograd.gradcheck((a, b, c) => fn(a!, b!, c!), inputs), true);
    });
  check("no mask", (q, k, v) => F.scaledDotProductAttention(q, k, v), [[2, 3, 4], [2, 5, 4], [2, 5, 3]]);
  check("causal", (q, k, v) => F.scaledDotProductAttention(q, k, v, { isCausal: true }), [[1, 2, 4, 3], [1, 2, 4, 3], [1, 2, 4, 3]]);
  check("bool mask with an empty row", (q, k, v) => {
    const m = cr.tensor([[true, false, true], [false, false, false], [false, true, true]]);
    return F.scaledDotProductAttention(q, k, v, { attnMask: m });
  }, [[2, 3, 4], [2, 3, 4], [2, 3, 2]]);
  check("float mask, scale", (q, k, v) => F.scaledDotProductAttention(q, k, v, { attnMask: cr.tensor([[0.5, -1, 0], [0, -Infinity, 2]], { dtype: "float64" }), scale: 0.7 }),
    [[2, 3], [3, 3], [3, 2]]);
  check("grouped-query heads", (q, k, v) => F.scaledDotProductAttention(q, k, v, { enableGqa: true }), [[1, 4, 3, 2], [1, 2, 3, 2], [1, 2, 3, 2]]);
  test("gradient with respect to a float mask", () => {
    cr.manualSeed(4);
    const [q, k, v] = [[2, 3], [4, 3], [4, 2]].map(f64) as [Tensor, Tensor, Tensor];
    assert.equal(cr.autograd.gradcheck((m) => F.scaledDotProductAttention(q, k, v, { attnMask: m! }), [f64([2, 4])]), true);
  });
});

describe("scaledDotProductAttention semantics", () => {
  test("a bool mask equals the float mask with -Infinity where it is false", () => {
    cr.manualSeed(5);
    const [q, k, v] = [[2, 4, 6], [2, 5, 6], [2, 5, 3]].map((s) => cr.randn(s)) as [Tensor, Tensor, Tensor];
    const m = cr.rand([4, 5]).lt(0.7).logicalOr(cr.eye(4, 5).gt(0));
    const a = F.scaledDotProductAttention(q, k, v, { attnMask: m });
    const b = F.scaledDotProductAttention(q, k, v, { attnMask: cr.where(m, 0, -Infinity) });
    assertClose(a, b, "bool vs float mask", 1e-6, 1e-7);
  });

  test("isCausal equals the lower-triangular bool mask, and the future does not change the past", () => {
    cr.manualSeed(6);
    const x = cr.randn([1, 2, 5, 4], { dtype: "float64" });
    const causal = F.scaledDotProductAttention(x, x, x, { isCausal: true });
    const tril = cr.arange(5).unsqueeze(1).ge(cr.arange(5));
    assertClose(causal, F.scaledDotProductAttention(x, x, x, { attnMask: tril }), "causal", 1e-12, 1e-12);
    const prefix = x.narrow(2, 0, 3);
    assertClose(F.scaledDotProductAttention(prefix, prefix, prefix, { isCausal: true }), causal.narrow(2, 0, 3), "prefix", 1e-12, 1e-12);
  });

  test("rows with every key masked give zeros and zero gradients, not NaN", () => {
    const q = cr.randn([3, 4], { dtype: "float64", requiresGrad: true });
    const kv = cr.randn([2, 4], { dtype: "float64", requiresGrad: true });
    const m = cr.tensor([[true, true], [false, false], [true, false]]);
    const out = F.scaledDotProductAttention(q, kv, kv, { attnMask: m });
    assert.deepEqual(out.select(0, 1).tolist(), [0, 0, 0, 0]);
    out.sum().backward();
    assert.deepEqual(q.grad!.select(0, 1).tolist(), [0, 0, 0, 0]);
    assert.ok(kv.grad!.isfinite().all().item());
  });

  test("the default scale is 1/sqrt(E)", () => {
    const [q, k, v] = [[3, 16], [5, 16], [5, 2]].map((s) => cr.randn(s, { dtype: "float64" }));
    assertClose(F.scaledDotProductAttention(q!, k!, v!), F.scaledDotProductAttention(q!, k!, v!, { scale: 0.25 }), "scale", 1e-12, 1e-12);
    const manual = q!.matmul(k!.t()).mul(0.25).softmax(-1).matmul(v!);
    assertClose(F.scaledDotProductAttention(q!, k!, v!), manual, "formula", 1e-12, 1e-12);
  });

  test("dropout zeroes weights with probability p and rescales the rest", () => {
    cr.manualSeed(7);
    const S = 40;
    const q = cr.randn([200, S, 8], { dtype: "float64" });
    const k = cr.randn([200, S, 8], { dtype: "float64" });
    const eye = cr.eye(S, { dtype: "float64" }).expand([200, S, S]);
    // With v = I the output is the weight matrix itself.
    const full = F.scaledDotProductAttention(q, k, eye);
    const dropped = F.scaledDotProductAttention(q, k, eye, { dropoutP: 0.25 });
    const zero = dropped.eq(0);
    const frac = zero.to("float64").mean().item();
    assert.ok(Math.abs(frac - 0.25) < 0.01, `fraction dropped ${frac}`);
    const kept = cr.where(zero, 0, dropped.sub(full.div(0.75))).abs().amax().item();
    assert.ok(kept < 1e-12, `kept weights are scaled by 1/(1-p): ${kept}`);
    assert.equal(F.scaledDotProductAttention(q, k, eye, { dropoutP: 0 }).sub(full).abs().amax().item(), 0);
  });

  test("bad arguments name the op and the shapes", () => {
    const q = cr.randn([2, 3, 4]);
    assert.throws(() => F.scaledDotProductAttention(q, cr.randn([2, 5, 3]), cr.randn([2, 5, 4])), /scaledDotProductAttention: query \[2,3,4\] and key \[2,5,3\]/);
    assert.throws(() => F.scaledDotProductAttention(q, cr.randn([2, 5, 4]), cr.randn([2, 6, 4])), /same sequence length/);
    assert.throws(() => F.scaledDotProductAttention(q, q, q, { attnMask: cr.ones([3, 4]).gt(0) }), /attnMask \[3,4\]/);
    assert.throws(() => F.scaledDotProductAttention(q, q, q, { attnMask: cr.ones([3, 3]).gt(0), isCausal: true }), /either attnMask or isCausal/);
    assert.throws(() => F.scaledDotProductAttention(q, q, q, { attnMask: cr.ones([3, 3], { dtype: "int32" }) }), cr.DTypeError);
    assert.throws(() => F.scaledDotProductAttention(q, q.double(), q), cr.DTypeError);
    assert.throws(() => F.scaledDotProductAttention(q, q, q, { dropoutP: 1.5 }), /dropoutP/);
    assert.throws(() => F.scaledDotProductAttention(cr.randn([1, 3, 2, 4]), cr.randn([1, 2, 2, 4]), cr.randn([1, 2, 2, 4]), { enableGqa: true }), /multiple/);
    assert.throws(() => F.scaledDotProductAttention(cr.randn([3]), q, q), /at least 2 dims/);
  });
});
