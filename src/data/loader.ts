// DataLoader: batches of a dataset, in order or shuffled by a seeded generator, as PyTorch's DataLoader.
import type { TypedArray } from "../dtype.js";
import { ArgumentError } from "../errors.js";
import type { Generator } from "../random.js";
import { fmt, shapesEqual } from "../shape.js";
import { tensor } from "../tensor/creation.js";
import { stack } from "../tensor/movement.js";
import { Tensor } from "../tensor/tensor.js";
import { fromOwnedArray } from "../io/wrap.js";
import type { Dataset } from "./dataset.js";
import { TensorDataset } from "./dataset.js";
import { checkInt, checkOptions, permutation, resolveGenerator } from "./options.js";

/** What a batch of samples of type `T` is: tensors stacked along a new first dim, arrays and objects field by field. */
export type Batch<T> = T extends Tensor
  ? Tensor
  : T extends number | boolean
    ? Tensor
    : T extends readonly unknown[]
      ? { -readonly [K in keyof T]: Batch<T[K]> }
      : T extends object
        ? { [K in keyof T]: Batch<T[K]> }
        : never;

/** Options of `new DataLoader(dataset, options)`. */
export interface DataLoaderOptions<T = unknown, B = Batch<T>> {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Visit the samples in a new random order each epoch (default false). */
  shuffle?: boolean;
  /** Leave out the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** The generator that shuffles; each epoch draws the next permutation from it. */
  generator?: Generator;
  /** Shuffle with a new generator seeded by this, instead of `generator`; without either, the default generator (`cr.manualSeed`) shuffles. */
  seed?: number;
  /** Makes a batch from a list of samples, replacing the default stacking (PyTorch's collate_fn). */
  collate?: (samples: T[]) => B;
}

const OPTIONS = ["batchSize", "shuffle", "dropLast", "generator", "seed", "collate"];

/**
 * Iterates over a dataset in batches (PyTorch's `DataLoader`). Each `for … of` is one epoch; with
 * `shuffle`, each epoch visits every sample exactly once in a new order, drawn from the generator by
 * Fisher–Yates, so the same seed gives the same sequence of epochs. A `TensorDataset` is batched
 * with one `indexSelect` per tensor; other datasets have their samples stacked (tensors along a new
 * first dim; numbers into a float32 tensor, as `cr.tensor` makes them, and booleans into a bool one;
 * arrays and objects field by field), or made into batches by `collate`.
 * @example
 * const { x, y } = cr.data.moons(1000, { noise: 0.1, seed: 0 });
 * const loader = new cr.data.DataLoader(new cr.data.TensorDataset(x, y), { batchSize: 32, shuffle: true, seed: 0 });
 * loader.length; // 32 batches: 31 of 32 samples and one of 8
 * for (let epoch = 0; epoch < 10; epoch++) {
 *   for (const [xb, yb] of loader) { ... } // xb [32,2] float32, yb [32] int32
 * }
 */
export class DataLoader<T, B = Batch<T>> implements Iterable<B> {
  /** The dataset batches are drawn from. */
  readonly dataset: Dataset<T>;
  /** Samples per batch. */
  readonly batchSize: number;
  /** Whether each pass visits the samples in a new random order. */
  readonly shuffle: boolean;
  /** Whether a last batch smaller than `batchSize` is left out. */
  readonly dropLast: boolean;
  private readonly generator: Generator | null;
  private readonly collate: ((samples: T[]) => B) | null;

  constructor(dataset: Dataset<T>, opts: DataLoaderOptions<T, B> = {}) {
    const op = "DataLoader";
    const d = dataset as unknown as { length?: unknown; get?: unknown } | null;
    if (typeof d !== "object" || d === null || typeof d.get !== "function" || typeof d.length !== "number") {
      throw new ArgumentError(`${op}: expected a dataset (an object with length and get(i)), got ${d === null ? "null" : typeof d}`);
    }
    checkOptions(op, opts, OPTIONS);
    this.dataset = dataset;
    this.batchSize = checkInt(op, "batchSize", opts.batchSize ?? 1, 1);
    this.shuffle = checkFlag(op, "shuffle", opts.shuffle);
    this.dropLast = checkFlag(op, "dropLast", opts.dropLast);
    // Checked even without shuffle, so a bad seed is caught where it is written.
    const g = resolveGenerator(op, opts);
    this.generator = this.shuffle ? g : null;
    if (opts.collate !== undefined && typeof opts.collate !== "function") throw new ArgumentError(`${op}: collate must be a function`);
    this.collate = opts.collate ?? null;
  }

