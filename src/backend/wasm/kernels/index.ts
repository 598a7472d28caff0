// AssemblyScript entry of the wasm backend's kernels: one module, compiled by tools/build-wasm.mjs.
export { gemm, gemmT, scratchBytes, packedBBytes, packedScratchBytes, packBAll, packBStrips, packedBStrips, gemmPacked, addBiasRows, gemmBatch, gemmSumGroups, addPartials, gemmTileRows } from "./matmul";
export { binaryF32, unaryF32, binaryF32Range, unaryF32Range, fill32Range } from "./elementwise";
export { transpose32 } from "./transpose";
export { unfold32Range, fold32Range, maxPoolIndices32Range } from "./windows";
export { adamF32, adamF32Range } from "./optim";
export { sumAllF32, sumAllF32Range, sumRowsF32, sumColsF32, sumColsF32Range, sumMiddleF32, sumMiddleF32Range, argExtremeMiddleF32, extremeAllF32, extremeRowsF32, extremeColsF32 } from "./reduce";
export { logSoftmaxRowsF32, logSoftmaxBackwardRowsF32 } from "./softmax";
export { firstBadIndex, gatherAxis32Range, scatterAddAxis32Range } from "./indexing";
export { badTarget, nllLossF32, nllLossBackwardF32 } from "./loss";
export { attentionF32, attentionBackwardF32 } from "./attention";
export { geluF32Range, geluBackwardF32Range } from "./gelu";
export { layerNormRowsF32 } from "./layer-norm";
export { stridedRows32 } from "./strided";
export { attentionF32Range, attentionBackwardF32Range } from "./attention";
