// Fused scaled-dot-product attention on the cpu backend, as FlashAttention computes it: query rows in blocks, keys
// in tiles, an online softmax (a running maximum and sum rescale what was accumulated), so the L×S score matrix is
// never stored; the backward recomputes each tile's probabilities from the saved row logsumexps. Arithmetic is in
// double precision whatever the dtype; rows whose keys are all masked give zeros (and zero gradients).
import type { ComputeDType as DType, TypedArray } from "../../dtype.js";
import { attentionDims, attentionGradSize, attentionSavedSize, biasLayout } from "../../ops/attention-params.js";
import type { AttentionParams, BiasLayout } from "../../ops/attention-params.js";
import type { Shape } from "../../shape.js";
import { allocOut } from "./buffer-pool.js";

/** One operand as the kernel reads it. */
export interface AttentionOperand {
  readonly data: TypedArray;
  readonly shape: Shape;
}

// Rows of queries and columns of keys per tile: the scores of one tile stay in a small buffer.
const ROWS = 32;
const COLS = 64;

interface Bias {
  readonly data: TypedArray;
  readonly layout: BiasLayout;
}

function biasOf(bias: AttentionOperand | null, q: Shape, l: number, s: number): Bias | null {
  return bias === null ? null : { data: bias.data, layout: biasLayout(bias.shape, q.slice(0, -2), l, s) };
}

// The scores of query row i against keys [j0, j1) of batch element n, written to `out` (−∞ where masked).
function scoreRow(out: Float64Array, q: TypedArray, qo: number, k: TypedArray, ko: number, e: number, j0: number, j1: number, i: number, p: AttentionParams, bias: Bias | null, n: number): void {
  const jEnd = p.causal ? Math.min(j1, i + 1) : j1;
  for (let j = j0; j < jEnd; j++) {
    let dot = 0;
    const kr = ko + j * e;
    for (let c = 0; c < e; c++) dot += q[qo + c]! * k[kr + c]!;
    out[j - j0] = dot * p.scale;
  }
  for (let j = Math.max(jEnd, j0); j < j1; j++) out[j - j0] = -Infinity;
  if (bias !== null) {
    const { offsets, rowStride, colStride } = bias.layout;
    const base = offsets[n]! + i * rowStride;
    for (let j = j0; j < jEnd; j++) out[j - j0] = out[j - j0]! + bias.data[base + j * colStride]!;
  }
}

/** The forward: the output `[N, L, Ev]` then the row logsumexps `[N, L]`, in one buffer. */
export function attention(q: AttentionOperand, k: AttentionOperand, v: AttentionOperand, bias: AttentionOperand | null, p: AttentionParams, dtype: DType): TypedArray {
  const d = attentionDims(q.shape, k.shape, v.shape);
  const { n: batch, l, s, e, ev } = d;
  const out = allocOut(dtype, attentionSavedSize(d), "any");
  const b = biasOf(bias, q.shape, l, s);
  const tile = new Float64Array(COLS);
  const acc = new Float64Array(ROWS * ev);
  const rowMax = new Float64Array(ROWS), rowSum = new Float64Array(ROWS);
  const lseAt = batch * l * ev;
  for (let n = 0; n < batch; n++) {
    const qb = n * l * e, kb = n * s * e, vb = n * s * ev;
    for (let i0 = 0; i0 < l; i0 += ROWS) {
      const i1 = Math.min(l, i0 + ROWS);
      rowMax.fill(-Infinity);
      rowSum.fill(0);
      acc.fill(0);
      const keys = p.causal ? Math.min(s, i1) : s;
      for (let j0 = 0; j0 < keys; j0 += COLS) {
        const j1 = Math.min(keys, j0 + COLS);
        for (let i = i0; i < i1; i++) {
          const r = i - i0;
          scoreRow(tile, q.data, qb + i * e, k.data, kb, e, j0, j1, i, p, b, n);
          let m = rowMax[r]!;
          for (let j = 0; j < j1 - j0; j++) if (tile[j]! > m || tile[j] !== tile[j]) m = tile[j]!;
          if (m === -Infinity) continue; // every key so far masked: nothing to add
          const old = rowMax[r]!;
          const rescale = old === -Infinity ? 0 : Math.exp(old - m);
          const a = r * ev;
          if (rescale !== 1) {
            for (let c = 0; c < ev; c++) acc[a + c] = acc[a + c]! * rescale;
          }
          let sum = rowSum[r]! * rescale;
          for (let j = j0; j < j1; j++) {
            const w = Math.exp(tile[j - j0]! - m);
            if (w === 0) continue;
            sum += w;
            const vr = vb + j * ev;
            for (let c = 0; c < ev; c++) acc[a + c] = acc[a + c]! + w * v.data[vr + c]!;
          }
          rowSum[r] = sum;
          rowMax[r] = m;
        }
      }
      for (let i = i0; i < i1; i++) {
        const r = i - i0, sum = rowSum[r]!, o = (n * l + i) * ev;
        const empty = !(sum > 0) && rowMax[r] === -Infinity;
        for (let c = 0; c < ev; c++) out[o + c] = empty ? 0 : acc[r * ev + c]! / sum;
        out[lseAt + n * l + i] = empty ? -Infinity : rowMax[r]! + Math.log(sum);
      }
    }
  }
  return out;
}

