// The wasm worker pool in Node: work split across threads gives exactly what one thread gives.
import { test } from "node:test";
import assert from "node:assert/strict";
import { getPool, parallelGemm, parallelRun, readyWorkerCount, setWasmThreads, startPool, workerChunks } from "../src/backend/wasm/workers.js";
import type { Pool } from "../src/backend/wasm/workers.js";
import { borrowScratch, getRuntime, releaseScratch } from "../src/backend/wasm/runtime.js";
import type { Runtime } from "../src/backend/wasm/runtime.js";
import { wasmApi } from "../src/backend/wasm/wasm-api.js";
import type { WasmModule } from "../src/backend/wasm/wasm-api.js";
import { leb, name, section, vec } from "../src/backend/wasm/wasm-bytes.js";
import { handoffStats, joinTimeouts } from "../src/backend/worker-protocol.js";

// Before anything starts the backend's pool: four threads even on a two-core machine, so chunks really interleave.
setWasmThreads(4);

async function whenReady(ready: () => number, want: number): Promise<void> {
  for (let i = 0; i < 500 && ready() < want; i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(ready() >= want, `only ${ready()} of ${want} workers came up`);
}

function random(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

// ---- a tiny hand-assembled module on shared memory, with kernels that take [start, end) last ----

const body = (code: number[]): number[] => [...leb(code.length + 2), 0 /* no locals */, ...code, 0x0b];

const [I32, F32] = [0x7f, 0x7d];
const [GET, SET, CONST, ADD, SHL, GE_S, EQ, BR, BR_IF, BLOCK, LOOP, IF, END, UNREACHABLE] = [0x20, 0x21, 0x41, 0x6a, 0x74, 0x4e, 0x46, 0x0c, 0x0d, 0x02, 0x03, 0x04, 0x0b, 0x00];
const [F32_LOAD, F32_STORE, F32_MUL, F32_ADD, F32_FROM_I32] = [0x2a, 0x38, 0x94, 0x92, 0xb2];
/** for (i = start; i < end; i++) { ...each } with i in local `i` and end in local `end`. */
const loop = (i: number, end: number, each: number[]): number[] => [
  BLOCK, 0x40, LOOP, 0x40, GET, i, GET, end, GE_S, BR_IF, 1, ...each, GET, i, CONST, 1, ADD, SET, i, BR, 0, END, END,
];
const at = (ptr: number, i: number): number[] => [GET, ptr, GET, i, CONST, 2, SHL, ADD]; // ptr + 4i

/**
 * affine(x, out, scale: f32, start, end): out[i] = x[i] * scale + i.
 * poison(out, bad, start, end): out[i] = i + 1, trapping at i = bad.
 */
function tinyModule(): WasmModule {
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, 5, I32, I32, F32, I32, I32, 0], [0x60, 4, I32, I32, I32, I32, 0]])),
    ...section(2, vec([[...name("env"), ...name("memory"), 0x02, 0x03, ...leb(1), ...leb(256)]])),
    ...section(3, vec([[0], [1]])),
    ...section(7, vec([[...name("affine"), 0x00, 0], [...name("poison"), 0x00, 1]])),
    ...section(10, vec([
      body(loop(3, 4, [...at(1, 3), ...at(0, 3), F32_LOAD, 2, 0, GET, 2, F32_MUL, GET, 3, F32_FROM_I32, F32_ADD, F32_STORE, 2, 0])),
      body(loop(2, 3, [GET, 2, GET, 1, EQ, IF, 0x40, UNREACHABLE, END, ...at(0, 2), GET, 2, CONST, 1, ADD, F32_FROM_I32, F32_STORE, 2, 0])),
    ])),
  ];
  return new (wasmApi()!.Module)(new Uint8Array(bytes));
}

function tinyRuntime(): Runtime {
  const api = wasmApi()!;
  const module = tinyModule();
  const memory = new api.Memory({ initial: 256, maximum: 256, shared: true });
  const exports = new api.Instance(module, { env: { memory } }).exports;
  // The pool needs only these; the backend's other runtime fields (its heap) do not apply here.
  return { module, memory, exports, relaxed: false, shared: true } as unknown as Runtime;
}

let tiny: { rt: Runtime; pool: Pool } | undefined;
async function tinyPool(): Promise<{ rt: Runtime; pool: Pool }> {
  if (tiny === undefined) {
    const rt = tinyRuntime();
    const pool = startPool(rt, 4);
    assert.ok(pool !== null, "a pool starts on shared memory");
    await whenReady(() => pool.slots.filter((s) => Atomics.load(s, 2) === 1).length, 3);
    tiny = { rt, pool };
  }
  return tiny;
}

