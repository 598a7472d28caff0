// Programs: elementwise expressions as backends run them (composites expanded into instructions), and their
// derivatives, generated from the registry's local rules by the chain rule: for each input the program that
// computes its gradient from the incoming one (reverse mode), and the program that pushes tangents forward.
import { ELEMENTWISE, ELEMENTWISE_OPS, elementwiseDef } from "./elementwise.js";
import type { ElementwiseOp, ElementwiseOpDef } from "./elementwise.js";
import { Expr, substitute, topoOrder } from "./expr.js";

/** Where a derivative program's operand comes from. */
export type Operand =
  /** The primitive's input at this position. */
  | number
  /** The incoming gradient (reverse mode). */
  | "grad"
  /** The primitive's result. */
  | "output"
  /** The tangent of the input at this position (forward mode). */
  | { readonly tangent: number };

/** A derivative: a program over operands, a constant (0 where the gradient is zero), or an operand as it is. */
export type DerivativeOf =
  | { readonly kind: "program"; readonly program: Program; readonly operands: readonly Operand[] }
  | { readonly kind: "const"; readonly value: number }
  | { readonly kind: "operand"; readonly operand: Operand };

/**
 * An elementwise program: one expression over `arity` inputs, made of the registry's instructions only.
 * @example
 * ```ts
 * // A backend's elementwise(program, inputs, …): one compiled kernel per distinct program.
 * const kernel = kernels.get(program.key) ?? compile(program.expr, program.arity);
 * ```
 */
export class Program {
  /** A key equal for programs that compute the same thing: backends cache compiled kernels by it. */
  readonly key: string;
  /** Whether the result is a test (stored as bool). */
  readonly predicate: boolean;
  /** Whether gradients flow through it (false for tests). */
  readonly differentiable: boolean;
  readonly #vjps = new Map<number, DerivativeOf>();
  readonly #jvps = new Map<string, DerivativeOf>();
  readonly #saves = new Map<string, { inputs: boolean[]; output: boolean }>();

  constructor(
    /** The registry op it is, or (for derived programs) the op its result comes from: names graph nodes. */
    readonly name: string,
    /** The expression, over inputs 0 … arity − 1, composites expanded. */
    readonly expr: Expr,
    /** How many inputs the expression reads. */
    readonly arity: number,
  ) {
    this.key = expr.key;
    const root = expr.kind === "call" ? elementwiseDef(expr.op) : undefined;
    this.predicate = root?.predicate === true;
    this.differentiable = !this.predicate && expr.kind !== "const";
    // Integer-only ops (bitwise) have no gradient to give: their results are never floating point.
    if (root?.integral === true) this.differentiable = false;
  }

  /**
   * The gradient of input `i` from the incoming gradient, as a program over the operands it reads.
   * @example program.vjp(0) // input 0's gradient: a program over "grad" and the operands it reads
   */
  vjp(i: number): DerivativeOf {
    let d = this.#vjps.get(i);
    if (d === undefined) {
      d = derivativeOf(this, reverse(this.expr, this.arity)[i] ?? null, this.arity, "reverse");
      this.#vjps.set(i, d);
    }
    return d;
  }

  /**
   * The result's tangent from the inputs' tangents (`present[i]`: input i has one), as a program over operands.
   * @example program.jvp([true, false]) // the tangent when only input 0 has one
   */
  jvp(present: readonly boolean[]): DerivativeOf {
    const mask = present.map((p) => (p ? "1" : "0")).join("");
    let d = this.#jvps.get(mask);
    if (d === undefined) {
      d = derivativeOf(this, forward(this.expr, this.arity, present), this.arity, "forward");
      this.#jvps.set(mask, d);
    }
    return d;
  }

  /**
   * Whether the gradients of the inputs that need one read the inputs (per input) and the result.
   * @example program.saves([true, false]) // what backward reads when only input 0 needs a gradient: save those, free the rest
   */
  saves(needs: readonly boolean[]): { inputs: boolean[]; output: boolean } {
    let mask = "";
    for (const n of needs) mask += n ? "1" : "0";
    let spec = this.#saves.get(mask);
    if (spec === undefined) {
      spec = this.#savesFor(needs);
      this.#saves.set(mask, spec);
    }
    return spec;
  }

