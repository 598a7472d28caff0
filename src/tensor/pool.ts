// Pooling over 1, 2 or 3 spatial dims: max and average pooling with PyTorch's ceilMode, countIncludePad and
// divisorOverride, adaptive pooling (bins of PyTorch's sizes), and maxUnpool. Max pooling is a gather at the
// winners a kernel finds; average pooling the windows' sums over divisors worked out once per shape.
import { noGrad } from "../autograd/grad-mode.js";
import { requireFloating } from "../dtype.js";
import { ArgumentError, IndexError, ShapeError } from "../errors.js";
import { product } from "../ops/window-nd.js";
import { fmt } from "../shape.js";
import { arange, tensor, zeros } from "./creation.js";
import { checkTensor, where } from "./elementwise.js";
import type { Tensor } from "./tensor.js";
import { checkNoEmptyWindow, padAfterFor, poolOut, poolWinners, slidingWindows, tupleOf, withBatch } from "./window-spec.js";
import type { SizeN, WindowSpec } from "./window-spec.js";

/** Options of max pooling in any number of dims, as PyTorch's keyword arguments. */
export interface MaxPoolOptions {
  /** Defaults to the kernel size. */
  stride?: SizeN | null;
  /** -Infinity added on each side (at most half the kernel). */
  padding?: SizeN;
  /** The spacing between window elements (default 1). */
  dilation?: SizeN;
  /** Round the output size up: the last window may run past the end (but starts inside the input or its padding). */
  ceilMode?: boolean;
}

/** Options of average pooling in any number of dims, as PyTorch's keyword arguments. */
export interface AvgPoolOptions {
  /** Defaults to the kernel size. */
  stride?: SizeN | null;
  /** Zeros added on each side (at most half the kernel). */
  padding?: SizeN;
  /** Round the output size up (see MaxPoolOptions.ceilMode); the part past the padding never counts. */
  ceilMode?: boolean;
  /** Count the zero padding in each window's average (default true, as PyTorch). */
  countIncludePad?: boolean;
  /** Divide every window's sum by this instead. */
  divisorOverride?: number | null;
}

interface PoolGeometry {
  readonly spec: WindowSpec;
  readonly outs: number[];
  readonly padding: number[];
}

// The windows of a pooling op on `spatial`, PyTorch's checks and output sizes included.
function poolGeometry(op: string, spatial: readonly number[], kernelSize: SizeN, stride: SizeN | null | undefined, padding: SizeN, dilation: SizeN, ceilMode: boolean): PoolGeometry {
  const dims = spatial.length;
  const kernel = tupleOf(op, "kernelSize", kernelSize, dims, 1);
  const st = tupleOf(op, "stride", stride ?? kernel, dims, 1);
  const pad = tupleOf(op, "padding", padding, dims, 0);
  const dil = tupleOf(op, "dilation", dilation, dims, 1);
  if (pad.some((p, d) => p * 2 > kernel[d]!)) throw new ArgumentError(`${op}: padding ${fmt(pad)} must be at most half the kernel ${fmt(kernel)}`);
  const outs = spatial.map((s, d) => poolOut(s, kernel[d]!, st[d]!, pad[d]!, dil[d]!, ceilMode));
  if (outs.some((o) => o < 1)) {
    throw new ShapeError(`${op}: the output size ${fmt(outs)} is too small for the input ${fmt(spatial)} (kernel ${fmt(kernel)}, stride ${fmt(st)}, padding ${fmt(pad)}, dilation ${fmt(dil)})`);
  }
  const padAfter = spatial.map((s, d) => padAfterFor(s, outs[d]!, kernel[d]!, st[d]!, pad[d]!, dil[d]!));
  return { spec: { kernel, stride: st, padBefore: pad, padAfter, dilation: dil }, outs, padding: pad };
}

/**
 * Max pooling over `dims` spatial dims of `input` (`[N, C, ...spatial]` or unbatched), with each window's winner
 * as a flat index into its plane (int32): PyTorch's `max_poolNd(..., return_indices=True)`.
 */
