// The tensor graph's forward and backward passes cut into steps, as steps.ts does for scalars.
import { fmt } from "../dom.js";
import type { EdgeGrad, Numbers, TensorTrace } from "./tensor-trace.js";

export interface TensorStepState {
  phase: "start" | "forward" | "backward" | "done";
  /** Nodes whose value has been computed (variables count from the start). */
  computed: boolean[];
  /** Gradients so far (null: not reached by the backward pass yet). */
  grads: (Numbers | null)[];
  active: number | null;
  /** The gradient that arrived at the active node, during a backward step. */
  upstream: Numbers | null;
  contributions: EdgeGrad[];
  message: string;
}

/** `2`, `[1, 4, 9]` or `[[1, 2], [3, 4]]`: the elements, nested by the shape. */
export function fmtNumbers(n: Numbers, digits = 4): string {
  const items = n.data.map((v) => fmt(v, digits));
  if (n.shape.length === 0) return items[0] ?? "";
  let groups = items;
  // Innermost dimension first: join each run of `size` items into one bracketed group.
  for (let d = n.shape.length - 1; d >= 0; d--) {
    const size = n.shape[d] ?? 1;
    const next: string[] = [];
    for (let i = 0; i < groups.length; i += size) next.push(`[${groups.slice(i, i + size).join(", ")}]`);
    groups = next;
  }
  return groups[0] ?? "[]";
}

const opIds = (t: TensorTrace): number[] => t.nodes.filter((n) => n.kind === "op").map((n) => n.id);

/** One step per op forward, one to seed sum(f)'s gradient with 1, one per op backward. */
export function tensorStepCount(t: TensorTrace): number {
  return opIds(t).length + 1 + t.backward.length;
}

/** The state after `step` steps, replayed from the start so any step can be shown directly. */
export function tensorStateAt(t: TensorTrace, step: number): TensorStepState {
  const ops = opIds(t);
  const computed = t.nodes.map((n) => n.kind !== "op");
  const grads: (Numbers | null)[] = t.nodes.map(() => null);
  const s: TensorStepState = { phase: "start", computed, grads, active: null, upstream: null, contributions: [], message: "Press “Step” to run the forward pass one node at a time." };
  for (const id of ops.slice(0, Math.min(step, ops.length))) {
    const node = t.nodes[id];
    computed[id] = true;
    s.phase = "forward";
    s.active = id;
    if (node !== undefined) s.message = `forward: ${node.label}(${node.inputs.map((k) => t.nodes[k]?.label).join(", ")}) = ${fmtNumbers(node.value)}`;
  }
  if (step <= ops.length) return s;
  grads[t.root] = { shape: [], data: [1] };
  s.phase = "backward";
  s.active = t.root;
  s.message = "backward: the output is sum(f), so its gradient is d(out)/d(out) = 1";
  const back = Math.min(step - ops.length - 1, t.backward.length);
  for (const b of t.backward.slice(0, back)) {
    s.active = b.node;
    s.upstream = b.upstream;
    s.contributions = b.edges;
    for (const e of b.edges) grads[e.to] = e.after;
    const label = t.nodes[b.node]?.label ?? "?";
    s.message = `backward through ${label}: ${label}.grad = ${fmtNumbers(b.upstream)}; each input's grad += ${label}'s rule applied to it`;
  }
  if (back === t.backward.length) s.phase = "done";
  return s;
}
