// File formats: safetensors for model files, and the FormatError thrown for malformed contents.
export * as safetensors from "./safetensors.js";
export type { TensorMap, SafetensorsContents, ReadOptions } from "./safetensors.js";
export { FormatError } from "./errors.js";
