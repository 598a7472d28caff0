// The cpu backend's worker threads (Node's worker_threads): plain JavaScript, the same kernels on every thread
// (workers get their source), over arrays on SharedArrayBuffers, in chunks claimed from an atomic counter.
// Large matrix products split their rows (on B packed once for all threads); whole-array kernels
// (range-kernels.ts: elementwise ops, Adam) split their elements. The caller computes chunks too and takes
// back a task no worker has picked up, so it never waits on a thread the OS has not scheduled. Browsers run
// the cpu backend on one thread.
import type { TypedArray } from "../../dtype.js";
import { nodeBuiltin } from "../host.js";
import { packAllB, packedBLength, panelsOf, productRows, productSource } from "./matmul.js";
import type { MatrixView } from "./matmul.js";
import { RANGE_KERNELS, rangeKernelSource } from "./range-kernels.js";
import type { RangeKernelName } from "./range-kernels.js";
import { cpuThreadCount, isShared } from "./sharing.js";
import { join, JOIN_SPIN_MS, nextSeq, post, readySlots, S_READY, SERVE_TASKS_SOURCE, SLOT_WORDS } from "../worker-protocol.js";

export { setCpuThreads } from "./sharing.js";

/** Below this many flops one thread is faster than copying the operands where a worker can read them. */
const THREAD_MIN_FLOPS = 8e6;
/** Elements of B from which its packing is shared too (each share costs a wake-up and a join). */
const PACK_SHARE_MIN = 65536;

// Control words (Int32, shared): a header, then one slot per worker (worker-protocol.ts's words, then S_FAILED).
const H_NEXT = 0; // the next chunk to claim
const H_WORKER_CHUNKS = 1; // chunks computed by workers (diagnostics, tests)
const HEADER = 4;
const S_FAILED = SLOT_WORDS; // 1 + the chunk whose kernel threw in this worker (0: none); the caller redoes it
const SLOT = SLOT_WORDS + 1;
const SPIN_MS = 0.05;

/**
 * A worker's JavaScript heap holds only the task messages it is reading, garbage within a task, so a young
 * generation of 1 MiB serves it: V8's default lets it grow to 8, which W2's 50 steps reached, 1.5–2 MiB more
 * resident memory (W5) for no speed (cpu W2 48–54 ms a step either way, alternating runs).
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 1 };

const KERNELS = { productRows, packAllB, ...RANGE_KERNELS };
type KernelName = keyof typeof KERNELS;
type AnyKernel = (...args: unknown[]) => void;

// The worker's loop (a task is the last message on its port: ones the caller took back are skipped). A kernel
// that throws leaves its chunk to the caller and takes the worker out of service.
const LOOP_SOURCE = `${SERVE_TASKS_SOURCE}
const { workerData, receiveMessageOnPort } = require("node:worker_threads");
const { control, port, slot } = workerData;
const head = new Int32Array(control, 0, ${HEADER});
const ctl = new Int32Array(control, (${HEADER} + slot * ${SLOT}) * 4, ${SLOT});
const KERNELS = { ${Object.keys(KERNELS).join(", ")} };
serveTasks(ctl, ${SPIN_MS}, (seq) => {
  let task = null;
  for (let m; (m = receiveMessageOnPort(port)) !== undefined; ) task = m.message;
  if (task === null || task.seq !== seq) return;
  const { kernel, args, items, chunk, chunks } = task;
  const fn = KERNELS[kernel];
  for (let i; (i = Atomics.add(head, ${H_NEXT}, 1)) < chunks; ) {
    try {
      fn(...args, i * chunk, Math.min(items, (i + 1) * chunk));
    } catch {
      Atomics.store(ctl, ${S_FAILED}, i + 1);
      Atomics.store(ctl, ${S_READY}, -1);
      return;
    }
    Atomics.add(head, ${H_WORKER_CHUNKS}, 1);
  }
});
`;

interface Port {
  postMessage(value: unknown): void;
}
interface WorkerThreads {
  Worker: new (source: string, options: { eval: boolean; workerData: unknown; transferList: unknown[]; resourceLimits: { maxYoungGenerationSizeMb: number } }) => {
    unref(): void;
    on(event: "error", listener: () => void): void;
  };
  MessageChannel: new () => { port1: Port & { unref?(): void }; port2: unknown };
}

interface Pool {
  readonly head: Int32Array;
  readonly slots: Int32Array[];
  readonly ports: Port[];
  seq: number;
}

let pool: Pool | null | undefined;

function getPool(): Pool | null {
  if (pool !== undefined) return pool;
  pool = null;
  const wt = nodeBuiltin<WorkerThreads>("worker_threads");
  const threads = cpuThreadCount();
  if (wt === undefined || threads < 2 || typeof SharedArrayBuffer === "undefined") return pool;
  const control = new SharedArrayBuffer((HEADER + (threads - 1) * SLOT) * 4);
  const source = cpuWorkerSource();
  const slots: Int32Array[] = [];
  const ports: Port[] = [];
  for (let slot = 0; slot < threads - 1; slot++) {
    const ctl = new Int32Array(control, (HEADER + slot * SLOT) * 4, SLOT);
    const { port1, port2 } = new wt.MessageChannel();
    port1.unref?.();
    const worker = new wt.Worker(source, { eval: true, workerData: { control, port: port2, slot }, transferList: [port2], resourceLimits: WORKER_LIMITS });
    worker.on("error", () => Atomics.store(ctl, S_READY, -1));
    worker.unref(); // an idle worker must not keep the process alive
    slots.push(ctl);
    ports.push(port1);
  }
  pool = { head: new Int32Array(control, 0, HEADER), slots, ports, seq: 0 };
  return pool;
}

/** @internal The whole source a cpu worker thread runs (test/worker-source.test.ts lints it: no imports, no closures). */
export function cpuWorkerSource(): string {
  return `${productSource()}\n${rangeKernelSource()}\n${LOOP_SOURCE}`;
}

