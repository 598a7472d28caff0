// Shape and data-movement ops: reshape/view, permute/transpose, squeeze/unsqueeze, expand, flatten,
// cat/stack, slicing, and indexing with gather/indexSelect.
import { applyPrimitive } from "../autograd/dispatch.js";
import { promoteTypes } from "../dtype.js";
import { ArgumentError, ShapeError } from "../errors.js";
import { fmt, inferReshape, normalizeDim, shapesEqual } from "../shape.js";
import type { Shape } from "../shape.js";
import { asTensor, checkTensor } from "./elementwise.js";
import type { Tensor } from "./tensor.js";
import { adoptView, expandedGeometry, permutedGeometry, reshapedGeometry, slicedGeometry, stridedGeometry } from "./view-geometry.js";
import { asIndexTensor } from "./index-dtype.js";

/**
 * The same elements in a new shape (one size may be -1, inferred). It shares memory, as PyTorch's `view`, except
 * for a view (`x.t()`, …) whose elements would have to move: that is reshaped from a copy, as PyTorch's `reshape`.
 * @example cr.arange(6).reshape([2, 3])
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor("reshape", x);
  const target = inferReshape("reshape", x.shape, shape);
  if (x._viewOf === null) return applyPrimitive("reshape", [x], { shape: target });
  // A view (a buffer of its own over its root): the result shares that buffer, and is a view of the root where
  // PyTorch's would be; elsewhere reshape copies, as PyTorch's does.
  const geometry = reshapedGeometry(x, target);
  if (geometry === null) return applyPrimitive("reshape", [x.clone()], { shape: target });
  const out = applyPrimitive("reshape", [x], { shape: target });
  out._viewOf = { root: x._viewOf.root, geometry, multi: x._viewOf.multi, noGrad: x._viewOf.noGrad };
  out._dataVersion = x._dataVersion;
  return out;
}

/** Reorders the dims: output dim i is input dim `dims[i]`. @example cr.permute(cr.zeros([2, 3, 4]), [2, 0, 1]).shape // [4, 2, 3] */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  checkTensor("permute", x);
  if (dims.length !== x.ndim) {
    throw new ShapeError(`permute: got ${dims.length} dims ${fmt(dims)} for a tensor of ${x.ndim} dims (shape ${fmt(x.shape)})`);
  }
  const perm = dims.map((d) => normalizeDim("permute", d, x.ndim));
  if (new Set(perm).size !== perm.length) throw new ArgumentError(`permute: dims ${fmt(dims)} repeat a dim`);
  return adoptView(applyPrimitive("permute", [x], { perm }), x, permutedGeometry(x, perm));
}

