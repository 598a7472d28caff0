// Records the backend calls a function makes, so they can run again without it: the tape behind
// `captureGraph` (tensor/capture.ts), as a CUDA graph records a stream's kernels. Everything above the backend
// seam (tensors, autograd's graph and its backward walk, modules, scopes) runs once, while recording; a replay
// calls the recorded kernels on the buffers they were given, which the graph holds (graph-memory.ts) so that
// nothing else is put there. Work that must be redone on the JavaScript side at each replay (an optimizer's
// step count and bias corrections) is recorded as a host step: a function the replay calls at its place.
import { CaptureError } from "../errors.js";
import { restoring } from "../restore.js";
import type { Backend, KernelPlan } from "./backend.js";
import { allocationTape, hold, setDeferListener, unhold } from "./graph-memory.js";

type Method = (...args: unknown[]) => unknown;

interface CallStep {
  readonly kind: "call";
  readonly backend: Backend;
  readonly name: string;
  readonly method: Method;
  readonly args: unknown[];
  readonly result: unknown;
  readonly blocks: readonly object[];
  /** Its kernel work alone (Backend.captureKernels), made at the first replay that can; null where there is none. */
  plan?: KernelPlan | null;
}

type Step = CallStep | { readonly kind: "host"; readonly run: () => void };

/** Methods a tape never records: questions about buffers, and releases (graph-memory.ts defers those). */
const UNRECORDED = new Set(["ownsMemory", "release", "name", "captureKernels", "computeEagerly"]);
/** Methods that hand elements to JavaScript: a replay could not change what the function did with them. */
const READS = new Set(["read", "readSync", "view"]);

interface Recording {
  readonly steps: Step[];
  /** Buffers the graph holds: every recorded call's operands, results and heap blocks. */
  readonly held: Set<object>;
  /** Those the recorded calls made (the others existed before the capture). */
  readonly made: Set<object>;
  /** Operands made before the capture and released during it: a replay would read what they held then. */
  readonly stale: Set<object>;
  readonly cleanups: (() => void)[];
  /** > 0 inside a recorded call, a host step or `unrecorded`: calls there are not recorded. */
  depth: number;
}

let recording: Recording | null = null;

let kernelPlans = true;

/** Whether replays ask backends for kernel plans (tools/replay-ab.ts compares both), until the returned Disposable is disposed. */
export function setKernelPlans(enabled: boolean): Disposable {
  const previous = kernelPlans;
  kernelPlans = enabled;
  return restoring(() => (kernelPlans = previous));
}

/** Whether a capture is recording now. */
export function capturing(): boolean {
  return recording !== null;
}

/**
 * Runs `run` now; while capturing, also records it to run again at its place in every replay (its backend
 * calls are not recorded: it makes them itself). `cleanup` runs when the tape is disposed.
 */
export function hostStep(run: () => void, cleanup?: () => void): void {
  const r = recording;
  if (r === null) return run();
  r.depth++;
  try {
    run();
  } finally {
    r.depth--;
  }
  r.steps.push({ kind: "host", run });
  if (cleanup !== undefined) r.cleanups.push(cleanup);
}

/** Runs `fn` without recording its backend calls: for reads that only check the capture's inputs. */
export function unrecorded<T>(fn: () => T): T {
  const r = recording;
  if (r === null) return fn();
  r.depth++;
  try {
    return fn();
  } finally {
    r.depth--;
  }
}

// The buffers among a call's arguments: bare buffers, a TensorData's, and those in lists (cat's operands).
// Other objects (a shape, Adam's scalars) are held too; holding them costs nothing and frees nothing.
function objectsIn(arg: unknown, out: object[]): object[] {
  if (typeof arg !== "object" || arg === null) return out;
  if (Array.isArray(arg)) {
    for (const x of arg) objectsIn(x, out);
    return out;
  }
  const buf = (arg as { buf?: unknown }).buf;
  out.push(typeof buf === "object" && buf !== null ? buf : arg);
  return out;
}

function holdIn(r: Recording, buf: object): void {
  if (r.held.has(buf)) return;
  r.held.add(buf);
  hold(buf);
}

function recorder(backend: Backend, name: string, method: Method): Method {
  return function recorded(...args: unknown[]): unknown {
    const r = recording;
    if (r === null || r.depth > 0) return method.apply(backend, args);
    if (READS.has(name)) {
      throw new CaptureError(
        `captureGraph: the captured function reads a tensor's elements (${name}); a replay could not redo what it did with them. ` +
          "Return the tensor and read it from the graph's output after replay().",
      );
    }
    r.depth++;
    const blocks: object[] = [];
    allocationTape.record = blocks;
    try {
      const result = method.apply(backend, args);
      for (const buf of objectsIn(args, [])) holdIn(r, buf);
      for (const buf of [...blocks, ...objectsIn(result, [])]) {
        r.made.add(buf);
        holdIn(r, buf);
      }
      r.steps.push({ kind: "call", backend, name, method, args, result, blocks });
      return result;
    } finally {
      allocationTape.record = null;
      r.depth--;
    }
  };
}

/** The recorded calls of one function, replayable until disposed. */
/** One step of a replay's timing (Tape.profile). */
export interface StepProfile {
  /** A kernel plan, a backend call run through its method, or a host step (an optimizer's update). */
  readonly kind: "plan" | "call" | "host";
  /** The backend method, or "host step". */
  readonly name: string;
  /** Milliseconds a replay, in its place in the step. */
  readonly ms: number;
  /** Milliseconds a run when the plan runs alone, again and again (plans only). */
  readonly aloneMs?: number;
}

/**
 * Runs a step of a replay. The first replay also asks the backend for each call's kernel plan (again later,
 * where the backend says so); later ones run the plans instead of the calls where there are.
 */
