// Where a captured W2 replay's time goes, call by call: each step's time in its place in the replay, and each
// kernel plan's when it runs alone again and again (its operands then in cache), with the totals of both.
//   node --conditions=chainrule-source --import tsx tools/replay-profile.ts [wasm|cpu] [replays] [alone]
import * as cr from "chainrule";
import { mlpWorkload, useBackend } from "../bench/workloads/chainrule.mjs";

const [backendName = "wasm", replaysArg = "500", aloneArg = "500"] = process.argv.slice(2);
const replays = Number(replaysArg), alone = Number(aloneArg);
if (!["wasm", "cpu"].includes(backendName) || !(replays > 0) || !(alone >= 0)) {
  console.error("usage: tools/replay-profile.ts [wasm|cpu] [replays] [alone]");
  process.exit(2);
}
const problem = await useBackend(backendName);
if (problem !== null) {
  console.error(problem);
  process.exit(1);
}
if (backendName === "wasm") {
  cr.warmUpWasm();
  for (let i = 0; i < 100 && cr.wasmMemoryStats().workers === 0; i++) await new Promise((r) => setTimeout(r, 20));
}
const w2 = mlpWorkload({ graph: true });
for (let i = 0; i < 50; i++) w2.step(); // captures, plans and warms up
const steps = w2.graph!.profile(replays, alone);
const us = (ms: number | undefined) => (ms === undefined ? "" : (ms * 1000).toFixed(1));
console.log(`W2 on ${backendName}, ${replays} replays; µs a run in the step, and alone (plans, ${alone} runs in a row):`);
steps.forEach((s, i) => console.log(`${String(i).padStart(3)}  ${s.kind.padEnd(5)} ${s.name.padEnd(20)} ${us(s.ms).padStart(9)} ${us(s.aloneMs).padStart(9)}`));
const total = (pick: (s: cr.StepProfile) => boolean, f: (s: cr.StepProfile) => number) => steps.filter(pick).reduce((a, s) => a + f(s), 0);
const planned = (s: cr.StepProfile) => s.aloneMs !== undefined;
console.log(`in all: ${us(total(() => true, (s) => s.ms))} µs a replay; the plans ${us(total(planned, (s) => s.ms))} in the step, ${us(total(planned, (s) => s.aloneMs!))} alone; host steps ${us(total((s) => s.kind === "host", (s) => s.ms))}`);
process.exit(0);
