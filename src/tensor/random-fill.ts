// The in-place random fillers of PyTorch's tensors (`x.normal_()`, `x.uniform_()`, `x.exponential_()`,
// `x.bernoulli_()`, `x.random_()`, `x.geometric_()`, `x.cauchy_()`, `x.logNormal_()`): the tensor's elements
// overwritten with draws from chainrule's seeded generator, through applyInplace (version counter, autograd's
// rules for in-place ops: the old value gets a zero gradient).
import type { DType, TypedArray } from "../dtype.js";
import { allocArray, isFloating } from "../dtype.js";
import { ArgumentError, DTypeError } from "../errors.js";
import { defaultGenerator } from "../random.js";
import type { Generator } from "../random.js";
import { checkTensor } from "./elementwise.js";
import { applyInplace } from "./inplace.js";
import { coinFlips, onBackendOf } from "./sampling.js";
import type { GeneratorOption } from "./sampling.js";
import type { Tensor } from "./tensor.js";

function finiteArg(op: string, name: string, v: number): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ArgumentError(`${op}: ${name} must be a finite number, got ${String(v)}`);
  return v;
}

function requireFloat(op: string, x: Tensor): void {
  if (!isFloating(x.dtype)) throw new DTypeError(`${op}: not implemented for ${x.dtype} tensors (floating point only, as in PyTorch)`);
}

/** Overwrites `x` with `draw(g)` per element (converted to its dtype on store). */
function fillWith(op: string, x: Tensor, opts: GeneratorOption, draw: (g: Generator) => number): Tensor {
  const g = opts.generator ?? defaultGenerator;
  const values: TypedArray = allocArray(x.dtype, x.numel());
  for (let i = 0; i < values.length; i++) values[i] = draw(g);
  return fillFrom(op, x, values);
}

function fillFrom(op: string, x: Tensor, values: TypedArray): Tensor {
  return applyInplace(x, op, () => onBackendOf(x, values, x.shape, x.dtype), true);
}

/** Fills `x` with draws from N(mean, std²). @example cr.zeros([3]).normal_(0, 0.02) */
export function normal_(x: Tensor, mean = 0, std = 1, opts: GeneratorOption = {}): Tensor {
  checkTensor("normal_", x);
  requireFloat("normal_", x);
  finiteArg("normal_", "mean", mean);
  if (!(finiteArg("normal_", "std", std) >= 0)) throw new ArgumentError(`normal_: expects std >= 0.0, but found std ${std}`);
  return fillWith("normal_", x, opts, (g) => mean + std * g.normal());
}

/** Fills `x` with draws from U[from, to). @example cr.empty([3]).uniform_(-1, 1) */
export function uniform_(x: Tensor, from = 0, to = 1, opts: GeneratorOption = {}): Tensor {
  checkTensor("uniform_", x);
  requireFloat("uniform_", x);
  if (finiteArg("uniform_", "from", from) > finiteArg("uniform_", "to", to)) {
    throw new ArgumentError(`uniform_: expects to return a [from, to) range, but found from=${from} > to=${to}`);
  }
  return fillWith("uniform_", x, opts, (g) => from + (to - from) * g.uniform());
}

/** Fills `x` with draws from the exponential distribution of rate `lambd` (mean 1/lambd). @example x.exponential_(2) */
export function exponential_(x: Tensor, lambd = 1, opts: GeneratorOption = {}): Tensor {
  checkTensor("exponential_", x);
  requireFloat("exponential_", x);
  if (typeof lambd !== "number" || !(lambd >= 0)) throw new ArgumentError(`exponential_: expects lambda >= 0.0, but found lambda=${String(lambd)}`);
  // 1 − u lies in (0, 1], so the log is finite.
  return fillWith("exponential_", x, opts, (g) => -Math.log(1 - g.uniform()) / lambd);
}

/** Fills `x` with draws from the geometric distribution: trials until a success of probability `p` (1, 2, …). */
export function geometric_(x: Tensor, p: number, opts: GeneratorOption = {}): Tensor {
  checkTensor("geometric_", x);
  if (typeof p !== "number" || !(p > 0 && p < 1)) throw new ArgumentError(`geometric_: expects p to be in (0, 1), but got p=${String(p)}`);
  const logq = Math.log1p(-p);
  return fillWith("geometric_", x, opts, (g) => Math.max(1, Math.ceil(Math.log(1 - g.uniform()) / logq)));
}

