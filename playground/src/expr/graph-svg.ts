// Draws the recorded graph as SVG, left (inputs) to right (output), with each node's value and gradient.
// Integration point: when `cr.viz` lands (src/viz/), its layout can replace this small layered one.
import { fmt, s } from "../dom.js";
import type { StepState } from "./steps.js";
import type { Trace } from "./trace.js";

const W = 118;
export const H = 54;
const GAP_X = 58;
const GAP_Y = 20;
/** Room above the nodes for edges that arc over a column. */
const TOP = 30;

/** What the layout reads of a graph: the scalar trace and the tensor trace both fit. */
export interface Layered {
  nodes: readonly { id: number; inputs: readonly number[] }[];
}

/** Column = longest path from an input; rows ordered by the mean row of each node's inputs (fewer crossings). */
export function layout(t: Layered, w = W): { x: number[]; y: number[]; width: number; height: number } {
  const col = t.nodes.map(() => 0);
  for (const n of t.nodes) for (const i of n.inputs) col[n.id] = Math.max(col[n.id] ?? 0, (col[i] ?? 0) + 1);
  const columns: number[][] = [];
  for (const n of t.nodes) (columns[col[n.id] ?? 0] ??= []).push(n.id);
  const row = t.nodes.map(() => 0);
  for (const ids of columns) {
    if (ids === undefined) continue;
    const key = (id: number): number => {
      const ins = t.nodes[id]?.inputs ?? [];
      return ins.length === 0 ? id : ins.reduce((a, i) => a + (row[i] ?? 0), 0) / ins.length;
    };
    ids.sort((a, b) => key(a) - key(b));
    ids.forEach((id, r) => (row[id] = r));
  }
  const rows = Math.max(1, ...columns.map((c) => c?.length ?? 0));
  const height = rows * (H + GAP_Y) + GAP_Y + TOP;
  const x = t.nodes.map((n) => GAP_Y + (col[n.id] ?? 0) * (w + GAP_X));
  // Centre each column vertically.
  const y = t.nodes.map((n) => {
    const size = columns[col[n.id] ?? 0]?.length ?? 1;
    return TOP + (height - TOP - size * (H + GAP_Y)) / 2 + GAP_Y / 2 + (row[n.id] ?? 0) * (H + GAP_Y);
  });
  return { x, y, width: GAP_Y * 2 + columns.length * (w + GAP_X) - GAP_X, height };
}

/** How one drawing of a layered graph looks: node width, which edges are hot, and each edge's label. */
export interface EdgeStyle {
  w: number;
  hot: (node: number, input: number) => boolean;
  label: (node: number, slot: number) => string | null;
}

/** The arrowhead marker every edge refers to. */
export function arrowDefs(): SVGDefsElement {
  return s("defs", {}, s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto" }, s("path", { d: "M0,0 L10,5 L0,10 z", class: "arrowhead" })));
}

/** The edges of a layered graph, input to op; shared by the scalar and the tensor drawings. */
export function drawEdges(svg: SVGSVGElement, t: Layered, x: readonly number[], y: readonly number[], style: EdgeStyle): void {
  const { w } = style;
  // Where a node feeds several edges (or one input twice, as in x·x), spread their ends apart.
  const outgoing = t.nodes.map(() => 0);
  const outSeen = t.nodes.map(() => 0);
  for (const n of t.nodes) for (const i of n.inputs) outgoing[i] = (outgoing[i] ?? 0) + 1;
  const topY = Math.min(...y);
  const spread = (k: number, count: number): number => (k - (count - 1) / 2) * 16;
  for (const n of t.nodes) {
    n.inputs.forEach((i, j) => {
      const x1 = (x[i] ?? 0) + w;
      const k = outSeen[i] ?? 0;
      outSeen[i] = k + 1;
      const y1 = (y[i] ?? 0) + H / 2 + spread(k, outgoing[i] ?? 1);
      const x2 = x[n.id] ?? 0;
      const y2 = (y[n.id] ?? 0) + H / 2 + spread(j, n.inputs.length);
      // An edge that skips a column arcs over the nodes in between instead of running through them.
      const span = Math.round((x2 - x1 + GAP_X) / (w + GAP_X));
      // A cubic reaches 3/4 of the way to its control points: aim the apex 12px above the highest node.
      const lift = span > 1 ? ((y1 + y2) / 2 - (topY - 12)) / 0.75 : 0;
      const cy1 = y1 - lift;
      const cy2 = y2 - lift;
      const reach = span > 1 ? (x2 - x1) / 3 : GAP_X / 2;
      svg.append(s("path", { d: `M${x1},${y1} C${x1 + reach},${cy1} ${x2 - reach},${cy2} ${x2},${y2}`, class: style.hot(n.id, i) ? "edge hot" : "edge", "marker-end": "url(#arrow)" }));
      const text = style.label(n.id, j);
      if (text !== null) svg.append(s("text", { x: x2 - 20, y: y2 - 3, class: "edge-label" }, text));
    });
  }
}

/** The graph at one step: computed nodes show their data, reached nodes their grad, the active node is outlined. */
export function renderGraph(t: Trace, st: StepState): SVGSVGElement {
  const { x, y, width, height } = layout(t);
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", class: "graph", "aria-label": `Computational graph with ${t.nodes.length} nodes` });
  svg.append(arrowDefs());
  const activeInputs = new Set(st.contributions.map((c) => c.to));
  drawEdges(svg, t, x, y, {
    w: W,
    hot: (node, input) => st.phase !== "forward" && st.active === node && activeInputs.has(input),
    label: (node, j) => {
      const local = t.nodes[node]?.local[j];
      return st.grads[node] !== null && local !== null && local !== undefined ? `×${fmt(local, 3)}` : null;
    },
  });
  for (const n of t.nodes) {
    const cls = ["node", n.kind, st.computed[n.id] ? "computed" : "pending", st.active === n.id ? "active" : "", activeInputs.has(n.id) ? "receiving" : ""].join(" ");
    const g = s("g", { class: cls, transform: `translate(${x[n.id]},${y[n.id]})`, "data-node": n.label });
    g.append(s("rect", { width: W, height: H, rx: 8 }));
    g.append(s("text", { x: W / 2, y: 16, class: "node-label" }, n.label));
    g.append(s("text", { x: W / 2, y: 32 }, st.computed[n.id] ? `data ${fmt(n.value.data)}` : "data ?"));
    const grad = st.grads[n.id];
    if (n.kind !== "constant") g.append(s("text", { x: W / 2, y: 47, class: "grad" }, grad === null || grad === undefined ? "grad –" : `grad ${fmt(grad)}`));
    svg.append(g);
  }
  return svg;
}
