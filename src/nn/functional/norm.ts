// Functional normalisation: batchNorm (batch statistics in training, running ones in evaluation) and layerNorm.
import { noGrad } from "../../autograd/grad-mode.js";
import { applyPrimitive, tracingPrimitives } from "../../autograd/dispatch.js";
import { requireFloating } from "../../dtype.js";
import { ArgumentError, ShapeError } from "../../errors.js";
import { fmt, shapesEqual } from "../../shape.js";
import { checkTensor } from "../../tensor/elementwise.js";
import type { Tensor } from "../../tensor/tensor.js";

/** Options of `batchNorm`, as PyTorch's keyword arguments. */
export interface BatchNormFnOptions {
  /** Per-channel scale `[C]` (gamma). */
  weight?: Tensor | null;
  /** Per-channel shift `[C]` (beta). */
  bias?: Tensor | null;
  /** Normalise with the batch's statistics (and update the running ones) instead of the running ones. */
  training?: boolean;
  /** Weight of the new batch in the running statistics' update (default 0.1); a one-element tensor is read on its backend. */
  momentum?: number | Tensor;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

function checkChannelTensor(op: string, name: string, t: Tensor | null | undefined, c: number): void {
  if (t === null || t === undefined) return;
  checkTensor(op, t);
  if (t.ndim !== 1 || t.shape[0] !== c) throw new ShapeError(`${op}: ${name} must be [${c}] for an input with ${c} channels, got ${fmt(t.shape)}`);
}

/** `batchNorm` with `op` naming the caller in errors. */
export function batchNormAs(op: string, input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, opts: BatchNormFnOptions = {}): Tensor {
  checkTensor(op, input);
  requireFloating(op, input.dtype);
  if (input.ndim < 2) throw new ShapeError(`${op}: expected input [N, C, ...] with at least 2 dims, got ${fmt(input.shape)}`);
  const c = input.shape[1]!;
  checkChannelTensor(op, "runningMean", runningMean, c);
  checkChannelTensor(op, "runningVar", runningVar, c);
  checkChannelTensor(op, "weight", opts.weight, c);
  checkChannelTensor(op, "bias", opts.bias, c);
  const { training = false, momentum = 0.1, eps = 1e-5 } = opts;
  const dims = input.shape.map((_, i) => i).filter((i) => i !== 1);
  const bshape = input.shape.map((s, i) => (i === 1 ? s : 1));
  let mean: Tensor;
  let variance: Tensor;
  if (training) {
    const n = input.numel() / c;
    if (n <= 1) throw new ArgumentError(`${op}: expected more than 1 value per channel when training, got input ${fmt(input.shape)}`);
    mean = input.mean(dims, true);
    // Normalise with the biased variance, but track the unbiased one, as PyTorch does.
    variance = input.var(dims, { correction: 0, keepdim: true });
    const batchMean = mean.detach().reshape([c]);
    const batchVar = variance.detach().reshape([c]).mul(n / (n - 1));
    noGrad(() => {
      const keep = typeof momentum === "number" ? 1 - momentum : momentum.neg().add(1);
      runningMean?.mul_(keep).add_(batchMean.mul(momentum));
      runningVar?.mul_(keep).add_(batchVar.mul(momentum));
    });
  } else {
    if (runningMean === null || runningVar === null) throw new ArgumentError(`${op}: runningMean and runningVar are required when training is false`);
    mean = runningMean.reshape(bshape);
    variance = runningVar.reshape(bshape);
  }
  let out = input.sub(mean).div(variance.add(eps).sqrt());
  if (opts.weight) out = out.mul(opts.weight.reshape(bshape));
  if (opts.bias) out = out.add(opts.bias.reshape(bshape));
  return out;
}

/**
 * Batch normalisation over dim 1 of `[N, C, ...]`: `(x - mean) / √(var + eps) · weight + bias`.
 * In training it uses the batch's mean and biased variance and updates `runningMean`/`runningVar`
 * in place (with the unbiased variance); otherwise it uses them.
 * @example cr.nn.functional.batchNorm(x, rm, rv, { training: true, momentum: 0.1 })
 */
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, opts: BatchNormFnOptions = {}): Tensor {
  return batchNormAs("batchNorm", input, runningMean, runningVar, opts);
}

/** Options of `layerNorm`. */
export interface LayerNormFnOptions {
  /** Elementwise scale, of shape `normalizedShape`. */
  weight?: Tensor | null;
  /** Elementwise shift, of shape `normalizedShape`. */
  bias?: Tensor | null;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

/**
 * The fused primitive (one kernel a row forward, the statistics recomputed by its backward, none kept): for a
 * non-empty input whose weight and bias share its dtype and backend. Null where the composite runs instead: those
 * cases, and ONNX traces (which record the composite's ops).
 */
function fusedLayerNorm(input: Tensor, shape: readonly number[], opts: LayerNormFnOptions): Tensor | null {
  const affine = [opts.weight, opts.bias].filter((t): t is Tensor => t !== null && t !== undefined);
  if (input.numel() === 0 || tracingPrimitives() || affine.some((t) => t.dtype !== input.dtype || t._backend !== input._backend)) return null;
  const size = shape.reduce((a, b) => a * b, 1);
  const params = { size, eps: opts.eps ?? 1e-5, weight: opts.weight != null, bias: opts.bias != null };
  return applyPrimitive("layerNorm", [input, ...affine], params);
}

/** `layerNorm` with `op` naming the caller in errors. */
export function layerNormAs(op: string, input: Tensor, normalizedShape: number | readonly number[], opts: LayerNormFnOptions = {}): Tensor {
  checkTensor(op, input);
  requireFloating(op, input.dtype);
  const shape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
  const k = shape.length;
  if (k === 0 || input.ndim < k || !shapesEqual(input.shape.slice(input.ndim - k), shape)) {
    throw new ShapeError(`${op}: input ${fmt(input.shape)} does not end with the normalized shape ${fmt(shape)}`);
  }
  for (const [name, t] of [["weight", opts.weight], ["bias", opts.bias]] as const) {
    if (t !== null && t !== undefined && !shapesEqual(t.shape, shape)) throw new ShapeError(`${op}: ${name} must be ${fmt(shape)}, got ${fmt(t.shape)}`);
  }
  const fused = fusedLayerNorm(input, shape, opts);
  if (fused !== null) return fused;
  const dims = shape.map((_, i) => input.ndim - k + i);
  const mean = input.mean(dims, true);
  const variance = input.var(dims, { correction: 0, keepdim: true });
  let out = input.sub(mean).div(variance.add(opts.eps ?? 1e-5).sqrt());
  if (opts.weight) out = out.mul(opts.weight);
  if (opts.bias) out = out.add(opts.bias);
  return out;
}

/**
 * Layer normalisation over the last dims (`normalizedShape`), with the biased variance.
 * @example cr.nn.functional.layerNorm(x, [x.shape.at(-1)!], { weight: g, bias: b })
 */
export function layerNorm(input: Tensor, normalizedShape: number | readonly number[], opts: LayerNormFnOptions = {}): Tensor {
  return layerNormAs("layerNorm", input, normalizedShape, opts);
}
