// Shared bits of the layer classes: the dtype option, parameter creation, and PyTorch's default weight init.
import type { DType } from "../dtype.js";
import { isFloating } from "../dtype.js";
import { ArgumentError, DTypeError } from "../errors.js";
import { zeros } from "../tensor/creation.js";
import * as init from "./init.js";
import { Parameter } from "./parameter.js";

/** The `dtype` option of layers with parameters (float32 by default). */
export interface DTypeOption {
  /** The dtype of the layer's parameters (default float32). */
  dtype?: DType;
}

/** Checks a layer's `dtype` option: parameters must be floating point. */
export function floatDType(owner: string, dtype: DType | undefined): DType {
  const d = dtype ?? "float32";
  if (!isFloating(d)) throw new DTypeError(`${owner}: dtype must be float32 or float64, got ${d}`);
  return d;
}

/** A zero-filled parameter, to be initialised in place. */
export function emptyParameter(shape: readonly number[], dtype: DType): Parameter {
  return new Parameter(zeros(shape, { dtype }));
}

/**
 * PyTorch's reset_parameters of Linear and Conv2d: kaiming_uniform_ with a = √5 (that is,
 * U(±1/√fanIn)) for the weight, and U(±1/√fanIn) for the bias.
 */
export function resetLinearLike(weight: Parameter, bias: Parameter | null): void {
  init.kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias !== null) {
    const { fanIn } = init.calculateFanInAndFanOut(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    init.uniform_(bias, -bound, bound);
  }
}

/** Throws unless `value` is an integer ≥ `min`, naming the layer and the argument. */
export function checkInt(owner: string, name: string, value: number, min = 0): number {
  if (!Number.isInteger(value) || value < min) throw new ArgumentError(`${owner}: ${name} must be an integer >= ${min}, got ${value}`);
  return value;
}
