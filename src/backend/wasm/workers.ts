// Worker threads that share kernel work on the shared wasm memory: Node's worker_threads, or Web Workers in a
// cross-origin isolated page. Fully synchronous for the caller, and robust to a busy machine: workers start in
// the background, items are handed out in chunks from an atomic counter, the caller always computes chunks
// itself, and a task no worker has picked up yet is taken back, so the caller never waits on a thread the OS
// has not scheduled. Wake-ups spin briefly, then Atomics.wait (measured on the 2-core development host: a sleep/wake costs ~16 µs, a spin
// ~0.5 µs). Browsers forbid Atomics.wait on the main thread: there the caller only spins, and only on workers
// that have already claimed the task, i.e. that are running it.
import { noteTask } from "./kernel-plan.js";
import type { Runtime } from "./runtime.js";
import { availableThreads } from "../host.js";
import { nodeBuiltin } from "./wasm-api.js";
import type { WasmMemory, WasmModule } from "./wasm-api.js";
import { join, JOIN_SPIN_MS, nextSeq, post, readySlots, S_READY, SERVE_TASKS_SOURCE, SLOT_WORDS } from "../worker-protocol.js";

// Control block, its own SharedArrayBuffer: an Int32 header, the task's arguments as Float64 (so float
// arguments pass unchanged and pointers up to 1 GiB stay exact), then one Int32 slot per worker.
const H_NEXT = 0; // the next chunk to claim
const H_KERNEL = 1; // the kernel's index in kernelNames(module); −id for a function compiled at run time (see H_CODE_AT)
const H_ITEMS = 2;
const H_CHUNK = 3; // items per chunk
const H_CHUNKS = 4;
const H_NARGS = 5;
const H_RANGE_AT = 6; // where [start, end) go among the arguments
const H_LOCAL = 7; // 1: append the slot's S_LOCAL (a per-thread argument, e.g. gemm's packing space)
const H_WORKER_CHUNKS = 8; // chunks computed by workers since start (diagnostics)
const H_CODE_AT = 9; // a compiled function's module bytes in the wasm memory (address, then length): workers compile it once per id
const H_CODE_LENGTH = 10;
const HEADER = 16;
const MAX_ARGS = 16;
const ARGS_AT = HEADER * 4;
const SLOTS_AT = ARGS_AT + MAX_ARGS * 8;
// A slot: worker-protocol.ts's words (S_READY is 1 once the module is instantiated, −1 if that failed or a chunk
// trapped), then this pool's.
const SLOT = 8;
const S_LOCAL = SLOT_WORDS; // the worker's per-thread argument for the current task
const S_FAILED = SLOT_WORDS + 1; // 1 + the chunk whose kernel call threw, for the caller to redo; 0 if none
const SPIN_MS = 0.05;

// The worker's loop, shared by both hosts as source text: a bundler must not see (or rewrite) it, and no
// file has to be found beside this module. Exports are named by their index in one list both sides build.
const SERVE_SOURCE = `${SERVE_TASKS_SOURCE}
function kernelNames(module) {
  return WebAssembly.Module.exports(module).filter((d) => d.kind === "function").map((d) => d.name);
}
function serve({ module, memory, control, slot, spinMs }) {
  const head = new Int32Array(control, 0, ${HEADER});
  const args = new Float64Array(control, ${ARGS_AT}, ${MAX_ARGS});
  const ctl = new Int32Array(control, ${SLOTS_AT} + slot * ${SLOT * 4}, ${SLOT});
  const exports = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error("wasm kernel aborted"); } } }).exports;
  const kernels = kernelNames(module).map((name) => exports[name]);
  const compiled = new Map();
  const kernelFor = (k) => {
    if (k >= 0) return kernels[k];
    let fn = compiled.get(k);
    if (fn === undefined) {
      const bytes = new Uint8Array(memory.buffer, head[${H_CODE_AT}], head[${H_CODE_LENGTH}]).slice();
      fn = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports.f;
      if (compiled.size > 1024) compiled.clear();
      compiled.set(k, fn);
    }
    return fn;
  };
  serveTasks(ctl, spinMs, () => {
    let kernel;
    try {
      kernel = kernelFor(head[${H_KERNEL}]);
    } catch {
      Atomics.store(ctl, ${S_READY}, -1); // could not compile: never used again; the caller does the chunks
      return;
    }
    const items = head[${H_ITEMS}], chunk = head[${H_CHUNK}], chunks = head[${H_CHUNKS}], at = head[${H_RANGE_AT}];
    const call = Array.from(args.subarray(0, head[${H_NARGS}]));
    if (head[${H_LOCAL}] === 1) call.push(ctl[${S_LOCAL}]);
    call.splice(at, 0, 0, 0);
    for (let i; (i = Atomics.add(head, ${H_NEXT}, 1)) < chunks; ) {
      call[at] = i * chunk;
      call[at + 1] = Math.min(items, (i + 1) * chunk);
      try {
        kernel(...call);
      } catch {
        Atomics.store(ctl, ${S_FAILED}, i + 1);
        Atomics.store(ctl, ${S_READY}, -1);
        break;
      }
      Atomics.add(head, ${H_WORKER_CHUNKS}, 1);
    }
  });
}
`;

