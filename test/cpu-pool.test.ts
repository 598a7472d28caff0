// The cpu backend's array pool: a released array serves the next request of its dtype and size, zeroed
// unless the kernel that asked writes every element itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpuBackend } from "../src/backend/cpu/index.js";
import { allocOut, recycle } from "../src/backend/cpu/pool.js";

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
  const sum = cpuBackend.binary("add", x, x, [5000], "float32") as Float32Array;
  assert.ok(sum.every((v, i) => v === 2 * i));
  recycle(sum.fill(-1));
  const filled = cpuBackend.full(5000, 2.5, "float32") as Float32Array;
  assert.ok(filled.every((v) => v === 2.5));
  recycle(filled);
  assert.ok((cpuBackend.full(5000, 0, "float32") as Float32Array).every((v) => v === 0));
});
