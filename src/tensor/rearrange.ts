// Ops that rearrange or repeat elements: roll, repeat, tile, repeatInterleave, tril/triu, diag, diagEmbed,
// meshgrid, take and takeAlongDim. Each is a composite of narrow/cat, expand/reshape, masks, gather or the strided
// primitives, so each gets its gradient (a repeat's gradient sums the copies) with no backward of its own.
import { applyPrimitive } from "../autograd/dispatch.js";
import { ArgumentError, DTypeError, IndexError, ShapeError } from "../errors.js";
import { broadcastShapes, fmt, normalizeDim, stridesOf } from "../shape.js";
import { checkTensor, where } from "./elementwise.js";
import { cat, expand, narrow, reshape } from "./movement.js";
import { arangeOn, fullOn } from "./on-backend.js";
import { cumsum } from "./scan.js";
import type { Tensor } from "./tensor.js";
import { diagonal } from "./views.js";
import type { DiagonalOptions } from "./views.js";
import { asIndexTensor } from "./index-dtype.js";

function intList(op: string, name: string, v: number | readonly number[]): number[] {
  const list = typeof v === "number" ? [v] : [...v];
  if (list.some((n) => !Number.isInteger(n))) throw new ArgumentError(`${op}: ${name} must be integers, got ${fmt(list)}`);
  return list;
}

/**
 * The elements shifted by `shifts` along `dims`, those pushed off one end coming back at the other; without
 * `dims`, over the flattened tensor (the shape kept).
 * @example cr.tensor([1, 2, 3, 4]).roll(1) // tensor([4, 1, 2, 3])
 */
export function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[]): Tensor {
  checkTensor("roll", x);
  const s = intList("roll", "shifts", shifts);
  if (dims === undefined) {
    if (s.length !== 1) throw new ArgumentError(`roll: without dims, shifts must be one number, got ${fmt(s)}`);
    return reshape(roll(reshape(x, [-1]), s[0]!, 0), x.shape);
  }
  const d = intList("roll", "dims", dims).map((v) => normalizeDim("roll", v, x.ndim));
  if (d.length !== s.length) throw new ArgumentError(`roll: shifts ${fmt(s)} and dims ${fmt(d)} must have the same length`);
  let out = x;
  d.forEach((dim, i) => {
    const n = out.shape[dim] ?? 1;
    const k = n === 0 ? 0 : ((s[i]! % n) + n) % n;
    if (k !== 0) out = cat([narrow(out, dim, n - k, k), narrow(out, dim, 0, n - k)], dim);
  });
  return out === x ? x.clone() : out;
}

/**
 * The tensor repeated `sizes[d]` times along each dim (more sizes than dims add leading dims).
 * @example cr.tensor([1, 2]).repeat([2, 2]) // [[1, 2, 1, 2], [1, 2, 1, 2]]
 */
export function repeat(x: Tensor, sizes: readonly number[]): Tensor {
  checkTensor("repeat", x);
  const reps = intList("repeat", "sizes", sizes);
  if (reps.some((r) => r < 0)) throw new ArgumentError(`repeat: sizes must be non-negative, got ${fmt(reps)}`);
  if (reps.length < x.ndim) {
    throw new ShapeError(`repeat: ${reps.length} sizes ${fmt(reps)} are fewer than the tensor's ${x.ndim} dims (shape ${fmt(x.shape)})`);
  }
  const shape = [...new Array<number>(reps.length - x.ndim).fill(1), ...x.shape];
  // Each dim d as a pair [1, s_d] broadcast to [r_d, s_d]: copy k of the dim is the k-th block of the result.
  const paired = reshape(x, shape.flatMap((s) => [1, s]));
  const repeated = expand(paired, shape.flatMap((s, i) => [reps[i]!, s]));
  return reshape(repeated, shape.map((s, i) => s * reps[i]!));
}

