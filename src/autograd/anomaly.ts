// Anomaly mode: finds where a NaN or an infinity first appears, in the forward or the backward pass, and names the op and the user's line.
import { isFloating } from "../dtype.js";
import { AutogradError } from "../errors.js";
import { fmt } from "../shape.js";
import type { Shape } from "../shape.js";
import type { Tensor } from "../tensor/tensor.js";

let enabled = false;

/**
 * Thrown in anomaly mode when an op's result (forward) or a node's gradient (backward) holds NaN or
 * infinity although what it was computed from did not. `op`, `backwardName` and `source` (the
 * `file:line:column` in the caller's code where the op was called) say where it came from.
 * @example cr.autograd.detectAnomaly(() => cr.tensor([-1, 1], { requiresGrad: true }).log()) // throws AnomalyError
 */
export class AnomalyError extends AutogradError {
  override name = "AnomalyError";
  constructor(
    message: string,
    /** The forward op (`log`, `div`, or a custom Function's class name). */
    readonly op: string,
    /** Its backward function (`LogBackward`). */
    readonly backwardName: string,
    /** Where the op was called, outside chainrule, or null when no such frame was recorded. */
    readonly source: string | null,
  ) {
    super(message);
  }
}

/**
 * Whether anomaly mode is on (PyTorch's `torch.is_anomaly_enabled`).
 * @example cr.autograd.detectAnomaly(() => cr.autograd.isAnomalyEnabled()) // true
 */
export function isAnomalyEnabled(): boolean {
  return enabled;
}

/**
 * Turns anomaly mode on or off globally; returns a `Disposable` that restores the previous setting,
 * for a block: `{ using _ = cr.autograd.setDetectAnomaly(true); … }`.
 * @example
 * cr.autograd.setDetectAnomaly(true); // every op from here on is checked for NaN and infinity
 */
export function setDetectAnomaly(on: boolean): Disposable {
  const previous = enabled;
  enabled = on;
  return { [Symbol.dispose]: () => void (enabled = previous) };
}

/**
 * Runs `fn` in anomaly mode: the first op whose forward result or whose gradient holds NaN or
 * infinity (computed from finite values) throws an `AnomalyError` naming the op, its backward
 * function, the shapes, and the line of your code that called the op. It costs a scan of every
 * result and a stack capture per recorded op: about 8% of CPU time on an MLP training step
 * (784-256-128-10, batch 128, Adam; `tools/bench-anomaly.ts`).
 * Without `fn` it returns a `Disposable` for a block.
 * @example
 * cr.autograd.detectAnomaly(() => {
 *   const y = x.log();            // throws here if x holds a 0: "log produced -inf … at my.ts:12:15"
 *   y.sum().backward();
 * });
 */
export function detectAnomaly(): Disposable;
export function detectAnomaly<T>(fn: () => T): T;
export function detectAnomaly<T>(fn?: () => T): T | Disposable {
  if (fn === undefined) return setDetectAnomaly(true);
  using _ = setDetectAnomaly(true);
  return fn();
}

// ---- where ops were called ------------------------------------------------------------------------

// chainrule's own sources, src/ and dist/ beside each other in the package: frames inside them are not the user's.
const toPath = (url: URL) => (url.protocol === "file:" ? decodeURIComponent(url.pathname) : url.href);
const ownDirs = [toPath(new URL("../../src/", import.meta.url)), toPath(new URL("../../dist/", import.meta.url))];

/** Records the call stack cheaply: V8 formats it only if it is read, which is when an anomaly is reported. */
export function captureTrace(): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 64; // enough to get past chainrule's own frames (module → functional → primitive)
  const e = new Error("op created here");
  Error.stackTraceLimit = limit;
  return e;
}

/** The first frame of `trace` outside chainrule's sources and Node's internals, as `file:line:column`. */
export function userFrame(trace: Error | null): string | null {
  const stack = trace?.stack;
  if (stack === undefined) return null;
  for (const line of stack.split("\n").slice(1)) {
    const m = /\(?((?:file:\/\/|\/|[A-Za-z]:\\)[^()]*?:\d+:\d+)\)?\s*$/.exec(line.trim());
    if (m === null) continue;
    const [, file, position] = /^(.*)(:\d+:\d+)$/.exec(m[1]!)!;
    const path = file!.startsWith("file://") ? decodeURIComponent(new URL(file!).pathname) : file!;
    if (ownDirs.some((d) => path.startsWith(d)) || path.includes("/node_modules/chainrule/")) continue;
    return path + position!;
  }
  return null;
}

// ---- NaN and infinity -----------------------------------------------------------------------------

