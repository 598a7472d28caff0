// Sampling from distributions a tensor describes, drawn from chainrule's seeded generators (src/random.ts):
// multinomial (categories by weight, with or without replacement), bernoulli (coins by probability), randperm
// and randintLike. They read their input's values on the host (`item()`'s rule: a backend that reads only
// asynchronously gets a clear error) and give tensors that never require grad.
import { currentBackend } from "../backend/registry.js";
import type { DType, TypedArray } from "../dtype.js";
import { allocArray, isFloating } from "../dtype.js";
import { ArgumentError, DTypeError, ShapeError } from "../errors.js";
import { defaultGenerator } from "../random.js";
import type { Generator } from "../random.js";
import { fmt } from "../shape.js";
import { checkDType } from "./convert.js";
import { randint } from "./creation.js";
import type { RandomOptions } from "./creation.js";
import { checkTensor } from "./elementwise.js";
import { Tensor } from "./tensor.js";

/** The `generator` option of the sampling functions. */
export interface GeneratorOption {
  /** The generator to draw from; the default one is seeded by `cr.manualSeed`. */
  generator?: Generator;
}

/** A new tensor of `values` on `like`'s backend. */
export function onBackendOf(like: Tensor, values: TypedArray, shape: readonly number[], dtype: DType): Tensor {
  return Tensor._create(like._backend.fromArray(values), shape, dtype, like._backend);
}

function hostValues(op: string, x: Tensor): TypedArray {
  return x._readSync(op, "data", x.numel());
}

/**
 * `numSamples` category indices per row of `input` (1-D: one distribution; 2-D: one per row), drawn with
 * probability proportional to the row's non-negative weights. Without `replacement` (the default) a category is
 * drawn at most once per row; zero-weight categories come only after every positive one, as in PyTorch. int32
 * indices, shaped `[numSamples]` or `[rows, numSamples]`.
 * @example cr.multinomial(cr.tensor([0.1, 0.6, 0.3]), 4, true) // e.g. tensor([1, 2, 1, 1])
 */
export function multinomial(input: Tensor, numSamples: number, replacement = false, opts: GeneratorOption = {}): Tensor {
  checkTensor("multinomial", input);
  if (!isFloating(input.dtype)) throw new DTypeError(`multinomial: only supports floating-point dtypes for input, got ${input.dtype}`);
  if (input.ndim !== 1 && input.ndim !== 2) throw new ShapeError(`multinomial: prob_dist must be 1 or 2 dim, got shape ${fmt(input.shape)}`);
  if (!Number.isInteger(numSamples)) throw new ArgumentError(`multinomial: numSamples must be an integer, got ${numSamples}`);
  if (numSamples <= 0) throw new ArgumentError(`multinomial: cannot sample numSamples <= 0 samples (got ${numSamples})`);
  const categories = input.shape[input.ndim - 1]!;
  if (!replacement && numSamples > categories) {
    throw new ArgumentError(`multinomial: cannot sample numSamples > prob_dist.size(-1) samples without replacement (${numSamples} > ${categories})`);
  }
  const rows = input.ndim === 1 ? 1 : input.shape[0]!;
  const p = hostValues("multinomial", input);
  for (let r = 0; r < rows; r++) {
    let total = 0;
    for (let k = 0; k < categories; k++) {
      const v = p[r * categories + k]!;
      if (!(v >= 0) || v === Infinity) throw new ArgumentError(`multinomial: probability tensor contains either inf, nan or element < 0 (row ${r} has ${v})`);
      total += v;
    }
    if (!(total > 0)) throw new ArgumentError(`multinomial: invalid multinomial distribution (sum of probabilities <= 0 in row ${r})`);
  }
  const g = opts.generator ?? defaultGenerator;
  const out = new Int32Array(rows * numSamples);
  const cdf = new Float64Array(categories);
  const keys = new Float64Array(categories);
  const order = Array.from({ length: categories }, (_, k) => k);
  for (let r = 0; r < rows; r++) {
    const base = r * categories;
    if (replacement) {
      let acc = 0;
      for (let k = 0; k < categories; k++) cdf[k] = acc += p[base + k]!;
      for (let s = 0; s < numSamples; s++) {
        // The first category whose cumulative weight exceeds u·total: zero-weight ones are never drawn.
        const u = g.uniform() * acc;
        let lo = 0, hi = categories - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cdf[mid]! > u) hi = mid;
          else lo = mid + 1;
        }
        out[r * numSamples + s] = lo;
      }
    } else {
      // The exponential race: category k finishes at Eₖ/pₖ (Eₖ ~ Exp(1)); the first numSamples to finish are a
      // draw without replacement, each next one proportional to the remaining weights (Efraimidis–Spirakis).
      for (let k = 0; k < categories; k++) keys[k] = -Math.log(1 - g.uniform()) / p[base + k]!;
      order.sort((a, b) => keys[a]! - keys[b]! || a - b);
      for (let s = 0; s < numSamples; s++) out[r * numSamples + s] = order[s]!;
      order.sort((a, b) => a - b);
    }
  }
  return onBackendOf(input, out, input.ndim === 1 ? [numSamples] : [rows, numSamples], "int32");
}

