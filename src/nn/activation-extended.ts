// More activation layers (PyTorch's ELU, CELU, SELU, ReLU6, Hardtanh, Hardswish, Hardsigmoid, Mish, Softsign,
// Softmin, GLU and PReLU): modules over the functional forms, with PyTorch's constructor arguments and defaults.
import { ArgumentError } from "../errors.js";
import { full } from "../tensor/creation.js";
import type { Tensor } from "../tensor/tensor.js";
import type { DType } from "../dtype.js";
import { checkInt, floatDType } from "./common.js";
import type { DTypeOption } from "./common.js";
import { celu, elu, glu, hardsigmoid, hardswish, hardtanh, mish, prelu, relu6, selu, softmin, softsign } from "./functional/activation-extended.js";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";

const withInplace = (repr: string, inplace: boolean) => (inplace ? (repr === "" ? "inplace=true" : `${repr}, inplace=true`) : repr);

function checkNumber(owner: string, name: string, v: number): number {
  if (typeof v !== "number" || Number.isNaN(v)) throw new ArgumentError(`${owner}: ${name} must be a number, got ${String(v)}`);
  return v;
}

/** `x` for x > 0, `alpha·(eˣ - 1)` otherwise. @example new cr.nn.ELU(1.0) */
export class ELU extends Module {
  constructor(
    /** The value the negative side approaches, α in `α·(eˣ − 1)` for x < 0 (default 1). */
    readonly alpha = 1,
    /** Write the result into the input, as PyTorch's `inplace=True` (default false). */
    readonly inplace = false,
  ) {
    super();
    checkNumber("ELU", "alpha", alpha);
  }
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.ELU().forward(cr.tensor([-1, 2])) // [-0.6321, 2] */
  forward(x: Tensor): Tensor {
    return elu(x, this.alpha, this.inplace);
  }
  override extraRepr(): string {
    return withInplace(`alpha=${this.alpha}`, this.inplace);
  }
}

/** `x` for x > 0, `alpha·(e^(x/alpha) - 1)` otherwise. @example new cr.nn.CELU(0.5) */
export class CELU extends Module {
  constructor(
    /** α in `max(0, x) + min(0, α·(e^(x/α) − 1))` (default 1). */
    readonly alpha = 1,
    /** Write the result into the input, as PyTorch's `inplace=True` (default false). */
    readonly inplace = false,
  ) {
    super();
    checkNumber("CELU", "alpha", alpha);
    if (alpha === 0) throw new ArgumentError("CELU: alpha must not be 0");
  }
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.CELU().forward(cr.tensor([-1, 2])) // [-0.6321, 2] */
  forward(x: Tensor): Tensor {
    return celu(x, this.alpha, this.inplace);
  }
  override extraRepr(): string {
    return withInplace(`alpha=${this.alpha}`, this.inplace);
  }
}

/** Self-normalising ELU (`scale·elu(x, alpha)` with alpha ≈ 1.6733, scale ≈ 1.0507). @example new cr.nn.SELU() */
export class SELU extends Module {
  constructor(
    /** Write the result into the input, as PyTorch's `inplace=True` (default false). */
    readonly inplace = false,
  ) {
    super();
  }
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.SELU().forward(cr.tensor([0, 1])) // [0, 1.0507] */
  forward(x: Tensor): Tensor {
    return selu(x, this.inplace);
  }
  override extraRepr(): string {
    return withInplace("", this.inplace);
  }
}

/** `x` limited to [minVal, maxVal] (default [-1, 1]). @example new cr.nn.Hardtanh(-2, 2) */
export class Hardtanh extends Module {
  constructor(
    /** The lower bound (default -1). */
    readonly minVal = -1,
    /** The upper bound (default 1). */
    readonly maxVal = 1,
    /** Write the result into the input, as PyTorch's `inplace=True` (default false). */
    readonly inplace = false,
  ) {
    super();
    checkNumber("Hardtanh", "minVal", minVal);
    checkNumber("Hardtanh", "maxVal", maxVal);
    if (!(maxVal > minVal)) throw new ArgumentError(`Hardtanh: maxVal (${maxVal}) must be greater than minVal (${minVal})`);
  }
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.Hardtanh().forward(cr.tensor([-2, 0.5, 2])) // [-1, 0.5, 1] */
  forward(x: Tensor): Tensor {
    return hardtanh(x, this.minVal, this.maxVal, this.inplace);
  }
  override extraRepr(): string {
    return withInplace(`minVal=${this.minVal}, maxVal=${this.maxVal}`, this.inplace);
  }
}

