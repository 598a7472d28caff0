// A captured graph's replay (capture.ts) still runs each recorded backend call's JavaScript: argument
// checks, heap blocks, scratch, the worker hand-off's set-up, about 1 ms of a W2 step. For the calls whose
// work is wasm kernels alone, a plan records the kernel calls (and the tasks shared with the worker threads)
// while the call runs once, and later replays call just those, on the same addresses. Operands in JavaScript
// memory (a bias of ten floats, a batch's labels) were copied into scratch, and a result too small for the
// heap copied out of it: the plan does those copies again, from the same arrays and into the recorded result.
// Its scratch blocks stay reserved for the plan, so nothing else is put there between replays. Fills and
// copies (`full`, a cast to the same dtype) get a plan of one typed-array call.
import type { KernelPlan, TensorData } from "../backend.js";
import { opProgram } from "../../ops/program.js";
import type { Program } from "../../ops/program.js";
import { workersStarting } from "./workers.js";
import type { Runtime } from "./runtime.js";
import type { HeapArray } from "./tensors.js";

/** Methods whose wasm path does nothing but kernel calls and copies (and which fall back to the cpu kernels visibly). */
const PLANNABLE = new Set(["matmul", "addmm", "elementwise", "reduce", "logSoftmax", "logSoftmaxBackward", "gather", "scatterAdd", "nllLoss", "nllLossBackward", "attention", "attentionBackward", "gelu", "geluBackward", "layerNorm"]);

interface Trace {
  readonly ops: (() => void)[];
  /** Scratch blocks the call borrowed: kept for the plan. */
  readonly scratch: number[];
  /** runKernel calls. */
  kernels: number;
  /** Results copied out of scratch: the scratch view and the array made from it. */
  readonly copiedOut: { readonly from: HeapArray; readonly made: object }[];
  /** > 0 while a task shared with the workers runs: its chunks' kernel calls are the task's. */
  inTask: number;
}

let trace: Trace | null = null;

/** runKernel reports each call it ran. */
export function noteKernelCall(): void {
  if (trace !== null) trace.kernels++;
}

/** runKernel reports an operand it copied into scratch (`to`, a view of it): a plan copies it again. */
export function noteCopyIn(from: HeapArray, to: HeapArray): void {
  if (trace !== null && trace.inTask === 0) trace.ops.push(() => to.set(from));
}

/** runKernel reports a result it copied out of scratch (`from`) into a new array (`made`). */
export function noteCopyOut(from: HeapArray, made: object): void {
  trace?.copiedOut.push({ from, made });
}

/** While tracing: the scratch a kernel call borrowed, which must not go back to the heap; false otherwise. */
export function keepScratch(ptrs: readonly number[]): boolean {
  if (trace === null) return false;
  trace.scratch.push(...ptrs);
  return true;
}

/** While tracing, records a task about to be shared with the workers (to run again as `rerun`) and returns a function ending it. */
export function noteTask(rerun: () => void): (() => void) | null {
  const t = trace;
  if (t === null || t.inTask > 0) return null;
  t.ops.push(rerun);
  t.inTask++;
  return () => void t.inTask--;
}

/**
 * Runs `fn`, a check on the operands made with kernel calls (the indices in range), and records it whole for the
 * plan, so replays check the values they run on and throw as the call would.
 */
export function checked(fn: () => void): void {
  const end = noteTask(fn);
  try {
    fn();
  } finally {
    end?.();
  }
}

// The module's exports with every function call recorded (outside tasks) before it runs: a copy, since
// the exports object is frozen.
function recordingExports(exports: object, t: Trace): object {
  const copy: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(exports)) {
    if (typeof value !== "function") {
      copy[name] = value;
      continue;
    }
    const fn = value as (...args: number[]) => unknown;
    copy[name] = (...args: number[]) => {
      if (t.inTask === 0) t.ops.push(() => void fn(...args));
      return fn(...args);
    };
  }
  return copy;
}

type Typed = Float32Array | Float64Array | Int32Array | Uint8Array;
const isTyped = (x: unknown): x is Typed => ArrayBuffer.isView(x) && !(x instanceof DataView);
const sameKind = (a: Typed, b: Typed) => a.constructor === b.constructor && a.length === b.length;

// The one typed-array call that redoes a fill or a same-dtype copy into `target`; null for anything else.
function fillOrCopy(method: string, args: readonly unknown[], target: unknown): (() => void) | null {
  if (!isTyped(target)) return null;
  if (method === "full" && typeof args[1] === "number") {
    const value = args[1];
    return () => void target.fill(value);
  }
  const program = args[0] as Program | undefined;
  const x = (args[1] as readonly TensorData[] | undefined)?.[0];
  if (method === "elementwise" && program?.key === opProgram("cast").key && x !== undefined && x.dtype === args[3] && isTyped(x.buf) && sameKind(x.buf, target)) {
    const src = x.buf;
    return () => target.set(src);
  }
  return null;
}

const noPlan = (result: unknown, retry = false) => ({ result, plan: null, ...(retry ? { retry: true } : {}) });

/**
 * Runs `call` (the backend method `method` on `args`) and returns its result with a plan that redoes its kernel
 * work and leaves the result in `target`, or null where the call did anything else: a method outside PLANNABLE,
 * a cpu kernel, work in JavaScript after its kernels (a result that is neither `target` nor copied out of scratch).
 * `retry` where the worker threads were still starting: a plan would keep the fewer threads the call ran on for good.
 */
export function planCall(rt: Runtime, method: string, args: readonly unknown[], call: () => unknown, target: unknown): { result: unknown; plan: KernelPlan | null; retry?: boolean } {
  // Views of scratch stay valid only on shared memory, which growing never detaches.
  if (!rt.shared || trace !== null) return noPlan(call());
  const copy = fillOrCopy(method, args, target);
  if (!PLANNABLE.has(method) || copy !== null) {
    const result = call();
    return copy === null ? noPlan(result) : { result, plan: { run: copy, dispose: () => {} } };
  }
  const t: Trace = { ops: [], scratch: [], kernels: 0, copiedOut: [], inTask: 0 };
  const host = rt as { exports: Runtime["exports"] };
  const exports = host.exports;
  const release = () => {
    for (const ptr of t.scratch) rt.heap.release(ptr);
    t.scratch.length = 0;
  };
  trace = t;
  host.exports = recordingExports(exports, t) as Runtime["exports"];
  let result: unknown;
  try {
    result = call();
  } catch (err) {
    release(); // the scratch kept so far goes back with the error
    throw err;
  } finally {
    host.exports = exports;
    trace = null;
  }
  const ops = t.ops;
  // The result is the recorded one (a heap block given again), or made from scratch: then the plan copies it to the recorded one.
  const out = t.copiedOut;
  const lands = out.length === 0 ? result === target : out.length === 1 && out[0]!.made === result && isTyped(target) && sameKind(result as Typed, target);
  if (t.kernels === 0 || !lands || workersStarting()) {
    release();
    return noPlan(result, workersStarting());
  }
  if (out.length === 1) {
    const from = out[0]!.from, to = target as HeapArray;
    ops.push(() => to.set(from));
  }
  return { result, plan: { run: () => { for (const op of ops) op(); }, dispose: release } };
}
