// Activation layers: modules wrapping the elementwise nonlinearities and softmax, for use in Sequential.
import { ArgumentError } from "../errors.js";
import { gelu, leakyRelu, relu, sigmoid, silu, softplus, tanh } from "../tensor/elementwise.js";
import { logSoftmax, softmax } from "../tensor/reduce.js";
import type { Tensor } from "../tensor/tensor.js";
import { logSigmoid } from "./functional/activation.js";
import { Module } from "./module.js";

/** `max(x, 0)`. @example new cr.nn.Sequential(new cr.nn.Linear(4, 8), new cr.nn.ReLU()) */
export class ReLU extends Module {
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.ReLU().forward(cr.tensor([-1, 2])) // [0, 2] */
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

/** `x` for x > 0, `negativeSlope·x` otherwise (default slope 0.01). @example new cr.nn.LeakyReLU(0.2) */
export class LeakyReLU extends Module {
  constructor(
    /** The slope for x < 0 (default 0.01). */
    readonly negativeSlope = 0.01,
  ) {
    super();
  }
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.LeakyReLU(0.1).forward(cr.tensor([-1, 2])) // [-0.1, 2] */
  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }
  override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

/** The logistic function `1 / (1 + e⁻ˣ)`. @example new cr.nn.Sigmoid().forward(logits) */
export class Sigmoid extends Module {
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.Sigmoid().forward(cr.tensor([0])) // [0.5] */
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/** Hyperbolic tangent. @example new cr.nn.Tanh().forward(x) */
export class Tanh extends Module {
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.Tanh().forward(cr.tensor([0])) // [0] */
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/** Options of `GELU`. */
export interface GELUOptions {
  /** "none" (default): exact x·Φ(x); "tanh": the tanh approximation. */
  approximate?: "none" | "tanh";
}

/** Gaussian error linear unit, exact or (`approximate: "tanh"`) approximated. @example new cr.nn.GELU({ approximate: "tanh" }) */
export class GELU extends Module {
  /** "none" for the exact form, "tanh" for the tanh approximation. */
  readonly approximate: "none" | "tanh";
  constructor(opts: GELUOptions = {}) {
    super();
    this.approximate = opts.approximate ?? "none";
    if (this.approximate !== "none" && this.approximate !== "tanh") {
      throw new ArgumentError(`GELU: approximate must be "none" or "tanh", got ${JSON.stringify(opts.approximate)}`);
    }
  }
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.GELU().forward(cr.tensor([0, 1])) // [0, 0.8413] */
  forward(x: Tensor): Tensor {
    return gelu(x, this.approximate);
  }
  override extraRepr(): string {
    return `approximate=${JSON.stringify(this.approximate)}`;
  }
}

/** `x·σ(x)` (swish). @example new cr.nn.SiLU() */
export class SiLU extends Module {
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.SiLU().forward(cr.tensor([0, 1])) // [0, 0.7311] */
  forward(x: Tensor): Tensor {
    return silu(x);
  }
}

/** `log(1 + eˣ)·/β`, linear above `threshold`. @example new cr.nn.Softplus() */
export class Softplus extends Module {
  constructor(
    /** β in `log(1 + e^(βx)) / β` (default 1): larger is closer to ReLU. */
    readonly beta = 1,
    /** Above `β·x > threshold` the result is x itself, which avoids overflow in e^(βx) (default 20). */
    readonly threshold = 20,
  ) {
    super();
  }
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.Softplus().forward(cr.tensor([0])) // [0.6931] */
  forward(x: Tensor): Tensor {
    return softplus(x, this.beta, this.threshold);
  }
  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

/** `log σ(x)`, stable for large |x|. @example new cr.nn.LogSigmoid() */
export class LogSigmoid extends Module {
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.LogSigmoid().forward(cr.tensor([0])) // [-0.6931] */
  forward(x: Tensor): Tensor {
    return logSigmoid(x);
  }
}

/** Softmax along `dim`: non-negative, summing to 1. @example new cr.nn.Softmax(1).forward(logits) */
export class Softmax extends Module {
  constructor(
    /** The dim whose entries sum to 1. */
    readonly dim: number,
  ) {
    super();
    if (!Number.isInteger(dim)) throw new ArgumentError(`Softmax: dim must be an integer, got ${String(dim)}`);
  }
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.Softmax(-1).forward(cr.tensor([[0, 0]])) // [[0.5, 0.5]] */
  forward(x: Tensor): Tensor {
    return softmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** Log-softmax along `dim`, stable for large logits. @example new cr.nn.LogSoftmax(1) */
export class LogSoftmax extends Module {
  constructor(
    /** The dim normalized over (its entries' exponentials sum to 1). */
    readonly dim: number,
  ) {
    super();
    if (!Number.isInteger(dim)) throw new ArgumentError(`LogSoftmax: dim must be an integer, got ${String(dim)}`);
  }
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.LogSoftmax(0).forward(cr.tensor([0, 0])) // [-0.6931, -0.6931] */
  forward(x: Tensor): Tensor {
    return logSoftmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
