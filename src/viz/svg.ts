// SVG drawing of a graph model. The drawing itself is Graphviz's `dot` layout in WebAssembly, which lives in the
// @chainrule/viz package so that the core installs without it: importing "@chainrule/viz" registers it here.
// Under Node, `toSvg` also loads the package by itself when it is installed, so scripts need no extra import.
import { toDot } from "./dot.js";
import type { GraphModel } from "./model.js";

/** Lays out DOT source and returns the SVG: what @chainrule/viz registers (Graphviz's `dot`). */
export type SvgRenderer = (dot: string) => Promise<string>;

let renderer: SvgRenderer | null = null;
const VIZ_PACKAGE = "@chainrule/viz";

/**
 * Sets the function that turns DOT into SVG for `toSvg` and `graph(...).toSvg()`. `import "@chainrule/viz"`
 * calls it with Graphviz; pass your own to draw with another layout engine.
 *
 * @example
 * ```ts
 * import { renderDot } from "@chainrule/viz";
 * cr.viz.setSvgRenderer(renderDot); // what importing "@chainrule/viz" does
 * ```
 */
export function setSvgRenderer(render: SvgRenderer): void {
  renderer = render;
}

/** The registered renderer, or the one @chainrule/viz registers when it is loaded here (installed, under Node). */
async function svgRenderer(): Promise<SvgRenderer> {
  if (renderer) return renderer;
  try {
    // A specifier in a variable: bundlers leave it alone (so the core bundles without @chainrule/viz), and in
    // Node it loads the package when installed. The package registers its renderer on import.
    await import(/* @vite-ignore */ /* webpackIgnore: true */ VIZ_PACKAGE);
  } catch (e) {
    throw new Error(`toSvg: drawing SVG needs Graphviz, which the @chainrule/viz package ships: npm install @chainrule/viz, and in a bundled app import "@chainrule/viz" once (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  if (!renderer) throw new Error("toSvg: @chainrule/viz loaded but registered no renderer (is it the same version as chainrule?)");
  return renderer;
}

/**
 * The graph drawn as SVG by Graphviz's `dot` layout (from @chainrule/viz). Each node is a `<g class="node …" id="n…">`
 * holding its label lines as `<text>`, each edge a `<g class="edge">`. A 10,000-node chain takes a few
 * seconds; fold repeated structure with `collapse` for a readable picture.
 *
 * @example
 * ```ts
 * import "@chainrule/viz"; // once, in a bundled app; Node finds it by itself
 * const x = new cr.Value(2, { label: "x" });
 * const svg = await cr.viz.toSvg(cr.viz.graph(x.mul(x)).model); // '<?xml …><svg …>'
 * ```
 */
export async function toSvg(model: GraphModel): Promise<string> {
  const render = await svgRenderer();
  return render(toDot(model));
}
