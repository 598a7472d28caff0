// Resizing: `interpolate` (PyTorch's F.interpolate: nearest, nearest-exact, linear, bilinear, bicubic, trilinear and
// area) and pixelShuffle/pixelUnshuffle. Every mode but area is separable: one dim at a time, each output element a
// weighted sum of a few input elements along that dim (gathered with indexSelect, so the gradient is an indexAdd).
// Source positions and weights follow PyTorch's coordinate rules, in the precision its cpu kernels compute them.
import { ArgumentError, DTypeError, ShapeError } from "../errors.js";
import { isFloating } from "../dtype.js";
import { fmt } from "../shape.js";
import { tensor } from "./creation.js";
import { checkTensor } from "./elementwise.js";
import { adaptiveAvgPoolNd } from "./pool.js";
import type { Tensor } from "./tensor.js";

/** How `interpolate` computes each output element. */
export type InterpolateMode = "nearest" | "nearest-exact" | "linear" | "bilinear" | "bicubic" | "trilinear" | "area";

/** Options of `interpolate`, as PyTorch's keyword arguments: give `size` or `scaleFactor`. */
export interface InterpolateOptions {
  /** The output's spatial size: one number for every spatial dim, or one per dim. */
  size?: number | readonly number[] | null;
  /** The output's spatial size as a multiple of the input's (rounded down), one or one per dim. */
  scaleFactor?: number | readonly number[] | null;
  /** Default "nearest". */
  mode?: InterpolateMode;
  /** Linear modes: map the corner pixels' centres onto each other rather than the corners themselves (default false). */
  alignCorners?: boolean | null;
  /** Compute the source positions from the sizes rather than from `scaleFactor` (default false; always for "area"). */
  recomputeScaleFactor?: boolean | null;
  /** Only false is supported. */
  antialias?: boolean;
}

/** The spatial dims each mode works on (PyTorch raises for the others). */
const MODE_DIMS: Readonly<Record<InterpolateMode, readonly number[]>> = {
  nearest: [1, 2, 3], "nearest-exact": [1, 2, 3], area: [1, 2, 3], linear: [1], bilinear: [2], bicubic: [2], trilinear: [3],
};

/** One output position's source elements along a dim and their weights. */
interface Taps {
  readonly index: number[][];
  readonly weight: number[][] | null;
}

// PyTorch's area_pixel_compute_scale: the step between source positions of neighbouring outputs.
function linearScale(inSize: number, outSize: number, alignCorners: boolean, scale: number | null, round: (v: number) => number): number {
  if (alignCorners) return outSize > 1 ? round((inSize - 1) / (outSize - 1)) : 0;
  return scale !== null && scale > 0 ? round(1 / scale) : round(inSize / outSize);
}

// PyTorch's area_pixel_compute_source_index: where output `o` samples the input.
function sourceIndex(scale: number, o: number, alignCorners: boolean, cubic: boolean, round: (v: number) => number): number {
  if (alignCorners) return round(scale * o);
  const src = round(scale * (o + 0.5) - 0.5);
  return !cubic && src < 0 ? 0 : src;
}

function nearestTaps(inSize: number, outSize: number, scale: number | null, exact: boolean): Taps {
  // The cpu kernels work in float32 whatever the dtype (nearest_idx, nearest_exact_idx).
  const s = Math.fround(scale !== null && scale > 0 ? 1 / scale : inSize / outSize);
  const index = Array.from({ length: outSize }, (_, o) => {
    if (exact) return Math.min(Math.floor((o + 0.5) * s), inSize - 1);
    if (outSize === inSize) return o;
    if (outSize === 2 * inSize) return o >> 1;
    return Math.min(Math.floor(Math.fround(o * s)), inSize - 1);
  });
  return { index: [index], weight: null };
}

function linearTaps(inSize: number, outSize: number, alignCorners: boolean, scale: number | null, round: (v: number) => number): Taps {
  const i0: number[] = [], i1: number[] = [], w0: number[] = [], w1: number[] = [];
  const step = linearScale(inSize, outSize, alignCorners, scale, round);
  for (let o = 0; o < outSize; o++) {
    if (outSize === inSize) {
      i0.push(o);
      i1.push(o);
      w0.push(1);
      w1.push(0);
      continue;
    }
    const src = sourceIndex(step, o, alignCorners, false, round);
    const lo = Math.min(Math.floor(src), inSize - 1);
    const lambda = Math.min(Math.max(round(src - lo), 0), 1);
    i0.push(lo);
    i1.push(lo < inSize - 1 ? lo + 1 : lo);
    w0.push(round(1 - lambda));
    w1.push(lambda);
  }
  return { index: [i0, i1], weight: [w0, w1] };
}

