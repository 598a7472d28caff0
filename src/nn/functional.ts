// `cr.nn.functional`: PyTorch's torch.nn.functional in camelCase — stateless layers, activations and losses.
export { relu, leakyRelu, sigmoid, tanh, gelu, silu, softplus, softmax, logSoftmax, logSigmoid } from "./functional/activation.js";
export { linear, embedding, dropout, oneHot } from "./functional/layers.js";
export type { EmbeddingFnOptions } from "./functional/layers.js";
export { conv2d, maxPool2d, maxPool2dWithIndices, avgPool2d } from "../tensor/windows.js";
export type { Conv2dOptions as Conv2dFnOptions, MaxPool2dOptions as MaxPool2dFnOptions, AvgPool2dOptions as AvgPool2dFnOptions } from "../tensor/windows.js";
export { batchNorm, layerNorm } from "./functional/norm.js";
export type { BatchNormFnOptions, LayerNormFnOptions } from "./functional/norm.js";
export { mseLoss, l1Loss, huberLoss, bceLoss, bceWithLogitsLoss, nllLoss, crossEntropy } from "./functional/loss.js";
export type {
  Reduction, ReductionOptions, HuberLossOptions, BceLossOptions, BceWithLogitsLossOptions, NllLossOptions, CrossEntropyOptions,
} from "./functional/loss.js";
export { scaledDotProductAttention } from "./functional/attention.js";
export type { ScaledDotProductAttentionOptions } from "./functional/attention.js";
export {
  elu, celu, selu, hardtanh, relu6, hardswish, hardsigmoid, mish, softsign, logsigmoid, softmin, glu, prelu, normalize,
  elu_, celu_, selu_, hardtanh_,
} from "./functional/activation-extended.js";
export type { NormalizeOptions } from "./functional/activation-extended.js";
export { pad } from "./functional/pad.js";
export type { PadMode, PadOptions } from "./functional/pad.js";
export { conv1d, conv3d, convTranspose1d, convTranspose2d, convTranspose3d } from "../tensor/conv.js";
export type { ConvNdOptions, ConvTransposeOptions } from "../tensor/conv.js";
export {
  maxPool1d, maxPool1dWithIndices, maxPool3d, maxPool3dWithIndices, avgPool1d, avgPool3d,
  adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveAvgPool3d, adaptiveMaxPool1d, adaptiveMaxPool1dWithIndices,
  adaptiveMaxPool2d, adaptiveMaxPool2dWithIndices, adaptiveMaxPool3d, adaptiveMaxPool3dWithIndices,
  maxUnpool1d, maxUnpool2d, maxUnpool3d,
} from "../tensor/pooling-fns.js";
export type { AdaptiveSize, MaxUnpoolOptions } from "../tensor/pooling-fns.js";
export type { MaxPoolOptions, AvgPoolOptions } from "../tensor/pool.js";
export { interpolate, pixelShuffle, pixelUnshuffle } from "../tensor/interpolate.js";
export type { InterpolateMode, InterpolateOptions } from "../tensor/interpolate.js";
export { unfold, fold } from "../tensor/windows.js";
export { cosineSimilarity, pairwiseDistance } from "../tensor/distance.js";
export type { CosineSimilarityOptions, PairwiseDistanceOptions } from "../tensor/distance.js";
