// The fused attention primitive behind scaledDotProductAttention: it is the one recorded, it agrees with the
// composite (attend) in values, gradients, second derivatives and tangents on cpu, wasm and a backend with only
// the core (as webgpu lacks the kernels), and gradcheck/gradgradcheck hold in float64 with masks and causal.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";
import { onBackend } from "./helpers/backend.js";
import { cpuBackend } from "../src/backend/cpu/index.js";
import { coreOnly } from "../src/backend/fallbacks.js";
import { attend } from "../src/nn/functional/attention.js";

type Tensor = cr.Tensor;
const F = cr.nn.functional;

cr.registerBackend(coreOnly(cpuBackend, "cpu-core-attention"), { priority: -1 });

const on = onBackend;

function close(got: Tensor, want: Tensor, tol: number, what: string): void {
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  const g = got.toTypedArray(), w = want.toTypedArray();
  for (let i = 0; i < w.length; i++) {
    if (Object.is(g[i], w[i])) continue;
    assert.ok(Math.abs(g[i]! - w[i]!) <= tol * (1 + Math.abs(w[i]!)), `${what}[${i}]: ${g[i]} vs ${w[i]}`);
  }
}

/** Every node below `t`'s gradFn, by name. */
function nodeNames(t: Tensor): string[] {
  const seen = new Set<unknown>(), names: string[] = [];
  const walk = (n: cr.autograd.Node | null): void => {
    if (n === null || seen.has(n)) return;
    seen.add(n);
    names.push(n.name);
    for (const [next] of n.nextFunctions) walk(next);
  };
  walk(t.gradFn);
  return names;
}

interface Setup {
  name: string;
  q: number[];
  k: number[];
  v: number[];
  isCausal?: boolean;
  mask?: () => Tensor;
}
// T not a multiple of the key tile (64), T = 1, head dims 1 and 64, masks broadcast over batch and heads.
const SETUPS: readonly Setup[] = [
  { name: "causal, T = 70 (not a multiple of the tile)", q: [2, 2, 70, 5], k: [2, 2, 70, 5], v: [2, 2, 70, 3], isCausal: true },
  { name: "T = 1", q: [3, 1, 4], k: [3, 1, 4], v: [3, 1, 2] },
  { name: "head dim 1", q: [2, 6, 1], k: [2, 7, 1], v: [2, 7, 1], isCausal: true },
  { name: "head dim 64", q: [1, 2, 9, 64], k: [1, 2, 9, 64], v: [1, 2, 9, 64] },
  { name: "bool mask over heads, an empty row", q: [2, 3, 4, 3], k: [2, 3, 5, 3], v: [2, 3, 5, 2], mask: () => cr.tensor(Array.from({ length: 40 }, (_, i) => !(i >= 20 && i < 25) && (i * 7) % 3 !== 0)).reshape([2, 1, 4, 5]) },
  { name: "float mask broadcast over the batch", q: [2, 3, 4, 3], k: [2, 3, 6, 3], v: [2, 3, 6, 4], mask: () => cr.randn([3, 4, 6]).mul(0.5) },
  { name: "key padding [B, 1, 1, S]", q: [2, 2, 3, 4], k: [2, 2, 5, 4], v: [2, 2, 5, 4], mask: () => cr.tensor([[[[0, 0, 0, -Infinity, -Infinity]]], [[[0, 0, 0, 0, 0]]]]) },
];

const operands = (s: Setup, dtype: "float32" | "float64") => {
  const [q, k, v] = [s.q, s.k, s.v].map((shape) => cr.randn(shape, { dtype }).requiresGrad_(true)) as [Tensor, Tensor, Tensor];
  const m = s.mask?.() ?? null;
  return { q, k, v, mask: m === null || m.dtype === "bool" ? m : m.to(dtype) };
};

// The composite, the reference the kernels are held to.
function composite(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, isCausal: boolean): Tensor {
  return attend(q, k, v, { mask, isCausal, scale: 1 / Math.sqrt(q.shape[q.ndim - 1]!), dropoutP: 0, needWeights: false }).output;
}

