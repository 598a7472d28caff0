// Scaled dot-product attention (torch.nn.functional.scaled_dot_product_attention), composed from
// matmul, softmax, where and dropout, so its gradient comes from theirs.
import { isFloating } from "../../dtype.js";
import { ArgumentError, DTypeError, ShapeError } from "../../errors.js";
import { broadcastShapes, fmt, shapesEqual } from "../../shape.js";
import { arange } from "../../tensor/creation.js";
import { checkTensor, where } from "../../tensor/elementwise.js";
import { matmulBT } from "../../tensor/linalg.js";
import { softmax } from "../../tensor/reduce.js";
import type { Tensor } from "../../tensor/tensor.js";
import { dropout } from "./layers.js";
import { fusedAttention } from "../../tensor/attention.js";
import { tracingPrimitives } from "../../autograd/dispatch.js";

/** Options of `scaledDotProductAttention`, as PyTorch's keyword arguments. */
export interface ScaledDotProductAttentionOptions {
  /**
   * Which keys each query may attend to, broadcastable to `[..., L, S]`: a bool mask where **true
   * means take part** (PyTorch's convention here, the opposite of MultiheadAttention's), or a float
   * mask added to the scores (0 to keep, -Infinity to mask).
   */
  attnMask?: Tensor | null;
  /** Dropout probability on the attention weights (default 0); applied whenever it is > 0, so pass 0 in evaluation. */
  dropoutP?: number;
  /** Mask the future: query i attends to keys 0..i (top-left aligned when L ≠ S, as PyTorch). Not with `attnMask`. */
  isCausal?: boolean;
  /** Multiplies the scores (default 1/√E, E the query's last dim). */
  scale?: number | null;
  /** Grouped-query attention: key and value may have fewer heads (dim -3) than the query, a divisor of its count. */
  enableGqa?: boolean;
}

/** What `attend` computes besides the output: the attention weights, when asked. */
export interface AttentionResult {
  output: Tensor;
  /** The weights `[..., L, S]` after dropout (as MultiheadAttention returns them), or null when not requested. */
  weights: Tensor | null;
}

/** Settings of `attend` that the public functions have already checked. */
export interface AttendOptions {
  /** A bool mask (true = take part) or a float bias, broadcastable to the scores. */
  mask: Tensor | null;
  isCausal: boolean;
  scale: number;
  dropoutP: number;
  needWeights: boolean;
}

/** `[L, S]` bool: query i may attend to key j when j ≤ i (PyTorch's `ones(L, S).tril()`). */
export function causalMask(L: number, S: number): Tensor {
  return arange(L, { dtype: "int32" }).unsqueeze(1).ge(arange(S, { dtype: "int32" }));
}

/**
 * The attention itself, on checked inputs `q [..., L, E]`, `k [..., S, E]`, `v [..., S, Ev]`:
 * softmax(q·kᵀ·scale + mask)·v. Rows whose keys are all masked give zeros (and zero gradients),
 * as PyTorch's `_safe_softmax` since 2.5, rather than NaN.
 */
export function attend(q: Tensor, k: Tensor, v: Tensor, opts: AttendOptions): AttentionResult {
  // Scaling q (L·E values) rather than the scores (L·S) is the same product, with fewer multiplications.
  let scores = matmulBT(opts.scale === 1 ? q : q.mul(opts.scale), k);
  let empty: Tensor | null = null;
  const mask = opts.mask;
  if (opts.isCausal) {
    // Row i keeps key 0, so no row is empty.
    scores = where(causalMask(scores.shape[scores.ndim - 2]!, scores.shape[scores.ndim - 1]!), scores, -Infinity);
  } else if (mask !== null && mask.dtype === "bool") {
    // An empty row keeps its raw (finite) scores, so its softmax stays finite; it is zeroed after.
    empty = mask.any(-1, true).logicalNot();
    scores = where(mask.logicalOr(empty), scores, -Infinity);
  } else if (mask !== null) {
    empty = mask.eq(-Infinity).all(-1, true);
    scores = where(empty, scores, scores.add(mask));
  }
  let weights = softmax(scores, -1);
  if (empty !== null) weights = where(empty, 0, weights);
  if (opts.dropoutP > 0) weights = dropout(weights, opts.dropoutP, true);
  return { output: weights.matmul(v), weights: opts.needWeights ? weights : null };
}

/** Throws unless `mask` is a bool or floating mask that broadcasts to `scores` (returns it, floats in `dtype`). */
export function checkMask(op: string, name: string, mask: Tensor, scores: readonly number[], dtype: Tensor["dtype"]): Tensor {
  checkTensor(op, mask);
  if (mask.dtype !== "bool" && !isFloating(mask.dtype)) {
    throw new DTypeError(`${op}: ${name} must be a bool or floating-point tensor, got ${mask.dtype}`);
  }
  const shape = broadcastShapes(`${op}: ${name} ${fmt(mask.shape)} and the scores ${fmt(scores)}`, mask.shape, scores);
  if (!shapesEqual(shape, scores)) throw new ShapeError(`${op}: ${name} ${fmt(mask.shape)} does not broadcast to the attention scores ${fmt(scores)}`);
  return mask.dtype === "bool" || mask.dtype === dtype ? mask : mask.to(dtype);
}

