// Runs a primitive: its forward kernel on the backend, and, when gradients are needed, a graph node.
import { ArgumentError } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { FunctionNode } from "./function-node.js";
import { isGradEnabled } from "./grad-mode.js";
import { rules } from "./primitives.js";
import type { Primitive, PrimitiveParams } from "./primitives.js";
import type { Rule } from "./rule.js";

const backwardNames = new Map<string, string>();
function backwardName(prim: string): string {
  let name = backwardNames.get(prim);
  if (name === undefined) {
    name = `${prim[0]!.toUpperCase()}${prim.slice(1)}Backward`;
    backwardNames.set(prim, name);
  }
  return name;
}

/** Applies primitive `prim` to `inputs`; the single entry point from the tensor API to the backends. */
export function applyPrimitive<P extends Primitive>(prim: P, inputs: readonly Tensor[], params: PrimitiveParams[P]): Tensor {
  const rule = rules[prim] as Rule<PrimitiveParams[P]>;
  const backend = inputs[0]!._backend;
  for (const t of inputs) {
    if (t._backend !== backend) {
      throw new ArgumentError(`${prim}: tensors live on different backends (${backend.name} and ${t._backend.name})`);
    }
  }
  const result = rule.forward(backend, inputs.map((t) => t._data()), params);
  const out = Tensor._create(result.buf, result.shape, result.dtype, backend, rule.view ? inputs[0]!._version : undefined);
  if (rule.vjp !== undefined && isGradEnabled() && inputs.some((t) => t.requiresGrad)) {
    const edges = inputs.map((t) => (t.requiresGrad ? t._gradientEdge() : null));
    out._setGradFn(new FunctionNode(backwardName(prim), edges, rule, params, inputs, out));
  }
  return out;
}
