// cr.onnx: models exported to ONNX, for serving them with ONNX Runtime or any other ONNX engine.
export { exportModel as export, exportBytes, SUPPORTED_PRIMITIVES } from "./export.js";
export type { OnnxExportOptions } from "./export.js";
export { OnnxExportError } from "./builder.js";
