// The training loop the lesson describes, as library functions: forward, loss, backward, step, zeroGrad.
import { noGrad } from "../autograd/grad-mode.js";
import { scope } from "../tensor/scope.js";
import type { Tensor } from "../tensor/tensor.js";
import { DataLoader } from "../data/loader.js";
import { TensorDataset } from "../data/dataset.js";
import type { AnyModule } from "../nn/module.js";
import type { Optimizer } from "../optim/optimizer.js";

/** A loss of predictions and targets, such as `cr.nn.functional.crossEntropy`. */
export type LossFn = (output: Tensor, target: Tensor) => Tensor;

/** A model that maps a batch of inputs to a batch of outputs. */
export interface Model {
  forward(x: Tensor): Tensor;
  train(mode?: boolean): unknown;
  eval(): unknown;
}

/** Loss and accuracy over a dataset (accuracy is NaN for regression targets). */
export interface Metrics {
  loss: number;
  accuracy: number;
}

function correct(output: Tensor, target: Tensor): number {
  if (target.dtype !== "int32" || output.ndim !== 2) return NaN;
  return output.argmax(1).eq(target).sum().item();
}

/**
 * One pass over `loader`: for each batch, forward, loss, `backward()`, `optimizer.step()`,
 * `optimizer.zeroGrad()`. Calls `onBatch` after each step with the batch's loss.
 */
export function trainEpoch(
  model: Model,
  loader: Iterable<Tensor[]>,
  lossFn: LossFn,
  optimizer: Optimizer,
  onBatch?: (batch: number, loss: number, size: number) => void,
): Metrics {
  model.train();
  let lossSum = 0;
  let hits = 0;
  let seen = 0;
  let batch = 0;
  for (const [x, y] of loader) {
    // The step's activations, gradients' temporaries and dropped gradients are freed when it ends.
    using _ = scope();
    const output = model.forward(x!);
    const loss = lossFn(output, y!);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    const n = x!.shape[0]!;
    const l = loss.item();
    lossSum += l * n;
    hits += noGrad(() => correct(output.detach(), y!));
    seen += n;
    onBatch?.(++batch, l, n);
  }
  return { loss: lossSum / seen, accuracy: hits / seen };
}

/** Loss and accuracy of `model` on `x`/`y`, in eval mode and without recording gradients. */
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
