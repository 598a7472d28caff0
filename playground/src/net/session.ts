// One training run of the Network lab: the model, optimizer and data, a step per batch, and gradient
// health from `cr.diagnostics.watch` (per-layer gradient norms, dead ReLUs, flags with the lesson's remedies).
import * as cr from "chainrule";
import type { NetConfig } from "./config.js";
import { makeData, type LabData } from "./data.js";
import { mulberry32 } from "./random.js";
import { GpuTrainer } from "./gpu.js";

export interface LayerHealth {
  name: string;
  /** L2 norm of the layer's parameter gradients (weight and bias) in the last step. */
  gradNorm: number;
  /**
   * The ReLU after this layer, by its path in the model as cr.diagnostics' flags name it ("1"), and the fraction of
   * its units that output 0 for every sample of the last batch: the number the dead-units flag judges. Null: no ReLU after it.
   */
  dead: { layer: string; fraction: number } | null;
}

export interface Metrics {
  step: number;
  trainLoss: number;
  testLoss: number;
}

function activation(name: NetConfig["activation"]): cr.nn.TensorModule {
  switch (name) {
    case "relu": return new cr.nn.ReLU();
    case "tanh": return new cr.nn.Tanh();
    case "sigmoid": return new cr.nn.Sigmoid();
    case "leakyrelu": return new cr.nn.LeakyReLU();
  }
}

function makeOptimizer(c: NetConfig, params: cr.nn.Parameter[]): cr.optim.Optimizer {
  switch (c.optimizer) {
    case "sgd": return new cr.optim.SGD(params, { lr: c.lr });
    case "adam": return new cr.optim.Adam(params, { lr: c.lr });
    case "rmsprop": return new cr.optim.RMSprop(params, { lr: c.lr });
  }
}

export class Session {
  readonly data: LabData;
  readonly model: cr.nn.Sequential;
  readonly history: Metrics[] = [];
  health: LayerHealth[] = [];
  /** Problems `cr.diagnostics` found in the last step: vanishing, exploding, dead units. */
  flags: cr.diagnostics.Flag[] = [];
  step = 0;
  /** cr.diagnostics flags a layer as dead when more than this fraction of its units are. */
  readonly deadThreshold: number;
  private readonly layers: cr.nn.TensorModule[];
  private readonly linears: cr.nn.Linear[] = [];
  private readonly watch: cr.diagnostics.GradientWatch;
  private readonly optimizer: cr.optim.Optimizer;
  private readonly random: () => number;
  /** A fresh model of this session's architecture (for the GPU's copy). */
  private readonly build: () => cr.nn.Sequential;
  /** Where the steps run when not here: a copy of the model on WebGPU (useGpu). */
  gpu: GpuTrainer | null = null;
  private lastBatch: Int32Array | null = null;