/** `repeat` with fewer sizes than dims allowed (padded with 1s in front), as PyTorch's tile. @example cr.tensor([[1, 2]]).tile([2]) */
export function tile(x: Tensor, dims: readonly number[]): Tensor {
  checkTensor("tile", x);
  const reps = intList("tile", "dims", dims);
  return repeat(x, [...new Array<number>(Math.max(0, x.ndim - reps.length)).fill(1), ...reps]);
}

// [0, 0, 1, 2, 2, …]: each position i of `counts` repeated counts[i] times (torch.repeat_interleave of a tensor).
function repeatedPositions(counts: Tensor, total: number): Tensor {
  const n = counts.numel();
  if (total === 0 || n === 0) return fullOn(counts, [0], "int32", 0);
  // A 1 where each later position's run starts (several where runs are empty), summed into run numbers.
  const ends = cumsum(counts, 0).narrow(0, 0, n - 1);
  const marks = fullOn(counts, [total + 1], "int32", 0).scatterAdd(0, ends, fullOn(counts, [n - 1], "int32", 1));
  return cumsum(narrow(marks, 0, 0, total), 0);
}

/**
 * Each element repeated `repeats` times (a number, or a count per element along `dim`) along `dim` (over the
 * flattened tensor when omitted). Called with the counts alone, the positions they repeat: `[0, 0, 1, …]`.
 * @example cr.tensor([1, 2]).repeatInterleave(2) // tensor([1, 1, 2, 2])
 */
export function repeatInterleave(x: Tensor, repeats?: number | Tensor, dim?: number, opts: { outputSize?: number } = {}): Tensor {
  checkTensor("repeatInterleave", x);
  if (repeats === undefined) {
    if (x.dtype !== "int32" || x.ndim > 1) throw new ArgumentError(`repeatInterleave: called with counts alone, they must be a 1-D int32 tensor, got ${x.dtype} ${fmt(x.shape)}`);
    return repeatInterleave(arangeOn(x, x.numel()), x, 0, opts);
  }
  const t = dim === undefined ? reshape(x, [-1]) : x;
  const d = dim === undefined ? 0 : normalizeDim("repeatInterleave", dim, x.ndim);
  const base = t.ndim === 0 ? reshape(t, [1]) : t;
  const n = base.shape[d]!;
  if (typeof repeats === "number") {
    if (!Number.isInteger(repeats) || repeats < 0) throw new ArgumentError(`repeatInterleave: repeats must be a non-negative integer, got ${repeats}`);
    const shape = [...base.shape];
    const widened = expand(reshape(base, [...shape.slice(0, d + 1), 1, ...shape.slice(d + 1)]), [...shape.slice(0, d + 1), repeats, ...shape.slice(d + 1)]);
    shape[d] = n * repeats;
    return reshape(widened, shape);
  }
  checkTensor("repeatInterleave", repeats);
  if (repeats.dtype !== "int32") throw new DTypeError(`repeatInterleave: repeats must be an int32 tensor, got ${repeats.dtype}`);
  if (repeats.ndim > 1) throw new ShapeError(`repeatInterleave: repeats must be 0-D or 1-D, got shape ${fmt(repeats.shape)}`);
  const counts = repeats.numel() === 1 && n !== 1 ? expand(reshape(repeats, [1]), [n]) : reshape(repeats, [-1]);
  if (counts.numel() !== n) throw new ShapeError(`repeatInterleave: ${counts.numel()} repeats for dim ${d} of size ${n}; give one per element or one for all`);
  const host = counts.numel() === 0 ? new Int32Array(0) : (counts._readSync("repeatInterleave", "data", counts.numel()) as Int32Array);
  if (host.some((c) => c < 0)) throw new ArgumentError("repeatInterleave: repeats must be non-negative");
  const total = host.reduce((a, c) => a + c, 0);
  if (opts.outputSize !== undefined && opts.outputSize !== total) throw new ArgumentError(`repeatInterleave: outputSize ${opts.outputSize} differs from the repeats' total ${total}`);
  return base.indexSelect(d, repeatedPositions(counts, total));
}

