// Datasets: anything with a length and an indexed sample, and TensorDataset over whole tensors.
import { ArgumentError, ShapeError } from "../errors.js";
import { fmt } from "../shape.js";
import { Tensor } from "../tensor/tensor.js";

/**
 * A collection of samples the DataLoader can batch: `length` samples, sample `i` from `get(i)`
 * (PyTorch's map-style `Dataset` with `__len__` and `__getitem__`). A sample may be a tensor, a
 * number, or an array or object of those; the DataLoader stacks them field by field.
 * @example
 * class Squares extends cr.data.Dataset<[cr.Tensor, number]> {
 *   readonly length = 100;
 *   get(i: number): [cr.Tensor, number] { return [cr.tensor([i]), i * i]; }
 * }
 * for (const [x, y] of new cr.data.DataLoader(new Squares(), { batchSize: 10 })) { ... } // x [10,1], y [10]
 */
export abstract class Dataset<T> {
  /** The number of samples. */
  abstract readonly length: number;
  /**
   * Sample `i`, for 0 <= i < length.
   * @example new cr.data.TensorDataset(cr.arange(3), cr.tensor([10, 20, 30])).get(1) // [1, 20]
   */
  abstract get(i: number): T;
}

/**
 * Samples that are rows of tensors sharing their first dim: sample i is `[x[i], y[i], …]`
 * (PyTorch's `TensorDataset`). A DataLoader batches it with one `indexSelect` per tensor, never a
 * tensor per sample, so MNIST's 60,000 images batch quickly.
 * @example
 * const { x, y } = cr.data.moons(200, { noise: 0.1, seed: 0 });
 * const ds = new cr.data.TensorDataset(x, y);
 * ds.length; // 200
 * const [xi, yi] = ds.get(0); // shapes [2] and []
 */
export class TensorDataset<T extends Tensor[] = Tensor[]> extends Dataset<T> {
  /** The tensors, as given. */
  readonly tensors: Readonly<T>;
  readonly length: number;

  constructor(...tensors: T) {
    super();
    if (tensors.length === 0) throw new ArgumentError("TensorDataset: expected at least one tensor");
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new ArgumentError(`TensorDataset: argument ${i} is not a tensor`);
      if (t.ndim === 0) throw new ShapeError(`TensorDataset: tensor ${i} is zero-dim; every tensor needs a first dim to index samples by`);
    });
    const n = tensors[0]!.shape[0]!;
    if (tensors.some((t) => t.shape[0] !== n)) {
      throw new ShapeError(`TensorDataset: tensors must have the same size in the first dim, got shapes ${tensors.map((t) => fmt(t.shape)).join(", ")}`);
    }
    this.tensors = tensors;
    this.length = n;
  }

  /**
   * Sample `i`: row `i` of each tensor (`select(0, i)`, views that share their memory).
   * @example new cr.data.TensorDataset(cr.arange(3), cr.tensor([10, 20, 30])).get(1) // [1, 20]
   */
  get(i: number): T {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) {
      throw new ArgumentError(`TensorDataset.get: index ${i} is out of range for ${this.length} samples`);
    }
    return this.tensors.map((t) => t.select(0, i)) as T;
  }
}
