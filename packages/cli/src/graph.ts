// `chainrule graph "<formula>" --x 1.3 …`: computes the formula with autograd, prints the gradients, draws the graph.
import { extname } from "node:path";
import * as cr from "chainrule";
// Graphviz for --format svg: the import registers it as cr.viz.toSvg's renderer.
import "@chainrule/viz";
import { parseDecimal, writeFileAtomic } from "chainrule/internal";
import { defaultOutputPath } from "./output-dir.js";
import { prepareOutputs } from "./outputs.js";

/** The drawing formats `--format` takes. */
export const GRAPH_FORMATS = ["svg", "dot", "mermaid"] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

export interface GraphCommandOptions {
  /** Where to write the drawing (default `runs/graph.svg`, or `runs/graph.dot` / `runs/graph.mmd` for those formats). */
  out?: string;
  /** Drawing format; by default taken from `out`'s extension (.dot/.gv, .mmd/.mermaid, else svg). */
  format?: GraphFormat;
}

const fmt = (v: number): string => String(Number(v.toPrecision(6)));

/**
 * Splits the command's free arguments into the formula and its `--name value` (or `--name=value`)
 * variables: commander cannot declare flags whose names come from the formula.
 */
export function splitArgs(args: readonly string[]): { formula: string; values: Map<string, number> } {
  const values = new Map<string, number>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith("--")) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
    const text = eq < 0 ? args[++i] : a.slice(eq + 1);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new cr.ArgumentError(`graph: unknown option ${a}`);
    const v = text === undefined ? undefined : parseDecimal(text);
    if (v === undefined) throw new cr.ArgumentError(`graph: --${name} must be a number${text === undefined ? "" : `, got ${JSON.stringify(text)}`}`);
    values.set(name, v);
  }
  if (positional.length !== 1) {
    throw new cr.ArgumentError(`graph: expected one formula in quotes, such as "sin(x^2)", got ${positional.length === 0 ? "none" : positional.map((p) => JSON.stringify(p)).join(" ")}`);
  }
  return { formula: positional[0]!, values };
}

function formatOf(opts: GraphCommandOptions): GraphFormat {
  if (opts.format !== undefined) return opts.format;
  const ext = extname(opts.out ?? "").toLowerCase();
  return ext === ".dot" || ext === ".gv" ? "dot" : ext === ".mmd" || ext === ".mermaid" ? "mermaid" : "svg";
}

/** Runs `chainrule graph`: `args` are the formula and the variable flags, as the user typed them. */
export async function runGraph(args: readonly string[], opts: GraphCommandOptions, print: (line: string) => void = (l) => console.log(l)): Promise<void> {
  const { formula, values } = splitArgs(args);
  const expr = cr.viz.parseExpression(formula);
  if (expr.variables.length === 0) throw new cr.ArgumentError(`graph: ${JSON.stringify(formula)} has no variables`);
  for (const name of values.keys()) {
    if (!expr.variables.includes(name)) throw new cr.ArgumentError(`graph: unknown variable ${name}: the formula uses ${expr.variables.join(", ")}`);
  }
  const inputs: Record<string, cr.Tensor> = {};
  for (const name of expr.variables) {
    const v = values.get(name);
    if (v === undefined) throw new cr.ArgumentError(`graph: no value for ${name}: pass --${name} <number>`);
    inputs[name] = cr.tensor(v, { dtype: "float64", requiresGrad: true });
  }
  const t = cr.viz.trace(() => expr.evaluate(inputs));
  const out = t.output;
  out.backward();
  print(`f = ${formula} = ${fmt(out.item())}`);
  for (const name of expr.variables) print(`∂f/∂${name} = ${fmt(inputs[name]!.grad!.item())}`);
  const format = formatOf(opts);
  const file = opts.out ?? defaultOutputPath(`graph.${format === "mermaid" ? "mmd" : format}`);
  const g = cr.viz.graph(out, { trace: t, names: inputs });
  const text = format === "dot" ? g.toDot() : format === "mermaid" ? g.toMermaid() : await g.toSvg();
  prepareOutputs([file]);
  writeFileAtomic(file, text, "graph");
  print(`graph written to ${file} (${g.model.nodes.length} nodes, ${g.model.edges.length} edges, ${format})`);
}
