// The cpu backend's array pool: a released array serves the next request of its dtype and size, zeroed
// unless the kernel that asked writes every element itself.
import { opProgram } from "../src/ops/program.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpuBackend } from "../src/backend/cpu/index.js";
import { allocOut, recycle } from "../src/backend/cpu/buffer-pool.js";

test("a reused array comes back zeroed by default, or as it was for a caller that writes every element", () => {
  const first = allocOut("float32", 5000);
  first.fill(7);
  recycle(first);
  const zeroed = allocOut("float32", 5000);
  assert.equal(zeroed, first, "the released array is reused");
  assert.ok(zeroed.every((v) => v === 0));
  zeroed.fill(3);
  recycle(zeroed);
  const kept = allocOut("float32", 5000, "any");
  assert.equal(kept, first);
  assert.equal(kept[4999], 3, "left as it was: the caller overwrites it");
  recycle(kept);
  // Elementwise kernels and full(…, v) overwrite every element; full(…, 0) needs the zeros.
  const x = { buf: Float32Array.from({ length: 5000 }, (_, i) => i), shape: [5000], dtype: "float32" as const };
  recycle(allocOut("float32", 5000, "any").fill(99));
  const sum = cpuBackend.elementwise(opProgram("add"), [x, x], [5000], "float32") as Float32Array;
  assert.ok(sum.every((v, i) => v === 2 * i));
  recycle(sum.fill(-1));
  const filled = cpuBackend.full(5000, 2.5, "float32") as Float32Array;
  assert.ok(filled.every((v) => v === 2.5));
  recycle(filled);
  assert.ok((cpuBackend.full(5000, 0, "float32") as Float32Array).every((v) => v === 0));
});

test("arrays past V8's 64 on-heap bytes are pooled too, whatever their dtype; smaller ones are not", () => {
  // Off the heap a typed array costs 1–3 µs to make, more than a small op's kernel.
  for (const [dtype, smallest] of [["float32", 17], ["float64", 9], ["int32", 17], ["bool", 65]] as const) {
    const pooled = allocOut(dtype, smallest);
    recycle(pooled);
    assert.equal(allocOut(dtype, smallest), pooled, `${dtype}[${smallest}] (more than 64 bytes) is reused`);
    const onHeap = allocOut(dtype, smallest - 1);
    recycle(onHeap);
    assert.notEqual(allocOut(dtype, smallest - 1), onHeap, `${dtype}[${smallest - 1}] (64 bytes) is left to the collector`);
  }
  // Length and dtype both select: a float32[32] and an int32[32] have the same bytes but never trade places.
  const f = allocOut("float32", 32);
  recycle(f);
  assert.ok(allocOut("int32", 32) instanceof Int32Array);
  assert.equal(allocOut("float32", 32), f);
});

test("a scope's small tensors give their arrays to the next step's", async () => {
  const cr = await import("../src/index.js");
  const previous = cr.getBackend();
  cr.setBackend("cpu");
  try {
    const x = cr.keep(cr.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]));
    const bufOf = (t: { _storage: unknown }) => t._storage;
    let first: unknown;
    cr.tidy(() => {
      first = bufOf(x.mul(2) as unknown as { _storage: unknown });
    });
    let second: unknown;
    const y = cr.tidy(() => {
      const z = x.mul(3);
      second = bufOf(z as unknown as { _storage: unknown });
      return z;
    });
    assert.equal(second, first, "the disposed product's array holds the next one");
    assert.deepEqual(y.tolist(), Array.from({ length: 20 }, (_, i) => 3 * (i + 1)));
  } finally {
    cr.setBackend(previous);
  }
});
