// Registers the wasm backend: WebAssembly SIMD kernels, the default wherever the runtime has WebAssembly SIMD.
import { registerBackend } from "../registry.js";
import { heapTensorStats, setWasmThreads, wasmAvailable, wasmBackend, wasmMemoryStats } from "./index.js";

registerBackend(wasmBackend, {
  priority: 10,
  isAvailable: wasmAvailable,
  setThreads: setWasmThreads,
  // heapBytes: the wasm memory itself, which never shrinks: what a burst of tensors cost the process for good.
  memoryStats: () => ({ ...heapTensorStats(), heapBytes: wasmMemoryStats().heapBytes }),
});
