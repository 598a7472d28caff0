// PyTorch's indexing, `x[...]`, as `x.index(...)`: integers, slices with steps, null (a new axis), the ellipsis,
// integer tensors (advanced indexing, broadcast together, their dims placed as PyTorch places them) and boolean
// masks; and writing through the same indices (`indexPut`, `indexPut_`). Basic indexing is one strided view of the
// input (asStrided); advanced indexing a gather from the flattened input at the positions it names, computed in
// O(size of the result); writes a scatter at those positions. Also maskedFill, maskedSelect, maskedScatter,
// nonzero and argwhere.
import type { NestedArray } from "./convert.js";
import { DTypeError, IndexError, ShapeError, ArgumentError } from "../errors.js";
import { broadcastShapes, fmt, shapesEqual, stridesOf } from "../shape.js";
import { tensor } from "./creation.js";
import { asTensor, checkTensor, where } from "./elementwise.js";
import { applyInplace } from "./inplace.js";
import { asStrided, cat, expand, narrow, reshape } from "./movement.js";
import { arangeOn, fullOn } from "./on-backend.js";
import { wrapIndex } from "./rearrange.js";
import { cumsum } from "./scan.js";
import { scatter, scatterReduce } from "./scatter.js";
import { Tensor } from "./tensor.js";
import { asIndexTensor as integerIndex } from "./index-dtype.js";
import { isFloating } from "../dtype.js";

/** A slice of one dim, Python's `start:stop:step` (bounds clipped, negative ones from the end; step positive). */
export interface IndexSlice {
  /** The first position (default: the start of the dim). */
  start?: number | null;
  /** The position the slice ends before (default: the end of the dim). */
  stop?: number | null;
  /** The step between positions (default 1). */
  step?: number | null;
}

/**
 * One item of an index, as PyTorch takes it inside `x[...]`: an integer (the dim removed), a slice
 * (`{ start, stop, step }`, or ":" for the whole dim), `null` (a new dim of size 1), "..." (as many whole dims as
 * the other items leave), an int32 tensor or a list of integers (advanced indexing), or a bool tensor or list of
 * booleans (a mask over as many dims as it has).
 */
export type IndexItem = number | null | "..." | ":" | IndexSlice | Tensor | readonly NestedArray[];

// Where an index's result comes from: a strided view of the input, or a gather at computed positions.
type Located =
  | { kind: "view"; shape: number[]; strides: number[]; offset: number }
  | { kind: "positions"; shape: number[]; positions: Tensor };

// An item as a tensor, for lists; bool lists make masks.
function asIndexTensor(x: Tensor, item: Tensor | readonly NestedArray[]): Tensor {
  if (item instanceof Tensor) {
    if (item._backend !== x._backend) throw new ArgumentError(`index: the index tensor lives on ${item.device}, the tensor on ${x.device}`);
    if (item.dtype === "bool") return item;
    if (isFloating(item.dtype)) throw new DTypeError(`index: tensors used as indices must be integer (int32, int64, int16, int8, uint8) or bool, got ${item.dtype}`);
    return integerIndex("index", item, "a tensor used as indices");
  }
  const probe = (v: NestedArray): NestedArray => (Array.isArray(v) && v.length > 0 ? probe((v as readonly NestedArray[])[0]!) : v);
  const first = probe(item as NestedArray);
  return tensor(item as NestedArray, { dtype: typeof first === "boolean" ? "bool" : "int32" });
}

const isSlice = (item: unknown): item is IndexSlice => typeof item === "object" && item !== null && !(item instanceof Tensor) && !Array.isArray(item);

/** The mask's true positions as one int32 tensor per dim (PyTorch's nonzero(as_tuple=True)). */
function maskPositions(mask: Tensor): Tensor[] {
  const flat = flatNonzero(mask);
  const st = stridesOf(mask.shape);
  return mask.shape.map((size, d) => (mask.ndim === 1 ? flat : coordinate(flat, st[d]!, size)));
}

