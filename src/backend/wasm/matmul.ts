// The wasm backend's matmul: float32 operands in wasm memory (heap tensors in place, others copied in),
// multiplied by the SIMD kernel, rows split across worker threads for large products.
import { broadcastShapes, broadcastStrides, sizeOf } from "../../shape.js";
import type { Shape } from "../../shape.js";
import type { TensorData } from "../backend.js";
import { forEachRow } from "../cpu/strided.js";
import { getPool, parallelGemm, parallelGemmBatch, parallelGemmSumGroups, parallelRun, readyWorkerCount } from "./workers.js";
import type { Pool } from "./workers.js";
import { runKernel } from "./call.js";
import type { Runtime } from "./runtime.js";
import { ADAPTIVE_MAX_FLOPS, chooseThreads, noteProductTime } from "./thread-choice.js";

/** Below this many flops per matrix one thread is faster than waking workers (~5–10 MFLOP, measured on the 2-core development host). */
const THREAD_MIN_FLOPS = 4e6;

/**
 * One matrix product C = A·B (+ the row of n floats at `bias`, where not 0) at byte offsets: on this thread, or
 * for large products in row chunks shared with the ready workers. Then B is packed once (at `scratch.packedB`) for all threads, so chunks can be
 * small (about four per thread, whole micro-kernel rows): a thread the OS delays holds up one short chunk
 * while the others take the rest. `scratch.threads[t]` is thread t's packing space (thread 0 is the caller).
 */
function gemm(rt: Runtime, pool: Pool | null, a: number, b: number, c: number, m: number, k: number, n: number, trans: number, scratch: Scratch, bias = 0): void {
  if (pool === null || scratch.packedB === undefined || m < 16 || readyWorkerCount() === 0) {
    rt.exports.gemmT(a, b, c, 0, m, k, n, m, trans, scratch.single);
    if (bias !== 0) rt.exports.addBiasRows(c, bias, 0, m, n);
    return;
  }
  if (scratch.packedFrom !== b) packShared(rt, pool, b, k, n, trans, scratch.packedB);
  scratch.packedFrom = b;
  const tile = rt.exports.gemmTileRows(n);
  const chunkRows = Math.max(2 * tile, Math.ceil(m / (4 * scratch.threads.length) / tile) * tile);
  parallelGemm(rt, pool, a, scratch.packedB, c, m, k, n, chunkRows, scratch.threads, trans & 1, bias);
}

/**
 * Elements of B from which its packing is shared with the workers too: below, one thread packs it sooner than it wakes
 * them. A GPT's 128×512 weights (65,536) packed on two threads spent ~0.2 ms a product in the hand-off on the loaded
 * 2-core host (6% of a batch-1 forward), against tens of µs to pack 256 KB on this thread.
 */
const SHARED_PACK_MIN = 131072;

// Packs B whole for threads that split one product's rows: a large B is packed by all threads, column strips each.
function packShared(rt: Runtime, pool: Pool, b: number, k: number, n: number, trans: number, dst: number): void {
  const strips = rt.exports.packedBStrips(n);
  if (k * n < SHARED_PACK_MIN || strips < 2) rt.exports.packBAll(b, k, n, trans, dst);
  else parallelRun(rt, pool, "packBStrips", [b, k, n, trans, dst], strips, Math.ceil(strips / (2 * (readyWorkerCount() + 1))));
}

/** Whether offsets step by one stride (a batch a single strided loop can walk: flat, or one matrix repeated). */
function evenlySpaced(offsets: readonly number[]): boolean {
  const step = offsets.length > 1 ? offsets[1]! - offsets[0]! : 0;
  return offsets.every((o, i) => o === offsets[0]! + i * step);
}

/** A product's scratch: the one-thread path's, and where threads share it, packed B and each thread's A space. */
interface Scratch {
  readonly single: number;
  readonly packedB?: number;
  readonly threads: readonly number[];
  /** The B that packedB holds packed: a batch that repeats one B (x[batch, m, k]·W) packs it once. */
  packedFrom: number;
}

