// The cpu backend's large matrix products on worker threads (Node's worker_threads): plain JavaScript, the
// same `productInto` on every thread (workers get its source), on B packed once for all of them, rows split
// in small chunks claimed from an atomic counter. The caller computes chunks too and takes back a task no
// worker has picked up, so it never waits on a thread the OS has not scheduled. Browsers run the cpu
// backend on one thread.
import type { TypedArray } from "../../dtype.js";
import { availableThreads, nodeBuiltin } from "../host.js";
import { packAllB, packedBLength, productInto, productSource } from "./matmul.js";
import { join, nextSeq, post, S_READY, SERVE_TASKS_SOURCE, SLOT_WORDS } from "../task-slots.js";
import type { MatrixView } from "./matmul.js";

/** Below this many flops one thread is faster than copying the operands where a worker can read them. */
const THREAD_MIN_FLOPS = 8e6;

// Control words (Int32, shared): a header, then one slot per worker (task-slots.ts's words).
const H_NEXT = 0; // the next chunk to claim
const H_WORKER_CHUNKS = 1; // chunks computed by workers (diagnostics, tests)
const HEADER = 4;
const SLOT = SLOT_WORDS;
const SPIN_MS = 0.05;

// The worker's loop (a task is the last message on its port: ones the caller took back are skipped).
const LOOP_SOURCE = `${SERVE_TASKS_SOURCE}
const { workerData, receiveMessageOnPort } = require("node:worker_threads");
const { control, port, slot } = workerData;
const head = new Int32Array(control, 0, ${HEADER});
const ctl = new Int32Array(control, (${HEADER} + slot * ${SLOT}) * 4, ${SLOT});
serveTasks(ctl, ${SPIN_MS}, (seq) => {
  let task = null;
  for (let m; (m = receiveMessageOnPort(port)) !== undefined; ) task = m.message;
  if (task === null || task.seq !== seq) return;
  try {
    const { a, packed, out, m, k, n, rows, chunks } = task;
    for (let i; (i = Atomics.add(head, ${H_NEXT}, 1)) < chunks; ) {
      const r0 = i * rows, r = Math.min(rows, m - r0);
      productInto({ data: a.data, off: a.off + r0 * a.rs, rs: a.rs, cs: a.cs }, null, r, k, n, out, r0 * n, packed);
      Atomics.add(head, ${H_WORKER_CHUNKS}, 1);
    }
  } catch {
    Atomics.store(ctl, ${S_READY}, -1);
  }
});
`;

