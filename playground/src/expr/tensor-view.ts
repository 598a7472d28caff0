// The tensor graph's steps as the lab shows them: the drawing, and each edge's `grad +=` line with its elements.
import { h } from "../dom.js";
import { renderTensorGraph } from "./tensor-graph-svg.js";
import { fmtNumbers, tensorStateAt, tensorStepCount } from "./tensor-steps.js";
import type { EdgeGrad, Numbers, TensorTrace } from "./tensor-trace.js";
import type { Stepper } from "./stepper.js";

const shapeText = (n: Numbers): string => (n.shape.length === 0 ? "a scalar" : `shape [${n.shape.join(", ")}]`);

/** What the edge's rule did to the upstream gradient, in words where it is not an elementwise product. */
function rule(e: EdgeGrad, up: Numbers, op: string, to: string): string {
  if (e.local !== null) return `${fmtNumbers(up)} ⊙ ${fmtNumbers(e.local)}`;
  if (e.grad.data.length > up.data.length) return `${fmtNumbers(up)} copied to ${shapeText(e.grad)}`;
  return `${fmtNumbers(up)} ⊙ ∂${op}/∂${to}, summed over the broadcast copies`;
}

/** Tensors: the graph of sum(f) recorded by tensor-trace.ts, stepped by tensor-steps.ts. */
export function tensorStepper(t: TensorTrace): Stepper {
  return {
    total: tensorStepCount(t),
    view: (step) => {
      const st = tensorStateAt(t, step);
      const op = st.active === null ? "?" : (t.nodes[st.active]?.label ?? "?");
      return {
        graph: renderTensorGraph(t, st),
        phase: st.phase,
        message: st.message,
        contributions: st.upstream === null ? [] : st.contributions.map((e) => {
          const to = t.nodes[e.to]?.label ?? "?";
          const reused = e.before !== null;
          const sum = `${e.before === null ? "0" : fmtNumbers(e.before)} + ${fmtNumbers(e.grad)} = ${fmtNumbers(e.after)}`;
          return h("li", { class: reused ? "reused" : "" }, `${to}.grad += ${rule(e, st.upstream as Numbers, op, to)} → ${sum}`, reused ? h("strong", {}, " (accumulates: a second path)") : null);
        }),
        stepped: (name) => {
          const id = t.variables.get(name);
          const g = id === undefined ? null : st.grads[id];
          if (st.phase !== "done") return "–";
          return g !== null && g !== undefined ? fmtNumbers(g) : "0";
        },
      };
    },
  };
}
