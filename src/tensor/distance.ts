// Distances and similarities: cdist, pairwiseDistance and cosineSimilarity, as PyTorch's, composed of elementwise
// ops and reductions. Where PyTorch's gradient is a subgradient (0 at a zero distance, at a zero component for
// p < 1) or its own convention (cdist's ∞-norm, cosineSimilarity's eps), the composites are written to give it.
import { isFloating, promoteTypes } from "../dtype.js";
import { ArgumentError, DTypeError, ShapeError } from "../errors.js";
import { broadcastShapes, fmt } from "../shape.js";
import { ones } from "./creation.js";
import { checkTensor, where } from "./elementwise.js";
import { cat } from "./movement.js";
import type { Tensor } from "./tensor.js";

// x^p for x ≥ 0 whose derivative is 0 at 0 (PyTorch masks |x|^(p−1) there), for p > 0.
function powSafe(x: Tensor, p: number): Tensor {
  if (p === 1) return x;
  if (p === 2) return x.mul(x);
  const zero = x.eq(0);
  return where(zero, 0, where(zero, 1, x).pow(p));
}

// s^(1/p) for s ≥ 0, with derivative 0 where s = 0: a norm's gradient at the zero vector, as PyTorch gives it.
function rootSafe(s: Tensor, p: number): Tensor {
  const zero = s.eq(0);
  const safe = where(zero, 1, s);
  return where(zero, 0, p === 2 ? safe.sqrt() : safe.pow(1 / p));
}

/**
 * The p-norm over `dim` with PyTorch's gradient (norm_backward): 0 where the norm is 0; for p = ∞ ties share it; for
 * p = 0 (the count of non-zeros) none flows.
 */
export function pNorm(x: Tensor, p: number, dim: number, keepdim = false): Tensor {
  if (p === Infinity) return x.abs().amax(dim, keepdim);
  if (p === 0) {
    // The count, still connected to x (its gradient exactly 0, NaN or not), as PyTorch's norm keeps it in the graph.
    const count = x.ne(0).to(x.dtype).sum(dim, keepdim);
    return where(count.eq(count), count, x.sum(dim, keepdim));
  }
  if (p === 1) return x.abs().sum(dim, keepdim);
  return rootSafe(powSafe(x.abs(), p).sum(dim, keepdim), p);
}

function checkP(op: string, p: number): void {
  if (typeof p !== "number" || Number.isNaN(p) || p < 0) throw new ArgumentError(`${op}: p must be a non-negative number (Infinity for the max norm), got ${p}`);
}

function floating(op: string, a: Tensor, b: Tensor): [Tensor, Tensor] {
  const dtype = promoteTypes(a.dtype, b.dtype);
  if (!isFloating(dtype)) throw new DTypeError(`${op}: expected floating-point inputs, got ${a.dtype} and ${b.dtype}`);
  return [a.dtype === dtype ? a : a.to(dtype), b.dtype === dtype ? b : b.to(dtype)];
}

/** How cdist computes the Euclidean distance (PyTorch's `compute_mode`). */
export type CdistComputeMode = "use_mm_for_euclid_dist_if_necessary" | "use_mm_for_euclid_dist" | "donot_use_mm_for_euclid_dist";

/** Options of `cdist`, as PyTorch's keyword arguments. */
export interface CdistOptions {
  /** Default 2. */
  p?: number;
  /**
   * For p = 2: through one matrix product, √(|x|² + |y|² − 2x·y), faster for many points but less accurate for
   * close ones; by default when either set has more than 25 points, as PyTorch.
   */
  computeMode?: CdistComputeMode;
}

/**
 * The p-norm distance between each row of `x1` `[*, P, M]` and each row of `x2` `[*, R, M]`: `[*, P, R]`, batch dims
 * broadcast (PyTorch's `torch.cdist`). The gradient at a zero distance is 0; for p = ∞ every tied component gets it.
 * @example cr.cdist(points, centroids) // [P, R] Euclidean distances
 */
