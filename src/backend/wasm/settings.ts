// The wasm backend's own settings and reports, public as `cr.backends.wasm`.
export { setWasmThreads as setThreads } from "./workers.js";
export { setFusionMinElements } from "./fusion.js";
export { wasmMemoryStats as memoryStats } from "./runtime.js";
export { heapTensorStats as tensorStats } from "./tensors.js";
export type { HeapTensorStats, } from "./tensors.js";
export type { WasmMemoryStats } from "./runtime.js";
export { warmUpWasm as warmUp, wasmAvailable as available } from "./index.js";
