// `cr.viz.graph`: a recorded graph as plain data, with its DOT, Mermaid and SVG renderings.
import type { Tensor } from "../tensor/tensor.js";
import type { Value } from "../value/value.js";
import { collapseChains, collapseModules } from "./collapse.js";
import { toDot } from "./dot.js";
import { toMermaid } from "./mermaid.js";
import { buildModel } from "./model.js";
import type { GraphModel, ModelOptions } from "./model.js";
import { toSvg } from "./svg.js";

/** Options for {@link graph}. */
export interface GraphOptions extends ModelOptions {
  /**
   * Fold repeated structure: `"modules"` draws each module call (or `scope`) recorded by the trace as
   * one box; `"chains"` folds a block of ops repeated 3 or more times in a row (`sin ×10000`); `true`
   * does both. Default false: every op, with module calls drawn as clusters around their ops.
   */
  collapse?: boolean | "modules" | "chains";
}

/** A drawn graph: its plain model and the three renderings. */
export interface Graph {
  /** Nodes and edges as plain data. */
  readonly model: GraphModel;
  /** Graphviz DOT text. */
  toDot(): string;
  /** A Mermaid flowchart. */
  toMermaid(): string;
  /** SVG laid out by Graphviz (loaded on first use, hence a promise). */
  toSvg(): Promise<string>;
}

/**
 * The recorded graph of a tensor (through `gradFn`/`nextFunctions`) or of a scalar `Value` (through
 * `children`): each node shows its op, shape, forward value and gradient; edges follow the data.
 * Intermediate values and gradients of tensors need a {@link trace} (the graph alone keeps only its
 * nodes); leaves and the output always show theirs. The walk is iterative: 10,000-op chains are fine.
 *
 * @example
 * ```ts
 * const [x, y, z] = [-2, 5, -4].map((v) => cr.tensor(v, { requiresGrad: true }));
 * const t = cr.viz.trace(() => x.add(y).mul(z));
 * t.output.backward();
 * const g = cr.viz.graph(t.output, { trace: t, names: { x, y, z } });
 * g.model.nodes.length; // 5: x, y, add, z, mul
 * g.toMermaid();        // 'flowchart TB\n  n0(["x<br/>shape []<br/>data -2<br/>grad -4"]) …'
 * const svg = await g.toSvg();
 * ```
 */
export function graph(root: Tensor | Value, opts: GraphOptions = {}): Graph {
  let model = buildModel(root, opts);
  const c = opts.collapse ?? false;
  if ((c === true || c === "modules") && opts.trace !== undefined) model = collapseModules(model, opts.trace.scopeTypes);
  if (c === true || c === "chains") model = collapseChains(model);
  const m = model;
  return { model: m, toDot: () => toDot(m), toMermaid: () => toMermaid(m), toSvg: () => toSvg(m) };
}
