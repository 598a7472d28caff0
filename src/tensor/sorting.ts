// Sorting and selection: sort, argsort, msort, topk, kthvalue and unique. The positions come from one primitive
// without derivative (argsort: stable, NaN largest, as PyTorch orders); the values are a gather at them, so each
// gradient goes to the element picked, as PyTorch's sort, topk and kthvalue send it.
import { applyPrimitive } from "../autograd/dispatch.js";
import { noGrad } from "../autograd/grad-mode.js";
import { ArgumentError, ShapeError } from "../errors.js";
import { fmt, normalizeDim } from "../shape.js";
import { checkTensor } from "./elementwise.js";
import { cat, narrow, reshape } from "./movement.js";
import { scatter } from "./scatter.js";
import { arangeOn, fullOn, hostInts } from "./on-backend.js";
import { checkNonEmptyReduction } from "./reduce.js";
import type { ValuesIndices } from "./scan.js";
import { cumsum } from "./scan.js";
import type { Tensor } from "./tensor.js";
import { movedim } from "./views.js";

/** Options of `sort` and `argsort`. */
export interface SortOptions {
  /** The dim to sort along (default -1, the last). */
  dim?: number;
  /** Largest first (NaN first, as PyTorch). */
  descending?: boolean;
  /** Keep equal elements in their order. chainrule's sort always does; the flag is accepted for PyTorch's sake. */
  stable?: boolean;
}

function sortOptions(op: string, arg: number | SortOptions | undefined): Required<Omit<SortOptions, "stable">> {
  if (arg === undefined) return { dim: -1, descending: false };
  if (typeof arg === "number") return { dim: arg, descending: false };
  if (typeof arg !== "object" || arg === null) throw new ArgumentError(`${op}: expected a dim or options { dim, descending, stable }, got ${String(arg)}`);
  return { dim: arg.dim ?? -1, descending: arg.descending ?? false };
}

// The sorting permutation along a normalized dim of a tensor with at least one dim.
function order(x: Tensor, axis: number, descending: boolean): Tensor {
  return applyPrimitive("argsort", [x], { axis, descending });
}

/**
 * The elements sorted along `dim` (default the last) and where each came from. Stable; NaN counts as larger than
 * every number (last, or first when descending), as in PyTorch.
 * @example cr.tensor([3, 1, 2]).sort().values // tensor([1, 2, 3])
 */
export function sort(x: Tensor, options?: number | SortOptions): ValuesIndices {
  checkTensor("sort", x);
  const { dim, descending } = sortOptions("sort", options);
  const axis = normalizeDim("sort", dim, x.ndim);
  if (x.ndim === 0) return { values: x.clone(), indices: fullOn(x, [], "int32", 0) };
  const indices = order(x, axis, descending);
  return { values: x.gather(axis, indices), indices };
}

/** The positions that sort `x` along `dim` (sort's indices). @example cr.tensor([3, 1, 2]).argsort() // tensor([1, 2, 0]) */
export function argsort(x: Tensor, options?: number | SortOptions): Tensor {
  checkTensor("argsort", x);
  const { dim, descending } = sortOptions("argsort", options);
  const axis = normalizeDim("argsort", dim, x.ndim);
  if (x.ndim === 0) return fullOn(x, [], "int32", 0);
  return order(x, axis, descending);
}

/** `x` sorted along its first dim (PyTorch's msort). @example cr.msort(cr.tensor([[2, 1], [1, 3]])) // [[1, 1], [2, 3]] */
export function msort(x: Tensor): Tensor {
  return sort(x, { dim: 0 }).values;
}

/** Options of `topk`. */
export interface TopkOptions {
  /** The dim to pick along (default -1). */
  dim?: number;
  /** The largest k (default), or the smallest. */
  largest?: boolean;
  /** Return them in order (chainrule always does; PyTorch may not when false). */
  sorted?: boolean;
}

/**
 * The `k` largest (or smallest) elements along `dim` and their positions, in order; NaN counts as largest.
 * @example cr.tensor([1, 5, 3]).topk(2).values // tensor([5, 3])
 */
export function topk(x: Tensor, k: number, { dim = -1, largest = true }: TopkOptions = {}): ValuesIndices {
  checkTensor("topk", x);
  const axis = normalizeDim("topk", dim, x.ndim);
  const t = x.ndim === 0 ? reshape(x, [1]) : x;
  const n = t.shape[axis]!;
  if (!Number.isInteger(k) || k < 0 || k > n) throw new ArgumentError(`topk: k ${k} is out of range for dim ${axis} of size ${n} (shape ${fmt(x.shape)})`);
  let indices = narrow(order(t, axis, largest), axis, 0, k);
  let values = t.gather(axis, indices);
  if (x.ndim === 0) {
    indices = reshape(indices, []);
    values = reshape(values, []);
  }
  return { values, indices };
}

/**
 * The `k`-th smallest element (k from 1) along `dim` (default -1) and its position; of equal elements the one
 * first in order (PyTorch does not fix which).
 * @example cr.tensor([4, 1, 3]).kthvalue(2).values // tensor(3)
 */
