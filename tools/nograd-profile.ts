// Where the lesson's GPT forward (with its loss) spends its time with the graph and under noGrad, kernel by kernel:
// times every Backend method the forward calls, per mode, and the forward with and without the timers.
//   node --conditions=chainrule-source --import tsx tools/nograd-profile.ts [wasm|cpu] [passes] [--shapes]
// On wasm a kernel's time includes computing the pending (fused) expressions it reads.
import * as cr from "chainrule";
import { wasmMemoryStats, warmUpWasm } from "../src/backend/wasm/index.js";
import { timeBackendMethods } from "./method-timer.js";

const byShapes = process.argv.includes("--shapes");
const [backendName = "wasm", passesArg = "30"] = process.argv.slice(2).filter((a) => a !== "--shapes");
const passes = Number(passesArg);
if (backendName === "wasm") {
  warmUpWasm();
  for (let i = 0; i < 100 && wasmMemoryStats().workers === 0; i++) await new Promise((r) => setTimeout(r, 20));
}
cr.setBackend(backendName);
if (process.env.THREADS !== undefined) cr.setNumThreads(Number(process.env.THREADS));
cr.manualSeed(0);
const model = new cr.models.GPT({ vocabSize: 83, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128 });
const x = cr.keep(cr.randint(0, 83, [12, 64], { dtype: "int32" }));
const y = cr.keep(cr.randint(0, 83, [12, 64], { dtype: "int32" }));
const forward = (): number => cr.tidy(() => model.forward(x, y)[1]!.item());

const timer = timeBackendMethods(backendName, byShapes);

function timePasses(off: boolean): number {
  const t0 = performance.now();
  for (let i = 0; i < passes; i++) {
    if (off) cr.noGrad(forward);
    else forward();
  }
  return (performance.now() - t0) / passes;
}

for (const off of [false, true]) {
  for (let i = 0; i < 5; i++) timePasses(off);
  const plain = timePasses(off);
  timer.totals = new Map();
  timer.on = true;
  const timed = timePasses(off);
  timer.on = false;
  let inKernels = 0;
  console.log(`${off ? "noGrad" : "with grad"} on ${backendName}, ${passes} passes: ${plain.toFixed(2)} ms a forward (${timed.toFixed(2)} with the timers)`);
  for (const [name, { ms, calls }] of [...timer.totals].sort((a, b) => b[1].ms - a[1].ms)) {
    inKernels += ms / passes;
    console.log(`  ${name.padEnd(byShapes ? 56 : 18)} ${(ms / passes).toFixed(3).padStart(8)} ms  ${(calls / passes).toFixed(1).padStart(5)} calls`);
  }
  console.log(`  ${"in kernels".padEnd(18)} ${inKernels.toFixed(3).padStart(8)} ms; the rest (${(timed - inKernels).toFixed(3)} ms) is JavaScript around them`);
}
process.exit(0);
