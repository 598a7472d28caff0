// Compiles a fused elementwise expression (fusion.ts) into a WebAssembly function at run time: one loop
// over the elements that loads each input once, keeps every intermediate in a SIMD register and stores the
// result (or adds it up), so a chain of k ops costs one pass, not k. The module imports the kernels' shared
// memory and is built byte by byte here: no compiler is needed at run time. Functions are cached by the
// expression's structure, so a training loop compiles each of its chains once. The ops are the registry's
// (ops/elementwise.ts), by name; `SIMD_OPS` says which ones have a float32x4 form.
import type { ElementwiseOp } from "../../ops/elementwise.js";
import type { CompiledKernel } from "./workers.js";
import type { Runtime } from "./runtime.js";
import { wasmApi } from "./wasm-api.js";
import { leb as uleb, name, section, vec } from "./wasm-bytes.js";

/** An expression as the compiler sees it: inputs and splats by index (their values are the function's arguments). */
export type Node =
  | { readonly kind: "input"; readonly index: number }
  | { readonly kind: "splat"; readonly index: number }
  | { readonly kind: "op"; readonly op: SimdOp; readonly args: readonly Node[] };

// ---- the binary format: just what these functions use ----

const I32 = 0x7f, F32 = 0x7d, V128 = 0x7b;
const LOCAL_GET = 0x20, LOCAL_SET = 0x21, I32_CONST = 0x41, I32_ADD = 0x6a, I32_SHL = 0x74, I32_GE_U = 0x4f;
const I32_SUB = 0x6b, I32_SHR_U = 0x76, F64_STORE = 0x39;
const BLOCK = 0x02, LOOP = 0x03, BR = 0x0c, BR_IF = 0x0d, END = 0x0b, VOID = 0x40, F64_ADD = 0xa0;
const simd = (op: number): number[] => [0xfd, ...uleb(op)];
const V128_LOAD = 0x00, V128_STORE = 0x0b, I8X16_SHUFFLE = 0x0d, F32X4_SPLAT = 0x13, F64X2_EXTRACT_LANE = 0x21;
const F32X4_EQ = 0x41, F32X4_NE = 0x42, F32X4_LT = 0x43, F32X4_GT = 0x44, F32X4_LE = 0x45, F32X4_GE = 0x46;
const V128_NOT = 0x4d, V128_AND = 0x4e, V128_ANDNOT = 0x4f, V128_OR = 0x50, V128_BITSELECT = 0x52, F64X2_PROMOTE_LOW_F32X4 = 0x5f;
const F32X4_ABS = 0xe0, F32X4_NEG = 0xe1, F32X4_SQRT = 0xe3, F32X4_ADD = 0xe4, F32X4_SUB = 0xe5, F32X4_MUL = 0xe6, F32X4_DIV = 0xe7;
const F32X4_MIN = 0xe8, F32X4_MAX = 0xe9, F64X2_ADD = 0xf0;
const memarg = (offset: number): number[] => [4, ...uleb(offset)]; // 16-byte alignment hint
/** Lanes 2, 3, 0, 1 of an f32x4 (as bytes): brings the high half low for promotion to f64x2. */
const HIGH_HALF = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];

type Emit = (args: readonly number[], zero: number) => number[];
const get = (l: number) => [LOCAL_GET, ...uleb(l)];
const binary = (op: number): Emit => ([a, b]) => [...get(a!), ...get(b!), ...simd(op)];
const unary = (op: number): Emit => ([a]) => [...get(a!), ...simd(op)];

/**
 * The registry's ops with a float32x4 form, and its instructions: each op's result bit for bit as the scalar
 * math rounded to float32 gives it. Tests give lane masks (all ones where true), which only `where` and the
 * logical ops read.
 */
const SIMD_OPS = {
  add: binary(F32X4_ADD),
  sub: binary(F32X4_SUB),
  mul: binary(F32X4_MUL),
  div: binary(F32X4_DIV),
  // f32x4.max/min propagate NaN, as PyTorch's maximum/minimum do.
  maximum: binary(F32X4_MAX),
  minimum: binary(F32X4_MIN),
  neg: unary(F32X4_NEG),
  abs: unary(F32X4_ABS),
  sqrt: unary(F32X4_SQRT),
  // relu as x with the lanes where x <= 0 cleared: two instructions where f32x4.max's NaN and signed-zero rules
  // take several (NaN stays NaN, −0 becomes +0).
  relu: ([a], zero) => [...get(a!), ...get(a!), ...get(zero), ...simd(F32X4_LE), ...simd(V128_ANDNOT)],
  // thresholdBackward(g, y): g with the lanes where y <= 0 cleared (NaN compares false and passes, as in the kernels).
  thresholdBackward: ([g, y], zero) => [...get(g!), ...get(y!), ...get(zero), ...simd(F32X4_LE), ...simd(V128_ANDNOT)],
  eq: binary(F32X4_EQ),
  ne: binary(F32X4_NE),
  lt: binary(F32X4_LT),
  gt: binary(F32X4_GT),
  le: binary(F32X4_LE),
  ge: binary(F32X4_GE),
  logicalAnd: binary(V128_AND),
  logicalOr: binary(V128_OR),
  logicalNot: unary(V128_NOT),
  // where(mask, a, b): a's bits where the mask is set, b's elsewhere.
  where: ([c, a, b]) => [...get(a!), ...get(b!), ...get(c!), ...simd(V128_BITSELECT)],
} satisfies Partial<Record<ElementwiseOp, Emit>>;