/** Options of `bernoulli`. */
export interface BernoulliOptions extends GeneratorOption {
  /** One probability for every element (the input's values are then ignored, only its shape and dtype used). */
  p?: number;
}

function checkProbability(op: string, p: number): number {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new ArgumentError(`${op}: p must be in [0, 1], got ${String(p)}`);
  return p;
}

/** 0/1 draws of `dtype`, 1 with probability `prob(i)`. */
export function coinFlips(size: number, dtype: DType, prob: (i: number) => number, g: Generator): TypedArray {
  const out = allocArray(dtype, size);
  for (let i = 0; i < size; i++) out[i] = g.uniform() < prob(i) ? 1 : 0;
  return out;
}

/**
 * 1 with probability `input[i]` and 0 otherwise, elementwise (a tensor of `input`'s shape and dtype); with
 * `{ p }` (or a number) every element uses that probability instead. Probabilities must lie in [0, 1].
 * @example cr.bernoulli(cr.full([5], 0.3)) // e.g. tensor([0, 1, 0, 0, 0])
 */
export function bernoulli(input: Tensor, p?: number | BernoulliOptions, opts: GeneratorOption = {}): Tensor {
  checkTensor("bernoulli", input);
  const o: BernoulliOptions = typeof p === "number" ? { ...opts, p } : { ...opts, ...p };
  if (!isFloating(input.dtype)) throw new DTypeError(`bernoulli: expected a floating-point tensor of probabilities, got ${input.dtype}`);
  const g = o.generator ?? defaultGenerator;
  let flips: TypedArray;
  if (o.p !== undefined) {
    const q = checkProbability("bernoulli", o.p);
    flips = coinFlips(input.numel(), input.dtype, () => q, g);
  } else {
    const probs = hostValues("bernoulli", input);
    for (let i = 0; i < probs.length; i++) {
      const v = probs[i]!;
      if (!(v >= 0 && v <= 1)) throw new ArgumentError(`bernoulli: probabilities must be in [0, 1], got ${v} at flat index ${i}`);
    }
    flips = coinFlips(probs.length, input.dtype, (i) => probs[i]!, g);
  }
  return onBackendOf(input, flips, input.shape, input.dtype);
}

/**
 * A random permutation of `0 … n-1` (int32 unless `dtype` says otherwise), uniform over all n! orders.
 * @example cr.manualSeed(0); cr.randperm(5) // e.g. tensor([3, 0, 4, 1, 2])
 */
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) throw new ArgumentError(`randperm: n must be a non-negative integer, got ${String(n)}`);
  const dtype = opts.dtype === undefined ? "int32" : checkDType("randperm", opts.dtype);
  if (dtype === "bool") throw new DTypeError("randperm: not implemented for bool");
  if (dtype === "int32" && n > 2 ** 31) throw new ArgumentError(`randperm: n = ${n} does not fit int32`);
  const g = opts.generator ?? defaultGenerator;
  const perm = allocArray(dtype, n);
  for (let i = 0; i < n; i++) perm[i] = i;
  // Fisher–Yates, from the end.
  for (let i = n - 1; i > 0; i--) {
    const j = g.integer(0, i + 1);
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  const backend = currentBackend();
  const t = Tensor._create(backend.fromArray(perm), [n], dtype, backend);
  if (opts.requiresGrad === true) t.requiresGrad = true;
  return t;
}

/**
 * Random integers in [low, high) shaped like `x` (and of its dtype unless `dtype` says otherwise);
 * `randintLike(x, high)` starts at 0.
 * @example cr.randintLike(labels, 10)
 */
export function randintLike(x: Tensor, high: number, opts?: RandomOptions): Tensor;
export function randintLike(x: Tensor, low: number, high: number, opts?: RandomOptions): Tensor;
export function randintLike(x: Tensor, a: number, b?: number | RandomOptions, c?: RandomOptions): Tensor {
  checkTensor("randintLike", x);
  const [low, high, opts] = typeof b === "number" ? [a, b, c ?? {}] : [0, a, b ?? {}];
  return randint(low, high, x.shape, { dtype: x.dtype, ...opts });
}
