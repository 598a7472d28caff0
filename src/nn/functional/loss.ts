// Functional losses (`cr.nn.functional.crossEntropy`, …), composed from differentiable tensor ops in
// their numerically stable forms: log-softmax for cross entropy, log-sigmoid for BCE with logits.
import { isFloating, requireFloating } from "../../dtype.js";
import { ArgumentError, DTypeError, ShapeError } from "../../errors.js";
import { broadcastShapes, fmt, shapesEqual } from "../../shape.js";
import { applyOp } from "../../tensor/apply-op.js";
import { capturing } from "../../tensor/capture.js";
import { checkTensor, where } from "../../tensor/elementwise.js";
import { nllLossOf } from "../../tensor/loss.js";
import type { Tensor } from "../../tensor/tensor.js";
import { logSigmoid } from "./activation.js";
import { checkIndices } from "./layers.js";
import { asIndexTensor, isIndexTensor } from "../../tensor/index-dtype.js";

/** How a loss reduces the per-element losses: their mean (default), their sum, or none (keep them). */
export type Reduction = "mean" | "sum" | "none";

/** The option every loss takes. */
export interface ReductionOptions {
  /** How the per-element losses combine: "mean" (default), "sum" or "none". */
  reduction?: Reduction;
}

/** Options of `huberLoss`. */
export interface HuberLossOptions extends ReductionOptions {
  /** Where the loss turns from quadratic to linear (default 1). */
  delta?: number;
}

/** Options of `bceLoss`. */
export interface BceLossOptions extends ReductionOptions {
  /** Rescales each element's loss; broadcasts to the input's shape. */
  weight?: Tensor | null;
}

/** Options of `bceWithLogitsLoss`. */
export interface BceWithLogitsLossOptions extends BceLossOptions {
  /** Weight of the positive examples, per class (broadcast along the last dim). */
  posWeight?: Tensor | null;
}

/** Options of `nllLoss`. */
export interface NllLossOptions extends ReductionOptions {
  /** A weight per class `[C]`; the mean divides by the summed weights of the targets. */
  weight?: Tensor | null;
  /** Targets equal to this contribute nothing, not even to the mean's denominator (default -100). */
  ignoreIndex?: number;
}

/** Options of `crossEntropy`. */
export interface CrossEntropyOptions extends NllLossOptions {
  /** Mixes the target with the uniform distribution: (1 - ε)·target + ε/C (default 0). */
  labelSmoothing?: number;
}

/** Throws unless `reduction` is one of the three; returns it. */
export function checkReduction(op: string, reduction: Reduction | undefined): Reduction {
  const r = reduction ?? "mean";
  if (r !== "mean" && r !== "sum" && r !== "none") throw new ArgumentError(`${op}: reduction must be "mean", "sum" or "none", got ${JSON.stringify(reduction)}`);
  return r;
}

function reduce(loss: Tensor, reduction: Reduction): Tensor {
  return reduction === "mean" ? loss.mean() : reduction === "sum" ? loss.sum() : loss;
}

function sameShapes(op: string, input: Tensor, target: Tensor): void {
  checkTensor(op, input);
  checkTensor(op, target);
  requireFloating(op, input.dtype);
  // PyTorch only warns and broadcasts; [N, 1] against [N] silently making an [N, N] loss is a classic bug.
  if (!shapesEqual(input.shape, target.shape)) throw new ShapeError(`${op}: input ${fmt(input.shape)} and target ${fmt(target.shape)} must have the same shape`);
}

function weighted(op: string, loss: Tensor, weight: Tensor | null | undefined, name = "weight"): Tensor {
  if (weight === null || weight === undefined) return loss;
  checkTensor(op, weight);
  const shape = broadcastShapes(op, loss.shape, weight.shape);
  if (!shapesEqual(shape, loss.shape)) throw new ShapeError(`${op}: ${name} ${fmt(weight.shape)} does not broadcast to the input ${fmt(loss.shape)}`);
  return loss.mul(weight);
}

