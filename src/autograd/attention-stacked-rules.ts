// Fused attention over q, k and v stacked in one tensor `[3, ...batch, L, E]` (a GPT's heads split from c_attn's
// output in one permute): the same kernels as the `attention` primitive, but its gradient is attentionBackward's
// packed dq, dk, dv, which IS the gradient of the stacked tensor (L = S, E = Ev). Taken apart into three selects,
// each select's backward would instead make a zero tensor of the stacked size, scatter its third into it, and two
// adds would sum them. The backward primitive and every higher derivative are attention's own (attention-rules.ts),
// reached through views of the stacked input, so nothing is defined twice.
import type { AttentionParams, TensorData } from "../backend/backend.js";
import type { CompleteBackend } from "../backend/backend.js";
import { attentionDims, attentionSavedSize } from "../ops/attention-params.js";
import type { Tensor } from "../tensor/tensor.js";
import { attention } from "./attention-rules.js";
import { applyPrimitive } from "./dispatch.js";
import type { Rule } from "./rule.js";

// The three thirds of the stacked operand as their own buffers (copies of contiguous blocks); `release` frees them.
function thirds(backend: CompleteBackend, x: TensorData): { parts: TensorData[]; release: () => void } {
  const shape = x.shape.slice(1);
  const starts = (i: number) => x.shape.map((_, d) => (d === 0 ? i : 0));
  const steps = x.shape.map(() => 1);
  const parts = [0, 1, 2].map((i) => ({ buf: backend.slice(x, starts(i), steps, [1, ...shape]), shape, dtype: x.dtype }));
  return { parts, release: () => { for (const p of parts) backend.release?.(p.buf); } };
}

const unstack = (x: Tensor): [Tensor, Tensor, Tensor] => [x.select(0, 0), x.select(0, 1), x.select(0, 2)];

export const attentionStacked: Rule<AttentionParams> = {
  forward: (backend, [x], p) => {
    const { parts: [q, k, v], release } = thirds(backend, x!);
    try {
      return { buf: backend.attention(q!, k!, v!, null, p), shape: [attentionSavedSize(attentionDims(q!.shape, k!.shape, v!.shape))], dtype: x!.dtype };
    } finally {
      release();
    }
  },
  vjp: (g, { inputs: [x], output: saved, params }) => {
    const [q, k, v] = unstack(x!);
    const gOut = g.narrow(0, 0, q.numel()).reshape(q.shape);
    return [applyPrimitive("attentionBackward", [gOut, q, k, v, saved], params).reshape(x!.shape)];
  },
  jvp: ([t], ctx) => {
    const [q, k, v] = unstack(ctx.inputs[0]!);
    const [tq, tk, tv] = unstack(t!);
    return attention.jvp!([tq, tk, tv], { ...ctx, inputs: [q, k, v], inputShapes: [q.shape, k.shape, v.shape], inputDtypes: [q.dtype, k.dtype, v.dtype] });
  },
  saves: "both",
};
