// Deferred evaluation on the GPU: an elementwise op (or a strided view: permute, expand, slice) returns a buffer
// that is not computed yet, only the expression that computes it from buffers already on the GPU. An op on such a
// buffer grows the expression, so a chain of elementwise ops (a layer's bias, activation and their gradients) is
// one kernel and one pass over memory when something needs its elements: a kernel that is not elementwise, a read,
// or `evaluate` (which computes several pending buffers of one shape in one kernel).
//
// Eager semantics are kept, as on the wasm backend (wasm/fusion.ts): an expression holds the buffers it reads
// (released ones are freed when it is done with them), and before a kernel writes a buffer in place every pending
// expression that reads it is computed. While a captured graph records or replays, every op computes at once.
import type { ComputeDType as DType, TypedArray } from "../../dtype.js";
import { allocArray } from "../../dtype.js";
import type { Expr } from "../../ops/expr.js";
import { topoOrder } from "../../ops/expr.js";
import type { Program } from "../../ops/program.js";
import { restoring } from "../../restore.js";
import { broadcastStrides, sizeOf, stridesOf } from "../../shape.js";
import type { Shape } from "../../shape.js";
import type { StridedView, TensorData } from "../backend.js";
import { allocationTape, deferRelease, isHeld } from "../graph-memory.js";
import { gpuDevice } from "./device.js";
import { attachBlock, freeBuf, GpuBuf, newBuf } from "./memory.js";
import type { Block, Pending } from "./memory.js";
import { dispatch, groupsFor, pipelineFor, writeBlock } from "./queue.js";
import { elementwiseParams, elementwiseShader, storageType } from "./wgsl-expr.js";
import type { Access, LeafSpec, Node } from "./wgsl-expr.js";

/** A buffer (computed, or a host scalar) read through a strided view of its expression's shape. */
interface Leaf {
  readonly buf: GpuBuf;
  readonly offset: number;
  readonly strides: readonly number[];
}

/** Most ops (and conversions) in one expression; past it the operands are computed first. */
const MAX_NODES = 40;
/** Most scalars an expression takes as parameters. */
const MAX_PARAMS = 12;

/** A pending buffer's expression. */
class Expression implements Pending {
  dropped = false;
  constructor(
    readonly root: Node,
    readonly leaves: readonly Leaf[],
    readonly shape: Shape,
    readonly out: GpuBuf,
  ) {}

  drop(): void {
    if (this.dropped) return;
    this.dropped = true;
    unpin(this);
  }
}

// ---- which buffers pending expressions read ----

const readers = new Map<GpuBuf, Set<Expression>>();
const releasedWhileRead = new Set<GpuBuf>();

function pin(e: Expression): void {
  for (const leaf of e.leaves) {
    let set = readers.get(leaf.buf);
    if (set === undefined) readers.set(leaf.buf, (set = new Set()));
    set.add(e);
  }
}

function unpin(e: Expression): void {
  for (const leaf of e.leaves) {
    const set = readers.get(leaf.buf);
    if (set === undefined) continue;
    set.delete(e);
    if (set.size > 0) continue;
    readers.delete(leaf.buf);
    if (releasedWhileRead.delete(leaf.buf)) freeBuf(leaf.buf);
  }
}

/** Frees `buf` now, or once no pending expression reads it (and no captured graph holds it). */
export function releaseBuf(buf: GpuBuf): void {
  if (isHeld(buf)) return deferRelease(buf, () => releaseBuf(buf));
  if (readers.has(buf)) releasedWhileRead.add(buf);
  else freeBuf(buf);
}

/** Computes every pending expression that reads `buf`, before a kernel writes `buf` in place. */
export function beforeWrite(buf: GpuBuf): void {
  const set = readers.get(buf);
  if (set !== undefined) compute([...set]);
}

/** Pending expressions now, for tests. */
export function pendingReaders(): number {
  return readers.size;
}

// ---- settings ----

let eagerDepth = 0;
let fusionOn = true;

/** Whether ops compute when called: fusion off, or a captured graph recording or replaying its calls. */
function eager(): boolean {
  return !fusionOn || eagerDepth > 0 || allocationTape.record !== null || allocationTape.replay !== null;
}

/** Runs `fn` with every op computing when called (a captured graph records calls and replays them). */
export function computingEagerly<T>(fn: () => T): T {
  eagerDepth++;
  try {
    return fn();
  } finally {
    eagerDepth--;
  }
}

