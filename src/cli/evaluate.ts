// `chainrule eval model.safetensors <dataset>`: the saved model's loss and accuracy on the dataset's test split.
import * as cr from "../index.js";
import { loadDataset } from "./datasets.js";
import { loadModelFile } from "./model-file.js";
import { lossFor, prepareInputs } from "./train.js";

export function runEval(modelPath: string, datasetName: string | undefined, opts: { target?: string; samples?: number }, print: (l: string) => void = (l) => console.log(l)): { loss: number; accuracy: number } {
  const m = loadModelFile(modelPath);
  const name = datasetName ?? m.dataset;
  // The same seed as training gives the same split, so the test samples were never trained on.
  const d = loadDataset(name, { seed: m.seed, ...(opts.target ? { target: opts.target } : {}), ...(opts.samples ? { samples: opts.samples } : {}) });
  const x = prepareInputs(d.xTest, m.mean, m.std, m.image, m.config);
  const metrics = cr.train.evaluate(m.model, x, d.yTest, lossFor(m.classes));
  const acc = m.classes > 0 ? `, accuracy ${(100 * metrics.accuracy).toFixed(2)}%` : "";
  print(`${name} test split (${d.xTest.shape[0]} samples): loss ${metrics.loss.toFixed(4)}${acc}`);
  return metrics;
}
