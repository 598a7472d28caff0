// Child for --mnist: trains MLP 784-256-256-10 with Adam 1e-3, batch 128 on one chainrule backend until 97.5% test accuracy.
import { performance } from "node:perf_hooks";
import * as cr from "chainrule";
import { emit, reportFailure } from "../lib/data.mjs";
import { useBackend } from "./chainrule.mjs";

const argv = process.argv.slice(2);
const backend = argv[argv.indexOf("--backend") + 1] ?? "cpu";
const maxEpochs = Number(argv.includes("--epochs") ? argv[argv.indexOf("--epochs") + 1] : 10);
const system = { system: "chainrule", backend };
const TARGET = 0.975;

async function main() {
  const problem = await useBackend(backend);
  if (problem !== null) return emit({ ...system, skipped: problem });
  const t0 = performance.now();
  cr.manualSeed(0);
  // The usual MNIST normalisation, the same as torch_bench.py and chainrule's CLI.
  const normalise = (x) => x.sub(0.1307).div(0.3081);
  const { train, test } = cr.data.mnist();
  const xTrain = normalise(train.images), xTest = normalise(test.images);
  const model = new cr.nn.Sequential(
    new cr.nn.Linear(784, 256), new cr.nn.ReLU(), new cr.nn.Linear(256, 256), new cr.nn.ReLU(), new cr.nn.Linear(256, 10),
  );
  const optimizer = new cr.optim.Adam(model.parameters(), { lr: 1e-3 });
  const loader = new cr.data.DataLoader(new cr.data.TensorDataset(xTrain, train.labels), { batchSize: 128, shuffle: true, seed: 0 });
  let accuracy = 0, epochs = 0;
  while (epochs < maxEpochs && accuracy < TARGET) {
    epochs++;
    // A scope per step, as the README and the CLI's trainEpoch write a loop (and W2 does): without one, a
    // synchronous loop fills the wasm heap by step ~100 and runs the rest on tensors in JavaScript memory.
    for (const [x, y] of loader) cr.tidy(() => {
      optimizer.zeroGrad();
      cr.nn.functional.crossEntropy(model.forward(x), y).backward();
      optimizer.step();
    });
    accuracy = cr.noGrad(() => model.forward(xTest).argmax(1).eq(test.labels).float().mean().item());
  }
  emit({ ...system, workload: "MNIST", value: (performance.now() - t0) / 1000, unit: "s", accuracy, epochs });
}

main()
  .catch((e) => reportFailure(system, e))
  .finally(() => process.exit());
