// The fused layer normalisation's derivative rules, written in tensor ops (so second derivatives and forward-mode
// tangents of the gradient follow). The forward kernel returns the output alone: the mean and 1/√(var + eps) are
// recomputed here from the saved input (two row reductions), so nothing beyond the input and the weight is kept
// for backward, and an inference pass under noGrad computes and keeps nothing it does not return.
//   x̂ = (x − mean)·rstd,   y = x̂·w + b,
//   dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) with ĝ = g·w,   dw = Σ_rows g·x̂,   db = Σ_rows g.
// The tangent of x̂ for a tangent t of x is the same linear map: rstd·(t − mean(t) − x̂·mean(t·x̂)).
import type { LayerNormPrimitiveParams } from "../ops/layer-norm-params.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Rule } from "./rule.js";

/** x as rows of the normalised elements, its normalised form x̂ and 1/√(var + eps) per row `[rows, 1]`. */
function statistics(x: Tensor, p: LayerNormPrimitiveParams): { xhat: Tensor; rstd: Tensor } {
  const rows = x.reshape([-1, p.size]);
  const d = rows.sub(rows.mean(-1, true));
  const rstd = d.mul(d).mean(-1, true).add(p.eps).sqrt().reciprocal();
  return { xhat: d.mul(rstd), rstd };
}

/** The normalisation's linear map (its Jacobian in x̂'s terms) applied to `m` `[rows, size]`. */
const throughNorm = (m: Tensor, xhat: Tensor, rstd: Tensor): Tensor => rstd.mul(m.sub(m.mean(-1, true)).sub(xhat.mul(m.mul(xhat).mean(-1, true))));

export const layerNorm: Rule<LayerNormPrimitiveParams> = {
  forward: (backend, [x, ...affine], p) => ({
    buf: backend.layerNorm(x!, p.weight ? affine[0]! : null, p.bias ? affine[p.weight ? 1 : 0]! : null, p),
    shape: x!.shape,
    dtype: x!.dtype,
  }),
  vjp: (g, { inputs: [x, ...affine], inputShapes, params: p, needsInputGrad }) => {
    const { xhat, rstd } = statistics(x!, p);
    const g2 = g.reshape([-1, p.size]);
    const w = p.weight ? affine[0]!.reshape([p.size]) : null;
    const dx = needsInputGrad[0] ? throughNorm(w === null ? g2 : g2.mul(w), xhat, rstd).reshape(x!.shape) : null;
    const grads: (Tensor | null)[] = [dx];
    if (p.weight) grads.push(needsInputGrad[1] ? g2.mul(xhat).sum(0).reshape(inputShapes[1]!) : null);
    // The bias is not saved (nothing reads it): its shape is.
    if (p.bias) grads.push(needsInputGrad[grads.length] ? g2.sum(0).reshape(inputShapes[grads.length]!) : null);
    return grads;
  },
  jvp: ([tx, ...tAffine], { inputs: [x, ...affine], params: p }) => {
    const { xhat, rstd } = statistics(x!, p);
    const w = p.weight ? affine[0]!.reshape([p.size]) : null;
    let t: Tensor | null = null;
    const plus = (u: Tensor) => (t = t === null ? u : t.add(u));
    if (tx != null) {
      const txhat = throughNorm(tx.reshape([-1, p.size]), xhat, rstd);
      plus(w === null ? txhat : txhat.mul(w));
    }
    const tw = p.weight ? tAffine[0] : null;
    const tb = p.bias ? tAffine[p.weight ? 1 : 0] : null;
    if (tw != null) plus(xhat.mul(tw.reshape([p.size])));
    // The bias's tangent has the normalised shape, the trailing dims of x's: it broadcasts.
    const full = t === null ? null : (t as Tensor).reshape(x!.shape);
    return full === null ? tb! : tb == null ? full : full.add(tb);
  },
  // x for the statistics, the weight for dx; never the bias nor the output.
  saves: (_needs, p) => ({ inputs: [true, ...(p.weight ? [true] : []), ...(p.bias ? [false] : [])], output: false }),
};