export function maxPoolNd(op: string, dims: number, input: Tensor, kernelSize: SizeN, opts: MaxPoolOptions = {}): [Tensor, Tensor] {
  checkTensor(op, input);
  let indices: Tensor | null = null;
  const values = withBatch(op, input, dims, (x) => {
    const [n, c] = x.shape as [number, number];
    const spatial = x.shape.slice(2);
    const { spec, outs } = poolGeometry(op, spatial, kernelSize, opts.stride, opts.padding ?? 0, opts.dilation ?? 1, opts.ceilMode ?? false);
    checkNoEmptyWindow(op, x.shape, spec);
    const winners = poolWinners(x, spec);
    const l = product(outs);
    indices = input.ndim === dims + 1 ? winners.squeeze(0) : winners;
    return x.reshape([n, c, product(spatial)]).gather(2, winners.reshape([n, c, l])).reshape([n, c, ...outs]);
  });
  return [values, indices!];
}

// What each window's sum is divided by, per dim (PyTorch's avg_pool): with the padding, the window up to the end of
// the padding (ceilMode's part past it never counts); without, only its in-input part.
function divisors(spatial: readonly number[], g: PoolGeometry, countIncludePad: boolean): number[][] {
  return spatial.map((size, d) => Array.from({ length: g.outs[d]! }, (_, o) => {
    const start = o * g.spec.stride[d]! - g.padding[d]!;
    const end = Math.min(start + g.spec.kernel[d]!, size + g.padding[d]!);
    return countIncludePad ? end - start : Math.min(end, size) - Math.max(start, 0);
  }));
}

/** Average pooling over `dims` spatial dims of `input` (`[N, C, ...spatial]` or unbatched). */
export function avgPoolNd(op: string, dims: number, input: Tensor, kernelSize: SizeN, opts: AvgPoolOptions = {}): Tensor {
  checkTensor(op, input);
  requireFloating(op, input.dtype);
  const div = opts.divisorOverride;
  if (div !== undefined && div !== null && (!Number.isInteger(div) || div === 0)) throw new ArgumentError(`${op}: divisorOverride must be a non-zero integer, got ${div}`);
  return withBatch(op, input, dims, (x) => {
    const [n, c] = x.shape as [number, number];
    const spatial = x.shape.slice(2);
    const g = poolGeometry(op, spatial, kernelSize, opts.stride, opts.padding ?? 0, 1, opts.ceilMode ?? false);
    // Each channel on its own: [N·C, 1, ...spatial] → [N·C, K, L], then each window's sum.
    const cols = slidingWindows(x.reshape([n * c, 1, ...spatial]), g.spec, 0);
    let pooled: Tensor;
    if (div !== undefined && div !== null) pooled = cols.sum(1).div(div);
    else {
      const per = divisors(spatial, g, opts.countIncludePad ?? true);
      if (per.every((v, d) => v.every((s) => s === g.spec.kernel[d]))) {
        pooled = cols.mean(1); // every window divided by its whole size
      } else {
        // The divisor of window (o1, …, od) is the product of each dim's: an outer product, made once per shape.
        let grid: number[] = [1];
        for (const v of per) grid = grid.flatMap((a) => v.map((b) => a * b));
        pooled = cols.sum(1).div(tensor(grid, { dtype: x.dtype }));
      }
    }
    return pooled.reshape([n, c, ...g.outs]);
  });
}

/** The bins of adaptive pooling along one dim (PyTorch's): bin i covers [⌊i·size/out⌋, ⌈(i+1)·size/out⌉). */
function bins(size: number, out: number): { start: number; end: number }[] {
  return Array.from({ length: out }, (_, i) => ({ start: Math.floor((i * size) / out), end: Math.ceil(((i + 1) * size) / out) }));
}

function adaptiveSizes(op: string, outputSize: SizeN | readonly (number | null)[], spatial: readonly number[]): number[] {
  const dims = spatial.length;
  const list = typeof outputSize === "number" ? new Array<number>(dims).fill(outputSize) : outputSize.map((s, d) => s ?? spatial[d]!);
  if (list.length !== dims || list.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new ArgumentError(`${op}: outputSize must be a non-negative integer or a list of ${dims} of them (null keeps a size), got ${JSON.stringify(outputSize)}`);
  }
  return list;
}