/**
 * Turns fusion of elementwise ops on or off (on by default) until the returned Disposable is disposed:
 * `{ using _ = cr.backends.webgpu.setFusion(false); … }` runs each op as its own kernel.
 * @example
 * ```ts
 * {
 *   using _ = cr.backends.webgpu.setFusion(false); // one kernel per op, to time each
 *   y = x.mul(2).add(1);
 * }
 * ```
 */
export function setFusion(on: boolean): Disposable {
  const previous = fusionOn;
  fusionOn = on;
  return restoring(() => (fusionOn = previous));
}

// ---- computing ----

/** `buf`'s GPU memory, computing it (a pending expression) or uploading it (a host scalar) first. */
export function blockOf(buf: GpuBuf): Block {
  if (buf.released) throw new Error("webgpu: a buffer was used after it was released");
  if (buf.pending !== null) compute([buf.pending as Expression]);
  if (buf.block === null) {
    const block = attachBlock(buf);
    if (buf.host !== undefined) writeBlock(block, hostArray(buf.dtype, buf.host));
  }
  return buf.block!;
}

/** `data`'s buffer, computed. */
export function blockOfData(t: TensorData): Block {
  return blockOf(t.buf as GpuBuf);
}

function hostArray(dtype: DType, v: number): ArrayBufferView {
  return dtype === "float32" ? Float32Array.of(v) : dtype === "int32" ? Int32Array.of(v) : Uint32Array.of(v);
}

/** The value a one-element buffer of `dtype` holds after storing `v` (as a typed array converts it). */
export function hostValue(dtype: DType, v: number): number {
  const arr: TypedArray = allocArray(dtype, 1);
  arr[0] = v;
  return arr[0]!;
}

/** Computes the pending buffers among `bufs`, several in one kernel where they have one shape. */
export function evaluateBufs(bufs: readonly GpuBuf[]): void {
  compute(bufs.flatMap((b) => (b.pending !== null && !b.released ? [b.pending as Expression] : [])));
}

/** Computes `exprs`: those of one shape together, as far as one kernel's bindings allow. */
function compute(exprs: readonly Expression[]): void {
  let todo = [...new Set(exprs)].filter((e) => !e.dropped);
  const maxBindings = gpuDevice().limits["maxStorageBuffersPerShaderStage"] ?? 8;
  while (todo.length > 0) {
    const group = [todo[0]!];
    for (const e of todo.slice(1)) {
      if (group.length >= 4 || !sameShape(e.shape, group[0]!.shape)) continue;
      const bufs = new Set([...group, e].flatMap((x) => x.leaves.filter(onGpu).map((l) => l.buf)));
      if (bufs.size + group.length + 1 <= maxBindings) group.push(e);
    }
    todo = todo.filter((e) => !group.includes(e));
    run(group);
  }
}

const onGpu = (l: Leaf): boolean => l.buf.host === undefined;
const sameShape = (a: Shape, b: Shape) => a.length === b.length && a.every((d, i) => d === b[i]);

// The dims of `shape` with those of size 1 dropped and neighbours every leaf reads contiguously merged; each
// leaf's strides over the merged dims.
function coalesce(shape: Shape, leaves: readonly Leaf[]): { dims: number[]; strides: number[][] } {
  const keep = shape.map((d, i) => (d === 1 ? -1 : i)).filter((i) => i >= 0);
  const dims: number[] = [];
  const strides: number[][] = leaves.map(() => []);
  for (const d of keep) {
    const n = dims.length;
    const mergeable = n > 0 && leaves.every((l, k) => strides[k]![n - 1] === l.strides[d]! * shape[d]!);
    if (mergeable) {
      dims[n - 1] = dims[n - 1]! * shape[d]!;
      leaves.forEach((l, k) => (strides[k]![n - 1] = l.strides[d]!));
    } else {
      dims.push(shape[d]!);
      leaves.forEach((l, k) => strides[k]!.push(l.strides[d]!));
    }
  }
  return { dims, strides };
}

