// Loads the wasm kernels once (feature-detecting relaxed SIMD and shared memory) and hands out scratch memory.
import * as kernels from "./generated/kernels.js";
import { withPrivateMemory } from "./private-memory.js";
import { Heap } from "./heap.js";
import { keepScratch } from "./kernel-plan.js";
import { readyWorkerCount, workerChunks } from "./workers.js";
import { nodeBuiltin, wasmApi } from "./wasm-api.js";
import type { WasmMemory, WasmModule } from "./wasm-api.js";

/** The exports of the kernels module (pointers are byte offsets into the memory). */
export interface KernelExports {
  gemm(a: number, b: number, c: number, m0: number, m1: number, k: number, n: number, scratch: number): void;
  /** `gemm` with `trans` bit 0 for an A stored [k, m] (row stride `m`) and bit 1 for a B stored [n, k]. */
  gemmT(a: number, b: number, c: number, m0: number, m1: number, k: number, n: number, m: number, trans: number, scratch: number): void;
  scratchBytes(n: number): number;
  /** For threads sharing one product: B packed once (`packBAll`, `packedBBytes` long), then row chunks by `gemmPacked`, each with `packedScratchBytes()` of its own. */
  packedBBytes(k: number, n: number): number;
  packedScratchBytes(): number;
  packBAll(b: number, k: number, n: number, trans: number, dst: number): void;
  /** `packBAll`'s column strips [s0, s1) (of `packedBStrips(n)`): threads pack one B together. */
  packBStrips(b: number, k: number, n: number, trans: number, dst: number, s0: number, s1: number): void;
  packedBStrips(n: number): number;
  /** `bias` 0, or the address of n floats added to every row once the rows are computed. */
  gemmPacked(a: number, bPacked: number, c: number, m0: number, m1: number, k: number, n: number, m: number, trans: number, bias: number, scratch: number): void;
  /** Rows [m0, m1) of C (n columns) += the row of n floats at `bias`. */
  addBiasRows(c: number, bias: number, m0: number, m1: number, n: number): void;
  /** A batch of products summed into one: groups of them into partials (threads split the groups), then `addPartials`. */
  gemmSumGroups(a: number, b: number, out: number, partials: number, strideA: number, strideB: number, m: number, k: number, n: number, trans: number, batch: number, per: number, start: number, end: number, scratch: number): void;
  addPartials(out: number, partials: number, count: number, len: number): void;
  /** Rows of C one micro-kernel call computes for a B of n columns (row chunks for threads are multiples of it). */
  gemmTileRows(n: number): number;
  binaryF32(op: number, a: number, b: number, out: number, vectors: number, mode: number, period: number, count: number, phase: number): void;
  sumAllF32(x: number, n: number): number;
  sumAllF32Range(x: number, partials: number, chunk: number, start: number, end: number): void;
  fill32Range(out: number, bits: number, start: number, end: number): void;
  sumRowsF32(x: number, out: number, rows: number, cols: number): void;
  sumColsF32(x: number, out: number, rows: number, cols: number, acc: number): void;
  /** Column vectors [start, end) of sumColsF32, for threads. */
  sumColsF32Range(x: number, out: number, rows: number, cols: number, acc: number, start: number, end: number): void;
  sumMiddleF32(x: number, out: number, outer: number, mid: number, inner: number): void;
  argExtremeMiddleF32(x: number, out: number, outer: number, size: number, inner: number, isMin: number): void;
  /** Along one axis, the index shaped as the input but there; both return the first out-of-range position in the index, or −1. */
  firstBadIndex(index: number, n: number, size: number): number;
  gatherAxis32Range(x: number, index: number, out: number, size: number, m: number, inner: number, start: number, end: number): void;
  scatterAddAxis32Range(out: number, base: number, index: number, src: number, size: number, m: number, inner: number, start: number, end: number): void;
  extremeAllF32(x: number, n: number, isMin: number): number;
  logSoftmaxRowsF32(x: number, out: number, rows: number, n: number): void;
  logSoftmaxBackwardRowsF32(g: number, y: number, out: number, rows: number, n: number): void;
  badTarget(target: number, n: number, classes: number, ignore: number): number;
  nllLossF32(logp: number, target: number, out: number, n: number, classes: number, inner: number, ignore: number, reduction: number): void;
  nllLossBackwardF32(g: number, target: number, out: number, n: number, classes: number, inner: number, ignore: number, reduction: number): void;
  /** Fused attention's forward (see kernels/attention.ts); `bias` 0 for none, `tile` scratch of 64 floats. */
  attentionF32(q: number, k: number, v: number, bias: number, offsets: number, out: number, n: number, l: number, s: number, e: number, ev: number, scale: number, causal: number, rowStride: number, colStride: number, tile: number): void;
  attentionBackwardF32(g: number, q: number, k: number, v: number, saved: number, bias: number, offsets: number, out: number, n: number, l: number, s: number, e: number, ev: number, scale: number, causal: number, rowStride: number, colStride: number, tile: number): void;
  /** The exact GELU over vectors [start, end) (see kernels/gelu.ts). */
  geluF32Range(x: number, out: number, start: number, end: number): void;
  /** GELU's gradient over vectors [start, end). */
  geluBackwardF32Range(g: number, x: number, out: number, start: number, end: number): void;
  /** Layer normalisation of rows [start, end) of `n` floats (see kernels/layer-norm.ts); `w`, `b` 0 for none. */
  layerNormRowsF32(x: number, w: number, b: number, out: number, n: number, eps: number, start: number, end: number): void;
  /** Rows [start, end) of a strided view (kernels/strided.ts): `geom` points at five sizes then five strides (i32). */
  stridedRows32(base: number, flat: number, geom: number, offset: number, mode: number, start: number, end: number): void;
  extremeRowsF32(x: number, out: number, rows: number, cols: number, isMin: number): void;
  extremeColsF32(x: number, out: number, rows: number, cols: number, isMin: number): void;
  unaryF32(op: number, x: number, out: number, vectors: number): void;
  transpose32(src: number, dst: number, batch: number, rows: number, cols: number): void;
  /** Planes [start, end) of unfold / fold; `g` points at 13 i32s: planes, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow. */
  unfold32Range(x: number, out: number, g: number, pad: number, start: number, end: number): void;
  fold32Range(cols: number, out: number, g: number, start: number, end: number): void;
  /** Planes [start, end) of max pooling's winners (int32 flat indices into each plane), on the same geometry; `best` is scratch as long as `out`. */
  maxPoolIndices32Range(x: number, out: number, best: number, g: number, start: number, end: number): void;
  /** After the pointers (p, g, m, v, vmax) and the vector count: β1, 1−β1, β2, 1−β2, bc2sqrt, eps, stepSize, amsgrad. */
  adamF32(p: number, g: number, m: number, v: number, vmax: number, vectors: number, ...scalars: number[]): void;
}

