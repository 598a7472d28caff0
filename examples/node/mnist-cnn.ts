// A small CNN on a slice of MNIST (the full set: drop the limits, and expect about 99% after a few epochs).
import * as cr from "chainrule";

cr.manualSeed(0);
const limit = Number(process.env.MNIST_LIMIT ?? 2000);
const train = cr.data.loadMnist({ split: "train", limit });
const test = cr.data.loadMnist({ split: "test", limit: Math.ceil(limit / 4) });
// [N, 784] pixels as [N, 1, 28, 28] images
const images = (x: cr.Tensor) => x.reshape([-1, 1, 28, 28]);

const model = new cr.nn.Sequential(
  new cr.nn.Conv2d(1, 8, 3, { padding: 1 }), new cr.nn.ReLU(), new cr.nn.MaxPool2d(2),   // 8 × 14 × 14
  new cr.nn.Conv2d(8, 16, 3, { padding: 1 }), new cr.nn.ReLU(), new cr.nn.MaxPool2d(2),  // 16 × 7 × 7
  new cr.nn.Flatten(), new cr.nn.Linear(16 * 7 * 7, 10),
);
const optimizer = new cr.optim.Adam(model.parameters(), { lr: 2e-3 });
const loader = new cr.data.DataLoader(new cr.data.TensorDataset(images(train.images), train.labels), { batchSize: 64, shuffle: true, seed: 0 });

const epochs = Number(process.env.EPOCHS ?? 2);
for (let epoch = 1; epoch <= epochs; epoch++) {
  const started = performance.now();
  const { loss, accuracy } = cr.train.trainEpoch(model, loader, cr.nn.functional.crossEntropy, optimizer);
  console.log(`epoch ${epoch}: loss ${loss.toFixed(3)}, train accuracy ${(accuracy * 100).toFixed(1)}% (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
const { accuracy } = cr.train.evaluate(model, images(test.images), test.labels, cr.nn.functional.crossEntropy);
console.log(`test accuracy: ${(accuracy * 100).toFixed(1)}%`);
if (accuracy < 0.7) throw new Error(`the CNN should learn MNIST, got ${accuracy}`);
