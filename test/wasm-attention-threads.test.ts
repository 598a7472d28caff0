// wasm's fused attention with the batch elements shared among the worker threads (src/backend/wasm/attention.ts,
// from 4M units of work): forward and backward give exactly the bits of running each batch element alone (one
// element is never shared), with a causal mask and with a broadcast bias holding −∞ (a row fully masked).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";
import type { AttentionParams, TensorData } from "../src/backend/backend.js";
import { wasmBackend } from "../src/backend/wasm/index.js";
import type { Shape } from "../src/shape.js";
import { sizeOf } from "../src/shape.js";

const b = wasmBackend;
cr.backends.wasm.setThreads(2); // the worker path even on one core

let seed = 99;
function values(n: number, masked = false): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const x = (seed / 2 ** 32) * 4 - 2;
    return masked && (i < 70 || x > 1.2) ? -Infinity : x;
  });
}
const tensor = (data: Float32Array, shape: Shape): TensorData => ({ buf: b.fromArray(data.slice()), shape, dtype: "float32" });
const read = (buf: unknown, n: number) => b.readSync!(buf as never, "float32", n);

interface Problem { batch: number[]; l: number; s: number; e: number; ev: number; causal: boolean; bias: number[] | null }

// Forward then backward of the whole batch, and of each batch element alone, in the kernels' packed layouts.
function compare(pr: Problem): void {
  const { batch, l, s, e, ev } = pr;
  const n = sizeOf(batch);
  const [q, k, v, g] = [values(n * l * e), values(n * s * e), values(n * s * ev), values(n * l * ev)];
  const bias = pr.bias === null ? null : values(sizeOf(pr.bias), true);
  const p: AttentionParams = { scale: 0.3, causal: pr.causal };
  const run = (at: number, count: number, shapeOf: (rows: number, cols: number) => Shape) => {
    const slice = (x: Float32Array, per: number) => x.subarray(at * per, (at + count) * per);
    const [tq, tk, tv, tg] = [tensor(slice(q, l * e), shapeOf(l, e)), tensor(slice(k, s * e), shapeOf(s, e)), tensor(slice(v, s * ev), shapeOf(s, ev)), tensor(slice(g, l * ev), shapeOf(l, ev))];
    const tb = bias === null ? null : tensor(bias, pr.bias!);
    const fwd = b.attention(tq, tk, tv, tb, p);
    const saved = count * l * (ev + 1);
    const bwd = b.attentionBackward(tg, tq, tk, tv, { buf: fwd, shape: [saved], dtype: "float32" }, tb, p);
    return { fwd: read(fwd, saved), bwd: read(bwd, count * (l * e + s * e + s * ev)) };
  };
  const chunksBefore = cr.backends.wasm.memoryStats().workerChunks;
  const whole = run(0, n, (r, c) => [...batch, r, c]);
  if (cr.backends.wasm.memoryStats().workers > 0) assert.ok(cr.backends.wasm.memoryStats().workerChunks > chunksBefore, "the workers took part");
  // Each element alone, its pieces put where the whole batch's layout has them.
  const bias1 = pr.bias === null ? null : pr.bias.slice(-2);
  for (let i = 0; i < n; i++) {
    if (bias1 !== null && sizeOf(pr.bias!) !== sizeOf(bias1)) break; // a batched bias is per element: the whole run covers it
    const one = run(i, 1, (r, c) => [1, r, c]);
    const want = [
      [whole.fwd.subarray(i * l * ev, (i + 1) * l * ev), one.fwd.subarray(0, l * ev)],
      [whole.fwd.subarray(n * l * ev + i * l, n * l * ev + (i + 1) * l), one.fwd.subarray(l * ev)],
      [whole.bwd.subarray(i * l * e, (i + 1) * l * e), one.bwd.subarray(0, l * e)],
      [whole.bwd.subarray(n * l * e + i * s * e, n * l * e + (i + 1) * s * e), one.bwd.subarray(l * e, l * e + s * e)],
      [whole.bwd.subarray(n * (l * e + s * e) + i * s * ev, n * (l * e + s * e) + (i + 1) * s * ev), one.bwd.subarray(l * e + s * e)],
    ] as const;
    want.forEach(([got, ref], part) => {
      assert.equal(got.length, ref.length);
      for (let j = 0; j < ref.length; j++) if (!Object.is(got[j], ref[j])) assert.fail(`element ${i} part ${part} [${j}]: ${got[j]} vs ${ref[j]}`);
    });
  }
}

test("threaded attention equals each batch element run alone, bit for bit (causal, the GPT's head size)", async () => {
  cr.backends.wasm.warmUp();
  for (let i = 0; i < 200 && cr.backends.wasm.memoryStats().workers === 0; i++) await new Promise((r) => setTimeout(r, 25));
  compare({ batch: [4, 4], l: 64, s: 64, e: 32, ev: 32, causal: true, bias: null });
});

test("threaded attention with a bias broadcast over the batch, −∞ entries and a fully masked row", () => {
  compare({ batch: [2, 8], l: 64, s: 70, e: 33, ev: 30, causal: false, bias: [64, 70] });
});
