// AdamW: Adam with decoupled weight decay (torch.optim.AdamW).
import type { Tensor } from "../tensor/tensor.js";
import { AdamBase, adamStep } from "./adam.js";
import type { AdamOptions } from "./adam.js";
import type { ParamGroup, ParamsInput } from "./optimizer.js";

/**
 * AdamW, as `torch.optim.AdamW`: the weights decay by `lr·weightDecay` at every step, apart from
 * the gradient's moments (default weightDecay 1e-2), then the Adam step.
 * @example
 * const opt = new cr.optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.05 });
 */
export class AdamW extends AdamBase {
  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super("AdamW", params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false }, options);
  }

  // p = p·(1 − lr·weightDecay), then the Adam step with g = ±grad (torch multiplies even when weightDecay is 0: by exactly 1).
  protected override update(p: Tensor, grad: Tensor, group: ParamGroup<AdamOptions>): void {
    const g = group.maximize ? grad.neg() : grad;
    const decay = 1 - group.lr * group.weightDecay;
    if (decay !== 1) p.mul_(decay);
    adamStep(this.state, p, g, group);
  }
}