export interface Runtime {
  readonly module: WasmModule;
  readonly memory: WasmMemory;
  readonly exports: KernelExports;
  /** Whether the kernels use relaxed SIMD's fused multiply-add. */
  readonly relaxed: boolean;
  /** Whether the memory is shared, so worker threads can run kernels on it (and tensors can live on it). */
  readonly shared: boolean;
  /** The allocator of the memory above the static data: tensors and scratch. */
  readonly heap: Heap;
}

const PAGE = 65536;
/** Must match --initialMemory / --maximumMemory in tools/build-wasm.mjs. */
const INITIAL_PAGES = 17;
const MAX_PAGES = 16384;
/** The stub runtime's static data lives below this; the heap starts here. */
const HEAP_BASE = PAGE;

function decode(base64: string): Uint8Array {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

// Node 20 (V8 11.3) compiles relaxed SIMD only behind this flag; setting it at run time works there and
// is harmless elsewhere. In browsers there is no flag: the compile below simply fails without support.
function enableRelaxedSimd(): void {
  nodeBuiltin<{ setFlagsFromString(flags: string): void }>("v8")?.setFlagsFromString("--experimental-wasm-relaxed-simd");
}

function tryCompile(bytes: Uint8Array): WasmModule | undefined {
  try {
    return new (wasmApi()!.Module)(bytes);
  } catch {
    return undefined;
  }
}

// Shared memory needs SharedArrayBuffer (in browsers only when the page is cross-origin isolated).
function canShare(): boolean {
  if (typeof SharedArrayBuffer === "undefined") return false;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  return isolated !== false;
}

/**
 * Compiles and instantiates one build of the kernels with a fresh memory; undefined where this runtime
 * cannot (no SIMD, no relaxed SIMD, no shared memory). `getRuntime` picks the best; tests load each.
 */
export function loadVariant(relaxed: boolean, shared: boolean): Runtime | undefined {
  const api = wasmApi();
  if (api === undefined) return undefined;
  const bytes = decode(relaxed ? kernels.kernels_relaxedShared : kernels.kernels_plainShared);
  const module = tryCompile(shared ? bytes : withPrivateMemory(bytes));
  if (module === undefined) return undefined;
  try {
    const memory = new api.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES, shared });
    const instance = new api.Instance(module, { env: { memory, abort: () => { throw new Error("wasm kernel aborted"); } } });
    const heap = new Heap(memory, HEAP_BASE, MAX_PAGES * PAGE);
    return { module, memory, exports: instance.exports as unknown as KernelExports, relaxed, shared, heap };
  } catch {
    return undefined;
  }
}

