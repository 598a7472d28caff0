// Trains a small classifier on two interleaving half circles, reports its accuracy, and saves its weights.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cr from "chainrule";

cr.manualSeed(0);
const train = cr.data.moons(800, { noise: 0.15, seed: 1 });
const test = cr.data.moons(200, { noise: 0.15, seed: 2 });

const model = new cr.nn.Sequential(
  new cr.nn.Linear(2, 32), new cr.nn.ReLU(),
  new cr.nn.Linear(32, 32), new cr.nn.ReLU(),
  new cr.nn.Linear(32, 2),
);
const optimizer = new cr.optim.Adam(model.parameters(), { lr: 0.01 });
const loader = new cr.data.DataLoader(new cr.data.TensorDataset(train.x, train.y), { batchSize: 64, shuffle: true, seed: 0 });

for (let epoch = 1; epoch <= 30; epoch++) {
  const { loss } = cr.train.trainEpoch(model, loader, cr.nn.functional.crossEntropy, optimizer);
  if (epoch % 10 === 0) console.log(`epoch ${epoch}: loss ${loss.toFixed(4)}`);
}

const { accuracy } = cr.train.evaluate(model, test.x, test.y, cr.nn.functional.crossEntropy);
console.log(`test accuracy: ${(accuracy * 100).toFixed(1)}%`);
if (accuracy < 0.9) throw new Error(`the moons should be separated, got ${accuracy}`);

const file = join(process.argv[2] ?? mkdtempSync(join(tmpdir(), "moons-")), "moons.safetensors");
cr.safetensors.save(model.stateDict(), file);
console.log(`saved ${file}`);
