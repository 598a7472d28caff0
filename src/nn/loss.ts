// Loss modules (MSELoss, CrossEntropyLoss, …): PyTorch's loss classes over the functional losses;
// class and positive weights are buffers, saved in the state dict as PyTorch's `weight`/`pos_weight`.
import type { Tensor } from "../tensor/tensor.js";
import {
  bceLoss, bceWithLogitsLoss, checkReduction, crossEntropy, huberLoss, l1Loss, mseLoss, nllLoss,
} from "./functional/loss.js";
import type { BceLossOptions, BceWithLogitsLossOptions, CrossEntropyOptions, HuberLossOptions, NllLossOptions, Reduction, ReductionOptions } from "./functional/loss.js";
import { Module } from "./module.js";

/**
 * The shared part of the losses (PyTorch's `_Loss`): `forward(input, target)` and the reduction.
 * @example
 * class Rmse extends cr.nn.Loss {
 *   forward(input: cr.Tensor, target: cr.Tensor) { return cr.nn.functional.mseLoss(input, target).sqrt(); }
 * }
 */
export abstract class Loss extends Module<[Tensor, Tensor], Tensor> {
  /** How the per-element losses combine: "mean", "sum" or "none". */
  readonly reduction: Reduction;
  constructor(opts: ReductionOptions = {}) {
    super();
    this.reduction = checkReduction(this.moduleName, opts.reduction);
  }
  override extraRepr(): string {
    return this.reduction === "mean" ? "" : `reduction=${JSON.stringify(this.reduction)}`;
  }
}

/** Mean squared error. @example const loss = new cr.nn.MSELoss().forward(pred, y); */
export class MSELoss extends Loss {
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.MSELoss().forward(cr.tensor([1, 2]), cr.tensor([2, 4])) // 2.5 */
  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}

/** Mean absolute error. @example new cr.nn.L1Loss({ reduction: "sum" }).forward(pred, y) */
export class L1Loss extends Loss {
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.L1Loss().forward(cr.tensor([1, 2]), cr.tensor([2, 4])) // 1.5 */
  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, { reduction: this.reduction });
  }
}

/** Huber loss: quadratic within `delta` (default 1), linear beyond. @example new cr.nn.HuberLoss({ delta: 0.5 }) */
export class HuberLoss extends Loss {
  /** Where the loss turns from quadratic to linear (default 1). */
  readonly delta: number;
  constructor(opts: HuberLossOptions = {}) {
    super(opts);
    this.delta = opts.delta ?? 1;
  }
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.HuberLoss().forward(cr.tensor([0, 0]), cr.tensor([0.5, 3])) // 1.3125 */
  forward(input: Tensor, target: Tensor): Tensor {
    return huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/** Binary cross entropy of probabilities (logs clamped at -100). @example new cr.nn.BCELoss().forward(p, y) */
export class BCELoss extends Loss {
  constructor(opts: BceLossOptions = {}) {
    super(opts);
    this.registerBuffer("weight", opts.weight ?? null);
  }
  /** The per-element weight (buffer `weight`), or null. */
  get weight(): Tensor | null {
    return this.buffer("weight");
  }
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.BCELoss().forward(cr.tensor([0.5, 0.5]), cr.tensor([1, 0])) // 0.6931 */
  forward(input: Tensor, target: Tensor): Tensor {
    return bceLoss(input, target, { reduction: this.reduction, weight: this.weight });
  }
}

/**
 * Binary cross entropy on logits, stable for any logit.
 * @example new cr.nn.BCEWithLogitsLoss({ posWeight: cr.tensor([2]) }).forward(logits, y)
 */
export class BCEWithLogitsLoss extends Loss {
  constructor(opts: BceWithLogitsLossOptions = {}) {
    super(opts);
    this.registerBuffer("weight", opts.weight ?? null);
    this.registerBuffer("pos_weight", opts.posWeight ?? null);
  }
  /** The per-element weight (buffer `weight`), or null. */
  get weight(): Tensor | null {
    return this.buffer("weight");
  }
  /** The weight of positive examples (buffer `pos_weight`), or null. */
  get posWeight(): Tensor | null {
    return this.buffer("pos_weight");
  }
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.BCEWithLogitsLoss().forward(cr.tensor([0, 0]), cr.tensor([1, 0])) // 0.6931 */
  forward(input: Tensor, target: Tensor): Tensor {
    return bceWithLogitsLoss(input, target, { reduction: this.reduction, weight: this.weight, posWeight: this.posWeight });
  }
}

/**
 * Cross entropy of logits against class indices (int32) or class probabilities, with `weight`,
 * `ignoreIndex` (default -100) and `labelSmoothing` as PyTorch.
 * @example new cr.nn.CrossEntropyLoss({ labelSmoothing: 0.1 }).forward(logits, labels)
 */
export class CrossEntropyLoss extends Loss {
  /** Targets equal to this class are left out of the loss and the mean. */
  readonly ignoreIndex: number;
  /** The share of the target's probability spread evenly over all classes (0 for none). */
  readonly labelSmoothing: number;
  constructor(opts: CrossEntropyOptions = {}) {
    super(opts);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
    this.registerBuffer("weight", opts.weight ?? null);
  }
  /** The per-class weight (buffer `weight`), or null. */
  get weight(): Tensor | null {
    return this.buffer("weight");
  }
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.CrossEntropyLoss().forward(cr.tensor([[0, 0]]), cr.tensor([1], { dtype: "int32" })) // 0.6931 */
  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, { reduction: this.reduction, weight: this.weight, ignoreIndex: this.ignoreIndex, labelSmoothing: this.labelSmoothing });
  }
}

/** Negative log likelihood of log-probabilities at class indices. @example new cr.nn.NLLLoss().forward(logits.logSoftmax(1), labels) */
export class NLLLoss extends Loss {
  /** Targets equal to this class are left out of the loss and the mean. */
  readonly ignoreIndex: number;
  constructor(opts: NllLossOptions = {}) {
    super(opts);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.registerBuffer("weight", opts.weight ?? null);
  }
  /** The per-class weight (buffer `weight`), or null. */
  get weight(): Tensor | null {
    return this.buffer("weight");
  }
  /** Applies the module to its input (run it as `module.forward(x)`, which also runs its hooks). @example new cr.nn.NLLLoss().forward(cr.tensor([[-1, -2]]), cr.tensor([1], { dtype: "int32" })) // 2 */
  forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, { reduction: this.reduction, weight: this.weight, ignoreIndex: this.ignoreIndex });
  }
}