describe("fused attention agrees with the composite", () => {
  test("scaledDotProductAttention records the fused primitive", () => {
    const q = cr.randn([2, 3, 4]).requiresGrad_(true);
    assert.ok(nodeNames(F.scaledDotProductAttention(q, q, q, { isCausal: true })).includes("AttentionBackward"));
  });
  for (const backend of ["cpu", "wasm", "cpu-core-attention"]) {
    for (const dtype of ["float32", "float64"] as const) {
      for (const s of SETUPS) {
        test(`${backend} ${dtype} ${s.name}: output and gradients`, () => on(backend, () => {
          cr.manualSeed(11);
          const { q, k, v, mask } = operands(s, dtype);
          const out = F.scaledDotProductAttention(q, k, v, { attnMask: mask, isCausal: s.isCausal ?? false });
          const want = composite(q, k, v, mask, s.isCausal ?? false);
          const tol = dtype === "float32" ? 2e-5 : 1e-12;
          close(out, want, tol, "output");
          const g = cr.randn(out.shape, { dtype });
          const got = cr.autograd.grad([out], [q, k, v], { gradOutputs: [g] });
          const ref = cr.autograd.grad([want], [q, k, v], { gradOutputs: [g] });
          got.forEach((t, i) => close(t!, ref[i]!, tol, `grad ${"qkv"[i]}`));
        }));
      }
    }
  }
  test("cpu and wasm kernels agree in float32 (causal, T = 130, E = 64)", () => {
    cr.manualSeed(5);
    const [q, k, v, g] = [0, 1, 2, 3].map(() => cr.randn([2, 2, 130, 64]).toTypedArray());
    const run = (backend: string) => on(backend, () => {
      const [tq, tk, tv] = [q, k, v].map((a) => cr.tensor(a!).reshape([2, 2, 130, 64]).requiresGrad_(true)) as [Tensor, Tensor, Tensor];
      const out = F.scaledDotProductAttention(tq, tk, tv, { isCausal: true });
      out.backward(cr.tensor(g!).reshape(out.shape));
      return [out, tq.grad!, tk.grad!, tv.grad!].map((t) => cr.tensor(t.toTypedArray()));
    });
    const [a, b] = [run("cpu"), run("wasm")];
    a.forEach((t, i) => close(b![i]!, t, 2e-5, ["output", "dq", "dk", "dv"][i]!));
  });
});