/**
 * Chunks of cpu kernels computed by worker threads so far (0 without workers).
 * @example cr.backends.cpu.workerChunks() // 0 until a large kernel has run on the worker threads
 */
export function cpuWorkerChunks(): number {
  return pool ? Atomics.load(pool.head, H_WORKER_CHUNKS) : 0;
}

/**
 * Starts the cpu backend's worker threads now (they come up in the background); false where there are none.
 * @example cr.backends.cpu.warmUp(); // at start-up, so the first large op does not wait for the threads
 */
export function warmUpCpuThreads(): boolean {
  return getPool() !== null;
}

/** The ready workers' slot indexes (none before the pool has started them). */
function readyWorkers(p: Pool | null): number[] {
  const ready = p === null ? [] : readySlots(p.slots);
  return ready.map((s) => p!.slots.indexOf(s));
}

/**
 * `kernel(...args, start, end)` over [0, items) in chunks of `chunk`, shared between this thread and the ready
 * `workers`. Every array in `args` must be on a SharedArrayBuffer. A chunk that threw in a worker is redone here.
 */
function share(p: Pool, workers: readonly number[], kernel: KernelName, args: readonly unknown[], items: number, chunk: number): void {
  const chunks = Math.ceil(items / chunk);
  const fn = KERNELS[kernel] as AnyKernel;
  const run = (i: number) => fn(...args, i * chunk, Math.min(items, (i + 1) * chunk));
  p.seq = nextSeq(p.seq);
  const seq = p.seq;
  const task = { seq, kernel, args, items, chunk, chunks };
  Atomics.store(p.head, H_NEXT, 0);
  for (const w of workers) {
    p.ports[w]!.postMessage(task);
    post(p.slots[w]!, seq);
  }
  const slots = workers.map((w) => p.slots[w]!);
  try {
    for (let i; (i = Atomics.add(p.head, H_NEXT, 1)) < chunks; ) run(i);
  } catch (err) {
    Atomics.store(p.head, H_NEXT, chunks); // hand out nothing more
    join(slots, seq, JOIN_SPIN_MS, true);
    throw err;
  }
  join(slots, seq, JOIN_SPIN_MS, true);
  for (const s of slots) {
    const failed = Atomics.exchange(s, S_FAILED, 0);
    if (failed > 0) run(failed - 1);
  }
}

/** The arguments of a range kernel before its [start, end). */
export type RangeArgs<K extends RangeKernelName> = Parameters<(typeof RANGE_KERNELS)[K]> extends [...infer A, number, number] ? A : never;

