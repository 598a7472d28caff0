// Trains the MNIST MLP (784-256-128-10, Adam, batch 128) for 10,000 real steps and prints memory at intervals,
// to show it stays flat: `node --conditions=chainrule-source --import tsx tools/wasm-soak.ts [steps] [backend]`.
import * as cr from "chainrule";
import { wasmMemoryStats } from "../src/backend/wasm/index.js";

const steps = Number(process.argv[2] ?? 10_000);
const backend = process.argv[3] ?? "wasm";
const every = Math.max(1, Math.floor(steps / 10));
const batch = 128;

cr.setBackend(backend);
cr.manualSeed(0);
const { images, labels } = cr.data.loadMnist({ split: "train" });
const n = images.shape[0]!;
const model = new cr.nn.Sequential(
  new cr.nn.Linear(784, 256), new cr.nn.ReLU(), new cr.nn.Linear(256, 128), new cr.nn.ReLU(), new cr.nn.Linear(128, 10),
);
const opt = new cr.optim.Adam(model.parameters(), { lr: 1e-3 });

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1).padStart(7);
console.log(`backend ${backend}, ${steps} steps of batch ${batch}`);
console.log("   step    loss  ms/step   rss MB  heap MB  arrays MB  wasm heap MB  wasm in use");
let t0 = performance.now();
for (let step = 1; step <= steps; step++) {
  // Contiguous batches, wrapping around the training set (shuffling is beside the point here).
  const start = ((step - 1) * batch) % (n - batch);
  const x = images.narrow(0, start, batch);
  const y = labels.narrow(0, start, batch);
  opt.zeroGrad();
  const loss = cr.nn.functional.crossEntropy(model.forward(x), y);
  loss.backward();
  opt.step();
  if (step % every === 0 || step === 1) {
    const ms = (performance.now() - t0) / (step === 1 ? 1 : every);
    const m = process.memoryUsage();
    const w = wasmMemoryStats();
    console.log(
      `${String(step).padStart(7)} ${loss.item().toFixed(4).padStart(7)} ${ms.toFixed(2).padStart(8)} ${mb(m.rss)}  ${mb(m.heapUsed)}    ${mb(m.arrayBuffers)}       ${mb(w.heapBytes)}  ${String(w.bytesInUse).padStart(11)}`,
    );
    t0 = performance.now();
  }
}
