// Linear (a fully connected layer) and Identity.
import type { Tensor } from "../tensor/tensor.js";
import { checkInt, emptyParameter, floatDType, resetLinearLike } from "./common.js";
import type { DTypeOption } from "./common.js";
import { linearAs } from "./functional/layers.js";
import { Module } from "./module.js";
import type { Parameter } from "./parameter.js";

/** Options of `Linear`. */
export interface LinearOptions extends DTypeOption {
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

/**
 * `y = x·Wᵀ + b`: weight `[outFeatures, inFeatures]`, bias `[outFeatures]`, input `[..., inFeatures]`.
 * Initialised as PyTorch's, weight and bias from U(±1/√inFeatures).
 * @example
 * const fc = new cr.nn.Linear(3, 5);
 * fc.forward(cr.randn([4, 3])).shape; // [4, 5]
 */
export class Linear extends Module {
  /** Size of each input sample (the last dim of the input). */
  readonly inFeatures: number;
  /** Size of each output sample. */
  readonly outFeatures: number;
  /** The weight, `[outFeatures, inFeatures]` as PyTorch lays it out. */
  weight: Parameter;
  /** The bias, `[outFeatures]`; null when made with `bias: false`. */
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    checkInt("Linear", "inFeatures", inFeatures);
    checkInt("Linear", "outFeatures", outFeatures);
    const dtype = floatDType("Linear", opts.dtype);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = emptyParameter([outFeatures, inFeatures], dtype);
    this.bias = opts.bias === false ? null : emptyParameter([outFeatures], dtype);
    this.resetParameters();
  }

  /**
   * Draws fresh initial weights, as at construction.
   * @example layer.resetParameters(); // new weights, as at construction
   */
  resetParameters(): void {
    resetLinearLike(this.weight, this.bias);
  }

  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.Linear(4, 2).forward(cr.ones([3, 4])).shape // [3, 2] */
  forward(x: Tensor): Tensor {
    return linearAs(this.moduleName, x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/**
 * Returns its input: a placeholder where a layer is optional.
 * @example const norm = useNorm ? new cr.nn.LayerNorm(64) : new cr.nn.Identity();
 */
export class Identity extends Module {
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.Identity().forward(cr.tensor([1, 2])) // [1, 2] */
  forward(x: Tensor): Tensor {
    return x;
  }
}
