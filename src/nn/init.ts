// `cr.nn.init`: PyTorch's weight initialisations (torch.nn.init), each filling a tensor in place inside noGrad.
import { noGrad } from "../autograd/grad-mode.js";
import { isFloating } from "../dtype.js";
import { ArgumentError, DTypeError, ShapeError } from "../errors.js";
import type { Generator } from "../random.js";
import { fmt } from "../shape.js";
import { full, rand, randn } from "../tensor/creation.js";
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
  mode?: FanMode;
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
 * @example cr.nn.init.uniform(layer.bias!, -0.1, 0.1)
 */
export function uniform(tensor: Tensor, a = 0, b = 1, opts: InitGeneratorOptions = {}): Tensor {
  return fill("uniform", tensor, () => rand(tensor.shape, { dtype: tensor.dtype, generator: opts.generator }).mul(b - a).add(a));
}

/**
 * Fills `tensor` with draws from N(mean, std²); returns it.
 * @example cr.nn.init.normal(layer.weight, 0, 0.02)
 */
export function normal(tensor: Tensor, mean = 0, std = 1, opts: InitGeneratorOptions = {}): Tensor {
  return fill("normal", tensor, () => randn(tensor.shape, { dtype: tensor.dtype, generator: opts.generator }).mul(std).add(mean));
}

/** Fills `tensor` with `value`; returns it. @example cr.nn.init.constant(layer.bias!, 0.1) */
export function constant(tensor: Tensor, value: number): Tensor {
  return fill("constant", tensor, () => full(tensor.shape, value, { dtype: tensor.dtype }));
}

/** Fills `tensor` with zeros; returns it. @example cr.nn.init.zeros(layer.bias!) */
export function zeros(tensor: Tensor): Tensor {
  return constant(tensor, 0);
}

/** Fills `tensor` with ones; returns it. @example cr.nn.init.ones(norm.weight!) */
export function ones(tensor: Tensor): Tensor {
  return constant(tensor, 1);
}

/**
 * Glorot/Xavier uniform: U(-a, a) with a = gain·√(6 / (fanIn + fanOut)); returns `tensor`.
 * @example cr.nn.init.xavierUniform(layer.weight, cr.nn.init.calculateGain("tanh"))
 */
export function xavierUniform(tensor: Tensor, gain = 1, opts: InitGeneratorOptions = {}): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(tensor);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(tensor, -a, a, opts);
}

/** Glorot/Xavier normal: N(0, std²) with std = gain·√(2 / (fanIn + fanOut)); returns `tensor`. @example cr.nn.init.xavierNormal(w) */
export function xavierNormal(tensor: Tensor, gain = 1, opts: InitGeneratorOptions = {}): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(tensor);
  return normal(tensor, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), opts);
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
 * @example cr.nn.init.kaimingUniform(conv.weight, { mode: "fan_out", nonlinearity: "relu" })
 */
export function kaimingUniform(tensor: Tensor, opts: KaimingOptions = {}): Tensor {
  if (tensor.numel() === 0) return tensor;
  const bound = Math.sqrt(3) * kaimingStd("kaimingUniform", tensor, opts);
  return uniform(tensor, -bound, bound, opts);
}

/** He/Kaiming normal: N(0, std²) with std = gain / √fan; returns `tensor`. @example cr.nn.init.kaimingNormal(w, { nonlinearity: "relu" }) */
export function kaimingNormal(tensor: Tensor, opts: KaimingOptions = {}): Tensor {
  if (tensor.numel() === 0) return tensor;
  return normal(tensor, 0, kaimingStd("kaimingNormal", tensor, opts), opts);
}