/** `min(max(x, 0), 6)`. @example new cr.nn.ReLU6() */
export class ReLU6 extends Module {
  constructor(
    /** Write the result into the input, as PyTorch's `inplace=True` (default false). */
    readonly inplace = false,
  ) {
    super();
  }
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.ReLU6().forward(cr.tensor([-1, 3, 8])) // [0, 3, 6] */
  forward(x: Tensor): Tensor {
    return relu6(x, this.inplace);
  }
  override extraRepr(): string {
    return withInplace("", this.inplace);
  }
}

/** `x·min(max(x + 3, 0), 6) / 6`. @example new cr.nn.Hardswish() */
export class Hardswish extends Module {
  constructor(
    /** Write the result into the input, as PyTorch's `inplace=True` (default false). */
    readonly inplace = false,
  ) {
    super();
  }
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.Hardswish().forward(cr.tensor([-4, 1, 4])) // [0, 0.6667, 4] */
  forward(x: Tensor): Tensor {
    return hardswish(x, this.inplace);
  }
  override extraRepr(): string {
    return withInplace("", this.inplace);
  }
}

/** `min(max(x + 3, 0), 6) / 6`. @example new cr.nn.Hardsigmoid() */
export class Hardsigmoid extends Module {
  constructor(
    /** Write the result into the input, as PyTorch's `inplace=True` (default false). */
    readonly inplace = false,
  ) {
    super();
  }
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.Hardsigmoid().forward(cr.tensor([-3, 0, 3])) // [0, 0.5, 1] */
  forward(x: Tensor): Tensor {
    return hardsigmoid(x, this.inplace);
  }
  override extraRepr(): string {
    return withInplace("", this.inplace);
  }
}

/** `x·tanh(softplus(x))`. @example new cr.nn.Mish() */
export class Mish extends Module {
  constructor(
    /** Write the result into the input, as PyTorch's `inplace=True` (default false). */
    readonly inplace = false,
  ) {
    super();
  }
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.Mish().forward(cr.tensor([0, 1])) // [0, 0.8651] */
  forward(x: Tensor): Tensor {
    return mish(x, this.inplace);
  }
  override extraRepr(): string {
    return withInplace("", this.inplace);
  }
}

/** `x / (1 + |x|)`. @example new cr.nn.Softsign() */
export class Softsign extends Module {
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.Softsign().forward(cr.tensor([-1, 3])) // [-0.5, 0.75] */
  forward(x: Tensor): Tensor {
    return softsign(x);
  }
}

/** Softmax of `-x` along `dim`. @example new cr.nn.Softmin(1).forward(scores) */
export class Softmin extends Module {
  constructor(
    /** The dim whose entries sum to 1. */
    readonly dim: number,
  ) {
    super();
    if (!Number.isInteger(dim)) throw new ArgumentError(`Softmin: dim must be an integer, got ${String(dim)}`);
  }
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.Softmin(0).forward(cr.tensor([0, 0])) // [0.5, 0.5] */
  forward(x: Tensor): Tensor {
    return softmin(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** Gated linear unit: the first half of `dim` times σ(the second half). @example new cr.nn.GLU(-1) */
export class GLU extends Module {
  constructor(
    /** The dim split in half, `a ⊗ σ(b)` of the halves (default -1, the last). */
    readonly dim = -1,
  ) {
    super();
    if (!Number.isInteger(dim)) throw new ArgumentError(`GLU: dim must be an integer, got ${String(dim)}`);
  }
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.GLU().forward(cr.tensor([2, 0])) // [1] */
  forward(x: Tensor): Tensor {
    return glu(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/**
 * `x` for x > 0, `a·x` otherwise, with a learned slope `a`: one shared (`numParameters` 1, the default) or one
 * per channel (dim 1 of the input), each initialised to `init` (0.25). Its parameter is `weight`, as PyTorch's.
 * @example
 * const act = new cr.nn.PReLU(16); // after a Conv2d with 16 output channels
 */
export class PReLU extends Module {
  /** How many slopes are learned: 1, or one per channel. */
  readonly numParameters: number;
  /** The initial slope. */
  readonly init: number;
  /** The learned negative slopes. */
  weight: Parameter;

  constructor(numParameters = 1, init = 0.25, opts: DTypeOption = {}) {
    super();
    this.numParameters = checkInt("PReLU", "numParameters", numParameters, 1);
    this.init = checkNumber("PReLU", "init", init);
    const dtype: DType = floatDType("PReLU", opts.dtype);
    this.weight = new Parameter(full([numParameters], init, { dtype }));
  }

  /**
   * Sets every slope back to `init`.
   * @example prelu.resetParameters(); // every slope back to `init` (0.25 by default)
   */
  resetParameters(): void {
    this.weight.detach().fill_(this.init);
  }

  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.PReLU().forward(cr.tensor([-1, 2])) // [-0.25, 2] */
  forward(x: Tensor): Tensor {
    return prelu(x, this.weight);
  }

  override extraRepr(): string {
    return `numParameters=${this.numParameters}`;
  }
}
