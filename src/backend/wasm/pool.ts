// Worker threads that share matmul work on the shared wasm memory (Node's worker_threads).
// Fully synchronous for the caller, and robust to a busy machine: workers start in the background,
// rows are handed out in chunks from an atomic counter, and a task no worker has picked up yet is
// taken back, so the caller never waits on a thread the OS has not scheduled. Wake-ups spin briefly,
// then Atomics.wait (NOTES.md: a sleep/wake costs ~16 µs, a spin ~0.5 µs).
import type { Runtime } from "./runtime.js";
import { nodeBuiltin } from "./wasm-api.js";

// Control words, Int32 in their own SharedArrayBuffer: a common header, then one slot per worker.
const H_NEXT = 0; // the next chunk to claim
const H_ARGS = 1; // a, b, c, m, k, n, chunkRows, chunks
const H_WORKER_CHUNKS = 9; // chunks computed by workers since start (diagnostics)
const HEADER = 16;
const SLOT = 8;
const S_STATE = 0; // seq > 0: task posted; -seq: taken by the worker; 0: taken back by the caller
const S_DONE = 1; // the seq of the last task the worker finished
const S_READY = 2; // 1 once the module is instantiated; -1 if a task failed (never used again)
const S_SCRATCH = 3; // the worker's packing space
const SPIN_MS = 0.05;

// The worker's source, evaluated as a CommonJS script so no file has to be found beside this module.
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, memory, control, slot, spinMs } = workerData;
const head = new Int32Array(control, 0, ${HEADER});
const ctl = new Int32Array(control, (${HEADER} + slot * ${SLOT}) * 4, ${SLOT});
const { gemm } = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error("abort"); } } }).exports;
Atomics.store(ctl, ${S_READY}, 1);
let seen = 0;
const idle = (s) => s <= 0 || s === seen;
for (;;) {
  let s;
  const t0 = performance.now();
  while (idle(s = Atomics.load(ctl, ${S_STATE})) && performance.now() - t0 < spinMs) {}
  while (idle(s = Atomics.load(ctl, ${S_STATE}))) Atomics.wait(ctl, ${S_STATE}, s);
  seen = s;
  if (Atomics.compareExchange(ctl, ${S_STATE}, s, -s) !== s) continue; // the caller took it back
  try {
    const [a, b, c, m, k, n, rows, chunks] = head.subarray(${H_ARGS}, ${H_ARGS + 8});
    for (let i; (i = Atomics.add(head, ${H_NEXT}, 1)) < chunks; ) {
      gemm(a, b, c, i * rows, Math.min(m, (i + 1) * rows), k, n, ctl[${S_SCRATCH}]);
      Atomics.add(head, ${H_WORKER_CHUNKS}, 1);
    }
  } catch {
    Atomics.store(ctl, ${S_READY}, -1);
  }
  Atomics.store(ctl, ${S_DONE}, s);
  Atomics.notify(ctl, ${S_DONE});
}
`;

interface WorkerLike {
  unref(): void;
  on(event: "error", listener: (err: unknown) => void): void;
}
interface WorkerThreads {
  Worker: new (source: string, options: { eval: boolean; workerData: unknown }) => WorkerLike;
}

export interface Pool {
  /** The runtime whose module and memory the workers share. */
  readonly runtime: Runtime;
  readonly head: Int32Array;
  readonly slots: Int32Array[];
  seq: number;
}

let pool: Pool | null | undefined;
let wantedThreads: number | undefined;

/** Sets how many threads (the caller included) matmul may use; 1 disables workers. Takes effect before the pool starts. */
export function setWasmThreads(n: number): void {
  wantedThreads = Math.max(1, Math.floor(n));
}

function defaultThreads(): number {
  const os = nodeBuiltin<{ availableParallelism?: () => number; cpus(): unknown[] }>("os");
  const n = os?.availableParallelism?.() ?? os?.cpus().length ?? 1;
  return Math.min(n, 8);
}

/** The worker pool, started on first use; null where threads are unavailable (browsers, private memory) or for another runtime. */
export function getPool(rt: Runtime): Pool | null {
  if (pool !== undefined) return pool?.runtime === rt ? pool : null;
  pool = null;
  const threads = wantedThreads ?? defaultThreads();
  const wt = nodeBuiltin<WorkerThreads>("worker_threads");
  if (!rt.shared || threads < 2 || wt === undefined) return pool;
  const size = threads - 1;
  const control = new SharedArrayBuffer((HEADER + size * SLOT) * 4);
  const slots: Int32Array[] = [];
  for (let slot = 0; slot < size; slot++) {
    const ctl = new Int32Array(control, (HEADER + slot * SLOT) * 4, SLOT);
    slots.push(ctl);
    const worker = new wt.Worker(WORKER_SOURCE, { eval: true, workerData: { module: rt.module, memory: rt.memory, control, slot, spinMs: SPIN_MS } });
    // A worker that dies never reports ready (or reports -1), so it is never given work.
    worker.on("error", () => Atomics.store(ctl, S_READY, -1));
    worker.unref(); // idle workers must not keep the process alive
  }
  pool = { runtime: rt, head: new Int32Array(control, 0, HEADER), slots, seq: 0 };
  return pool;
}

/** How many workers are ready now (0 before the pool starts or without one). */
export function readyWorkerCount(): number {
  return pool ? pool.slots.filter((s) => Atomics.load(s, S_READY) === 1).length : 0;
}

/** Row chunks of matmuls computed by worker threads so far. */
export function workerChunks(): number {
  return pool ? Atomics.load(pool.head, H_WORKER_CHUNKS) : 0;
}

/**
 * C = A·B (gemm's arguments) with rows in chunks of `chunkRows` shared between this thread and the ready
 * workers; `scratch[t]` is thread t's packing space (0: this thread). Returns once every row is written.
 */
export function parallelGemm(rt: Runtime, p: Pool, a: number, b: number, c: number, m: number, k: number, n: number, chunkRows: number, scratch: readonly number[]): void {
  const chunks = Math.ceil(m / chunkRows);
  const workers = p.slots.filter((s) => Atomics.load(s, S_READY) === 1).slice(0, scratch.length - 1);
  p.seq = (p.seq % 0x3fffffff) + 1;
  const seq = p.seq;
  p.head.set([0, a, b, c, m, k, n, chunkRows, chunks], H_NEXT);
  workers.forEach((s, i) => {
    s[S_SCRATCH] = scratch[i + 1]!;
    Atomics.store(s, S_STATE, seq);
    Atomics.notify(s, S_STATE);
  });
  for (let i; (i = Atomics.add(p.head, H_NEXT, 1)) < chunks; ) rt.exports.gemm(a, b, c, i * chunkRows, Math.min(m, (i + 1) * chunkRows), k, n, scratch[0]!);
  let failed = false;
  for (const s of workers) {
    // Not picked up yet: take the task back rather than wait for a thread that may not be running.
    if (Atomics.compareExchange(s, S_STATE, seq, 0) === seq) continue;
    const t0 = performance.now();
    while (Atomics.load(s, S_DONE) !== seq && performance.now() - t0 < SPIN_MS) { /* spin */ }
    while (Atomics.load(s, S_DONE) !== seq) Atomics.wait(s, S_DONE, Atomics.load(s, S_DONE), 1000);
    if (Atomics.load(s, S_READY) !== 1) failed = true;
  }
  // A worker whose task trapped may have left chunks half done: redo the whole product here.
  if (failed) rt.exports.gemm(a, b, c, 0, m, k, n, scratch[0]!);
}
