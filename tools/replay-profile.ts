// Where a captured W2 replay's time goes, call by call: each step's time in its place in the replay, and each
// kernel plan's when it runs alone again and again (its operands then in cache), with the totals of both.
// On `threads` threads (default: every core, as `cr.setNumThreads`).
//   node --conditions=chainrule-source --import tsx tools/replay-profile.ts [wasm|cpu] [replays] [alone] [threads]
import * as cr from "chainrule";
import type { StepProfile } from "chainrule";
import { mlpWorkload } from "../bench/workloads/chainrule.mjs";
import { checkUsage, startBackend } from "./tool-args.js";

const [backendName = "wasm", replaysArg = "500", aloneArg = "500", threadsArg] = process.argv.slice(2);
const replays = Number(replaysArg), alone = Number(aloneArg), threads = threadsArg === undefined ? undefined : Number(threadsArg);
checkUsage(["wasm", "cpu"].includes(backendName) && replays > 0 && alone >= 0 && (threads === undefined || (Number.isInteger(threads) && threads >= 1)), "tools/replay-profile.ts [wasm|cpu] [replays] [alone] [threads]");
if (threads !== undefined) cr.setNumThreads(threads);
await startBackend(backendName);
const w2 = mlpWorkload({ graph: true });
for (let i = 0; i < 50; i++) w2.step(); // captures, plans and warms up
const steps = w2.graph!.profile(replays, alone);
const us = (ms: number | undefined) => (ms === undefined ? "" : (ms * 1000).toFixed(1));
console.log(`W2 on ${backendName}${threads === undefined ? "" : ` on ${threads} thread(s)`}, ${replays} replays; µs a run in the step, and alone (plans, ${alone} runs in a row):`);
steps.forEach((s, i) => console.log(`${String(i).padStart(3)}  ${s.kind.padEnd(5)} ${s.name.padEnd(20)} ${us(s.ms).padStart(9)} ${us(s.aloneMs).padStart(9)}`));
const total = (pick: (s: StepProfile) => boolean, f: (s: StepProfile) => number) => steps.filter(pick).reduce((a, s) => a + f(s), 0);
const planned = (s: StepProfile) => s.kind === "plan";
console.log(`in all: ${us(total(() => true, (s) => s.ms))} µs a replay; the plans ${us(total(planned, (s) => s.ms))} in the step, ${alone > 0 ? us(total(planned, (s) => s.aloneMs ?? 0)) : "not timed"} alone; host steps ${us(total((s) => s.kind === "host", (s) => s.ms))}`);
process.exit(0);