/** Fills `x` with draws from the Cauchy distribution of `median` and scale `sigma`. */
export function cauchy_(x: Tensor, median = 0, sigma = 1, opts: GeneratorOption = {}): Tensor {
  checkTensor("cauchy_", x);
  requireFloat("cauchy_", x);
  finiteArg("cauchy_", "median", median);
  if (!(finiteArg("cauchy_", "sigma", sigma) > 0)) throw new ArgumentError(`cauchy_: expects sigma > 0.0, but found sigma=${sigma}`);
  return fillWith("cauchy_", x, opts, (g) => median + sigma * Math.tan(Math.PI * (g.uniform() - 0.5)));
}

/** Fills `x` with `exp` of draws from N(mean, std²). @example x.logNormal_(0, 0.25) */
export function logNormal_(x: Tensor, mean = 1, std = 2, opts: GeneratorOption = {}): Tensor {
  checkTensor("logNormal_", x);
  requireFloat("logNormal_", x);
  finiteArg("logNormal_", "mean", mean);
  if (!(finiteArg("logNormal_", "std", std) > 0)) throw new ArgumentError(`logNormal_: expects std > 0.0, but found std=${std}`);
  return fillWith("logNormal_", x, opts, (g) => Math.exp(mean + std * g.normal()));
}

/**
 * Fills `x` with 0/1 draws, 1 with probability `p`: one number (default 0.5), or a tensor of probabilities
 * broadcast to `x`'s shape. Any dtype.
 * @example mask.bernoulli_(0.9)
 */
export function bernoulli_(x: Tensor, p: number | Tensor = 0.5, opts: GeneratorOption = {}): Tensor {
  checkTensor("bernoulli_", x);
  const g = opts.generator ?? defaultGenerator;
  if (typeof p === "number") {
    if (!(p >= 0 && p <= 1)) throw new ArgumentError(`bernoulli_: expects p to be in [0, 1], but got p=${p}`);
    return fillFrom("bernoulli_", x, coinFlips(x.numel(), x.dtype, () => p, g));
  }
  checkTensor("bernoulli_", p);
  if (!isFloating(p.dtype)) throw new DTypeError(`bernoulli_: p must be a floating-point tensor of probabilities, got ${p.dtype}`);
  const probs = p.expand(x.shape).clone()._readSync("bernoulli_", "data", x.numel());
  for (let i = 0; i < probs.length; i++) {
    const v = probs[i]!;
    if (!(v >= 0 && v <= 1)) throw new ArgumentError(`bernoulli_: expects p to be in [0, 1], got ${v} at flat index ${i}`);
  }
  return fillFrom("bernoulli_", x, coinFlips(x.numel(), x.dtype, (i) => probs[i]!, g));
}

// The values `random_()` draws without bounds: every integer the dtype holds exactly from 0 (PyTorch's ranges).
const UNBOUNDED: Record<DType, number> = {
  float32: 2 ** 24 + 1, float64: 2 ** 53 + 1, int32: 2 ** 31, bool: 2,
  int8: 2 ** 7, uint8: 2 ** 8, int16: 2 ** 15, int64: 2 ** 53, float16: 2 ** 11 + 1, bfloat16: 2 ** 8 + 1,
};

/**
 * Fills `x` with random integers: in [0, 2^mantissa] (or the int dtype's non-negative range) without bounds,
 * in [0, to) with one, in [from, to) with two.
 * @example cr.zeros([4], { dtype: "int32" }).random_(10)
 */
export function random_(x: Tensor, fromOrTo?: number, to?: number, opts: GeneratorOption = {}): Tensor {
  checkTensor("random_", x);
  let low = 0, high = UNBOUNDED[x.dtype];
  if (to !== undefined && to !== null) [low, high] = [fromOrTo ?? 0, to];
  else if (fromOrTo !== undefined) high = fromOrTo;
  if (!Number.isInteger(low) || !Number.isInteger(high)) throw new ArgumentError(`random_: from and to must be integers, got ${low} and ${high}`);
  if (low >= high) throw new ArgumentError(`random_: expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  if (x.dtype === "int32" && (low < -(2 ** 31) || high > 2 ** 31)) throw new ArgumentError(`random_: [${low}, ${high}) does not fit int32`);
  if (x.dtype === "bool" && (low < 0 || high > 2)) throw new ArgumentError(`random_: [${low}, ${high}) does not fit bool`);
  return fillWith("random_", x, opts, (g) => g.integer(low, high));
}