  /** The number of batches in one epoch. */
  get length(): number {
    const n = datasetLength(this.dataset);
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  *[Symbol.iterator](): IterableIterator<B> {
    const n = datasetLength(this.dataset);
    const order = this.generator === null ? identity(n) : permutation(n, this.generator);
    const batches = this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
    for (let b = 0; b < batches; b++) {
      const indices = order.slice(b * this.batchSize, Math.min(n, (b + 1) * this.batchSize));
      yield this.makeBatch(indices);
    }
  }

  private makeBatch(indices: Int32Array): B {
    const ds = this.dataset;
    // Whole-tensor indexing, unless a subclass changed what a sample is by overriding get.
    if (this.collate === null && ds instanceof TensorDataset && ds.get === TensorDataset.prototype.get) {
      const index = fromOwnedArray(indices, [indices.length]);
      return (ds.tensors as readonly Tensor[]).map((t) => t.indexSelect(0, index)) as B;
    }
    const samples = Array.from(indices, (i) => ds.get(i));
    if (this.collate !== null) return this.collate(samples);
    return collateSamples(samples, indices, "") as B;
  }
}

function checkFlag(op: string, name: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== "boolean") throw new ArgumentError(`${op}: ${name} must be true or false, got ${typeof v}`);
  return v;
}

function datasetLength(ds: Dataset<unknown>): number {
  const n: unknown = ds.length;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) throw new ArgumentError(`DataLoader: the dataset's length must be a non-negative integer, got ${String(n)}`);
  return n;
}

function identity(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

// PyTorch's default_collate, for the types a JavaScript sample has; `path` names the field in errors.
function collateSamples(samples: unknown[], indices: Int32Array, path: string): unknown {
  const first = samples[0];
  const where = path === "" ? "samples" : `field ${path} of samples`;
  const mismatch = (k: number, what: string) =>
    new ArgumentError(`DataLoader: cannot batch ${where}: sample ${indices[0]} is ${what} but sample ${indices[k]} is ${kind(samples[k])}`);
  if (first instanceof Tensor) {
    samples.forEach((s, k) => {
      if (!(s instanceof Tensor)) throw mismatch(k, "a tensor");
      if (!shapesEqual(s.shape, first.shape)) {
        throw new ArgumentError(`DataLoader: cannot stack ${where}: sample ${indices[0]} has shape ${fmt(first.shape)} but sample ${indices[k]} has ${fmt(s.shape)}`);
      }
    });
    return stack(samples as Tensor[], 0);
  }
  if (typeof first === "number" || typeof first === "boolean") {
    samples.forEach((s, k) => {
      if (typeof s !== typeof first) throw mismatch(k, kind(first));
    });
    return tensor(samples as number[] | boolean[]);
  }
  if (Array.isArray(first)) {
    samples.forEach((s, k) => {
      if (!Array.isArray(s) || s.length !== first.length) throw mismatch(k, `an array of ${first.length}`);
    });
    return first.map((_, j) => collateSamples(samples.map((s) => (s as unknown[])[j]), indices, `${path}[${j}]`));
  }
  if (typeof first === "object" && first !== null && Object.getPrototypeOf(first) === Object.prototype) {
    const keys = Object.keys(first);
    const out: Record<string, unknown> = {};
    samples.forEach((s, k) => {
      if (typeof s !== "object" || s === null || Object.keys(s).length !== keys.length || !keys.every((key) => key in s)) {
        throw mismatch(k, `an object with keys ${keys.join(", ")}`);
      }
    });
    for (const key of keys) out[key] = collateSamples(samples.map((s) => (s as Record<string, unknown>)[key]), indices, `${path}.${key}`);
    return out;
  }
  throw new ArgumentError(`DataLoader: cannot batch ${where}: sample ${indices[0]} is ${kind(first)}; a sample must be a tensor, a number, a boolean, or an array or plain object of those (or pass collate)`);
}

function kind(x: unknown): string {
  if (x === null) return "null";
  if (x instanceof Tensor) return `a tensor of shape ${fmt(x.shape)}`;
  if (Array.isArray(x)) return `an array of ${x.length}`;
  if (ArrayBuffer.isView(x)) return `a ${(x as TypedArray).constructor.name}`;
  return typeof x === "object" ? "an object" : typeof x;
}
