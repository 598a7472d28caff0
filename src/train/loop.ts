// The training loop the lesson describes, as library functions: forward, loss, backward, step, zeroGrad.
import { noGrad } from "../autograd/grad-mode.js";
import { captureGraph } from "../tensor/capture.js";
import type { CapturedGraph } from "../tensor/capture.js";
import { keep, scope } from "../tensor/scope.js";
import type { Tensor } from "../tensor/tensor.js";
import { DataLoader } from "../data/loader.js";
import { TensorDataset } from "../data/dataset.js";
import type { AnyModule } from "../nn/module.js";
import type { Optimizer } from "../optim/optimizer.js";

/** A loss of predictions and targets, such as `cr.nn.functional.crossEntropy`. */
export type LossFn = (output: Tensor, target: Tensor) => Tensor;

/** A model that maps a batch of inputs to a batch of outputs. */
export interface Model {
  /** The model's output for a batch. */
  forward(x: Tensor): Tensor;
  /** Switches to training mode (or out of it with false). */
  train(mode?: boolean): unknown;
  /** Switches to evaluation mode (dropout off, batch norm's running statistics). */
  eval(): unknown;
}

/** Loss and accuracy over a dataset (accuracy is NaN for regression targets). */
export interface Metrics {
  /** The mean loss over the examples. */
  loss: number;
  /** The share of examples whose largest output is the target class (NaN for regression targets). */
  accuracy: number;
}

function correct(output: Tensor, target: Tensor): number {
  return correctTensor(output, target)?.item() ?? NaN;
}

/** Correct predictions as a tensor (read after a replay), or null for regression targets. */
function correctTensor(output: Tensor, target: Tensor): Tensor | null {
  if (target.dtype !== "int32" || output.ndim !== 2) return null;
  return output.argmax(1).eq(target).sum();
}

/** One training step on a batch (gradients zeroed first): its loss and the model's output. */
function trainingStep(model: Model, x: Tensor, y: Tensor, lossFn: LossFn, optimizer: Optimizer): { loss: Tensor; output: Tensor } {
  optimizer.zeroGrad();
  const output = model.forward(x);
  const loss = lossFn(output, y);
  loss.backward();
  optimizer.step();
  return { loss, output };
}

/** Options of `trainEpoch`. */
export interface TrainEpochOptions {
  /**
   * Record the step once per batch shape with `captureGraph` and replay it for the following batches: the
   * same numbers, without rebuilding tensors and the autograd graph each step (faster for small models).
   * The model must not draw random numbers in training (dropout) nor read tensors in its forward pass.
   */
  capture?: boolean;
}

/**
 * One pass over `loader`: for each batch, forward, loss, `backward()`, `optimizer.step()`,
 * `optimizer.zeroGrad()`. Calls `onBatch` after each step with the batch's loss.
 * @example
 * ```ts
 * const loader = new cr.data.DataLoader(new cr.data.TensorDataset(x, y), { batchSize: 64, shuffle: true });
 * cr.train.trainEpoch(model, loader, cr.nn.functional.crossEntropy, optimizer, (batch, loss) => losses.push(loss));
 * ```
 */
export function trainEpoch(
  model: Model,
  loader: Iterable<Tensor[]>,
  lossFn: LossFn,
  optimizer: Optimizer,
  onBatch?: (batch: number, loss: number, size: number) => void,
  options: TrainEpochOptions = {},
): Metrics {
  model.train();
  const graphs = options.capture === true ? new StepGraphs(model, lossFn, optimizer) : null;
  let lossSum = 0;
  let hits = 0;
  let seen = 0;
  let batch = 0;
  const batches = loader[Symbol.iterator]();
  try {
    for (;;) {
      // The batch is made inside the step's scope, so it is freed with the step's activations, gradients'
      // temporaries and dropped gradients (a scope frees only what was made in it: a batch the loader keeps stays).
      using _ = scope();
      const next = batches.next();
      if (next.done === true) break;
      const [x, y] = next.value;
      const [l, right] = graphs === null ? eagerStep(model, x!, y!, lossFn, optimizer) : graphs.step(x!, y!);
      const n = x!.shape[0]!;
      lossSum += l * n;
      hits += right;
      seen += n;
      onBatch?.(++batch, l, n);
    }
  } finally {
    batches.return?.();
    graphs?.dispose();
  }
  return { loss: lossSum / seen, accuracy: hits / seen };
}

// One training step; its loss and correct predictions.
function eagerStep(model: Model, x: Tensor, y: Tensor, lossFn: LossFn, optimizer: Optimizer): [number, number] {
  const { loss, output } = trainingStep(model, x, y, lossFn, optimizer);
  return [loss.item(), noGrad(() => correct(output.detach(), y))];
}

/** The training step captured once per batch shape, with the inputs it reads: batches are copied into them. */
class StepGraphs {
  private readonly graphs = new Map<string, { x: Tensor; y: Tensor; graph: CapturedGraph<[Tensor, Tensor | null]> }>();

  constructor(
    private readonly model: Model,
    private readonly lossFn: LossFn,
    private readonly optimizer: Optimizer,
  ) {}

  step(x: Tensor, y: Tensor): [number, number] {
    const key = `${x.dtype}${x.shape.join(",")} ${y.dtype}${y.shape.join(",")}`;
    let entry = this.graphs.get(key);
    if (entry === undefined) {
      const statics = { x: keep(x.detach().clone()), y: keep(y.detach().clone()) };
      const graph = captureGraph((): [Tensor, Tensor | null] => {
        const { loss, output } = trainingStep(this.model, statics.x, statics.y, this.lossFn, this.optimizer);
        return [loss, noGrad(() => correctTensor(output.detach(), statics.y))];
      });
      this.graphs.set(key, (entry = { ...statics, graph }));
    } else {
      noGrad(() => {
        entry!.x.copy_(x);
        entry!.y.copy_(y);
      });
      entry.graph.replay();
    }
    const [loss, right] = entry.graph.output;
    return [loss.item(), right === null ? NaN : right.item()];
  }

  dispose(): void {
    for (const { x, y, graph } of this.graphs.values()) {
      graph.dispose();
      x.dispose();
      y.dispose();
    }
    this.graphs.clear();
  }
}

/**
 * Loss and accuracy of `model` on `x`/`y`, in eval mode and without recording gradients.
 * @example cr.train.evaluate(new cr.nn.Linear(2, 2), cr.zeros([4, 2]), cr.tensor([0, 1, 0, 1], { dtype: "int32" }), cr.nn.functional.crossEntropy).accuracy // 0.5
 */
export function evaluate(model: Model, x: Tensor, y: Tensor, lossFn: LossFn, batchSize = 1000): Metrics {
  model.eval();
  return noGrad(() => {
    let lossSum = 0;
    let hits = 0;
    for (const [xb, yb] of new DataLoader(new TensorDataset(x, y), { batchSize })) {
      using _ = scope();
      const output = model.forward(xb!);
      lossSum += lossFn(output, yb!).item() * xb!.shape[0]!;
      hits += correct(output, yb!);
    }
    const n = x.shape[0]!;
    return { loss: lossSum / n, accuracy: hits / n };
  });
}

export type { AnyModule };

// For the asynchronous loop (async-loop.ts), which runs the same step.
export { trainingStep, correctTensor };
