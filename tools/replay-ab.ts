// What replaying a captured graph saves on the bench's W2 step: the eager step (cr.tidy around it), the
// captured one (cr.captureGraph, kernel plans on) and, with --no-plans too, the captured one whose replays
// call the backend's methods instead of the kernel plans, in one process, alternating runs of `steps` steps.
//   node --conditions=chainrule-source --import tsx tools/replay-ab.ts [wasm|cpu] [rounds] [steps] [--no-plans]
import { setKernelPlans } from "../src/backend/capture.js";
import { mlpWorkload } from "../bench/workloads/chainrule.mjs";
import { checkUsage, startBackend } from "./tool-args.js";

const withoutPlans = process.argv.includes("--no-plans");
const [backendName = "wasm", roundsArg = "10", stepsArg = "100"] = process.argv.slice(2).filter((a) => a !== "--no-plans");
const rounds = Number(roundsArg), steps = Number(stepsArg);
checkUsage(["wasm", "cpu"].includes(backendName) && rounds > 0 && steps > 0, "tools/replay-ab.ts [wasm|cpu] [rounds] [steps] [--no-plans]");
await startBackend(backendName);
// Each variant trains its own copy of the model; a graph's plans are made at its first replay, under the
// setting at that time.
const variants: [string, () => number][] = [["eager", mlpWorkload().step], ["captured", mlpWorkload({ graph: true }).step]];
if (withoutPlans) {
  using _plansOff = setKernelPlans(false);
  const noPlans = mlpWorkload({ graph: true }).step;
  noPlans();
  noPlans();
  variants.push(["captured, no plans", noPlans]);
}
for (const [, step] of variants) for (let i = 0; i < 20; i++) step();
const times = new Map<string, number[]>(variants.map(([name]) => [name, []]));
for (let r = 0; r < rounds; r++) {
  for (const [name, step] of variants) {
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) step();
    times.get(name)!.push((performance.now() - t0) / steps);
  }
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
console.log(`W2 on ${backendName}, ${rounds} alternating rounds of ${steps} steps, ms a step (median; each round):`);
for (const [name, v] of times) console.log(`  ${name.padEnd(20)} ${median(v).toFixed(2)}   ${v.map((x) => x.toFixed(2)).join(" ")}`);
