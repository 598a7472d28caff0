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
// Issue 23's hand-written ops: div with roundingMode (in place of the generated two-operand div), closeness and
// special values, sampling.
export { div } from "./tensor/div.js";
export type { DivOptions } from "./tensor/div.js";
export { nanToNum, nanToNum_, isclose, allclose } from "./tensor/closeness.js";
export type { NanToNumOptions, IscloseOptions } from "./tensor/closeness.js";
export { multinomial, bernoulli, randperm, randintLike } from "./tensor/sampling.js";
export type { BernoulliOptions, GeneratorOption } from "./tensor/sampling.js";

// Reductions and scans, sorting and selection, views and rearrangements, indexing and scatter (issue 23).
export { prod, varMean, stdMean, countNonzero, median, aminmax, norm } from "./tensor/reductions.js";
export type { ReduceDTypeOptions } from "./tensor/reductions.js";
export type { SumOptions } from "./tensor/reduce.js";
export { cumsum, cumprod, cummax, cummin, logcumsumexp } from "./tensor/scan.js";
export type { CumulativeOptions, ValuesIndices } from "./tensor/scan.js";
export { sort, argsort, msort, topk, kthvalue, unique } from "./tensor/sorting.js";
export type { SortOptions, TopkOptions, UniqueOptions, UniqueResult } from "./tensor/sorting.js";
export { flip, diagonal, movedim, swapaxes, unflatten, split, chunk, tensorSplit, atleast1d, atleast2d, atleast3d } from "./tensor/views.js";
export { movedim as moveaxis, swapaxes as swapdims } from "./tensor/views.js";
export type { DiagonalOptions } from "./tensor/views.js";
export { unbind, asStridedView as asStrided } from "./tensor/views.js";
export { roll, tile, repeatInterleave, tril, triu, diag, diagEmbed, meshgrid, take, takeAlongDim } from "./tensor/rearrange.js";
export { index, indexPut, indexPut_, maskedFill, maskedSelect, maskedScatter, nonzero, argwhere } from "./tensor/indexing.js";
export type { IndexItem, IndexSlice, IndexPutOptions } from "./tensor/indexing.js";
export { scatter, scatterReduce, indexCopy, indexFill } from "./tensor/scatter.js";
export type { ScatterOptions, ScatterReduceOptions, ScatterReduction } from "./tensor/scatter.js";
export * as linalg from "./linalg/index.js";
export { conv1d, conv3d, convTranspose1d, convTranspose2d, convTranspose3d } from "./tensor/conv.js";
export type { ConvNdOptions, ConvTransposeOptions } from "./tensor/conv.js";
export { maxPool1d, maxPool3d, avgPool1d, adaptiveAvgPool1d, adaptiveMaxPool1d } from "./tensor/pooling-fns.js";
export type { AdaptiveSize } from "./tensor/pooling-fns.js";
export type { MaxPoolOptions, AvgPoolOptions } from "./tensor/pool.js";
export type { SizeN } from "./tensor/window-spec.js";
export { pixelShuffle, pixelUnshuffle } from "./tensor/interpolate.js";
export { einsum } from "./tensor/einsum.js";
export type { EinsumSublist } from "./tensor/einsum.js";
export { outer, kron, trace } from "./tensor/products.js";
export { cdist, cosineSimilarity, pairwiseDistance } from "./tensor/distance.js";
export type { CdistOptions, CdistComputeMode, CosineSimilarityOptions, PairwiseDistanceOptions } from "./tensor/distance.js";
export { LinAlgError } from "./errors.js";
export { det, inv as inverse, slogdet } from "./linalg/decompositions.js";
// Asynchronous start-up of a backend (webgpu opens the GPU).
export { initBackend } from "./backend/registry.js";
// The global Disposable types, so the declarations compile without the esnext.disposable lib (src/disposable.ts).
import "./disposable.js";
export * as onnx from "./onnx/index.js";
export type { StorageArray } from "./tensor/convert.js";