  #savesFor(needs: readonly boolean[]): { inputs: boolean[]; output: boolean } {
    const inputs = new Array<boolean>(this.arity).fill(false);
    let output = false;
    needs.forEach((need, i) => {
      if (!need) return;
      const d = this.vjp(i);
      const ops = d.kind === "program" ? d.operands : d.kind === "operand" ? [d.operand] : [];
      for (const o of ops) {
        if (o === "output") output = true;
        else if (typeof o === "number") inputs[o] = true;
      }
    });
    return { inputs, output };
  }
}

// ---- expansion: composites into instructions ----

/** `e` with every composite op replaced by its expression, checked against the registry. */
export function expand(e: Expr): Expr {
  const memo = new Map<string, Expr>();
  for (const node of topoOrder([e])) {
    let out: Expr;
    if (node.kind !== "call") out = node;
    else {
      const def = elementwiseDef(node.op);
      if (def === undefined) throw new Error(`elementwise: unknown op "${node.op}" in an expression`);
      if (node.args.length !== def.arity) throw new Error(`elementwise: ${node.op} takes ${def.arity} operands, got ${node.args.length}`);
      const args = node.args.map((a) => memo.get(a.key)!);
      out = def.expr !== undefined ? expand(substitute(def.expr(...inputsOf(def.arity)), args)) : Expr.call(node.op, ...args);
    }
    memo.set(node.key, out);
  }
  return memo.get(e.key)!;
}

const inputsOf = (n: number): Expr[] => Array.from({ length: n }, (_, i) => Expr.input(i));

const programs = new Map<string, Program>();

/** The program of registry op `name` on its inputs, made once. */
export function opProgram(name: ElementwiseOp): Program {
  let p = programs.get(name);
  if (p === undefined) {
    const def: ElementwiseOpDef = ELEMENTWISE[name];
    p = new Program(name, expand(Expr.call(name, ...inputsOf(def.arity))), def.arity);
    programs.set(name, p);
  }
  return p;
}

// An expression with its inputs renumbered in the order it first reads them: equal for expressions that differ
// only in which operand is which. `order[k]` is the original index of the k-th input read.
function canonical(e: Expr): { expr: Expr; order: number[] } {
  const order = [...new Set(topoOrder([e]).filter((x) => x.kind === "input").map((x) => x.index))];
  const map = Array.from({ length: Math.max(-1, ...order) + 1 }, (_, i) => Expr.input(Math.max(0, order.indexOf(i))));
  return { expr: substitute(e, map), order };
}

// Registry ops by their canonical expression, so a derived program that is exactly one of them (relu's gradient is
// thresholdBackward, a product's gradient is mul) runs as that op, with the kernels backends have for it.
let byCanonical: Map<string, { name: ElementwiseOp; order: number[] }> | null = null;
function registryMatch(key: string): { name: ElementwiseOp; order: number[] } | undefined {
  byCanonical ??= new Map(ELEMENTWISE_OPS.map((n) => {
    const c = canonical(opProgram(n).expr);
    return [c.expr.key, { name: n, order: c.order }] as const;
  }));
  return byCanonical.get(key);
}

// ---- differentiation ----

// Placeholders while differentiating a program of n inputs: inputs 0…n−1, then m (reverse) or the n tangents
// (forward), then the result.
const mIndex = (n: number) => n;
const tangentIndex = (n: number, i: number) => n + i;
const outIndex = (n: number, forwardMode: boolean) => (forwardMode ? 2 * n : n + 1);

function instruction(op: string): ElementwiseOpDef {
  return elementwiseDef(op)!;
}

/** Each input's gradient as an expression in the placeholders, by reverse accumulation over the tree. */
function reverse(expr: Expr, n: number): (Expr | null)[] {
  const order = topoOrder([expr]);
  const adjoint = new Map<string, Expr>([[expr.key, Expr.input(mIndex(n))]]);
  const grads: (Expr | null)[] = new Array<Expr | null>(n).fill(null);
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k]!;
    const a = adjoint.get(node.key);
    if (a === undefined) continue;
    if (node.kind === "input") {
      grads[node.index] = a;
      continue;
    }
    if (node.kind !== "call") continue;
    const def = instruction(node.op);
    if (def.derivative === undefined) continue;
    const parts = def.derivative(a, node.args, node);
    node.args.forEach((arg, j) => {
      const c = parts[j];
      if (c === null || c === undefined || arg.kind === "const") return;
      const have = adjoint.get(arg.key);
      adjoint.set(arg.key, have === undefined ? c : have.add(c));
    });
  }
  // The result, where the rules read it, is the saved output rather than a recomputation.
  return grads.map((g) => (g === null ? null : replaceSubtree(g, expr.key, Expr.input(outIndex(n, false)))));
}