/**
 * Adaptive average pooling over `dims` spatial dims: each output element the mean of its bin. The means are
 * separable, so each dim is one product with a matrix of the bins' weights (or a plain mean, or an ordinary
 * average pooling where the bins are equal).
 */
export function adaptiveAvgPoolNd(op: string, dims: number, input: Tensor, outputSize: SizeN | readonly (number | null)[]): Tensor {
  checkTensor(op, input);
  requireFloating(op, input.dtype);
  return withBatch(op, input, dims, (x) => {
    const spatial = x.shape.slice(2);
    const outs = adaptiveSizes(op, outputSize, spatial);
    if (spatial.some((s) => s === 0)) throw new ShapeError(`${op}: the input ${fmt(x.shape)} has an empty spatial dim`);
    if (spatial.every((s, d) => s % outs[d]! === 0 && outs[d]! > 0)) {
      const kernel = spatial.map((s, d) => s / outs[d]!);
      return avgPoolNd(op, dims, x, kernel, { stride: kernel });
    }
    let y = x;
    for (let d = 0; d < dims; d++) {
      const size = spatial[d]!, out = outs[d]!;
      const axis = 2 + d;
      if (out === size) continue;
      const weights = new Array<number>(out * size).fill(0);
      bins(size, out).forEach(({ start, end }, i) => {
        for (let j = start; j < end; j++) weights[i * size + j] = 1 / (end - start);
      });
      const m = tensor(weights, { dtype: x.dtype }).reshape([out, size]);
      // Along the last dim: y·Mᵀ; along any other: move it last and back.
      const moved = axis === y.ndim - 1 ? y : y.transpose(axis, -1);
      const pooled = moved.matmul(m.t());
      y = axis === y.ndim - 1 ? pooled : pooled.transpose(axis, -1);
    }
    return y;
  });
}

/**
 * Adaptive max pooling over `dims` spatial dims, with each bin's winner as a flat index into its plane (int32): the
 * first maximum in the bin, or its last NaN (PyTorch's rule).
 */
export function adaptiveMaxPoolNd(op: string, dims: number, input: Tensor, outputSize: SizeN | readonly (number | null)[]): [Tensor, Tensor] {
  checkTensor(op, input);
  requireFloating(op, input.dtype);
  let indices: Tensor | null = null;
  const values = withBatch(op, input, dims, (x) => {
    const [n, c] = x.shape as [number, number];
    const spatial = x.shape.slice(2);
    const outs = adaptiveSizes(op, outputSize, spatial);
    if (spatial.some((s) => s === 0)) throw new ShapeError(`${op}: the input ${fmt(x.shape)} has an empty spatial dim`);
    const plane = product(spatial), l = product(outs);
    let winners: Tensor;
    if (spatial.every((s, d) => outs[d]! > 0 && s % outs[d]! === 0)) {
      const kernel = spatial.map((s, d) => s / outs[d]!);
      const zero = new Array<number>(dims).fill(0), one = new Array<number>(dims).fill(1);
      winners = poolWinners(x, { kernel, stride: kernel, padBefore: zero, padAfter: zero, dilation: one });
    } else {
      winners = noGrad(() => binWinners(x, spatial, outs));
    }
    indices = input.ndim === dims + 1 ? winners.squeeze(0) : winners;
    return x.reshape([n, c, plane]).gather(2, winners.reshape([n, c, l])).reshape([n, c, ...outs]);
  });
  return [values, indices!];
}

