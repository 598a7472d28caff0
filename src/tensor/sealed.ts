// Sealed calls: a call whose insides no code outside the library can reach (a module made only of the
// library's modules, without hooks: see Module). What it made and did not return is freed as soon as nothing
// needs it: at once when no backward reads it, or when backward() releases the last node that saved it (as
// PyTorch frees a tensor when its last reference goes). A training loop written without scopes then leaves
// only what its steps returned to the garbage collector.
import { capturing } from "../backend/capture.js";
import { isForwardAdActive } from "../autograd/forward-ad.js";
import { peekSequenceNr } from "../autograd/node.js";
import type { Node } from "../autograd/node.js";
import { popFrame, pushFrame } from "./lifetime.js";
import type { Tracked } from "./lifetime.js";
import { tensorsIn } from "./scope.js";
import { Tensor } from "./tensor.js";

let depth = 0;

/** Whether a sealed call is running (a call inside it is part of it). */
export function inSealedCall(): boolean {
  return depth > 0;
}

/** Runs `fn` as a sealed call (see above); a call inside one is part of it. */
export function sealedCall<T>(fn: () => T): T {
  if (depth > 0 || isForwardAdActive() || capturing()) return fn();
  const frame = pushFrame(peekSequenceNr());
  depth++;
  let result: T;
  try {
    result = fn();
  } catch (err) {
    popFrame(frame, new Set());
    throw err;
  } finally {
    depth--;
  }
  if (!plain(result)) {
    popFrame(frame, new Set(frame.tensors)); // a result the caller may reach tensors through unseen: nothing is freed
    return result;
  }
  const made = new Set<Tracked>(frame.tensors);
  // What the caller can reach: the results, and the tensors whose memory they view.
  const reachable = new Set<Tensor>();
  for (const t of tensorsIn(result, [])) for (let v: Tensor | null = t; v !== null && !reachable.has(v); v = v._viewBase) reachable.add(v);
  // What the graph behind the results saved, and how many times: each save is released by its node.
  const saves = new Map<Tensor, number>();
  const seen = new Set<Node>();
  const nodes: Node[] = [];
  for (const t of reachable) {
    const fn0 = t._gradFnUnchecked();
    if (fn0 !== null && fn0.sequenceNr >= frame.firstNode) nodes.push(fn0);
  }
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    for (const t of node._savedForScopes()) saves.set(t, (saves.get(t) ?? 0) + 1);
    for (const e of node.nextEdges) if (e !== null && e.node.sequenceNr >= frame.firstNode) nodes.push(e.node);
  }
  const survivors = new Set<Tracked>(reachable);
  const bases: Tensor[] = [];
  for (const t of saves.keys()) {
    survivors.add(t);
    for (let b = t._viewBase; b !== null && !survivors.has(b); b = b._viewBase) {
      survivors.add(b);
      bases.push(b);
    }
  }
  popFrame(frame, survivors);
  for (const [t, n] of saves) {
    if (made.has(t) && !reachable.has(t) && !t._disposed && t._kept === null && t._graphSaves === 0) t._graphSaves = n;
  }
  // A saved view's base the caller cannot reach: the view holds the memory, and alone.
  for (const b of bases) if (made.has(b) && !reachable.has(b) && !saves.has(b) && b._kept === null) b.dispose();
  return result;
}

// Tensors, numbers and the like, in arrays and plain objects: where tensorsIn finds every tensor the caller gets.
function plain(value: unknown, seen = new Set<unknown>()): boolean {
  if (value === null || typeof value !== "object" || value instanceof Tensor) return typeof value !== "function";
  if (seen.has(value)) return true;
  seen.add(value);
  const proto: unknown = Object.getPrototypeOf(value);
  if (Array.isArray(value)) return value.every((v) => plain(v, seen));
  return (proto === Object.prototype || proto === null) && Object.values(value).every((v) => plain(v, seen));
}

/** @internal Called as a node releases what it saved: a sealed call's tensor goes with its last save. */
export function releaseSave(t: Tensor): void {
  if (t._graphSaves > 0 && --t._graphSaves === 0) t.dispose();
}
