// The ops PyTorch defines as views (diagonal, Tensor.unfold, movedim, swapaxes, unflatten, split/chunk/
// tensorSplit/unbind, atleast_nd, asStrided) and flip, each one strided view of its input: `asStrided`, or narrow,
// permute and reshape. All are views of their input's memory (view-geometry.ts) except flip, which copies.
import { ArgumentError, ShapeError } from "../errors.js";
import { fmt, inferReshape, normalizeDim, stridesOf } from "../shape.js";
import { checkTensor } from "./elementwise.js";
import { asStrided, narrow, permute, reshape, select, transpose } from "./movement.js";
import type { Tensor } from "./tensor.js";
import { geometryOf, rootOf } from "./view-geometry.js";

function dimList(op: string, dims: number | readonly number[], ndim: number): number[] {
  const list = typeof dims === "number" ? [dims] : [...dims];
  const out = list.map((d) => normalizeDim(op, d, ndim));
  if (new Set(out).size !== out.length) throw new ArgumentError(`${op}: dims ${fmt(list)} repeat a dim`);
  return out;
}

/**
 * The elements in reverse order along each of `dims` (a copy, as PyTorch's flip).
 * @example cr.tensor([1, 2, 3]).flip(0) // tensor([3, 2, 1])
 */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  checkTensor("flip", x);
  const flipped = dimList("flip", dims, x.ndim);
  if (flipped.length === 0 || x.numel() === 0) return x.clone();
  const base = stridesOf(x.shape);
  let offset = 0;
  const strides = base.map((s, d) => {
    if (!flipped.includes(d)) return s;
    offset += (x.shape[d]! - 1) * s;
    return -s;
  });
  return asStrided(x, x.shape, strides, offset);
}

/** Options of `diagonal` and `diagEmbed`: which diagonal (above the main one for offset > 0) of which two dims. */
export interface DiagonalOptions {
  /** Which diagonal: 0 (default) the main one, positive above it, negative below. */
  offset?: number;
  /** The first of the two dims the diagonal runs over (default 0). */
  dim1?: number;
  /** The second of the two dims the diagonal runs over (default 1). */
  dim2?: number;
}

/**
 * The diagonal of the matrices formed by dims `dim1` and `dim2` (default 0 and 1), as a new last dim; `offset` > 0
 * takes one above the main diagonal, < 0 one below. A view in PyTorch.
 * @example cr.arange(9).reshape([3, 3]).diagonal() // tensor([0, 4, 8])
 */
export function diagonal(x: Tensor, { offset = 0, dim1 = 0, dim2 = 1 }: DiagonalOptions = {}): Tensor {
  checkTensor("diagonal", x);
  if (!Number.isInteger(offset)) throw new ArgumentError(`diagonal: offset must be an integer, got ${offset}`);
  const d1 = normalizeDim("diagonal", dim1, x.ndim), d2 = normalizeDim("diagonal", dim2, x.ndim);
  if (d1 === d2) throw new ArgumentError(`diagonal: dim1 and dim2 cannot be the same dim (${dim1}, ${dim2}) for shape ${fmt(x.shape)}`);
  const st = stridesOf(x.shape);
  const s1 = x.shape[d1]!, s2 = x.shape[d2]!;
  const length = Math.max(0, offset >= 0 ? Math.min(s1, s2 - offset) : Math.min(s1 + offset, s2));
  const start = length === 0 ? 0 : offset >= 0 ? offset * st[d2]! : -offset * st[d1]!;
  const keep = x.shape.map((_, d) => d).filter((d) => d !== d1 && d !== d2);
  return asStrided(x, [...keep.map((d) => x.shape[d]!), length], [...keep.map((d) => st[d]!), st[d1]! + st[d2]!], start);
}

