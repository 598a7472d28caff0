// A captured graph's replay (capture.ts) still runs each recorded backend call's JavaScript: argument
// checks, heap blocks, scratch, the worker hand-off's set-up, about 1 ms of a W2 step. For the calls whose
// work is wasm kernels alone, on operands and results in the heap, a plan records the kernel calls (and the
// tasks shared with the worker threads) while the call runs once, and later replays call just those, on the
// same addresses. Its scratch blocks stay reserved for the plan, so nothing else is put there between replays.
import type { KernelPlan } from "../backend.js";
import { workersStarting } from "./pool.js";
import type { Runtime } from "./runtime.js";

/** Methods whose wasm path does nothing but kernel calls on heap memory (and which fall back to the cpu kernels visibly). */
const PLANNABLE = new Set(["matmul", "binary", "unary", "reduce", "logSoftmax", "gather", "scatterAdd"]);

interface Trace {
  readonly ops: (() => void)[];
  /** Scratch blocks the call borrowed: kept for the plan. */
  readonly scratch: number[];
  /** runKernel calls, and whether any copied an operand or a result through JavaScript memory. */
  kernels: number;
  copied: boolean;
  /** > 0 while a task shared with the workers runs: its chunks' kernel calls are the task's. */
  inTask: number;
}

let trace: Trace | null = null;

/** runKernel reports each call: a copy through JavaScript memory makes the call unplannable. */
export function noteKernelCall(copied: boolean): void {
  if (trace === null) return;
  trace.kernels++;
  if (copied) trace.copied = true;
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

/**
 * Runs `call` (the backend method `method`) and returns its result with a plan that redoes its kernel work,
 * or null where the call did anything else: a method outside PLANNABLE, a cpu kernel, a copy. `retry` where
 * the worker threads were still starting: a plan would keep the fewer threads the call ran on for good.
 */
export function planCall(rt: Runtime, method: string, call: () => unknown): { result: unknown; plan: KernelPlan | null; retry?: boolean } {
  if (!PLANNABLE.has(method) || trace !== null) return { result: call(), plan: null };
  const t: Trace = { ops: [], scratch: [], kernels: 0, copied: false, inTask: 0 };
  const target = rt as { exports: Runtime["exports"] };
  const exports = target.exports;
  const release = () => {
    for (const ptr of t.scratch) rt.heap.release(ptr);
    t.scratch.length = 0;
  };
  trace = t;
  target.exports = recordingExports(exports, t) as Runtime["exports"];
  let result: unknown;
  try {
    result = call();
  } catch (err) {
    release(); // the scratch kept so far goes back with the error
    throw err;
  } finally {
    target.exports = exports;
    trace = null;
  }
  if (t.kernels === 0 || t.copied || workersStarting()) {
    release();
    return { result, plan: null, ...(workersStarting() ? { retry: true } : {}) };
  }
  const ops = t.ops;
  return { result, plan: { run: () => { for (const op of ops) op(); }, dispose: release } };
}
