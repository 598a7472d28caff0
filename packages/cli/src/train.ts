// `chainrule train <dataset>`: trains an MLP or CNN with a progress bar per epoch, prints the
// per-epoch table and a terminal plot, and writes the model (safetensors) and an SVG plot (by default into runs/).
import * as cr from "chainrule";
import { resolve } from "node:path";
import { loadDataset } from "./datasets.js";
import type { PreparedData } from "./datasets.js";
import { defaultOutputPath } from "./output-dir.js";
import { prepareOutputs } from "./outputs.js";
import { epochBar, historyTable, sampledEpochs, terminalPlot, writePlot } from "./report.js";
import type { EpochRecord } from "./report.js";

export const OPTIMIZERS = ["sgd", "adam", "adamw", "rmsprop", "adagrad"] as const;
export const SCHEDULERS = ["none", "cosine", "onecycle", "step"] as const;
export type SchedulerName = (typeof SCHEDULERS)[number];
export type OptimizerName = (typeof OPTIMIZERS)[number];

export interface TrainOptions {
  model: "mlp" | "cnn";
  hidden?: number[];
  activation: cr.models.ActivationName;
  optimizer: OptimizerName;
  scheduler: SchedulerName;
  lr?: number;
  momentum: number;
  weightDecay: number;
  epochs?: number;
  batchSize?: number;
  seed: number;
  save?: string;
  plot?: string;
  target?: string;
  samples?: number;
  until?: number;
  progress: boolean;
  /** Replay each step from a graph captured once per batch shape (trainEpoch's `capture`). */
  capture: boolean;
  /** The backend to train on (its data prepared on the default one, then moved there). */
  backend?: string;
}

/** The most parameters `train` builds: 100 million float32s are 400 MB, and Adam keeps two more copies. */
export const MAX_PARAMETERS = 100_000_000;

/** Thrown when the loss stops being a finite number: the run has diverged and its weights are useless. */
export class TrainingDivergedError extends Error {
  override name = "TrainingDivergedError";
}

/** Shifts and scales inputs as the model file records, and shapes images for a CNN. */
export function prepareInputs(x: cr.Tensor, mean: number[], std: number[], image: [number, number, number] | undefined, cfg: cr.models.ModelConfig): cr.Tensor {
  const scaled = x.sub(cr.tensor(mean)).div(cr.tensor(std));
  return cfg.kind === "cnn" && image ? scaled.reshape([x.shape[0]!, ...image]) : scaled;
}

export function lossFor(classes: number): cr.train.LossFn {
  return classes > 0 ? (out, y) => cr.nn.functional.crossEntropy(out, y) : (out, y) => cr.nn.functional.mseLoss(out.squeeze(-1), y);
}

function modelConfig(d: PreparedData, o: TrainOptions): cr.models.ModelConfig {
  const outputs = d.classes > 0 ? d.classes : 1;
  if (o.model === "cnn") {
    if (!d.image) throw new cr.ArgumentError(`--model cnn needs image data (mnist); ${d.name} has ${d.inputs} features`);
    const [channels, height, width] = d.image;
    return { kind: "cnn", channels, height, width, outputs, activation: o.activation };
  }
  const hidden = o.hidden ?? (d.image ? [256, 128] : [16, 16]);
  const sizes = [d.inputs, ...hidden, outputs];
  const parameters = sizes.slice(1).reduce((n, out, i) => n + (sizes[i]! + 1) * out, 0);
  if (parameters > MAX_PARAMETERS) {
    throw new cr.ArgumentError(`--hidden ${hidden.join(",")} makes ${parameters.toLocaleString("en-US")} parameters, more than the ${MAX_PARAMETERS.toLocaleString("en-US")} this command trains`);
  }
  return { kind: "mlp", inputs: d.inputs, hidden, outputs, activation: o.activation };
}

function makeOptimizer(name: OptimizerName, params: cr.nn.Parameter[], o: TrainOptions): cr.optim.Optimizer {
  const weightDecay = o.weightDecay;
  switch (name) {
    case "sgd": return new cr.optim.SGD(params, { lr: o.lr ?? 0.1, momentum: o.momentum, weightDecay });
    case "adam": return new cr.optim.Adam(params, { lr: o.lr ?? 1e-3, weightDecay });
    case "adamw": return new cr.optim.AdamW(params, { lr: o.lr ?? 1e-3, weightDecay: o.weightDecay || 1e-2 });
    case "rmsprop": return new cr.optim.RMSprop(params, { lr: o.lr ?? 1e-2, momentum: o.momentum, weightDecay });
    case "adagrad": return new cr.optim.Adagrad(params, { lr: o.lr ?? 1e-2, weightDecay });
  }
}

