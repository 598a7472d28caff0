// The fused attention primitive's public form for nn.functional: operands brought to one batch shape, the mask
// turned into an additive bias, and the output unpacked from the primitive's packed result.
import { applyPrimitive } from "../autograd/dispatch.js";
import { fmt } from "../shape.js";
import { ShapeError } from "../errors.js";
import { where } from "./generated/elementwise.js";
import type { Tensor } from "./tensor.js";

/** Settings the caller (scaledDotProductAttention) has checked. */
export interface FusedAttentionOptions {
  /** A bool mask (true = take part) or an additive float bias, broadcastable to the scores; null for none. */
  readonly mask: Tensor | null;
  readonly isCausal: boolean;
  readonly scale: number;
}

const withBatch = (x: Tensor, batch: readonly number[]): Tensor => {
  const shape = [...batch, ...x.shape.slice(-2)];
  return shape.length === x.ndim && shape.every((d, i) => d === x.shape[i]) ? x : x.expand(shape);
};

/**
 * softmax(q·kᵀ·scale + mask)·v in one fused primitive, `q [..., L, E]`, `k [..., S, E]`, `v [..., S, Ev]` with
 * batch dims broadcast (`batch`); differentiable to every order through q, k, v and a float mask.
 */
export function fusedAttention(q: Tensor, k: Tensor, v: Tensor, batch: readonly number[], opts: FusedAttentionOptions): Tensor {
  const L = q.shape[q.ndim - 2]!, Ev = v.shape[v.ndim - 1]!;
  if (batch.reduce((a, b) => a * b, 1) * L * Ev > 2 ** 31) throw new ShapeError(`scaledDotProductAttention: the output ${fmt([...batch, L, Ev])} is too large`);
  const operands = [withBatch(q, batch), withBatch(k, batch), withBatch(v, batch)];
  const { mask } = opts;
  if (mask !== null) operands.push(mask.dtype === "bool" ? where(mask, 0, -Infinity).to(q.dtype) : mask);
  const packed = applyPrimitive("attention", operands, { scale: opts.scale, causal: opts.isCausal });
  const shape = [...batch, L, Ev];
  return packed.narrow(0, 0, shape.reduce((a, b) => a * b, 1)).reshape(shape);
}