  constructor(readonly config: NetConfig) {
    cr.manualSeed(config.seed);
    this.random = mulberry32(config.seed);
    this.data = makeData(config);
    const sizes = [2, ...config.hidden, this.data.classes];
    this.layers = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      const lin = new cr.nn.Linear(sizes[i] as number, sizes[i + 1] as number);
      this.linears.push(lin);
      this.layers.push(lin);
      if (i + 2 < sizes.length) {
        this.layers.push(activation(config.activation));
        if (config.dropout > 0) this.layers.push(new cr.nn.Dropout(config.dropout));
      }
    }
    this.model = new cr.nn.Sequential(...this.layers);
    this.build = () => {
      const layers: cr.nn.TensorModule[] = [];
      for (let i = 0; i + 1 < sizes.length; i++) {
        layers.push(new cr.nn.Linear(sizes[i] as number, sizes[i + 1] as number));
        if (i + 2 < sizes.length) {
          layers.push(activation(config.activation));
          if (config.dropout > 0) layers.push(new cr.nn.Dropout(config.dropout));
        }
      }
      return new cr.nn.Sequential(...layers);
    };
    this.optimizer = makeOptimizer(config, this.model.parameters());
    this.watch = cr.diagnostics.watch(this.model);
    this.deadThreshold = this.watch.thresholds.dead;
    this.record();
  }

  private penalty(): cr.Tensor | null {
    const { reg, regRate } = this.config;
    if (reg === "none" || regRate === 0) return null;
    let total: cr.Tensor | null = null;
    for (const lin of this.linears) {
      const w = lin.weight;
      const term = reg === "l1" ? w.abs().sum() : w.square().sum();
      total = total === null ? term : total.add(term);
    }
    return total?.mul(regRate) ?? null;
  }

  /** Trains on WebGPU from now on (GpuTrainer): the steps run on a copy of the model there; `syncFromGpu` reads it back. */
  useGpu(): void {
    this.gpu ??= new GpuTrainer(this.model, this.build, (params) => makeOptimizer(this.config, params), this.data.xTrain, this.data.yTrain);
  }

  /**
   * After steps on the GPU: its weights into this model, and the health of the last batch's gradient at them (the
   * lab draws, scores and diagnoses this model).
   */
  async syncFromGpu(): Promise<void> {
    if (this.gpu === null || this.lastBatch === null) return;
    await this.gpu.copyInto(this.model);
    const idx = this.lastBatch;
    cr.tidy(() => {
      const at = cr.tensor(idx);
      this.model.train();
      this.optimizer.zeroGrad();
      let loss = cr.nn.functional.crossEntropy(this.model.forward(this.data.xTrain.indexSelect(0, at)), this.data.yTrain.indexSelect(0, at));
      const pen = this.penalty();
      if (pen !== null) loss = loss.add(pen);
      loss.backward();
      this.health = healthOf(this.watch.record());
      this.flags = this.watch.report().flags;
    });
  }

  /** One optimizer step on a random batch, in a scope: the step's tensors are freed when it ends. */
  trainStep(): void {
    const n = this.data.yTrain.shape[0] ?? 0;
    if (n === 0) return;
    if (this.gpu !== null) {
      const idx = Int32Array.from({ length: Math.min(this.config.batch, n) }, () => Math.floor(this.random() * n));
      const { reg, regRate } = this.config;
      this.gpu.trainStep(idx, (weights) => (reg === "none" || regRate === 0 ? null : weights.map((w) => (reg === "l1" ? w.abs().sum() : w.square().sum())).reduce((a, b) => a.add(b)).mul(regRate)));
      this.lastBatch = idx;
      this.step++;
      return;
    }
    cr.tidy(() => {
      const size = Math.min(this.config.batch, n);
      const idx = cr.tensor(Int32Array.from({ length: size }, () => Math.floor(this.random() * n)));
      const xb = this.data.xTrain.indexSelect(0, idx);
      const yb = this.data.yTrain.indexSelect(0, idx);
      this.model.train();
      this.optimizer.zeroGrad();
      let loss = cr.nn.functional.crossEntropy(this.model.forward(xb), yb);
      const pen = this.penalty();
      if (pen !== null) loss = loss.add(pen);
      loss.backward();
      this.optimizer.step();
      // After the step and before the next zeroGrad: the gradients the step used, as watch() asks.
      this.health = healthOf(this.watch.record());
      this.flags = this.watch.report().flags;
    });
    this.step++;
  }

  /** Mean cross-entropy on a whole split, in eval mode and without recording a graph. */
  private lossOn(x: cr.Tensor, y: cr.Tensor): number {
    if ((y.shape[0] ?? 0) === 0) return NaN;
    this.model.eval();
    const v = cr.noGrad(() => cr.nn.functional.crossEntropy(this.model.forward(x), y).item());
    this.model.train();
    return v;
  }

  record(): void {
    this.history.push({ step: this.step, trainLoss: this.lossOn(this.data.xTrain, this.data.yTrain), testLoss: this.lossOn(this.data.xTest, this.data.yTest) });
  }

  /** Class probabilities on a `size`×`size` grid over the plot window, row by row from the top. */
  predictGrid(size: number): { probs: Float32Array | Float64Array; classes: number } {
    const [x0, x1, y0, y1] = this.data.bounds;
    const xs = new Float32Array(size * size * 2);
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const k = 2 * (r * size + c);
        xs[k] = x0 + ((c + 0.5) / size) * (x1 - x0);
        xs[k + 1] = y1 - ((r + 0.5) / size) * (y1 - y0);
      }
    }
    this.model.eval();
    const probs = cr.noGrad(() => cr.softmax(this.model.forward(cr.tensor(xs).reshape([size * size, 2])), 1).toTypedArray());
    this.model.train();
    return { probs: probs as Float32Array | Float64Array, classes: this.data.classes };
  }
}

/** One row per Linear layer, named by its path in the model as watch()'s flags name it, with the dead fraction of the ReLU that follows it (watch() reports every leaf layer). */
function healthOf(stats: readonly cr.diagnostics.LayerStats[]): LayerHealth[] {
  const rows: LayerHealth[] = [];
  for (const l of stats) {
    if (l.type === "Linear") rows.push({ name: `${l.type} ${l.name}`, gradNorm: l.gradNorm ?? 0, dead: null });
    else if (l.type === "ReLU" && rows.length > 0 && l.deadFraction !== null) (rows[rows.length - 1] as LayerHealth).dead = { layer: l.name, fraction: l.deadFraction };
  }
  return rows;
}