export function cdist(x1: Tensor, x2: Tensor, opts: CdistOptions = {}): Tensor {
  const op = "cdist";
  checkTensor(op, x1);
  checkTensor(op, x2);
  const p = opts.p ?? 2;
  checkP(op, p);
  if (x1.ndim < 2 || x2.ndim < 2) throw new ShapeError(`${op}: expects at least 2-D tensors, got ${fmt(x1.shape)} and ${fmt(x2.shape)}`);
  const m = x1.shape[x1.ndim - 1]!;
  if (x2.shape[x2.ndim - 1] !== m) throw new ShapeError(`${op}: x1 ${fmt(x1.shape)} and x2 ${fmt(x2.shape)} must have the same number of columns`);
  [x1, x2] = floating(op, x1, x2);
  const batch = broadcastShapes(op, x1.shape.slice(0, -2), x2.shape.slice(0, -2));
  const [pr, r] = [x1.shape[x1.ndim - 2]!, x2.shape[x2.ndim - 2]!];
  const a = x1.expand([...batch, pr, m]), b = x2.expand([...batch, r, m]);
  const mode = opts.computeMode ?? "use_mm_for_euclid_dist_if_necessary";
  if (p === 2 && (mode === "use_mm_for_euclid_dist" || (mode === "use_mm_for_euclid_dist_if_necessary" && (pr > 25 || r > 25)))) {
    // PyTorch's _euclidean_dist: [−2a, |a|², 1]·[b, 1, |b|²]ᵀ, clamped at 0.
    const na = a.mul(a).sum(-1, true), nb = b.mul(b).sum(-1, true);
    const left = cat([a.mul(-2), na, ones(na.shape, { dtype: a.dtype })], -1);
    const right = cat([b, ones(nb.shape, { dtype: b.dtype }), nb], -1);
    const squared = left.matmul(right.transpose(-1, -2)).clamp(0);
    return rootSafe(squared, 2);
  }
  const diff = a.unsqueeze(-2).sub(b.unsqueeze(-3)); // [*, P, R, M]
  if (p === Infinity) {
    // Each component tied for the largest gets the whole gradient (PyTorch's _cdist_backward), not a share of it.
    const size = diff.abs();
    const largest = size.amax(-1, true);
    const winners = size.mul(size.eq(largest).detach().to(size.dtype)).sum(-1);
    return winners.sub(winners.detach()).add(largest.squeeze(-1).detach());
  }
  return pNorm(diff, p, -1);
}

/** Options of `pairwiseDistance`, as PyTorch's keyword arguments. */
export interface PairwiseDistanceOptions {
  /** Default 2. */
  p?: number;
  /** Added to the difference before the norm, keeping it off 0 (default 1e-6). */
  eps?: number;
  /** Keep the last dim with size 1 (default false). */
  keepdim?: boolean;
}

/**
 * The p-norm of `x1 − x2 + eps` over the last dim, the inputs broadcast (PyTorch's `F.pairwise_distance`).
 * @example cr.nn.functional.pairwiseDistance(anchor, positive) // [N]
 */
export function pairwiseDistance(x1: Tensor, x2: Tensor, opts: PairwiseDistanceOptions = {}): Tensor {
  const op = "pairwiseDistance";
  checkTensor(op, x1);
  checkTensor(op, x2);
  const p = opts.p ?? 2;
  checkP(op, p);
  [x1, x2] = floating(op, x1, x2);
  const diff = x1.sub(x2).add(opts.eps ?? 1e-6);
  if (diff.ndim === 0) return pNorm(diff.reshape([1]), p, 0, false);
  return pNorm(diff, p, diff.ndim - 1, opts.keepdim ?? false);
}

/** Options of `cosineSimilarity`, as PyTorch's keyword arguments. */
export interface CosineSimilarityOptions {
  /** Default 1. */
  dim?: number;
  /** The smallest norm divided by (default 1e-8). */
  eps?: number;
}

/**
 * `Σ (x1/‖x1‖)·(x2/‖x2‖)` over `dim`, each norm at least `eps`, the inputs broadcast (PyTorch's
 * `F.cosine_similarity`, which normalises before multiplying so the result stays in [−1, 1]).
 * @example cr.nn.functional.cosineSimilarity(a, b, { dim: -1 })
 */
export function cosineSimilarity(x1: Tensor, x2: Tensor, opts: CosineSimilarityOptions = {}): Tensor {
  const op = "cosineSimilarity";
  checkTensor(op, x1);
  checkTensor(op, x2);
  [x1, x2] = floating(op, x1, x2);
  const shape = broadcastShapes(op, x1.shape, x2.shape);
  const a = x1.expand(shape), b = x2.expand(shape);
  const dim = opts.dim ?? 1;
  const eps = opts.eps ?? 1e-8;
  // PyTorch clamps each norm in place outside autograd, so the clamped norm is what its derivative divides by:
  // √(s + (max(s, eps²) − s)) has that value and the derivative x/‖x‖clamped.
  const normOf = (x: Tensor) => {
    const s = x.mul(x).sum(dim, true);
    return s.add(s.clamp(eps * eps).sub(s).detach()).sqrt();
  };
  return a.div(normOf(a)).mul(b.div(normOf(b))).sum(dim);
}
