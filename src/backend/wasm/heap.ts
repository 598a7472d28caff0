// The wasm memory's allocator: blocks by size class above the stub runtime's static data, reused after
// they are freed, the memory growing on demand up to its cap. Tensors and per-call scratch both live here.
import type { WasmMemory } from "./wasm-api.js";

const PAGE = 65536;
/** Blocks are cache-line aligned, which also leaves room for kernels that run whole 16-byte vectors past the end. */
const ALIGN = 64;

/**
 * Sizes round up to a class so a block freed by one training step fits the next step's request:
 * multiples of 64 bytes up to 4 KiB, then four classes per power of two (at most 25% slack).
 */
export function sizeClass(bytes: number): number {
  const b = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  if (b <= 4096) return b;
  const quarter = 2 ** (Math.floor(Math.log2(b)) - 2);
  return Math.ceil(b / quarter) * quarter;
}

export interface HeapStats {
  /** Bytes in blocks handed out and not yet freed. */
  readonly bytesInUse: number;
  /** Blocks handed out and not yet freed. */
  readonly blocksInUse: number;
  /** The high-water mark of the allocator: everything above it is untouched. */
  readonly top: number;
}

export class Heap {
  private readonly free = new Map<number, number[]>();
  private readonly sizes = new Map<number, number>();
  private topOffset: number;
  private used = 0;
  // The memory's size as last read: reading `memory.buffer` of a shared memory is not free, and only growth changes it.
  private capacity = 0;

  constructor(
    private readonly memory: WasmMemory,
    base: number,
    private readonly maxBytes: number,
  ) {
    this.topOffset = base;
  }

  /** A block of at least `bytes` (aligned), or undefined when the memory cannot grow that far. */
  alloc(bytes: number): number | undefined {
    const size = sizeClass(bytes);
    const reuse = this.free.get(size)?.pop();
    const ptr = reuse ?? this.topOffset;
    if (reuse === undefined) {
      const end = ptr + size;
      if (end > this.maxBytes) return undefined;
      if (end > this.capacity) this.capacity = this.memory.buffer.byteLength;
      if (end > this.capacity) {
        try {
          // An eighth at a time (at least 1 MiB): growing a shared memory is a system call, and a loop whose tensors
          // wait for the collector grows it by a block at a time. Pages never touched cost no resident memory.
          const wanted = Math.ceil((end - this.capacity) / PAGE);
          const ahead = Math.max(wanted, Math.ceil(this.capacity / 8 / PAGE), 16);
          const pages = Math.min(ahead, Math.max(wanted, Math.floor((this.maxBytes - this.capacity) / PAGE)));
          try {
            this.memory.grow(pages);
          } catch {
            this.memory.grow(wanted); // the host refused the slack: only what this block needs
          }
        } catch {
          return undefined; // the host refused the memory
        }
        this.capacity = this.memory.buffer.byteLength;
      }
      this.topOffset = end;
    }
    this.sizes.set(ptr, size);
    this.used += size;
    return ptr;
  }

  /** Returns a block; freeing one twice, or one never handed out, is a bug and throws. */
  release(ptr: number): void {
    const size = this.sizes.get(ptr);
    if (size === undefined) throw new Error(`wasm heap: block ${ptr} is not allocated`);
    this.sizes.delete(ptr);
    this.used -= size;
    let list = this.free.get(size);
    if (list === undefined) this.free.set(size, (list = []));
    list.push(ptr);
  }

  stats(): HeapStats {
    return { bytesInUse: this.used, blocksInUse: this.sizes.size, top: this.topOffset };
  }
}
