// RMSprop, optionally centered and with momentum (torch.optim.RMSprop).
import { zerosLike } from "../tensor/creation.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, checkFlag, checkNonNegative } from "./optimizer.js";
import type { ParamGroup, ParamsInput } from "./optimizer.js";

/** RMSprop's hyperparameters, with PyTorch's defaults. */
export interface RMSpropOptions {
  /** Learning rate (default 1e-2). */
  lr: number;
  /** Smoothing constant of the running average of the squared gradient (default 0.99). */
  alpha: number;
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Momentum factor (default 0). */
  momentum: number;
  /** Normalize by an estimate of the gradient's variance instead of its second moment. */
  centered: boolean;
  /** Ascend the objective instead of descending it. */
  maximize: boolean;
}

/** RMSprop's per-parameter state. */
export type RMSpropState = { step: number; squareAvg: Tensor; momentumBuffer?: Tensor; gradAvg?: Tensor };

/**
 * RMSprop, as `torch.optim.RMSprop`.
 * @example
 * const opt = new cr.optim.RMSprop(model.parameters(), { lr: 1e-3, momentum: 0.9, centered: true });
 */
export class RMSprop extends Optimizer<RMSpropOptions, RMSpropState> {
  protected override readonly keepsGradients = false;
  constructor(params: ParamsInput<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super("RMSprop", params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false }, options);
  }

  protected override checkOptions(o: RMSpropOptions): void {
    checkNonNegative("RMSprop", "learning rate (lr)", o.lr);
    checkNonNegative("RMSprop", "epsilon (eps)", o.eps);
    checkNonNegative("RMSprop", "momentum", o.momentum);
    checkNonNegative("RMSprop", "weightDecay", o.weightDecay);
    checkNonNegative("RMSprop", "alpha", o.alpha);
    checkFlag("RMSprop", "centered", o.centered);
    checkFlag("RMSprop", "maximize", o.maximize);
  }

  protected override stateKeys(group: ParamGroup<RMSpropOptions>): readonly string[] {
    return ["step", "squareAvg", ...(group.momentum > 0 ? ["momentumBuffer"] : []), ...(group.centered ? ["gradAvg"] : [])];
  }

  protected override knownStateKeys(): readonly string[] {
    return ["step", "squareAvg", "momentumBuffer", "gradAvg"];
  }

  // g = ±grad + weightDecay·p;  v = α·v + (1 − α)·g·g;
  // centered: ḡ = α·ḡ + (1 − α)·g, avg = √(v − ḡ·ḡ) + eps;  otherwise avg = √v + eps;
  // momentum: b = momentum·b + g/avg, p −= lr·b;  otherwise p −= lr·g/avg.   (PyTorch 1.13's _single_tensor_rmsprop)
  protected override update(p: Tensor, grad: Tensor, group: ParamGroup<RMSpropOptions>): void {
    const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = group;
    let g = maximize ? grad.neg() : grad;
    if (weightDecay !== 0) g = g.add(p.mul(weightDecay));
    let s = this.state.get(p);
    if (s === undefined) {
      // torch's order of keys, so state dicts list them alike.
      s = { step: 0, squareAvg: zerosLike(p) };
      if (momentum > 0) s.momentumBuffer = zerosLike(p);
      if (centered) s.gradAvg = zerosLike(p);
      this.state.set(p, s);
    }
    s.step += 1;
    s.squareAvg.mul_(alpha).add_(g.mul(1 - alpha).mul(g));
    let avg: Tensor;
    if (centered) {
      s.gradAvg ??= zerosLike(p);
      const gradAvg = s.gradAvg.mul_(alpha).add_(g.mul(1 - alpha));
      avg = s.squareAvg.sub(gradAvg.mul(gradAvg)).sqrt();
    } else {
      avg = s.squareAvg.sqrt();
    }
    avg = avg.add(eps);
    if (momentum > 0) {
      s.momentumBuffer ??= zerosLike(p);
      p.sub_(s.momentumBuffer.mul_(momentum).add_(g.div(avg)).mul(lr));
    } else {
      p.sub_(g.mul(lr).div(avg));
    }
  }
}
