// Fused attention on the webgpu backend through the public API (nn.functional.scaledDotProductAttention): outputs
// and gradients as the cpu's with masks (bool, additive with −∞, a row with every key masked), causal, odd head
// sizes and rows past one workgroup; long sequences without an L×S buffer; one pipeline per head-size class.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";
import { openGpu } from "./gpu.js";

before(async () => {
  await openGpu();
});

const sdpa = cr.nn.functional.scaledDotProductAttention;

interface Case {
  name: string;
  q: number[];
  k: number[];
  v: number[];
  causal?: boolean;
  scale?: number;
  /** A mask of this shape: bool (true where the key takes part), or float (−∞ in places) that gets a gradient. */
  mask?: { shape: number[]; bool: boolean };
}

const CASES: Case[] = [
  { name: "plain, scale 0.7", q: [2, 3, 5, 4], k: [2, 3, 7, 4], v: [2, 3, 7, 3], scale: 0.7 },
  { name: "causal, 70 rows (two workgroups), odd E", q: [2, 70, 5], k: [2, 67, 5], v: [2, 67, 3], causal: true },
  { name: "bool mask broadcast over heads, a row with every key masked", q: [2, 3, 4, 6], k: [2, 3, 6, 6], v: [2, 3, 6, 2], mask: { shape: [2, 1, 4, 6], bool: true } },
  { name: "additive mask with −∞, its gradient", q: [3, 4, 2], k: [3, 5, 2], v: [3, 5, 5], mask: { shape: [4, 5], bool: false } },
  { name: "E = Ev = 1, one key", q: [1, 1, 1], k: [1, 1, 1], v: [1, 1, 1], causal: true },
];

function inputs(c: Case): cr.Tensor[] {
  cr.manualSeed(11);
  const xs = [cr.randn(c.q), cr.randn(c.k), cr.randn(c.v)];
  if (c.mask !== undefined) {
    const { shape, bool } = c.mask;
    const keep = cr.rand(shape).gt(0.3);
    // Row 1 of the first batch element masks every key.
    const flat = keep.reshape([-1, shape[shape.length - 1]!]);
    flat.select(0, 1).fill_(false);
    const m = flat.reshape(shape);
    xs.push(bool ? m : cr.where(m, cr.randn(shape), -Infinity));
  }
  return xs;
}

function run(c: Case, device: string): cr.Tensor[] {
  const xs = inputs(c).map((x) => x.to(device));
  const diff = xs.map((x) => (x.dtype === "bool" ? x : x.detach().requiresGrad_()));
  const [q, k, v, mask] = diff;
  const out = sdpa(q!, k!, v!, { isCausal: c.causal ?? false, scale: c.scale ?? null, attnMask: mask ?? null });
  const w = cr.arange(out.numel()).reshape(out.shape).to(device).mul(0.37).cos();
  const wrt = diff.filter((x) => x.dtype !== "bool");
  return [out, ...cr.autograd.grad(out.mul(w).sum(), wrt).map((g, i) => g ?? cr.zerosLike(wrt[i]!))];
}

test("webgpu: fused attention matches cpu, gradients included (masks, causal, odd head sizes)", async () => {
  for (const c of CASES) {
    const want = run(c, "cpu");
    const got = run(c, "webgpu");
    for (const [i, t] of got.entries()) {
      assert.equal(t.device, "webgpu", `${c.name}: result ${i} on the GPU`);
      const g = await t.data(), e = want[i]!.toTypedArray();
      assert.equal(g.length, e.length);
      // −∞ mask entries have a zero gradient on both; nothing else is infinite.
      g.forEach((x, j) => assert.ok(Math.abs(x - e[j]!) <= 2e-5 * (1 + Math.abs(e[j]!)), `${c.name}: result ${i} [${j}] ${x} vs cpu ${e[j]}`));
    }
  }
});

test("webgpu: fused attention on long sequences allocates nothing of size L×S, and compiles once per head-size class", async () => {
  const gpu = cr.backends.webgpu;
  const n = 384, e = 4;
  cr.manualSeed(3);
  const [q, k, v] = [cr.randn([1, n, e]), cr.randn([1, n, e]), cr.randn([1, n, e])].map((x) => x.to("webgpu").requiresGrad_());
  const step = async (len: number) => {
    const [a, b, c] = [q!, k!, v!].map((x) => x.narrow(1, 0, len));
    const out = sdpa(a!, b!, c!, { isCausal: true });
    const [dq] = cr.autograd.grad(out.square().sum(), [q!]);
    await dq!.data();
  };
  await step(n - 1); // compiles this head size's pipelines
  gpu.emptyCache();
  const held = () => gpu.memoryStats().tensorBytes + gpu.memoryStats().pooledBytes;
  const before = held(), pipelines = gpu.compiledPipelines();
  await step(n);
  await step(n - 5);
  assert.equal(gpu.compiledPipelines(), pipelines, "other lengths reuse the pipelines");
  assert.ok(held() - before < n * n * 4, `at most ${held() - before} bytes more, less than one L×S float32 matrix (${n * n * 4})`);
});