function triangle(op: "tril" | "triu", x: Tensor, diagonal: number): Tensor {
  checkTensor(op, x);
  if (x.ndim < 2) throw new ShapeError(`${op}: expected a tensor of at least 2 dims, got shape ${fmt(x.shape)}`);
  if (!Number.isInteger(diagonal)) throw new ArgumentError(`${op}: diagonal must be an integer, got ${diagonal}`);
  const [rows, cols] = x.shape.slice(-2) as [number, number];
  const offset = arangeOn(x, cols).reshape([1, cols]).sub(arangeOn(x, rows).reshape([rows, 1])); // j − i
  const keep = op === "tril" ? offset.le(diagonal) : offset.ge(diagonal);
  return where(keep, x, x.dtype === "bool" ? false : 0);
}

/** The lower triangle of the last two dims (j − i ≤ diagonal), zeros above. @example cr.ones([3, 3]).tril() */
export const tril = (x: Tensor, diagonal = 0): Tensor => triangle("tril", x, diagonal);
/** The upper triangle of the last two dims (j − i ≥ diagonal), zeros below. @example cr.ones([3, 3]).triu(1) */
export const triu = (x: Tensor, diagonal = 0): Tensor => triangle("triu", x, diagonal);

/**
 * Matrices with the last dim of `x` on their diagonal (`offset` above it for > 0), zeros elsewhere, as two new
 * dims `dim1`, `dim2` (default the last two) of size n + |offset|. diagonal's adjoint: the gradient is a diagonal.
 * @example cr.tensor([1, 2]).diagEmbed() // [[1, 0], [0, 2]]
 */
export function diagEmbed(x: Tensor, { offset = 0, dim1 = -2, dim2 = -1 }: DiagonalOptions = {}): Tensor {
  checkTensor("diagEmbed", x);
  if (x.ndim === 0) throw new ShapeError("diagEmbed: expected a tensor of at least 1 dim, got a zero-dim tensor");
  if (!Number.isInteger(offset)) throw new ArgumentError(`diagEmbed: offset must be an integer, got ${offset}`);
  const ndim = x.ndim + 1;
  const d1 = normalizeDim("diagEmbed", dim1, ndim), d2 = normalizeDim("diagEmbed", dim2, ndim);
  if (d1 === d2) throw new ArgumentError(`diagEmbed: dim1 and dim2 cannot be the same dim (${dim1}, ${dim2})`);
  const n = x.shape[x.ndim - 1]!;
  const m = n + Math.abs(offset);
  const batch = x.shape.slice(0, -1);
  const shape: number[] = [];
  for (let d = 0, b = 0; d < ndim; d++) shape.push(d === d1 || d === d2 ? m : batch[b++]!);
  const st = stridesOf(shape);
  const batchStrides = shape.map((_, d) => d).filter((d) => d !== d1 && d !== d2).map((d) => st[d]!);
  const start = offset >= 0 ? offset * st[d2]! : -offset * st[d1]!;
  // The diagonal view of the result, written into zeros: asStrided's adjoint.
  return applyPrimitive("asStridedBackward", [x], { shape: x.shape, strides: [...batchStrides, st[d1]! + st[d2]!], offset: m === 0 ? 0 : start, inShape: shape });
}

/**
 * A 1-D tensor as a square matrix with it on diagonal `diagonal`, or a matrix's diagonal `diagonal` as a 1-D tensor.
 * @example cr.tensor([1, 2]).diag() // [[1, 0], [0, 2]]
 */
export function diag(x: Tensor, diagonalIndex = 0): Tensor {
  checkTensor("diag", x);
  if (x.ndim === 1) return diagEmbed(x, { offset: diagonalIndex, dim1: 0, dim2: 1 });
  if (x.ndim === 2) return diagonal(x, { offset: diagonalIndex });
  throw new ShapeError(`diag: expected a 1-D or 2-D tensor, got shape ${fmt(x.shape)}`);
}

/**
 * Coordinate grids from 1-D tensors: with "ij" indexing (default) tensor i varies along dim i; with "xy" the first
 * two are swapped (Cartesian, as NumPy's default).
 * @example const [gx, gy] = cr.meshgrid([cr.arange(3), cr.arange(2)], { indexing: "xy" }); // shapes [2, 3]
 */