/**
 * Every window of `size` elements along `dim`, `step` apart, as a new last dim (PyTorch's `Tensor.unfold`, a view):
 * dim `dim` becomes the number of windows. Not `cr.unfold`, which is im2col.
 * @example cr.arange(5).unfold(0, 2, 1) // [[0, 1], [1, 2], [2, 3], [3, 4]]
 */
export function unfoldDim(x: Tensor, dim: number, size: number, step: number): Tensor {
  checkTensor("unfold", x);
  const t = x.ndim === 0 ? reshape(x, [1]) : x;
  const d = normalizeDim("unfold", dim, t.ndim);
  if (!Number.isInteger(step) || step <= 0) throw new ArgumentError(`unfold: step must be a positive integer, got ${step}`);
  const n = t.shape[d]!;
  if (!Number.isInteger(size) || size < 0 || size > n) {
    throw new ArgumentError(`unfold: size ${size} does not fit dim ${d} of size ${n} (shape ${fmt(x.shape)})`);
  }
  const st = stridesOf(t.shape);
  const shape = [...t.shape, size];
  shape[d] = Math.floor((n - size) / step) + 1;
  const strides = [...st, st[d]!];
  strides[d] = st[d]! * step;
  const out = asStrided(t, shape, strides, 0);
  return x.ndim === 0 ? reshape(out, [size]) : out;
}

/**
 * Moves dims `source` to positions `destination`, the others keeping their order (a permute).
 * @example cr.zeros([2, 3, 4]).movedim(0, -1).shape // [3, 4, 2]
 */
export function movedim(x: Tensor, source: number | readonly number[], destination: number | readonly number[]): Tensor {
  checkTensor("movedim", x);
  const src = dimList("movedim", source, x.ndim), dst = dimList("movedim", destination, x.ndim);
  if (src.length !== dst.length) {
    throw new ArgumentError(`movedim: source ${fmt(typeof source === "number" ? [source] : source)} and destination ${fmt(typeof destination === "number" ? [destination] : destination)} must have the same number of dims`);
  }
  const perm = new Array<number>(x.ndim).fill(-1);
  src.forEach((s, i) => (perm[dst[i]!] = s));
  const rest = x.shape.map((_, d) => d).filter((d) => !src.includes(d));
  for (let i = 0, r = 0; i < perm.length; i++) if (perm[i] === -1) perm[i] = rest[r++]!;
  return permute(x, perm);
}

/** Swaps two dims: `transpose` under NumPy's name (also `swapdims`). @example cr.swapaxes(cr.zeros([2, 3]), 0, 1).shape // [3, 2] */
export function swapaxes(x: Tensor, axis0: number, axis1: number): Tensor {
  checkTensor("swapaxes", x);
  normalizeDim("swapaxes", axis0, x.ndim);
  normalizeDim("swapaxes", axis1, x.ndim);
  return transpose(x, axis0, axis1);
}

/**
 * Dim `dim` split into dims of `sizes` (one may be -1, inferred).
 * @example cr.zeros([2, 12]).unflatten(1, [3, -1]).shape // [2, 3, 4]
 */
export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  checkTensor("unflatten", x);
  const d = normalizeDim("unflatten", dim, x.ndim);
  if (sizes.length === 0) throw new ArgumentError("unflatten: sizes must not be empty");
  const inner = inferReshape("unflatten", [x.shape[d] ?? 1], sizes);
  return reshape(x, [...x.shape.slice(0, d), ...inner, ...x.shape.slice(d + 1)]);
}

// The outputs of split, chunk, tensorSplit and unbind are views that, as PyTorch's, refuse in-place changes while
// their base's gradient is recorded (one node made them all, and it cannot be rewritten for one of them).
function multiOutput(views: Tensor[]): Tensor[] {
  for (const v of views) if (v._viewOf !== null) v._viewOf.multi = true;
  return views;
}

// The pieces of `x` along `d` of the given sizes, each a narrow (a view).
function pieces(x: Tensor, d: number, sizes: readonly number[]): Tensor[] {
  let start = 0;
  return multiOutput(sizes.map((len) => {
    const piece = narrow(x, d, start, len);
    start += len;
    return piece;
  }));
}

