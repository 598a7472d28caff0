// Folds repeated structure into single boxes: each module call (from a trace) and each periodic chain of ops.
import type { GraphEdge, GraphModel, GraphNode } from "./model.js";

/** Longest repeating block of ops looked for in a chain (`linear → relu` is 2, a residual block a few more). */
const MAX_PERIOD = 8;
/** A block must repeat at least this often to be folded. */
const MIN_REPEATS = 3;

/** Replaces each group of nodes (by key) with one box; edges inside a group vanish, duplicates between boxes merge. */
function fold(model: GraphModel, groupOf: (n: GraphNode) => string | undefined, box: (key: string, members: GraphNode[]) => Omit<GraphNode, "id">): GraphModel {
  const members = new Map<string, GraphNode[]>();
  for (const n of model.nodes) {
    const key = groupOf(n);
    if (key === undefined) continue;
    const list = members.get(key) ?? [];
    list.push(n);
    members.set(key, list);
  }
  if (members.size === 0) return model;
  const target = new Map<string, string>(); // old id → new id
  const nodes: GraphNode[] = [];
  const emitted = new Set<string>();
  for (const n of model.nodes) {
    const key = groupOf(n);
    if (key === undefined) {
      nodes.push(n);
      target.set(n.id, n.id);
      continue;
    }
    const group = members.get(key)!;
    const id = group[0]!.id; // the box takes its first member's id, so ids stay unique and in data order
    target.set(n.id, id);
    if (!emitted.has(key)) {
      emitted.add(key);
      nodes.push({ id, ...box(key, group) });
    }
  }
  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  for (const e of model.edges) {
    const from = target.get(e.from)!;
    const to = target.get(e.to)!;
    if (from === to) continue;
    const k = `${from}>${to}`;
    if (from !== e.from || to !== e.to) {
      if (seen.has(k)) continue; // several wires between two boxes are drawn once
      seen.add(k);
    }
    edges.push({ from, to });
  }
  return { ...model, nodes, edges, output: target.get(model.output)! };
}

/** The last member whose output leaves the group stands for it (its value is the group's result). */
function outputMember(group: GraphNode[], model: GraphModel, inGroup: Set<string>): GraphNode {
  const leaving = new Set(model.edges.filter((e) => inGroup.has(e.from) && !inGroup.has(e.to)).map((e) => e.from));
  for (let i = group.length - 1; i >= 0; i--) if (leaving.has(group[i]!.id) || group[i]!.id === model.output) return group[i]!;
  return group[group.length - 1]!;
}

/**
 * Folds the ops of each module call (or `scope`) into one box named by its module type and path.
 * Module parameters stay visible as leaves feeding the box.
 */
export function collapseModules(model: GraphModel, types: ReadonlyMap<string, string>): GraphModel {
  return fold(
    model,
    (n) => n.module,
    (key, members) => {
      const out = outputMember(members, model, new Set(members.map((m) => m.id)));
      return { kind: "module", op: types.get(key) ?? key, label: key, shape: out.shape, value: out.value, grad: out.grad, count: members.length };
    },
  );
}

/**
 * Folds chains where a block of 1 to 8 ops repeats at least 3 times, each op fed only by the one
 * before it (apart from leaves), into one box `sin ×10000` or `sigmoid → mul ×50`.
 */
export function collapseChains(model: GraphModel): GraphModel {
  const opIn = new Map<string, string[]>(); // op inputs of each node (leaves excluded)
  const outDeg = new Map<string, number>();
  const byId = new Map(model.nodes.map((n) => [n.id, n]));
  for (const e of model.edges) {
    if (byId.get(e.from)!.kind !== "leaf") opIn.set(e.to, [...(opIn.get(e.to) ?? []), e.from]);
    outDeg.set(e.from, (outDeg.get(e.from) ?? 0) + 1);
  }
  // A link continues a chain: an op whose only op input is the previous op, used by nothing else.
  const next = new Map<string, string>();
  for (const n of model.nodes) {
    const ins = opIn.get(n.id);
    if (n.kind !== "leaf" && ins?.length === 1 && outDeg.get(ins[0]!) === 1) next.set(ins[0]!, n.id);
  }
  const hasPrev = new Set(next.values());
  const groupOf = new Map<string, string>();
  for (const n of model.nodes) {
    if (n.kind === "leaf" || hasPrev.has(n.id) || !next.has(n.id)) continue;
    const chain: GraphNode[] = [n];
    for (let id = next.get(n.id); id !== undefined; id = next.get(id)) chain.push(byId.get(id)!);
    markRepeats(chain, groupOf);
  }
  return fold(
    model,
    (n) => groupOf.get(n.id),
    (key, members) => {
      const period = Number(key.split(":")[1]);
      const block = members.slice(0, period).map((m) => m.op).join(" → ");
      const out = members[members.length - 1]!;
      return { kind: "module", op: `${block} ×${members.length / period}`, shape: out.shape, value: out.value, grad: out.grad, count: members.length };
    },
  );
}

// Greedy scan of one chain: at each position, the period whose repeats cover the most ops wins.
function markRepeats(chain: GraphNode[], groupOf: Map<string, string>): void {
  let i = 0;
  while (i < chain.length) {
    let best = { period: 0, repeats: 0 };
    for (let p = 1; p <= MAX_PERIOD && i + p * MIN_REPEATS <= chain.length; p++) {
      let r = 1;
      while (i + (r + 1) * p <= chain.length && sameBlock(chain, i, i + r * p, p)) r++;
      if (r >= MIN_REPEATS && r * p > best.period * best.repeats) best = { period: p, repeats: r };
    }
    if (best.repeats === 0) {
      i++;
      continue;
    }
    const key = `${chain[i]!.id}:${best.period}`;
    for (let k = i; k < i + best.period * best.repeats; k++) groupOf.set(chain[k]!.id, key);
    i += best.period * best.repeats;
  }
}

function sameBlock(chain: GraphNode[], a: number, b: number, p: number): boolean {
  for (let k = 0; k < p; k++) if (chain[a + k]!.op !== chain[b + k]!.op) return false;
  return true;
}