// Learning-rate schedules stepped once per batch, over the whole run.
function makeScheduler(name: SchedulerName, optimizer: cr.optim.Optimizer, totalSteps: number): { step(): void } | null {
  switch (name) {
    case "none": return null;
    case "cosine": return new cr.optim.CosineAnnealingLR(optimizer, totalSteps);
    case "onecycle": return new cr.optim.OneCycleLR(optimizer, { maxLr: optimizer.paramGroups[0]!.lr, totalSteps });
    case "step": return new cr.optim.StepLR(optimizer, Math.max(1, Math.floor(totalSteps / 3)), { gamma: 0.1 });
  }
}

/** The metadata that lets `eval` and `predict` rebuild the model and its input scaling. */
export function modelMetadata(d: PreparedData, cfg: cr.models.ModelConfig, seed: number): Record<string, string> {
  return {
    format: "pt",
    "chainrule.model": JSON.stringify(cfg),
    "chainrule.dataset": d.name,
    "chainrule.seed": String(seed),
    "chainrule.mean": JSON.stringify(d.mean),
    "chainrule.std": JSON.stringify(d.std),
    "chainrule.classes": String(d.classes),
    ...(d.image ? { "chainrule.image": JSON.stringify(d.image) } : {}),
    ...(d.classNames ? { "chainrule.classNames": JSON.stringify(d.classNames) } : {}),
    ...(d.features ? { "chainrule.features": JSON.stringify(d.features), "chainrule.target": d.target! } : {}),
  };
}

/** The one-line account of a diverged run, with what to try. */
function divergence(what: string, loss: number, epoch: number, where: string, o: TrainOptions, lr: number): string {
  const first = epoch === 1 && where === "step 1";
  const hint = first
    ? "the data or the initial weights already give it: look for extreme values in the data"
    : `lower the learning rate (--lr, now ${lr})${o.momentum > 0 ? ` or the momentum (--momentum, now ${o.momentum})` : ""}, or clip gradients (cr.nn.utils.clipGradNorm_ in a loop of your own)`;
  return `training diverged: the ${what} became ${loss} at epoch ${epoch}, ${where}; nothing was saved. To fix it, ${hint}`;
}

/** Everything a run needs once the data, model and output paths are settled. */
interface Run {
  d: PreparedData;
  cfg: cr.models.ModelConfig;
  model: cr.nn.Sequential;
  optimizer: cr.optim.Optimizer;
  loader: cr.data.DataLoader<[cr.Tensor, cr.Tensor]>;
  scheduler: { step(): void } | null;
  xTest: cr.Tensor;
  epochs: number;
  modelPath: string;
  plotPath: string;
}

// The data's tensors on `backend`.
function moved(d: PreparedData, backend: string): Pick<PreparedData, "xTrain" | "yTrain" | "xTest" | "yTest"> {
  return { xTrain: d.xTrain.to(backend), yTrain: d.yTrain.to(backend), xTest: d.xTest.to(backend), yTest: d.yTest.to(backend) };
}

/** Runs the whole training job; `print` receives everything meant for the terminal. */
export async function runTrain(datasetName: string, o: TrainOptions, print: (line: string) => void = (l) => console.log(l)): Promise<EpochRecord[]> {
  cr.manualSeed(o.seed);
  const prepared = loadDataset(datasetName, { seed: o.seed, ...(o.target ? { target: o.target } : {}), ...(o.samples ? { samples: o.samples } : {}) });
  if (o.backend !== undefined) cr.setBackend(o.backend);
  const d = o.backend === undefined ? prepared : { ...prepared, ...moved(prepared, o.backend) };
  const cfg = modelConfig(d, o);
  const base = `chainrule-${d.name.replace(/\.csv$/i, "").replace(/[^A-Za-z0-9_-]+/g, "_")}-${cfg.kind}`;
  const modelPath = resolve(o.save ?? defaultOutputPath(`${base}.safetensors`));
  const plotPath = resolve(o.plot ?? modelPath.replace(/\.safetensors$/i, "") + ".svg");
  // Checked before a minute is spent training; the folders made for them are removed if the run fails.
  const outputs = prepareOutputs([modelPath, plotPath]);
  try {
    const model = cr.models.build(cfg);
    const xTrain = prepareInputs(d.xTrain, d.mean, d.std, d.image, cfg);
    const xTest = prepareInputs(d.xTest, d.mean, d.std, d.image, cfg);
    const nParams = model.parameters().reduce((n, p) => n + p.numel(), 0);
    const epochs = o.epochs ?? (d.image ? 4 : 100);
    const batchSize = o.batchSize ?? (d.image ? 128 : 32);
    const optimizer = makeOptimizer(o.optimizer, model.parameters(), o);
    const loader = new cr.data.DataLoader(new cr.data.TensorDataset(xTrain, d.yTrain), { batchSize, shuffle: true, seed: o.seed });
    const scheduler = makeScheduler(o.scheduler, optimizer, epochs * loader.length);
    const what = d.classes > 0 ? `${d.classes} classes` : "regression";
    print(`dataset ${d.name}: ${d.xTrain.shape[0]} training and ${d.xTest.shape[0]} test samples, ${d.inputs} features, ${what}`);
    print(`model ${cfg.kind} (${cfg.kind === "mlp" ? [cfg.inputs, ...cfg.hidden, cfg.outputs].join("-") : "conv16-conv32-128"}, ${cfg.activation}), ${nParams.toLocaleString("en-US")} parameters; ${o.optimizer} with ${o.scheduler === "none" ? "a constant learning rate" : `${o.scheduler} schedule`}, batch ${batchSize}, ${epochs} epochs, seed ${o.seed}`);
    return await trainAndSave({ d, cfg, model, optimizer, loader, scheduler, xTest, epochs, modelPath, plotPath }, o, print);
  } catch (e) {
    outputs.undo();
    throw e;
  }
}