// One kernel computing every expression of `group` (one shape) into its buffer.
function run(group: readonly Expression[]): void {
  const shape = group[0]!.shape;
  const n = sizeOf(shape);
  // The leaves of all, each once (a buffer read through two views is two leaves, one binding).
  const leaves: Leaf[] = [];
  const index = new Map<string, number>();
  const remap = group.map((e) => e.leaves.map((l) => {
    const key = leafKey(l);
    let at = index.get(key);
    if (at === undefined) index.set(key, (at = leaves.push(l) - 1));
    return at;
  }));
  const roots = group.map((e, j) => relabel(e.root, remap[j]!));
  const { dims, strides } = coalesce(shape, leaves);
  const bindingOf = new Map<GpuBuf, number>();
  const bindings: DType[] = [];
  const blocks: Block[] = [];
  const specs: LeafSpec[] = [];
  const params: { access: Access; offset: number; strides: readonly number[]; bits?: number }[] = [];
  leaves.forEach((l, k) => {
    const st = strides[k]!;
    let access: Access;
    if (l.buf.host !== undefined) access = "param";
    else if (st.every((s) => s === 0)) access = "one";
    else if (l.offset === 0 && st.length === 1 && st[0] === 1) access = "flat";
    else access = "strided";
    let binding = -1;
    if (access !== "param") {
      binding = bindingOf.get(l.buf) ?? -1;
      if (binding < 0) {
        binding = bindings.push(l.buf.dtype) - 1;
        bindingOf.set(l.buf, binding);
        blocks.push(blockOf(l.buf));
      }
    }
    specs.push({ dtype: l.buf.dtype, access, binding });
    params.push({ access, offset: l.offset, strides: st, ...(access === "param" ? { bits: bitsOf(l.buf.dtype, l.buf.host!) } : {}) });
  });
  const rank = specs.some((s) => s.access === "strided") ? dims.length : 0;
  const { code, words } = elementwiseShader({ leaves: specs, roots, outDtypes: group.map((e) => e.out.dtype), rank, bindings });
  const outs = group.map((e) => e.out.block ?? attachBlock(e.out));
  dispatch(pipelineFor(code), [...blocks, ...outs], elementwiseParams(words, n, rank === 0 ? [] : dims, params), groupsFor(n));
  for (const e of group) {
    e.out.pending = null;
    e.drop();
  }
}

function leafKey(l: Leaf): string {
  return `${bufId(l.buf)}@${l.offset}:${l.strides.join(",")}`;
}
const ids = new WeakMap<GpuBuf, number>();
let nextId = 0;
function bufId(b: GpuBuf): number {
  let id = ids.get(b);
  if (id === undefined) ids.set(b, (id = nextId++));
  return id;
}

function bitsOf(dtype: DType, v: number): number {
  const st = storageType(dtype);
  if (st === "f32") return new Uint32Array(Float32Array.of(v).buffer)[0]!;
  return v >>> 0;
}

// `node` with leaf i renumbered map[i].
function relabel(node: Node, map: readonly number[]): Node {
  const memo = new Map<Node, Node>();
  const go = (x: Node): Node => {
    let out = memo.get(x);
    if (out !== undefined) return out;
    if (x.k === "leaf") out = { k: "leaf", i: map[x.i]! };
    else if (x.k === "const") out = x;
    else if (x.k === "cvt") out = { k: "cvt", to: x.to, arg: go(x.arg) };
    else out = { k: "op", op: x.op, args: x.args.map(go) };
    memo.set(x, out);
    return out;
  };
  return go(node);
}

function countNodes(node: Node): number {
  const seen = new Set<Node>();
  const go = (x: Node): void => {
    if (seen.has(x)) return;
    seen.add(x);
    if (x.k === "op") x.args.forEach(go);
    else if (x.k === "cvt") go(x.arg);
  };
  go(node);
  return seen.size;
}

// ---- building expressions ----

/** Collects the leaves of an expression being built (each buffer view once). */
class Builder {
  readonly leaves: Leaf[] = [];
  readonly #index = new Map<string, number>();
  readonly #inlinedRoots = new Map<Expression, Node>();
  constructor(readonly shape: Shape) {}

  // A pending expression's tree over this builder's leaves, once however often it is an operand.
  #inlined(e: Expression): Node {
    let root = this.#inlinedRoots.get(e);
    if (root === undefined) {
      root = relabel(e.root, e.leaves.map((l) => (this.leaf(l) as { i: number }).i));
      this.#inlinedRoots.set(e, root);
    }
    return root;
  }

  leaf(l: Leaf): Node {
    const key = leafKey(l);
    let at = this.#index.get(key);
    if (at === undefined) this.#index.set(key, (at = this.leaves.push(l) - 1));
    return { k: "leaf", i: at };
  }

  /**
   * An operand broadcast to this shape: a pending expression of this very shape is inlined, a pending view (one
   * leaf) is read through its view, anything else is computed and read as a buffer.
   */
  operand(t: TensorData, inline: boolean): Node {
    const buf = t.buf as GpuBuf;
    const e = buf.pending as Expression | null;
    // The expression's leaves are read over its own shape: a reshaped pending buffer (same elements, other dims)
    // is computed first.
    if (e !== null && inline && sameShape(e.shape, t.shape)) {
      if (sameShape(t.shape, this.shape)) return this.#inlined(e);
      const view = e.root.k === "cvt" && e.root.arg.k === "leaf" && e.root.to === e.leaves[0]!.buf.dtype ? e.leaves[0]! : null;
      if (view !== null) {
        const strides = broadcastStrides(t.shape, this.shape).map((s, d) => {
          const k = d - (this.shape.length - t.shape.length);
          return s === 0 || k < 0 ? 0 : view.strides[k]!;
        });
        return this.leaf({ buf: view.buf, offset: view.offset, strides });
      }
    }
    if (buf.pending !== null) blockOf(buf);
    if (buf.host !== undefined) return this.leaf({ buf, offset: 0, strides: this.shape.map(() => 0) });
    return this.leaf({ buf, offset: 0, strides: broadcastStrides(t.shape, this.shape) });
  }
}

