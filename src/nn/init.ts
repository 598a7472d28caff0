// `cr.nn.init`: PyTorch's weight initialisations (torch.nn.init), each filling a tensor in place inside noGrad.
// The names keep PyTorch's trailing underscore (`normal_`, `xavierUniform_`): they change the tensor given.
// The names without it, from before, remain as deprecated aliases.
import { noGrad } from "../autograd/grad-mode.js";
import { isFloating } from "../dtype.js";
import { ArgumentError, DTypeError, ShapeError } from "../errors.js";
import { defaultGenerator } from "../random.js";
import type { Generator } from "../random.js";
import { fmt } from "../shape.js";
import { eye, full, rand, randn, tensor as fromData } from "../tensor/creation.js";
import { checkTensor } from "../tensor/elementwise.js";
import type { Tensor } from "../tensor/tensor.js";

/** The activations `calculateGain` knows, with PyTorch's spellings (and camelCase for the two-word ones). */
export type Nonlinearity =
  | "linear" | "identity" | "conv1d" | "conv2d" | "conv3d"
  | "conv_transpose1d" | "conv_transpose2d" | "conv_transpose3d" | "convTranspose1d" | "convTranspose2d" | "convTranspose3d"
  | "sigmoid" | "tanh" | "relu" | "leaky_relu" | "leakyRelu" | "selu";

/** Whether Kaiming initialisation preserves the variance of the forward pass (fan in) or of the backward pass (fan out). */
export type FanMode = "fan_in" | "fan_out" | "fanIn" | "fanOut";

/** Options of the random initialisations. */
export interface InitGeneratorOptions {
  /** Draw from this generator instead of the default one (seeded by `cr.manualSeed`). */
  generator?: Generator;
}

/** Options of `kaimingUniform` and `kaimingNormal`. */
export interface KaimingOptions extends InitGeneratorOptions {
  /** The negative slope of the leaky ReLU that follows (0 means ReLU). */
  a?: number;
  /** "fan_in" (default) keeps the forward pass's variance, "fan_out" the backward pass's. */
  mode?: FanMode;
  /** The nonlinearity that follows, whose gain scales the spread (default "leaky_relu" with slope `a`, which 0 makes ReLU). */
  nonlinearity?: Nonlinearity;
}

/**
 * The recommended gain for a nonlinearity, as PyTorch's `calculate_gain`: 1 for linear/conv/sigmoid,
 * 5/3 for tanh, √2 for ReLU, √(2 / (1 + slope²)) for leaky ReLU (slope `param`, default 0.01), 3/4 for SELU.
 * @example cr.nn.init.calculateGain("leaky_relu", 0.2)
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number | null): number {
  switch (nonlinearity) {
    case "linear": case "identity": case "conv1d": case "conv2d": case "conv3d":
    case "conv_transpose1d": case "conv_transpose2d": case "conv_transpose3d":
    case "convTranspose1d": case "convTranspose2d": case "convTranspose3d": case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leaky_relu": case "leakyRelu": {
      const slope = param ?? 0.01;
      if (typeof slope !== "number" || !Number.isFinite(slope)) throw new ArgumentError(`calculateGain: negative slope ${String(slope)} is not a valid number`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case "selu":
      return 3 / 4;
    default:
      throw new ArgumentError(`calculateGain: unsupported nonlinearity ${JSON.stringify(nonlinearity)}`);
  }
}

/**
 * The fan in and fan out of a weight, as PyTorch's `_calculate_fan_in_and_fan_out`: for
 * `[out, in, ...kernel]`, fanIn = in·∏kernel and fanOut = out·∏kernel.
 * @example cr.nn.init.calculateFanInAndFanOut(conv.weight) // { fanIn: 27, fanOut: 48 } for [16, 3, 3, 3]
 */
export function calculateFanInAndFanOut(tensor: Tensor): { fanIn: number; fanOut: number } {
  checkTensor("calculateFanInAndFanOut", tensor);
  if (tensor.ndim < 2) {
    throw new ShapeError(`calculateFanInAndFanOut: fan in and fan out can not be computed for a tensor with fewer than 2 dims, got ${fmt(tensor.shape)}`);
  }
  const receptive = tensor.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: tensor.shape[1]! * receptive, fanOut: tensor.shape[0]! * receptive };
}

