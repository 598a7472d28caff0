// Mermaid flowchart text for a graph model, for Markdown pages that render Mermaid (GitHub, docs sites).
import { clusterLabel, clusters, labelLines } from "./labels.js";
import type { GraphModel, GraphNode } from "./model.js";

// Mermaid labels are quoted strings: a quote or angle bracket must be an entity, a line break is <br/>.
const text = (s: string): string => s.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");

function nodeLine(n: GraphNode): string {
  const label = `"${labelLines(n).map(text).join("<br/>")}"`;
  return n.kind === "leaf" ? `${n.id}([${label}])` : n.kind === "module" ? `${n.id}[[${label}]]` : `${n.id}[${label}]`;
}

/**
 * The graph as a Mermaid `flowchart`, data flowing top to bottom; leaves are rounded, folded boxes
 * double-edged, module calls subgraphs. Mermaid's own renderer caps edges (500 by default): fold big
 * graphs with `collapse`.
 *
 * @example
 * ```ts
 * const x = new cr.Value(2, { label: "x" });
 * cr.viz.toMermaid(cr.viz.graph(x.mul(x)).model); // 'flowchart TB\n  n0(["x<br/>shape []<br/>data 2<br/>grad 0"])…'
 * ```
 */
export function toMermaid(model: GraphModel): string {
  const out: string[] = ["flowchart TB"];
  const grouped = clusters(model.nodes);
  const inCluster = new Set([...grouped.values()].flat());
  const byId = new Map(model.nodes.map((n) => [n.id, n]));
  for (const n of model.nodes) if (!inCluster.has(n.id)) out.push(`  ${nodeLine(n)}`);
  let k = 0;
  for (const [path, ids] of grouped) {
    out.push(`  subgraph m${k++}["${text(clusterLabel(path, model.moduleTypes))}"]`);
    for (const id of ids) out.push(`    ${nodeLine(byId.get(id)!)}`);
    out.push("  end");
  }
  for (const e of model.edges) out.push(`  ${e.from} --> ${e.to}`);
  out.push(`  classDef output stroke-width:3px`, `  class ${model.output} output`);
  return out.join("\n") + "\n";
}
