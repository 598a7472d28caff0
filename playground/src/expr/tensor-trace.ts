// Records the tensor graph of sum(f(x…)) in topological order, with every gradient the backward steps show, all from chainrule.
import * as cr from "chainrule";
import type { Binding } from "./bindings.js";

/** A tensor's numbers with its shape, as the lab prints them. */
export interface Numbers {
  shape: readonly number[];
  data: number[];
}

export interface TensorNode {
  id: number;
  /** The variable's name, or the op (`mul`, `sum`, …). */
  label: string;
  kind: "variable" | "op";
  value: Numbers;
  /** Node ids of the inputs that need a gradient, one per graph edge (`x * x` lists x twice); constants have no edge. */
  inputs: number[];
}

/** What one graph edge carries backward: the op's vector-Jacobian product for that input. */
export interface EdgeGrad {
  to: number;
  grad: Numbers;
  /** d(node)/d(input) element by element, where the Jacobian is diagonal (same shape in and out); else null. */
  local: Numbers | null;
  /** The input's gradient before this edge (null: no path reached it yet), and after `+=` (a chainrule add). */
  before: Numbers | null;
  after: Numbers;
}

/** One backward step: the gradient arriving at an op node, and what each of its inputs receives. */
export interface BackwardStep {
  node: number;
  upstream: Numbers;
  edges: EdgeGrad[];
}

export interface TensorTrace {
  /** Inputs before the ops that use them; the root, sum(f), is last. */
  nodes: TensorNode[];
  root: number;
  /** One per op node, in reverse topological order: the order the backward pass visits them. */
  backward: BackwardStep[];
  variables: Map<string, number>;
}

export const numbersOf = (t: cr.Tensor): Numbers => ({ shape: [...t.shape], data: Array.from(t.toTypedArray(), Number) });

/** `MulBackward` → `mul`, unless the node names its op itself. */
function opLabel(n: cr.autograd.Node): string {
  const base = n.op ?? n.name.replace(/Backward$/, "");
  return base.charAt(0).toLowerCase() + base.slice(1);
}

/** Every node reachable from `root` through `nextFunctions`, sorted by creation: a topological order. */
function reachable(root: cr.autograd.Node): cr.autograd.Node[] {
  const seen = new Set<cr.autograd.Node>([root]);
  const stack = [root];
  while (stack.length > 0) {
    for (const [next] of (stack.pop() as cr.autograd.Node).nextFunctions) {
      if (next !== null && !seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return [...seen].sort((a, b) => a.sequenceNr - b.sequenceNr);
}

/**
 * Evaluates sum(f) inside `cr.viz.trace`, which keeps every intermediate tensor (`trace.tensors`, by graph node).
 * Each backward step's gradients come from the node's own derivative rule, `node.apply([upstream])`
 * (PyTorch's `grad_fn(grad)`), so one edge at a time is seen, and `x * x` shows both of its edges.
 */
export function traceTensors(e: cr.viz.Expression, values: ReadonlyMap<string, Binding>): TensorTrace {
  const inputs: Record<string, cr.Tensor> = {};
  for (const name of e.variables) inputs[name] = cr.tensor(values.get(name) ?? 1, { dtype: "float64", requiresGrad: true });
  const tr = cr.viz.trace(() => e.evaluate(inputs).sum());
  const out = tr.output;
  const order = reachable(out.gradFn as cr.autograd.Node);
  const nameOf = new Map([...Object.entries(inputs)].map(([k, t]) => [t, k]));
  const index = new Map(order.map((n, i) => [n, i]));
  // trace.tensors maps each recorded node to its result; the output of sum is the traced result itself.
  const tensorOf = order.map((n) => (n instanceof cr.autograd.AccumulateGrad ? n.variable : n === out.gradFn ? out : tr.tensors.get(n)) as cr.Tensor);
  const nodes: TensorNode[] = order.map((n, id) => {
    const leaf = n instanceof cr.autograd.AccumulateGrad;
    return {
      id,
      label: leaf ? (nameOf.get(n.variable) ?? "?") : opLabel(n),
      kind: leaf ? "variable" : "op",
      value: numbersOf(tensorOf[id] as cr.Tensor),
      inputs: n.nextFunctions.flatMap(([next]) => (next === null ? [] : [index.get(next) as number])),
    };
  });

  // Walk backward in reverse topological order, adding up what reaches each node (the engine's buffers, made
  // visible); the table checks the totals against a real backward() (tensor-mode.ts).
  const arriving: (cr.Tensor | null)[] = order.map(() => null);
  arriving[order.length - 1] = cr.onesLike(out);
  const backward: BackwardStep[] = [];
  cr.noGrad(() => {
    for (let id = order.length - 1; id >= 0; id--) {
      const n = order[id] as cr.autograd.Node;
      const upstream = arriving[id];
      if (n instanceof cr.autograd.AccumulateGrad || upstream === null || upstream === undefined) continue;
      const grads = n.apply([upstream]);
      const ones = n.apply([cr.onesLike(upstream)]);
      const step: BackwardStep = { node: id, upstream: numbersOf(upstream), edges: [] };
      n.nextFunctions.forEach(([next], j) => {
        const g = grads[j];
        if (next === null || g === null || g === undefined) return;
        const to = index.get(next) as number;
        const prev = arriving[to];
        arriving[to] = prev === null || prev === undefined ? g : prev.add(g);
        const one = ones[j];
        // Elementwise ops keep the shape, and their Jacobian is diagonal: the rule applied to ones is that diagonal.
        const diagonal = one !== null && one !== undefined && g.shape.join() === upstream.shape.join();
        step.edges.push({ to, grad: numbersOf(g), local: diagonal ? numbersOf(one) : null, before: prev === null || prev === undefined ? null : numbersOf(prev), after: numbersOf(arriving[to] as cr.Tensor) });
      });
      backward.push(step);
    }
  });
  const variables = new Map(nodes.filter((n) => n.kind === "variable").map((n) => [n.label, n.id]));
  return { nodes, root: order.length - 1, backward, variables };
}
