// `cr.optim`: optimizers, learning-rate schedulers (also as `cr.optim.lrScheduler`) and gradient clipping.
export { Optimizer } from "./optimizer.js";
export type {
  OptimizerOptions, ParamGroup, ParamGroupInput, ParamsInput, ParamState, SchedulerFields, ZeroGradOptions,
} from "./optimizer.js";
export type { Hyperparameter, OptimizerStateDict, ParamGroupDict, SchedulerStateDict, StateValue } from "./state-dict.js";
export { SGD } from "./sgd.js";
export type { SGDOptions, SGDState } from "./sgd.js";
export { Adam } from "./adam.js";
export type { AdamOptions, AdamState } from "./adam.js";
export { AdamW } from "./adamw.js";
export { RMSprop } from "./rmsprop.js";
export type { RMSpropOptions, RMSpropState } from "./rmsprop.js";
export { Adagrad } from "./adagrad.js";
export type { AdagradOptions, AdagradState } from "./adagrad.js";
export * as lrScheduler from "./lr-scheduler.js";
export * from "./lr-scheduler.js";
export { clipGradNorm_, clipGradValue_ } from "./clip.js";
export type { ClipGradNormOptions } from "./clip.js";
export { weightDecayGroups } from "./param-groups.js";
export type { NamedParameterSource, WeightDecayGroupsOptions } from "./param-groups.js";
