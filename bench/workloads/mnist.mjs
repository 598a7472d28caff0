// Child for --mnist: trains MLP 784-256-256-10 with Adam 1e-3, batch 128 on one chainrule backend until 97.5% test accuracy.
// With --graph each batch shape's step is captured once (cr.captureGraph) and replayed.
import { performance } from "node:perf_hooks";
import * as cr from "chainrule";
import { emit, reportFailure } from "../lib/data.mjs";
import { useBackend } from "./chainrule.mjs";

const argv = process.argv.slice(2);
const backend = argv[argv.indexOf("--backend") + 1] ?? "cpu";
const maxEpochs = Number(argv.includes("--epochs") ? argv[argv.indexOf("--epochs") + 1] : 10);
const graph = argv.includes("--graph");
const system = { system: "chainrule", backend: graph ? `${backend}+graph` : backend };
const TARGET = 0.975;

async function main() {
  const problem = await useBackend(backend);
  if (problem !== null) return emit({ ...system, skipped: problem });
  const t0 = performance.now();
  cr.manualSeed(0);
  // The usual MNIST normalisation, the same as torch_bench.py and chainrule's CLI.
  const normalise = (x) => x.sub(0.1307).div(0.3081);
  const { train, test } = cr.data.mnist();
  // In scopes, and the raw images freed: three copies of the training set (188 MB each) would pass the wasm heap's
  // 512 MiB for tensors, and the batches after them would land in JavaScript memory.
  const [xTrain, xTest] = [train.images, test.images].map((images) => {
    const x = cr.tidy(() => normalise(images));
    images.dispose();
    return x;
  });
  const model = new cr.nn.Sequential(
    new cr.nn.Linear(784, 256), new cr.nn.ReLU(), new cr.nn.Linear(256, 256), new cr.nn.ReLU(), new cr.nn.Linear(256, 10),
  );
  const optimizer = new cr.optim.Adam(model.parameters(), { lr: 1e-3 });
  const loader = new cr.data.DataLoader(new cr.data.TensorDataset(xTrain, train.labels), { batchSize: 128, shuffle: true, seed: 0 });
  const body = (x, y) => {
    optimizer.zeroGrad();
    cr.nn.functional.crossEntropy(model.forward(x), y).backward();
    optimizer.step();
  };
  // Captured: one graph per batch shape (the last batch is smaller), reading inputs the batches are copied into.
  const graphs = new Map();
  const step = !graph ? body : (x, y) => {
    const entry = graphs.get(x.shape[0]);
    if (entry === undefined) {
      const xs = cr.keep(x.clone()), ys = cr.keep(y.clone());
      graphs.set(x.shape[0], { xs, ys, replay: cr.captureGraph(() => body(xs, ys)) });
      return;
    }
    cr.noGrad(() => {
      entry.xs.copy_(x);
      entry.ys.copy_(y);
    });
    entry.replay.replay();
  };
  let accuracy = 0, epochs = 0;
  while (epochs < maxEpochs && accuracy < TARGET) {
    epochs++;
    // A scope per step that also holds the batch, as cr.train.trainEpoch does: without one, a synchronous loop
    // fills the wasm heap by step ~100 and runs the rest on tensors in JavaScript memory.
    const batches = loader[Symbol.iterator]();
    for (let done = false; !done; ) {
      done = cr.tidy(() => {
        const next = batches.next();
        if (!next.done) step(...next.value);
        return next.done === true;
      });
    }
    accuracy = cr.noGrad(() => model.forward(xTest).argmax(1).eq(test.labels).float().mean().item());
  }
  emit({ ...system, workload: "MNIST", value: (performance.now() - t0) / 1000, unit: "s", accuracy, epochs });
}

main()
  .catch((e) => reportFailure(system, e))
  .finally(() => process.exit());