test("parallelRun: a kernel split into chunks across threads writes what one call writes", async () => {
  const { rt, pool } = await tinyPool();
  const n = 1_000_003; // not a multiple of any chunk below
  const [x, one, many] = [0, 4 * n, 8 * n];
  new Float32Array(rt.memory.buffer, x, n).set(random(n, 7));
  const affine = (rt.exports as unknown as Record<string, (...a: number[]) => void>)["affine"]!;
  affine(x, one, 0.75, 0, n);
  for (const chunk of [1 << 16, 4096, 1000, n, 2 * n]) {
    new Float32Array(rt.memory.buffer, many, n).fill(Number.NaN);
    parallelRun(rt, pool, "affine", [x, many, 0.75], n, chunk);
    assert.deepEqual(new Float32Array(rt.memory.buffer, many, n), new Float32Array(rt.memory.buffer, one, n), `chunks of ${chunk}`);
  }
  parallelRun(rt, pool, "affine", [x, many, 0.75], 0, 16); // nothing to do
});

test("parallelRun: 20,000 short tasks, each joined as its workers finish, never sleep through a wake-up", async () => {
  const { rt, pool } = await tinyPool();
  const n = 4096;
  const [x, one, out] = [0, 4 * n, 8 * n];
  new Float32Array(rt.memory.buffer, x, n).set(random(n, 11));
  (rt.exports as unknown as Record<string, (...a: number[]) => void>)["affine"]!(x, one, 0.5, 0, n);
  const before = joinTimeouts();
  // Tiny chunks: workers finish while the caller is between seeing them busy and going to sleep, the
  // interleaving in which a wait on a reloaded value would miss the notify and sleep its 1 s timeout.
  for (let i = 0; i < 20_000; i++) parallelRun(rt, pool, "affine", [x, out, 0.5], n, 256);
  assert.equal(joinTimeouts(), before, "no join ran into its timeout");
  assert.deepEqual(new Float32Array(rt.memory.buffer, out, n), new Float32Array(rt.memory.buffer, one, n));
});

test("handoffStats counts a post per ready worker, and the waits for those that took the task", async () => {
  const { rt, pool } = await tinyPool();
  const n = 1 << 16;
  const before = handoffStats();
  for (let i = 0; i < 10; i++) parallelRun(rt, pool, "affine", [0, 4 * n, 0.5], n, 1024);
  const after = handoffStats();
  assert.equal(after.posts - before.posts, 30, "three ready workers, ten tasks");
  assert.ok(after.waits - before.waits <= 30 && after.wakes - before.wakes <= 30 && after.sleeps - before.sleeps <= after.waits - before.waits);
  assert.ok(after.waitMs >= before.waitMs && after.wakeMs >= before.wakeMs);
});

test("parallelRun: a trap in any thread surfaces as the caller's error, and the pool keeps working", async () => {
  const { rt, pool } = await tinyPool();
  const n = 1 << 20;
  assert.throws(() => parallelRun(rt, pool, "poison", [0, 700_001], n, 1024), /unreachable/);
  parallelRun(rt, pool, "poison", [0, -1], n, 1024);
  const out = new Float32Array(rt.memory.buffer, 0, n);
  for (let i = 0; i < n; i += 9973) assert.equal(out[i], i + 1);
  assert.equal(out[n - 1], n);
  assert.throws(() => parallelRun(rt, pool, "nope", [], n, 1024), /no kernel named nope/);
});

test("parallelGemm: rows split across workers on B packed once give exactly the single-thread product, in every layout and with a bias", async () => {
  const rt = getRuntime();
  assert.ok(rt !== null && rt.shared, "Node loads the shared-memory kernels");
  const pool = getPool(rt);
  assert.ok(pool !== null && pool.slots.length === 3);
  await whenReady(readyWorkerCount, 3);
  const ex = rt.exports;
  for (const [m, k, n, chunkRows] of [[512, 512, 512, 64], [301, 77, 129, 8], [64, 1000, 10, 12], [33, 5, 3, 4]] as const) {
    const threadScratch = [ex.scratchBytes(n), ...new Array<number>(3).fill(ex.packedScratchBytes())];
    const offsets = borrowScratch(rt, [m * k * 4, k * n * 4, m * n * 4, m * n * 4, n * 4, ex.packedBBytes(k, n), ...threadScratch]);
    assert.ok(offsets !== undefined);
    try {
      const [a, b, one, many, bias, packed, ...scratch] = offsets as [number, number, number, number, number, number, ...number[]];
      new Float32Array(rt.memory.buffer, a, m * k).set(random(m * k, m));
      new Float32Array(rt.memory.buffer, b, k * n).set(random(k * n, n));
      // trans bit 0: A read as stored [k, m]; bit 1: B as stored [n, k] (the same memory, other products).
      for (const trans of [0, 1, 2, 3]) {
        ex.gemmT(a, b, one, 0, m, k, n, m, trans, scratch[0]!);
        ex.packBAll(b, k, n, trans, packed);
        const before = workerChunks();
        // Workers may be slow to wake on a busy machine: repeat until they have taken part at least once.
        for (let i = 0; i < 50 && (i === 0 || workerChunks() === before); i++) {
          new Float32Array(rt.memory.buffer, many, m * n).fill(Number.NaN);
          parallelGemm(rt, pool, a, packed, many, m, k, n, chunkRows, scratch, trans & 1, 0);
          assert.deepEqual(new Float32Array(rt.memory.buffer, many, m * n), new Float32Array(rt.memory.buffer, one, m * n), `${m}×${k}·${k}×${n} (trans ${trans}) in chunks of ${chunkRows}`);
        }
        if (m >= 64) assert.ok(workerChunks() > before, "workers computed some rows");
      }
      // A bias row added by each chunk to its rows: the bits of the product with the row added after it.
      new Float32Array(rt.memory.buffer, bias, n).set(random(n, 7));
      ex.gemmT(a, b, one, 0, m, k, n, m, 0, scratch[0]!);
      ex.addBiasRows(one, bias, 0, m, n);
      ex.packBAll(b, k, n, 0, packed);
      parallelGemm(rt, pool, a, packed, many, m, k, n, chunkRows, scratch, 0, bias);
      assert.deepEqual(new Float32Array(rt.memory.buffer, many, m * n), new Float32Array(rt.memory.buffer, one, m * n), `${m}×${k}·${k}×${n} + bias`);
    } finally {
      releaseScratch();
    }
  }
});

