// The forward and backward passes cut into steps: each forward step computes one op node; each
// backward step multiplies one node's gradient by its local gradients and adds (`grad +=`) into its inputs.
import type { Trace } from "./trace.js";

/** One `input.grad += upstream × local` during a backward step. */
export interface Contribution {
  to: number;
  upstream: number;
  local: number;
  /** The input's gradient before this step: non-zero when another path already reached it. */
  before: number;
  after: number;
}

export interface StepState {
  phase: "start" | "forward" | "backward" | "done";
  /** Nodes whose value has been computed (variables and constants count from the start). */
  computed: boolean[];
  /** Gradients so far (null: not reached by the backward pass yet). */
  grads: (number | null)[];
  /** The node the last step worked on, if any. */
  active: number | null;
  contributions: Contribution[];
  /** One sentence about the last step. */
  message: string;
}

/** Total number of steps: one per op node forward, one to seed the root's gradient, one per op node backward. */
export function stepCount(t: Trace): number {
  const ops = t.nodes.filter((n) => n.kind === "op").length;
  return 2 * ops + 1;
}

/** The state after `step` steps (0 = nothing run yet), replayed from the start so any step can be shown directly. */
export function stateAt(t: Trace, step: number): StepState {
  const ops = t.nodes.filter((n) => n.kind === "op").map((n) => n.id);
  const computed = t.nodes.map((n) => n.kind !== "op");
  const grads: (number | null)[] = t.nodes.map(() => null);
  const s: StepState = { phase: "start", computed, grads, active: null, contributions: [], message: "Press “Step” to run the forward pass one node at a time." };
  const fwd = Math.min(step, ops.length);
  for (let i = 0; i < fwd; i++) {
    const id = ops[i] as number;
    computed[id] = true;
    const node = t.nodes[id];
    s.phase = "forward";
    s.active = id;
    s.message = `forward: ${node?.label}(${node?.inputs.map((k) => t.nodes[k]?.label).join(", ")}) = ${node?.value.data}`;
  }
  if (step <= ops.length) return s;
  // Seed: d(root)/d(root) = 1.
  grads[t.root] = 1;
  s.phase = "backward";
  s.active = t.root;
  s.message = "backward: the output's gradient is d(out)/d(out) = 1";
  const back = Math.min(step - ops.length - 1, ops.length);
  for (let i = 0; i < back; i++) {
    const id = ops[ops.length - 1 - i] as number;
    const node = t.nodes[id];
    if (node === undefined) continue;
    const upstream = grads[id] ?? 0;
    s.active = id;
    s.contributions = [];
    node.inputs.forEach((input, j) => {
      const local = node.local[j];
      if (local === null || local === undefined) return;
      const before = grads[input] ?? 0;
      const after = before + upstream * local;
      grads[input] = after;
      s.contributions.push({ to: input, upstream, local, before, after });
    });
    s.message = `backward through ${node.label}: each input's grad += ${node.label}.grad × local gradient`;
  }
  if (back === ops.length) s.phase = "done";
  return s;
}