// Integer division of int32 positions, exact through float64 (below 2⁵³).
function coordinate(flat: Tensor, stride: number, size: number): Tensor {
  const q = flat.to("float64").div(stride).floor();
  return q.sub(q.div(size).floor().mul(size)).to("int32");
}

// The flat positions (int32, ascending) of a tensor's non-zero elements: the count read back, the positions
// computed on the backend (each non-zero element's rank among them is where it goes).
function flatNonzero(x: Tensor): Tensor {
  const nz = reshape(x.ne(0), [-1]);
  const n = nz.numel();
  const count = n === 0 ? 0 : nz.sum().item();
  const rank = where(nz, cumsum(nz, 0).sub(1), count);
  const slots = scatter(fullOn(x, [count + 1], "int32", 0), 0, rank, arangeOn(x, n));
  return narrow(slots, 0, 0, count);
}

function locate(op: string, x: Tensor, rawItems: readonly IndexItem[]): Located {
  const items = rawItems.map((it) => (it instanceof Tensor || Array.isArray(it) ? asIndexTensor(x, it as Tensor | readonly NestedArray[]) : it));
  let ellipses = 0, consumed = 0;
  for (const it of items) {
    if (it === "...") ellipses++;
    else if (it instanceof Tensor) consumed += it.dtype === "bool" ? it.ndim : 1;
    else if (it !== null) consumed += 1;
  }
  if (ellipses > 1) throw new IndexError(`${op}: an index can only have a single ellipsis ("...")`);
  if (consumed > x.ndim) throw new IndexError(`${op}: too many indices for a tensor of ${x.ndim} dims (shape ${fmt(x.shape)}): they index ${consumed}`);
  const full: (Exclude<IndexItem, readonly NestedArray[]>)[] = [];
  for (const it of items as (Exclude<IndexItem, readonly NestedArray[]>)[]) {
    if (it === "...") for (let k = 0; k < x.ndim - consumed; k++) full.push(":");
    else full.push(it);
  }
  if (ellipses === 0) for (let k = consumed; k < x.ndim; k++) full.push(":");

  const st = stridesOf(x.shape);
  const shape: number[] = [], strides: number[] = [];
  let offset = 0, d = 0;
  // Advanced indices: the view dim each indexes, and its positions (wrapped, checked).
  const advanced: { at: number; index: Tensor }[] = [];
  for (const it of full) {
    if (it === null) {
      shape.push(1);
      strides.push(0);
    } else if (typeof it === "number") {
      const size = x.shape[d]!;
      if (!Number.isInteger(it) || it < -size || it >= size) throw new IndexError(`${op}: index ${it} is out of range for dim ${d} of size ${size}`);
      offset += (it < 0 ? it + size : it) * st[d]!;
      d++;
    } else if (it === ":" || isSlice(it)) {
      const size = x.shape[d]!;
      const s = it === ":" ? {} : it;
      const step = s.step ?? 1;
      if (!Number.isInteger(step) || step <= 0) throw new ArgumentError(`${op}: a slice's step must be a positive integer, got ${step}`);
      for (const v of [s.start, s.stop]) if (v !== undefined && v !== null && !Number.isInteger(v)) throw new ArgumentError(`${op}: slice bounds must be integers, got ${v}`);
      const clip = (v: number) => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
      const start = s.start === undefined || s.start === null ? 0 : clip(s.start);
      const stop = s.stop === undefined || s.stop === null ? size : clip(s.stop);
      const len = Math.max(0, Math.ceil((stop - start) / step));
      if (len > 0) offset += start * st[d]!;
      shape.push(len);
      strides.push(step * st[d]!);
      d++;
    } else if (it instanceof Tensor && it.dtype === "bool") {
      const dims = x.shape.slice(d, d + it.ndim);
      if (!shapesEqual(dims, it.shape)) {
        throw new IndexError(`${op}: the mask's shape ${fmt(it.shape)} does not match the indexed dims ${fmt(dims)} (from dim ${d} of shape ${fmt(x.shape)})`);
      }
      if (it.ndim === 0) throw new IndexError(`${op}: a zero-dim bool index is not supported; use null for a new dim`);
      for (const p of maskPositions(it)) {
        advanced.push({ at: shape.length, index: p });
        shape.push(x.shape[d]!);
        strides.push(st[d]!);
        d++;
      }
    } else if (it instanceof Tensor) {
      const size = x.shape[d]!;
      advanced.push({ at: shape.length, index: wrapIndex(op, it, size, `dim ${d}`) });
      shape.push(size);
      strides.push(st[d]!);
      d++;
    } else {
      throw new ArgumentError(`${op}: cannot index with ${JSON.stringify(it)}`);
    }
  }
  if (advanced.length === 0) return { kind: "view", shape, strides, offset };

  // The index tensors broadcast together; their dims go where the first one was when they are adjacent, else first.
  const b = advanced.map((a) => a.index.shape).reduce((s, t) => broadcastShapes(`${op}: index tensors`, s, t), [] as number[]);
  const ats = advanced.map((a) => a.at);
  const adjacent = ats.every((a, i) => i === 0 || a === ats[i - 1]! + 1);
  const rest = shape.map((_, i) => i).filter((i) => !ats.includes(i));
  const before = adjacent ? rest.filter((i) => i < ats[0]!) : [];
  const after = rest.filter((i) => !before.includes(i));
  const outShape = [...before.map((i) => shape[i]!), ...b, ...after.map((i) => shape[i]!)];
  const rank = outShape.length, bStart = before.length;
  // Position of every result element in the flattened input: the view's offset, each advanced index times its
  // stride (over the broadcast dims), each remaining dim's coordinate times its stride.
  let positions: Tensor = fullOn(x, [], "int32", offset);
  for (const a of advanced) {
    const placed = reshape(a.index, [...new Array<number>(bStart).fill(1), ...new Array<number>(b.length - a.index.ndim).fill(1), ...a.index.shape, ...new Array<number>(rank - bStart - b.length).fill(1)]);
    positions = positions.add(placed.mul(strides[a.at]!));
  }
  [...before, ...after].forEach((viewDim, k) => {
    const resultDim = k < before.length ? k : bStart + b.length + (k - before.length);
    const n = shape[viewDim]!;
    const coords = arangeOn(x, n).mul(strides[viewDim]!);
    positions = positions.add(reshape(coords, outShape.map((_, i) => (i === resultDim ? n : 1))));
  });
  return { kind: "positions", shape: outShape, positions: expand(positions, outShape) };
}

