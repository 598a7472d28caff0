// Elementwise kernels split across the worker threads: large arrays only, since waking a worker costs
// more than a pass over a few hundred thousand elements on one thread.
import { getPool, parallelRun, readyWorkerCount } from "./workers.js";
import type { Runtime } from "./runtime.js";

/** Vectors (4 float32) below which one thread runs the whole op: 256K elements, about 0.1 ms a pass. */
const PARALLEL_MIN_VECTORS = 65536;

// Shares [0, items) with the ready workers when `big`, about `perThread` chunks a thread, each a multiple
// of `align` items; false (nothing run) when there is no pool or no ready worker.
function share(rt: Runtime, big: boolean, rangeKernel: string, args: readonly number[], items: number, perThread: number, align: number): boolean {
  const pool = big ? getPool(rt) : null;
  if (pool === null || readyWorkerCount() === 0) return false;
  const threads = pool.slots.length + 1;
  parallelRun(rt, pool, rangeKernel, args, items, Math.ceil(items / (perThread * threads) / align) * align);
  return true;
}

/**
 * Runs `rangeKernel(...args, start, end)` over [0, vectors) in chunks shared with the workers, each
 * chunk a multiple of `align` vectors; or `single()` on this thread when the op is small or there are no
 * workers. `minVectors`: from how many vectors to share, lower for kernels that compute more per element.
 */
export function splitVectors(rt: Runtime, rangeKernel: string, args: readonly number[], vectors: number, align: number, single: () => void, minVectors = PARALLEL_MIN_VECTORS): void {
  if (!share(rt, vectors >= minVectors, rangeKernel, args, vectors, 2, align)) single();
}

/**
 * Runs `rangeKernel(...args, start, end)` over [0, planes) of an image kernel: shared with the workers
 * (about four chunks a thread, so a thread the OS delays holds up little) when `big`, in one call otherwise.
 */
export function splitPlanes(rt: Runtime, rangeKernel: string, args: readonly number[], planes: number, big: boolean): void {
  if (share(rt, big && planes > 1, rangeKernel, args, planes, 4, 1)) return;
  (rt.exports as unknown as Record<string, (...a: number[]) => unknown>)[rangeKernel]!(...args, 0, planes);
}

/**
 * Runs `rangeKernel(...args, start, end)` over [0, items) in fixed chunks of `chunk` items, shared with the
 * workers when there are at least PARALLEL_MIN_VECTORS·4 items; on this thread chunk by chunk otherwise, so
 * a kernel that writes one result per chunk gives the same results either way.
 */
export function splitFixedChunks(rt: Runtime, rangeKernel: string, args: readonly number[], items: number, chunk: number): void {
  const pool = items >= PARALLEL_MIN_VECTORS * 4 ? getPool(rt) : null;
  if (pool !== null && readyWorkerCount() > 0) {
    parallelRun(rt, pool, rangeKernel, args, items, chunk);
    return;
  }
  const fn = (rt.exports as unknown as Record<string, (...a: number[]) => unknown>)[rangeKernel]!;
  for (let start = 0; start < items; start += chunk) fn(...args, start, Math.min(items, start + chunk));
}