// Each bin's winner for bins of unequal sizes: the bins' elements gathered into rows of the largest bin's size (the
// rest of a row pointing at a -Infinity appended to the plane, after the bin's own elements so it never wins a tie),
// then the first largest or the last NaN of each row.
function binWinners(x: Tensor, spatial: readonly number[], outs: readonly number[]): Tensor {
  const [n, c] = x.shape as [number, number];
  const plane = product(spatial), l = product(outs);
  const perDim = spatial.map((s, d) => bins(s, outs[d]!));
  const widths = perDim.map((b) => Math.max(...b.map(({ start, end }) => end - start)));
  const k = product(widths);
  const strides = spatial.map((_, d) => product(spatial.slice(d + 1)));
  const table = new Int32Array(l * k).fill(plane);
  for (let j = 0; j < l; j++) {
    const o = outs.map((_, d) => Math.floor(j / product(outs.slice(d + 1))) % outs[d]!);
    for (let kk = 0; kk < k; kk++) {
      let at = 0, inside = true;
      for (let d = 0; d < spatial.length; d++) {
        const offset = Math.floor(kk / product(widths.slice(d + 1))) % widths[d]!;
        const { start, end } = perDim[d]![o[d]!]!;
        if (start + offset >= end) inside = false;
        at += (start + offset) * strides[d]!;
      }
      if (inside) table[j * k + kk] = at;
    }
  }
  // The rows' padding as a mask rather than a -Infinity appended to the plane: no constant the batch's size, so
  // the graph follows any batch (onnx.export).
  const rowsIndex = tensor(table, { dtype: "int32" });
  const inBin = rowsIndex.lt(plane).reshape([l, k]);
  const rows = where(inBin, x.reshape([n, c, plane]).indexSelect(2, where(inBin.flatten(), rowsIndex, 0)).reshape([n, c, l, k]), -Infinity);
  const isNan = rows.isnan();
  const position = arange(k, { dtype: "int32" });
  const lastNan = where(isNan, position.add(1), 0).argmax(3);
  const firstMax = rows.argmax(3);
  const winnerInRow = where(isNan.any(3), lastNan, firstMax);
  const atInTable = winnerInRow.add(arange(l, { dtype: "int32" }).mul(k));
  return rowsIndex.indexSelect(0, atInTable.flatten()).reshape([n, c, ...outs]);
}

/**
 * The inverse of max pooling over `dims` spatial dims: `input`'s values at the positions `indices` of an output of
 * `outputSize` (zeros elsewhere), as PyTorch's max_unpool: where an index repeats, the last write wins, and each
 * value's gradient is the output's gradient at its index.
 */
export function maxUnpoolNd(op: string, dims: number, input: Tensor, indices: Tensor, outputSize: readonly number[]): Tensor {
  checkTensor(op, input);
  checkTensor(op, indices);
  if (indices.dtype !== "int32") throw new ArgumentError(`${op}: indices must be int32 (from maxPool with returnIndices), got ${indices.dtype}`);
  if (input.shape.length !== indices.shape.length || input.shape.some((s, i) => s !== indices.shape[i])) {
    throw new ShapeError(`${op}: input ${fmt(input.shape)} and indices ${fmt(indices.shape)} must have the same shape`);
  }
  const unbatched = input.ndim === dims + 1;
  if (outputSize.length !== dims || outputSize.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new ArgumentError(`${op}: outputSize must be ${dims} sizes, got ${JSON.stringify(outputSize)}`);
  }
  return withBatch(op, input, dims, (x) => {
    const [n, c] = x.shape as [number, number];
    const l = product(x.shape.slice(2)), plane = product(outputSize);
    const idx = (unbatched ? indices.unsqueeze(0) : indices).reshape([n, c, l]);
    const src = x.reshape([n, c, l]);
    // Reading the indices: where one repeats within a plane, every write but the last is dropped from the values
    // (but not from the gradient, which PyTorch gives every one).
    const at = idx.toTypedArray() as Int32Array;
    const last = new Uint8Array(at.length).fill(1);
    for (let p = 0; p < n * c; p++) {
      const seen = new Map<number, number>();
      for (let j = 0; j < l; j++) {
        const v = at[p * l + j]!;
        if (v < 0 || v >= plane) throw new IndexError(`${op}: index ${v} is out of bounds for an output of size ${fmt(outputSize)}`);
        const before = seen.get(v);
        if (before !== undefined) last[before] = 0;
        seen.set(v, p * l + j);
      }
    }
    const base = zeros([n, c, plane], { dtype: x.dtype });
    let out = base.scatterAdd(2, idx, src);
    if (last.includes(0)) {
      const dropped = where(tensor(last, { dtype: "bool" }).reshape([n, c, l]), 0, src.detach());
      out = out.sub(base.scatterAdd(2, idx, dropped));
    }
    return out.reshape([n, c, ...outputSize]);
  });
}