// The elements anomaly mode checks, without a copy where the backend has a view; a clear error where it reads only
// asynchronously (a GPU: anomaly mode would have to wait for every op).
function elementsOf(t: Tensor): ArrayLike<number> {
  if (t._backend.view !== undefined) return t._backend.view(t._buf);
  if (!t.readsSynchronously) {
    throw new AutogradError(`detectAnomaly: the ${t.device} backend reads tensors only asynchronously, so anomaly mode cannot check them as they are made; debug on cpu or wasm`);
  }
  return t.toTypedArray();
}

/** Counts the NaN and infinite elements of a floating tensor (0 for other dtypes). */
export function countNonFinite(t: Tensor): { nan: number; inf: number; negInf: number } {
  const out = { nan: 0, inf: 0, negInf: 0 };
  if (!isFloating(t.dtype)) return out;
  const data = elementsOf(t);
  const n = t.numel();
  for (let i = 0; i < n; i++) {
    const v = data[i]!;
    if (v - v !== 0) {
      if (v !== v) out.nan++;
      else if (v > 0) out.inf++;
      else out.negInf++;
    }
  }
  return out;
}

function hasNonFinite(t: Tensor): boolean {
  if (!isFloating(t.dtype)) return false;
  const data = elementsOf(t);
  const n = t.numel();
  for (let i = 0; i < n; i++) {
    const v = data[i]!;
    if (v - v !== 0) return true; // NaN and ±inf are exactly the values for which v - v is not 0
  }
  return false;
}

function describe(t: Tensor): string {
  const c = countNonFinite(t);
  const parts = [c.nan > 0 ? `${c.nan} NaN` : "", c.inf > 0 ? `${c.inf} inf` : "", c.negInf > 0 ? `${c.negInf} -inf` : ""];
  return `${parts.filter((p) => p !== "").join(", ")} of ${t.numel()} values`;
}

const shapesOf = (shapes: readonly Shape[]) => shapes.map((s) => fmt(s)).join(", ");
// The forward op of a primitive's node (MulBackward → mul); custom Functions name theirs (NodeInfo.op).
const opOf = (node: NodeInfo) => {
  if (node.op !== undefined) return node.op;
  const base = node.name.endsWith("Backward") ? node.name.slice(0, -"Backward".length) : node.name;
  return base.length > 0 ? base[0]!.toLowerCase() + base.slice(1) : node.name;
};

// While a node's backward runs, its own ops are not reported one by one: the node's gradient is checked as a whole.
let backwardDepth = 0;

/** Runs a node's backward; the ops it records are checked through its result, not each on its own. */
export function inBackwardOf<T>(fn: () => T): T {
  backwardDepth++;
  try {
    return fn();
  } finally {
    backwardDepth--;
  }
}

/** After a forward op in anomaly mode: throws if its result holds NaN or infinity and its inputs did not. */
export function checkForward(op: string, backwardName: string, inputs: readonly Tensor[], output: Tensor): void {
  if (backwardDepth > 0 || !hasNonFinite(output)) return;
  if (inputs.some(hasNonFinite)) return; // it came in from outside: the op that first produced it was reported
  const source = userFrame(captureTrace());
  throw new AnomalyError(
    `anomaly in the forward pass: ${op} produced ${describe(output)} (output shape ${fmt(output.shape)}) from finite inputs ` +
      `of shapes ${shapesOf(inputs.map((t) => t.shape))}; its backward function would be ${backwardName}. ` +
      `The op was called at ${source ?? "(no frame outside chainrule)"}`,
    op,
    backwardName,
    source,
  );
}

/** What the engine knows about a node whose gradient is being checked. */
export interface NodeInfo {
  readonly name: string;
  readonly trace: Error | null;
  readonly inputShapes?: readonly Shape[];
  /** The forward op's name where it is not the node's name less "Backward", lower-cased (custom Functions). */
  readonly op?: string;
}

/** After a node's backward in anomaly mode: throws if a gradient it returned holds NaN or infinity and the incoming ones did not. */
export function checkBackward(node: NodeInfo, gradIn: readonly (Tensor | null | undefined)[], gradOut: readonly (Tensor | null | undefined)[]): void {
  const bad = gradOut.findIndex((g) => g !== null && g !== undefined && hasNonFinite(g));
  if (bad < 0) return;
  if (gradIn.some((g) => g !== null && g !== undefined && hasNonFinite(g))) return;
  const source = userFrame(node.trace);
  const shapes = node.inputShapes === undefined ? "" : ` (forward input shapes ${shapesOf(node.inputShapes)})`;
  throw new AnomalyError(
    `anomaly in the backward pass: ${node.name} returned ${describe(gradOut[bad]!)} in its gradient for input ${bad} ` +
      `(shape ${fmt(gradOut[bad]!.shape)}) from finite incoming gradients${shapes}. ` +
      `The forward op ${opOf(node)} was called at ${source ?? "(unknown: the node was recorded while anomaly mode was off)"}`,
    opOf(node),
    node.name,
    source,
  );
}
