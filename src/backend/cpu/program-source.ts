// The cpu backend's elementwise kernels are generated: an elementwise program (ops/program.ts) becomes the source
// of one JavaScript loop over the elements, every op's scalar math inlined from the registry, so a program of
// any length costs one pass and each compiled loop sees a single dtype per array (V8 keeps it monomorphic).
// The source is self-contained (the registry's functions and their helpers are copied into it), so a worker
// thread compiles the very same loop from it.
import type { ComputeDType as DType } from "../../dtype.js";
import { promoteTypes } from "../../dtype.js";
import { elementwiseDef } from "../../ops/elementwise.js";
import { topoOrder } from "../../ops/expr.js";
import type { Expr } from "../../ops/expr.js";
import type { Program } from "../../ops/program.js";
import { SCALAR_HELPERS } from "../../ops/scalar-math.js";

/**
 * A compiled loop: `out[o + j]` for j in [0, n) from input k at `xs[k][offs[k] + j]` (or `xs[k][offs[k]]` for an
 * input the loop was compiled to read as one value, a broadcast along the row). A loop compiled `aligned` reads
 * every other input at the output's own index (`xs[k][o + j]`; `offs` is ignored but for the one-value inputs, read
 * at 0): one induction variable, which V8 compiles tighter than several.
 */
export type ProgramKernel = (out: ArrayLike<number> & { [i: number]: number }, o: number, n: number, xs: readonly ArrayLike<number>[], offs: readonly number[]) => void;

// JavaScript's Math functions by identity, so an entry whose `fn` is `Math.exp` is written as `Math.exp`.
const mathNames = new Map<unknown, string>(
  Object.getOwnPropertyNames(Math).flatMap((k) => {
    const v = (Math as unknown as Record<string, unknown>)[k];
    return typeof v === "function" ? [[v, `Math.${k}`] as const] : [];
  }),
);

/** The source of a scalar function: a Math built-in by name, or the function's own text. */
export function scalarSource(fn: (...args: number[]) => number): string {
  return mathNames.get(fn) ?? `(${fn.toString()})`;
}

/** The helpers every kernel may call (erf, …), as declarations under their own names. */
export function helperSource(): string {
  return SCALAR_HELPERS.map((f) => `const ${f.name} = ${f.toString()};`).join("\n");
}

function literal(v: number): string {
  return Object.is(v, -0) ? "-0" : String(v);
}

// Each node's dtype: inputs have theirs, tests give bool, `where` its branches', the rest their operands'
// promoted (constants take their siblings'). Rounding to it after each op reproduces op-by-op evaluation.
function nodeDtypes(order: readonly Expr[], inputs: readonly DType[]): Map<string, DType | null> {
  const dt = new Map<string, DType | null>();
  for (const node of order) {
    if (node.kind === "input") dt.set(node.key, inputs[node.index]!);
    else if (node.kind === "const") dt.set(node.key, null);
    else {
      const def = elementwiseDef(node.op)!;
      const args = (node.op === "where" ? node.args.slice(1) : node.args).map((a) => dt.get(a.key) ?? null).filter((d): d is DType => d !== null);
      dt.set(node.key, def.predicate === true ? "bool" : args.length === 0 ? null : args.reduce((a, b) => promoteTypes(a, b) as DType));
    }
  }
  return dt;
}

function rounded(expr: string, dtype: DType | null): string {
  if (dtype === "float32") return `Math.fround(${expr})`;
  if (dtype === "int32") return `((${expr}) | 0)`;
  return expr;
}

/**
 * The source of a function body that returns the kernel for `program` on inputs of `inputs` dtypes, writing
 * `outDtype`; `scalar[k]` marks inputs read as one value per row (broadcast along it).
 */
export function programSource(program: Program, inputs: readonly DType[], outDtype: DType, scalar: readonly boolean[], aligned = false): string {
  const order = topoOrder([program.expr]);
  const dtypes = nodeDtypes(order, inputs);
  const fns = new Map<string, string>();
  const names = new Map<string, string>();
  const body: string[] = [];
  const hoisted: string[] = [];
  let t = 0;
  for (const node of order) {
    let name: string;
    if (node.kind === "input") {
      const k = node.index;
      name = `v${k}`;
      if (scalar[k] === true) hoisted.push(`const v${k} = x${k}[${aligned ? "0" : `i${k}`}];`);
      else body.push(`const v${k} = x${k}[${aligned ? "i" : `i${k} + j`}];`);
    } else if (node.kind === "const") {
      name = `(${literal(node.value)})`;
    } else {
      const def = elementwiseDef(node.op)!;
      if (def.fn === undefined) throw new Error(`cpu: ${node.op} is a composite; expand the program first`);
      // Math's built-ins are called by name (V8 inlines them), the registry's own functions through a constant.
      const builtin = mathNames.get(def.fn);
      if (builtin === undefined && !fns.has(node.op)) fns.set(node.op, `const f_${node.op} = ${scalarSource(def.fn)};`);
      name = `t${t++}`;
      const call = `${builtin ?? `f_${node.op}`}(${node.args.map((a) => names.get(a.key)!).join(", ")})`;
      // The result itself is rounded by the store when it is of the output's dtype.
      const dtype = dtypes.get(node.key) ?? null;
      body.push(`const ${name} = ${node === program.expr && dtype === outDtype ? call : rounded(call, dtype)};`);
    }
    names.set(node.key, name);
  }
  const result = names.get(program.expr.key)!;
  // A bool result from a number that is not a test's 0 or 1 (a cast): non-zero is true, NaN included (as PyTorch).
  const store = outDtype === "bool" && !program.predicate ? `(${result} !== 0 ? 1 : 0)` : result;
  const unpack = inputs.map((_, k) => (aligned ? `const x${k} = xs[${k}];` : `const x${k} = xs[${k}], i${k} = offs[${k}];`));
  return [
    '"use strict";',
    helperSource(),
    ...fns.values(),
    "return function kernel(out, o, n, xs, offs) {",
    ...unpack,
    ...hoisted,
    aligned ? "  for (let i = o, end = o + n; i < end; i++) {" : "  for (let j = 0; j < n; j++) {",
    ...body.map((l) => `    ${l}`),
    aligned ? `    out[i] = ${store};` : `    out[o + j] = ${store};`,
    "  }",
    "};",
  ].join("\n");
}
