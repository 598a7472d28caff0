// Graphviz DOT text for a graph model: rounded boxes for ops, square ones for leaves, clusters for module calls.
import { clusterLabel, clusters, labelLines } from "./labels.js";
import type { GraphModel, GraphNode } from "./model.js";

const quote = (s: string): string => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;

const STYLE: Record<GraphNode["kind"], string> = {
  leaf: 'shape=box, style=filled, fillcolor="#e8f1fb"',
  op: 'shape=box, style="rounded,filled", fillcolor="#fdf3e1"',
  module: 'shape=box3d, style=filled, fillcolor="#e6f4ea"',
};

function nodeLine(n: GraphNode, output: string): string {
  // `id` and `class` carry into Graphviz's SVG, so the drawing can be checked and styled by node.
  const cls = n.id === output ? `${n.kind} output` : n.kind;
  return `${quote(n.id)} [id=${quote(n.id)}, class=${quote(cls)}, label=${quote(labelLines(n).join("\n"))}, ${STYLE[n.kind]}${n.id === output ? ", penwidth=2" : ""}];`;
}

/**
 * The graph in Graphviz's DOT language, data flowing top to bottom. Nodes recorded inside a module
 * call (see `cr.viz.trace`) sit in a labelled cluster.
 *
 * @example
 * ```ts
 * const x = new cr.Value(2, { label: "x" });
 * cr.viz.toDot(cr.viz.graph(x.mul(x)).model); // 'digraph chainrule {\n  rankdir=TB; …'
 * ```
 */
export function toDot(model: GraphModel): string {
  const out: string[] = [
    "digraph chainrule {",
    '  rankdir=TB; fontname="Helvetica"; fontsize=11;',
    '  node [fontname="Helvetica", fontsize=11];',
    '  edge [color="#555555", arrowsize=0.7];',
  ];
  const grouped = clusters(model.nodes);
  const inCluster = new Set([...grouped.values()].flat());
  const byId = new Map(model.nodes.map((n) => [n.id, n]));
  for (const n of model.nodes) if (!inCluster.has(n.id)) out.push(`  ${nodeLine(n, model.output)}`);
  let k = 0;
  for (const [path, ids] of grouped) {
    out.push(`  subgraph ${quote(`cluster_${k++}`)} {`, `    label=${quote(clusterLabel(path, model.moduleTypes))}; style="rounded,dashed"; color="#888888";`);
    for (const id of ids) out.push(`    ${nodeLine(byId.get(id)!, model.output)}`);
    out.push("  }");
  }
  for (const e of model.edges) out.push(`  ${quote(e.from)} -> ${quote(e.to)};`);
  out.push("}");
  return out.join("\n") + "\n";
}
