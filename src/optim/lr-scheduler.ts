// The learning-rate schedulers, gathered as torch.optim.lr_scheduler: `cr.optim.lrScheduler.StepLR`.
export { LRScheduler } from "./scheduler.js";
export type { SchedulerOptions } from "./scheduler.js";
export { StepLR } from "./step-lr.js";
export type { StepLROptions } from "./step-lr.js";
export { ExponentialLR } from "./exponential-lr.js";
export { CosineAnnealingLR } from "./cosine-annealing-lr.js";
export type { CosineAnnealingLROptions } from "./cosine-annealing-lr.js";
export { OneCycleLR } from "./one-cycle-lr.js";
export type { OneCycleLROptions } from "./one-cycle-lr.js";
export { LinearLR } from "./linear-lr.js";
export type { LinearLROptions } from "./linear-lr.js";
export { LambdaLR } from "./lambda-lr.js";
export type { LrLambda } from "./lambda-lr.js";
export { SequentialLR } from "./sequential-lr.js";
