// Where a training step's time goes, kernel by kernel: times every Backend method the step calls (on the
// backend the step runs on), and the whole step with and without the timers.
//   node --conditions=chainrule-source --import tsx tools/step-profile.ts [w2|w4|cnn|w7] [wasm|cpu] [steps] [--shapes]
// w2 is the bench's W2 (MLP 784-256-256-10, batch 128, Adam); w4 is its W4 (sum(relu(x·w + b)) and backward,
// 10⁶ elements); cnn is the CLI's MNIST CNN on a random batch of 128; w7 is the bench's GPT training iteration.
// On wasm a kernel's time includes computing the pending (fused) expressions it reads. `--shapes` lists each
// kernel call by the shapes of its tensor operands (and its op or axes) instead of by method alone.
import * as cr from "chainrule";
import { wasmMemoryStats, warmUpWasm } from "../src/backend/wasm/index.js";
import { timeBackendMethods } from "./method-timer.js";
import { cnn } from "../src/models/index.js";
import { elementwiseWorkload, mlpWorkload } from "../bench/workloads/chainrule.mjs";
import { gptTrainWorkload } from "../bench/workloads/gpt.mjs";

const byShapes = process.argv.includes("--shapes");
const [workload = "w2", backendName = "wasm", stepsArg = "100"] = process.argv.slice(2).filter((a) => a !== "--shapes");
const steps = Number(stepsArg);
if (!["w2", "w4", "cnn", "w7"].includes(workload) || !["wasm", "cpu"].includes(backendName) || !(steps > 0)) {
  console.error("usage: tools/step-profile.ts [w2|w4|cnn|w7] [wasm|cpu] [steps]");
  process.exit(2);
}
if (backendName === "wasm") {
  warmUpWasm();
  for (let i = 0; i < 100 && wasmMemoryStats().workers === 0; i++) await new Promise((r) => setTimeout(r, 20));
}
cr.setBackend(backendName);

function cnnStep(): () => number {
  cr.manualSeed(1);
  const model = cnn({ channels: 1, height: 28, width: 28, outputs: 10 });
  const optimizer = new cr.optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = cr.keep(cr.randn([128, 1, 28, 28]));
  const y = cr.keep(cr.randint(0, 10, [128]));
  return () =>
    cr.tidy(() => {
      optimizer.zeroGrad();
      const loss = cr.nn.functional.crossEntropy(model.forward(x), y);
      loss.backward();
      optimizer.step();
      return loss.item();
    });
}
const step = workload === "w2" ? mlpWorkload().step : workload === "w4" ? elementwiseWorkload(1_000_000).run : workload === "w7" ? gptTrainWorkload().step : cnnStep();

const timer = timeBackendMethods(backendName, byShapes);

function timeSteps(): number {
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  return (performance.now() - t0) / steps;
}

for (let i = 0; i < Math.min(20, steps); i++) step();
const plain = timeSteps();
timer.on = true;
const timed = timeSteps();
timer.on = false;
let inKernels = 0;
console.log(`${workload} on ${backendName}, ${steps} steps: ${plain.toFixed(2)} ms a step (${timed.toFixed(2)} with the timers)`);
for (const [name, { ms, calls }] of [...timer.totals].sort((a, b) => b[1].ms - a[1].ms)) {
  inKernels += ms / steps;
  console.log(`  ${name.padEnd(byShapes ? 48 : 18)} ${(ms / steps).toFixed(3).padStart(8)} ms  ${(calls / steps).toFixed(1).padStart(5)} calls`);
}
console.log(`  ${"in kernels".padEnd(18)} ${inKernels.toFixed(3).padStart(8)} ms; the rest (${(timed - inKernels).toFixed(3)} ms) is JavaScript around them`);
process.exit(0);
