// The kernel expression language: a scalar program over a few inputs, built from the elementwise ops of the
// registry (elementwise.ts). Backends compile it (JavaScript on cpu, SIMD on wasm); autograd differentiates it
// symbolically. Expressions are immutable trees; equal trees have equal keys, which caches use.

/** A node: an input by position, a constant, or an op of the registry applied to argument nodes. */
export class Expr {
  #key: string | undefined;

  private constructor(
    readonly kind: "input" | "const" | "call",
    /** The input's position (kind "input"). */
    readonly index: number,
    /** The constant's value (kind "const"). */
    readonly value: number,
    /** The op's name in the registry (kind "call"). */
    readonly op: string,
    readonly args: readonly Expr[],
  ) {}

  /** Input `index` of the program. */
  static input(index: number): Expr {
    return new Expr("input", index, 0, "", []);
  }

  /** A constant (a compile-time number; a scalar tensor operand is an input instead). */
  static const(value: number): Expr {
    return new Expr("const", -1, value, "", []);
  }

  /** `op` applied to `args`: an op of the registry, checked where the expression is compiled. */
  static call(op: string, ...args: (Expr | number)[]): Expr {
    return new Expr("call", -1, 0, op, args.map(lift));
  }

  /** A string equal for equal trees: `mul(i0,c2)`. Constants are exact (−0 and NaN included). */
  get key(): string {
    if (this.#key === undefined) {
      this.#key = this.kind === "input" ? `i${this.index}`
        : this.kind === "const" ? `c${Object.is(this.value, -0) ? "-0" : String(this.value)}`
        : `${this.op}(${this.args.map((a) => a.key).join(",")})`;
    }
    return this.#key;
  }

  /** Whether this is the constant `v` (by Object.is). */
  isConst(v: number): boolean {
    return this.kind === "const" && Object.is(this.value, v);
  }

  // The ops derivative rules use, for readable rules; any other op is Expr.call(name, …).
  add(b: Expr | number): Expr { return Expr.call("add", this, b); }
  sub(b: Expr | number): Expr { return Expr.call("sub", this, b); }
  mul(b: Expr | number): Expr { return Expr.call("mul", this, b); }
  div(b: Expr | number): Expr { return Expr.call("div", this, b); }
  pow(b: Expr | number): Expr { return Expr.call("pow", this, b); }
  neg(): Expr { return Expr.call("neg", this); }
  exp(): Expr { return Expr.call("exp", this); }
  log(): Expr { return Expr.call("log", this); }
  sqrt(): Expr { return Expr.call("sqrt", this); }
  sin(): Expr { return Expr.call("sin", this); }
  cos(): Expr { return Expr.call("cos", this); }
  sign(): Expr { return Expr.call("sign", this); }
  eq(b: Expr | number): Expr { return Expr.call("eq", this, b); }
  ne(b: Expr | number): Expr { return Expr.call("ne", this, b); }
  lt(b: Expr | number): Expr { return Expr.call("lt", this, b); }
  le(b: Expr | number): Expr { return Expr.call("le", this, b); }
  gt(b: Expr | number): Expr { return Expr.call("gt", this, b); }
  ge(b: Expr | number): Expr { return Expr.call("ge", this, b); }
  and(b: Expr | number): Expr { return Expr.call("logicalAnd", this, b); }
  or(b: Expr | number): Expr { return Expr.call("logicalOr", this, b); }

  toString(): string {
    return this.key;
  }
}

function lift(x: Expr | number): Expr {
  return typeof x === "number" ? Expr.const(x) : x;
}

/** `cond ? a : b` elementwise (the registry's `where`). */
export function select(cond: Expr, a: Expr | number, b: Expr | number): Expr {
  return Expr.call("where", cond, a, b);
}

/** The nodes of `roots` in an order where each comes after its arguments, each distinct tree once. */
export function topoOrder(roots: readonly Expr[]): Expr[] {
  const seen = new Set<string>();
  const order: Expr[] = [];
  // Iterative post-order, so deep chains cannot overflow the stack.
  const stack: [Expr, number][] = roots.map((r) => [r, 0]).reverse() as [Expr, number][];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [node, next] = top;
    if (seen.has(node.key)) {
      stack.pop();
      continue;
    }
    if (next < node.args.length) {
      top[1]++;
      const arg = node.args[next]!;
      if (!seen.has(arg.key)) stack.push([arg, 0]);
      continue;
    }
    stack.pop();
    seen.add(node.key);
    order.push(node);
  }
  return order;
}

/** The largest input index `e` reads, plus one (how many inputs a program over it takes at least). */
export function inputCount(e: Expr): number {
  let n = 0;
  for (const node of topoOrder([e])) if (node.kind === "input") n = Math.max(n, node.index + 1);
  return n;
}

/** `e` with every input i replaced by `inputs[i]`. */
export function substitute(e: Expr, inputs: readonly Expr[]): Expr {
  const memo = new Map<string, Expr>();
  for (const node of topoOrder([e])) {
    const out = node.kind === "input" ? inputs[node.index]!
      : node.kind === "const" ? node
      : Expr.call(node.op, ...node.args.map((a) => memo.get(a.key)!));
    memo.set(node.key, out);
  }
  return memo.get(e.key)!;
}
