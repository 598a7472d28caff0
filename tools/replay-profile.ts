// Where a captured W2 replay's time goes, call by call: each step's time in its place in the replay, and each
// kernel plan's when it runs alone again and again (its operands then in cache), with the totals of both.
//   node --conditions=chainrule-source --import tsx tools/replay-profile.ts [wasm|cpu] [replays] [alone]
import type { StepProfile } from "chainrule";
import { mlpWorkload } from "../bench/workloads/chainrule.mjs";
import { checkUsage, startBackend } from "./tool-args.js";

const [backendName = "wasm", replaysArg = "500", aloneArg = "500"] = process.argv.slice(2);
const replays = Number(replaysArg), alone = Number(aloneArg);
checkUsage(["wasm", "cpu"].includes(backendName) && replays > 0 && alone >= 0, "tools/replay-profile.ts [wasm|cpu] [replays] [alone]");
await startBackend(backendName);
const w2 = mlpWorkload({ graph: true });
for (let i = 0; i < 50; i++) w2.step(); // captures, plans and warms up
const steps = w2.graph!.profile(replays, alone);
const us = (ms: number | undefined) => (ms === undefined ? "" : (ms * 1000).toFixed(1));
console.log(`W2 on ${backendName}, ${replays} replays; µs a run in the step, and alone (plans, ${alone} runs in a row):`);
steps.forEach((s, i) => console.log(`${String(i).padStart(3)}  ${s.kind.padEnd(5)} ${s.name.padEnd(20)} ${us(s.ms).padStart(9)} ${us(s.aloneMs).padStart(9)}`));
const total = (pick: (s: StepProfile) => boolean, f: (s: StepProfile) => number) => steps.filter(pick).reduce((a, s) => a + f(s), 0);
const planned = (s: StepProfile) => s.aloneMs !== undefined;
console.log(`in all: ${us(total(() => true, (s) => s.ms))} µs a replay; the plans ${us(total(planned, (s) => s.ms))} in the step, ${us(total(planned, (s) => s.aloneMs!))} alone; host steps ${us(total((s) => s.kind === "host", (s) => s.ms))}`);
process.exit(0);