/** An op the JIT compiles. */
export type SimdOp = keyof typeof SIMD_OPS;

/** Whether `op` has a float32x4 form here. */
export function isSimdOp(op: string): op is SimdOp {
  return Object.hasOwn(SIMD_OPS, op);
}

/** The ops whose result is a lane mask rather than a float32: tests, and the logic on them. */
const MASK_OPS: ReadonlySet<string> = new Set(["eq", "ne", "lt", "gt", "le", "ge", "logicalAnd", "logicalOr", "logicalNot"]);

/** Whether op `op` produces a lane mask. */
export function isMaskOp(op: string): boolean {
  return MASK_OPS.has(op);
}

/** The body of one op, its operands (locals) already named. */
function opCode(op: SimdOp, args: readonly number[], zero: number): number[] {
  return SIMD_OPS[op](args, zero);
}

/** A sum's elements per partial (the sum kernel's chunk, reduce.ts), as a power of two. */
export const SUM_CHUNK_SHIFT = 16;

/** What a root's function does with its results: stores them, or adds them up (see moduleBytes). */
export type Mode = "store" | "sum";

/**
 * The function for `roots` with `inputs` address parameters and `splats` f32 parameters, then one out
 * address per root, start and end, over elements [start, end) of the inputs (subexpressions the roots
 * share are computed once). By root r's mode:
 * - "store": writes its results at out_r + 4·index;
 * - "sum": out_r[start / 2^SUM_CHUNK_SHIFT] = the float64 sum of its results, in the order the sum kernel
 *   adds them. [start, end) then lies within one chunk.
 * With only stores the loop runs to `end` in whole vectors (the last one into the padding); with a sum it
 * stops at the last whole group of 8 elements, and the caller computes the rest (in store mode).
 */
