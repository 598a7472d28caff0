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
import type { BinaryOp, UnaryOp } from "../backend.js";
import { runKernel } from "./call.js";
import type { Runtime } from "./runtime.js";
import { compiledKernel, OP, SUM_CHUNK_SHIFT, UNARY } from "./jit.js";
import type { Mode, Node } from "./jit.js";
import { getPool, parallelRun, readyWorkerCount } from "./pool.js";
import type { CompiledKernel } from "./pool.js";
import { isHeapArray, releaseHeapArray } from "./tensors.js";
import type { HeapArray } from "./tensors.js";

const BINARY_CODES: Partial<Record<BinaryOp, number>> = OP;
const UNARY_CODES: Partial<Record<UnaryOp, number>> = UNARY;

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
  | { readonly kind: "splat"; readonly value: number }
  | { readonly kind: "op"; readonly code: number; readonly a: Expr; readonly b: Expr | null };

/** Ops below this many elements run at once: small passes stay in cache, and laziness would only add bookkeeping. */
let fuseMinElements = 65536;

/** Changes the size from which elementwise ops are fused (tests use 1 to run every case fused; Infinity turns fusion off); returns the previous one. */
export function setFusionMinElements(n: number): number {
  const previous = fuseMinElements;
  fuseMinElements = Math.max(1, n);
  return previous;
}

// ---- which arrays pending expressions read, so they are neither freed nor written under them ----

const pins = new Map<HeapArray, number>();
const readers = new Map<HeapArray, Set<WeakRef<Fused>>>();
/** Arrays the tensor layer released while pinned: freed when the last expression reading them is done. */
const releasedWhilePinned = new Set<HeapArray>();

function pin(f: Fused): void {
  const ref = new WeakRef(f);
  for (const arr of f.inputs) {
    pins.set(arr, (pins.get(arr) ?? 0) + 1);
    let set = readers.get(arr);
    if (set === undefined) readers.set(arr, (set = new Set()));
    set.add(ref);
  }
  f.ref = ref;
}

function unpin(inputs: readonly HeapArray[], ref: WeakRef<Fused> | null): void {
  for (const arr of inputs) {
    const left = (pins.get(arr) ?? 1) - 1;
    if (ref !== null) readers.get(arr)?.delete(ref);
    if (left > 0) {
      pins.set(arr, left);
      continue;
    }
    pins.delete(arr);
    readers.delete(arr);
    if (releasedWhilePinned.delete(arr)) releaseHeapArray(arr);
  }
}

// An expression nobody can evaluate any more (its buffer was garbage-collected) stops pinning its inputs.
const unreachable = new FinalizationRegistry<{ inputs: readonly HeapArray[]; done: boolean }>((token) => {
  if (!token.done) unpin(token.inputs, null);
});

/** A float32 buffer not computed yet: `expr` over heap arrays and scalars on `extent` elements, or their sum. */
export class Fused {
  /** Elements of the buffer: the expression's, or 1 for a sum. */
  readonly length: number;
  /** The computed elements, once something needed them; the buffer then behaves as this array. */
  realized: HeapArray | undefined;
  released = false;
  ref: WeakRef<Fused> | null = null;
  readonly token: { inputs: readonly HeapArray[]; done: boolean };

  constructor(
    readonly expr: Expr,
    readonly extent: number,
    readonly inputs: readonly HeapArray[],
    readonly summed: boolean,
  ) {
    this.length = summed ? 1 : extent;
    this.token = { inputs, done: false };
    pin(this);
    unreachable.register(this, this.token, this.token);
  }

  /** Stops pinning the inputs (after evaluation, or when released unevaluated). */
  done(): void {
    if (this.token.done) return;
    this.token.done = true;
    unreachable.unregister(this.token);
    unpin(this.inputs, this.ref);
  }
}

export function isFused(buf: object): buf is Fused {
  return buf instanceof Fused;
}

/**
 * Frees a heap array now, or once no pending expression reads it. A pending sum that reads it is computed
 * first: it would otherwise keep a whole array alive for one number (a loss kept in a list, unread).
 */
export function releaseArray(rt: Runtime, arr: HeapArray): void {
  const sums = [...(readers.get(arr) ?? [])].flatMap((ref) => {
    const f = ref.deref();
    return f !== undefined && f.summed && !f.released && f.realized === undefined ? [f] : [];
  });
  if (sums.length > 0) realizeTogether(rt, sums);
  if (pins.has(arr)) releasedWhilePinned.add(arr);
  else releaseHeapArray(arr);
}

/** Releases a fused buffer: its array if it was computed, and its hold on its inputs. */
export function releaseFused(rt: Runtime, f: Fused): void {
  if (f.released) return;
  f.released = true;
  f.done();
  if (f.realized !== undefined) releaseArray(rt, f.realized);
}

/** Computes every pending expression that reads `arr`, before a kernel writes `arr` in place. */
export function beforeWrite(rt: Runtime, arr: object): void {
  const set = readers.get(arr as HeapArray);
  if (set === undefined) return;
  for (const ref of [...set]) {
    const f = ref.deref();
    if (f !== undefined && !f.released) realize(rt, f);
  }
}

// ---- building expressions ----

// The expression of an operand, or undefined where it cannot be fused: an array not on the heap, or a
// length that is neither the output's nor one.
function operandExpr(buf: object, length: number): Expr | undefined {
  if (buf instanceof Fused) {
    if (buf.realized !== undefined) return operandExpr(buf.realized, length);
    return buf.summed || buf.length !== length ? undefined : buf.expr;
  }
  if (buf instanceof Float32Array && buf.length === 1) return { kind: "splat", value: buf[0]! };
  if (buf instanceof Float32Array && buf.length === length && isHeapArray(buf)) return { kind: "input", arr: buf };
  return undefined;
}

