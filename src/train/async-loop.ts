// The training loop for backends that read asynchronously (a GPU): the same step as loop.ts, with each batch's loss
// and correct predictions read with `await` a few batches later, so the GPU never waits for the host to ask for
// the next step (a read per step would leave it idle for a round trip each time). Works on every backend.
import { noGrad } from "../autograd/grad-mode.js";
import { DataLoader } from "../data/loader.js";
import { TensorDataset } from "../data/dataset.js";
import type { TypedArray } from "../dtype.js";
import { scope } from "../tensor/scope.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Optimizer } from "../optim/optimizer.js";
import { correctTensor, trainingStep } from "./loop.js";
import type { LossFn, Metrics, Model } from "./loop.js";

/** Options of `trainEpochAsync`. */
export interface TrainEpochAsyncOptions {
  /** How many batches may run ahead of the one whose loss is read (default 2): 0 reads each step's loss before the next. */
  readonly inFlight?: number;
}

interface Pending {
  readonly read: Promise<[TypedArray, TypedArray | null]>;
  readonly size: number;
}

/**
 * `cr.train.trainEpoch` for every backend, a GPU's included: for each batch, forward, loss, `backward()`,
 * `optimizer.step()`, `optimizer.zeroGrad()`; the losses are read asynchronously, `onBatch` called with each.
 * @example
 * await cr.backends.webgpu.init();
 * cr.setBackend("webgpu");
 * const { loss, accuracy } = await cr.train.trainEpochAsync(model, loader, cr.nn.functional.crossEntropy, opt);
 */
export async function trainEpochAsync(
  model: Model,
  loader: Iterable<Tensor[]>,
  lossFn: LossFn,
  optimizer: Optimizer,
  onBatch?: (batch: number, loss: number, size: number) => void,
  options: TrainEpochAsyncOptions = {},
): Promise<Metrics> {
  model.train();
  const depth = Math.max(0, options.inFlight ?? 2);
  const pending: Pending[] = [];
  let lossSum = 0, hits = 0, seen = 0, batch = 0;
  const settle = async (p: Pending): Promise<void> => {
    const [l, right] = await p.read;
    lossSum += l[0]! * p.size;
    hits += right === null ? NaN : right[0]!;
    seen += p.size;
    onBatch?.(++batch, l[0]!, p.size);
  };
  const batches = loader[Symbol.iterator]();
  try {
    for (;;) {
      let next: Pending;
      {
        // Each step's tensors are freed at the end of its scope; the reads were recorded before, so they still see them.
        using _ = scope();
        const item = batches.next();
        if (item.done === true) break;
        const [x, y] = item.value;
        const { loss, output } = trainingStep(model, x!, y!, lossFn, optimizer);
        const right = noGrad(() => correctTensor(output.detach(), y!));
        next = { read: Promise.all([loss.data(), right === null ? null : right.data()]), size: x!.shape[0]! };
      }
      pending.push(next);
      while (pending.length > depth) await settle(pending.shift()!);
    }
    for (const p of pending.splice(0)) await settle(p);
  } finally {
    batches.return?.();
  }
  return { loss: lossSum / seen, accuracy: hits / seen };
}

/**
 * `cr.train.evaluate` for every backend, a GPU's included: loss and accuracy of `model` on `x`/`y`.
 * @example const { loss, accuracy } = await cr.train.evaluateAsync(model, testX, testY, cr.nn.functional.crossEntropy);
 */
export async function evaluateAsync(model: Model, x: Tensor, y: Tensor, lossFn: LossFn, batchSize = 1000): Promise<Metrics> {
  model.eval();
  const reads: Pending[] = [];
  noGrad(() => {
    for (const [xb, yb] of new DataLoader(new TensorDataset(x, y), { batchSize })) {
      using _ = scope();
      const output = model.forward(xb!);
      const right = correctTensor(output, yb!);
      reads.push({ read: Promise.all([lossFn(output, yb!).data(), right === null ? null : right.data()]), size: xb!.shape[0]! });
    }
  });
  let lossSum = 0, hits = 0;
  for (const p of reads) {
    const [l, right] = await p.read;
    lossSum += l[0]! * p.size;
    hits += right === null ? NaN : right[0]!;
  }
  const n = x.shape[0]!;
  return { loss: lossSum / n, accuracy: hits / n };
}
