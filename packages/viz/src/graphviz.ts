// SVG drawing of DOT (chainrule's graph models): Graphviz's `dot` layout, run from WebAssembly (@hpcc-js/wasm-graphviz).
//
// Why Graphviz, measured on this machine (2 shared cores, Node 20) laying out boxes with 4-line labels:
//   10,000-node chain: Graphviz wasm 1.1-3.1 s (12.6 MB of SVG); elkjs and @dagrejs/dagre both throw
//     "Maximum call stack size exceeded" (their graph walks recurse).
//   1,000-node chain: Graphviz 1.1-2.1 s, dagre 1.4 s (layout only), elkjs 4.3 s.
//   MLP, 3 layers (19 nodes): Graphviz 0.1 s, dagre 0.05 s, elkjs 0.5 s; 50 layers: 0.3 s, 0.24 s, 2.5 s.
// Graphviz is the only one that lays out the deep chain, draws clusters (module calls) natively, and
// writes the SVG itself (dagre and elk give coordinates only); the wasm ships inside the npm package
// (no download), and it loads in about 0.2 s, lazily, on the first drawing.
import type { Graphviz } from "@hpcc-js/wasm-graphviz";

let loading: Promise<Graphviz> | null = null;

/** Loads Graphviz's WebAssembly once, on first use, so importing the package stays light. */
function graphviz(): Promise<Graphviz> {
  loading ??= import("@hpcc-js/wasm-graphviz").then((m) => m.Graphviz.load());
  return loading;
}

/**
 * DOT source laid out by Graphviz's `dot` and drawn as SVG: the renderer this package registers for
 * `cr.viz.toSvg` and `graph(...).toSvg()`.
 *
 * @example
 * ```ts
 * const svg = await renderDot(cr.viz.toDot(cr.viz.graph(x.mul(x)).model)); // '<?xml …><svg …>'
 * ```
 */
export async function renderDot(dot: string): Promise<string> {
  const gv = await graphviz();
  return gv.layout(dot, "svg", "dot");
}