let runtime: Runtime | null | undefined;

/** The loaded kernels, or null where the runtime lacks WebAssembly SIMD (callers then use the cpu kernels). */
export function getRuntime(): Runtime | null {
  if (runtime !== undefined) return runtime;
  enableRelaxedSimd();
  // Best first: fused multiply-add before plain SIMD, and shared memory (threads) where it can be made.
  const order: [boolean, boolean][] = [[true, true], [false, true], [true, false], [false, false]];
  const shareable = canShare();
  runtime = null;
  for (const [relaxed, shared] of order) {
    if (shared && !shareable) continue;
    runtime = loadVariant(relaxed, shared) ?? null;
    if (runtime !== null) break;
  }
  return runtime;
}

// ---- scratch memory: every kernel call borrows blocks and returns them before it ends ----

let borrowed: { heap: Heap; ptrs: number[] } | null = null;
let inUse = 0;
let peak = 0;
let borrows = 0;

/**
 * Reserves one block per size (bytes, 64-byte aligned) for one kernel call and returns their byte
 * offsets, growing the memory when needed; undefined when that would pass the 1 GiB cap (callers
 * then fall back to the cpu). Every reservation must be paired with `releaseScratch()`.
 */
export function borrowScratch(rt: Runtime, sizes: readonly number[]): number[] | undefined {
  if (borrowed !== null) releaseScratch(); // a kernel that threw between the two calls
  const ptrs: number[] = [];
  for (const size of sizes) {
    const ptr = rt.heap.alloc(size);
    if (ptr === undefined) {
      for (const p of ptrs) rt.heap.release(p);
      return undefined;
    }
    ptrs.push(ptr);
  }
  borrowed = { heap: rt.heap, ptrs };
  inUse = sizes.reduce((a, b) => a + b, 0);
  peak = Math.max(peak, inUse);
  borrows++;
  return ptrs;
}

/** Ends the current reservation. */
export function releaseScratch(): void {
  // A kernel plan being recorded keeps its call's scratch: its replays use the same blocks.
  if (borrowed !== null && !keepScratch(borrowed.ptrs)) for (const p of borrowed.ptrs) borrowed.heap.release(p);
  borrowed = null;
  inUse = 0;
}

/** Counters for tests and tools: the wasm heap never holds tensors, only per-call scratch. */
export interface WasmMemoryStats {
  /** Whether the wasm kernels loaded (false: the wasm backend runs the cpu kernels). */
  readonly loaded: boolean;
  /** Whether the kernels use relaxed SIMD (fused multiply-add), where the runtime has it. */
  readonly relaxedSimd: boolean;
  /** Whether the heap is a SharedArrayBuffer, which worker threads need (in browsers: cross-origin isolation). */
  readonly sharedMemory: boolean;
  /** Scratch bytes reserved right now; 0 between kernel calls, so anything else is a leak. */
  readonly bytesInUse: number;
  /** The largest reservation so far: the heap grows to this and no further. */
  readonly peakBytes: number;
  /** The wasm memory's size: never shrinks, bounded by the largest single call. */
  readonly heapBytes: number;
  /** Number of kernel calls that used scratch. */
  readonly calls: number;
  /** Worker threads started and ready to take work (0 without threads). */
  readonly workers: number;
  /** Row chunks of matmuls that worker threads computed so far. */
  readonly workerChunks: number;
}

/**
 * The wasm kernels' state: whether they loaded (with relaxed SIMD, shared memory), the heap's size, the scratch
 * reserved now and at most, and the worker threads and the matmul chunks they ran.
 * @example
 * console.log(cr.backends.wasm.memoryStats());
 */
export function wasmMemoryStats(): WasmMemoryStats {
  const rt = getRuntime();
  return {
    loaded: rt !== null,
    relaxedSimd: rt?.relaxed ?? false,
    sharedMemory: rt?.shared ?? false,
    bytesInUse: inUse,
    peakBytes: peak,
    heapBytes: rt?.memory.buffer.byteLength ?? 0,
    calls: borrows,
    workers: readyWorkerCount(),
    workerChunks: workerChunks(),
  };
}