/** Swaps two dims. @example x.transpose(0, 1) */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  checkTensor("transpose", x);
  if (x.ndim < 2) return x;
  const a = normalizeDim("transpose", dim0, x.ndim);
  const b = normalizeDim("transpose", dim1, x.ndim);
  const perm = x.shape.map((_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return adoptView(applyPrimitive("permute", [x], { perm }), x, permutedGeometry(x, perm));
}

/** Removes dims of size 1 (only `dim`, when given and of size 1). @example cr.squeeze(cr.zeros([1, 3, 1])).shape // [3] */
export function squeeze(x: Tensor, dim?: number): Tensor {
  checkTensor("squeeze", x);
  if (dim === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const d = normalizeDim("squeeze", dim, x.ndim);
  if (x.ndim === 0 || x.shape[d] !== 1) return x;
  return reshape(x, x.shape.filter((_, i) => i !== d));
}

/** Inserts a dim of size 1 at `dim` (from -ndim-1 to ndim). @example cr.unsqueeze(cr.zeros([3]), 0).shape // [1, 3] */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  checkTensor("unsqueeze", x);
  const d = normalizeDim("unsqueeze", dim, x.ndim + 1);
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  return reshape(x, shape);
}

/** Broadcasts to `shape` (NumPy rules; -1 keeps a size; new dims are added in front). @example cr.expand(cr.tensor([1, 2]), [2, -1]) // [[1, 2], [1, 2]] */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor("expand", x);
  if (shape.length < x.ndim) {
    throw new ShapeError(`expand: the target ${fmt(shape)} has fewer dims than the tensor ${fmt(x.shape)}`);
  }
  const offset = shape.length - x.ndim;
  const target = shape.map((s, i) => {
    const own = i >= offset ? x.shape[i - offset]! : undefined;
    if (s === -1) {
      if (own === undefined) throw new ShapeError(`expand: -1 is not allowed for the new leading dim ${i} in ${fmt(shape)}`);
      return own;
    }
    if (!Number.isInteger(s) || s < 0) throw new ShapeError(`expand: invalid size ${s} in ${fmt(shape)}`);
    if (own !== undefined && own !== 1 && own !== s) {
      throw new ShapeError(
        `expand: the size ${own} of dim ${i - offset} must match ${s} or be 1 (tensor ${fmt(x.shape)}, target ${fmt(shape)})`,
      );
    }
    return s;
  });
  if (shapesEqual(target, x.shape)) return x;
  return adoptView(applyPrimitive("expand", [x], { shape: target }), x, expandedGeometry(x, target));
}

/** Merges dims `startDim`..`endDim` into one. @example cr.flatten(cr.zeros([2, 3, 4]), 1).shape // [2, 12] */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  checkTensor("flatten", x);
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim("flatten", startDim, x.ndim);
  const e = normalizeDim("flatten", endDim, x.ndim);
  if (s > e) throw new ArgumentError(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
  const merged = x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
  return reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
}

/** Sums a gradient of a broadcast shape down to `shape` (the inverse of broadcasting). */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  if (lead < 0) throw new ShapeError(`sumToShape: cannot reduce ${fmt(g.shape)} to ${fmt(shape)}`);
  const kept: number[] = [];
  for (let i = lead; i < g.ndim; i++) {
    if (shape[i - lead] === 1 && g.shape[i] !== 1) kept.push(i);
    else if (shape[i - lead] !== g.shape[i]) throw new ShapeError(`sumToShape: cannot reduce ${fmt(g.shape)} to ${fmt(shape)}`);
  }
  // Broadcast dims keep their size-1 place, leading ones go: the result has `shape` itself, not a view
  // reshaped to it (a bias's gradient is a tensor of its own, as PyTorch's).
  const inner = kept.length > 0 ? g.sum(kept, true) : g;
  return lead > 0 ? inner.sum(Array.from({ length: lead }, (_, i) => i)) : inner;
}

/**
 * Joins tensors along an existing dim; all other sizes must match. Dtypes are promoted.
 * @example cr.cat([a, b], 0)
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors as unknown) || tensors.length === 0) throw new ArgumentError("cat: expected a non-empty array of tensors");
  tensors.forEach((t) => checkTensor("cat", t));
  const first = tensors[0]!;
  if (first.ndim === 0) throw new ShapeError("cat: zero-dim tensors cannot be concatenated; use stack");
  const d = normalizeDim("cat", dim, first.ndim);
  tensors.forEach((t, i) => {
    const same = t.ndim === first.ndim && t.shape.every((s, j) => j === d || s === first.shape[j]);
    if (!same) {
      throw new ShapeError(`cat: tensor ${i} has shape ${fmt(t.shape)}, which does not match tensor 0's ${fmt(first.shape)} outside dim ${d}`);
    }
  });
  const dtype = tensors.map((t) => t.dtype).reduce(promoteTypes);
  return applyPrimitive("cat", tensors.map((t) => asTensor(t, dtype)), { axis: d });
}

/** Joins tensors of equal shape along a new dim. @example cr.stack([a, b]) // shape [2, ...a.shape] */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors as unknown) || tensors.length === 0) throw new ArgumentError("stack: expected a non-empty array of tensors");
  tensors.forEach((t) => checkTensor("stack", t));
  const first = tensors[0]!;
  tensors.forEach((t, i) => {
    if (!shapesEqual(t.shape, first.shape)) {
      throw new ShapeError(`stack: tensor ${i} has shape ${fmt(t.shape)} but tensor 0 has ${fmt(first.shape)}; all must be equal`);
    }
  });
  const d = normalizeDim("stack", dim, first.ndim + 1);
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}