// The index of `value` in `splats`, added if new: by Object.is, so −0 and +0 stay apart and NaN is found.
function splatIndex(splats: number[], value: number): number {
  const at = splats.findIndex((v) => Object.is(v, value));
  return at >= 0 ? at : splats.push(value) - 1;
}

// The distinct ops, inputs and splat values of an expression (shared subexpressions once).
function census(root: Expr): { ops: number; inputs: HeapArray[]; splats: number[] } {
  const seen = new Set<Expr>();
  const inputs = new Set<HeapArray>();
  const splats: number[] = [];
  let ops = 0;
  const visit = (e: Expr): void => {
    if (seen.has(e)) return;
    seen.add(e);
    if (e.kind === "input") inputs.add(e.arr);
    else if (e.kind === "splat") splatIndex(splats, e.value);
    else {
      ops++;
      visit(e.a);
      if (e.b !== null) visit(e.b);
    }
  };
  visit(root);
  return { ops, inputs: [...inputs], splats };
}

function make(expr: Expr, extent: number, summed = false): Fused | undefined {
  const { ops, inputs, splats } = census(expr);
  if (ops > MAX_OPS || inputs.length > MAX_INPUTS || splats.length > MAX_SPLATS) return undefined;
  return new Fused(expr, extent, inputs, summed);
}

/**
 * `op` of the operands as a fused buffer, or undefined when it does not fuse (the caller then evaluates
 * the operands and runs the kernel). An expression grown past a program's limits is evaluated first and
 * the op starts a new one from its result.
 */
export function fuseElementwise(rt: Runtime, op: BinaryOp | UnaryOp, a: object, b: object | null, length: number): Fused | undefined {
  const code = b === null ? UNARY_CODES[op as UnaryOp] : BINARY_CODES[op as BinaryOp];
  if (code === undefined || length < fuseMinElements) return undefined;
  // A pending sum broadcast over the elements (x − Σx) is needed as a number: computed now, it fuses as one.
  if (a instanceof Fused && a.summed && length > 1) a = realize(rt, a);
  if (b instanceof Fused && b.summed && length > 1) b = realize(rt, b);
  const ea = operandExpr(a, length), eb = b === null ? null : operandExpr(b, length);
  if (ea === undefined || eb === undefined) return undefined;
  const fused = make({ kind: "op", code, a: ea, b: eb }, length);
  if (fused !== undefined) return fused;
  // Too big: evaluate the pending operands, then fuse from their arrays.
  const ra = a instanceof Fused ? realize(rt, a) : a, rb = b instanceof Fused ? realize(rt, b) : b;
  const fa = operandExpr(ra, length), fb = rb === null ? null : operandExpr(rb, length);
  return fa === undefined || fb === undefined ? undefined : make({ kind: "op", code, a: fa, b: fb }, length);
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
function nodesOf(fs: readonly Fused[]): { roots: Node[]; inputs: HeapArray[]; splats: number[] } {
  const inputs: HeapArray[] = [];
  const splats: number[] = [];
  const memo = new Map<Expr, Node>();
  const convert = (e: Expr): Node => {
    const have = memo.get(e);
    if (have !== undefined) return have;
    let node: Node;
    if (e.kind === "input") {
      const at = inputs.indexOf(e.arr);
      node = { kind: "input", index: at >= 0 ? at : inputs.push(e.arr) - 1 };
    } else if (e.kind === "splat") node = { kind: "splat", index: splatIndex(splats, e.value) };
    else node = { kind: "op", code: e.code, a: convert(e.a), b: e.b === null ? null : convert(e.b) };
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
  if (f.realized === undefined) realizeTogether(rt, [f]);
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
  let todo = [...new Set(fs)].filter((f) => f.realized === undefined && !f.released);
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
function computeGroup(rt: Runtime, group: readonly Fused[]): void {
  const { roots, inputs, splats } = nodesOf(group);
  const extent = group[0]!.extent;
  const modes: Mode[] = group.map((f) => (f.summed ? "sum" : "store"));
  const summing = group.some((f) => f.summed);
  const chunks = Math.ceil(extent / CHUNK);
  const scratch = group.flatMap((f) => (f.summed ? [chunks * 8, 32] : []));
  const arrays = runKernel(rt, inputs, group.map((f) => ({ dtype: "float32" as const, length: f.length })), scratch, (ptrs, outs, temp) => {
    // A sum writes partials (and its last elements) in scratch: two blocks per sum, in group order.
    let next = 0;
    const places = group.map((f, i) => (f.summed ? { partials: temp[next++]!, tail: temp[next++]!, out: outs[i]! } : null));
    const targets = group.map((_, i) => places[i]?.partials ?? outs[i]!);
    runChunks(rt, compiledKernel(rt, roots, inputs.length, splats.length, modes), [...ptrs, ...splats, ...targets], extent, summing);
    if (!summing) return;
    // The loop stopped at the last whole group of 8; the sum kernel adds the rest one by one into the last chunk.
    const rest = extent % 8;
    const start = extent - rest;
    if (rest > 0) {
      const tailTargets = group.map((_, i) => (places[i] === null ? outs[i]! : places[i]!.tail - start * 4)); // out + 4·index lands in the tail
      const store = compiledKernel(rt, roots, inputs.length, splats.length, modes.map(() => "store"));
      store.fn(...ptrs, ...splats, ...tailTargets, start, extent);
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
  });
  if (arrays === undefined) throw new Error(`wasm: no memory left to evaluate a fused expression of ${extent} elements`);
  passes++;
  group.forEach((f, i) => {
    f.realized = arrays[i]!;
    f.done();
  });
}
