// @chainrule/viz: chainrule's drawings that need heavy renderers, kept out of the core package. Importing it
// registers Graphviz as the renderer of `cr.viz.toSvg` and `graph(...).toSvg()`.
import * as cr from "chainrule";
import { renderDot } from "./graphviz.js";

cr.viz.setSvgRenderer(renderDot);

export { renderDot } from "./graphviz.js";
export { vegaLiteToSvg } from "./vega.js";
export type { TopLevelSpec } from "vega-lite";

/**
 * A graph model (`cr.viz.graph(root).model`) drawn as SVG by Graphviz: the same as `cr.viz.toSvg`.
 *
 * @example
 * ```ts
 * import { toSvg } from "@chainrule/viz";
 * const svg = await toSvg(cr.viz.graph(y).model);
 * ```
 */
export function toSvg(model: cr.viz.GraphModel): Promise<string> {
  return renderDot(cr.viz.toDot(model));
}
