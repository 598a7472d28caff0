// Fusion of large float32 elementwise ops on the wasm backend. Instead of a pass over memory per op, an op
// returns a `Fused` buffer: the expression that computes it from heap arrays and scalars. It is evaluated in
// one pass (a loop compiled for it by jit.ts, intermediates in SIMD registers) when something needs its elements: a kernel that is
// not elementwise, or a read. A sum over all of a pending expression is pending too, and adds the expression
// up without storing it. Pending buffers read together (`cr.realize`) share one pass: the gradients of
// `sum(relu(x·w + b))` for x, w and b read x and w once, and a loss nobody reads is never computed.
//
// Eager semantics are kept: an expression holds the arrays it reads (they are not freed while it may
// still read them), and before a kernel writes an array in place, every pending expression that reads it
// is evaluated, so it sees the values it was made from.
import type { Expr as ProgramExpr } from "../../ops/expr.js";
import { topoOrder } from "../../ops/expr.js";
import type { Program } from "../../ops/program.js";
import { restoring } from "../../restore.js";
import { finalizationRegistry } from "../reclaim.js";
import { runKernel } from "./call.js";
import { checked } from "./kernel-plan.js";
import type { Runtime } from "./runtime.js";
import { compiledKernel, isMaskOp, isSimdOp, SUM_CHUNK_SHIFT } from "./jit.js";
import type { Mode, Node, SimdOp } from "./jit.js";
import { getPool, parallelRun, readyWorkerCount } from "./workers.js";
import type { CompiledKernel } from "./workers.js";
import { isHeapArray, releaseHeapArray } from "./tensors.js";
import type { HeapArray } from "./tensors.js";

// Limits of one expression (a compiled function's parameters and registers); past them the operands are evaluated first.
const MAX_INPUTS = 8;
const MAX_SPLATS = 4;
const MAX_OPS = 16;
/** Elements per partial sum: the sum kernel's chunk (reduce.ts), so a fused sum adds in its order and gives its bits; also what a thread takes at a time. */
const CHUNK = 2 ** SUM_CHUNK_SHIFT;
/** From this many elements a fused loop is shared with the worker threads (as the kernels' split.ts does). */
const PARALLEL_MIN = 262144;

type Expr =
  | { readonly kind: "input"; readonly arr: HeapArray }
  /** A scalar: its value when the op was made, and the one-element array it was read from (a plan rereads it). */
  | { readonly kind: "splat"; readonly value: number; readonly source?: Float32Array }
  | { readonly kind: "op"; readonly op: SimdOp; readonly args: readonly Expr[] };

/** Ops below this many elements run at once: small passes stay in cache, and laziness would only add bookkeeping. */
let fuseMinElements = 65536;

/** The size from which elementwise ops are fused (Infinity while a captured graph records or replays). */
export function fusionMinElements(): number {
  return fuseMinElements;
}

/**
 * Changes the size from which elementwise ops are fused (1 fuses every op, Infinity turns fusion off) until the
 * returned Disposable is disposed: `{ using _ = cr.backends.wasm.setFusionMinElements(1); … }`.
 * @example
 * ```ts
 * {
 *   using _ = cr.backends.wasm.setFusionMinElements(Infinity); // each op as its own kernel in this block
 *   y = x.mul(2).add(1).relu();
 * }
 * ```
 */
export function setFusionMinElements(n: number): Disposable {
  const previous = fuseMinElements;
  fuseMinElements = Math.max(1, n);
  return restoring(() => (fuseMinElements = previous));
}

// ---- which arrays pending expressions read, so they are neither freed nor written under them ----

const pins = new Map<HeapArray, number>();
// The pending expressions by what they read. They are held strongly: a WeakRef would do, but V8 keeps every
// WeakRef's target alive until the current task ends (KeepDuringJob), and a training loop is one long task —
// a GPT leaked 140 expressions a step that way. What the tensors hold is the handle (`Fused`); its state here
// stops being a reader when it is computed, released, or its handle is collected.
const readers = new Map<HeapArray, Set<Pending>>();
/** Arrays the tensor layer released while pinned: freed when the last expression reading them is done. */
const releasedWhilePinned = new Set<HeapArray>();

