// Child process for chainrule on one backend: node bench/workloads/child.mjs --backend cpu [--quick] [--only W1,W2,W3,W4,W7,W8 | W5]
// [--graph]. With --graph it runs W2 (and W5) only, as a captured graph, under the column "<backend>+graph".
import { W1_SIZES, W4_LENGTH, childArgs, emit, emitSamples, gflops, peakRssMiB, reportFailure, sample, timing, W2_TIMING } from "../lib/data.mjs";
import { countNodes, elementwiseWorkload, matmulWorkload, mlpWorkload, scalarWorkload, useBackend } from "./chainrule.mjs";
import { GPT, W7_TIMING, W8_TIMING } from "../lib/data.mjs";
import { gptGenerateWorkload, gptTrainWorkload } from "./gpt.mjs";

const args = childArgs();
const backend = args.backend ?? "cpu";
const system = { system: "chainrule", backend: args.graph ? `${backend}+graph` : backend };
if (args.graph) args.only = args.only.filter((w) => w === "W2" || w === "W5");

async function main() {
  const problem = await useBackend(backend);
  if (problem !== null) {
    emit({ ...system, skipped: problem });
    return;
  }
  if (args.only.includes("W5")) {
    // Peak memory of a process that ran W2: nothing else runs in this process.
    const mlp = mlpWorkload({ graph: args.graph });
    for (let i = 0; i < args.steps; i++) mlp.step();
    emit({ ...system, workload: "W5", value: peakRssMiB(), unit: "MiB", steps: args.steps });
    return;
  }
  if (args.only.includes("W1")) {
    for (const n of args.quick ? W1_SIZES.slice(0, 2) : W1_SIZES) {
      const run = matmulWorkload(n);
      const times = await sample(run, timing(args.quick, { warmup: 1, minReps: 3, maxReps: 30, budgetMs: 3000 }));
      emitSamples(system, `W1 N=${n}`, times, "GFLOP/s", (ms) => gflops(n, ms));
    }
  }
  if (args.only.includes("W2")) {
    const mlp = mlpWorkload({ graph: args.graph });
    const losses = [];
    const times = await sample(() => losses.push(mlp.step()), timing(args.quick, W2_TIMING));
    emitSamples(system, "W2", times, "ms", undefined, { note: `loss ${losses[0].toFixed(3)}→${losses.at(-1).toFixed(3)}` });
  }
  if (args.only.includes("W3") && backend === "cpu") {
    // The Value engine uses no tensor backend: measured once, in the cpu child.
    const scalar = scalarWorkload();
    const nodes = countNodes(scalar.run());
    const times = await sample(() => scalar.run(), timing(args.quick, { warmup: 10, minReps: 20, maxReps: 100, budgetMs: 3000 }));
    emitSamples(system, "W3", times, "ms", undefined, { note: `${nodes} nodes` });
  }
  if (args.only.includes("W7")) {
    const gpt = gptTrainWorkload();
    const losses = [];
    const times = await sample(() => losses.push(gpt.step()), timing(args.quick, W7_TIMING));
    emitSamples(system, "W7", times, "ms", undefined, { note: `loss ${losses[0].toFixed(3)}→${losses.at(-1).toFixed(3)}` });
  }
  if (args.only.includes("W8")) {
    // A smoke run generates a few tokens only (all of them re-read windows' worth of work would take minutes on cpu).
    const tokens = args.quick ? 20 : GPT.newTokens;
    const gen = gptGenerateWorkload(tokens);
    const times = await sample(() => gen.run(), timing(args.quick, W8_TIMING));
    emitSamples(system, "W8", times, "tokens/s", (ms) => tokens / (ms / 1000), { tokens });
  }
  if (args.only.includes("W4")) {
    const ew = elementwiseWorkload(W4_LENGTH);
    const times = await sample(() => ew.run(), timing(args.quick, { warmup: 3, minReps: 10, maxReps: 30, budgetMs: 4000 }));
    emitSamples(system, "W4", times, "ms");
  }
}

// Exit explicitly: a backend's worker pool must not keep a finished child alive.
main()
  .catch((e) => reportFailure(system, e))
  .finally(() => process.exit());
