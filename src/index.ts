// The public API of chainrule, and nothing else: `import * as cr from "chainrule"`.
export * as backends from "./backends.js";
export { Tensor } from "./tensor/tensor.js";
export type { BackwardOptions } from "./tensor/tensor.js";
export type { NestedArray, NestedList } from "./tensor/convert.js";
export type { TensorLike } from "./tensor/elementwise.js";
export type { Dims, VarOptions } from "./tensor/reduce.js";
export type { TensorOptions, RandomOptions } from "./tensor/creation.js";

export {
  tensor, zeros, ones, full, arange, linspace, eye, rand, randn, randint,
  zerosLike, onesLike, fullLike, randLike, randnLike,
} from "./tensor/creation.js";
// Every public elementwise op of the registry (src/ops/elementwise.ts), generated, and the composites.
export * from "./tensor/generated/elementwise.js";
export { rsqrt, square, reciprocal, leakyRelu, gelu, silu, softplus, clamp } from "./tensor/elementwise.js";
export { all, any, sum, mean, max, min, amax, amin, argmax, argmin, logsumexp, variance as var, std, softmax, logSoftmax } from "./tensor/reduce.js";
export {
  reshape, permute, transpose, squeeze, unsqueeze, expand, flatten, cat, stack, slice, narrow, select,
  gather, scatterAdd, indexSelect, indexAdd,
} from "./tensor/movement.js";
export { matmul, mm, bmm, dot, addmm } from "./tensor/linalg.js";
export type { AddmmOptions } from "./tensor/linalg.js";

export { noGrad, enableGrad, setGradEnabled, isGradEnabled } from "./autograd/grad-mode.js";
export * as autograd from "./autograd/public.js";

export { manualSeed, Generator } from "./random.js";
export { setBackend, getBackend, setNumThreads, registerBackend } from "./backend/registry.js";
export type { BackendOptions, BackendMemoryStats } from "./backend/registry.js";
export type { Backend, BackendCore, AcceleratedMethods, CompleteBackend, TensorData, DataBuf, StridedView } from "./backend/backend.js";
export type { Program } from "./ops/program.js";
export type { DType } from "./dtype.js";
export { promoteTypes } from "./dtype.js";
export { ShapeError, DTypeError, AutogradError, GradcheckError, ArgumentError, IndexError, DisposedError, CaptureError, ReadError } from "./errors.js";
export { tidy, scope, keep, Scope } from "./tensor/scope.js";
export { captureGraph, CapturedGraph } from "./tensor/capture.js";
export type { StepProfile } from "./backend/capture.js";
export { realize } from "./tensor/realize.js";
export { memory } from "./memory.js";
export type { MemoryInfo } from "./memory.js";

export { Value } from "./value/value.js";
export type { ValueLike, ValueOptions } from "./value/value.js";
export { unfold, fold, conv2d, maxPool2d, maxPool2dWithIndices, avgPool2d } from "./tensor/windows.js";
export type { Size2, WindowOptions, Conv2dOptions, MaxPool2dOptions, AvgPool2dOptions } from "./tensor/windows.js";
export * as data from "./data/index.js";
export * as safetensors from "./io/safetensors.js";
export { FormatError } from "./io/errors.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as models from "./models/index.js";
export * as viz from "./viz/index.js";
export { AnomalyError } from "./autograd/anomaly.js";
export * as diagnostics from "./diagnostics/index.js";
export * as lesson from "./lesson/index.js";
export * as func from "./func/index.js";
export * as train from "./train/index.js";
// Asynchronous start-up of a backend (webgpu opens the GPU).
export { initBackend } from "./backend/registry.js";