function pin(p: Pending): void {
  for (const arr of p.inputs) {
    pins.set(arr, (pins.get(arr) ?? 0) + 1);
    let set = readers.get(arr);
    if (set === undefined) readers.set(arr, (set = new Set()));
    set.add(p);
  }
}

function unpin(p: Pending): void {
  for (const arr of p.inputs) {
    const left = (pins.get(arr) ?? 1) - 1;
    readers.get(arr)?.delete(p);
    if (left > 0) {
      pins.set(arr, left);
      continue;
    }
    pins.delete(arr);
    readers.delete(arr);
    if (releasedWhilePinned.delete(arr)) releaseHeapArray(arr);
  }
}

// An expression nobody can evaluate any more (its handle was garbage-collected) stops pinning its inputs.
// One computed by then (an in-place write's `beforeWrite` computes what reads the array) gives its array back.
const unreachable = finalizationRegistry<Pending>((p) => {
  p.done();
  if (p.realized !== undefined && !p.released && p.runtime !== undefined) {
    p.released = true;
    releaseArray(p.runtime, p.realized);
  }
});

/** A pending expression's state: `expr` over heap arrays and scalars on `extent` elements, or their sum. */
class Pending {
  /** Elements of the buffer: the expression's, or 1 for a sum. */
  readonly length: number;
  /** The computed elements, once something needed them; the buffer then behaves as this array. */
  realized: HeapArray | undefined;
  released = false;
  finished = false;
  /** The runtime that computed it (to give its array back if its handle is collected unreleased). */
  runtime: Runtime | undefined;

  constructor(
    readonly expr: Expr,
    readonly extent: number,
    readonly inputs: readonly HeapArray[],
    readonly summed: boolean,
  ) {
    this.length = summed ? 1 : extent;
    pin(this);
  }

  /** Stops pinning the inputs (after evaluation, or when released unevaluated). */
  done(): void {
    if (this.finished) return;
    this.finished = true;
    unreachable.unregister(this);
    unpin(this);
  }
}

/** A float32 buffer not computed yet, as the tensor layer holds it (the handle of a pending expression). */
export class Fused {
  constructor(readonly state: Pending) {
    unreachable.register(this, state, state);
  }
  get length(): number { return this.state.length; }
  get realized(): HeapArray | undefined { return this.state.realized; }
  get released(): boolean { return this.state.released; }
  get expr(): Expr { return this.state.expr; }
  get extent(): number { return this.state.extent; }
  get summed(): boolean { return this.state.summed; }
}

export function isFused(buf: object): buf is Fused {
  return buf instanceof Fused;
}

/**
 * Frees a heap array now, or once no pending expression reads it. A pending sum that reads it is computed
 * first: it would otherwise keep a whole array alive for one number (a loss kept in a list, unread).
 */
export function releaseArray(rt: Runtime, arr: HeapArray): void {
  const sums = [...(readers.get(arr) ?? [])].filter((p) => p.summed && !p.released && p.realized === undefined);
  if (sums.length > 0) computePending(rt, sums);
  if (pins.has(arr)) releasedWhilePinned.add(arr);
  else releaseHeapArray(arr);
}

/** Releases a fused buffer: its array if it was computed, and its hold on its inputs. */
export function releaseFused(rt: Runtime, f: Fused): void {
  const p = f.state;
  if (p.released) return;
  p.released = true;
  p.done();
  if (p.realized !== undefined) releaseArray(rt, p.realized);
}

/** Computes every pending expression that reads `arr`, before a kernel writes `arr` in place. */
export function beforeWrite(rt: Runtime, arr: object): void {
  const set = readers.get(arr as HeapArray);
  if (set === undefined) return;
  const pending = [...set].filter((p) => !p.released && p.realized === undefined);
  if (pending.length > 0) computePending(rt, pending);
}

// ---- building expressions ----