function fill(op: string, tensor: Tensor, make: () => Tensor): Tensor {
  checkTensor(op, tensor);
  if (!isFloating(tensor.dtype)) throw new DTypeError(`${op}: expected a floating-point tensor, got ${tensor.dtype}`);
  // In place on a parameter (a leaf requiring grad) is only allowed, and only meaningful, unrecorded.
  noGrad(() => tensor.copy_(make()));
  return tensor;
}

/**
 * Fills `tensor` with draws from U(a, b); returns it.
 * @example cr.nn.init.uniform_(layer.bias!, -0.1, 0.1)
 */
export function uniform_(tensor: Tensor, a = 0, b = 1, opts: InitGeneratorOptions = {}): Tensor {
  return fill("uniform_", tensor, () => rand(tensor.shape, { dtype: tensor.dtype, generator: opts.generator }).mul(b - a).add(a));
}

/**
 * Fills `tensor` with draws from N(mean, std²); returns it.
 * @example cr.nn.init.normal_(layer.weight, 0, 0.02)
 */
export function normal_(tensor: Tensor, mean = 0, std = 1, opts: InitGeneratorOptions = {}): Tensor {
  return fill("normal_", tensor, () => randn(tensor.shape, { dtype: tensor.dtype, generator: opts.generator }).mul(std).add(mean));
}

/** Fills `tensor` with `value`; returns it. @example cr.nn.init.constant_(layer.bias!, 0.1) */
export function constant_(tensor: Tensor, value: number): Tensor {
  return fill("constant_", tensor, () => full(tensor.shape, value, { dtype: tensor.dtype }));
}

/** Fills `tensor` with zeros; returns it. @example cr.nn.init.zeros_(layer.bias!) */
export function zeros_(tensor: Tensor): Tensor {
  return constant_(tensor, 0);
}

/** Fills `tensor` with ones; returns it. @example cr.nn.init.ones_(norm.weight!) */
export function ones_(tensor: Tensor): Tensor {
  return constant_(tensor, 1);
}

/**
 * Glorot/Xavier uniform: U(-a, a) with a = gain·√(6 / (fanIn + fanOut)); returns `tensor`.
 * @example cr.nn.init.xavierUniform_(layer.weight, cr.nn.init.calculateGain("tanh"))
 */
export function xavierUniform_(tensor: Tensor, gain = 1, opts: InitGeneratorOptions = {}): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(tensor);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(tensor, -a, a, opts);
}

/** Glorot/Xavier normal: N(0, std²) with std = gain·√(2 / (fanIn + fanOut)); returns `tensor`. @example cr.nn.init.xavierNormal_(w) */
export function xavierNormal_(tensor: Tensor, gain = 1, opts: InitGeneratorOptions = {}): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(tensor);
  return normal_(tensor, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), opts);
}

function kaimingStd(op: string, tensor: Tensor, opts: KaimingOptions): number {
  const mode = opts.mode ?? "fan_in";
  const fans = calculateFanInAndFanOut(tensor);
  let fan: number;
  if (mode === "fan_in" || mode === "fanIn") fan = fans.fanIn;
  else if (mode === "fan_out" || mode === "fanOut") fan = fans.fanOut;
  else throw new ArgumentError(`${op}: mode must be "fan_in" or "fan_out", got ${JSON.stringify(mode)}`);
  return calculateGain(opts.nonlinearity ?? "leaky_relu", opts.a ?? 0) / Math.sqrt(fan);
}

/**
 * He/Kaiming uniform: U(-b, b) with b = gain·√(3 / fan), gain from `nonlinearity` and `a`; returns
 * `tensor`. `{ a: Math.sqrt(5) }` gives PyTorch's default Linear/Conv2d weights, U(±1/√fanIn).
 * @example cr.nn.init.kaimingUniform_(conv.weight, { mode: "fan_out", nonlinearity: "relu" })
 */
