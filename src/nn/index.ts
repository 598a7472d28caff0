// `cr.nn`: modules, layers, losses, and the `init` and `functional` namespaces (PyTorch's torch.nn in camelCase).
export { Parameter } from "./parameter.js";
export { Module, StateDictError } from "./module.js";
export type {
  AnyModule, RemovableHandle, ForwardPreHook, ForwardHook, FullBackwardHook, SingleArg, ZeroGradOptions, LoadStateDictOptions, LoadStateDictResult, BufferOptions,
} from "./module.js";
export type { DTypeOption } from "./common.js";
export { Linear, Identity } from "./linear.js";
export type { LinearOptions } from "./linear.js";
export { Conv2d } from "./conv2d.js";
export type { Conv2dOptions } from "./conv2d.js";
export { MaxPool2d, AvgPool2d } from "./pooling.js";
export { Flatten } from "./flatten.js";
export { BatchNorm, BatchNorm1d, BatchNorm2d, LayerNorm } from "./norm.js";
export type { BatchNormOptions, LayerNormOptions } from "./norm.js";
export { Dropout } from "./dropout.js";
export { Embedding } from "./embedding.js";
export type { EmbeddingOptions } from "./embedding.js";
export { Sequential, ModuleList, Residual } from "./container.js";
export type { TensorModule } from "./container.js";
export { ModuleDict } from "./module-dict.js";
export type { ModuleDictConstructor, ModuleDictInput } from "./module-dict.js";
export { MultiheadAttention } from "./multihead-attention.js";
export type { MultiheadAttentionOptions, MultiheadAttentionForwardOptions } from "./multihead-attention.js";
export { TransformerEncoderLayer, TransformerEncoder, TransformerDecoderLayer, TransformerDecoder, Transformer } from "./transformer.js";
export type {
  TransformerActivation, TransformerLayerOptions, TransformerEncoderForwardOptions, TransformerEncoderStackForwardOptions, TransformerDecoderForwardOptions,
  TransformerStackOptions, TransformerOptions, TransformerForwardOptions,
} from "./transformer.js";
export { ReLU, LeakyReLU, Sigmoid, Tanh, GELU, SiLU, Softplus, LogSigmoid, Softmax, LogSoftmax } from "./activation.js";
export type { GELUOptions } from "./activation.js";
export { Loss, MSELoss, L1Loss, HuberLoss, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, NLLLoss } from "./loss.js";
export * as init from "./init.js";
export * as functional from "./functional.js";
export * as utils from "./utils.js";
export { ELU, CELU, SELU, Hardtanh, ReLU6, Hardswish, Hardsigmoid, Mish, Softsign, Softmin, GLU, PReLU } from "./activation-extended.js";

// The module classes above are the library's: a call of one made only of them may be sealed (library.ts).
// A namespace import of this very module gives them all, however many are added.
import * as self from "./index.js";
import { registerLibraryModules } from "./library.js";
import { Module as ModuleBase } from "./module.js";
registerLibraryModules(self, ModuleBase);
export { Conv1d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d } from "./conv.js";
export type { ConvOptions, ConvTransposeModuleOptions } from "./conv.js";
export {
  MaxPool1d, MaxPool3d, AvgPool1d, AvgPool3d, AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d,
  AdaptiveMaxPool1d, AdaptiveMaxPool2d, AdaptiveMaxPool3d, MaxUnpool1d, MaxUnpool2d, MaxUnpool3d,
} from "./pooling.js";
export type { MaxPoolModuleOptions, PoolResult, MaxUnpoolModuleOptions } from "./pooling.js";
export { Upsample, UpsamplingNearest2d, UpsamplingBilinear2d, PixelShuffle, PixelUnshuffle } from "./resize.js";
export type { UpsampleOptions } from "./resize.js";
export { Fold, Unfold } from "./fold.js";
