// `cr.memory()`: live tensors, open scopes, and what the backends hold outside the JavaScript heap — the leak
// counter tests and tools read.
import { backendMemoryStats } from "./backend/registry.js";
import type { BackendMemoryStats } from "./backend/registry.js";
import { reclaimStats } from "./backend/reclaim.js";
import type { ReclaimStats } from "./backend/reclaim.js";
import { tensorCounts } from "./tensor/lifetime.js";
import type { TensorCounts } from "./tensor/lifetime.js";

/** What `cr.memory()` reports: live tensors and scopes, and the tensor memory the backends hold. */
export interface MemoryInfo extends TensorCounts {
  /** Tensor buffers the backends hold outside the JavaScript heap (the wasm heap's, a GPU's), all backends together. */
  readonly tensorBlocks: number;
  /** Their bytes. */
  readonly tensorBytes: number;
  /** Each such backend's own report, by name (`wasm` adds `collectedBlocks`: blocks the garbage collector freed). */
  readonly backends: Readonly<Record<string, BackendMemoryStats>>;
  /** How dead tensors' memory comes back in a loop without scopes: at once (Node), or between tasks; and the collections that took. */
  readonly reclaim: ReclaimStats;
}

/**
 * Live tensors, and the backends' tensor memory, now. In a loop whose steps run in scopes both stay flat;
 * growth means tensors escape (kept, stored somewhere) every step.
 * @example
 * const before = cr.memory().numTensors;
 * for (let i = 0; i < 100; i++) cr.tidy(() => step());
 * cr.memory().numTensors === before; // nothing leaked
 */
export function memory(): MemoryInfo {
  const backends = backendMemoryStats();
  const stats = Object.values(backends);
  return {
    ...tensorCounts(),
    tensorBlocks: stats.reduce((n, s) => n + s.tensorBlocks, 0),
    tensorBytes: stats.reduce((n, s) => n + s.tensorBytes, 0),
    backends,
    reclaim: reclaimStats(),
  };
}