/**
 * The backward: dq, dk and dv packed one after the other, from the output's gradient `g`, the operands and the
 * forward's packed result. Per tile: P = exp(s − lse), dv += Pᵀ g, dP = g vᵀ, dS = P (dP − rowsum(g ∘ out)),
 * dq += scale dS k, dk += scale dSᵀ q.
 */
export function attentionBackward(g: AttentionOperand, q: AttentionOperand, k: AttentionOperand, v: AttentionOperand, saved: TypedArray, bias: AttentionOperand | null, p: AttentionParams, dtype: DType): TypedArray {
  const d = attentionDims(q.shape, k.shape, v.shape);
  const { n: batch, l, s, e, ev } = d;
  const out = allocOut(dtype, attentionGradSize(d), "any");
  const b = biasOf(bias, q.shape, l, s);
  const dkAt = batch * l * e, dvAt = dkAt + batch * s * e, lseAt = batch * l * ev;
  const tile = new Float64Array(COLS);
  const dq = new Float64Array(e);
  const dk = new Float64Array(s * e), dv = new Float64Array(s * ev);
  const gd = g.data;
  for (let n = 0; n < batch; n++) {
    const qb = n * l * e, kb = n * s * e, vb = n * s * ev, ob = n * l * ev;
    dk.fill(0);
    dv.fill(0);
    for (let i = 0; i < l; i++) {
      const lse = saved[lseAt + n * l + i]!;
      const gr = ob + i * ev, qr = qb + i * e;
      dq.fill(0);
      if (lse !== -Infinity) {
        let rowDot = 0; // rowsum(g ∘ out): Σ_j P_ij dP_ij
        for (let c = 0; c < ev; c++) rowDot += gd[gr + c]! * saved[gr + c]!;
        const keys = p.causal ? Math.min(s, i + 1) : s;
        for (let j0 = 0; j0 < keys; j0 += COLS) {
          const j1 = Math.min(keys, j0 + COLS);
          scoreRow(tile, q.data, qr, k.data, kb, e, j0, j1, i, p, b, n);
          for (let j = j0; j < j1; j++) {
            const w = Math.exp(tile[j - j0]! - lse);
            if (w === 0) continue;
            const vr = vb + j * ev, dvr = j * ev;
            let dp = 0;
            for (let c = 0; c < ev; c++) {
              dp += gd[gr + c]! * v.data[vr + c]!;
              dv[dvr + c] = dv[dvr + c]! + w * gd[gr + c]!;
            }
            const ds = w * (dp - rowDot) * p.scale;
            const kr = kb + j * e, dkr = j * e;
            for (let c = 0; c < e; c++) {
              dq[c] = dq[c]! + ds * k.data[kr + c]!;
              dk[dkr + c] = dk[dkr + c]! + ds * q.data[qr + c]!;
            }
          }
        }
      }
      for (let c = 0; c < e; c++) out[qb + i * e + c] = dq[c]!;
    }
    for (let x = 0; x < s * e; x++) out[dkAt + kb + x] = dk[x]!;
    for (let x = 0; x < s * ev; x++) out[dvAt + vb + x] = dv[x]!;
  }
  return out;
}