// Every element's position in the flattened input, for a write.
function positionsOf(x: Tensor, at: Located): Tensor {
  if (at.kind === "positions") return at.positions;
  let positions: Tensor = fullOn(x, [], "int32", at.offset);
  at.shape.forEach((n, d) => {
    positions = positions.add(reshape(arangeOn(x, n).mul(at.strides[d]!), at.shape.map((_, i) => (i === d ? n : 1))));
  });
  return expand(positions, at.shape);
}

/**
 * `x[...items]` as PyTorch indexes: integers, slices (`{ start, stop, step }` or ":"), `null` (a new dim), "...",
 * int32 tensors or integer lists (advanced indexing: broadcast together; their dims replace the indexed ones where
 * they are adjacent, else come first), and bool masks. Without tensors the result is a strided view (today a copy);
 * with them, a gather. Gradients flow back to the elements picked (summed where picked twice).
 * @example x.index(0, { start: 1, step: 2 }) // x[0, 1::2]
 * @example x.index("...", null, cr.tensor([2, 0], { dtype: "int32" })) // x[..., None, [2, 0]]
 */
export function index(x: Tensor, ...items: IndexItem[]): Tensor {
  checkTensor("index", x);
  const at = locate("index", x, items);
  if (at.kind === "view") return asStrided(x, at.shape, at.strides, at.offset);
  return reshape(reshape(x, [-1]).gather(0, reshape(at.positions, [-1])), at.shape);
}