/** The byte offsets of each product's A and B over a (broadcast) batch of `batchShape`, in batch order. */
function productOffsets(a: TensorData, b: TensorData, batchShape: Shape, aBytes: number, bBytes: number): [number[], number[]] {
  if (batchShape.length === 0) return [[0], [0]]; // one product (the common case): no broadcast walk
  const sa = broadcastStrides(a.shape.slice(0, -2), batchShape).map((s) => s * aBytes);
  const sb = broadcastStrides(b.shape.slice(0, -2), batchShape).map((s) => s * bBytes);
  const offA: number[] = [], offB: number[] = [];
  // A trailing 1 makes forEachRow visit one matrix per call.
  forEachRow([...batchShape, 1], [[...sa, 0], [...sb, 0]], (off) => {
    offA.push(off[0]!);
    offB.push(off[1]!);
  });
  return [offA, offB];
}

/** Products summed over a batch go in this many groups at most (each into a partial of its own). */
const SUM_GROUPS = 16;

/**
 * Σ over the broadcast batch of op(A_t)·op(B_t) (Backend.matmul with a 2-D outShape): groups of products
 * accumulate into partials, shared with the workers a group at a time, then the partials are added in group
 * order, so the bits do not depend on the threads. Undefined (the cpu kernel runs it) where a batch does not
 * step through memory evenly.
 */
