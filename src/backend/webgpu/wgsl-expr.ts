// Elementwise expressions in WGSL: a tree of the registry's ops over leaves (buffers read through strided views,
// and scalars passed as parameters) becomes one compute shader that writes one or more results. Every op's WGSL
// comes from its registry entry's `wgsl` template (ops/elementwise.ts), with the same typing the cpu backend's
// generated loops use (cpu/program-source.ts): each op computes in its operands' promoted type, tests give bool,
// and a program's result is converted to its dtype (JavaScript's typed-array store: NaN → 0 for integers and bools).
import type { ComputeDType as DType } from "../../dtype.js";
import { DTypeError } from "../../errors.js";
import { elementwiseDef } from "../../ops/elementwise.js";
import type { ElementwiseOpDef } from "../../ops/elementwise.js";
import { wgslHelpersFor } from "../../ops/wgsl-math.js";
import { WORKGROUP } from "./queue.js";

/** A node of an expression: a leaf by index, a constant, an op of the registry, or a conversion to a dtype. */
export type Node =
  | { readonly k: "leaf"; readonly i: number }
  | { readonly k: "const"; readonly v: number }
  | { readonly k: "op"; readonly op: string; readonly args: readonly Node[] }
  | { readonly k: "cvt"; readonly to: DType; readonly arg: Node };

/** How a kernel reads a leaf: a parameter, its own index, one element, or a strided view of the output's shape. */
export type Access = "param" | "flat" | "one" | "strided";

/** A leaf as the generator sees it: its dtype, how it is read, and (buffers) which binding holds it. */
export interface LeafSpec {
  readonly dtype: DType;
  readonly access: Access;
  readonly binding: number;
}

/** The math types of WGSL values in an expression (bools are WGSL bools; stored as u32 0 or 1). */
type MathType = "f32" | "i32" | "bool";

export function storageType(dtype: DType): "f32" | "i32" | "u32" {
  if (dtype === "float32") return "f32";
  if (dtype === "int32") return "i32";
  if (dtype === "bool") return "u32";
  throw new DTypeError(float64Message());
}

export function float64Message(): string {
  return "webgpu: float64 tensors are not supported on the GPU (WGSL has no 64-bit floats); use float32 (x.float()), or the cpu or wasm backend for float64";
}

function mathType(dtype: DType): MathType {
  const s = storageType(dtype);
  return s === "u32" ? "bool" : s;
}

function promote(types: readonly (MathType | null)[]): MathType | null {
  let t: MathType | null = null;
  for (const x of types) {
    if (x === null) continue;
    if (t === null || x === "f32" || (x === "i32" && t === "bool")) t = x;
  }
  return t;
}

// A float zero the shader reads from its parameters (word ZERO_WORD of the uniform, always 0): shader compilers
// fold `x * 0.0` to 0 (SwiftShader does), which is NaN for infinite or NaN x. Other constants are literals.
const ZERO = "zero_";

function f32Literal(v: number): string {
  if (v === 0) return Object.is(v, -0) ? `(-${ZERO})` : ZERO;
  if (!Number.isFinite(v)) {
    // Through a function: WGSL's constant expressions may not be infinite or NaN.
    const bits = new Uint32Array(Float32Array.of(v).buffer)[0]!;
    return `cr_f32(0x${bits.toString(16)}u)`;
  }
  const s = String(v);
  return `f32(${/[.e]/.test(s) ? s : `${s}.0`})`;
}

function literal(v: number, t: MathType): string {
  if (t === "f32") return f32Literal(v);
  if (t === "i32") return `i32(${Math.trunc(v) | 0})`;
  return v !== 0 ? "true" : "false";
}

/** `x` (of type `from`) as a value of type `to`, as a typed-array store converts: NaN and ±Infinity give integer 0, NaN is false. */
function convert(x: string, from: MathType, to: MathType): string {
  if (from === to) return x;
  if (to === "f32") return `f32(${x})`;
  if (to === "i32") return from === "f32" ? `select(i32(${x}), 0, !cr_isfinite(${x}))` : `i32(${x})`;
  return from === "f32" ? `(!(${x} == 0.0) && !cr_isnan(${x}))` : `(${x} != 0)`;
}

// The op's template for math type `t` (or undefined where it has none for that type).
function template(def: ElementwiseOpDef, t: MathType): string | undefined {
  const form = def.wgsl;
  if (form === undefined) return undefined;
  if (typeof form === "string") return t === "f32" || (def.dtype !== "float" && def.dtype !== "test") ? form : undefined;
  return t === "f32" ? form.float : form.int;
}

