// The text of each box, shared by the DOT, Mermaid and SVG emitters so all three say the same thing.
import type { GraphModel, GraphNode } from "./model.js";

/** The lines of a node's box: what it is, then its shape, value and gradient where known. */
export function labelLines(n: GraphNode): string[] {
  const title =
    n.kind === "leaf" ? (n.label ?? "leaf") : n.kind === "module" && n.label !== undefined && n.label !== n.op ? `${n.op} (${n.label})` : n.op;
  const lines = [title];
  if (n.shape !== null) lines.push(`shape [${n.shape.join(", ")}]`);
  if (n.value !== null) lines.push(`data ${n.value}`);
  if (n.grad !== null) lines.push(`grad ${n.grad}`);
  return lines;
}

/** A cluster's caption: the module's type and path (`Linear (0)`), or the scope's name. */
export function clusterLabel(path: string, types: GraphModel["moduleTypes"]): string {
  const type = types?.[path];
  return type === undefined || type === path ? path : `${type} (${path})`;
}

/** Groups of nodes by module path, for drawing clusters: path → member ids, in data order. */
export function clusters(nodes: readonly GraphNode[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const n of nodes) {
    if (n.module === undefined || n.kind === "module") continue;
    const list = out.get(n.module) ?? [];
    list.push(n.id);
    out.set(n.module, list);
  }
  return out;
}