// A program's expression over operand nodes (its constants as constants).
function programNode(expr: Expr, operands: readonly Node[]): Node {
  const memo = new Map<string, Node>();
  for (const node of topoOrder([expr])) {
    const out: Node = node.kind === "input" ? operands[node.index]!
      : node.kind === "const" ? { k: "const", v: node.value }
      : { k: "op", op: node.op, args: node.args.map((a) => memo.get(a.key)!) };
    memo.set(node.key, out);
  }
  return memo.get(expr.key)!;
}

function fits(b: Builder, root: Node): boolean {
  const maxBindings = (gpuDevice().limits["maxStorageBuffersPerShaderStage"] ?? 8) - 1;
  const bufs = new Set(b.leaves.filter(onGpu).map((l) => l.buf));
  const params = b.leaves.length - b.leaves.filter(onGpu).length;
  return bufs.size <= maxBindings && params <= MAX_PARAMS && countNodes(root) <= MAX_NODES;
}

// A result: pending (fusion on), or computed now into a buffer of its own.
function finish(root: Node, b: Builder, dtype: DType): GpuBuf {
  const n = sizeOf(b.shape);
  if (eager() || n === 0) {
    const out = newBuf(dtype, n);
    if (n > 0) run([new Expression(root, b.leaves, b.shape, out)]);
    return out;
  }
  const out = new GpuBuf(dtype, n);
  const e = new Expression(root, b.leaves, b.shape, out);
  out.pending = e;
  pin(e);
  return out;
}

/** `program` of `inputs` broadcast to `outShape`, as `outDtype`: pending where fusion is on. */
export function fuseProgram(program: Program, inputs: readonly TensorData[], outShape: Shape, outDtype: DType): GpuBuf {
  storageType(outDtype);
  for (const x of inputs) storageType(x.dtype);
  for (const inline of [true, false]) {
    const b = new Builder(outShape);
    const operands = inputs.map((x) => b.operand(x, inline));
    const root: Node = { k: "cvt", to: outDtype, arg: programNode(program.expr, operands) };
    if (!inline || fits(b, root)) return finish(root, b, outDtype);
  }
  throw new Error("unreachable");
}

/** The strided view `view` of `x`'s buffer, of `outShape`: pending, so an elementwise op reading it reads `x` directly. */
export function fuseView(x: TensorData, view: StridedView, outShape: Shape): GpuBuf {
  storageType(x.dtype);
  const buf = x.buf as GpuBuf;
  if (buf.pending !== null) blockOf(buf);
  const b = new Builder(outShape);
  const leaf = buf.host !== undefined
    ? b.leaf({ buf, offset: 0, strides: outShape.map(() => 0) })
    : b.leaf({ buf, offset: view.offset, strides: view.strides });
  return finish({ k: "cvt", to: x.dtype, arg: leaf }, b, x.dtype);
}

/** A buffer of `size` elements equal to `value`: a host scalar for one element, else pending (a fill). */
export function fuseFull(size: number, value: number, dtype: DType): GpuBuf {
  storageType(dtype);
  const v = hostValue(dtype, value);
  if (size === 1 && allocationTape.record === null && allocationTape.replay === null) {
    const buf = new GpuBuf(dtype, 1);
    buf.host = v;
    return buf;
  }
  const b = new Builder([size]);
  return finish({ k: "cvt", to: dtype, arg: { k: "const", v } }, b, dtype);
}

/** A contiguous copy of `x` (its buffer's first `sizeOf(shape)` elements), pending like any view. */
export function fuseCopy(x: TensorData): GpuBuf {
  return fuseView(x, { offset: 0, strides: stridesOf(x.shape) }, x.shape);
}
