// Registers the webgpu backend. It runs once `cr.backends.webgpu.init()` has opened a GPU, and is then the default
// (over wasm) where the GPU is hardware: a software adapter (SwiftShader, lavapipe) is slower than the wasm kernels.
import { registerBackend } from "../registry.js";
import { initWebGpu, webgpuInfo, webgpuReady } from "./device.js";
import { webgpuBackend } from "./index.js";
import { webgpuMemoryStats } from "./memory.js";

registerBackend(webgpuBackend, {
  get priority() {
    return webgpuInfo()?.software === false ? 20 : -1;
  },
  isAvailable: webgpuReady,
  whyUnavailable: () => "call await cr.backends.webgpu.init() first (it opens the GPU, which is asynchronous)",
  init: () => initWebGpu(),
  memoryStats: () => ({ ...webgpuMemoryStats() }),
});