// Node: evaluated as a CommonJS script, the init object comes as workerData.
const NODE_WORKER_SOURCE = `${SERVE_SOURCE}\nserve(require("node:worker_threads").workerData);\n`;
// Browsers: a classic script from a Blob URL, the init object comes as the first message. serve never returns.
const BROWSER_WORKER_SOURCE = `${SERVE_SOURCE}\nself.onmessage = (e) => { self.onmessage = null; serve(e.data); };\n`;

/** @internal The source a wasm worker thread runs, in Node or in a browser (test/worker-source.test.ts lints it). */
export function wasmWorkerSource(host: "node" | "browser"): string {
  return host === "node" ? NODE_WORKER_SOURCE : BROWSER_WORKER_SOURCE;
}

/** What a worker receives: all of it is shared or cloneable (a compiled module, shared buffers). */
interface WorkerInit {
  readonly module: WasmModule;
  readonly memory: WasmMemory;
  readonly control: SharedArrayBuffer;
  readonly slot: number;
  readonly spinMs: number;
}

/** Starts one worker; `onError` runs (later, on this thread's event loop) if it fails to start or dies. */
type Spawn = (init: WorkerInit, onError: (cause?: unknown) => void) => void;

interface NodeWorker {
  unref(): void;
  on(event: "error", listener: (err: unknown) => void): void;
}
interface WorkerThreads {
  Worker: new (source: string, options: { eval: boolean; workerData: unknown }) => NodeWorker;
}

interface WebWorker {
  postMessage(message: unknown): void;
  onerror: ((event: unknown) => void) | null;
  onmessageerror: ((event: unknown) => void) | null;
}
interface BrowserGlobals {
  Worker?: new (url: string, options?: { name?: string }) => WebWorker;
  Blob?: new (parts: string[], options?: { type?: string }) => object;
  URL?: { createObjectURL?(blob: object): string };
  crossOriginIsolated?: boolean;
}

function nodeSpawner(): Spawn | undefined {
  const wt = nodeBuiltin<WorkerThreads>("worker_threads");
  if (wt === undefined) return undefined;
  return (init, onError) => {
    const worker = new wt.Worker(NODE_WORKER_SOURCE, { eval: true, workerData: init });
    worker.on("error", onError);
    worker.unref(); // idle workers must not keep the process alive
  };
}

// Shared memory reaches a Web Worker only inside a cross-origin isolated page (COOP + COEP headers).
function browserSpawner(): Spawn | undefined {
  const g = globalThis as BrowserGlobals;
  const { Worker, Blob, URL } = g;
  if (Worker === undefined || Blob === undefined || URL?.createObjectURL === undefined || g.crossOriginIsolated !== true) return undefined;
  // Kept for the page's lifetime: a worker fetches its script asynchronously, after the constructor returns.
  const url = URL.createObjectURL(new Blob([BROWSER_WORKER_SOURCE], { type: "text/javascript" }));
  return (init, onError) => {
    let worker: WebWorker;
    try {
      worker = new Worker(url, { name: `chainrule-wasm-${init.slot}` });
    } catch (e) {
      // Browsers that check a Content-Security-Policy's worker-src at construction throw here (others fire onerror).
      onError(e);
      return;
    }
    worker.onerror = onError;
    worker.onmessageerror = onError;
    worker.postMessage(init);
  };
}

// Said once a page, on the console: otherwise a page without the headers, or under a strict CSP, silently runs on
// one thread. README.md ("Threads in the browser") shows the headers for Vite, webpack/Next.js and Express.
let warnedIsolation = false;
let warnedWorkerFailure = false;