/**
 * Mean squared error `(input - target)²`, reduced.
 * @example cr.nn.functional.mseLoss(pred, y) // a scalar
 */
export function mseLoss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  const reduction = checkReduction("mseLoss", opts.reduction);
  sameShapes("mseLoss", input, target);
  const d = input.sub(target);
  return reduce(d.mul(d), reduction);
}

/** Mean absolute error `|input - target|`, reduced. @example cr.nn.functional.l1Loss(pred, y, { reduction: "sum" }) */
export function l1Loss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  const reduction = checkReduction("l1Loss", opts.reduction);
  sameShapes("l1Loss", input, target);
  return reduce(input.sub(target).abs(), reduction);
}

/**
 * Huber loss: `½d²` where `|d| < delta`, `delta·(|d| - ½delta)` elsewhere (d = input - target).
 * @example cr.nn.functional.huberLoss(pred, y, { delta: 0.5 })
 */
export function huberLoss(input: Tensor, target: Tensor, opts: HuberLossOptions = {}): Tensor {
  const reduction = checkReduction("huberLoss", opts.reduction);
  sameShapes("huberLoss", input, target);
  const delta = opts.delta ?? 1;
  if (!(delta > 0)) throw new ArgumentError(`huberLoss: delta must be positive, got ${delta}`);
  const d = input.sub(target);
  const ad = d.abs();
  return reduce(where(ad.lt(delta), d.mul(d).mul(0.5), ad.sub(0.5 * delta).mul(delta)), reduction);
}

/** `max(log x, -100)` as PyTorch's BCE, without a NaN gradient where x is 0: that branch never takes the log of 0. */
/**
 * Binary cross entropy of probabilities `input` ∈ [0, 1] against targets in [0, 1]; each log is
 * clamped at -100 as in PyTorch, so a confident mistake costs 100, not Infinity. Prefer
 * `bceWithLogitsLoss` on logits, which is stable without clamping.
 * @example cr.nn.functional.bceLoss(logits.sigmoid(), y)
 */
export function bceLoss(input: Tensor, target: Tensor, opts: BceLossOptions = {}): Tensor {
  const reduction = checkReduction("bceLoss", opts.reduction);
  sameShapes("bceLoss", input, target);
  // PyTorch checks the range too; where the backend reads only asynchronously the inputs are not read back.
  if (input.readsSynchronously) {
    for (const v of input.toTypedArray()) {
      if (!(v >= 0 && v <= 1)) throw new ArgumentError(`bceLoss: all elements of input should be between 0 and 1, got ${v}; use bceWithLogitsLoss on logits`);
    }
  }
  const loss = applyOp("binaryCrossEntropy", [input, target]);
  return reduce(weighted("bceLoss", loss, opts.weight), reduction);
}

/**
 * Binary cross entropy on logits: `-[posWeight·y·log σ(x) + (1 - y)·log(1 - σ(x))]`, computed as
 * `(1 - y)·x - (1 + (posWeight - 1)·y)·log σ(x)` with a stable log σ, so logits of ±1000 give exact
 * losses and gradients instead of NaN.
 * @example cr.nn.functional.bceWithLogitsLoss(logits, y, { posWeight: cr.tensor([3]) })
 */
export function bceWithLogitsLoss(input: Tensor, target: Tensor, opts: BceWithLogitsLossOptions = {}): Tensor {
  const reduction = checkReduction("bceWithLogitsLoss", opts.reduction);
  sameShapes("bceWithLogitsLoss", input, target);
  const oneMinusY = target.neg().add(1);
  const pw = opts.posWeight;
  const logWeight = pw === null || pw === undefined ? 1 : weighted("bceWithLogitsLoss", target, pw, "posWeight").sub(target).add(1);
  const loss = oneMinusY.mul(input).sub(logSigmoid(input).mul(logWeight));
  return reduce(weighted("bceWithLogitsLoss", loss, opts.weight), reduction);
}

