// What the lab's step controls drive, for scalars and tensors alike: a step count and a view of any step.
import { fmt, h } from "../dom.js";
import { renderGraph } from "./graph-svg.js";
import { stateAt, stepCount } from "./steps.js";
import type { Trace } from "./trace.js";

/** Everything the lab draws for one step. */
export interface StepView {
  graph: SVGSVGElement;
  phase: "start" | "forward" | "backward" | "done";
  message: string;
  /** The `grad +=` lines of a backward step. */
  contributions: HTMLLIElement[];
  /** The stepped gradient of a variable as the table shows it: "–" until the backward pass is done. */
  stepped: (name: string) => string;
}

export interface Stepper {
  total: number;
  view: (step: number) => StepView;
}

/** Scalars: the graph recorded on `cr.Value`, stepped by steps.ts. */
export function scalarStepper(t: Trace): Stepper {
  return {
    total: stepCount(t),
    view: (step) => {
      const st = stateAt(t, step);
      return {
        graph: renderGraph(t, st),
        phase: st.phase,
        message: st.message,
        contributions: st.contributions.map((c) => {
          const to = t.nodes[c.to]?.label ?? "?";
          const reused = c.before !== 0;
          return h("li", { class: reused ? "reused" : "" }, `${to}.grad += ${fmt(c.upstream)} × ${fmt(c.local)} → ${fmt(c.before)} + ${fmt(c.upstream * c.local)} = ${fmt(c.after)}`, reused ? h("strong", {}, " (accumulates: a second path)") : null);
        }),
        stepped: (name) => {
          const id = t.variables.get(name);
          const g = id === undefined ? null : st.grads[id];
          if (st.phase !== "done") return "–";
          return g !== null && g !== undefined ? fmt(g, 6) : "0";
        },
      };
    },
  };
}