/** Warns once that the page is not cross-origin isolated, so the wasm backend runs on one thread. */
function warnNotIsolated(threads: number): void {
  if (warnedIsolation) return;
  warnedIsolation = true;
  console.warn(
    `chainrule: this page is not cross-origin isolated, so the wasm backend runs on 1 thread instead of ${threads}. ` +
      "Serve the page with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp " +
      "(or credentialless) to get SharedArrayBuffer and worker threads; cr.setNumThreads(1) silences this.",
  );
}

/** Warns once that a worker could not start (typically a CSP whose worker-src does not allow blob: URLs). */
function warnWorkerFailed(cause: unknown): void {
  if (warnedWorkerFailure) return;
  warnedWorkerFailure = true;
  const why = cause instanceof Error ? cause.message : typeof cause === "object" && cause !== null && "message" in cause ? String((cause as { message: unknown }).message) : "";
  console.warn(
    `chainrule: a wasm worker thread failed to start${why === "" ? "" : ` (${why})`}, so kernels run on fewer threads. ` +
      (nodeBuiltin<WorkerThreads>("worker_threads") === undefined
        ? "Its script is a blob: URL: a Content-Security-Policy must allow it with worker-src 'self' blob: (worker-src falls back to script-src, then default-src)."
        : ""),
  );
}

/** Whether this is a browser page (Web Workers, no Node) that is not cross-origin isolated. */
function browserWithoutIsolation(): boolean {
  const g = globalThis as BrowserGlobals;
  return nodeBuiltin<WorkerThreads>("worker_threads") === undefined && g.Worker !== undefined && g.crossOriginIsolated === false;
}

// Node's worker_threads first: runtimes that have both (Bun, Deno) run Node's protocol just as well.
function spawner(): Spawn | undefined {
  return nodeSpawner() ?? browserSpawner();
}

export interface Pool {
  /** The runtime whose module and memory the workers share. */
  readonly runtime: Runtime;
  readonly head: Int32Array;
  readonly args: Float64Array;
  /** One control slot per worker (so `slots.length + 1` threads in all). */
  readonly slots: Int32Array[];
  /** The module's function exports, in the order workers index them. */
  readonly kernelNames: readonly string[];
  seq: number;
}

function kernelNames(module: WasmModule): string[] {
  const api = globalThis as unknown as { WebAssembly: { Module: { exports(m: WasmModule): { name: string; kind: string }[] } } };
  return api.WebAssembly.Module.exports(module).filter((d) => d.kind === "function").map((d) => d.name);
}

/**
 * Starts `threads - 1` workers on `rt`'s module and memory (they come up in the background); null where that
 * cannot work: private memory, fewer than 2 threads, or no worker host (a browser page not cross-origin isolated).
 * `getPool` keeps one for the backend's runtime; this is for other runtimes (tests, other modules).
 */
export function startPool(rt: Runtime, threads: number): Pool | null {
  const spawn = spawner();
  if (threads >= 2 && browserWithoutIsolation()) warnNotIsolated(Math.floor(threads));
  if (!rt.shared || threads < 2 || spawn === undefined) return null;
  const size = Math.floor(threads) - 1;
  const control = new SharedArrayBuffer(SLOTS_AT + size * SLOT * 4);
  const slots: Int32Array[] = [];
  for (let slot = 0; slot < size; slot++) {
    const ctl = new Int32Array(control, SLOTS_AT + slot * SLOT * 4, SLOT);
    slots.push(ctl);
    // A worker that dies never reports ready (or reports -1), so it is never given work.
    spawn({ module: rt.module, memory: rt.memory, control, slot, spinMs: SPIN_MS }, (e) => {
      Atomics.store(ctl, S_READY, -1);
      warnWorkerFailed(e);
    });
  }
  return { runtime: rt, head: new Int32Array(control, 0, HEADER), args: new Float64Array(control, ARGS_AT, MAX_ARGS), slots, kernelNames: kernelNames(rt.module), seq: 0 };
}

let pool: Pool | null | undefined;
let wantedThreads: number | undefined;

/**
 * Sets how many threads (the caller included) kernels may use; 1 disables workers. Takes effect before the pool starts.
 * @example cr.backends.wasm.setThreads(4); // before the first op
 */