/**
 * Elements `start, start+step, …` before `end` along `dim`, with Python's slicing rules (negative
 * positions count from the end; out-of-range bounds are clipped). `x.slice(1, 0, 2)` is `x[:, 0:2]`.
 * @example cr.slice(cr.arange(6), 0, 1, 5, 2) // [1, 3]
 */
export function slice(x: Tensor, dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
  checkTensor("slice", x);
  if (x.ndim === 0) throw new ShapeError("slice: a zero-dim tensor cannot be sliced");
  const d = normalizeDim("slice", dim, x.ndim);
  if (!Number.isInteger(step) || step <= 0) throw new ArgumentError(`slice: step must be a positive integer, got ${step}`);
  for (const [name, v] of [["start", start], ["end", end]] as const) {
    if (v !== undefined && v !== null && !Number.isInteger(v)) throw new ArgumentError(`slice: ${name} must be an integer, got ${v}`);
  }
  const size = x.shape[d]!;
  const clip = (v: number) => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
  const s = start === undefined || start === null ? 0 : clip(start);
  const e = end === undefined || end === null ? size : clip(end);
  const len = Math.max(0, Math.ceil((e - s) / step));
  const outShape = [...x.shape];
  outShape[d] = len;
  const starts = x.shape.map((_, i) => (i === d ? (len > 0 ? s : 0) : 0));
  const steps = x.shape.map((_, i) => (i === d ? step : 1));
  return adoptView(applyPrimitive("slice", [x], { starts, steps, outShape, inShape: x.shape }), x, slicedGeometry(x, starts, steps, outShape));
}

/** `length` elements from `start` along `dim`; unlike `slice`, the range must fit. @example cr.narrow(cr.arange(5), 0, 1, 2) // [1, 2] */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  checkTensor("narrow", x);
  const d = normalizeDim("narrow", dim, x.ndim);
  const size = x.shape[d]!;
  const s = start < 0 ? start + size : start;
  if (!Number.isInteger(s) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > size) {
    throw new ArgumentError(`narrow: start ${start} and length ${length} do not fit dim ${d} of size ${size} (shape ${fmt(x.shape)})`);
  }
  return slice(x, d, s, s + length);
}

/** The slice at `index` along `dim`, with that dim removed: `x.select(0, 1)` is `x[1]`. @example cr.select(cr.tensor([[1, 2], [3, 4]]), 1, 0) // [1, 3] */
export function select(x: Tensor, dim: number, index: number): Tensor {
  checkTensor("select", x);
  const d = normalizeDim("select", dim, x.ndim);
  const size = x.shape[d]!;
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new ArgumentError(`select: index ${index} is out of range for dim ${d} of size ${size}`);
  }
  const i = index < 0 ? index + size : index;
  return squeeze(slice(x, d, i, i + 1), d);
}

function checkIndexTensor(op: string, index: Tensor): Tensor {
  checkTensor(op, index);
  return asIndexTensor(op, index);
}

function checkGatherShapes(op: string, x: Tensor, d: number, index: Tensor): void {
  if (index.ndim !== x.ndim) {
    throw new ShapeError(`${op}: index ${fmt(index.shape)} must have as many dims as the input ${fmt(x.shape)}`);
  }
  index.shape.forEach((s, i) => {
    if (i !== d && s > x.shape[i]!) {
      throw new ShapeError(`${op}: index ${fmt(index.shape)} is larger than the input ${fmt(x.shape)} in dim ${i}`);
    }
  });
}

