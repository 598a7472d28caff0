// Functional activations (`cr.nn.functional.relu`, …): the tensor ops under PyTorch's F names, plus logSigmoid.
import { ge, where } from "../../tensor/elementwise.js";
import { checkTensor } from "../../tensor/elementwise.js";
import type { Tensor } from "../../tensor/tensor.js";

export { relu, leakyRelu, sigmoid, tanh, gelu, silu, softplus } from "../../tensor/elementwise.js";
export { softmax, logSoftmax } from "../../tensor/reduce.js";

/**
 * `log σ(x)`, computed as `min(x, 0) - log(1 + e^-|x|)` so it neither overflows nor loses the
 * tail (±1000 are fine). Both branches use the side x ≥ 0 at x = 0, so the gradient there is the
 * true 0.5 rather than the mix of one-sided kinks that abs and min would give.
 * @example cr.nn.functional.logSigmoid(cr.tensor([-1000, 0, 1000])) // [-1000, -0.6931, 0]
 */
export function logSigmoid(x: Tensor): Tensor {
  checkTensor("logSigmoid", x);
  const pos = ge(x, 0);
  const negAbs = where(pos, x.neg(), x);
  const minX0 = where(pos, 0, x);
  return minX0.sub(negAbs.exp().add(1).log());
}