interface Port {
  postMessage(value: unknown): void;
}
interface WorkerThreads {
  Worker: new (source: string, options: { eval: boolean; workerData: unknown; transferList: unknown[] }) => {
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
let wantedThreads: number | undefined;

/** How many threads (the caller included) the cpu backend's matmul may use; 1 keeps it on one. Before first use. */
export function setCpuThreads(n: number): void {
  wantedThreads = Math.max(1, Math.floor(n));
}

function getPool(): Pool | null {
  if (pool !== undefined) return pool;
  pool = null;
  const wt = nodeBuiltin<WorkerThreads>("worker_threads");
  const threads = wantedThreads ?? availableThreads();
  if (wt === undefined || threads < 2 || typeof SharedArrayBuffer === "undefined") return pool;
  const control = new SharedArrayBuffer((HEADER + (threads - 1) * SLOT) * 4);
  const source = `${productSource()}\n${LOOP_SOURCE}`;
  const slots: Int32Array[] = [];
  const ports: Port[] = [];
  for (let slot = 0; slot < threads - 1; slot++) {
    const ctl = new Int32Array(control, (HEADER + slot * SLOT) * 4, SLOT);
    const { port1, port2 } = new wt.MessageChannel();
    port1.unref?.();
    const worker = new wt.Worker(source, { eval: true, workerData: { control, port: port2, slot }, transferList: [port2] });
    worker.on("error", () => Atomics.store(ctl, S_READY, -1));
    worker.unref(); // an idle worker must not keep the process alive
    slots.push(ctl);
    ports.push(port1);
  }
  pool = { head: new Int32Array(control, 0, HEADER), slots, ports, seq: 0 };
  return pool;
}

/** Chunks of cpu matrix products computed by worker threads so far (0 without workers). */
export function cpuWorkerChunks(): number {
  return pool ? Atomics.load(pool.head, H_WORKER_CHUNKS) : 0;
}

/** Starts the cpu backend's worker threads now (they come up in the background); false where there are none. */
export function warmUpCpuThreads(): boolean {
  return getPool() !== null;
}

type ArrayCtor = { new (buffer: SharedArrayBuffer, offset: number, length: number): TypedArray; readonly BYTES_PER_ELEMENT: number };

/** Products whose operands and result need more staging than this stay on one thread (the area is kept). */
const STAGING_CAP_BYTES = 64 * 2 ** 20;
// The operands and the result of the product in flight, shared with the workers: one area reused by every
// call (grown when a product needs more), so a threaded product allocates nothing the collector must find.
let staging: SharedArrayBuffer | null = null;

function stagingArea(bytes: number): SharedArrayBuffer {
  if (staging === null || staging.byteLength < bytes) staging = new SharedArrayBuffer(Math.ceil(bytes / 2 ** 20) * 2 ** 20);
  return staging;
}

/**
 * C = A·B for one large 2-D product, rows shared with the ready workers, written into `out` (m×n); false
 * where one thread should do it (small or huge products, no workers yet, browsers). A is copied where the
 * workers can read it and B is packed there once; chunks are about four per thread, so a thread the OS
 * delays holds up one short chunk while the others take the rest.
 */
export function parallelProduct(a: MatrixView, b: MatrixView, m: number, k: number, n: number, out: TypedArray): boolean {
  if (2 * m * k * n < THREAD_MIN_FLOPS || m < 8) return false;
  const bytes = (a.data.length + m * n) * out.BYTES_PER_ELEMENT + packedBLength(k, n) * 8 + 192;
  if (bytes > STAGING_CAP_BYTES || a.data.constructor !== out.constructor || b.data.constructor !== out.constructor) return false;
  const p = getPool();
  const workers = p?.slots.flatMap((s, i) => (Atomics.load(s, S_READY) === 1 ? [i] : [])) ?? [];
  if (p === null || p === undefined || workers.length === 0) return false;
  const Ctor = out.constructor as unknown as ArrayCtor;
  const area = stagingArea(bytes);
  const align = (x: number) => Math.ceil(x / 64) * 64;
  const packedAt = align(a.data.byteLength), cAt = packedAt + align(packedBLength(k, n) * 8);
  const sa = new Ctor(area, 0, a.data.length), sc = new Ctor(area, cAt, m * n);
  const packed = new Float64Array(area, packedAt, packedBLength(k, n));
  sa.set(a.data);
  packAllB(b, k, n, packed);
  // About four chunks per thread, in whole 2-row panels.
  const rows = Math.max(2, Math.ceil(m / (4 * (workers.length + 1)) / 2) * 2);
  const chunks = Math.ceil(m / rows);
  p.seq = nextSeq(p.seq);
  const seq = p.seq;
  const task = { seq, a: { ...a, data: sa }, packed, out: sc, m, k, n, rows, chunks };
  Atomics.store(p.head, H_NEXT, 0);
  for (const w of workers) {
    p.ports[w]!.postMessage(task);
    post(p.slots[w]!, seq);
  }
  for (let i; (i = Atomics.add(p.head, H_NEXT, 1)) < chunks; ) {
    const r0 = i * rows;
    productInto({ ...a, off: a.off + r0 * a.rs }, null, Math.min(rows, m - r0), k, n, sc, r0 * n, packed);
  }
  const slots = workers.map((w) => p.slots[w]!);
  join(slots, seq, SPIN_MS, true);
  // A worker that failed mid-task may have left rows unwritten: redo the whole product here.
  if (slots.some((s) => Atomics.load(s, S_READY) !== 1)) productInto(a, b, m, k, n, sc, 0);
  out.set(sc);
  return true;
}