export function setWasmThreads(n: number): void {
  wantedThreads = Math.max(1, Math.floor(n));
}

/** The worker pool, started on first use; null where threads are unavailable (no isolation, private memory) or for another runtime. */
export function getPool(rt: Runtime): Pool | null {
  if (pool !== undefined) return pool?.runtime === rt ? pool : null;
  pool = startPool(rt, wantedThreads ?? availableThreads());
  return pool;
}

/** How many workers are ready now (0 before the pool starts or without one). */
export function readyWorkerCount(): number {
  return pool ? readySlots(pool.slots).length : 0;
}

/** Whether some worker of the pool is still starting (neither ready nor failed): kernels run on fewer threads until it is up. */
export function workersStarting(): boolean {
  return pool != null && pool.slots.some((s) => Atomics.load(s, S_READY) === 0);
}

/** Chunks of kernels (matmul rows) computed by worker threads so far. */
export function workerChunks(): number {
  return pool ? Atomics.load(pool.head, H_WORKER_CHUNKS) : 0;
}

// Whether this thread may block in Atomics.wait: not on a browser's main thread, where it throws.
let blockingAllowed: boolean | undefined;
function canBlock(): boolean {
  if (blockingAllowed === undefined) {
    try {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0); // returns "not-equal" at once where allowed
      blockingAllowed = true;
    } catch {
      blockingAllowed = false;
    }
  }
  return blockingAllowed;
}

/** A function compiled at run time (jit.ts): its id, and its module's bytes at `at` in the wasm memory, for the workers. */
export interface CompiledKernel {
  readonly fn: (...args: number[]) => unknown;
  readonly id: number;
  readonly at: number;
  readonly length: number;
}

/** One split kernel call: `kernel(...args with [start, end) inserted at rangeAt, local[t]?)` over chunks of `items`. */
interface Task {
  readonly kernel: string | CompiledKernel;
  readonly args: readonly number[];
  readonly rangeAt: number;
  readonly items: number;
  readonly chunk: number;
  /** A per-thread last argument (0: this thread, t: worker t - 1); also caps the workers used to its length - 1. */
  readonly local?: readonly number[];
}

type KernelFn = (...args: number[]) => unknown;

function kernelOf(rt: Runtime, name: string): KernelFn {
  const fn = (rt.exports as unknown as Record<string, unknown>)[name];
  if (typeof fn !== "function") throw new Error(`the wasm module has no kernel named ${name}`);
  return fn as KernelFn;
}

/** Calls the kernel on chunk `i` on this thread. */
function runChunk(fn: KernelFn, task: Task, call: number[], i: number): void {
  call[task.rangeAt] = i * task.chunk;
  call[task.rangeAt + 1] = Math.min(task.items, (i + 1) * task.chunk);
  fn(...call);
}

/** Writes the task to the control block and wakes the workers; returns the task's seq. */
function postTask(p: Pool, task: Task, workers: readonly Int32Array[], chunks: number): number {
  p.seq = nextSeq(p.seq);
  const seq = p.seq;
  p.args.set(task.args);
  const h = p.head;
  h[H_NEXT] = 0;
  if (typeof task.kernel === "string") h[H_KERNEL] = p.kernelNames.indexOf(task.kernel);
  else {
    h[H_KERNEL] = -task.kernel.id;
    h[H_CODE_AT] = task.kernel.at;
    h[H_CODE_LENGTH] = task.kernel.length;
  }
  h[H_ITEMS] = task.items;
  h[H_CHUNK] = task.chunk;
  h[H_CHUNKS] = chunks;
  h[H_NARGS] = task.args.length;
  h[H_RANGE_AT] = task.rangeAt;
  h[H_LOCAL] = task.local === undefined ? 0 : 1;
  workers.forEach((s, i) => {
    s[S_LOCAL] = task.local?.[i + 1] ?? 0;
    post(s, seq);
  });
  return seq;
}

function runTask(rt: Runtime, p: Pool, task: Task): void {
  if (p.runtime !== rt) throw new Error("the pool's workers run another runtime's module");
  const traced = noteTask(() => runTask(rt, p, task)); // a kernel plan being recorded replays the task whole
  try {
    runTaskNow(rt, p, task);
  } finally {
    traced?.();
  }
}