// The expression of an operand, or undefined where it cannot be fused: an array not on the heap, or a
// length that is neither the output's nor one.
function operandExpr(buf: object, length: number): Expr | undefined {
  if (buf instanceof Fused) {
    if (buf.realized !== undefined) return operandExpr(buf.realized, length);
    return buf.summed || buf.length !== length ? undefined : buf.expr;
  }
  if (buf instanceof Float32Array && buf.length === 1) return { kind: "splat", value: buf[0]!, source: buf };
  if (buf instanceof Float32Array && buf.length === length && isHeapArray(buf)) return { kind: "input", arr: buf };
  return undefined;
}

/** A scalar operand of a loop: a value, and where a replayed plan reads it again (a constant has no source). */
interface Splat {
  readonly value: number;
  readonly source?: Float32Array;
}

// The index of a splat in `splats`, added if new: one per source array, and one per constant value (by
// Object.is, so −0 and +0 stay apart and NaN is found).
function splatIndex(splats: Splat[], splat: Splat): number {
  const at = splats.findIndex((s) => (splat.source !== undefined ? s.source === splat.source : s.source === undefined && Object.is(s.value, splat.value)));
  return at >= 0 ? at : splats.push(splat) - 1;
}

// The distinct ops, inputs and splat values of an expression (shared subexpressions once).
function census(root: Expr): { ops: number; inputs: HeapArray[]; splats: Splat[] } {
  const seen = new Set<Expr>();
  const inputs = new Set<HeapArray>();
  const splats: Splat[] = [];
  let ops = 0;
  const visit = (e: Expr): void => {
    if (seen.has(e)) return;
    seen.add(e);
    if (e.kind === "input") inputs.add(e.arr);
    else if (e.kind === "splat") splatIndex(splats, e);
    else {
      ops++;
      for (const a of e.args) visit(a);
    }
  };
  visit(root);
  return { ops, inputs: [...inputs], splats };
}

function make(expr: Expr, extent: number, summed = false): Fused | undefined {
  const { ops, inputs, splats } = census(expr);
  if (ops > MAX_OPS || inputs.length > MAX_INPUTS || splats.length > MAX_SPLATS) return undefined;
  return new Fused(new Pending(expr, extent, inputs, summed));
}

// Whether a program's ops all have float32x4 forms, and its tests feed only `where`'s condition and logic:
// a test's lane mask is not a float32.
const fusable = new WeakMap<Program, boolean>();
export function isFusable(program: Program): boolean {
  let ok = fusable.get(program);
  if (ok === undefined) {
    ok = !program.predicate;
    for (const node of topoOrder([program.expr])) {
      if (!ok) break;
      if (node.kind !== "call") continue;
      if (!isSimdOp(node.op)) ok = false;
      node.args.forEach((arg, i) => {
        const mask = arg.kind === "call" && isMaskOp(arg.op);
        const wantsMask = (node.op === "where" && i === 0) || (isMaskOp(node.op) && node.op.startsWith("logical"));
        if (mask !== wantsMask) ok = false;
      });
    }
    fusable.set(program, ok);
  }
  return ok;
}

// The program's expression over the operands' expressions (its constants as splats). Most programs are one op on
// their inputs in order, which needs no walk of the tree.
function composed(e: ProgramExpr, operands: readonly Expr[]): Expr {
  if (e.kind === "call" && e.args.every((a, i) => a.kind === "input" && a.index === i)) return { kind: "op", op: e.op as SimdOp, args: operands.slice(0, e.args.length) };
  const memo = new Map<string, Expr>();
  for (const node of topoOrder([e])) {
    const out: Expr = node.kind === "input" ? operands[node.index]!
      : node.kind === "const" ? { kind: "splat", value: Math.fround(node.value) }
      : { kind: "op", op: node.op as SimdOp, args: node.args.map((a) => memo.get(a.key)!) };
    memo.set(node.key, out);
  }
  return memo.get(e.key)!;
}

/**
 * `program` of the operands as a fused buffer, or undefined when it does not fuse (the caller then evaluates
 * the operands and runs the kernel). An expression grown past a program's limits is evaluated first and
 * the program starts a new one from its result. `eager`: a size below the fusion threshold is fine (the
 * caller evaluates at once).
 */
