// `cr.func`: composable function transforms, PyTorch's torch.func (and JAX's) in camelCase.
export { grad, valueAndGrad, vjp } from "./reverse.js";
export type { GradOptions, VjpFn } from "./reverse.js";
export { jvp } from "./forward.js";
export { jacobian, hessian, hvp } from "./jacobian.js";
export type { JacobianOptions } from "./jacobian.js";
export type { Argnums, Selected, JacobianOf } from "./args.js";
export type { TensorTree } from "./tree.js";
