// The plain graph model every emitter draws: nodes and data-flow edges, built by an iterative walk.
import { AccumulateGrad } from "../autograd/node.js";
import type { Node } from "../autograd/node.js";
import { Tensor } from "../tensor/tensor.js";
import { Value } from "../value/value.js";
import type { Trace } from "./trace.js";

/** One box of the drawing. */
export interface GraphNode {
  /** Stable id within the graph: `n0`, `n1`, … in data order (inputs before the ops that use them). */
  readonly id: string;
  /** `leaf`: an input (a tensor without gradFn, a `Value` without op); `op`: one recorded operation;
   * `module`: a module call or a repeated chain folded by `collapse`. */
  readonly kind: "leaf" | "op" | "module";
  /** The op (`mul`, `sin`, …); for a folded box, its module type or repeated ops (`sin ×10000`); `""` for leaves. */
  readonly op: string;
  /** A name: the leaf's label (`x`), or the module path of a folded box. */
  readonly label?: string;
  /** Shape of the node's output; null where unknown. `[]` for a scalar. */
  readonly shape: readonly number[] | null;
  /** Summary of the forward value (`-12`, `[1, 2]`, `mean 0.1 min -2 max 3`); null where unknown or not asked for. */
  readonly value: string | null;
  /** Summary of the gradient of the output with respect to this node; null where unknown or not asked for. */
  readonly grad: string | null;
  /** The module path (`layers.0`) or scope the op was recorded in, from a {@link trace}. */
  readonly module?: string;
  /** How many original nodes a folded box stands for. */
  readonly count?: number;
}

/** Data flows from `from` into `to`; a value used twice by one op gives two edges. */
export interface GraphEdge {
  /** The id of the node the value comes from. */
  readonly from: string;
  /** The id of the node the value goes to. */
  readonly to: string;
}

/** A recorded graph as plain data: what `cr.viz.graph(...).model` holds. */
export interface GraphModel {
  /** The graph's nodes. */
  readonly nodes: readonly GraphNode[];
  /** The graph's edges, each from a producer to a consumer. */
  readonly edges: readonly GraphEdge[];
  /** Id of the node whose graph this is (the output). */
  readonly output: string;
  /** The class name of each module path the nodes were tagged with (`{ "0": "Linear" }`), from a trace. */
  readonly moduleTypes?: Readonly<Record<string, string>>;
}

/** What to show; see `cr.viz.graph`. */
export interface ModelOptions {
  /** Show forward values (default true). */
  values?: boolean;
  /** Show gradients (default true). */
  grads?: boolean;
  /** Names for leaf tensors, such as `{ x, y, z }`; a model's parameters get theirs from `model.namedParameters()`. */
  names?: Readonly<Record<string, Tensor>> | ReadonlyMap<Tensor, string>;
  /** Values and module tags recorded by `cr.viz.trace`. */
  trace?: Trace;
}

const fmtNum = (v: number): string => {
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
};

/**
 * A short text for a tensor's values: the numbers when few, else mean, min and max.
 * @example cr.viz.summarize(cr.arange(100)) // "mean 49.5 min 0 max 99"
 */
export function summarize(t: Tensor): string {
  const data = t.toTypedArray();
  const n = data.length;
  if (t.shape.length === 0) return fmtNum(Number(data[0]));
  if (n <= 4) return `[${Array.from(data, (v) => fmtNum(Number(v))).join(", ")}]`;
  let sum = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = Number(data[i]);
    sum += v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return `mean ${fmtNum(sum / n)} min ${fmtNum(lo)} max ${fmtNum(hi)}`;
}

/** `MulBackward` → `mul`; a node may also say its op itself. */
export function opName(node: Node): string {
  if (node.op !== undefined) return node.op;
  const base = node.name.endsWith("Backward") ? node.name.slice(0, -"Backward".length) : node.name;
  return base.length === 0 ? base : `${base[0]!.toLowerCase()}${base.slice(1)}`;
}

function nameMap(names: ModelOptions["names"]): Map<Tensor, string> {
  if (names === undefined) return new Map();
  if (names instanceof Map) return new Map(names);
  const m = new Map<Tensor, string>();
  for (const [k, v] of Object.entries(names as Record<string, Tensor>)) m.set(v, k);
  return m;
}

/**
 * Builds the graph of a tensor from its `gradFn`, walking `nextFunctions` with an explicit stack (no
 * recursion: a 10,000-op chain is fine). Leaves are the `AccumulateGrad` nodes' variables.
 */
