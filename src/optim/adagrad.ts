// Adagrad (torch.optim.Adagrad).
import { fullLike } from "../tensor/creation.js";
import { keep } from "../tensor/scope.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, checkFlag, checkNonNegative } from "./optimizer.js";
import type { ParamGroup, ParamsInput } from "./optimizer.js";

/** Adagrad's hyperparameters, with PyTorch's defaults. */
export interface AdagradOptions {
  /** Learning rate (default 1e-2). */
  lr: number;
  /** The lr at step t is lr / (1 + (t − 1)·lrDecay) (default 0). */
  lrDecay: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue: number;
  /** Added to the denominator for numerical stability (default 1e-10). */
  eps: number;
  /** Ascend the objective instead of descending it. */
  maximize: boolean;
}

/** Adagrad's per-parameter state. */
export type AdagradState = { step: number; sum: Tensor };

/**
 * Adagrad, as `torch.optim.Adagrad`. Like torch, it creates every parameter's state at construction.
 * @example
 * const opt = new cr.optim.Adagrad(model.parameters(), { lr: 0.1, lrDecay: 1e-3 });
 */
export class Adagrad extends Optimizer<AdagradOptions, AdagradState> {
  protected override readonly keepsGradients = false;
  constructor(params: ParamsInput<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super("Adagrad", params, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false }, options);
    for (const group of this.paramGroups) for (const p of group.params) this.initState(p, group);
  }

  protected override checkOptions(o: AdagradOptions): void {
    checkNonNegative("Adagrad", "learning rate (lr)", o.lr);
    checkNonNegative("Adagrad", "lrDecay", o.lrDecay);
    checkNonNegative("Adagrad", "weightDecay", o.weightDecay);
    checkNonNegative("Adagrad", "initialAccumulatorValue", o.initialAccumulatorValue);
    checkNonNegative("Adagrad", "epsilon (eps)", o.eps);
    checkFlag("Adagrad", "maximize", o.maximize);
  }

  protected override stateKeys(): readonly string[] {
    return ["step", "sum"];
  }

  protected override knownStateKeys(): readonly string[] {
    return ["step", "sum"];
  }

  private initState(p: Tensor, group: ParamGroup<AdagradOptions>): AdagradState {
    const s = { step: 0, sum: keep(fullLike(p, group.initialAccumulatorValue)) }; // made at construction: it must outlive a scope around it
    this.state.set(p, s);
    return s;
  }

  // g = ±grad + weightDecay·p;  clr = lr / (1 + (t − 1)·lrDecay);  sum += g·g;  p −= clr·g / (√sum + eps).
  // (PyTorch 1.13's _single_tensor_adagrad)
  protected override update(p: Tensor, grad: Tensor, group: ParamGroup<AdagradOptions>): void {
    const { lr, lrDecay, weightDecay, eps, maximize } = group;
    // Parameters added later by addParamGroup start here (torch would fail on them).
    const s = this.state.get(p) ?? this.initState(p, group);
    s.step += 1;
    let g = maximize ? grad.neg() : grad;
    if (weightDecay !== 0) g = g.add(p.mul(weightDecay));
    const clr = lr / (1 + (s.step - 1) * lrDecay);
    s.sum.add_(g.mul(g));
    const std = s.sum.sqrt().add(eps);
    p.sub_(g.mul(clr).div(std));
  }
}
