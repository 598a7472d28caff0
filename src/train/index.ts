// `cr.train`: the training loop the lesson describes, as library functions.
export { trainEpoch, evaluate } from "./loop.js";
export type { LossFn, Model, Metrics } from "./loop.js";
export { trainEpochAsync, evaluateAsync } from "./async-loop.js";
export type { TrainEpochAsyncOptions } from "./async-loop.js";
