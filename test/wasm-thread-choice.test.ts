// The wasm matmul's timed choice between splitting a mid-sized product with the worker threads and running it on
// the calling thread (src/backend/wasm/thread-choice.ts): the rule, and that the choice never changes the bits.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";
import { chooseThreads, forceThreadChoice, noteProductTime, resetThreadChoice, threadChoiceTimes } from "../src/backend/wasm/thread-choice.js";
import { workerChunks } from "../src/backend/wasm/workers.js";
import { onBackend } from "./helpers/backend.js";

test("each way is timed three times, then the one with the lower median time per flop runs, the other every 64th call", () => {
  resetThreadChoice();
  const key = "64,128,384,2,1", flops = 6e6;
  const ways: boolean[] = [];
  const run = (threadedMs: number, singleMs: number): void => {
    const threaded = chooseThreads(key);
    ways.push(threaded);
    noteProductTime(key, threaded, flops, threaded ? threadedMs : singleMs);
  };
  for (let i = 0; i < 6; i++) run(0.3, 0.2);
  assert.deepEqual(ways, [true, true, true, false, false, false]);
  // One thread is faster: it runs, save each 64th call.
  for (let i = 6; i < 128; i++) run(0.3, 0.2);
  assert.deepEqual(ways.map((w, i) => (w ? i + 1 : 0)).filter((c) => c > 3), [64, 128]);
  // One slow outlier (a preempted call) does not change the median, so not the choice.
  noteProductTime(key, false, flops, 5);
  assert.equal(chooseThreads(key), false);
  // The load changes: one thread becomes slower; the threads' time, refreshed by the 64th-call tries, wins again.
  const before = ways.length;
  for (let i = 0; i < 256; i++) run(0.1, 0.4);
  const after = ways.slice(before);
  assert.equal(after.at(-1), true);
  assert.ok(after.filter((w) => w).length > 200, `threads ran ${after.filter((w) => w).length} of 256 calls`);
  const times = threadChoiceTimes(key)!;
  assert.ok(times.threaded < times.single);
  assert.equal(threadChoiceTimes("no such shape"), undefined);
  resetThreadChoice();
});

test("a mid-sized product gives the same bits split with the workers and on one thread", async () => {
  cr.backends.wasm.warmUp();
  for (let i = 0; i < 200 && cr.backends.wasm.memoryStats().workers === 0; i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(cr.backends.wasm.memoryStats().workers >= 1, "a worker is ready");
  cr.manualSeed(2);
  // A GPT layer's products at batch 1 over 64 positions (6.3 and 8.4 MFLOP), with and without bias, and an odd one.
  const cases = [[64, 128, 384, true], [64, 512, 128, true], [64, 128, 512, false], [40, 200, 260, true]] as const;
  const inputs = cases.map(([m, k, n, bias]) => [cr.randn([m, k]), cr.randn([n, k]), bias ? cr.randn([n]) : null] as const);
  const products = (choice: "threads" | "single"): number[][] =>
    onBackend("wasm", () => {
      forceThreadChoice(choice);
      try {
        return inputs.map(([x, w, b]) => Array.from(cr.noGrad(() => cr.nn.functional.linear(x.to("wasm"), w.to("wasm"), b?.to("wasm") ?? null)).toTypedArray()));
      } finally {
        forceThreadChoice(null);
      }
    });
  const chunks = workerChunks();
  const threaded = products("threads");
  assert.ok(workerChunks() > chunks, "the workers computed chunks");
  const mid = workerChunks();
  const single = products("single");
  assert.equal(workerChunks(), mid, "one thread computed them all");
  assert.deepEqual(threaded, single);
});
