// GPU memory: storage buffers from a pool (by size class, reused at once when a tensor is released, as PyTorch's
// caching allocator does), and the webgpu backend's buffer handle. Every element is 4 bytes on the GPU: float32
// as f32, int32 as i32, and bool as u32 (0 or 1), so kernels that only move elements serve every dtype.
import type { ComputeDType as DType } from "../../dtype.js";
import { allocationTape } from "../graph-memory.js";
import { gpuDevice } from "./device.js";
import { BufferUsage } from "./gpu-types.js";
import type { GpuBuffer } from "./gpu-types.js";

/** A GPU buffer from the pool, with the submission that last used it (see `Queue.beforeWrite`). */
export interface Block {
  readonly buffer: GpuBuffer;
  /** Its size in bytes (its size class: at least what was asked). */
  readonly bytes: number;
  /** The serial of the command encoder that last read or wrote it. */
  lastUse: number;
}

/** Where a not-yet-computed buffer's expression lives (fusion.ts); opaque here. */
export interface Pending {
  /** Stops holding what the expression reads (the buffer is released or computed). */
  drop(): void;
}

/**
 * The webgpu backend's `DataBuf`: a tensor's elements on the GPU (`block`), or not computed yet (`pending`: an
 * elementwise expression, fusion.ts), or, for one element, a value known on the host (`host`: constants and
 * scalars never need a GPU buffer of their own; kernels take them as parameters).
 */
export class GpuBuf {
  block: Block | null = null;
  pending: Pending | null = null;
  host: number | undefined = undefined;
  released = false;
  constructor(
    readonly dtype: DType,
    readonly length: number,
  ) {}
}

const STORAGE_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;

// ---- the pool ----

const free = new Map<number, Block[]>();
let pooledBytes = 0;
let pooledBlocks = 0;
let liveBlocks = 0;
let liveBytes = 0;
let poolLimit = 512 * 2 ** 20;
let createdBlocks = 0;
/** Blocks to destroy once the encoder that may still use them is submitted (queue.ts calls `destroyRetired`). */
const retired: Block[] = [];

/** Bytes of the size class holding `bytes`: 256-byte steps up to 1 KiB, then quarters of each power of two. */
export function sizeClass(bytes: number): number {
  if (bytes <= 1024) return Math.max(256, Math.ceil(bytes / 256) * 256);
  const step = 2 ** (Math.floor(Math.log2(bytes)) - 2);
  return Math.ceil(bytes / step) * step;
}

/** A block of at least `bytes`, reused from the pool where one of its class is free. */
export function takeBlock(bytes: number): Block {
  const size = sizeClass(bytes);
  const list = free.get(size);
  const reused = list?.pop();
  if (reused !== undefined) {
    pooledBytes -= size;
    pooledBlocks--;
    return reused;
  }
  createdBlocks++;
  return { buffer: gpuDevice().createBuffer({ size, usage: STORAGE_USAGE }), bytes: size, lastUse: -1 };
}

/** Puts a block back in the pool (destroying the oldest free blocks beyond the pool's limit). */
export function giveBlock(block: Block): void {
  let list = free.get(block.bytes);
  if (list === undefined) free.set(block.bytes, (list = []));
  list.push(block);
  pooledBytes += block.bytes;
  pooledBlocks++;
  if (pooledBytes > poolLimit) trimPool(poolLimit);
}

function trimPool(limit: number): void {
  // Largest classes first: they free the most for the fewest destroys.
  for (const size of [...free.keys()].sort((a, b) => b - a)) {
    const list = free.get(size)!;
    while (pooledBytes > limit && list.length > 0) {
      retired.push(list.shift()!);
      pooledBytes -= size;
      pooledBlocks--;
    }
    if (pooledBytes <= limit) break;
  }
}

/** Destroys the blocks trimmed from the pool, once no open encoder refers to them (queue.ts, after a submit). */
export function destroyRetired(): void {
  for (const b of retired.splice(0)) b.buffer.destroy();
}

// ---- tensor buffers ----

/** A new buffer of `length` elements of `dtype` on the GPU (contents unspecified). */
export function newBuf(dtype: DType, length: number): GpuBuf {
  const tape = allocationTape;
  if (tape.replay !== null) {
    // A captured graph's replay: the call gets the buffer it got when recorded, so its result lands where the
    // recorded call's readers look (graph-memory.ts).
    const recorded = tape.replay[tape.at];
    if (recorded instanceof GpuBuf && recorded.dtype === dtype && recorded.length === length && recorded.block !== null) {
      tape.at++;
      recorded.host = undefined;
      return recorded;
    }
    tape.replay = null;
  }
  const buf = new GpuBuf(dtype, length);
  attachBlock(buf);
  tape.record?.push(buf);
  return buf;
}

/** Gives `buf` (a pending or host value being computed) GPU memory of its own. */
export function attachBlock(buf: GpuBuf): Block {
  const block = takeBlock(Math.max(4, buf.length * 4));
  buf.block = block;
  liveBlocks++;
  liveBytes += block.bytes;
  return block;
}

/** Returns `buf`'s memory to the pool; the buffer must not be read again. */
export function freeBuf(buf: GpuBuf): void {
  if (buf.released) return;
  buf.released = true;
  buf.pending?.drop();
  buf.pending = null;
  const block = buf.block;
  if (block === null) return;
  buf.block = null;
  liveBlocks--;
  liveBytes -= block.bytes;
  giveBlock(block);
}

/** The webgpu backend's memory, for `cr.memory()`. */
export interface WebGpuMemoryStats {
  /** Tensor buffers on the GPU now, and their bytes (size classes). */
  readonly tensorBlocks: number;
  /** Their bytes, in the pool's size classes (at least the tensors' own). */
  readonly tensorBytes: number;
  /** Free buffers kept for reuse, and their bytes. */
  readonly pooledBlocks: number;
  /** Their bytes (at most `setPoolLimit`'s, 512 MiB by default). */
  readonly pooledBytes: number;
  /** GPU buffers created so far (a pool that serves a loop creates none after its first steps). */
  readonly createdBlocks: number;
  readonly [other: string]: number;
}

/**
 * The GPU buffers tensors hold and the pool keeps for reuse (`cr.backends.webgpu.memoryStats()`).
 * @example
 * const { tensorBytes } = cr.backends.webgpu.memoryStats();
 */
export function webgpuMemoryStats(): WebGpuMemoryStats {
  return { tensorBlocks: liveBlocks, tensorBytes: liveBytes, pooledBlocks, pooledBytes, createdBlocks };
}

/**
 * Sets how many bytes of free GPU buffers the pool keeps for reuse (default 512 MiB); beyond it the oldest are
 * destroyed. 0 frees every buffer at release.
 * @example cr.backends.webgpu.setPoolLimit(64 * 2 ** 20); // keep at most 64 MiB of free buffers
 */
export function setPoolLimit(bytes: number): void {
  poolLimit = Math.max(0, bytes);
  trimPool(poolLimit);
}

/** Destroys every free buffer the pool keeps (PyTorch's `torch.cuda.empty_cache()`); tensors keep theirs. */
export function emptyCache(): void {
  trimPool(0);
}