export function tensorModel(out: Tensor, opts: ModelOptions = {}): GraphModel {
  const showValues = opts.values ?? true;
  const showGrads = opts.grads ?? true;
  const tr = opts.trace;
  const names = new Map([...(tr?.paramNames ?? []), ...nameMap(opts.names)]);
  const leaf = (t: Tensor, id: string): GraphNode => ({
    id,
    kind: "leaf",
    op: "",
    ...(names.has(t) ? { label: names.get(t)! } : {}),
    shape: t.shape,
    value: showValues ? summarize(t) : null,
    grad: showGrads && t.grad !== null ? summarize(t.grad) : null,
  });
  const root = out.gradFn;
  if (root === null) return { nodes: [leaf(out, "n0")], edges: [], output: "n0" };

  // Discover every node reachable from the output, and the shape each input edge carries.
  const seen = new Set<Node>([root]);
  const stack: Node[] = [root];
  const shapeOf = new Map<Node, readonly number[]>([[root, out.shape]]);
  while (stack.length > 0) {
    const node = stack.pop()!;
    node.nextEdges.forEach((edge, i) => {
      if (edge === null) return;
      const s = node.inputShapes?.[i];
      if (s !== undefined && !shapeOf.has(edge.node)) shapeOf.set(edge.node, s);
      if (!seen.has(edge.node)) {
        seen.add(edge.node);
        stack.push(edge.node);
      }
    });
  }
  // Creation order is a topological order: an op's inputs (and their AccumulateGrad) exist before it.
  const order = [...seen].sort((a, b) => a.sequenceNr - b.sequenceNr);
  const ids = new Map<Node, string>();
  order.forEach((n, i) => ids.set(n, `n${i}`));
  const nodes: GraphNode[] = order.map((n) => {
    const id = ids.get(n)!;
    if (n instanceof AccumulateGrad) return leaf(n.variable, id);
    const t = n === root ? out : tr?.tensors.get(n);
    const module = tr?.scopes.get(n);
    return {
      id,
      kind: "op",
      op: opName(n),
      shape: t?.shape ?? shapeOf.get(n) ?? null,
      value: showValues && t !== undefined ? summarize(t) : null,
      grad: showGrads && t !== undefined && t.retainsGrad && t.grad !== null ? summarize(t.grad) : null,
      ...(module !== undefined ? { module } : {}),
    };
  });
  const edges: GraphEdge[] = [];
  for (const n of order) {
    for (const e of n.nextEdges) if (e !== null) edges.push({ from: ids.get(e.node)!, to: ids.get(n)! });
  }
  const moduleTypes = tr === undefined ? undefined : Object.fromEntries(tr.scopeTypes);
  return { nodes, edges, output: ids.get(root)!, ...(moduleTypes !== undefined ? { moduleTypes } : {}) };
}

/**
 * Builds the graph of a scalar `Value` from its `children`, with an explicit stack; constants (plain
 * numbers given to an op) appear as leaves.
 */
export function valueModel(out: Value, opts: Pick<ModelOptions, "values" | "grads"> = {}): GraphModel {
  const showValues = opts.values ?? true;
  const showGrads = opts.grads ?? true;
  // Iterative post-order: a node is emitted after all its children, so ids follow the data.
  const ids = new Map<Value, string>();
  const order: Value[] = [];
  const stack: [Value, boolean][] = [[out, false]];
  while (stack.length > 0) {
    const [v, expanded] = stack.pop()!;
    if (ids.has(v)) continue;
    if (expanded) {
      ids.set(v, `n${order.length}`);
      order.push(v);
      continue;
    }
    stack.push([v, true]);
    const kids = v.children;
    for (let i = kids.length - 1; i >= 0; i--) if (!ids.has(kids[i]!)) stack.push([kids[i]!, false]);
  }
  const nodes: GraphNode[] = order.map((v) => ({
    id: ids.get(v)!,
    kind: v.op === "" ? "leaf" : "op",
    op: v.op,
    ...(v.label !== undefined ? { label: v.label } : {}),
    shape: [],
    value: showValues ? fmtNum(v.data) : null,
    grad: showGrads ? fmtNum(v.grad) : null,
  }));
  const edges: GraphEdge[] = [];
  for (const v of order) for (const c of v.children) edges.push({ from: ids.get(c)!, to: ids.get(v)! });
  return { nodes, edges, output: ids.get(out)! };
}

/** The graph of a tensor or a `Value`. */
export function buildModel(root: Tensor | Value, opts: ModelOptions = {}): GraphModel {
  if (root instanceof Value) return valueModel(root, opts);
  if (root instanceof Tensor) return tensorModel(root, opts);
  throw new TypeError("viz.graph: expected a Tensor or a Value");
}
