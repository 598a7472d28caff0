// Where W8's time goes (GPT generation, batch 1, greedy, from a one-token prompt, the bench's model): the median
// time of a cached step (one new token, the first blockSize − 1 steps) and of a step that re-reads the full window
// (the rest), the worker hand-offs a token, and every Backend method generation calls, timed.
//   node --conditions=chainrule-source --import tsx tools/gen-profile.ts [wasm|cpu] [tokens] [--shapes]
// THREADS=n sets the wasm worker threads. With `--shapes` each kernel call is listed by its operands' shapes.
// Kernel time on wasm includes computing the pending (fused) expressions it reads; "the rest" is JavaScript around
// the kernels (dispatch, bookkeeping, sampling).
import * as cr from "chainrule";
import { wasmMemoryStats, warmUpWasm } from "../src/backend/wasm/index.js";
import { timeBackendMethods } from "./method-timer.js";
import { handoffStats } from "../src/backend/worker-protocol.js";

const byShapes = process.argv.includes("--shapes");
const [backendName = "wasm", tokensArg = "500"] = process.argv.slice(2).filter((a) => a !== "--shapes");
const tokens = Number(tokensArg);
if (!["wasm", "cpu"].includes(backendName) || !(tokens > 0)) {
  console.error("usage: tools/gen-profile.ts [wasm|cpu] [tokens] [--shapes]");
  process.exit(2);
}
if (backendName === "wasm") {
  warmUpWasm();
  for (let i = 0; i < 100 && wasmMemoryStats().workers === 0; i++) await new Promise((r) => setTimeout(r, 20));
}
cr.setBackend(backendName);
if (process.env.THREADS !== undefined && backendName === "wasm") cr.backends.wasm.setThreads(Number(process.env.THREADS));
// W8's model (bench/lib/data.mjs's GPT), initialised with seed 1.
const GPT = { vocabSize: 83, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128 };
cr.manualSeed(1);
const gpt = new cr.models.GPT({ vocabSize: GPT.vocabSize, blockSize: GPT.blockSize, nLayer: GPT.nLayer, nHead: GPT.nHead, nEmbd: GPT.nEmbd });
gpt.eval();
let stepTimes: number[] = [];
const generate = (): Int32Array => {
  stepTimes = [];
  let t = performance.now();
  const onToken = (): void => {
    const now = performance.now();
    stepTimes.push(now - t);
    t = now;
  };
  return gpt.generate(cr.tensor([[0]], { dtype: "int32" }), tokens, { temperature: 0, onToken }).toTypedArray() as Int32Array;
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;

const timer = timeBackendMethods(backendName, byShapes);

generate();
const h0 = handoffStats();
let t0 = performance.now();
const first = generate();
const plain = performance.now() - t0;
const h1 = handoffStats();
const cachedSteps = stepTimes.slice(1, GPT.blockSize - 1), rereadSteps = stepTimes.slice(GPT.blockSize);
timer.on = true;
t0 = performance.now();
generate();
const timed = performance.now() - t0;
timer.on = false;
let inKernels = 0;
const perToken = (ms: number): string => ((ms / tokens) * 1000).toFixed(1).padStart(8);
console.log(`generate ${tokens} tokens on ${backendName}: ${(tokens / (plain / 1000)).toFixed(1)} tokens/s, ${((plain / tokens) * 1000).toFixed(0)} µs a token (${((timed / tokens) * 1000).toFixed(0)} with the timers); last tokens ${Array.from(first.slice(-8)).join(",")}`);
console.log(`  steps: cached (T=1) median ${(median(cachedSteps) * 1000).toFixed(0)} µs (${cachedSteps.length}), full window re-read (T=${GPT.blockSize}) median ${(median(rereadSteps) * 1000).toFixed(0)} µs (${rereadSteps.length})`);
console.log(`  worker hand-offs a token: ${((h1.posts - h0.posts) / tokens).toFixed(1)} posts, ${((h1.wakes - h0.wakes) / tokens).toFixed(1)} wake-ups taking ${(((h1.wakeMs - h0.wakeMs) / tokens) * 1000).toFixed(0)} µs, ${((h1.waits - h0.waits) / tokens).toFixed(1)} joins waiting ${(((h1.waitMs - h0.waitMs) / tokens) * 1000).toFixed(0)} µs`);
for (const [name, { ms, calls }] of [...timer.totals].sort((a, b) => b[1].ms - a[1].ms)) {
  inKernels += ms;
  console.log(`  ${name.padEnd(byShapes ? 56 : 22)} ${perToken(ms)} µs  ${(calls / tokens).toFixed(1).padStart(6)} calls a token`);
}
console.log(`  ${"in kernels".padEnd(22)} ${perToken(inKernels)} µs a token; the rest (${perToken(timed - inKernels)} µs) is JavaScript around them`);
process.exit(0);