/**
 * Pieces along `dim`: of `splitSize` elements each (the last may be smaller), or of the sizes listed, which must
 * add up to the dim's size.
 * @example cr.arange(5).split(2) // [tensor([0, 1]), tensor([2, 3]), tensor([4])]
 */
export function split(x: Tensor, splitSizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  checkTensor("split", x);
  if (x.ndim === 0) throw new ShapeError("split: a zero-dim tensor cannot be split");
  const d = normalizeDim("split", dim, x.ndim);
  const n = x.shape[d]!;
  if (typeof splitSizeOrSections === "number") {
    const size = splitSizeOrSections;
    if (!Number.isInteger(size) || size < 0) throw new ArgumentError(`split: split size must be a non-negative integer, got ${size}`);
    if (size === 0) {
      if (n !== 0) throw new ArgumentError(`split: a split size of 0 needs a dim of size 0, dim ${d} has size ${n}`);
      return [narrow(x, d, 0, 0)];
    }
    const count = Math.max(1, Math.ceil(n / size));
    return pieces(x, d, Array.from({ length: count }, (_, i) => Math.min(size, n - i * size)));
  }
  const sizes = [...splitSizeOrSections];
  if (sizes.some((s) => !Number.isInteger(s) || s < 0) || sizes.reduce((a, b) => a + b, 0) !== n) {
    throw new ArgumentError(`split: sizes ${fmt(sizes)} must be non-negative integers adding up to ${n}, the size of dim ${d} (shape ${fmt(x.shape)})`);
  }
  return pieces(x, d, sizes);
}

/**
 * `chunks` pieces along `dim` of ⌈n / chunks⌉ elements each, the last smaller (fewer pieces when they run out).
 * @example cr.arange(5).chunk(3) // [tensor([0, 1]), tensor([2, 3]), tensor([4])]
 */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  checkTensor("chunk", x);
  if (x.ndim === 0) throw new ShapeError("chunk: a zero-dim tensor cannot be chunked");
  if (!Number.isInteger(chunks) || chunks <= 0) throw new ArgumentError(`chunk: chunks must be a positive integer, got ${chunks}`);
  const d = normalizeDim("chunk", dim, x.ndim);
  const n = x.shape[d]!;
  const size = Math.ceil(n / chunks);
  if (size === 0) return pieces(x, d, new Array<number>(chunks).fill(0));
  return split(x, size, d);
}

/**
 * Pieces along `dim`: `sections` pieces as equal as can be (the first `n mod sections` one longer), or split
 * before each of `indices` (clipped to the dim, as Python slices).
 * @example cr.arange(5).tensorSplit(3) // [tensor([0, 1]), tensor([2, 3]), tensor([4])]
 */