export function kaimingUniform_(tensor: Tensor, opts: KaimingOptions = {}): Tensor {
  if (tensor.numel() === 0) return tensor;
  const bound = Math.sqrt(3) * kaimingStd("kaimingUniform_", tensor, opts);
  return uniform_(tensor, -bound, bound, opts);
}

/** He/Kaiming normal: N(0, std²) with std = gain / √fan; returns `tensor`. @example cr.nn.init.kaimingNormal_(w, { nonlinearity: "relu" }) */
export function kaimingNormal_(tensor: Tensor, opts: KaimingOptions = {}): Tensor {
  if (tensor.numel() === 0) return tensor;
  return normal_(tensor, 0, kaimingStd("kaimingNormal_", tensor, opts), opts);
}

/**
 * Fills `tensor` with draws from N(mean, std²) truncated to [a, b] (redrawing values outside it), as
 * PyTorch's `trunc_normal_` (a and b are absolute bounds, not in units of std); returns it. The
 * interval must hold a fair share of the distribution.
 * @example cr.nn.init.truncNormal_(layer.weight, 0, 0.02, -0.04, 0.04)
 */
export function truncNormal_(tensor: Tensor, mean = 0, std = 1, a = -2, b = 2, opts: InitGeneratorOptions = {}): Tensor {
  for (const [name, v] of [["mean", mean], ["std", std], ["a", a], ["b", b]] as const) {
    if (typeof v !== "number" || Number.isNaN(v)) throw new ArgumentError(`truncNormal_: ${name} must be a number, got ${String(v)}`);
  }
  if (!(std >= 0) || !(a < b)) throw new ArgumentError(`truncNormal_: needs std >= 0 and a < b, got std ${std}, a ${a}, b ${b}`);
  const g = opts.generator ?? defaultGenerator;
  return fill("truncNormal_", tensor, () => {
    const n = tensor.numel();
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let v = mean + std * g.normal();
      // Rejection keeps the exact truncated distribution; an interval far in a tail would loop for long, so it is refused.
      for (let tries = 1; !(v >= a && v <= b); tries++) {
        if (tries === 10_000) throw new ArgumentError(`truncNormal_: [${a}, ${b}] holds too little of N(${mean}, ${std}²) to sample from`);
        v = mean + std * g.normal();
      }
      values[i] = v;
    }
    return fromData(values).reshape(tensor.shape).to(tensor.dtype);
  });
}

/**
 * Fills a 2-D `tensor` with the identity matrix (ones on the diagonal), as PyTorch's `eye_`; returns it.
 * @example cr.nn.init.eye_(layer.weight)
 */
export function eye_(tensor: Tensor): Tensor {
  checkTensor("eye_", tensor);
  if (tensor.ndim !== 2) throw new ShapeError(`eye_: only 2-D tensors are supported, got ${fmt(tensor.shape)}`);
  return fill("eye_", tensor, () => eye(tensor.shape[0]!, tensor.shape[1]!, { dtype: tensor.dtype }));
}

// The names from before the trailing underscore, kept so existing code runs.
/** @deprecated Use `uniform_` (PyTorch's name). */
export const uniform = uniform_;
/** @deprecated Use `normal_` (PyTorch's name). */
export const normal = normal_;
/** @deprecated Use `constant_` (PyTorch's name). */
export const constant = constant_;
/** @deprecated Use `zeros_` (PyTorch's name). */
export const zeros = zeros_;
/** @deprecated Use `ones_` (PyTorch's name). */
export const ones = ones_;
/** @deprecated Use `xavierUniform_` (PyTorch's name). */
export const xavierUniform = xavierUniform_;
/** @deprecated Use `xavierNormal_` (PyTorch's name). */
export const xavierNormal = xavierNormal_;
/** @deprecated Use `kaimingUniform_` (PyTorch's name). */
export const kaimingUniform = kaimingUniform_;
/** @deprecated Use `kaimingNormal_` (PyTorch's name). */
export const kaimingNormal = kaimingNormal_;