/** Options of `indexPut`. */
export interface IndexPutOptions {
  /** Add the values to what is there (repeated positions add up) rather than overwrite (the last write wins). */
  accumulate?: boolean;
}

/**
 * A copy of `x` with `values` (broadcast to the indexed shape) written at `x[...indices]`, any index `index` takes
 * (PyTorch's index_put with tensors, and `x[...] = v` with the rest). Differentiable in `x` and `values`.
 * @example x.indexPut([cr.tensor([0, 2], { dtype: "int32" })], 0) // rows 0 and 2 zeroed
 */
export function indexPut(x: Tensor, indices: readonly IndexItem[], values: Tensor | number | boolean, { accumulate = false }: IndexPutOptions = {}): Tensor {
  checkTensor("indexPut", x);
  if (!Array.isArray(indices as unknown)) throw new ArgumentError("indexPut: indices must be an array of index items (as x.index takes them)");
  const at = locate("indexPut", x, indices);
  let v: Tensor;
  if (values instanceof Tensor) {
    if (values.dtype !== x.dtype) throw new DTypeError(`indexPut: values are ${values.dtype} but the tensor is ${x.dtype}; convert them with .to() so they match`);
    v = values;
  } else v = asTensor(values, x.dtype, x._backend);
  const target = broadcastShapes(`indexPut: values ${fmt(v.shape)} and the indexed shape ${fmt(at.shape)}`, v.shape, at.shape);
  if (!shapesEqual(target, at.shape)) throw new ShapeError(`indexPut: values of shape ${fmt(v.shape)} cannot be broadcast to the indexed shape ${fmt(at.shape)}`);
  const positions = reshape(positionsOf(x, at), [-1]);
  const flatValues = reshape(expand(v, at.shape), [-1]);
  const flat = reshape(x, [-1]);
  const out = accumulate ? scatterReduce(flat, 0, positions, flatValues, "sum") : scatter(flat, 0, positions, flatValues);
  return reshape(out, x.shape);
}

/** `indexPut` in place: `x[...indices] = values` (or `+=` with accumulate). @example x.indexPut_([0, ":"], 1) */
export function indexPut_(x: Tensor, indices: readonly IndexItem[], values: Tensor | number | boolean, opts: IndexPutOptions = {}): Tensor {
  return applyInplace(x, "indexPut_", () => indexPut(x, indices, values, opts));
}

function checkMask(op: string, x: Tensor, mask: Tensor): void {
  checkTensor(op, mask);
  if (mask.dtype !== "bool") throw new DTypeError(`${op}: mask must be a bool tensor, got ${mask.dtype}`);
  if (mask._backend !== x._backend) throw new ArgumentError(`${op}: the mask lives on ${mask.device}, the tensor on ${x.device}`);
}

/**
 * `x` with `value` where `mask` (bool, broadcast to x's shape) is true.
 * @example x.maskedFill(x.lt(0), 0)
 */
export function maskedFill(x: Tensor, mask: Tensor, value: number | boolean | Tensor): Tensor {
  checkTensor("maskedFill", x);
  checkMask("maskedFill", x, mask);
  const shape = broadcastShapes(`maskedFill: mask ${fmt(mask.shape)} and the tensor ${fmt(x.shape)}`, mask.shape, x.shape);
  if (!shapesEqual(shape, x.shape)) throw new ShapeError(`maskedFill: the mask ${fmt(mask.shape)} does not broadcast to the tensor's shape ${fmt(x.shape)}`);
  if (value instanceof Tensor && value.ndim !== 0) throw new ShapeError(`maskedFill: value must be a number or a zero-dim tensor, got shape ${fmt(value.shape)}`);
  return where(mask, value instanceof Tensor ? asTensor(value, x.dtype) : value, x);
}

