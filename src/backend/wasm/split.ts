// Elementwise kernels split across the worker threads: large arrays only, since waking a worker costs
// more than a pass over a few hundred thousand elements on one thread.
import { getPool, parallelRun, readyWorkerCount } from "./pool.js";
import type { Runtime } from "./runtime.js";

/** Vectors (4 float32) below which one thread runs the whole op: 256K elements, about 0.1 ms a pass. */
const PARALLEL_MIN_VECTORS = 65536;

/**
 * Runs `rangeKernel(...args, start, end)` over [0, vectors) in chunks shared with the workers, each
 * chunk a multiple of `align` vectors; or `single()` on this thread when the op is small or there are no workers.
 */
export function splitVectors(rt: Runtime, rangeKernel: string, args: readonly number[], vectors: number, align: number, single: () => void): void {
  const pool = vectors >= PARALLEL_MIN_VECTORS ? getPool(rt) : null;
  if (pool === null || readyWorkerCount() === 0) {
    single();
    return;
  }
  const threads = pool.slots.length + 1;
  parallelRun(rt, pool, rangeKernel, args, vectors, Math.ceil(vectors / (2 * threads) / align) * align);
}