/** The WGSL of `roots` over `leaves`: statements, and each root's value as its storage type. */
class Generator {
  readonly lines: string[] = [];
  #next = 0;
  readonly #memo = new Map<Node, { code: string; type: MathType | null }>();
  readonly #loaded = new Map<number, string>();
  constructor(private readonly leaves: readonly LeafSpec[], private readonly load: (i: number) => string) {}

  value(node: Node): { code: string; type: MathType | null } {
    const have = this.#memo.get(node);
    if (have !== undefined) return have;
    const out = this.#gen(node);
    this.#memo.set(node, out);
    return out;
  }

  #let(code: string): string {
    const name = `t${this.#next++}`;
    this.lines.push(`  let ${name} = ${code};`);
    return name;
  }

  // A value as type `t` (constants take it).
  #as(v: { code: string; type: MathType | null }, node: Node, t: MathType): string {
    if (v.type === null) return literal((node as { v: number }).v, t);
    return convert(v.code, v.type, t);
  }

  #gen(node: Node): { code: string; type: MathType | null } {
    if (node.k === "leaf") {
      let code = this.#loaded.get(node.i);
      if (code === undefined) this.#loaded.set(node.i, (code = this.#let(this.load(node.i))));
      return { code, type: mathType(this.leaves[node.i]!.dtype) };
    }
    if (node.k === "const") return { code: "", type: null };
    if (node.k === "cvt") {
      const v = this.value(node.arg);
      const to = mathType(node.to);
      return { code: this.#let(this.#as(v, node.arg, to)), type: to };
    }
    const def = elementwiseDef(node.op);
    if (def === undefined) throw new Error(`webgpu: unknown op "${node.op}" in an expression`);
    if (def.expr !== undefined) throw new Error(`webgpu: ${node.op} is a composite; expand the program first`);
    const args = node.args.map((a) => this.value(a));
    let t: MathType;
    let argTypes: MathType[];
    let result: MathType;
    if (def.dtype === "logical") {
      t = "bool";
      argTypes = args.map(() => "bool");
      result = "bool";
    } else if (node.op === "where") {
      t = promote(args.slice(1).map((a) => a.type)) ?? "f32";
      argTypes = ["bool", t, t];
      result = t;
    } else {
      t = promote(args.map((a) => a.type)) ?? "f32";
      if (t === "bool") t = "i32";
      argTypes = args.map(() => t);
      result = def.predicate === true ? "bool" : t;
    }
    let form = template(def, t);
    let computed = t;
    if (form === undefined && t !== "f32") {
      // No integer form (a float op on integers, which only the library's own programs make): float32 math.
      computed = "f32";
      argTypes = argTypes.map((a) => (a === t ? "f32" : a));
      form = template(def, "f32");
      if (def.predicate !== true) result = "f32";
    }
    if (form === undefined) throw new Error(`webgpu: the registry's ${node.op} has no WGSL form (add \`wgsl\` to its entry in src/ops/elementwise.ts)`);
    const operands = args.map((a, i) => this.#as(a, node.args[i]!, argTypes[i]!));
    const code = form.replace(/\$([0-9T])/g, (_, k: string) => (k === "T" ? (computed === "bool" ? "i32" : computed) : `(${operands[Number(k)]!})`));
    return { code: this.#let(code), type: result };
  }

  /** `node`'s value as stored in a buffer of `dtype`. */
  store(node: Node, dtype: DType): string {
    const v = this.value(node);
    const t = mathType(dtype);
    const x = v.type === null ? literal((node as { v: number }).v, t) : convert(v.code, v.type, t);
    return t === "bool" ? `select(0u, 1u, ${x})` : x;
  }
}

/** What a kernel of expressions needs: leaves, roots and their output dtypes, the rank its strided leaves are read at. */
export interface KernelSpec {
  readonly leaves: readonly LeafSpec[];
  readonly roots: readonly Node[];
  readonly outDtypes: readonly DType[];
  readonly rank: number;
  /** Bindings of leaf buffers (their dtypes, by binding index). */
  readonly bindings: readonly DType[];
}

/**
 * The shader computing `spec`'s roots at every element. Parameters (uniform words): the element count, the rank's
 * dims, then for each leaf read `one` or `strided` its offset (and strides), and for each `param` leaf its bits.
 */
export function elementwiseShader(spec: KernelSpec): { code: string; words: number } {
  const { leaves, roots, outDtypes, rank, bindings } = spec;
  let w = 1 + rank;
  const at: number[] = [];
  for (const leaf of leaves) {
    at.push(w);
    w += leaf.access === "strided" ? 1 + rank : leaf.access === "one" || leaf.access === "param" ? 1 : 0;
  }
  const word = (k: number) => `P[${k >> 2}][${k & 3}]`;
  const iword = (k: number) => `bitcast<i32>(${word(k)})`;
  const strided = leaves.some((l) => l.access === "strided");
  const load = (i: number): string => {
    const leaf = leaves[i]!;
    const st = storageType(leaf.dtype);
    let raw: string;
    if (leaf.access === "param") raw = st === "f32" ? `bitcast<f32>(${word(at[i]!)})` : st === "i32" ? iword(at[i]!) : word(at[i]!);
    else if (leaf.access === "flat") raw = `b${leaf.binding}[i]`;
    else if (leaf.access === "one") raw = `b${leaf.binding}[${word(at[i]!)}]`;
    else {
      let idx = iword(at[i]!);
      for (let d = 0; d < rank; d++) idx += ` + c${d} * ${iword(at[i]! + 1 + d)}`;
      raw = `b${leaf.binding}[u32(${idx})]`;
    }
    return st === "u32" ? `(${raw} != 0u)` : raw;
  };
  const gen = new Generator(leaves, load);
  const stores = roots.map((r, j) => `  o${j}[i] = ${gen.store(r, outDtypes[j]!)};`);
  // The opaque zero's word (see f32Literal), after the leaves' words: elementwiseParams leaves it 0.
  const zeroAt = w++;
  const zeroDecl = [...gen.lines, ...stores].some((l) => l.includes(ZERO)) ? [`  let ${ZERO} = bitcast<f32>(${word(zeroAt)});`] : [];
  const decls = bindings.map((dt, b) => `@group(0) @binding(${b}) var<storage, read> b${b}: array<${storageType(dt)}>;`);
  const outs = outDtypes.map((dt, j) => `@group(0) @binding(${bindings.length + j}) var<storage, read_write> o${j}: array<${storageType(dt)}>;`);
  const coords: string[] = [];
  if (strided) {
    coords.push("  var rest = i;");
    for (let d = rank - 1; d >= 0; d--) {
      coords.push(`  let c${d} = i32(rest % ${word(1 + d)});`);
      if (d > 0) coords.push(`  rest = rest / ${word(1 + d)};`);
    }
  }
  const body = [...coords, ...gen.lines, ...stores].join("\n");
  const code = [
    ...decls,
    ...outs,
    `@group(0) @binding(${bindings.length + outDtypes.length}) var<uniform> P: array<vec4u, ${Math.max(1, Math.ceil(w / 4))}>;`,
    ...wgslHelpersFor(body),
    `@compute @workgroup_size(${WORKGROUP})`,
    "fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {",
    `  let i = (wg.y * nwg.x + wg.x) * ${WORKGROUP}u + li;`,
    `  if (i >= ${word(0)}) { return; }`,
    // Every binding used, so that the pipeline's automatic layout has it (a program may ignore an operand).
    ...bindings.map((_, b) => `  _ = arrayLength(&b${b});`),
    ...zeroDecl,
    body,
    "}",
  ].join("\n");
  return { code, words: w };
}

/** The parameter words of a kernel from `elementwiseShader`: see there for the layout. */
export function elementwiseParams(words: number, n: number, dims: readonly number[], leaves: readonly { access: Access; offset: number; strides: readonly number[]; bits?: number }[]): Uint32Array {
  const p = new Uint32Array(Math.max(4, Math.ceil(words / 4) * 4));
  const i = new Int32Array(p.buffer);
  p[0] = n;
  dims.forEach((d, k) => (p[1 + k] = d));
  let w = 1 + dims.length;
  for (const leaf of leaves) {
    if (leaf.access === "strided") {
      i[w] = leaf.offset;
      leaf.strides.forEach((s, k) => (i[w + 1 + k] = s));
      w += 1 + dims.length;
    } else if (leaf.access === "one") {
      i[w++] = leaf.offset;
    } else if (leaf.access === "param") {
      p[w++] = leaf.bits!;
    }
  }
  return p;
}
