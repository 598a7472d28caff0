// Adam (torch.optim.Adam), and the moment update it shares with AdamW.
import { maximum } from "../tensor/elementwise.js";
import { zerosLike } from "../tensor/creation.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import { ArgumentError } from "../errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, checkFlag, checkNonNegative } from "./optimizer.js";
import type { ParamGroup, ParamsInput } from "./optimizer.js";

/** Adam's hyperparameters (AdamW's too), with PyTorch's defaults. */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Decay rates of the running averages of the gradient and of its square (default [0.9, 0.999]). */
  betas: readonly [number, number];
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps: number;
  /** Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled decay of the weights (default 1e-2). */
  weightDecay: number;
  /** Use the maximum of the past squared-gradient averages (AMSGrad). */
  amsgrad: boolean;
  /** Ascend the objective instead of descending it. */
  maximize: boolean;
}

/** Adam's and AdamW's per-parameter state. */
export type AdamState = { step: number; expAvg: Tensor; expAvgSq: Tensor; maxExpAvgSq?: Tensor };

/** Checks Adam's and AdamW's hyperparameters, with PyTorch's rules. */
export function checkAdamOptions(label: string, o: AdamOptions): void {
  checkNonNegative(label, "learning rate (lr)", o.lr);
  checkNonNegative(label, "epsilon (eps)", o.eps);
  if (!Array.isArray(o.betas) || o.betas.length !== 2) throw new ArgumentError(`${label}: betas must be a pair [beta1, beta2], got ${String(o.betas)}`);
  o.betas.forEach((b, i) => {
    if (typeof b !== "number" || !(b >= 0 && b < 1)) throw new ArgumentError(`${label}: invalid beta parameter at index ${i}: ${String(b)}; it must be in [0, 1)`);
  });
  checkNonNegative(label, "weightDecay", o.weightDecay);
  checkFlag(label, "amsgrad", o.amsgrad);
  checkFlag(label, "maximize", o.maximize);
}

/** The state keys of Adam and AdamW for a group. */
export function adamStateKeys(group: AdamOptions): readonly string[] {
  return group.amsgrad ? ["step", "expAvg", "expAvgSq", "maxExpAvgSq"] : ["step", "expAvg", "expAvgSq"];
}

/**
 * One Adam step on `p` with gradient `g` (weight decay already applied as the caller wants), PyTorch
 * 1.13's _single_tensor_adam, in its order of operations so float64 results agree to the last bits:
 *   m = β1·m + (1 − β1)·g;   v = β2·v + (1 − β2)·g·g;   (AMSGrad: v̂ = max(v̂, v), used in place of v)
 *   p −= (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + eps)
 */
export function adamStep(state: Map<Tensor, AdamState>, p: Tensor, g: Tensor, group: AdamOptions): void {
  const { lr, betas, eps, amsgrad } = group;
  const [beta1, beta2] = betas;
  let s = state.get(p);
  if (s === undefined) {
    s = { step: 0, expAvg: zerosLike(p), expAvgSq: zerosLike(p) };
    state.set(p, s);
  }
  s.step += 1;
  const biasCorrection1 = 1 - beta1 ** s.step;
  const biasCorrection2 = 1 - beta2 ** s.step;
  const stepSize = lr / biasCorrection1;
  if (amsgrad) s.maxExpAvgSq ??= zerosLike(p);
  const buffers = [p, s.expAvg, s.expAvgSq, ...(amsgrad ? [s.maxExpAvgSq!] : [])];
  // One fused pass where nothing is recorded and every buffer is on one backend: the same numbers as
  // the ops below, without their ~10 temporaries per parameter.
  if (!(isGradEnabled() && p.requiresGrad) && [g, ...buffers].every((t) => t._backend === p._backend && t.dtype === p.dtype)) {
    p._backend.adamUpdate(p._data(), g._data(), s.expAvg._buf, s.expAvgSq._buf, amsgrad ? s.maxExpAvgSq!._buf : null, {
      beta1, beta2, stepSize, biasCorrection2Sqrt: Math.sqrt(biasCorrection2), eps,
    });
    for (const t of buffers) t._version.value++;
    return;
  }
  s.expAvg.mul_(beta1).add_(g.mul(1 - beta1));
  s.expAvgSq.mul_(beta2).add_(g.mul(1 - beta2).mul(g));
  let second = s.expAvgSq;
  if (amsgrad) second = s.maxExpAvgSq!.copy_(maximum(s.maxExpAvgSq!, s.expAvgSq));
  const denom = second.sqrt().div(Math.sqrt(biasCorrection2)).add(eps);
  p.sub_(s.expAvg.mul(stepSize).div(denom));
}

/** What Adam and AdamW share: options, validation and state; they differ in defaults and weight decay. */
export abstract class AdamBase extends Optimizer<AdamOptions, AdamState> {
  protected override readonly keepsGradients = false;
  protected override checkOptions(o: AdamOptions): void {
    checkAdamOptions(this.label, o);
  }

  protected override stateKeys(group: ParamGroup<AdamOptions>): readonly string[] {
    return adamStateKeys(group);
  }

  protected override knownStateKeys(): readonly string[] {
    return ["step", "expAvg", "expAvgSq", "maxExpAvgSq"];
  }
}

/**
 * Adam, as `torch.optim.Adam`: adaptive moments with bias correction; `weightDecay` adds an L2
 * penalty to the gradient (use AdamW for decoupled weight decay).
 * @example
 * const opt = new cr.optim.Adam(model.parameters(), { lr: 1e-3, betas: [0.9, 0.999], amsgrad: true });
 */
export class Adam extends AdamBase {
  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super("Adam", params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false }, options);
  }

  // g = ±grad + weightDecay·p (L2 penalty), then the Adam step.
  protected override update(p: Tensor, grad: Tensor, group: ParamGroup<AdamOptions>): void {
    let g = group.maximize ? grad.neg() : grad;
    if (group.weightDecay !== 0) g = g.add(p.mul(group.weightDecay));
    adamStep(this.state, p, g, group);
  }
}