function sumOverBatch(rt: Runtime, a: TensorData, b: TensorData, m: number, k: number, n: number, trans: number): Float32Array | undefined {
  const batchShape = broadcastShapes("matmul", a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = sizeOf(batchShape);
  if (batch === 0 || k === 0) return new Float32Array(m * n);
  const [offA, offB] = productOffsets(a, b, batchShape, m * k * 4, k * n * 4);
  if (!evenlySpaced(offA) || !evenlySpaced(offB)) return undefined;
  const per = Math.ceil(batch / SUM_GROUPS), groups = Math.ceil(batch / per);
  const pool = groups > 1 && 2 * m * k * n * batch >= THREAD_MIN_FLOPS ? getPool(rt) : null;
  const threads = pool === null ? 1 : pool.slots.length + 1;
  const single = rt.exports.scratchBytes(n);
  const sizes = [Math.max(4, (groups - 1) * m * n * 4), ...new Array<number>(threads).fill(single)];
  const out = runKernel(rt, [a.buf as Float32Array, b.buf as Float32Array], [{ dtype: "float32", length: m * n }], sizes, ([pa, pb], [po], [partials, ...scratch]) => {
    const strideA = batch > 1 ? offA[1]! - offA[0]! : 0, strideB = batch > 1 ? offB[1]! - offB[0]! : 0;
    const args = [pa! + offA[0]!, pb! + offB[0]!, po!, partials!, strideA, strideB, m, k, n, trans, batch, per] as const;
    if (pool !== null && readyWorkerCount() > 0) parallelGemmSumGroups(rt, pool, ...args, groups, scratch);
    else rt.exports.gemmSumGroups(...args, 0, groups, scratch[0]!);
    rt.exports.addPartials(po!, partials!, groups - 1, m * n);
  });
  return out?.[0] as Float32Array | undefined;
}

/**
 * Batched float32 matmul, the cpu kernel's contract: `[...batchA, m, k]` · `[...batchB, k, n]` → `outShape`,
 * with `transA` / `transB` meaning the stored operand holds the last two dims swapped (the kernel packs
 * it from that layout). With `bias` (n floats; two matrices only) each row of the product gets it added
 * (Backend.addmm). Returns undefined for other dtypes, and when the operands do not fit the wasm memory cap
 * (the caller then uses the cpu kernel).
 */
export function matmulF32(rt: Runtime, a: TensorData, b: TensorData, outShape: Shape, transA = false, transB = false, bias?: TensorData): Float32Array | undefined {
  const aArr = a.buf as Float32Array;
  const bArr = b.buf as Float32Array;
  if (a.dtype !== "float32") return undefined; // the tensor layer gives b and bias a's dtype
  if (bias !== undefined && (outShape.length !== 2 || a.shape.length !== 2 || b.shape.length !== 2)) return undefined;
  const ra = a.shape.length, rb = b.shape.length;
  const m = a.shape[transA ? ra - 1 : ra - 2]!;
  const k = a.shape[transA ? ra - 2 : ra - 1]!;
  const n = b.shape[transB ? rb - 2 : rb - 1]!;
  const trans = (transA ? 1 : 0) | (transB ? 2 : 0);
  if (outShape.length === 2 && (ra > 2 || rb > 2)) return sumOverBatch(rt, a, b, m, k, n, trans);
  const outSize = sizeOf(outShape);
  // An empty sum is 0 (with a bias, the cpu kernel makes the rows of bias).
  if (outSize === 0 || k === 0) return bias === undefined || outSize === 0 ? new Float32Array(outSize) : undefined;
  const flops = 2 * m * k * n;
  const batchShape = outShape.slice(0, -2);
  const batch = sizeOf(batchShape);
  // Products too small for threads to split by rows, but many: threads take whole products instead.
  const byBatch = batch > 1 && flops < THREAD_MIN_FLOPS && flops * batch >= THREAD_MIN_FLOPS;
  // A single mid-sized product: split with the workers or not as timing on this host says (thread-choice.ts).
  const timed = batch === 1 && m >= 16 && flops >= THREAD_MIN_FLOPS && flops < ADAPTIVE_MAX_FLOPS && readyWorkerCount() > 0;
  const shapeKey = timed ? `${m},${k},${n},${trans},${bias === undefined ? 0 : 1}` : "";
  const pool = (timed ? chooseThreads(shapeKey) : flops >= THREAD_MIN_FLOPS || byBatch) ? getPool(rt) : null;
  const workers = pool === null ? 0 : pool.slots.length;
  const ex = rt.exports;
  const single = ex.scratchBytes(n);
  // The one-thread path's scratch; with workers, each thread's for whole products, or packed B and each
  // worker's A space for products split by rows.
  const sizes = workers === 0 ? [single] : byBatch ? new Array<number>(workers + 1).fill(single) : [single, ex.packedBBytes(k, n), ...new Array<number>(workers).fill(ex.packedScratchBytes())];
  const inputs = bias === undefined ? [aArr, bArr] : [aArr, bArr, bias.buf as Float32Array];
  const t0 = timed ? performance.now() : 0;
  const out = runKernel(rt, inputs, [{ dtype: "float32", length: outSize }], sizes, ([pa, pb, pbias], [pc], at) => {
    const [offA, offB] = productOffsets(a, b, batchShape, m * k * 4, k * n * 4);
    if (byBatch && pool !== null && readyWorkerCount() > 0 && evenlySpaced(offA) && evenlySpaced(offB)) {
      const chunk = Math.max(1, Math.ceil(batch / (4 * (workers + 1))));
      parallelGemmBatch(rt, pool, pa!, pb!, pc!, offA[1]! - offA[0]!, offB[1]! - offB[0]!, m, k, n, trans, batch, chunk, at);
      return;
    }
    // Thread 0 (this one) packs A in the one-thread path's scratch: it has room to spare.
    const scratch: Scratch = workers > 0 && !byBatch ? { single: at[0]!, packedB: at[1]!, threads: [at[0]!, ...at.slice(2)], packedFrom: -1 } : { single: at[0]!, threads: [], packedFrom: -1 };
    offA.forEach((offset, t) => gemm(rt, byBatch ? null : pool, pa! + offset, pb! + offB[t]!, pc! + t * m * n * 4, m, k, n, trans, scratch, pbias ?? 0));
  });
  if (timed) noteProductTime(shapeKey, pool !== null, flops, performance.now() - t0);
  return out?.[0] as Float32Array | undefined;
}