function checkClassWeight(op: string, weight: Tensor | null | undefined, c: number): Tensor | null {
  if (weight === null || weight === undefined) return null;
  checkTensor(op, weight);
  if (weight.ndim !== 1 || weight.shape[0] !== c) throw new ShapeError(`${op}: weight must be [${c}], one per class, got ${fmt(weight.shape)}`);
  return weight;
}

/** The shape class indices must have for `input`: its shape without the class dim (dim 1, or 0 when 1-D). */
function indexShape(input: Tensor): number[] {
  return input.ndim === 1 ? [] : input.shape.filter((_, i) => i !== 1);
}

interface NllParts {
  readonly loss: Tensor;
  /** Per-target weights, 0 where ignored: the mean's denominator is their sum; null where every target weighs 1. */
  readonly weights: Tensor | null;
  /** Which targets count; null where none is ignored. */
  readonly valid: Tensor | null;
}

function nllParts(op: string, logp: Tensor, target: Tensor, weight: Tensor | null, ignoreIndex: number): NllParts {
  const classDim = logp.ndim === 1 ? 0 : 1;
  const c = logp.shape[classDim]!;
  // A captured graph masks always: a replay's targets may hold the ignore index where the capture's did not.
  const someIgnored = checkIndices(op, target, c, "target", ignoreIndex) || capturing();
  if (weight === null && !someIgnored) {
    // Every target counts, with weight 1: the masks below would change no value, yet each is an op forward (six
    // here), and those on the loss's path are ops backward too.
    return { loss: logp.gather(classDim, target.unsqueeze(classDim)).squeeze(classDim).neg(), weights: null, valid: null };
  }
  const valid = target.ne(ignoreIndex);
  // Ignored targets point at class 0 for the lookups, then are masked out with where (not *0, which NaNs on -inf).
  const safe = where(valid, target, 0);
  const picked = logp.gather(classDim, safe.unsqueeze(classDim)).squeeze(classDim);
  const w = weight === null ? valid.to(logp.dtype) : where(valid, weight.to(logp.dtype).indexSelect(0, safe.reshape([-1])).reshape(target.shape), 0);
  return { loss: where(valid, picked.mul(w).neg(), 0), weights: w, valid };
}

/** The mean's denominator: the summed weights of the targets that count. */
function nllDenominator(parts: NllParts): Tensor | number {
  return parts.weights === null ? parts.loss.numel() : parts.weights.sum();
}

function reduceNll(parts: NllParts, reduction: Reduction): Tensor {
  if (reduction === "none") return parts.loss;
  const total = parts.loss.sum();
  return reduction === "sum" ? total : total.div(nllDenominator(parts));
}

// The target as int32 class indices (any integer dtype converts, as PyTorch's int64 targets must), its shape checked.
function checkIndexTarget(op: string, input: Tensor, target: Tensor, what: string): Tensor {
  if (!isIndexTensor(target)) throw new DTypeError(`${op}: target must be integer class indices${what}, got ${target.dtype}`);
  const expected = indexShape(input);
  if (!shapesEqual(target.shape, expected)) {
    throw new ShapeError(`${op}: input ${fmt(input.shape)} and target ${fmt(target.shape)}: class indices must have shape ${fmt(expected)}${what}`);
  }
  return asIndexTensor(op, target, "target");
}

/**
 * Negative log likelihood of log-probabilities `input` (`[N, C]`, `[N, C, d1, …]` or `[C]`) at
 * int32 class indices `target` (`[N]`, `[N, d1, …]` or `[]`): `-weight[y]·input[y]`, reduced; the
 * mean divides by the summed weights of the targets that are not `ignoreIndex`.
 * @example cr.nn.functional.nllLoss(logits.logSoftmax(1), labels)
 */
