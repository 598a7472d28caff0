// `chainrule eval model.safetensors <dataset>`: the saved model's loss and accuracy on the dataset's test split.
import * as cr from "chainrule";
import { loadDataset } from "./datasets.js";
import { loadModelFile } from "./model-file.js";
import { lossFor, prepareInputs } from "./train.js";

export function runEval(modelPath: string, datasetName: string | undefined, opts: { target?: string; samples?: number }, print: (l: string) => void = (l) => console.log(l)): { loss: number; accuracy: number } {
  const m = loadModelFile(modelPath);
  const name = datasetName ?? m.dataset;
  const target = opts.target ?? m.target;
  // The same seed as training gives the same split, so the test samples were never trained on. A CSV
  // is read with the model's classes (a file holding only some of them keeps their indices) and columns.
  const d = loadDataset(name, {
    seed: m.seed,
    ...(target !== undefined ? { target } : {}),
    ...(opts.samples ? { samples: opts.samples } : {}),
    expect: { classNames: m.classes === 0 ? null : (m.classNames ?? Array.from({ length: m.classes }, (_, i) => String(i))), ...(m.features ? { features: m.features } : {}) },
  });
  const inputs = m.config.kind === "mlp" ? m.config.inputs : m.config.channels * m.config.height * m.config.width;
  if (d.inputs !== inputs) throw new cr.ArgumentError(`${name} has ${d.inputs} features but the model takes ${inputs}`);
  if ((d.classes === 0) !== (m.classes === 0)) {
    throw new cr.ArgumentError(`${name} is ${d.classes === 0 ? "a regression task" : `a classification task (${d.classes} classes)`} but the model is ${m.classes === 0 ? "a regression model" : `a classifier (${m.classes} classes)`}`);
  }
  if (d.classes > m.classes) throw new cr.ArgumentError(`${name} has ${d.classes} classes but the model predicts ${m.classes}`);
  const x = prepareInputs(d.xTest, m.mean, m.std, m.image, m.config);
  const metrics = cr.train.evaluate(m.model, x, d.yTest, lossFor(m.classes));
  const acc = m.classes > 0 ? `, accuracy ${(100 * metrics.accuracy).toFixed(2)}%` : "";
  print(`${name} test split (${d.xTest.shape[0]} samples): loss ${metrics.loss.toFixed(4)}${acc}`);
  return metrics;
}
