// Times W7 (one GPT training iteration, bench/workloads/gpt.mjs) in-process, for profiling:
//   node --conditions=chainrule-source --import tsx --cpu-prof tools/gpt-step.mjs
// Environment: BK (backend, default wasm), N (timed steps, default 15), THREADS (wasm worker threads).
// Prints the median and minimum step time, the process's CPU time a step (all threads), peak RSS, and the hrtime window (µs) of the timed steps, so a
// profile's samples can be cut to it.
import { performance } from "node:perf_hooks";
import * as cr from "chainrule";
import { gptTrainWorkload } from "../bench/workloads/gpt.mjs";

cr.setBackend(process.env.BK ?? "wasm");
if (process.env.THREADS !== undefined) cr.backends.wasm.setThreads(Number(process.env.THREADS));
const w = gptTrainWorkload();
for (let i = 0; i < 3; i++) w.step();
const n = Number(process.env.N ?? 15);
const ts = [];
const from = process.hrtime.bigint() / 1000n;
const cpu0 = process.cpuUsage();
for (let i = 0; i < n; i++) {
  const t = performance.now();
  w.step();
  ts.push(performance.now() - t);
}
const to = process.hrtime.bigint() / 1000n;
const cpu = process.cpuUsage(cpu0);
ts.sort((a, b) => a - b);
const peak = process.resourceUsage().maxRSS / 1024;
console.log(`median ${ts[n >> 1].toFixed(1)} ms, min ${ts[0].toFixed(1)} ms, cpu ${((cpu.user + cpu.system) / 1000 / n).toFixed(1)} ms/step, peak rss ${peak.toFixed(0)} MB, window ${from}-${to}`);
