// `cr.memory()`: live tensors, open scopes, and what the wasm heap holds — the leak counter tests and tools read.
import { heapTensorStats } from "./backend/wasm/index.js";
import type { HeapTensorStats } from "./backend/wasm/index.js";
import { tensorCounts } from "./tensor/lifetime.js";
import type { TensorCounts } from "./tensor/lifetime.js";

export interface MemoryInfo extends TensorCounts, HeapTensorStats {}

/**
 * Live tensors and the wasm heap's tensor memory now. In a loop whose steps run in scopes both stay
 * flat; growth means tensors escape (kept, stored somewhere) every step.
 * @example
 * const before = cr.memory().numTensors;
 * for (let i = 0; i < 100; i++) cr.tidy(() => step());
 * cr.memory().numTensors === before; // nothing leaked
 */
export function memory(): MemoryInfo {
  return { ...tensorCounts(), ...heapTensorStats() };
}
