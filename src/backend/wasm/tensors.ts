// Tensors on the wasm heap: a buffer is a typed-array view of a heap block, so the cpu kernels read it
// as they read any array and the wasm kernels take its address without copying. Only on shared memory:
// growing a shared memory never moves it, so views stay valid; a private memory detaches them on growth.
// Blocks are freed when the tensor layer releases the buffer (scopes, dispose()), or, as a safety net,
// when the view is garbage-collected.
import type { ComputeDType as DType } from "../../dtype.js";
import { allocationTape, deferRelease, isHeld } from "../graph-memory.js";
import { restoring } from "../../restore.js";
import { finalizationRegistry, noteAllocated, noteReleased } from "../reclaim.js";
import type { Heap } from "./heap.js";
import type { Runtime } from "./runtime.js";

export type HeapArray = Float32Array | Int32Array;

interface Block {
  readonly rt: Runtime;
  readonly ptr: number;
  readonly bytes: number;
}

const blocks = new WeakMap<object, Block>();
let liveBlocks = 0;
let liveBytes = 0;
let collected = 0;

function freeBlock(heap: Heap, ptr: number, bytes: number): void {
  heap.release(ptr);
  liveBlocks--;
  liveBytes -= bytes;
  noteReleased(bytes);
}

// Runs between tasks or at a safe point (reclaim.ts), so never in the middle of a kernel call; held values never reference the view.
const registry = finalizationRegistry<{ heap: Heap; ptr: number; bytes: number }>(({ heap, ptr, bytes }) => {
  collected++;
  freeBlock(heap, ptr, bytes);
});

/**
 * Tensors beyond this many bytes on the heap go to JavaScript memory instead. Without scopes, blocks are
 * freed only when the event loop turns (a synchronous training loop never lets it), so this bounds what
 * such a loop leaves on the heap; with scopes a step's tensors are freed at once. Half the memory's 1 GiB:
 * a dataset on the heap (MNIST's 219 MB) must leave a step room, or its tensors land in JavaScript memory,
 * where every kernel copies them in and fresh pages fault (a CNN step took 75 ms instead of 49 at 256 MiB).
 */
export const HEAP_TENSOR_CAP = 512 * 2 ** 20;
let heapTensorCap = HEAP_TENSOR_CAP;

/** Sets the cap (tests fill a small one) until the returned Disposable is disposed. */
export function setHeapTensorCap(bytes: number): Disposable {
  const previous = heapTensorCap;
  heapTensorCap = bytes;
  return restoring(() => (heapTensorCap = previous));
}

let warnedFull = false;

// Once a process: a full heap usually means a loop that makes tensors outside any scope, which runs slower
// from here on without saying so. console.warn rather than process.emitWarning, which waits for the next
// tick: a synchronous training loop would only hear of it once it had finished, or never if it then exits.
function warnHeapFull(): void {
  if (warnedFull) return;
  warnedFull = true;
  console.warn(
    `chainrule [CHAINRULE_HEAP_FULL]: ${Math.round(heapTensorCap / 2 ** 20)} MiB of tensors are on the wasm heap, so new tensors go to JavaScript memory, ` +
      "where every wasm kernel copies them in and out. Tensors made outside a scope are freed only when the event loop turns: " +
      "wrap each training step in cr.tidy(() => ...) or a `using` scope (cr.scope()), or dispose() what you no longer need.",
  );
}

/** Below this many elements a tensor stays in JavaScript memory: a block and its bookkeeping would cost more than they save. */
export const HEAP_MIN_ELEMENTS = 256;

/** A new heap-resident array of `length` elements (contents unspecified), or undefined where tensors cannot live on this runtime's heap. */
export function allocHeapArray(rt: Runtime, dtype: DType, length: number): HeapArray | undefined {
  const tape = allocationTape;
  if (tape.replay !== null) {
    const recorded = tape.replay[tape.at];
    if (recorded !== undefined && fits(recorded, rt, dtype, length)) {
      tape.at++;
      return recorded as HeapArray;
    }
    tape.replay = null; // the call went another way than when recorded: fresh blocks from here (capture.ts copies)
  }
  const view = newHeapArray(rt, dtype, length);
  if (view !== undefined) tape.record?.push(view);
  return view;
}

// Whether a block a captured call was given answers this request.
function fits(arr: object, rt: Runtime, dtype: DType, length: number): boolean {
  return blocks.get(arr)?.rt === rt && (arr as HeapArray).length === length && (arr instanceof Float32Array ? dtype === "float32" : dtype === "int32");
}

function newHeapArray(rt: Runtime, dtype: DType, length: number): HeapArray | undefined {
  if (!rt.shared || (dtype !== "float32" && dtype !== "int32") || length < HEAP_MIN_ELEMENTS) return undefined;
  const bytes = length * 4;
  if (liveBytes + bytes > heapTensorCap) {
    warnHeapFull();
    return undefined;
  }
  const ptr = rt.heap.alloc(bytes);
  if (ptr === undefined) return undefined;
  const view = dtype === "float32" ? new Float32Array(rt.memory.buffer, ptr, length) : new Int32Array(rt.memory.buffer, ptr, length);
  blocks.set(view, { rt, ptr, bytes });
  registry.register(view, { heap: rt.heap, ptr, bytes }, view);
  liveBlocks++;
  liveBytes += bytes;
  noteAllocated(bytes);
  return view;
}

/** The byte address of `arr` in `rt`'s memory, when it is a live block there. */
export function heapAddress(rt: Runtime, arr: object): number | undefined {
  const b = blocks.get(arr);
  return b !== undefined && b.rt === rt ? b.ptr : undefined;
}

/** Whether `arr` is a live heap block (of any runtime). */
export function isHeapArray(arr: object): boolean {
  return blocks.has(arr);
}

/** Frees `arr`'s block now (no-op for arrays in JavaScript memory, or already freed). The caller guarantees no tensor reads it again. */
export function releaseHeapArray(arr: object): void {
  if (isHeld(arr)) return deferRelease(arr, () => releaseHeapArray(arr));
  const b = blocks.get(arr);
  if (b === undefined) return;
  blocks.delete(arr);
  registry.unregister(arr);
  freeBlock(b.rt.heap, b.ptr, b.bytes);
}

/** The tensor buffers on the wasm heap (`cr.backends.wasm.tensorStats()`). */
export interface HeapTensorStats {
  /** Tensor buffers on the wasm heap now. */
  readonly tensorBlocks: number;
  /** Their bytes. */
  readonly tensorBytes: number;
  /** Blocks the garbage collector freed directly (buffers no tensor wrapped; a tensor's are released through it). */
  readonly collectedBlocks: number;
}

/**
 * The tensor buffers on the wasm heap now, and how many the garbage collector freed.
 * @example
 * const { tensorBlocks, tensorBytes } = cr.backends.wasm.tensorStats();
 */
export function heapTensorStats(): HeapTensorStats {
  return { tensorBlocks: liveBlocks, tensorBytes: liveBytes, collectedBlocks: collected };
}