export function meshgrid(tensors: readonly Tensor[], { indexing = "ij" }: { indexing?: "ij" | "xy" } = {}): Tensor[] {
  if (!Array.isArray(tensors as unknown) || tensors.length === 0) throw new ArgumentError("meshgrid: expected a non-empty array of tensors");
  if (indexing !== "ij" && indexing !== "xy") throw new ArgumentError(`meshgrid: indexing must be "ij" or "xy", got ${JSON.stringify(indexing)}`);
  tensors.forEach((t, i) => {
    checkTensor("meshgrid", t);
    if (t.ndim > 1) throw new ShapeError(`meshgrid: tensor ${i} has shape ${fmt(t.shape)}; expected 0-D or 1-D tensors`);
    if (t.dtype !== tensors[0]!.dtype) throw new DTypeError(`meshgrid: tensor ${i} is ${t.dtype} but tensor 0 is ${tensors[0]!.dtype}; all must have one dtype`);
  });
  const sizes = tensors.map((t) => t.numel());
  const order = sizes.map((_, i) => i);
  if (indexing === "xy" && tensors.length > 1) [order[0], order[1]] = [1, 0];
  const shape = order.map((i) => sizes[i]!);
  return tensors.map((t, i) => {
    const at = order.indexOf(i);
    return expand(reshape(t, shape.map((s, d) => (d === at ? s : 1))), shape);
  });
}

// Index positions wrapped from the end where negative, and checked against `size` where the backend reads synchronously.
function wrapIndex(op: string, index: Tensor, size: number, what: string): Tensor {
  index = asIndexTensor(op, index);
  if (index.numel() > 0 && index.readsSynchronously) {
    const lo = index.amin().item(), hi = index.amax().item();
    const bad = lo < -size ? lo : hi >= size ? hi : undefined;
    if (bad !== undefined) throw new IndexError(`${op}: index ${bad} is out of range for ${what} of size ${size}`);
  }
  return where(index.lt(0), index.add(size), index);
}

/**
 * The elements at `index` of the flattened tensor (negative positions from the end), shaped as `index`.
 * @example cr.tensor([[4, 5], [6, 7]]).take(cr.tensor([0, -1], { dtype: "int32" })) // tensor([4, 7])
 */
export function take(x: Tensor, index: Tensor): Tensor {
  checkTensor("take", x);
  checkTensor("take", index);
  const flat = wrapIndex("take", reshape(index, [-1]), x.numel(), "a tensor");
  return reshape(reshape(x, [-1]).gather(0, flat), index.shape);
}

/**
 * `gather` with the index broadcast against the input outside `dim` (PyTorch's take_along_dim); without `dim`,
 * over the flattened tensor. Pairs with argsort/argmax results.
 * @example x.takeAlongDim(x.argsort({ dim: 1 }), 1) // x sorted along dim 1
 */
export function takeAlongDim(x: Tensor, indices: Tensor, dim?: number): Tensor {
  checkTensor("takeAlongDim", x);
  checkTensor("takeAlongDim", indices);
  indices = asIndexTensor("takeAlongDim", indices, "indices");
  if (dim === undefined) return reshape(x, [-1]).gather(0, reshape(indices, [-1]));
  const d = normalizeDim("takeAlongDim", dim, x.ndim);
  if (indices.ndim !== x.ndim) throw new ShapeError(`takeAlongDim: indices ${fmt(indices.shape)} must have as many dims as the input ${fmt(x.shape)}`);
  const without = (s: readonly number[]) => s.map((v, i) => (i === d ? 1 : v));
  const shape = broadcastShapes("takeAlongDim", without(x.shape), without(indices.shape));
  const xb = expand(x, shape.map((v, i) => (i === d ? x.shape[d]! : v)));
  const ib = expand(indices, shape.map((v, i) => (i === d ? indices.shape[d]! : v)));
  return xb.gather(d, ib);
}

export { wrapIndex };
