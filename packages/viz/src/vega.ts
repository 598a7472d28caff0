// Charts as SVG without a browser: a Vega-Lite spec compiled to Vega and rendered headless (the CLI's plots).
import type { TopLevelSpec } from "vega-lite";

/**
 * A Vega-Lite spec rendered to SVG text, under Node or in a browser (no canvas needed). Vega and Vega-Lite are
 * loaded on the first call: together they take about half a second to import.
 *
 * @example
 * ```ts
 * const svg = await vegaLiteToSvg({ data: { values: [{ x: 1, y: 2 }] }, mark: "line",
 *   encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } } });
 * ```
 */
export async function vegaLiteToSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, { compile }] = await Promise.all([import("vega"), import("vega-lite")]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  return view.toSVG();
}