// Whether a worker can be handed `arg`: anything but a typed array, one on a SharedArrayBuffer, or a small one,
// which the message copies (and lists of these). A kernel writes `items` elements of its outputs, so a small array is never one.
function shareable(arg: unknown): boolean {
  if (Array.isArray(arg)) return arg.every(shareable);
  return !ArrayBuffer.isView(arg) || isShared(arg as TypedArray) || arg.buffer.byteLength < SMALL_COPY_BYTES;
}
const SMALL_COPY_BYTES = 4096;

/**
 * Runs a range kernel over all `items` elements: shared with the worker threads when there are at least two
 * chunks of `minChunk` and every array argument is on a SharedArrayBuffer (or small: a scalar operand), else
 * on this thread alone.
 */
export function runRange<K extends RangeKernelName>(kernel: K, args: RangeArgs<K>, items: number, minChunk: number): void {
  if (items >= 2 * minChunk && args.every(shareable)) {
    const p = getPool();
    const workers = readyWorkers(p);
    if (workers.length > 0) {
      share(p!, workers, kernel, args, items, Math.max(minChunk, Math.ceil(items / (4 * (workers.length + 1)))));
      return;
    }
  }
  (RANGE_KERNELS[kernel] as AnyKernel)(...args, 0, items);
}

type ArrayCtor = { new (buffer: SharedArrayBuffer, offset: number, length: number): TypedArray; readonly BYTES_PER_ELEMENT: number };

/** Products whose operands and result need more staging than this stay on one thread (the area is kept). */
const STAGING_CAP_BYTES = 64 * 2 ** 20;
// Packed B, and the operand and result of a product that are not shared already: one area reused by every
// call (grown when a product needs more), so a threaded product allocates nothing the collector must find.
let staging: SharedArrayBuffer | null = null;

function stagingArea(bytes: number): SharedArrayBuffer {
  if (staging === null || staging.byteLength < bytes) staging = new SharedArrayBuffer(Math.ceil(bytes / 2 ** 20) * 2 ** 20);
  return staging;
}

/**
 * C = A·B for one large 2-D product, rows shared with the ready workers, written into `out` (m×n); false
 * where one thread should do it (small or huge products, no workers yet, browsers). B is packed once where
 * the workers can read it; A and C are copied there and back unless they are shared already. Chunks are
 * about eight per thread, so a thread the OS delays holds up one short chunk while the others take the rest.
 */
export function parallelProduct(a: MatrixView, b: MatrixView, m: number, k: number, n: number, out: TypedArray): boolean {
  if (2 * m * k * n < THREAD_MIN_FLOPS || m < 8) return false;
  if (a.data.constructor !== out.constructor || b.data.constructor !== out.constructor) return false;
  const p = getPool();
  const workers = readyWorkers(p);
  if (workers.length === 0) return false;
  const align = (x: number) => Math.ceil(x / 64) * 64;
  const copyA = !isShared(a.data), copyC = !isShared(out);
  const aAt = align(packedBLength(k, n) * 8), cAt = aAt + (copyA ? align(a.data.byteLength) : 0);
  const bytes = cAt + (copyC ? m * n * out.BYTES_PER_ELEMENT : 0);
  if (bytes > STAGING_CAP_BYTES) return false;
  const area = stagingArea(bytes);
  const Ctor = out.constructor as unknown as ArrayCtor;
  const packed = new Float64Array(area, 0, packedBLength(k, n));
  // Packing B is a pass of its own (~0.5 ms for 784×256): shared too, by column panels, where B is shared.
  const panels = panelsOf(n);
  if (isShared(b.data) && k * n >= PACK_SHARE_MIN) share(p!, workers, "packAllB", [b, k, n, packed], panels, Math.ceil(panels / (2 * (workers.length + 1))));
  else packAllB(b, k, n, packed);
  let aData = a.data;
  if (copyA) {
    aData = new Ctor(area, aAt, a.data.length);
    aData.set(a.data);
  }
  const c = copyC ? new Ctor(area, cAt, m * n) : out;
  // About eight chunks per thread, in whole 2-row panels: at the end the caller waits for the worker's last
  // chunk, and a 16-row chunk of W2's first product took 1.7 ms.
  const rows = Math.max(2, Math.ceil(m / (8 * (workers.length + 1)) / 2) * 2);
  share(p!, workers, "productRows", [{ ...a, data: aData }, packed, c, k, n], m, rows);
  if (copyC) out.set(c);
  return true;
}