describe("fused attention gradcheck and gradgradcheck (float64)", () => {
  const f64 = (shape: number[]) => cr.randn(shape, { dtype: "float64" }).requiresGrad_(true);
  const checks: [string, (q: Tensor, k: Tensor, v: Tensor) => Tensor, number[][]][] = [
    ["causal, L ≠ S", (q, k, v) => F.scaledDotProductAttention(q, k, v, { isCausal: true }), [[2, 4, 3], [2, 5, 3], [2, 5, 2]]],
    ["bool mask with an empty row", (q, k, v) => F.scaledDotProductAttention(q, k, v, { attnMask: cr.tensor([[true, false, true], [false, false, false], [false, true, true]]) }), [[2, 3, 2], [2, 3, 2], [2, 3, 2]]],
    ["float mask and scale", (q, k, v) => F.scaledDotProductAttention(q, k, v, { attnMask: cr.tensor([[0.5, -1, 0], [0, -Infinity, 2]], { dtype: "float64" }), scale: 0.7 }), [[2, 3], [3, 3], [3, 2]]],
    ["T = 1, head dim 1", (q, k, v) => F.scaledDotProductAttention(q, k, v), [[2, 1, 1], [2, 1, 1], [2, 1, 1]]],
  ];
  for (const [name, fn, shapes] of checks) {
    test(name, () => {
      cr.manualSeed(3);
      const inputs = shapes.map(f64);
      assert.equal(cr.autograd.gradcheck((a, b, c) => fn(a!, b!, c!), inputs), true);
      assert.equal(cr.autograd.gradgradcheck((a, b, c) => fn(a!, b!, c!), inputs), true);
    });
  }
  test("a float mask that requires grad gets the scores' gradient (and its second derivative)", () => {
    cr.manualSeed(4);
    const [q, k, v] = [[2, 3], [4, 3], [4, 2]].map(f64) as [Tensor, Tensor, Tensor];
    const fn = (m: Tensor | undefined) => F.scaledDotProductAttention(q, k, v, { attnMask: m! });
    assert.equal(cr.autograd.gradcheck(fn, [f64([2, 4])]), true);
    assert.equal(cr.autograd.gradgradcheck((m, a) => F.scaledDotProductAttention(a!, k, v, { attnMask: m! }), [f64([2, 4]), f64([2, 3])]), true);
  });
  test("forward-mode tangents equal the composite's, and the tangent of the gradient too", () => {
    cr.manualSeed(6);
    const [q, k, v] = [[2, 3, 4], [2, 5, 4], [2, 5, 3]].map((s) => cr.randn(s, { dtype: "float64" })) as [Tensor, Tensor, Tensor];
    const [tq, tk, tv] = [q, k, v].map((t) => cr.randn(t.shape, { dtype: "float64" })) as [Tensor, Tensor, Tensor];
    const fused = (a: Tensor, b: Tensor, c: Tensor) => F.scaledDotProductAttention(a, b, c, { isCausal: true });
    const comp = (a: Tensor, b: Tensor, c: Tensor) => composite(a, b, c, null, true);
    close(cr.func.jvp(fused, [q, k, v], [tq, tk, tv])[1], cr.func.jvp(comp, [q, k, v], [tq, tk, tv])[1], 1e-12, "tangent");
    // The gradient as a function (the backward primitive), pushed forward.
    const g = cr.randn([2, 3, 3], { dtype: "float64" });
    const gradOf = (f: typeof fused) => (a: Tensor, b: Tensor, c: Tensor) => cr.func.vjp(f, a, b, c)[1](g)[0] as Tensor;
    close(cr.func.jvp(gradOf(fused), [q, k, v], [tq, tk, tv])[1], cr.func.jvp(gradOf(comp), [q, k, v], [tq, tk, tv])[1], 1e-12, "tangent of the gradient");
  });
});

describe("fused attention on empty and non-finite inputs", () => {
  for (const backend of ["cpu", "wasm"]) {
    test(`${backend}: no queries, no keys or an empty batch give empty or zero outputs and gradients of the inputs' shapes`, () => on(backend, () => {
      for (const [qs, ks, vs] of [[[2, 0, 4], [2, 3, 4], [2, 3, 2]], [[2, 3, 4], [2, 0, 4], [2, 0, 2]], [[0, 3, 4], [0, 3, 4], [0, 3, 2]]]) {
        const [q, k, v] = [qs, ks, vs].map((s) => cr.randn(s!).requiresGrad_(true)) as [Tensor, Tensor, Tensor];
        const out = F.scaledDotProductAttention(q, k, v);
        assert.deepEqual(out.shape, [qs![0], qs![1], vs![2]]);
        assert.ok(Array.from(out.toTypedArray()).every((x) => x === 0));
        out.sum().backward();
        [q, k, v].forEach((t) => assert.deepEqual(t.grad!.shape, t.shape));
      }
    }));
    test(`${backend}: a NaN in a query makes its row NaN, as the composite`, () => on(backend, () => {
      cr.manualSeed(2);
      const k = cr.randn([1, 4, 2]), v = cr.randn([1, 4, 2]);
      const values = cr.randn([1, 3, 2]).toTypedArray();
      values[2] = NaN; // query row 1
      const qn = cr.tensor(values).reshape([1, 3, 2]);
      close(F.scaledDotProductAttention(qn, k, v), composite(qn, k, v, null, false), 2e-5, "NaN row");
    }));
  }
});

describe("fused attention on long sequences", () => {
  test("T = 2048 runs in tiles (the 2048² scores would be 16 MB a head) and matches causality", () => {
    cr.manualSeed(8);
    const q = cr.randn([1, 2048, 8]);
    const out = F.scaledDotProductAttention(q, q, cr.randn([1, 2048, 4]), { isCausal: true });
    assert.deepEqual(out.shape, [1, 2048, 4]);
    assert.ok(out.isfinite().all().item());
  });
});
