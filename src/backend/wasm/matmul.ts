// The wasm backend's matmul: float32 operands in wasm memory (heap tensors in place, others copied in),
// multiplied by the SIMD kernel, rows split across worker threads for large products.
import { broadcastStrides, sizeOf } from "../../shape.js";
import type { Shape } from "../../shape.js";
import type { TensorData } from "../backend.js";
import { forEachRow } from "../cpu/strided.js";
import { getPool, parallelGemm, readyWorkerCount } from "./pool.js";
import type { Pool } from "./pool.js";
import { runKernel } from "./call.js";
import type { Runtime } from "./runtime.js";

/** Below this many flops per matrix one thread is faster than waking workers (NOTES.md: ~5–10 MFLOP). */
const THREAD_MIN_FLOPS = 4e6;

/**
 * One matrix product C = A·B at byte offsets: on this thread, or for large products in row chunks shared
 * with the ready workers. Then B is packed once (at `scratch.packedB`) for all threads, so chunks can be
 * small (about four per thread, whole micro-kernel rows): a thread the OS delays holds up one short chunk
 * while the others take the rest. `scratch.threads[t]` is thread t's packing space (thread 0 is the caller).
 */
function gemm(rt: Runtime, pool: Pool | null, a: number, b: number, c: number, m: number, k: number, n: number, trans: number, scratch: Scratch): void {
  if (pool === null || scratch.packedB === undefined || m < 16 || readyWorkerCount() === 0) {
    rt.exports.gemmT(a, b, c, 0, m, k, n, m, trans, scratch.single);
    return;
  }
  if (scratch.packedFrom !== b) rt.exports.packBAll(b, k, n, trans, scratch.packedB);
  scratch.packedFrom = b;
  const chunkRows = Math.max(8, Math.ceil(m / (4 * scratch.threads.length) / 4) * 4);
  parallelGemm(rt, pool, a, scratch.packedB, c, m, k, n, chunkRows, scratch.threads, trans & 1);
}

/** A product's scratch: the one-thread path's, and where threads share it, packed B and each thread's A space. */
interface Scratch {
  readonly single: number;
  readonly packedB?: number;
  readonly threads: readonly number[];
  /** The B that packedB holds packed: a batch that repeats one B (x[batch, m, k]·W) packs it once. */
  packedFrom: number;
}

/**
 * Batched float32 matmul, the cpu kernel's contract: `[...batchA, m, k]` · `[...batchB, k, n]` → `outShape`,
 * with `transA` / `transB` meaning the stored operand holds the last two dims swapped (the kernel packs
 * it from that layout). Returns undefined when the operands do not fit the wasm memory cap (the
 * caller then uses the cpu kernel).
 */
export function matmulF32(rt: Runtime, a: TensorData, b: TensorData, outShape: Shape, transA = false, transB = false): Float32Array | undefined {
  const aArr = a.buf as Float32Array;
  const bArr = b.buf as Float32Array;
  const ra = a.shape.length, rb = b.shape.length;
  const m = a.shape[transA ? ra - 1 : ra - 2]!;
  const k = a.shape[transA ? ra - 2 : ra - 1]!;
  const n = b.shape[transB ? rb - 2 : rb - 1]!;
  const outSize = sizeOf(outShape);
  if (outSize === 0 || k === 0) return new Float32Array(outSize); // an empty sum is 0
  const pool = 2 * m * k * n < THREAD_MIN_FLOPS ? null : getPool(rt);
  const workers = pool === null ? 0 : pool.slots.length;
  const ex = rt.exports;
  // The one-thread path's scratch, then (with workers) packed B and each worker's A space.
  const sizes = [ex.scratchBytes(n), ...(workers > 0 ? [ex.packedBBytes(k, n), ...new Array<number>(workers).fill(ex.packedScratchBytes())] : [])];
  const trans = (transA ? 1 : 0) | (transB ? 2 : 0);
  const out = runKernel(rt, [aArr, bArr], [{ dtype: "float32", length: outSize }], sizes, ([pa, pb], [pc], at) => {
    // Thread 0 (this one) packs A in the one-thread path's scratch: it has room to spare.
    const scratch: Scratch = workers > 0 ? { single: at[0]!, packedB: at[1]!, threads: [at[0]!, ...at.slice(2)], packedFrom: -1 } : { single: at[0]!, threads: [], packedFrom: -1 };
    const aPtr = pa!, bPtr = pb!;
    const batchShape = outShape.slice(0, -2);
    const sa = broadcastStrides(a.shape.slice(0, -2), batchShape).map((s) => s * m * k * 4);
    const sb = broadcastStrides(b.shape.slice(0, -2), batchShape).map((s) => s * k * n * 4);
    let cOff = pc!;
    // A trailing 1 makes forEachRow visit one matrix per call.
    forEachRow([...batchShape, 1], [[...sa, 0], [...sb, 0]], (off) => {
      gemm(rt, pool, aPtr + off[0]!, bPtr + off[1]!, cOff, m, k, n, trans, scratch);
      cOff += m * n * 4;
    });
  });
  return out?.[0] as Float32Array | undefined;
}
