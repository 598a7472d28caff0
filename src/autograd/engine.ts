// The backward pass: walks the graph from the outputs in reverse topological order (iteratively, so
// deep graphs cannot overflow the stack), applies each node's derivative rule, and sums (`grad +=`)
// where a value feeds several paths.
import { AutogradError, DTypeError, ShapeError } from "../errors.js";
import { fmt, shapesEqual } from "../shape.js";
import { capturing } from "../backend/capture.js";
import { safePoint } from "../backend/reclaim.js";
import { popFrame, pushFrame, soleOwner } from "../tensor/lifetime.js";
import { Tensor } from "../tensor/tensor.js";
import { checkBackward, inBackwardOf, isAnomalyEnabled } from "./anomaly.js";
import { isForwardAdActive } from "./forward-ad.js";
import { setGradEnabled } from "./grad-mode.js";
import { FunctionNode } from "./function-node.js";
import { AccumulateGrad, peekSequenceNr } from "./node.js";
import type { Edge, Node } from "./node.js";

export interface EngineOptions {
  retainGraph: boolean;
  createGraph: boolean;
  /** With inputs, gradients are returned for them instead of accumulated into `.grad` (`autograd.grad`). */
  captureInputs?: readonly Tensor[];
}

// Max-heap on sequence number: among ready nodes, the most recently created runs first, as in PyTorch.
class ReadyQueue {
  private heap: Node[] = [];
  get size(): number {
    return this.heap.length;
  }
  push(n: Node): void {
    const h = this.heap;
    h.push(n);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (priority(h[p]!) >= priority(h[i]!)) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }
  pop(): Node {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      while (true) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && priority(h[l]!) > priority(h[m]!)) m = l;
        if (r < h.length && priority(h[r]!) > priority(h[m]!)) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
}
// Leaves accumulate as soon as they are ready.
const priority = (n: Node) => (n instanceof AccumulateGrad ? Infinity : n.sequenceNr);

/**
 * Runs a built-in node's rule in a scope of its own: what the rule made and did not return is disposed at
 * once, and what it made and returned is the engine's to dispose (`owned`).
 */
function applyFreeing(node: FunctionNode<unknown>, gradOutputs: readonly (Tensor | null)[], owned: Set<Tensor>): (Tensor | null)[] {
  const frame = pushFrame(peekSequenceNr());
  let out: (Tensor | null)[] = [];
  try {
    out = node.apply(gradOutputs);
  } finally {
    const keep = new Set<Tensor>();
    for (const g of out) for (let v = g; v !== null && !keep.has(v); v = v._viewBase) keep.add(v);
    popFrame(frame, keep);
    // A returned view's base (a keepdim sum reshaped) goes now: the view holds the memory, and alone.
    for (const t of keep) {
      if (!frame.tensors.includes(t)) continue;
      if (out.includes(t)) owned.add(t);
      else t.dispose();
    }
  }
  return out;
}

// Hooks on the gradient of each output may replace it, in the order they were registered; they see
// the sum over all paths, once. A hook removed while backward runs still runs in this pass, as in
// PyTorch. retainGrad's hook runs last, so `.grad` holds what the rest of the graph receives (PyTorch 2).
function runPreHooks(node: Node, inGrads: (Tensor | null)[]): boolean {
  if (!node._hasHooks) return false;
  let ran = false;
  for (const [nr, hooks] of node.preHooks) {
    const g = inGrads[nr];
    if (g === null || g === undefined || hooks.length === 0) continue;
    ran = true;
    let cur = g;
    for (const hook of [...hooks]) {
      const next = hook(cur);
      if (next === undefined) continue;
      if (!(next instanceof Tensor)) throw new TypeError(`hook on the gradient of ${node.name} (output ${nr}): a hook must return a Tensor or nothing`);
      if (!shapesEqual(next.shape, g.shape)) {
        throw new ShapeError(`hook on the gradient of ${node.name} (output ${nr}) changed its shape from ${fmt(g.shape)} to ${fmt(next.shape)}`);
      }
      if (next.dtype !== g.dtype) {
        throw new DTypeError(`hook on the gradient of ${node.name} (output ${nr}) changed its dtype from ${g.dtype} to ${next.dtype}`);
      }
      cur = next;
    }
    inGrads[nr] = cur;
  }
  for (const [nr, hook] of node.retainGradHooks) {
    const g = inGrads[nr];
    if (g !== null && g !== undefined) {
      hook(g);
      ran = true;
    }
  }
  return ran;
}

