// wasm's fused float32 attention scores and folds keys in blocks of 4 (src/backend/wasm/kernels/attention.ts): it
// must agree with the cpu kernels (float64 inside) on the shapes where the blocks do not fit evenly — head sizes
// not a multiple of 4, key counts not a multiple of 4, causal rows ending mid-block — and where a block holds a
// masked key: a key masked out is skipped, so an infinite value row behind it never turns the output into NaN.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";
import { onBackend } from "./helpers/backend.js";

type Tensor = cr.Tensor;
const F = cr.nn.functional;

interface Case { name: string; q: number[]; k: number[]; v: number[]; causal?: boolean; mask?: (l: number, s: number) => Tensor; infiniteKey?: number }

// −∞ at scattered (row, key) pairs, so some blocks of 4 hold one or two masked keys and others none; row 2 fully masked.
const scattered = (l: number, s: number, always = -1) =>
  cr.tensor(Array.from({ length: l * s }, (_, x) => {
    const i = Math.floor(x / s), j = x % s;
    return i === 2 || j === always || (i * 5 + j * 3) % 7 === 0 ? -Infinity : ((i + j) % 5) * 0.1;
  })).reshape([l, s]);

const CASES: readonly Case[] = [
  { name: "E = 35, Ev = 6, S = 23, scattered −∞ mask, an infinite value row behind a key masked everywhere", q: [2, 3, 9, 35], k: [2, 3, 23, 35], v: [2, 3, 23, 6], mask: (l, s) => scattered(l, s, 5), infiniteKey: 5 },
  { name: "causal, E = 32, T = 37", q: [2, 2, 37, 32], k: [2, 2, 37, 32], v: [2, 2, 37, 32], causal: true },
  { name: "causal, E = 7, Ev = 9, T = 13", q: [3, 13, 7], k: [3, 13, 7], v: [3, 13, 9], causal: true },
  { name: "a float mask, E = 33, Ev = 30, S = 70 (two key tiles)", q: [2, 8, 33], k: [2, 70, 33], v: [2, 70, 30], mask: (l, s) => cr.randn([l, s]) },
  { name: "a per-row bias broadcast over the keys (column stride 0), S = 10", q: [2, 2, 6, 12], k: [2, 2, 10, 12], v: [2, 2, 10, 5], mask: (l) => cr.randn([2, 1, l, 1]) },
  { name: "bool key padding in blocks, E = 3", q: [2, 4, 5, 3], k: [2, 4, 11, 3], v: [2, 4, 11, 4], mask: (_, s) => cr.tensor(Array.from({ length: 2 * s }, (_, x) => x % s < 6 || x % s === 9)).reshape([2, 1, 1, s]) },
];

function run(backend: string, c: Case, data: Float32Array[], maskData: Tensor | null): Float32Array[] {
  return onBackend(backend, () => {
    const [q, k, v] = [c.q, c.k, c.v].map((shape, i) => cr.tensor(data[i]!).reshape(shape).requiresGrad_(true)) as [Tensor, Tensor, Tensor];
    const mask = maskData === null ? null : cr.tensor(maskData.toTypedArray() as Float32Array).reshape(maskData.shape);
    const out = F.scaledDotProductAttention(q, k, v, { attnMask: mask === null ? null : maskData!.dtype === "bool" ? mask.to("bool") : mask, isCausal: c.causal ?? false });
    out.backward(cr.tensor(data[3]!).reshape(out.shape));
    return [out, q.grad!, k.grad!, v.grad!].map((t) => t.toTypedArray() as Float32Array);
  });
}

for (const c of CASES) {
  test(`wasm's blocked attention agrees with the cpu kernels: ${c.name}`, () => {
    cr.manualSeed(3);
    const l = c.q[c.q.length - 2]!, s = c.k[c.k.length - 2]!;
    const outShape = [...c.q.slice(0, -1), c.v[c.v.length - 1]!];
    const data = [c.q, c.k, c.v, outShape].map((shape) => cr.randn(shape).toTypedArray() as Float32Array);
    if (c.infiniteKey !== undefined) {
      const ev = c.v[c.v.length - 1]!;
      for (let at = 0; at < data[2]!.length; at += s * ev) data[2]!.fill(Infinity, at + c.infiniteKey * ev, at + (c.infiniteKey + 1) * ev);
    }
    const mask = c.mask?.(l, s) ?? null;
    const [want, got] = [run("cpu", c, data, mask), run("wasm", c, data, mask)];
    ["output", "dq", "dk", "dv"].forEach((what, t) => {
      const w = want[t]!, g = got[t]!;
      assert.equal(g.length, w.length, what);
      for (let i = 0; i < w.length; i++) {
        if (c.infiniteKey !== undefined) assert.ok(Number.isFinite(g[i]), `${what}[${i}] is ${g[i]}: the masked infinite value row leaked in`);
        if (Object.is(g[i], w[i])) continue;
        assert.ok(Math.abs(g[i]! - w[i]!) <= 2e-5 * (1 + Math.abs(w[i]!)), `${what}[${i}]: wasm ${g[i]} vs cpu ${w[i]}`);
      }
    });
  });
}