export function fuseProgram(rt: Runtime, program: Program, operands: readonly object[], length: number, eager = false): Fused | undefined {
  if ((!eager && length < fuseMinElements) || !isFusable(program)) return undefined;
  // A pending sum broadcast over the elements (x − Σx) is needed as a number: computed now, it fuses as one.
  const ops = operands.map((x) => (x instanceof Fused && x.summed && length > 1 ? realize(rt, x) : x));
  const exprs = ops.map((x) => operandExpr(x, length));
  if (exprs.some((x) => x === undefined)) return undefined;
  const fused = make(composed(program.expr, exprs as Expr[]), length);
  if (fused !== undefined) return fused;
  // Too big: evaluate the pending operands, then fuse from their arrays.
  const arrays = ops.map((x) => (x instanceof Fused ? realize(rt, x) : x));
  const again = arrays.map((x) => operandExpr(x, length));
  return again.some((x) => x === undefined) ? undefined : make(composed(program.expr, again as Expr[]), length);
}

/** A scalar broadcast to `length` elements (a sum's gradient), computed only where it is read. */
export function fuseSplat(value: number, length: number): Fused | undefined {
  return length < fuseMinElements ? undefined : make({ kind: "splat", value: Math.fround(value) }, length);
}

/** A copy of a fused buffer (clone): the same expression, pending too. */
export function fuseCopy(f: Fused): Fused | undefined {
  return f.realized !== undefined ? undefined : make(f.expr, f.extent, f.summed);
}

/** The sum of all elements of a pending buffer, pending too (computed where it is read, in float64 as the sum kernel adds). */
export function fuseSum(f: Fused): Fused | undefined {
  return f.realized !== undefined || f.summed ? undefined : make(f.expr, f.extent, true);
}

// ---- evaluation ----

// The expressions of `fs` with inputs and splats by index (over all of them), shared subexpressions kept shared.
function nodesOf(fs: readonly Pending[]): { roots: Node[]; inputs: HeapArray[]; splats: Splat[] } {
  const inputs: HeapArray[] = [];
  const splats: Splat[] = [];
  const memo = new Map<Expr, Node>();
  const convert = (e: Expr): Node => {
    const have = memo.get(e);
    if (have !== undefined) return have;
    let node: Node;
    if (e.kind === "input") {
      const at = inputs.indexOf(e.arr);
      node = { kind: "input", index: at >= 0 ? at : inputs.push(e.arr) - 1 };
    } else if (e.kind === "splat") node = { kind: "splat", index: splatIndex(splats, e) };
    else node = { kind: "op", op: e.op, args: e.args.map(convert) };
    memo.set(e, node);
    return node;
  };
  return { roots: fs.map((f) => convert(f.expr)), inputs, splats };
}

// Runs `kernel(...args, start, end)` over [0, length) in CHUNK pieces: shared with the worker threads when
// large enough, else on this thread (one call for a store, one per chunk for a sum's per-chunk partials).
function runChunks(rt: Runtime, kernel: CompiledKernel, args: readonly number[], length: number, perChunk: boolean): void {
  const pool = length >= PARALLEL_MIN ? getPool(rt) : null;
  if (pool !== null && readyWorkerCount() > 0) {
    parallelRun(rt, pool, kernel, args, length, CHUNK);
    return;
  }
  if (!perChunk) kernel.fn(...args, 0, length);
  else for (let start = 0; start < length; start += CHUNK) kernel.fn(...args, start, Math.min(length, start + CHUNK));
}

/** The elements of `f`, computing them on first use. */
export function realize(rt: Runtime, f: Fused): HeapArray {
  if (f.released) throw new Error("wasm: a fused buffer was read after the tensor layer released it");
  if (f.realized === undefined) computePending(rt, [f.state]);
  return f.realized!;
}

/** One loop computes at most this many pending buffers (its arguments must fit a worker task's). */
const MAX_OUTPUTS = 4;
const MAX_ARGUMENTS = 14;

/**
 * Computes the pending buffers among `fs`, several in one loop where they run over the same elements and
 * fit one function: expressions that share inputs (a product's two gradients, and a bias's summed one)
 * then read them once, and what they share is computed once.
 */
export function realizeTogether(rt: Runtime, fs: readonly Fused[]): void {
  computePending(rt, fs.map((f) => f.state));
}

