// Draws the tensor graph at one step, with the scalar drawing's layout and edges: each node shows its elements.
import { s } from "../dom.js";
import { arrowDefs, drawEdges, H, layout } from "./graph-svg.js";
import { fmtNumbers, type TensorStepState } from "./tensor-steps.js";
import type { Numbers, TensorTrace } from "./tensor-trace.js";

/** Wider than a scalar node: a box holds a few elements. */
const W = 150;
/** Characters that fit in a box; longer tensors are cut here, and the whole is in the node's tooltip and the step text. */
const FIT = 22;

const short = (text: string): string => (text.length <= FIT ? text : `${text.slice(0, FIT - 1)}…`);

/** Values of computed nodes, gradients of reached ones; the active node outlined, its inputs marked as receiving. */
export function renderTensorGraph(t: TensorTrace, st: TensorStepState): SVGSVGElement {
  const { x, y, width, height } = layout(t, W);
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", class: "graph", "aria-label": `Tensor graph with ${t.nodes.length} nodes` });
  svg.append(arrowDefs());
  const receiving = new Set(st.contributions.map((c) => c.to));
  drawEdges(svg, t, x, y, { w: W, hot: (node, input) => st.phase !== "forward" && st.active === node && receiving.has(input), label: () => null });
  for (const n of t.nodes) {
    const cls = ["node", n.kind, st.computed[n.id] ? "computed" : "pending", st.active === n.id ? "active" : "", receiving.has(n.id) ? "receiving" : ""].join(" ");
    const grad: Numbers | null = st.grads[n.id] ?? null;
    const value = st.computed[n.id] ? fmtNumbers(n.value, 3) : "?";
    const g = s("g", { class: cls, transform: `translate(${x[n.id]},${y[n.id]})`, "data-node": n.label },
      s("title", {}, `${n.label} = ${fmtNumbers(n.value)}${grad === null ? "" : `\ngrad ${fmtNumbers(grad)}`}`));
    g.append(s("rect", { width: W, height: H, rx: 8 }));
    g.append(s("text", { x: W / 2, y: 16, class: "node-label" }, `${n.label} · ${n.value.shape.length === 0 ? "scalar" : `shape [${n.value.shape.join("×")}]`}`));
    g.append(s("text", { x: W / 2, y: 32 }, short(`data ${value}`)));
    g.append(s("text", { x: W / 2, y: 47, class: "grad" }, grad === null ? "grad –" : short(`grad ${fmtNumbers(grad, 3)}`)));
    svg.append(g);
  }
  return svg;
}
