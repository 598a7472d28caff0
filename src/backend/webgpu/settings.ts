// The webgpu backend's own settings and reports, public as `cr.backends.webgpu`.
import { gpuDevice } from "./device.js";
import { destroyRetired } from "./memory.js";
import { emptyCache as trimPool } from "./memory.js";
import { compiledPipelines as pipelines, flush } from "./queue.js";

export { initWebGpu as init, webgpuInfo as info, webgpuReady as available } from "./device.js";
export type { WebGpuInfo, WebGpuInitOptions } from "./device.js";
export { webgpuMemoryStats as memoryStats, setPoolLimit } from "./memory.js";
export type { WebGpuMemoryStats } from "./memory.js";
export { setFusion } from "./fusion.js";
export { float32MatmulPrecision, setFloat32MatmulPrecision } from "./matmul.js";
export type { MatmulPrecision } from "./matmul.js";

/**
 * Destroys the free GPU buffers the pool keeps for reuse (PyTorch's `torch.cuda.empty_cache()`); tensors keep theirs.
 * @example cr.backends.webgpu.emptyCache();
 */
export function emptyCache(): void {
  trimPool();
  flush();
  destroyRetired();
}

/**
 * Waits until the GPU has finished everything recorded so far (PyTorch's `torch.cuda.synchronize()`): to time GPU
 * work, which otherwise runs after the calls that recorded it return.
 * @example await cr.backends.webgpu.synchronize();
 */
export async function synchronize(): Promise<void> {
  flush();
  await gpuDevice().queue.onSubmittedWorkDone();
}

/**
 * How many compute pipelines the backend has compiled (each shader once): flat across a training loop's steps.
 * @example cr.backends.webgpu.compiledPipelines() // the same after each training step once every shader is compiled
 */
export function compiledPipelines(): number {
  return pipelines();
}
