// The attentionStacked primitive (src/autograd/attention-stacked-rules.ts): attention over q, k, v stacked as
// [3, ...batch, L, E], as the GPT's heads come from c_attn's output. Against the composite it replaces (the three
// selects into scaledDotProductAttention): the same values and gradients on cpu and wasm in float32 and float64;
// gradcheck and gradgradcheck in float64; forward mode; the GPT recording it in training only.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";
import { stackedAttention } from "../src/tensor/attention-stacked.js";
import { onBackend } from "./helpers/backend.js";

type Tensor = cr.Tensor;
const F = cr.nn.functional;

function same(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i]! - want[i]!) <= tol * (1 + Math.abs(want[i]!)), `${what}: [${i}] ${got[i]} vs ${want[i]}`);
  }
}

const composite = (qkv: Tensor, causal: boolean, scale: number) => F.scaledDotProductAttention(qkv.select(0, 0), qkv.select(0, 1), qkv.select(0, 2), { isCausal: causal, scale });

// Values and the gradient of a weighted sum, by one form of attention, on a fresh leaf.
function run(form: typeof composite, data: Float64Array | Float32Array, shape: number[], dtype: "float32" | "float64", causal: boolean) {
  const qkv = cr.tensor(Array.from(data), { dtype }).reshape(shape).requiresGrad_();
  const y = form(qkv, causal, 0.45);
  const w = cr.linspace(-1, 1, y.numel(), { dtype }).reshape(y.shape);
  y.mul(w).sum().backward();
  return { y: y.toTypedArray(), g: qkv.grad!.toTypedArray() };
}

const data = (n: number) => Float64Array.from({ length: n }, (_, i) => Math.sin(i * 1.3) * 1.5);

for (const backend of ["cpu", "wasm"]) {
  for (const dtype of ["float32", "float64"] as const) {
    test(`stacked attention equals the three-select composite on ${backend} in ${dtype}: values and gradient`, () => {
      onBackend(backend, () => {
        // The GPT's head size with a batch the wasm kernel shares among threads, and an odd small one.
        for (const [shape, causal] of [[[3, 2, 4, 64, 32], true], [[3, 2, 5, 3], false], [[3, 1, 7, 5], true]] as const) {
          const x = data((shape as readonly number[]).reduce((a, b) => a * b, 1));
          const got = run(stackedAttention, x, [...shape], dtype, causal);
          const want = run(composite, x, [...shape], dtype, causal);
          // The same kernels on the same operands: equal but for the order of the composite's zero-padded sums.
          same(got.y, want.y, 0, `${shape} values`);
          same(got.g, want.g, dtype === "float32" ? 1e-7 : 1e-15, `${shape} gradient`);
        }
      });
    });
  }
}

test("stacked attention records its primitive; a bad shape is refused with both dims named", () => {
  const qkv = cr.randn([3, 2, 4, 3], { requiresGrad: true });
  const names: string[] = [];
  // The output is a view (narrow, reshape) of the primitive's packed result.
  for (let node = stackedAttention(qkv, true, 0.5).gradFn; node !== null && names.length < 4; node = node.nextFunctions[0]?.[0] ?? null) names.push(node.name);
  assert.deepEqual(names.slice(0, 3), ["ReshapeBackward", "SliceBackward", "AttentionStackedBackward"]);
  // Empty batches and sequences give empty results and gradients of the input's shape.
  for (const shape of [[3, 0, 4, 3], [3, 2, 0, 3]]) {
    const x = cr.zeros(shape, { requiresGrad: true });
    const y = stackedAttention(x, true, 0.5);
    y.sum().backward();
    assert.deepEqual([y.shape, x.grad!.shape], [shape.slice(1), shape]);
  }
  assert.throws(() => stackedAttention(cr.randn([2, 4, 3]), true, 0.5), /stackedAttention: qkv must be \[3, \.\.\., L, E\], got \[2,4,3\]/);
});

test("gradcheck and gradgradcheck in float64 through the stacked primitive, causal and not", () => {
  for (const causal of [true, false]) {
    const qkv = cr.tensor(Array.from(data(3 * 2 * 4 * 3)), { dtype: "float64" }).reshape([3, 2, 4, 3]).requiresGrad_();
    const f = (t: Tensor) => stackedAttention(t, causal, 0.7);
    assert.ok(cr.autograd.gradcheck(f, [qkv]), `gradcheck causal=${causal}`);
    assert.ok(cr.autograd.gradgradcheck(f, [qkv]), `gradgradcheck causal=${causal}`);
  }
});

test("forward mode: the stacked primitive's tangent equals the composite's", () => {
  const x = cr.tensor(Array.from(data(3 * 2 * 5 * 4)), { dtype: "float64" }).reshape([3, 2, 5, 4]);
  const t = cr.tensor(Array.from(data(3 * 2 * 5 * 4)).reverse(), { dtype: "float64" }).reshape([3, 2, 5, 4]);
  const [, got] = cr.func.jvp((u: Tensor) => stackedAttention(u, true, 0.5), [x], [t]);
  const [, want] = cr.func.jvp((u: Tensor) => composite(u, true, 0.5), [x], [t]);
  same(got.toTypedArray(), want.toTypedArray(), 1e-12, "tangent");
});

// The names of every node of a tensor's graph.
function graphNames(t: Tensor): Set<string> {
  const names = new Set<string>(), seen = new Set<unknown>();
  const todo = [t.gradFn];
  while (todo.length > 0) {
    const node = todo.pop();
    if (node === null || node === undefined || seen.has(node)) continue;
    seen.add(node);
    names.add(node.name);
    for (const next of node.nextFunctions) todo.push(next?.[0] ?? null);
  }
  return names;
}

test("the GPT's training forward uses the stacked primitive and gives the composite path's loss and gradients", () => {
  const config = { vocabSize: 11, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8 };
  const idx = cr.tensor([[1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1]], { dtype: "int32" });
  const target = cr.tensor([[2, 3, 4, 5, 6, 7], [5, 4, 3, 2, 1, 0]], { dtype: "int32" });
  const lossAndGrads = (withCache: boolean) => {
    cr.manualSeed(3);
    const gpt = new cr.models.GPT({ ...config });
    gpt.double();
    // The composite path: a cache (empty) sends the forward through the selects and scaledDotProductAttention.
    const [, loss] = gpt.forward(idx, target, withCache ? { cache: new cr.models.KVCache() } : {});
    assert.equal(graphNames(loss!).has("AttentionStackedBackward"), !withCache, "the stacked primitive in the graph");
    loss!.backward();
    return { loss: loss!.item(), grads: gpt.parameters().map((p) => p.grad!.toTypedArray()) };
  };
  const stacked = lossAndGrads(false), plain = lossAndGrads(true);
  same([stacked.loss], [plain.loss], 1e-15, "loss");
  stacked.grads.forEach((g, i) => same(g, plain.grads[i]!, 1e-12, `parameter ${i}'s gradient`));
});
