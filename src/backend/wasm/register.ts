// Registers the wasm backend: WebAssembly SIMD kernels, the default wherever the runtime has WebAssembly SIMD.
import { registerBackend } from "../registry.js";
import { heapTensorStats, setWasmThreads, wasmAvailable, wasmBackend } from "./index.js";

registerBackend(wasmBackend, {
  priority: 10,
  isAvailable: wasmAvailable,
  setThreads: setWasmThreads,
  memoryStats: () => ({ ...heapTensorStats() }),
});
