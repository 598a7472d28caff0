// Reuse of the cpu backend's output arrays: a buffer the tensor layer releases (its tensors were
// disposed, by a scope or dispose()) serves the next request of the same dtype and size, so a training
// loop's steps stop allocating, zeroing fresh pages and feeding the garbage collector.
import type { ComputeDType as DType, TypedArray } from "../../dtype.js";
import { allocArray } from "../../dtype.js";
import { noteAllocated, noteDropped, noteReleased, reclaimStats } from "../reclaim.js";
import { SHARED_MIN_ELEMENTS, isShared, sharedArray, sharingMemory } from "./sharing.js";

/**
 * V8 keeps a typed array of at most 64 bytes on the JavaScript heap, where it costs ~0.1 µs; a larger one
 * gets a backing store of its own off the heap, 1–3 µs each (Node 20), more than a small op's kernel. So
 * every array past that size is pooled: the bookkeeping costs a tenth of that.
 */
const POOL_MIN_BYTES = 65;
/**
 * Released arrays kept for reuse: at most this many bytes, or as many as the backend's arrays in use ever
 * took, if more — a training step frees what the next step asks for again, so a pool as large as a step's
 * working set makes the steps allocate nothing (a smaller one leaves each step's excess to a collector that
 * does not count it as pressure: a GPT's steps on this backend grew RSS past 2 GB). Beyond it, arrays are
 * left to the collector.
 */
const POOL_MIN_CAP_BYTES = 64 * 2 ** 20;
let inUseBytes = 0;
let peakInUseBytes = 0;
let freshArrays = 0;

// Only arrays this backend made are pooled: one a user handed in (fromArray) stays theirs.
const owned = new WeakSet<TypedArray>();
// Per dtype, released arrays by length.
const free: Record<DType, Map<number, TypedArray[]>> = { float32: new Map(), float64: new Map(), int32: new Map(), bool: new Map() };
let pooledBytes = 0;

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };
const dtypeOf = (a: TypedArray): DType =>
  a instanceof Float32Array ? "float32" : a instanceof Float64Array ? "float64" : a instanceof Int32Array ? "int32" : "bool";

/**
 * An array of `size` elements of `dtype`, reused from the pool when one was released: zero-filled, or with
 * `contents` "any" left as it is, for a kernel that writes every element (a reused array's zeroing is a
 * pass over memory of its own: 0.2 ms for a million float32 elements, and 0.7 ms on a SharedArrayBuffer,
 * which V8's fill handles more slowly).
 */
export function allocOut(dtype: DType, size: number, contents: "zeros" | "any" = "zeros"): TypedArray {
  if (size * BYTES[dtype] < POOL_MIN_BYTES) return allocArray(dtype, size);
  const reuse = free[dtype].get(size)?.pop();
  if (reuse !== undefined) {
    pooledBytes -= reuse.byteLength;
    owned.add(reuse);
    countAllocated(reuse.byteLength);
    return contents === "zeros" ? reuse.fill(0) : reuse;
  }
  const out = size >= SHARED_MIN_ELEMENTS && sharingMemory() ? sharedArray(dtype, size) : allocArray(dtype, size);
  freshArrays++;
  owned.add(out);
  countAllocated(out.byteLength);
  return out;
}

function countAllocated(bytes: number): void {
  noteAllocated(bytes);
  inUseBytes += bytes;
  if (inUseBytes > peakInUseBytes) peakInUseBytes = inUseBytes;
}

/** Larger arrays handed in are kept as they are: a dataset (MNIST's 47 million pixels) is not copied again. */
const ADOPT_MAX_ELEMENTS = 1 << 22;

/**
 * A tensor's storage for `data` handed in from outside the backend: `data` itself, or where large arrays are
 * shared with worker threads (sharing.ts), a shared copy, so that kernels on it can use the threads.
 */
export function adopt(data: TypedArray): TypedArray {
  if (data.length < SHARED_MIN_ELEMENTS || data.length > ADOPT_MAX_ELEMENTS || !sharingMemory() || isShared(data)) return data;
  const copy = sharedArray(dtypeOf(data), data.length);
  copy.set(data);
  owned.add(copy);
  countAllocated(copy.byteLength);
  return copy;
}

/** Takes back an array no tensor uses any more (no-op for arrays this backend did not make, or a full pool). */
export function recycle(buf: object): void {
  const a = buf as TypedArray;
  if (!owned.has(a)) return;
  owned.delete(a); // back in on reuse: a second release of the same array is ignored
  noteReleased(a.byteLength);
  inUseBytes -= a.byteLength;
  if (pooledBytes + a.byteLength > Math.max(POOL_MIN_CAP_BYTES, peakInUseBytes)) {
    noteDropped(a.byteLength);
    return;
  }
  const bySize = free[dtypeOf(a)];
  let list = bySize.get(a.length);
  if (list === undefined) bySize.set(a.length, (list = []));
  list.push(a);
  pooledBytes += a.byteLength;
}

/**
 * Whether the tensor layer should hand `buf` back when its tensors are garbage-collected: an array of the
 * pool's, where finalizers run at safe points (reclaim.ts) — a loop without scopes then reuses the memory
 * of the tensors it dropped, as with scopes. Elsewhere the collector frees it, without waiting for a task to end.
 */
export function recyclesOnCollection(buf: object): boolean {
  return owned.has(buf as TypedArray) && reclaimStats().synchronous;
}

/** What the pool holds and what the backend's arrays in use take (`cr.backends.cpu.memoryStats()`). */
export interface CpuMemoryStats {
  /** Bytes of the backend's arrays that tensors hold now. */
  readonly inUseBytes: number;
  /** The most `inUseBytes` has been: the pool may keep as much for reuse. */
  readonly peakInUseBytes: number;
  /** Bytes of released arrays kept for reuse. */
  readonly pooledBytes: number;
  /** Arrays the pool could not serve and allocated afresh, since the start. */
  readonly freshArrays: number;
}

/**
 * The cpu backend's pool of released arrays: what tensors use, what is kept for reuse.
 * @example cr.backends.cpu.memoryStats().pooledBytes
 */
export function cpuMemoryStats(): CpuMemoryStats {
  return { inUseBytes, peakInUseBytes, pooledBytes, freshArrays };
}

/**
 * Drops every released array the pool keeps (as PyTorch's `torch.cuda.empty_cache`), and lets the pool grow
 * again only as far as what is in use from now on: after a large model is dropped, its memory goes back.
 * @example cr.backends.cpu.emptyCache()
 */
export function emptyCpuCache(): void {
  for (const bySize of Object.values(free)) {
    for (const list of bySize.values()) for (const a of list) noteDropped(a.byteLength);
    bySize.clear();
  }
  pooledBytes = 0;
  peakInUseBytes = inUseBytes;
}