/** Throws unless `p` is a probability. */
export function checkDropout(op: string, p: number): number {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new ArgumentError(`${op}: dropoutP must be between 0 and 1, got ${String(p)}`);
  return p;
}

/** Repeats each head of `x [..., Hk, S, D]` `n` times along dim -3 (PyTorch's repeat_interleave for GQA). */
function repeatHeads(x: Tensor, n: number): Tensor {
  if (n === 1) return x;
  const shape = x.shape;
  const lead = shape.slice(0, -3);
  const [h, s, d] = shape.slice(-3) as [number, number, number];
  return x.unsqueeze(-3).expand([...lead, h, n, s, d]).reshape([...lead, h * n, s, d]);
}

/**
 * Attention as PyTorch 2's `F.scaled_dot_product_attention`: `softmax(q·kᵀ·scale + mask)·v` with
 * `query [..., L, E]`, `key [..., S, E]`, `value [..., S, Ev]` → `[..., L, Ev]`; the leading
 * (batch, head) dims broadcast. A bool `attnMask` marks with **true** the keys that take part; a float
 * one is added to the scores. Query rows with every key masked give zeros (PyTorch ≥ 2.5), not NaN.
 * Dropout on the weights is applied whenever `dropoutP > 0` (as in PyTorch, the caller passes 0 in
 * evaluation). Composed from differentiable ops, so gradients reach query, key, value and a float mask.
 * @example
 * const q = cr.randn([2, 4, 8, 16]); // [batch, heads, L, E]
 * const out = cr.nn.functional.scaledDotProductAttention(q, q, q, { isCausal: true }); // [2, 4, 8, 16]
 */
export function scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, opts: ScaledDotProductAttentionOptions = {}): Tensor {
  const op = "scaledDotProductAttention";
  const { attnMask = null, dropoutP = 0, isCausal = false, scale = null, enableGqa = false } = opts;
  for (const [name, t] of [["query", query], ["key", key], ["value", value]] as const) {
    checkTensor(op, t);
    if (!isFloating(t.dtype)) throw new DTypeError(`${op}: ${name} must be floating point, got ${t.dtype}`);
    if (t.ndim < 2) throw new ShapeError(`${op}: ${name} must have at least 2 dims [..., length, features], got ${fmt(t.shape)}`);
  }
  if (key.dtype !== query.dtype || value.dtype !== query.dtype) {
    throw new DTypeError(`${op}: query, key and value must have one dtype, got ${query.dtype}, ${key.dtype} and ${value.dtype}`);
  }
  const E = query.shape[query.ndim - 1]!;
  if (key.shape[key.ndim - 1] !== E) throw new ShapeError(`${op}: query ${fmt(query.shape)} and key ${fmt(key.shape)} must have the same last dim (the embedding size)`);
  if (key.shape[key.ndim - 2] !== value.shape[value.ndim - 2]) {
    throw new ShapeError(`${op}: key ${fmt(key.shape)} and value ${fmt(value.shape)} must have the same sequence length (dim -2)`);
  }
  let k = key;
  let v = value;
  if (enableGqa) {
    if (query.ndim < 3 || key.ndim < 3 || value.ndim < 3) throw new ShapeError(`${op}: enableGqa needs a heads dim (-3) on query, key and value`);
    const hq = query.shape[query.ndim - 3]!, hk = key.shape[key.ndim - 3]!, hv = value.shape[value.ndim - 3]!;
    if (hk !== hv || hk === 0 || hq % hk !== 0) {
      throw new ShapeError(`${op}: with enableGqa the query's ${hq} heads must be a multiple of the key's and value's (${hk} and ${hv}, which must be equal)`);
    }
    k = repeatHeads(key, hq / hk);
    v = repeatHeads(value, hq / hk);
  }
  const batch = broadcastShapes(`${op}: batch dims of query ${fmt(query.shape)}, key ${fmt(k.shape)}`, query.shape.slice(0, -2), k.shape.slice(0, -2));
  broadcastShapes(`${op}: batch dims of query ${fmt(query.shape)}, value ${fmt(v.shape)}`, batch, v.shape.slice(0, -2));
  if (typeof isCausal !== "boolean") throw new ArgumentError(`${op}: isCausal must be true or false, got ${String(isCausal)}`);
  if (isCausal && attnMask !== null) throw new ArgumentError(`${op}: pass either attnMask or isCausal, not both (an explicit mask should not be set when isCausal is true)`);
  const s = scale ?? 1 / Math.sqrt(E);
  if (typeof s !== "number" || !Number.isFinite(s)) throw new ArgumentError(`${op}: scale must be a finite number, got ${String(scale)}`);
  const scores = [...batch, query.shape[query.ndim - 2]!, k.shape[k.ndim - 2]!];
  const mask = attnMask === null ? null : checkMask(op, "attnMask", attnMask, scores, query.dtype);
  const p = checkDropout(op, dropoutP);
  // Dropout needs the weights themselves: it runs as the composite; so does a forward traced for export (ONNX has
  // the composite's ops, and the fused result's packed layout would not take a dynamic batch); the rest fuses.
  if (p > 0 || tracingPrimitives()) return attend(query, k, v, { mask, isCausal, scale: s, dropoutP: p, needWeights: false }).output;
  return fusedAttention(query, k, v, batch, { mask, isCausal, scale: s });
}