// Keys' cubic convolution with A = −0.75, as PyTorch: the weights of the four neighbours at distance t from the first.
function cubicWeights(t: number, round: (v: number) => number): number[] {
  const a = -0.75;
  const near = (x: number) => round(round(round(round(round((a + 2) * x) - (a + 3)) * x) * x) + 1);
  const far = (x: number) => round(round(round(round(round(round(a * x) - 5 * a) * x) + 8 * a) * x) - 4 * a);
  return [far(round(t + 1)), near(t), near(round(1 - t)), far(round(round(1 - t) + 1))];
}

function cubicTaps(inSize: number, outSize: number, alignCorners: boolean, scale: number | null, round: (v: number) => number): Taps {
  const index: number[][] = [[], [], [], []], weight: number[][] = [[], [], [], []];
  const step = linearScale(inSize, outSize, alignCorners, scale, round);
  for (let o = 0; o < outSize; o++) {
    const src = sourceIndex(step, o, alignCorners, true, round);
    const at = Math.floor(src);
    const w = cubicWeights(round(src - at), round);
    // Neighbours past an edge repeat the edge element.
    for (let j = 0; j < 4; j++) {
      index[j]!.push(Math.max(Math.min(at - 1 + j, inSize - 1), 0));
      weight[j]!.push(w[j]!);
    }
  }
  return { index, weight };
}

// Resamples `x` along `axis` with `taps`: Σ_j x[index_j] · weight_j, the taps added in order as PyTorch's kernels do.
function resample(x: Tensor, axis: number, taps: Taps): Tensor {
  const parts = taps.index.map((index, j) => {
    const picked = x.indexSelect(axis, tensor(index, { dtype: "int32" }));
    const shape = x.shape.map((_, d) => (d === axis ? index.length : 1));
    return taps.weight === null ? picked : picked.mul(tensor(taps.weight[j]!, { dtype: x.dtype }).reshape(shape));
  });
  return parts.reduce((sum, p) => sum.add(p));
}

function perDim(op: string, name: string, v: number | readonly number[], dims: number, integer: boolean): number[] {
  const list = typeof v === "number" ? new Array<number>(dims).fill(v) : [...v];
  if (list.length !== dims || list.some((s) => !Number.isFinite(s) || (integer && !Number.isInteger(s)) || s < 0)) {
    throw new ArgumentError(`${op}: ${name} must be ${integer ? "a non-negative integer" : "a non-negative number"} or a list of ${dims} of them, got ${JSON.stringify(v)}`);
  }
  return list;
}

/**
 * Resizes `input` (`[N, C, L]`, `[N, C, H, W]` or `[N, C, D, H, W]`) to `size`, or by `scaleFactor`, as PyTorch's
 * `F.interpolate`: "nearest" (the default; PyTorch's legacy rounding), "nearest-exact", "linear", "bilinear",
 * "bicubic" (Keys, A = −0.75; it may overshoot the input's range) and "trilinear", with or without `alignCorners`,
 * and "area" (adaptive average pooling).
 * @example cr.nn.functional.interpolate(images, { scaleFactor: 2, mode: "bilinear" })
 */