/** The result's tangent as an expression in the placeholders, by forward propagation over the tree. */
function forward(expr: Expr, n: number, present: readonly boolean[]): Expr | null {
  const tangent = new Map<string, Expr | null>();
  for (const node of topoOrder([expr])) {
    let t: Expr | null = null;
    if (node.kind === "input") t = present[node.index] === true ? Expr.input(tangentIndex(n, node.index)) : null;
    else if (node.kind === "call") {
      const def = instruction(node.op);
      if (def.derivative !== undefined) {
        node.args.forEach((arg, j) => {
          const ta = tangent.get(arg.key) ?? null;
          if (ta === null) return;
          const c = def.derivative!(ta, node.args, node)[j];
          if (c === null || c === undefined) return;
          t = t === null ? c : t.add(c);
        });
      }
    }
    tangent.set(node.key, t);
  }
  const out = tangent.get(expr.key) ?? null;
  return out === null ? null : replaceSubtree(out, expr.key, Expr.input(outIndex(n, true)));
}

function replaceSubtree(e: Expr, key: string, by: Expr): Expr {
  const memo = new Map<string, Expr>();
  for (const node of topoOrder([e])) {
    const out = node.key === key ? by : node.kind === "call" ? Expr.call(node.op, ...node.args.map((a) => memo.get(a.key)!)) : node;
    memo.set(node.key, out);
  }
  return memo.get(e.key)!;
}

/** Folds constant subtrees (with the ops' own scalar math), so `0 − 0` or `2·0.5` cost nothing at run time. */
function fold(e: Expr): Expr {
  const memo = new Map<string, Expr>();
  for (const node of topoOrder([e])) {
    let out = node;
    if (node.kind === "call") {
      const args = node.args.map((a) => memo.get(a.key)!);
      const fn = instruction(node.op).fn;
      out = fn !== undefined && args.every((a) => a.kind === "const") ? Expr.const(fn(...args.map((a) => a.value))) : Expr.call(node.op, ...args);
    }
    memo.set(node.key, out);
  }
  return memo.get(e.key)!;
}

/** A derivative expression over placeholders as a program over just the operands it reads. */
function derivativeOf(of: Program, e: Expr | null, n: number, mode: "reverse" | "forward"): DerivativeOf {
  if (e === null) return { kind: "const", value: 0 };
  const folded = fold(e);
  if (folded.kind === "const") return { kind: "const", value: folded.value };
  const operandOf = (index: number): Operand => {
    if (index < n) return index;
    if (mode === "reverse") return index === mIndex(n) ? "grad" : "output";
    return index === outIndex(n, true) ? "output" : { tangent: index - n };
  };
  if (folded.kind === "input") return { kind: "operand", operand: operandOf(folded.index) };
  const c = canonical(folded);
  const match = registryMatch(c.expr.key);
  if (match !== undefined) {
    // The op's input j is read at the canonical position where the op's own order puts j.
    const op = opProgram(match.name);
    return { kind: "program", program: op, operands: Array.from({ length: op.arity }, (_, j) => operandOf(c.order[match.order.indexOf(j)]!)) };
  }
  const name = c.expr.kind === "call" ? c.expr.op : of.name;
  return { kind: "program", program: new Program(name, c.expr, c.order.length), operands: c.order.map(operandOf) };
}

/**
 * A program of `arity` inputs from an expression over them (composites are expanded): for kernels composed of
 * elementwise steps (a backend's fallbacks), made once and kept.
 */
export function makeProgram(name: string, arity: number, build: (...inputs: Expr[]) => Expr): Program {
  return new Program(name, expand(build(...inputsOf(arity))), arity);
}
