// Evaluates an expression with chainrule's scalar `Value` engine and records the graph, so the lab can
// replay the forward pass and the backward pass one node at a time.
import * as cr from "chainrule";

/** One node of the recorded graph. */
export interface TraceNode {
  id: number;
  value: cr.Value;
  /** The variable's name, the constant's digits, or the op (`mul`, `tanh`, …). */
  label: string;
  kind: "variable" | "constant" | "op";
  /** Indices (into `Trace.nodes`) of the inputs, in order. */
  inputs: number[];
  /** d(node)/d(input) for each input: the local gradients, taken from chainrule itself (see `localGradients`). */
  local: (number | null)[];
}

export interface Trace {
  /** Nodes in a topological order: inputs before the ops that use them; the root is last. */
  nodes: TraceNode[];
  root: number;
  /** Variable name → node index. */
  variables: Map<string, number>;
}

/** Runs the expression forward on Values, one Value per variable name (a name used twice is one node with two uses, which is where `grad +=` shows). */
export function evaluate(e: cr.viz.Expression, values: ReadonlyMap<string, number>): { root: cr.Value; vars: Map<string, cr.Value> } {
  const vars = new Map<string, cr.Value>();
  for (const name of e.variables) vars.set(name, new cr.Value(values.get(name) ?? 1, { label: name }));
  return { root: e.evaluate(Object.fromEntries(vars)), vars };
}

/**
 * The local gradients of one op, asked of chainrule rather than written again here: the op is
 * replayed on fresh leaves holding the same numbers and `backward()` fills their `grad`. Constant
 * inputs (leaves that are not variables) get null: no gradient is needed for them.
 */
export function localGradients(node: cr.Value, isConstant: (v: cr.Value) => boolean): (number | null)[] {
  const [a, b] = node.children;
  if (a === undefined) return [];
  const a2 = new cr.Value(a.data);
  if (b === undefined) {
    applyUnary(node.op, a2).backward();
    return [isConstant(a) ? null : a2.grad];
  }
  const b2 = new cr.Value(b.data);
  // x ^ constant replays as x.pow(number), as it was built: the exponent's own derivative, log(x)·x^k,
  // is NaN for x < 0 and is not needed.
  const out = node.op === "pow" && isConstant(b) ? a2.pow(b.data) : applyBinary(node.op, a2, b2);
  out.backward();
  return [isConstant(a) ? null : a2.grad, isConstant(b) ? null : b2.grad];
}

function applyBinary(op: string, a: cr.Value, b: cr.Value): cr.Value {
  switch (op) {
    case "add": return a.add(b);
    case "sub": return a.sub(b);
    case "mul": return a.mul(b);
    case "div": return a.div(b);
    case "pow": return a.pow(b);
    default: throw new Error(`unknown binary op "${op}"`);
  }
}

function applyUnary(op: string, a: cr.Value): cr.Value {
  switch (op) {
    case "neg": return a.neg();
    case "exp": return a.exp();
    case "log": return a.log();
    case "tanh": return a.tanh();
    case "sigmoid": return a.sigmoid();
    case "relu": return a.relu();
    case "sin": return a.sin();
    case "cos": return a.cos();
    default: throw new Error(`unknown unary op "${op}"`);
  }
}

/** Evaluates and records the graph: nodes in topological order via an iterative depth-first walk of `children`. */
export function trace(e: cr.viz.Expression, values: ReadonlyMap<string, number>): Trace {
  const { root, vars } = evaluate(e, values);
  const varOf = new Map<cr.Value, string>();
  for (const [name, v] of vars) varOf.set(v, name);
  const isConstant = (v: cr.Value): boolean => v.children.length === 0 && !varOf.has(v);

  const index = new Map<cr.Value, number>();
  const nodes: TraceNode[] = [];
  const stack: { v: cr.Value; expanded: boolean }[] = [{ v: root, expanded: false }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as { v: cr.Value; expanded: boolean };
    if (index.has(top.v)) {
      stack.pop();
      continue;
    }
    const kids = top.v.children;
    if (!top.expanded) {
      top.expanded = true;
      for (let i = kids.length - 1; i >= 0; i--) {
        const c = kids[i] as cr.Value;
        if (!index.has(c)) stack.push({ v: c, expanded: false });
      }
      continue;
    }
    stack.pop();
    const name = varOf.get(top.v);
    const kind = name !== undefined ? "variable" : kids.length === 0 ? "constant" : "op";
    const id = nodes.length;
    index.set(top.v, id);
    nodes.push({
      id,
      value: top.v,
      label: name ?? (kind === "constant" ? (top.v.label ?? String(top.v.data)) : top.v.op),
      kind,
      inputs: kids.map((c) => index.get(c) as number),
      local: kind === "op" ? localGradients(top.v, isConstant) : [],
    });
  }
  const variables = new Map<string, number>();
  for (const [name, v] of vars) variables.set(name, index.get(v) as number);
  return { nodes, root: nodes.length - 1, variables };
}
