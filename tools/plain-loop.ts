// The PyTorch-style training loop, written as a PyTorch user writes it (no scope, no dispose), beside the same loop
// inside a scope: memory and time per step. Issue 22's measure of "memory is the library's job".
//   node --conditions=chainrule-source --import tsx tools/plain-loop.ts [steps=10000] [backend=wasm] [plain|scoped|both|plain,scoped,…] [mlp|gpt]
// Prints RSS, live tensors and the backends' tensor memory every tenth of the run, and ms per step.
import * as cr from "chainrule";

const steps = Number(process.argv[2] ?? 10_000);
const backend = process.argv[3] ?? "wasm";
const modes = (process.argv[4] ?? "both") === "both" ? ["scoped", "plain"] : process.argv[4]!.split(",");
const workload = process.argv[5] ?? "mlp";
cr.setBackend(backend);
if (process.env.THREADS !== undefined) cr.backends.wasm.setThreads(Number(process.env.THREADS));

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

function makeStep(): () => cr.Tensor {
  cr.manualSeed(0);
  if (workload === "gpt") {
    const model = new cr.models.GPT({ vocabSize: 83, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128, dropout: 0, bias: true });
    const opt = new cr.optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.1 });
    const idx = cr.randint(0, 83, [12, 64]), targets = cr.randint(0, 83, [12, 64]);
    return () => {
      opt.zeroGrad();
      const [, loss] = model.forward(idx, targets);
      loss!.backward();
      cr.nn.utils.clipGradNorm_(model.parameters(), 1);
      opt.step();
      return loss!;
    };
  }
  // The MLP: 20-64-64-3, batch 32, Adam.
  const model = new cr.nn.Sequential(new cr.nn.Linear(20, 64), new cr.nn.ReLU(), new cr.nn.Linear(64, 64), new cr.nn.ReLU(), new cr.nn.Linear(64, 3));
  const opt = new cr.optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = cr.randn([32, 20]), y = cr.randint(0, 3, [32]);
  return () => {
    opt.zeroGrad();
    const loss = cr.nn.functional.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    return loss;
  };
}

for (const mode of modes) {
  const step = makeStep();
  const every = Math.max(1, Math.floor(steps / 10));
  console.log(`${backend} ${workload} ${mode}: ${steps} steps`);
  console.log("   step  ms/step   rss MB  heap MB  wasm MB  live tensors  backend tensor MB  collections (ms)");
  let t0 = performance.now();
  let rssAt1000 = 0;
  const total0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 1; i <= steps; i++) {
    if (mode === "scoped") cr.tidy(() => void step());
    else step();
    if (i === 1000) rssAt1000 = process.memoryUsage().rss;
    if (i % every === 0) {
      const m = process.memoryUsage(), mem = cr.memory();
      console.log(`${String(i).padStart(7)} ${((performance.now() - t0) / every).toFixed(3).padStart(8)} ${mb(m.rss).padStart(8)} ${mb(m.heapUsed).padStart(8)} ${mb(mem.backends.wasm?.heapBytes ?? 0).padStart(8)} ${String(mem.numTensors).padStart(13)} ${mb(mem.tensorBytes).padStart(18)}  ${mem.reclaim.collections} (${mem.reclaim.collectMs.toFixed(0)})`);
      t0 = performance.now();
    }
  }
  const end = process.memoryUsage().rss;
  const cpu = process.cpuUsage(cpu0);
  console.log(`${mode}: ${((performance.now() - total0) / steps).toFixed(3)} ms/step overall (CPU ${((cpu.user + cpu.system) / 1000 / steps).toFixed(3)} ms/step); RSS ${mb(rssAt1000)} MB at step 1000, ${mb(end)} MB at the end (+${mb(end - rssAt1000)})\n`);
}
