// The fused attention primitives' derivative rules. The forward's rule calls the backward primitive (its kernel
// recomputes the probabilities tile by tile); the backward primitive's own rules are the composite formulas in
// tensor ops (they materialise the L×S probabilities, as any second derivative of attention must), so gradients
// of gradients, and their forward-mode tangents, follow.
//
// The forward's result packs the output with the row logsumexps, which only the backward primitive reads; the
// backward primitive's rules give the TOTAL derivative through q, k, v (and the bias), and none to that packed
// input, so nothing is counted twice.
import type { AttentionParams } from "../ops/attention-params.js";
import { attentionDims, attentionGradSize, attentionSavedSize } from "../ops/attention-params.js";
import { arange } from "../tensor/creation.js";
import { where } from "../tensor/generated/elementwise.js";
import { matmulBT } from "../tensor/linalg.js";
import { cat } from "../tensor/movement.js";
import { softmax } from "../tensor/reduce.js";
import { Tensor } from "../tensor/tensor.js";
import { applyPrimitive } from "./dispatch.js";
import type { Rule } from "./rule.js";

const mT = (x: Tensor) => x.transpose(-2, -1);
const rowsum = (x: Tensor) => x.sum(-1, true);
const plus = (a: Tensor | null, b: Tensor | null): Tensor | null => (a === null ? b : b === null ? a : a.add(b));
const zerosOn = (like: Tensor, n: number) => Tensor._create(like._backend.full(n, 0, like._computeDtype), [n], like.dtype, like._backend);
const tangentOrNull = (t: Tensor | null | undefined) => t ?? null;

/** softmax(scale·q·kᵀ + bias) with the causal mask, rows with every key masked all zeros (as the kernels). */
function probabilities(q: Tensor, k: Tensor, bias: Tensor | null, p: AttentionParams): Tensor {
  let s = matmulBT(q, k).mul(p.scale);
  if (bias !== null) s = s.add(bias);
  const l = s.shape[s.ndim - 2]!, n = s.shape[s.ndim - 1]!;
  if (p.causal) s = where(arange(l, { dtype: "int32" }).unsqueeze(1).ge(arange(n, { dtype: "int32" })), s, -Infinity);
  const empty = s.eq(-Infinity).all(-1, true);
  return where(empty, 0, softmax(where(empty, 0, s), -1));
}

/** The tangent of the scores from the operands' tangents: scale·(tq·kᵀ + q·tkᵀ) + tbias, or null when none. */
function scoreTangent(q: Tensor, k: Tensor, tq: Tensor | null, tk: Tensor | null, tb: Tensor | null, p: AttentionParams): Tensor | null {
  const fromQK = plus(tq === null ? null : matmulBT(tq, k), tk === null ? null : matmulBT(q, tk));
  return plus(fromQK === null ? null : fromQK.mul(p.scale), tb);
}

/** dq, dk, dv from attentionBackward's packed result (or a tangent or gradient of it). */
function unpack(packed: Tensor, q: Tensor, k: Tensor, v: Tensor): [Tensor, Tensor, Tensor] {
  const nq = q.numel(), nk = k.numel();
  return [packed.narrow(0, 0, nq).reshape(q.shape), packed.narrow(0, nq, nk).reshape(k.shape), packed.narrow(0, nq + nk, v.numel()).reshape(v.shape)];
}

const outShape = (q: Tensor, v: Tensor) => [...q.shape.slice(0, -1), v.shape[v.ndim - 1]!];

export const attention: Rule<AttentionParams> = {
  forward: (backend, [q, k, v, bias], p) => ({
    buf: backend.attention(q!, k!, v!, bias ?? null, p),
    shape: [attentionSavedSize(attentionDims(q!.shape, k!.shape, v!.shape))],
    dtype: q!.dtype,
  }),
  vjp: (g, { inputs: [q, k, v, bias], output: saved, params, needsInputGrad }) => {
    const shape = outShape(q!, v!);
    const gOut = g.narrow(0, 0, shape.reduce((a, b) => a * b, 1)).reshape(shape);
    const operands = bias === undefined ? [gOut, q!, k!, v!, saved] : [gOut, q!, k!, v!, saved, bias];
    const grads: (Tensor | null)[] = unpack(applyPrimitive("attentionBackward", operands, params), q!, k!, v!);
    if (bias === undefined) return grads;
    if (!needsInputGrad[3]) return [...grads, null];
    // The bias's gradient is the scores' (L×S): composed, for the rare mask that needs one.
    const probs = probabilities(q!, k!, bias, params);
    const dp = matmulBT(gOut, v!);
    return [...grads, probs.mul(dp.sub(rowsum(probs.mul(dp))))];
  },
  jvp: ([tq, tk, tv, tb], { inputs: [q, k, v, bias], params }) => {
    const probs = probabilities(q!, k!, bias ?? null, params);
    const ts = scoreTangent(q!, k!, tangentOrNull(tq), tangentOrNull(tk), tangentOrNull(tb), params);
    const tp = ts === null ? null : probs.mul(ts.sub(rowsum(probs.mul(ts))));
    const to = plus(tp === null ? null : tp.matmul(v!), tv == null ? null : probs.matmul(tv))!;
    const rows = q!.numel() / q!.shape[q!.ndim - 1]!;
    const tlse = ts === null ? zerosOn(q!, rows) : rowsum(probs.mul(ts)).reshape([-1]);
    return cat([to.reshape([-1]), tlse], 0);
  },
  saves: "both",
};