export function nllLoss(input: Tensor, target: Tensor, opts: NllLossOptions = {}): Tensor {
  const op = "nllLoss";
  const reduction = checkReduction(op, opts.reduction);
  checkTensor(op, input);
  checkTensor(op, target);
  requireFloating(op, input.dtype);
  if (input.ndim === 0) throw new ShapeError(`${op}: input must have a class dim, got a zero-dim tensor`);
  target = checkIndexTarget(op, input, target, "");
  const c = input.shape[input.ndim === 1 ? 0 : 1]!;
  const weight = checkClassWeight(op, opts.weight, c);
  const ignoreIndex = opts.ignoreIndex ?? -100;
  if (weight === null) {
    checkIndices(op, target, c, "target", ignoreIndex);
    return nllLossOf(input, target, ignoreIndex, reduction);
  }
  return reduceNll(nllParts(op, input, target, weight, ignoreIndex), reduction);
}

/**
 * Cross entropy of logits `input` (`[N, C]`, `[N, C, d1, …]` or `[C]`) against either int32 class
 * indices (`[N]`, `[N, d1, …]` or `[]`) or class probabilities (float, the input's shape). Uses
 * log-softmax, so logits of ±1000 are fine. `ignoreIndex` (indices only) drops targets from the
 * loss and from the mean's denominator; `labelSmoothing` and per-class `weight` as PyTorch.
 * @example cr.nn.functional.crossEntropy(logits, labels, { labelSmoothing: 0.1 })
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const op = "crossEntropy";
  const reduction = checkReduction(op, opts.reduction);
  checkTensor(op, input);
  checkTensor(op, target);
  requireFloating(op, input.dtype);
  if (input.ndim === 0) throw new ShapeError(`${op}: input must have a class dim, got a zero-dim tensor`);
  const eps = opts.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new ArgumentError(`${op}: labelSmoothing must be between 0 and 1, got ${eps}`);
  const classDim = input.ndim === 1 ? 0 : 1;
  const c = input.shape[classDim]!;
  const weight = checkClassWeight(op, opts.weight, c);
  const wShape = input.shape.map((s, i) => (i === classDim ? s : 1));
  if (isFloating(target.dtype)) {
    if (!shapesEqual(target.shape, input.shape)) {
      throw new ShapeError(
        `${op}: input ${fmt(input.shape)} and target ${fmt(target.shape)}: expected class indices ${fmt(indexShape(input))} (int32) or class probabilities ${fmt(input.shape)}`,
      );
    }
    const logp = input.logSoftmax(classDim);
    const t = eps > 0 ? target.mul(1 - eps).add(eps / c) : target;
    let prod = logp.mul(t);
    if (weight !== null) prod = prod.mul(weight.reshape(wShape));
    if (reduction === "none") return prod.sum(classDim).neg();
    const total = prod.sum().neg();
    return reduction === "sum" ? total : total.div(input.numel() / c);
  }
  target = checkIndexTarget(op, input, target, ` or class probabilities ${fmt(input.shape)} (float)`);
  const logp = input.logSoftmax(classDim);
  const ignoreIndex = opts.ignoreIndex ?? -100;
  if (weight === null && eps === 0) {
    checkIndices(op, target, c, "target", ignoreIndex);
    return nllLossOf(logp, target, ignoreIndex, reduction);
  }
  const parts = nllParts(op, logp, target, weight, ignoreIndex);
  const nll = reduceNll(parts, reduction);
  if (eps === 0) return nll;
  // PyTorch's label smoothing: (1 - ε)·nll + ε/C · Σ_c -weight_c·logp_c, with the same masking and denominator.
  const perClass = weight === null ? logp : logp.mul(weight.reshape(wShape));
  const smooth = parts.valid === null ? perClass.sum(classDim).neg() : where(parts.valid, perClass.sum(classDim).neg(), 0);
  let smoothed: Tensor;
  if (reduction === "none") smoothed = smooth;
  else if (reduction === "sum") smoothed = smooth.sum();
  else smoothed = smooth.sum().div(nllDenominator(parts));
  return nll.mul(1 - eps).add(smoothed.mul(eps / c));
}
