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
 * with the ready workers (about two chunks per thread, multiples of the micro-kernel's 4 rows, so a
 * descheduled worker costs little). `scratch[t]` is thread t's packing space (thread 0 is the caller).
 */
function gemm(rt: Runtime, pool: Pool | null, a: number, b: number, c: number, m: number, k: number, n: number, trans: number, scratch: readonly number[]): void {
  if (pool === null || 2 * m * k * n < THREAD_MIN_FLOPS || m < 16 || readyWorkerCount() === 0) {
    rt.exports.gemmT(a, b, c, 0, m, k, n, m, trans, scratch[0]!);
    return;
  }
  const chunkRows = Math.max(8, Math.ceil(m / (2 * scratch.length) / 4) * 4);
  parallelGemm(rt, pool, a, b, c, m, k, n, chunkRows, scratch, trans);
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
  const pool = getPool(rt);
  const threads = pool === null ? 1 : pool.slots.length + 1;
  const scratchEach = rt.exports.scratchBytes(n);
  const trans = (transA ? 1 : 0) | (transB ? 2 : 0);
  const out = runKernel(rt, [aArr, bArr], [{ dtype: "float32", length: outSize }], new Array<number>(threads).fill(scratchEach), ([pa, pb], [pc], scratch) => {
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
