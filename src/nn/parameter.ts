// `cr.nn.Parameter`: a leaf tensor that a Module registers as one of its learnable weights.
import { markKept } from "../tensor/lifetime.js";
import { Tensor } from "../tensor/tensor.js";

/**
 * A tensor that a Module lists in `parameters()`: a leaf sharing `data`'s memory, requiring grad by default.
 * @example this.weight = new cr.nn.Parameter(cr.randn([out, inp]).mul(0.01));
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    if (!(data instanceof Tensor)) throw new TypeError("Parameter: expected a Tensor");
    super(data._buf, data.shape, data.dtype, data._backend, data._version);
    if (requiresGrad) this.requiresGrad = true;
    markKept(this, "user"); // a model's weights outlive the scopes they are used in (or made in)
  }

  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}