/** `maskedFill` in place. */
export function maskedFill_(x: Tensor, mask: Tensor, value: number | boolean | Tensor): Tensor {
  return applyInplace(x, "maskedFill_", () => maskedFill(x, mask, value));
}

/**
 * The elements where `mask` is true (the two broadcast together), as a 1-D tensor in row-major order.
 * @example x.maskedSelect(x.gt(0))
 */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  checkTensor("maskedSelect", x);
  checkMask("maskedSelect", x, mask);
  const shape = broadcastShapes(`maskedSelect: mask ${fmt(mask.shape)} and the tensor ${fmt(x.shape)}`, mask.shape, x.shape);
  return reshape(expand(x, shape), [-1]).gather(0, flatNonzero(expand(mask, shape)));
}

/**
 * A copy of `x` with the first elements of `source` written, in row-major order, where `mask` (broadcast to x's
 * shape) is true.
 * @example cr.zeros([4]).maskedScatter(cr.tensor([true, false, true, false]), cr.tensor([1, 2])) // [1, 0, 2, 0]
 */
export function maskedScatter(x: Tensor, mask: Tensor, source: Tensor): Tensor {
  checkTensor("maskedScatter", x);
  checkMask("maskedScatter", x, mask);
  checkTensor("maskedScatter", source);
  if (source.dtype !== x.dtype) throw new DTypeError(`maskedScatter: source is ${source.dtype} but the tensor is ${x.dtype}`);
  const shape = broadcastShapes(`maskedScatter: mask ${fmt(mask.shape)} and the tensor ${fmt(x.shape)}`, mask.shape, x.shape);
  if (!shapesEqual(shape, x.shape)) throw new ShapeError(`maskedScatter: the mask ${fmt(mask.shape)} does not broadcast to the tensor's shape ${fmt(x.shape)}`);
  const positions = flatNonzero(expand(mask, shape));
  const count = positions.numel();
  if (source.numel() < count) throw new ShapeError(`maskedScatter: the mask has ${count} true elements but source only ${source.numel()} (shape ${fmt(source.shape)})`);
  return reshape(scatter(reshape(x, [-1]), 0, positions, narrow(reshape(source, [-1]), 0, 0, count)), x.shape);
}

/** `maskedScatter` in place. */
export function maskedScatter_(x: Tensor, mask: Tensor, source: Tensor): Tensor {
  return applyInplace(x, "maskedScatter_", () => maskedScatter(x, mask, source));
}

/**
 * The positions of the non-zero elements, one row of coordinates each ([count, ndim], int32), in row-major order;
 * with `asTuple`, one 1-D tensor per dim. Its shape depends on the data: the count is read back.
 * @example cr.tensor([[0, 1], [2, 0]]).nonzero() // [[0, 1], [1, 0]]
 */
export function nonzero(x: Tensor): Tensor;
export function nonzero(x: Tensor, opts: { asTuple: true }): Tensor[];
export function nonzero(x: Tensor, opts: { asTuple?: boolean } = {}): Tensor | Tensor[] {
  checkTensor("nonzero", x);
  if (x.ndim === 0) {
    const count = x.ne(0).to("int32").item();
    return opts.asTuple === true ? [fullOn(x, [count], "int32", 0)] : fullOn(x, [count, 0], "int32", 0);
  }
  const coords = maskPositions(x.ne(0));
  if (opts.asTuple === true) return coords;
  const n = coords[0]!.numel();
  return cat(coords.map((c) => reshape(c, [n, 1])), 1);
}

/** The positions of the non-zero elements, [count, ndim] (PyTorch's argwhere: nonzero's rows). @example cr.argwhere(cr.tensor([[0, 1], [1, 0]])) // [[0, 1], [1, 0]] */
export function argwhere(x: Tensor): Tensor {
  return nonzero(x);
}