export function tensorSplit(x: Tensor, indicesOrSections: number | readonly number[], dim = 0): Tensor[] {
  checkTensor("tensorSplit", x);
  if (x.ndim === 0) throw new ShapeError("tensorSplit: a zero-dim tensor cannot be split");
  const d = normalizeDim("tensorSplit", dim, x.ndim);
  const n = x.shape[d]!;
  if (typeof indicesOrSections === "number") {
    const sections = indicesOrSections;
    if (!Number.isInteger(sections) || sections <= 0) throw new ArgumentError(`tensorSplit: sections must be a positive integer, got ${sections}`);
    const small = Math.floor(n / sections), extra = n % sections;
    return pieces(x, d, Array.from({ length: sections }, (_, i) => small + (i < extra ? 1 : 0)));
  }
  const bounds = [...indicesOrSections];
  if (bounds.some((i) => !Number.isInteger(i))) throw new ArgumentError(`tensorSplit: indices must be integers, got ${fmt(bounds)}`);
  const clip = (i: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
  let start = 0;
  const out: Tensor[] = [];
  for (const b of [...bounds.map(clip), n]) {
    const end = Math.max(b, start);
    out.push(narrow(x, d, start, end - start));
    start = end;
  }
  return multiOutput(out);
}

/**
 * The slices along `dim`, each with that dim removed (views of `x`).
 * @example cr.tensor([[1, 2], [3, 4]]).unbind(1) // [tensor([1, 3]), tensor([2, 4])]
 */
export function unbind(x: Tensor, dim = 0): Tensor[] {
  checkTensor("unbind", x);
  if (x.ndim === 0) throw new ShapeError("unbind: a zero-dim tensor cannot be unbound");
  const d = normalizeDim("unbind", dim, x.ndim);
  return multiOutput(Array.from({ length: x.shape[d]! }, (_, i) => select(x, d, i)));
}

/**
 * A view of `x`'s memory with the given sizes and strides, starting at `storageOffset` (default: where `x` starts),
 * as PyTorch's `as_strided`: strides and offset count elements of the memory `x` is a view of. Writing through a
 * view whose elements overlap is refused.
 * @example cr.arange(6).asStrided([2, 2], [3, 1], 1) // [[1, 2], [4, 5]]
 */
export function asStridedView(x: Tensor, size: readonly number[], stride: readonly number[], storageOffset?: number): Tensor {
  checkTensor("asStrided", x);
  if (size.length !== stride.length) throw new ArgumentError(`asStrided: size ${fmt(size)} and stride ${fmt(stride)} must have the same length`);
  if ([...size, ...stride].some((n) => !Number.isInteger(n) || n < 0)) {
    throw new ArgumentError(`asStrided: sizes and strides must be non-negative integers, got size ${fmt(size)} and stride ${fmt(stride)}`);
  }
  const root = rootOf(x);
  const offset = storageOffset ?? geometryOf(x).offset;
  const last = size.reduce((p, n, d) => p + (n - 1) * stride[d]!, offset);
  if (!Number.isInteger(offset) || offset < 0 || (size.every((n) => n > 0) && last >= root.numel())) {
    throw new ArgumentError(`asStrided: size ${fmt(size)}, stride ${fmt(stride)} and offset ${offset} reach past the ${root.numel()} elements of the memory`);
  }
  // Strides over the root's memory are strides over x's own elements only where x is that memory, in order.
  if (x._viewOf !== null) {
    throw new ArgumentError(`asStrided: the tensor (shape ${fmt(x.shape)}) is a view that does not start its memory in order; call asStrided on its base`);
  }
  return asStrided(x, size, stride, offset);
}

/** `x` with at least one dim (a zero-dim tensor becomes `[1]`). @example cr.atleast1d(cr.tensor(5)).shape // [1] */
export function atleast1d(x: Tensor): Tensor {
  checkTensor("atleast1d", x);
  return x.ndim >= 1 ? x : reshape(x, [1]);
}

/** `x` with at least two dims: `[]` → `[1, 1]`, `[n]` → `[1, n]`. @example cr.atleast2d(cr.tensor([1, 2])).shape // [1, 2] */
export function atleast2d(x: Tensor): Tensor {
  checkTensor("atleast2d", x);
  return x.ndim >= 2 ? x : reshape(x, x.ndim === 0 ? [1, 1] : [1, x.shape[0]!]);
}

/** `x` with at least three dims: `[]` → `[1, 1, 1]`, `[n]` → `[1, n, 1]`, `[m, n]` → `[m, n, 1]`. @example cr.atleast3d(cr.tensor([1, 2])).shape // [1, 2, 1] */
export function atleast3d(x: Tensor): Tensor {
  checkTensor("atleast3d", x);
  if (x.ndim >= 3) return x;
  return reshape(x, x.ndim === 0 ? [1, 1, 1] : x.ndim === 1 ? [1, x.shape[0]!, 1] : [...x.shape, 1]);
}