export function kthvalue(x: Tensor, k: number, dim = -1, keepdim = false): ValuesIndices {
  checkTensor("kthvalue", x);
  const axis = normalizeDim("kthvalue", dim, x.ndim);
  const t = x.ndim === 0 ? reshape(x, [1]) : x;
  checkNonEmptyReduction("kthvalue", t, [axis]);
  const n = t.shape[axis]!;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new ArgumentError(`kthvalue: k ${k} is out of range for dim ${axis} of size ${n} (k counts from 1)`);
  let indices = narrow(order(t, axis, false), axis, k - 1, 1);
  let values = t.gather(axis, indices);
  if (!keepdim || x.ndim === 0) {
    indices = indices.squeeze(axis);
    values = values.squeeze(axis);
  }
  return { values, indices };
}

/** Options of `unique`. */
export interface UniqueOptions {
  /** Sorted ascending (chainrule always sorts; PyTorch may not when false). */
  sorted?: boolean;
  /** Also return, for each element, the position of its value in the result. */
  returnInverse?: boolean;
  /** Also return how often each value occurs. */
  returnCounts?: boolean;
  /** The unique slices along this dim, rather than the unique elements. */
  dim?: number;
}

/** What `unique` returns: the values alone, or with the inverse and/or the counts, in PyTorch's order. */
export type UniqueResult<O extends UniqueOptions> = O extends { returnInverse: true; returnCounts: true }
  ? [Tensor, Tensor, Tensor]
  : O extends { returnInverse: true } | { returnCounts: true }
    ? [Tensor, Tensor]
    : Tensor;

// Groups of equal rows among the rows of a matrix [n, m], sorted: the rows' order, which sorted rows start a
// group, and each sorted row's group.
function groupRows(rows: Tensor): { order: Tensor; group: Tensor; count: number } {
  const [n, m] = rows.shape as [number, number];
  // A stable sort by each column from the last to the first sorts the rows lexicographically.
  let perm = arangeOn(rows, n);
  for (let c = m - 1; c >= 0; c--) {
    const column = rows.select(1, c).gather(0, perm);
    perm = perm.gather(0, order(column, 0, false));
  }
  const sorted = rows.indexSelect(0, perm);
  // NaN differs from itself, so every NaN starts a group of its own.
  const starts = n === 0 ? fullOn(rows, [0], "bool", 0)
    : cat([fullOn(rows, [1], "bool", 1), sorted.narrow(0, 1, n - 1).ne(sorted.narrow(0, 0, n - 1)).any(1)], 0);
  const group = cumsum(starts, 0).sub(1);
  const count = n === 0 ? 0 : hostInts("unique", group.narrow(0, n - 1, 1))[0]! + 1;
  return { order: perm, group, count };
}

/**
 * The distinct elements (or, with `dim`, slices along it), sorted; with `returnInverse` each element's position in
 * them, with `returnCounts` how often each occurs. Each NaN is distinct. Not differentiable (as in PyTorch).
 * @example const [values, counts] = cr.tensor([2, 1, 2]).unique({ returnCounts: true }); // [1, 2], [1, 2]
 */
export function unique<O extends UniqueOptions>(x: Tensor, options?: O): UniqueResult<O> {
  checkTensor("unique", x);
  const opts: UniqueOptions = options ?? {};
  const out = noGrad(() => {
    const axis = opts.dim === undefined ? undefined : normalizeDim("unique", opts.dim, x.ndim);
    if (axis !== undefined && x.ndim === 0) throw new ShapeError("unique: a zero-dim tensor has no dim to take slices along");
    const moved = axis === undefined ? reshape(x, [-1, 1]) : reshape(movedim(x, axis, 0), [x.shape[axis]!, -1]);
    const n = moved.shape[0]!;
    const { order: perm, group, count } = groupRows(moved);
    const m = moved.shape[1]!;
    // Each group's rows are equal: writing every row of a group to its slot leaves that row.
    const values = scatter(fullOn(x, [count, m], x.dtype, 0), 0, group.unsqueeze(1).expand([n, m]), moved.indexSelect(0, perm));
    const inverse = scatter(fullOn(x, [n], "int32", 0), 0, perm, group);
    const counts = fullOn(x, [count], "int32", 0).scatterAdd(0, group, fullOn(x, [n], "int32", 1));
    const shapedValues = axis === undefined
      ? reshape(values, [count])
      : movedim(reshape(values, [count, ...x.shape.filter((_, d) => d !== axis)]), 0, axis);
    const shapedInverse = axis === undefined ? reshape(inverse, x.shape) : inverse;
    return [shapedValues, shapedInverse, counts] as const;
  });
  const [values, inverse, counts] = out;
  if (opts.returnInverse === true && opts.returnCounts === true) return [values, inverse, counts] as UniqueResult<O>;
  if (opts.returnInverse === true) return [values, inverse] as UniqueResult<O>;
  if (opts.returnCounts === true) return [values, counts] as UniqueResult<O>;
  return values as UniqueResult<O>;
}
