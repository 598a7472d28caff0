// Functional activations (`cr.nn.functional.relu`, …): the tensor ops under PyTorch's F names, plus logSigmoid
// (PyTorch's logsigmoid, under the name chainrule first gave it; activation-extended.ts has the rest).
import { logsigmoid } from "./activation-extended.js";
import type { Tensor } from "../../tensor/tensor.js";

export { relu, leakyRelu, sigmoid, tanh, gelu, silu, softplus } from "../../tensor/elementwise.js";
export { softmax, logSoftmax } from "../../tensor/reduce.js";

/**
 * `log σ(x)`, stable for large |x|: PyTorch's `logsigmoid` (the registry's op, whose gradient at 0 is the true ½).
 * @example cr.nn.functional.logSigmoid(cr.tensor([-1000, 0, 1000])) // [-1000, -0.6931, 0]
 */
export function logSigmoid(x: Tensor): Tensor {
  return logsigmoid(x);
}
