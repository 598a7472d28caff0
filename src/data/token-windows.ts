// Language-model data: (blockSize + 1)-token windows over a token array, as inputs and next-token targets,
// drawn at random with chainrule's generator (nanoGPT's get_batch); and a train/validation split.
import { ArgumentError } from "../errors.js";
import { defaultGenerator } from "../random.js";
import type { Generator } from "../random.js";
import { fromOwnedArray } from "../io/wrap.js";
import { Tensor } from "../tensor/tensor.js";
import { Dataset } from "./dataset.js";

function asTokens(op: string, tokens: ArrayLike<number> | Tensor): Int32Array {
  if (tokens instanceof Tensor) {
    if (tokens.dtype !== "int32" || tokens.ndim !== 1) throw new ArgumentError(`${op}: expected a 1-D int32 tensor of tokens, got ${tokens.dtype} [${tokens.shape.join(",")}]`);
    return tokens.toTypedArray() as Int32Array;
  }
  if (tokens instanceof Int32Array) return tokens;
  const out = Int32Array.from(tokens);
  out.forEach((t, i) => {
    if (t !== tokens[i]) throw new ArgumentError(`${op}: token ${i} (${tokens[i]}) is not a 32-bit integer`);
  });
  return out;
}

/** Options of `TokenWindows.sample`. */
export interface SampleOptions {
  /** Draw the window starts from this generator (default: the default one, seeded by `cr.manualSeed`). */
  generator?: Generator;
}

/**
 * The windows of `blockSize + 1` consecutive tokens of a token array: window i gives the input
 * `tokens[i .. i+blockSize)` and the targets `tokens[i+1 .. i+blockSize]`, each int32 `[blockSize]`.
 * `sample(batchSize)` draws a batch of windows at random starts, as nanoGPT's get_batch; as a Dataset
 * it also works with the DataLoader.
 * @example
 * const ds = new cr.data.TokenWindows(tok.encode(text), 64);
 * const [x, y] = ds.sample(12, { generator: new cr.Generator(0) }); // int32 [12, 64] each
 */
export class TokenWindows extends Dataset<[Tensor, Tensor]> {
  /** The token array. */
  readonly tokens: Int32Array;
  /** The tokens per input (the model's context length); a window reads `blockSize + 1`. */
  readonly blockSize: number;
  readonly length: number;

  constructor(tokens: ArrayLike<number> | Tensor, blockSize: number) {
    super();
    this.tokens = asTokens("TokenWindows", tokens);
    if (!Number.isInteger(blockSize) || blockSize < 1) throw new ArgumentError(`TokenWindows: blockSize must be a positive integer, got ${String(blockSize)}`);
    if (this.tokens.length < blockSize + 1) {
      throw new ArgumentError(`TokenWindows: ${this.tokens.length} tokens are too few for one window of blockSize + 1 = ${blockSize + 1}`);
    }
    this.blockSize = blockSize;
    this.length = this.tokens.length - blockSize;
  }

  /**
   * Window `i`: the tokens at [i, i + blockSize) and the targets one further on, int32 `[blockSize]` each.
   * @example new cr.data.TokenWindows([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 4).get(2) // [[2, 3, 4, 5], [3, 4, 5, 6]]
   */
  get(i: number): [Tensor, Tensor] {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) throw new ArgumentError(`TokenWindows.get: index ${i} is out of range for ${this.length} windows`);
    return [this.#window([i], 0), this.#window([i], 1)].map((t) => t.reshape([this.blockSize])) as [Tensor, Tensor];
  }

  /**
   * `batchSize` windows at starts drawn uniformly from [0, length): inputs and targets, int32 `[batchSize, blockSize]`.
   * @example new cr.data.TokenWindows([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 4).sample(2, { generator: new cr.Generator(0) }) // [[[5, 6, 7, 8], [0, 1, 2, 3]], [[6, 7, 8, 9], [1, 2, 3, 4]]]
   */
  sample(batchSize: number, opts: SampleOptions = {}): [Tensor, Tensor] {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new ArgumentError(`TokenWindows.sample: batchSize must be a positive integer, got ${String(batchSize)}`);
    const g = opts.generator ?? defaultGenerator;
    const starts = Array.from({ length: batchSize }, () => g.integer(0, this.length));
    return [this.#window(starts, 0), this.#window(starts, 1)];
  }

  #window(starts: readonly number[], shift: number): Tensor {
    const T = this.blockSize;
    const out = new Int32Array(starts.length * T);
    starts.forEach((s, b) => out.set(this.tokens.subarray(s + shift, s + shift + T), b * T));
    return fromOwnedArray(out, [starts.length, T]);
  }
}

/** Options of `trainValSplit`. */
export interface TrainValSplitOptions {
  /** The share of tokens at the end kept for validation (default 0.1). */
  valFraction?: number;
}

/**
 * Splits a token array into its first part for training and its last part for validation (default
 * 90% / 10%, as nanoGPT), so validation text is never seen in training.
 * @example const { train, val } = cr.data.trainValSplit(tok.encode(text));
 */
export function trainValSplit(tokens: ArrayLike<number> | Tensor, opts: TrainValSplitOptions = {}): { train: Int32Array; val: Int32Array } {
  const all = asTokens("trainValSplit", tokens);
  const f = opts.valFraction ?? 0.1;
  if (typeof f !== "number" || !(f > 0 && f < 1)) throw new ArgumentError(`trainValSplit: valFraction must be in (0, 1), got ${String(f)}`);
  const n = Math.floor(all.length * (1 - f));
  return { train: all.slice(0, n), val: all.slice(n) };
}