function computePending(rt: Runtime, ps: readonly Pending[]): void {
  let todo = [...new Set(ps)].filter((f) => f.realized === undefined && !f.released);
  while (todo.length > 0) {
    const group = [todo[0]!];
    for (const f of todo.slice(1)) {
      if (f.extent !== group[0]!.extent || group.length === MAX_OUTPUTS) continue;
      const { inputs, splats } = nodesOf([...group, f]);
      if (inputs.length <= MAX_INPUTS && splats.length <= MAX_SPLATS && inputs.length + splats.length + group.length + 1 <= MAX_ARGUMENTS) group.push(f);
    }
    todo = todo.filter((f) => !group.includes(f));
    computeGroup(rt, group);
  }
}

let passes = 0;
/** How many loops fused evaluation has run (tests count passes over memory with it). */
export function fusedPasses(): number {
  return passes;
}

// One loop over the group's elements: stored buffers get their arrays, sums a one-element array with the
// total of per-chunk float64 partials. A sum adds each chunk's elements in the sum kernel's order, so it has
// the bits of summing the stored elements.
function computeGroup(rt: Runtime, group: readonly Pending[]): void {
  const { roots, inputs, splats } = nodesOf(group);
  const extent = group[0]!.extent;
  const modes: Mode[] = group.map((f) => (f.summed ? "sum" : "store"));
  const summing = group.some((f) => f.summed);
  const chunks = Math.ceil(extent / CHUNK);
  const scratch = group.flatMap((f) => (f.summed ? [chunks * 8, 32] : []));
  // The loop, run now, and again by a captured graph's plan (kernel-plan.ts), which rereads the scalars it takes
  // from arrays: a replay's inputs are refilled in place. Now it uses the values the ops were made with.
  const run = (ptrs: number[], outs: number[], temp: number[], values: readonly number[]): void => {
    // A sum writes partials (and its last elements) in scratch: two blocks per sum, in group order.
    let next = 0;
    const places = group.map((f, i) => (f.summed ? { partials: temp[next++]!, tail: temp[next++]!, out: outs[i]! } : null));
    const targets = group.map((_, i) => places[i]?.partials ?? outs[i]!);
    runChunks(rt, compiledKernel(rt, roots, inputs.length, splats.length, modes), [...ptrs, ...values, ...targets], extent, summing);
    if (!summing) return;
    // The loop stopped at the last whole group of 8; the sum kernel adds the rest one by one into the last chunk.
    const rest = extent % 8;
    const start = extent - rest;
    if (rest > 0) {
      const tailTargets = group.map((_, i) => (places[i] === null ? outs[i]! : places[i]!.tail - start * 4)); // out + 4·index lands in the tail
      const store = compiledKernel(rt, roots, inputs.length, splats.length, modes.map(() => "store"));
      store.fn(...ptrs, ...values, ...tailTargets, start, extent);
    }
    for (const place of places) {
      if (place === null) continue;
      const sums = new Float64Array(rt.memory.buffer, place.partials, chunks);
      const values = new Float32Array(rt.memory.buffer, place.tail, rest);
      let last = sums[chunks - 1]!;
      for (let i = 0; i < rest; i++) last += values[i]!;
      sums[chunks - 1] = last;
      let total = 0;
      for (let i = 0; i < chunks; i++) total += sums[i]!;
      new Float32Array(rt.memory.buffer, place.out, 1)[0] = total;
    }
  };
  const arrays = runKernel(rt, inputs, group.map((f) => ({ dtype: "float32" as const, length: f.length })), scratch, (ptrs, outs, temp) => {
    let first = true;
    checked(() => {
      run(ptrs, outs, temp, first ? splats.map((sp) => sp.value) : splats.map((sp) => (sp.source === undefined ? sp.value : sp.source[0]!)));
      first = false;
    });
  });
  if (arrays === undefined) throw new Error(`wasm: no memory left to evaluate a fused expression of ${extent} elements`);
  passes++;
  group.forEach((f, i) => {
    f.realized = arrays[i]!;
    f.runtime = rt;
    f.done();
  });
}