function moduleBytes(roots: readonly Node[], inputs: number, splats: number, modes: readonly Mode[]): Uint8Array {
  const params = [...Array<number>(inputs).fill(I32), ...Array<number>(splats).fill(F32), ...roots.map(() => I32), I32, I32];
  const outParams = roots.map((_, r) => inputs + splats + r);
  const [startParam, endParam] = [params.length - 2, params.length - 1];
  const type = [0x60, ...vec(params.map((p) => [p])), 0];
  // Locals after the parameters: i and end (i32), the splat vectors, zero, then per half one per op node and input.
  const nodes: Node[] = [];
  const visit = (n: Node): void => {
    if (nodes.includes(n)) return;
    if (n.kind === "op") for (const a of n.args) visit(a);
    nodes.push(n);
  };
  roots.forEach(visit);
  const sums = roots.flatMap((_, r) => (modes[r] === "sum" ? [r] : []));
  const summing = sums.length > 0;
  const halves = summing ? 2 : 1;
  let next = params.length;
  const iLocal = next++, endLocal = next++;
  const splatLocal = Array.from({ length: splats }, () => next++);
  const zero = next++;
  // Per summed root four float64x2 accumulators: low and high lanes of each half, as the sum kernel keeps them.
  const accs = new Map(sums.map((r) => [r, [next++, next++, next++, next++] as const]));
  const nodeLocal = Array.from({ length: halves }, () => nodes.map(() => next++));
  const v128Locals = next - (iLocal + 2);
  const locals = vec([[2, I32], [...uleb(v128Locals), V128]]);

  const get = (l: number) => [LOCAL_GET, ...uleb(l)];
  const set = (l: number) => [LOCAL_SET, ...uleb(l)];
  const body: number[] = [];
  splatLocal.forEach((l, s) => body.push(...get(inputs + s), ...simd(F32X4_SPLAT), ...set(l)));
  body.push(...simd(0x0c), ...Array<number>(16).fill(0), ...set(zero)); // v128.const 0
  // Byte offsets: i from start·4; stores only: to end rounded up to a whole vector; a sum: whole pairs of vectors only.
  body.push(...get(startParam), I32_CONST, 2, I32_SHL, ...set(iLocal));
  if (!summing) body.push(...get(endParam), I32_CONST, 3, I32_ADD, I32_CONST, 2, I32_SHR_U, I32_CONST, 4, I32_SHL, ...set(endLocal));
  else body.push(...get(iLocal), ...get(endParam), ...get(startParam), I32_SUB, I32_CONST, 3, I32_SHR_U, I32_CONST, 5, I32_SHL, I32_ADD, ...set(endLocal));
  body.push(BLOCK, VOID, LOOP, VOID, ...get(iLocal), ...get(endLocal), I32_GE_U, BR_IF, 1);
  for (let h = 0; h < halves; h++) {
    const local = nodeLocal[h]!;
    nodes.forEach((n, k) => {
      if (n.kind === "input") body.push(...get(n.index), ...get(iLocal), I32_ADD, ...simd(V128_LOAD), ...memarg(16 * h), ...set(local[k]!));
      else if (n.kind === "splat") body.push(...get(splatLocal[n.index]!), ...set(local[k]!));
      else body.push(...opCode(n.op, n.args.map((a) => local[nodes.indexOf(a)]!), zero), ...set(local[k]!));
    });
    roots.forEach((root, r) => {
      const result = local[nodes.indexOf(root)]!;
      const acc = accs.get(r);
      if (acc === undefined) {
        body.push(...get(outParams[r]!), ...get(iLocal), I32_ADD, ...get(result), ...simd(V128_STORE), ...memarg(16 * h));
        return;
      }
      const [lo, hi] = [acc[2 * h]!, acc[2 * h + 1]!];
      body.push(...get(lo), ...get(result), ...simd(F64X2_PROMOTE_LOW_F32X4), ...simd(F64X2_ADD), ...set(lo));
      body.push(...get(hi), ...get(result), ...get(result), ...simd(I8X16_SHUFFLE), ...HIGH_HALF, ...simd(F64X2_PROMOTE_LOW_F32X4), ...simd(F64X2_ADD), ...set(hi));
    });
  }
  body.push(...get(iLocal), I32_CONST, ...(summing ? [32] : [16]), I32_ADD, ...set(iLocal), BR, 0, END, END);
  for (const [r, [a0, a1, a2, a3]] of accs) {
    // ((a0 + a1) + (a2 + a3)), then lane 0 + lane 1: the order of the sum kernel (kernels/reduce.ts).
    body.push(...get(a0), ...get(a1), ...simd(F64X2_ADD), ...get(a2), ...get(a3), ...simd(F64X2_ADD), ...simd(F64X2_ADD), ...set(a0));
    // out_r[start / SUM_CHUNK] = lane 0 + lane 1
    body.push(...get(outParams[r]!), ...get(startParam), I32_CONST, SUM_CHUNK_SHIFT, I32_SHR_U, I32_CONST, 3, I32_SHL, I32_ADD);
    body.push(...get(a0), ...simd(F64X2_EXTRACT_LANE), 0, ...get(a0), ...simd(F64X2_EXTRACT_LANE), 1, F64_ADD, F64_STORE, 3, 0);
  }
  body.push(END);
  const code = [...locals, ...body];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([type])),
    // env.memory: shared (flags 3), 1 page to 16384: the kernels' memory satisfies both bounds.
    ...section(2, vec([[...name("env"), ...name("memory"), 0x02, 0x03, ...uleb(1), ...uleb(16384)]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name("f"), 0x00, 0]])), // export "f": function 0
    ...section(10, vec([[...uleb(code.length), ...code]])),
  ];
  return new Uint8Array(bytes);
}

const cache = new Map<string, { runtime: Runtime; kernel: CompiledKernel }>();
/** Distinct expressions kept compiled; past this the cache starts over (a program that keeps making new chains). */
const CACHE_MAX = 512;
let compiled = 0;

const keyOf = (n: Node): string => (n.kind === "op" ? `${n.op}(${n.args.map(keyOf).join(",")})` : `${n.kind[0]}${n.index}`);

/**
 * The compiled function of `roots` (see moduleBytes) for `rt`'s memory (compiled on first use). Its module's
 * bytes stay in the memory while it is cached, for worker threads to compile their own instance from.
 */
export function compiledKernel(rt: Runtime, roots: readonly Node[], inputs: number, splats: number, modes: readonly Mode[]): CompiledKernel {
  const key = `${modes.join(",")}:${inputs}:${splats}:${roots.map(keyOf).join(";")}`;
  const hit = cache.get(key);
  if (hit !== undefined && hit.runtime === rt) return hit.kernel;
  const bytes = moduleBytes(roots, inputs, splats, modes);
  const api = wasmApi()!;
  const instance = new api.Instance(new api.Module(bytes), { env: { memory: rt.memory } });
  const at = rt.heap.alloc(bytes.length);
  if (at === undefined) throw new Error("wasm: no memory left for a compiled elementwise kernel");
  new Uint8Array(rt.memory.buffer, at, bytes.length).set(bytes);
  if (cache.size >= CACHE_MAX) {
    for (const { runtime, kernel } of cache.values()) runtime.heap.release(kernel.at);
    cache.clear();
  }
  const kernel = { fn: instance.exports.f as CompiledKernel["fn"], id: ++compiled, at, length: bytes.length };
  cache.set(key, { runtime: rt, kernel });
  return kernel;
}

/** How many expressions were compiled so far (tests check that a loop reuses them). */
export function compiledExpressions(): number {
  return compiled;
}