test("packBStrips: B packed strip range by strip range, in any split and by the workers, is packBAll's packing", async () => {
  const rt = getRuntime()!;
  const pool = getPool(rt)!;
  await whenReady(readyWorkerCount, 3);
  const ex = rt.exports;
  // Both tilings (12 and 8 columns), a partial last strip, two k blocks, k not a multiple of 4.
  for (const [k, n] of [[600, 37], [784, 256], [130, 32], [5, 3]] as const) {
    const strips = ex.packedBStrips(n);
    const bytes = ex.packedBBytes(k, n);
    const offsets = borrowScratch(rt, [k * n * 4, bytes, bytes]);
    assert.ok(offsets !== undefined);
    try {
      const [b, whole, pieces] = offsets as [number, number, number];
      new Float32Array(rt.memory.buffer, b, k * n).set(random(k * n, k + n));
      for (const trans of [0, 2]) {
        ex.packBAll(b, k, n, trans, whole);
        const expected = new Float32Array(rt.memory.buffer, whole, bytes / 4).slice();
        const got = () => new Float32Array(rt.memory.buffer, pieces, bytes / 4);
        got().fill(Number.NaN);
        const cuts = [...new Set([0, 1, Math.max(1, strips - 1), strips])].filter((s) => s <= strips);
        for (let i = 0; i + 1 < cuts.length; i++) ex.packBStrips(b, k, n, trans, pieces, cuts[i]!, cuts[i + 1]!);
        assert.deepEqual(got(), expected, `${k}×${n} (trans ${trans}) packed in pieces ${cuts.join(", ")}`);
        got().fill(Number.NaN);
        parallelRun(rt, pool, "packBStrips", [b, k, n, trans, pieces], strips, 1);
        assert.deepEqual(got(), expected, `${k}×${n} (trans ${trans}) packed a strip per chunk by the threads`);
      }
    } finally {
      releaseScratch();
    }
  }
});

test("parallelGemm uses no more workers than there are packing spaces", async () => {
  const rt = getRuntime()!;
  const pool = getPool(rt)!;
  await whenReady(readyWorkerCount, 3);
  const [m, k, n] = [256, 128, 96];
  const offsets = borrowScratch(rt, [m * k * 4, k * n * 4, m * n * 4, m * n * 4, rt.exports.scratchBytes(n), rt.exports.packedBBytes(k, n)])!;
  try {
    const [a, b, one, many, scratch, packed] = offsets as [number, number, number, number, number, number];
    new Float32Array(rt.memory.buffer, a, m * k).set(random(m * k, 3));
    new Float32Array(rt.memory.buffer, b, k * n).set(random(k * n, 4));
    rt.exports.gemm(a, b, one, 0, m, k, n, scratch);
    rt.exports.packBAll(b, k, n, 0, packed);
    const before = workerChunks();
    parallelGemm(rt, pool, a, packed, many, m, k, n, 8, [scratch], 0, 0);
    assert.equal(workerChunks(), before, "one packing space: this thread alone");
    assert.deepEqual(new Float32Array(rt.memory.buffer, many, m * n), new Float32Array(rt.memory.buffer, one, m * n));
  } finally {
    releaseScratch();
  }
});

test("a pool belongs to its runtime: getPool answers null for another, parallelRun refuses it", async () => {
  const { rt } = await tinyPool();
  assert.equal(getPool(rt), null);
  assert.throws(() => parallelRun(rt, getPool(getRuntime()!)!, "affine", [0, 0, 1], 16, 4), /another runtime/);
  assert.equal(startPool({ ...rt, shared: false }, 4), null, "private memory: no workers");
  assert.equal(startPool(rt, 1), null, "one thread: no workers");
});