// The loader's batches with the schedule stepped after each step (the asynchronous loop reports losses late).
function* withSchedule(batches: Iterator<cr.Tensor[]>, scheduler: { step(): void } | null): Generator<cr.Tensor[]> {
  let first = true;
  for (let next = batches.next(); next.done !== true; next = batches.next()) {
    if (!first) scheduler?.step();
    first = false;
    yield next.value;
  }
  if (!first) scheduler?.step();
}

async function trainAndSave(run: Run, o: TrainOptions, print: (line: string) => void): Promise<EpochRecord[]> {
  const { d, cfg, model, optimizer, loader, scheduler, xTest, epochs } = run;
  const lossFn = lossFor(d.classes);
  const history: EpochRecord[] = [];
  const shown = sampledEpochs(epochs, 20);
  const started = performance.now();
  const lr = optimizer.paramGroups[0]!.lr; // before the schedule changes it: the value --lr gave
  const diverged = (what: string, loss: number, epoch: number, where: string) => new TrainingDivergedError(divergence(what, loss, epoch, where, o, lr));
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const t0 = performance.now();
    const bar = epochBar(epoch, epochs, loader.length, o.progress);
    let samples = 0;
    let train: cr.train.Metrics;
    // A backend that reads only asynchronously (webgpu) runs the asynchronous loop: losses read a few steps late.
    const sync = xTest.readsSynchronously;
    try {
      const onBatch = (batch: number, loss: number, size: number) => {
        // Stop at the first step whose loss is not a number: every step after it only spreads NaN.
        if (!Number.isFinite(loss)) throw diverged("loss", loss, epoch, `step ${batch} of ${loader.length}`);
        samples += size;
        if (sync) scheduler?.step();
        bar.update(batch, samples / ((performance.now() - t0) / 1000), loss);
      };
      train = sync
        ? cr.train.trainEpoch(model, loader, lossFn, optimizer, onBatch, { capture: o.capture })
        : await cr.train.trainEpochAsync(model, { [Symbol.iterator]: () => withSchedule(loader[Symbol.iterator](), scheduler) }, lossFn, optimizer, onBatch);
    } finally {
      bar.stop();
    }
    const test = sync ? cr.train.evaluate(model, xTest, d.yTest, lossFn) : await cr.train.evaluateAsync(model, xTest, d.yTest, lossFn);
    if (!Number.isFinite(test.loss)) throw diverged("test loss", test.loss, epoch, "after its last step");
    const record: EpochRecord = {
      epoch, trainLoss: train.loss, trainAccuracy: train.accuracy, testLoss: test.loss, testAccuracy: test.accuracy,
      seconds: (performance.now() - t0) / 1000,
    };
    history.push(record);
    const acc = d.classes > 0 ? `, train accuracy ${(100 * train.accuracy).toFixed(2)}%, test accuracy ${(100 * test.accuracy).toFixed(2)}%` : "";
    if (shown(epoch)) print(`epoch ${epoch}/${epochs}: train loss ${train.loss.toFixed(4)}, test loss ${test.loss.toFixed(4)}${acc} (${record.seconds.toFixed(1)}s)`);
    if (o.until !== undefined && test.accuracy >= o.until) {
      print(`reached test accuracy ${(100 * test.accuracy).toFixed(2)}% >= ${(100 * o.until).toFixed(2)}%: stopping`);
      break;
    }
  }
  const total = (performance.now() - started) / 1000;
  // The model first: nothing printed or drawn after training may cost the trained weights (read from a GPU first).
  if (!xTest.readsSynchronously) await model.toAsync("cpu");
  cr.safetensors.save(model.stateDict(), run.modelPath, modelMetadata(d, cfg, o.seed));
  print("");
  print(historyTable(history, d.classes === 0));
  const chart = terminalPlot(history, o.progress);
  if (chart) print(chart);
  await writePlot(history, run.plotPath, `${d.name}: ${cfg.kind}, ${o.optimizer}`, d.classes === 0);
  const last = history[history.length - 1]!;
  const final = d.classes > 0 ? `final test accuracy ${(100 * last.testAccuracy).toFixed(2)}%` : `final test loss ${last.testLoss.toFixed(4)}`;
  print(`\n${final} after ${history.length} epochs in ${total.toFixed(1)}s`);
  print(`model written to ${run.modelPath}`);
  print(`plot written to ${run.plotPath}`);
  return history;
}
