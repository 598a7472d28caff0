// What the hand-offs to the worker threads cost a training step: tasks posted, how many of them had to wake
// a sleeping worker and what that cost the caller, and how long the caller waited for workers to finish.
//   node --conditions=chainrule-source --import tsx tools/handoff-profile.ts [w2|w4] [wasm|cpu] [steps]
// w2 is the bench's W2 (MLP 784-256-256-10, batch 128, Adam); w4 its W4 (sum(relu(x·w + b)) and backward).
import * as cr from "chainrule";
import { handoffStats } from "../src/backend/worker-protocol.js";
import type { HandoffStats } from "../src/backend/worker-protocol.js";
import { elementwiseWorkload, mlpWorkload } from "../bench/workloads/chainrule.mjs";
import { checkUsage, startBackend } from "./tool-args.js";

const [workload = "w2", backendName = "wasm", stepsArg = "300"] = process.argv.slice(2);
const steps = Number(stepsArg);
checkUsage(["w2", "w4"].includes(workload) && ["wasm", "cpu"].includes(backendName) && steps > 0, "tools/handoff-profile.ts [w2|w4] [wasm|cpu] [steps]");
await startBackend(backendName);
const step = workload === "w2" ? mlpWorkload().step : elementwiseWorkload(1_000_000).run;
// Warm-up steps also give the workers time to start (each pool starts its workers on first use).
for (let i = 0; i < 30; i++) step();
await new Promise((r) => setTimeout(r, 200));
for (let i = 0; i < 10; i++) step();

const before: HandoffStats = handoffStats();
const t0 = performance.now();
for (let i = 0; i < steps; i++) step();
const ms = (performance.now() - t0) / steps;
const after = handoffStats();
const per = (k: keyof HandoffStats) => (after[k] - before[k]) / steps;
const pct = (a: number, b: number) => (b > 0 ? `${((100 * a) / b).toFixed(0)}%` : "—");
const us = (x: number) => `${(1000 * x).toFixed(0)} µs`;
const threads = backendName === "wasm" ? cr.backends.wasm.memoryStats().workers + 1 : "cpu pool";
console.log(`${workload} on ${backendName} (threads: ${threads}), ${steps} steps: ${ms.toFixed(2)} ms a step`);
console.log(`  posts       ${per("posts").toFixed(1)} a step; ${pct(per("wakes"), per("posts"))} woke a sleeping worker, ${us(per("wakes") > 0 ? per("wakeMs") / per("wakes") : 0)} each: ${us(per("wakeMs"))} a step`);
console.log(`  waits       ${per("waits").toFixed(1)} a step for a worker's last chunks; ${pct(per("sleeps"), per("waits"))} slept: ${us(per("waitMs"))} a step`);