function runStep(step: Step): void {
  if (step.kind === "host") {
    step.run();
    return;
  }
  if (step.plan) {
    step.plan.run();
    return;
  }
  allocationTape.replay = step.blocks;
  allocationTape.at = 0;
  let out: unknown;
  try {
    const call = () => step.method.apply(step.backend, step.args);
    if (step.plan === undefined && step.backend.captureKernels !== undefined && kernelPlans) {
      const planned = step.backend.captureKernels(step.name, step.args, call, step.result);
      out = planned.result;
      if (planned.plan !== null || planned.retry !== true) step.plan = planned.plan;
    } else {
      out = call();
      step.plan ??= null;
    }
  } finally {
    allocationTape.replay = null;
  }
  // A result that did not land where the recorded one did (memory outside the wasm heap, or a call that
  // went another way) is copied there, where the later calls read it. Buffers that are not host arrays (a GPU's)
  // must land in place: the backend's allocator answers a replay's requests with the recorded blocks.
  if (out !== step.result && out !== undefined) {
    if (!ArrayBuffer.isView(step.result) || !ArrayBuffer.isView(out)) {
      throw new CaptureError(`replay: ${step.name} on the ${step.backend.name} backend returned another buffer than the recorded call, which a replay cannot copy`);
    }
    (step.result as Float32Array).set(out as Float32Array);
    step.backend.release?.(out);
  }
}

export class Tape {
  private disposed = false;

  constructor(
    private readonly steps: readonly Step[],
    private readonly held: ReadonlySet<object>,
    private readonly cleanups: readonly (() => void)[],
  ) {}

  /** How many backend calls and host steps a replay runs. */
  get length(): number {
    return this.steps.length;
  }

  /** How many of the calls replay as kernel plans (known after the first replay). */
  get planned(): number {
    return this.steps.filter((s) => s.kind === "call" && s.plan).length;
  }

  /** Runs every step again, in order, on the buffers it ran on (`runStep`). */
  replay(): void {
    if (this.disposed) throw new CaptureError("replay: this graph was disposed");
    for (const step of this.steps) runStep(step);
  }

  /**
   * Replays `replays` times, timing each step, and then runs each planned call `alone` times in a row: where a
   * replay's time goes, and how much of a call's time is its place in the step (its operands out of cache)
   * rather than its work. Times are milliseconds per run.
   */
  profile(replays: number, alone: number): StepProfile[] {
    if (this.disposed) throw new CaptureError("profile: this graph was disposed");
    const inStep = new Float64Array(this.steps.length);
    for (let r = 0; r < replays; r++) {
      this.steps.forEach((step, i) => {
        const t0 = performance.now();
        runStep(step);
        inStep[i] = inStep[i]! + performance.now() - t0;
      });
    }
    return this.steps.map((step, i) => {
      const kind = step.kind === "host" ? "host" : step.plan ? "plan" : "call";
      let aloneMs: number | undefined;
      if (step.kind === "call" && step.plan && alone > 0) {
        const t0 = performance.now();
        for (let k = 0; k < alone; k++) step.plan.run();
        aloneMs = (performance.now() - t0) / alone;
      }
      return { kind, name: step.kind === "host" ? "host step" : step.name, ms: inStep[i]! / Math.max(1, replays), ...(aloneMs === undefined ? {} : { aloneMs }) };
    });
  }

  /** Lets go of the buffers (those released meanwhile are freed now) and runs the host steps' cleanups. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const step of this.steps) if (step.kind === "call") step.plan?.dispose();
    for (const cleanup of this.cleanups) cleanup();
    unhold(this.held);
  }
}

/**
 * Runs `fn`, recording the calls it makes on `backends` (each backend object's methods are wrapped while
 * it runs). Throws a CaptureError, holding nothing, when a replay could not do what `fn` did: it read
 * elements, or released an operand it had not made (a replay would read what that held at capture).
 */
export function recordCalls<T>(backends: readonly Backend[], fn: () => T): { tape: Tape; result: T } {
  if (recording !== null) throw new CaptureError("captureGraph: a capture is already recording (captures do not nest)");
  const r: Recording = { steps: [], held: new Set(), made: new Set(), stale: new Set(), cleanups: [], depth: 0 };
  const patched: [Record<string, unknown>, string, unknown][] = [];
  for (const backend of new Set(backends)) {
    const target = backend as unknown as Record<string, unknown>;
    for (const [name, value] of Object.entries(target)) {
      if (typeof value !== "function" || UNRECORDED.has(name)) continue;
      patched.push([target, name, value]);
      target[name] = recorder(backend, name, value as Method);
    }
  }
  recording = r;
  // Only this capture's operands count: a buffer another graph holds (its gradients, dropped by this
  // function's zeroGrad) waits for that graph, and this one never reads it.
  setDeferListener((buf) => {
    if (r.held.has(buf) && !r.made.has(buf)) r.stale.add(buf);
  });
  let result: T;
  const tape = new Tape(r.steps, r.held, r.cleanups);
  try {
    result = fn();
  } catch (err) {
    tape.dispose();
    throw err;
  } finally {
    recording = null;
    setDeferListener(null);
    for (const [target, name, value] of patched) target[name] = value;
  }
  if (r.stale.size > 0) {
    tape.dispose();
    throw new CaptureError(
      "captureGraph: the captured function released a tensor it read but had not made (a gradient accumulated into .grad without " +
        "zeroGrad() inside the function, or an input disposed there); every replay would read what it held at capture. " +
        "Call optimizer.zeroGrad() inside the captured function, and keep its inputs alive.",
    );
  }
  return { tape, result };
}