/**
 * Picks along `dim` by `index` (int32, same number of dims): `out[i][j] = x[i][index[i][j]]` for dim 1.
 * @example logProbs.gather(1, targets.unsqueeze(1)) // the log-probability of each target class
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  checkTensor("gather", x);
  index = checkIndexTensor("gather", index);
  const d = normalizeDim("gather", dim, x.ndim);
  checkGatherShapes("gather", x, d, index);
  return applyPrimitive("gather", [x, index], { dim: d });
}

/** A copy of `x` with `src` added at positions `index` along `dim` (PyTorch's `scatter_add`). @example cr.scatterAdd(cr.zeros([3]), 0, cr.tensor([0, 0], { dtype: "int32" }), cr.tensor([1, 2])) // [3, 0, 0] */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  checkTensor("scatterAdd", x);
  index = checkIndexTensor("scatterAdd", index);
  checkTensor("scatterAdd", src);
  const d = normalizeDim("scatterAdd", dim, x.ndim);
  checkGatherShapes("scatterAdd", x, d, index);
  if (!shapesEqual(src.shape, index.shape)) {
    throw new ShapeError(`scatterAdd: src ${fmt(src.shape)} must have the shape of index ${fmt(index.shape)}`);
  }
  return applyPrimitive("scatterAdd", [x, index, asTensor(src, x.dtype)], { dim: d });
}

/** The slices at positions `index` (a 1-D int32 tensor) along `dim`. @example embeddings.indexSelect(0, tokenIds) */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  checkTensor("indexSelect", x);
  index = checkIndexTensor("indexSelect", index);
  if (index.ndim > 1) throw new ShapeError(`indexSelect: index must be 1-D, got shape ${fmt(index.shape)}`);
  const d = normalizeDim("indexSelect", dim, x.ndim);
  return applyPrimitive("indexSelect", [x.ndim === 0 ? x.reshape([1]) : x, index], { dim: d });
}

/** A copy of `x` with slice j of `src` added at slice `index[j]` along `dim` (PyTorch's `index_add`). @example cr.indexAdd(cr.zeros([3]), 0, cr.tensor([0, 0, 2], { dtype: "int32" }), cr.tensor([1, 2, 3])) // [3, 0, 3] */
export function indexAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  checkTensor("indexAdd", x);
  index = checkIndexTensor("indexAdd", index);
  checkTensor("indexAdd", src);
  if (index.ndim > 1) throw new ShapeError(`indexAdd: index must be 1-D, got shape ${fmt(index.shape)}`);
  const d = normalizeDim("indexAdd", dim, x.ndim);
  const expected = x.shape.map((s, i) => (i === d ? index.numel() : s));
  if (!shapesEqual(src.shape, expected)) {
    throw new ShapeError(`indexAdd: src has shape ${fmt(src.shape)}, expected ${fmt(expected)} for input ${fmt(x.shape)} and ${index.numel()} indices`);
  }
  return applyPrimitive("indexAdd", [x, index, asTensor(src, x.dtype)], { dim: d });
}

/**
 * @internal A strided view of `x`'s elements (a view of x's memory, see view-geometry.ts; a copy where the strides
 * are negative, as flip's): element i of the result is element
 * `offset + Σ i[d]·strides[d]` of `x` in row-major order. Strides may be 0 or negative and views may overlap; the
 * gradient adds each element's share back (overlaps add up). The one mechanism behind diagonal, flip,
 * Tensor.unfold and the other ops PyTorch defines as views; the caller checks that every position is in range.
 */
export function asStrided(x: Tensor, shape: readonly number[], strides: readonly number[], offset = 0): Tensor {
  const out = applyPrimitive("asStrided", [x], { shape: [...shape], strides: [...strides], offset, inShape: x.shape });
  return adoptView(out, x, stridedGeometry(x, shape, strides, offset));
}