export const attentionBackward: Rule<AttentionParams> = {
  forward: (backend, [g, q, k, v, saved, bias], p) => ({
    buf: backend.attentionBackward(g!, q!, k!, v!, saved!, bias ?? null, p),
    shape: [attentionGradSize(attentionDims(q!.shape, k!.shape, v!.shape))],
    dtype: q!.dtype,
  }),
  // φ = ⟨hq, dq⟩ + ⟨hk, dk⟩ + ⟨hv, dv⟩ with dv = Pᵀg, dP = g·vᵀ, dS = P∘(dP − u), u = rowsum(P∘dP),
  // dq = c·dS·k, dk = c·dSᵀ·q. R = ∂φ/∂dS = c(hq·kᵀ + q·hkᵀ); ∂φ/∂dP = P∘(R − r), r = rowsum(R∘P);
  // ∂φ/∂P = g·hvᵀ + R∘dP − R∘u − r∘dP (up to a per-row constant, which the softmax's adjoint removes).
  vjp: (h, { inputs: [g, q, k, v, , bias], params }) => {
    const c = params.scale;
    const [hq, hk, hv] = unpack(h, q!, k!, v!);
    const probs = probabilities(q!, k!, bias ?? null, params);
    const dp = matmulBT(g!, v!);
    const u = rowsum(probs.mul(dp));
    const ds = probs.mul(dp.sub(u));
    const r = matmulBT(hq, k!).add(matmulBT(q!, hk)).mul(c);
    const rp = rowsum(r.mul(probs));
    const y = probs.mul(r.sub(rp));
    const z = matmulBT(g!, hv).add(r.mul(dp)).sub(r.mul(u)).sub(rp.mul(dp));
    const w = probs.mul(z.sub(rowsum(probs.mul(z))));
    const gq = ds.matmul(hk).add(w.matmul(k!)).mul(c);
    const gk = mT(ds).matmul(hq).add(mT(w).matmul(q!)).mul(c);
    const grads = [y.matmul(v!).add(probs.matmul(hv)), gq, gk, mT(y).matmul(g!), null];
    return bias === undefined ? grads : [...grads, w];
  },
  jvp: ([tg, tq, tk, tv, , tb], { inputs: [g, q, k, v, , bias], params }) => {
    const c = params.scale;
    const tG = tangentOrNull(tg), tQ = tangentOrNull(tq), tK = tangentOrNull(tk), tV = tangentOrNull(tv), tB = tangentOrNull(tb);
    const probs = probabilities(q!, k!, bias ?? null, params);
    const dp = matmulBT(g!, v!);
    const u = rowsum(probs.mul(dp));
    const ds = probs.mul(dp.sub(u));
    const ts = scoreTangent(q!, k!, tQ, tK, tB, params);
    const tp = ts === null ? null : probs.mul(ts.sub(rowsum(probs.mul(ts))));
    const tdv = plus(tp === null ? null : mT(tp).matmul(g!), tG === null ? null : mT(probs).matmul(tG)) ?? v!.mul(0);
    const tdp = plus(tG === null ? null : matmulBT(tG, v!), tV === null ? null : matmulBT(g!, tV));
    const tu = rowsum(plus(tp === null ? null : tp.mul(dp), tdp === null ? null : probs.mul(tdp)) ?? u.mul(0));
    const tds = plus(tp === null ? null : tp.mul(dp.sub(u)), probs.mul((tdp ?? dp.mul(0)).sub(tu)))!;
    const tdq = plus(tds.matmul(k!), tK === null ? null : ds.matmul(tK))!.mul(c);
    const tdk = plus(mT(tds).matmul(q!), tQ === null ? null : mT(ds).matmul(tQ))!.mul(c);
    return cat([tdq.reshape([-1]), tdk.reshape([-1]), tdv.reshape([-1])], 0);
  },
  saves: "inputs",
};