export function interpolate(input: Tensor, opts: InterpolateOptions = {}): Tensor {
  const op = "interpolate";
  checkTensor(op, input);
  const mode = opts.mode ?? "nearest";
  if (!(mode in MODE_DIMS)) throw new ArgumentError(`${op}: mode must be one of ${Object.keys(MODE_DIMS).join(", ")}, got ${JSON.stringify(mode)}`);
  const dims = input.ndim - 2;
  if (dims < 1 || dims > 3) throw new ShapeError(`${op}: expected a 3-D, 4-D or 5-D input ([N, C, ...spatial]), got ${fmt(input.shape)}`);
  if (!MODE_DIMS[mode].includes(dims)) throw new ShapeError(`${op}: mode "${mode}" needs a ${MODE_DIMS[mode][0]! + 2}-D input, got ${fmt(input.shape)}`);
  const linearMode = mode === "linear" || mode === "bilinear" || mode === "bicubic" || mode === "trilinear";
  if (!linearMode && opts.alignCorners !== undefined && opts.alignCorners !== null) {
    throw new ArgumentError(`${op}: alignCorners can only be set with the interpolating modes linear, bilinear, bicubic and trilinear, not "${mode}"`);
  }
  if (opts.antialias === true) throw new ArgumentError(`${op}: antialias is not supported`);
  if (linearMode && !isFloating(input.dtype)) throw new DTypeError(`${op}: mode "${mode}" needs a floating-point input, got ${input.dtype}`);
  const hasSize = opts.size !== undefined && opts.size !== null, hasScale = opts.scaleFactor !== undefined && opts.scaleFactor !== null;
  if (hasSize === hasScale) throw new ArgumentError(`${op}: give exactly one of size and scaleFactor`);
  if (hasSize && opts.recomputeScaleFactor === true) throw new ArgumentError(`${op}: recomputeScaleFactor is not meaningful with an explicit size`);
  const spatial = input.shape.slice(2);
  let outs: number[];
  let scales: (number | null)[] = new Array<number | null>(dims).fill(null);
  if (hasSize) outs = perDim(op, "size", opts.size!, dims, true);
  else {
    const factors = perDim(op, "scaleFactor", opts.scaleFactor!, dims, false);
    outs = spatial.map((s, d) => Math.floor(s * factors[d]!));
    if (opts.recomputeScaleFactor !== true && mode !== "area") scales = factors;
  }
  if (spatial.some((s) => s <= 0) || outs.some((s) => s <= 0)) {
    throw new ShapeError(`${op}: input and output sizes must be greater than 0, got input ${fmt(spatial)} and output ${fmt(outs)}`);
  }
  if (mode === "area") return adaptiveAvgPoolNd(op, dims, input, outs);
  const alignCorners = opts.alignCorners ?? false;
  const round = input.dtype === "float32" ? Math.fround : (v: number) => v;
  let y = input;
  // The last dim first: PyTorch's kernels sum the innermost dim's taps first.
  for (let d = dims - 1; d >= 0; d--) {
    const inSize = spatial[d]!, outSize = outs[d]!, scale = scales[d]!;
    const taps = mode === "nearest" || mode === "nearest-exact" ? nearestTaps(inSize, outSize, scale, mode === "nearest-exact")
      : mode === "bicubic" ? cubicTaps(inSize, outSize, alignCorners, scale, round)
      : linearTaps(inSize, outSize, alignCorners, scale, round);
    y = resample(y, 2 + d, taps);
  }
  return y;
}

/**
 * Rearranges `[*, C·r², H, W]` into `[*, C, H·r, W·r]`: each channel's r² sub-pixels laid out in r×r blocks
 * (PyTorch's `pixel_shuffle`, sub-pixel convolution's last step).
 * @example cr.pixelShuffle(cr.zeros([1, 8, 3, 3]), 2).shape // [1, 2, 6, 6]
 */
export function pixelShuffle(input: Tensor, upscaleFactor: number): Tensor {
  const op = "pixelShuffle";
  checkTensor(op, input);
  const r = upscaleFactor;
  if (!Number.isInteger(r) || r < 1) throw new ArgumentError(`${op}: upscaleFactor must be a positive integer, got ${r}`);
  if (input.ndim < 3 || input.shape[input.ndim - 3]! % (r * r) !== 0) {
    throw new ShapeError(`${op}: expected input [*, C·${r * r}, H, W] (channels divisible by ${r * r}), got ${fmt(input.shape)}`);
  }
  const batch = input.shape.slice(0, -3);
  const [c, h, w] = input.shape.slice(-3) as [number, number, number];
  const oc = c / (r * r), b = batch.length;
  return input.reshape([...batch, oc, r, r, h, w])
    .permute([...batch.map((_, i) => i), b, b + 3, b + 1, b + 4, b + 2])
    .reshape([...batch, oc, h * r, w * r]);
}

/**
 * The inverse of `pixelShuffle`: `[*, C, H·r, W·r]` → `[*, C·r², H, W]` (PyTorch's `pixel_unshuffle`).
 * @example cr.pixelUnshuffle(cr.zeros([1, 2, 6, 6]), 2).shape // [1, 8, 3, 3]
 */
export function pixelUnshuffle(input: Tensor, downscaleFactor: number): Tensor {
  const op = "pixelUnshuffle";
  checkTensor(op, input);
  const r = downscaleFactor;
  if (!Number.isInteger(r) || r < 1) throw new ArgumentError(`${op}: downscaleFactor must be a positive integer, got ${r}`);
  if (input.ndim < 3 || input.shape[input.ndim - 2]! % r !== 0 || input.shape[input.ndim - 1]! % r !== 0) {
    throw new ShapeError(`${op}: expected input [*, C, H, W] with H and W divisible by ${r}, got ${fmt(input.shape)}`);
  }
  const batch = input.shape.slice(0, -3);
  const [c, h, w] = input.shape.slice(-3) as [number, number, number];
  const oh = h / r, ow = w / r, b = batch.length;
  return input.reshape([...batch, c, oh, r, ow, r])
    .permute([...batch.map((_, i) => i), b, b + 2, b + 4, b + 1, b + 3])
    .reshape([...batch, c * r * r, oh, ow]);
}