function runTaskNow(rt: Runtime, p: Pool, task: Task): void {
  if (task.args.length + (task.local === undefined ? 0 : 1) > MAX_ARGS) throw new Error(`a parallel kernel takes at most ${MAX_ARGS} arguments`);
  const fn = typeof task.kernel === "string" ? kernelOf(rt, task.kernel) : task.kernel.fn;
  const chunks = Math.ceil(task.items / task.chunk);
  const call = [...task.args, ...(task.local === undefined ? [] : [task.local[0] ?? 0])];
  call.splice(task.rangeAt, 0, 0, 0);
  const ready = readySlots(p.slots);
  const workers = task.local === undefined ? ready : ready.slice(0, task.local.length - 1);
  const seq = postTask(p, task, workers, chunks);
  try {
    for (let i; (i = Atomics.add(p.head, H_NEXT, 1)) < chunks; ) runChunk(fn, task, call, i);
  } catch (err) {
    Atomics.store(p.head, H_NEXT, chunks); // hand out nothing more
    join(workers, seq, JOIN_SPIN_MS, canBlock());
    throw err;
  }
  join(workers, seq, JOIN_SPIN_MS, canBlock());
  // A chunk that trapped in a worker is redone here: it throws the kernel's own error, or succeeds if only the worker was broken.
  for (const s of workers) {
    const failed = Atomics.exchange(s, S_FAILED, 0);
    if (failed > 0) runChunk(fn, task, call, failed - 1);
  }
}

/**
 * Calls the module's export `kernel` (or a function compiled at run time, which each worker compiles from
 * its bytes the first time) as `kernel(...args, start, end)` for [start, end) chunks of `items`
 * items, `chunk` at a time, shared between this thread and the pool's ready workers (which look the export up
 * by name). Returns once every chunk is done. Chunks run concurrently and in any order, so they must write
 * disjoint memory; a chunk that trapped in a worker is rerun on this thread.
 */
export function parallelRun(rt: Runtime, p: Pool, kernel: string | CompiledKernel, args: readonly number[], items: number, chunk: number): void {
  if (items <= 0) return;
  runTask(rt, p, { kernel, args, rangeAt: args.length, items, chunk: Math.max(1, Math.floor(chunk)) });
}

/**
 * `batch` products of m×k by k×n, `chunk` of them at a time shared between this thread and the ready workers
 * (gemmBatch: A and B advance by their byte strides, 0 for one repeated matrix); `scratch[t]` is thread t's
 * packing space, `scratchBytes(n)` each.
 */
export function parallelGemmBatch(
  rt: Runtime, p: Pool, a: number, b: number, c: number, strideA: number, strideB: number, m: number, k: number, n: number, trans: number, batch: number, chunk: number, scratch: readonly number[],
): void {
  runTask(rt, p, { kernel: "gemmBatch", args: [a, b, c, strideA, strideB, m, k, n, trans], rangeAt: 9, items: batch, chunk, local: scratch });
}

/**
 * gemmSumGroups's `groups` groups of `per` products (of `batch`) shared between this thread and the ready
 * workers, a group at a time; `scratch[t]` is thread t's packing space, `scratchBytes(n)` each.
 */
export function parallelGemmSumGroups(
  rt: Runtime, p: Pool, a: number, b: number, out: number, partials: number, strideA: number, strideB: number, m: number, k: number, n: number, trans: number, batch: number, per: number, groups: number, scratch: readonly number[],
): void {
  runTask(rt, p, { kernel: "gemmSumGroups", args: [a, b, out, partials, strideA, strideB, m, k, n, trans, batch, per], rangeAt: 12, items: groups, chunk: 1, local: scratch });
}

/**
 * C = A·B with rows in chunks of `chunkRows` shared between this thread and the ready workers, on a B that
 * `packBAll` packed at `bPacked`; `scratch[t]` is thread t's packing space for A (0: this thread). `trans`
 * is gemmT's (bit 0: A stored transposed); `bias`, where not 0, the row of n floats each chunk then adds to
 * its rows. Returns once every row is written.
 */
export function parallelGemm(
  rt: Runtime, p: Pool, a: number, bPacked: number, c: number, m: number, k: number, n: number, chunkRows: number, scratch: readonly number[], trans: number, bias: number,
): void {
  runTask(rt, p, { kernel: "gemmPacked", args: [a, bPacked, c, k, n, m, trans, bias], rangeAt: 3, items: m, chunk: chunkRows, local: scratch });
}
