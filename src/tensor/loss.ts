// The negative log likelihood as one primitive (nn/functional/loss.ts composes the weighted and smoothed losses
// from tensor ops): forward one kernel, backward one kernel, where the composite took some twenty ops of each.
import { applyPrimitive } from "../autograd/dispatch.js";
import type { LossReduction } from "../backend/backend.js";
import type { Tensor } from "./tensor.js";

/**
 * `−logp[n, target[n, …], …]` for int32 class indices `target` (already checked against the class count), 0 where
 * the target is `ignoreIndex`; reduced to the mean over the targets that count, the sum, or none.
 */
export function nllLossOf(logp: Tensor, target: Tensor, ignoreIndex: number, reduction: LossReduction): Tensor {
  return applyPrimitive("nllLoss", [logp, target], { ignoreIndex, reduction });
}
