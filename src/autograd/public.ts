// The `cr.autograd` namespace: PyTorch's torch.autograd in camelCase.
export { grad, backward } from "./grad.js";
export type { GradOptions, BackwardAllOptions } from "./grad.js";
export { gradcheck, gradgradcheck } from "./gradcheck.js";
export type { GradcheckOptions } from "./gradcheck.js";
export { Node, AccumulateGrad } from "./node.js";
export type { Edge, GradHook } from "./node.js";
export { Function, FunctionCtx } from "./function.js";
export type { BackwardResult, FunctionClass } from "./function.js";
export { detectAnomaly, setDetectAnomaly, isAnomalyEnabled, AnomalyError } from "./anomaly.js";