/** The edge a gradient for tensor `t` enters the graph by, or null when `t` needs no gradient. */
export function gradientEdge(t: Tensor): Edge | null {
  return t.requiresGrad ? t._gradientEdge() : null;
}

/**
 * Backpropagates `grads` from `roots`. Returns the gradients of `captureInputs` when given
 * (null for those the roots do not depend on); otherwise accumulates into leaves' `.grad`.
 */
export function runBackward(roots: readonly Tensor[], grads: readonly Tensor[], opts: EngineOptions): (Tensor | null)[] {
  safePoint();
  const rootEdges: Edge[] = [];
  roots.forEach((r, i) => {
    const edge = gradientEdge(r);
    if (edge === null) {
      throw new AutogradError(
        `backward: output ${i} (shape ${fmt(r.shape)}) does not require grad and has no gradFn; ` +
          `did you create it inside noGrad, detach it, or forget requiresGrad: true on an input?`,
      );
    }
    const g = grads[i]!;
    if (!shapesEqual(g.shape, r.shape)) {
      throw new ShapeError(`backward: the gradient for output ${i} has shape ${fmt(g.shape)} but the output has shape ${fmt(r.shape)}`);
    }
    rootEdges.push(edge);
  });

  // Which edges are captured instead of accumulated, and where their results go.
  const capture = opts.captureInputs;
  const targets = new Map<Node, Map<number, number>>();
  const captured: (Tensor | null)[] = capture ? capture.map(() => null) : [];
  capture?.forEach((t, i) => {
    const edge = gradientEdge(t);
    if (edge === null) throw new AutogradError(`grad: input ${i} (shape ${fmt(t.shape)}) does not require grad`);
    const m = targets.get(edge.node) ?? new Map<number, number>();
    m.set(edge.outputNr, i);
    targets.set(edge.node, m);
  });

  // Discover the graph and count, for each node, how many edges lead into it.
  const deps = new Map<Node, number>();
  const order: Node[] = [];
  const stack: Node[] = [];
  for (const e of rootEdges) {
    if (!deps.has(e.node)) {
      deps.set(e.node, 0);
      stack.push(e.node);
    }
  }
  while (stack.length > 0) {
    const n = stack.pop()!;
    order.push(n);
    for (const e of n.nextEdges) {
      if (e === null) continue;
      const d = deps.get(e.node);
      if (d === undefined) {
        deps.set(e.node, 1);
        stack.push(e.node);
      } else deps.set(e.node, d + 1);
    }
  }

  // With captured inputs, run only nodes from which a captured edge can be reached.
  let needed: Set<Node> | null = null;
  if (capture) {
    needed = new Set();
    const pending = new Map(deps);
    const topo: Node[] = [];
    const ready = rootEdges.map((e) => e.node).filter((n, i, a) => a.indexOf(n) === i && pending.get(n) === 0);
    while (ready.length > 0) {
      const n = ready.pop()!;
      topo.push(n);
      for (const e of n.nextEdges) {
        if (e === null) continue;
        const d = pending.get(e.node)! - 1;
        pending.set(e.node, d);
        if (d === 0) ready.push(e.node);
      }
    }
    for (let i = topo.length - 1; i >= 0; i--) {
      const n = topo[i]!;
      if (targets.has(n) || n.nextEdges.some((e) => e !== null && needed!.has(e.node))) needed.add(n);
    }
  }

  const buffers = new Map<Node, (Tensor | null)[]>();
  const bufferFor = (n: Node) => {
    let b = buffers.get(n);
    if (b === undefined) {
      b = [];
      buffers.set(n, b);
    }
    return b;
  };
  // Gradients made here (by a built-in node's rule, or summing two) are seen by nobody else: without createGraph they
  // are disposed once no buffer holds them any more, and each rule's temporaries when it returns, so a training
  // loop without scopes leaves the backward pass's memory to no garbage collector. A leaf may keep one that went
  // nowhere else as its `.grad` instead of copying it (as PyTorch steals a gradient nobody else holds).
  // Not while a graph is captured (its replays write into these buffers) nor under forward AD (tangents ride on them).
  const frees = !opts.createGraph && !capturing() && !isForwardAdActive();
  const owned = new Set<Tensor>();
  const held = new Map<Tensor, number>();
  const hold = (g: Tensor) => held.set(g, (held.get(g) ?? 0) + 1);
  const letGo = (g: Tensor, spent: Tensor[]) => {
    const n = held.get(g)! - 1;
    if (n > 0) held.set(g, n);
    else {
      held.delete(g);
      spent.push(g);
    }
  };
  const place = (b: (Tensor | null)[], nr: number, g: Tensor, spent: Tensor[]) => {
    const existing = b[nr] ?? null;
    if (existing === null) {
      b[nr] = g;
      hold(g);
      return;
    }
    const sum = existing.add(g);
    if (frees) owned.add(sum);
    letGo(existing, spent);
    spent.push(g);
    b[nr] = sum;
    hold(sum);
  };
  const dispose = (spent: readonly Tensor[]) => {
    for (const t of spent) {
      if (!owned.has(t) || held.has(t)) continue;
      owned.delete(t);
      t.dispose();
    }
  };
  rootEdges.forEach((e, i) => place(bufferFor(e.node), e.outputNr, grads[i]!, []));
  let hooksRan = false;

  const queue = new ReadyQueue();
  for (const n of new Set(rootEdges.map((e) => e.node))) if (deps.get(n) === 0) queue.push(n);

  using _mode = setGradEnabled(opts.createGraph);
  while (queue.size > 0) {
    const node = queue.pop();
    const inGrads = buffers.get(node) ?? [];
    buffers.delete(node);
    const spent: Tensor[] = [];
    for (const g of inGrads) if (g !== null && g !== undefined) letGo(g, spent);
    if (needed === null || needed.has(node)) {
      if (node._hasHooks) {
        // A hook may keep the gradient it is shown.
        for (const g of inGrads) if (g !== null && g !== undefined) owned.delete(g);
        if (runPreHooks(node, inGrads)) hooksRan = true;
      }
      const t = targets.get(node);
      if (t !== undefined) {
        for (const [nr, idx] of t) {
          captured[idx] = inGrads[nr] ?? null;
          if (captured[idx] !== null) owned.delete(captured[idx]!);
        }
      }

      if (node instanceof AccumulateGrad) {
        if (!capture) {
          const g = inGrads[0];
          // Not after hooks (one may have kept it), nor when another tensor shares its memory.
          const own = g !== null && g !== undefined && !hooksRan && owned.has(g) && !held.has(g) && soleOwner(g);
          if (own) owned.delete(g);
          if (g !== null && g !== undefined) node.variable._accumulateGrad(g, opts.createGraph, own);
        }
      } else {
        // A custom Function's backward or a module's backward hook may keep what it is given.
        if (!(node instanceof FunctionNode)) for (const g of inGrads) if (g !== null && g !== undefined) owned.delete(g);
        const gradOutputs = inGrads.length > 0 ? inGrads : [null];
        const run = () => (frees && node instanceof FunctionNode ? applyFreeing(node, gradOutputs, owned) : node.apply(gradOutputs));
        let outGrads: (Tensor | null)[];
        if (isAnomalyEnabled()) {
          // The node's own ops are not reported one by one: its result is checked as a whole, naming the node.
          outGrads = inBackwardOf(run);
          checkBackward({ name: node.name, trace: node._trace, inputShapes: node.inputShapes, op: node.op }, gradOutputs, outGrads);
        } else outGrads = run();
        if (!opts.retainGraph) node.release();
        node.nextEdges.forEach((e, i) => {
          const g = outGrads[i];
          if (e === null || g === null || g === undefined) return;
          if (needed !== null && !needed.has(e.node)) return;
          place(bufferFor(e.node), e.outputNr, g, spent);
        });
        // What was computed and went nowhere (an input the roots reach but no captured edge needs).
        for (const g of outGrads) if (g !== null && owned.has(g) && !held.has(g)) spent.push(g);
      }
    }
    if (frees) dispose(spent);
    for (const e of node.nextEdges) {
      if (e === null) continue;
      const d = deps.get(e.node)! - 1;
      deps.set(e.node, d);
      if (d === 0) queue.push(e.node);
    }
  }
  return captured;
}
