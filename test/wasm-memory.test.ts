// The wasm backend's memory stays flat over many training steps: scratch is released after every kernel and the heap stops growing.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";
import { wasmMemoryStats } from "../src/backend/wasm/index.js";

test("wasm scratch is released after every kernel and the heap stops growing", () => {
  cr.setBackend("wasm");
  try {
    cr.manualSeed(1);
    const model = new cr.nn.Sequential(new cr.nn.Linear(64, 128), new cr.nn.ReLU(), new cr.nn.Linear(128, 10));
    const opt = new cr.optim.Adam(model.parameters(), { lr: 1e-3 });
    const x = cr.randn([32, 64]);
    const y = cr.randint(0, 10, [32]);
    const step = () => {
      opt.zeroGrad();
      cr.nn.functional.crossEntropy(model.forward(x), y).backward();
      opt.step();
    };
    step();
    const before = wasmMemoryStats();
    assert.ok(before.loaded, "wasm kernels loaded");
    for (let i = 0; i < 300; i++) {
      step();
      assert.equal(wasmMemoryStats().bytesInUse, 0, `step ${i}: scratch still reserved`);
    }
    const after = wasmMemoryStats();
    assert.ok(after.calls >= before.calls + 300 * 3, "the matmuls ran in wasm");
    assert.equal(after.heapBytes, before.heapBytes, "the wasm heap did not grow");
    assert.equal(after.peakBytes, before.peakBytes, "no call needed more scratch than the first step");
  } finally {
    cr.setBackend("cpu");
  }
});
