// The stacked form of the fused attention primitive: q, k and v as one tensor [3, ...batch, L, E], as a GPT's heads
// come out of c_attn's output after one permute (src/models/gpt.ts). See autograd/attention-stacked-rules.ts.
import { applyPrimitive } from "../autograd/dispatch.js";
import { ShapeError } from "../errors.js";
import { fmt } from "../shape.js";
import type { Tensor } from "./tensor.js";

/**
 * @internal softmax(q·kᵀ·scale)·v for `qkv [3, ...batch, L, E]` (q, k, v stacked along dim 0), optionally causal:
 * `[...batch, L, E]`, equal to `scaledDotProductAttention(qkv[0], qkv[1], qkv[2], { isCausal, scale })`, and
 * differentiable to every order; its gradient arrives as one `[3, ...]` tensor instead of three zero-padded thirds.
 */
export function stackedAttention(qkv: Tensor, isCausal: boolean, scale: number): Tensor {
  if (qkv.ndim < 3 || qkv.shape[0] !== 3) throw new ShapeError(`stackedAttention: qkv must be [3, ..., L, E], got ${fmt(qkv.shape)}`);
  const shape = qkv.shape.slice(1);
  const packed = applyPrimitive("attentionStacked", [qkv], { scale, causal: isCausal });
  return packed.narrow(0, 0, shape.reduce((a, b) => a * b, 1)).reshape(shape);
}
