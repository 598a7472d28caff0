// The fused attention methods composed from the backend core, for backends without kernels of their own (webgpu):
// the scores are materialised here, [N, L, S], and every temporary is released before returning.
import type { ComputeDType as DType } from "../dtype.js";
import { attentionDims, attentionGradSize, attentionSavedSize, biasStrides } from "../ops/attention-params.js";
import type { AttentionParams } from "../ops/attention-params.js";
import { Expr, select } from "../ops/expr.js";
import { makeProgram, opProgram } from "../ops/program.js";
import type { Shape } from "../shape.js";
import type { CompleteBackend, DataBuf, TensorData } from "./backend.js";

type Temp = (buf: DataBuf) => DataBuf;

const data = (buf: DataBuf, shape: Shape, dtype: DType): TensorData => ({ buf, shape, dtype });

const scaled = makeProgram("attention", 2, (x, c) => x!.mul(c!));
const plus = makeProgram("attention", 2, (x, y) => x!.add(y!));
// Shift by the row's maximum, or by 0 where it is infinite (a row with every key masked stays −∞, not NaN).
const finiteOr0 = (m: Expr) => select(Expr.call("isinf", m), 0, m);
const shifted = makeProgram("attention", 2, (x, m) => x!.sub(finiteOr0(m!)));
const normalised = makeProgram("attention", 2, (e, z) => select(z!.eq(0), 0, e!.div(z!)));
const logsumexp = makeProgram("attention", 2, (z, m) => z!.log().add(finiteOr0(m!)));
const fromLse = makeProgram("attentionBackward", 2, (s, lse) => select(lse!.eq(-Infinity), 0, s!.sub(lse!).exp()));
const scoreGrad = makeProgram("attentionBackward", 4, (p, dp, dot, c) => p!.mul(dp!.sub(dot!)).mul(c!));
const times = makeProgram("attentionBackward", 2, (x, y) => x!.mul(y!));

function run(b: CompleteBackend, temps: DataBuf[], fn: (temp: Temp) => DataBuf): DataBuf {
  try {
    return fn((buf) => (temps.push(buf), buf));
  } finally {
    for (const t of temps) b.release?.(t);
  }
}

// The scores scale·q·kᵀ + bias (+ the causal mask) as [N, L, S].
function scores(b: CompleteBackend, q: TensorData, k: TensorData, bias: TensorData | null, p: AttentionParams, temp: Temp): TensorData {
  const { n, l, s, e } = attentionDims(q.shape, k.shape, k.shape);
  const dtype = q.dtype;
  const shape = [n, l, s];
  const raw = data(temp(b.matmul(data(q.buf, [n, l, e], dtype), data(k.buf, [n, s, e], dtype), shape, false, true)), shape, dtype);
  let out = data(temp(b.elementwise(scaled, [raw, data(temp(b.full(1, p.scale, dtype)), [], dtype)], shape, dtype)), shape, dtype);
  if (bias !== null) {
    const full = [...q.shape.slice(0, -2), l, s];
    const spread = data(temp(b.strided(bias, { offset: 0, strides: biasStrides(bias.shape, full) }, full)), shape, dtype);
    out = data(temp(b.elementwise(plus, [out, spread], shape, dtype)), shape, dtype);
  }
  if (p.causal) {
    const mask = dtype === "float64" ? new Float64Array(l * s) : new Float32Array(l * s);
    for (let i = 0; i < l; i++) mask.fill(-Infinity, i * s + Math.min(s, i + 1), (i + 1) * s);
    out = data(temp(b.elementwise(plus, [out, data(temp(b.fromArray(mask)), [l, s], dtype)], shape, dtype)), shape, dtype);
  }
  return out;
}

/** attention, composed: softmax rows with a safe shift, the product with v, and the logsumexps packed after it. */
export function attentionFallback(b: CompleteBackend, q: TensorData, k: TensorData, v: TensorData, bias: TensorData | null, p: AttentionParams): DataBuf {
  const d = attentionDims(q.shape, k.shape, v.shape);
  const { n, l, s, ev } = d;
  const dtype = q.dtype;
  return run(b, [], (temp) => {
    const sc = scores(b, q, k, bias, p, temp);
    const rows = [n, l, 1];
    const m = data(temp(b.reduce("max", sc, [2], dtype)), rows, dtype);
    const sh = data(temp(b.elementwise(shifted, [sc, m], sc.shape, dtype)), sc.shape, dtype);
    const ex = data(temp(b.elementwise(opProgram("exp"), [sh], sc.shape, dtype)), sc.shape, dtype);
    const z = data(temp(b.reduce("sum", ex, [2], dtype)), rows, dtype);
    const probs = data(temp(b.elementwise(normalised, [ex, z], sc.shape, dtype)), sc.shape, dtype);
    const out = data(temp(b.matmul(probs, data(v.buf, [n, s, ev], dtype), [n, l, ev])), [n, l, ev], dtype);
    const lse = data(temp(b.elementwise(logsumexp, [z, m], rows, dtype)), [n, l], dtype);
    const packed = b.full(attentionSavedSize(d), 0, dtype);
    b.scatterStrided(packed, out, { offset: 0, strides: [l * ev, ev, 1] }, false);
    b.scatterStrided(packed, lse, { offset: n * l * ev, strides: [l, 1] }, false);
    return packed;
  });
}

/** attentionBackward, composed: the probabilities recomputed from the saved logsumexps, then the five products. */
export function attentionBackwardFallback(b: CompleteBackend, g: TensorData, q: TensorData, k: TensorData, v: TensorData, saved: TensorData, bias: TensorData | null, p: AttentionParams): DataBuf {
  const d = attentionDims(q.shape, k.shape, v.shape);
  const { n, l, s, e, ev } = d;
  const dtype = q.dtype;
  return run(b, [], (temp) => {
    const sc = scores(b, q, k, bias, p, temp);
    const lse = data(temp(b.strided(saved, { offset: n * l * ev, strides: [l, 1, 0] }, [n, l, 1])), [n, l, 1], dtype);
    const probs = data(temp(b.elementwise(fromLse, [sc, lse], sc.shape, dtype)), sc.shape, dtype);
    const g3 = data(g.buf, [n, l, ev], dtype), q3 = data(q.buf, [n, l, e], dtype), k3 = data(k.buf, [n, s, e], dtype), v3 = data(v.buf, [n, s, ev], dtype);
    const out = data(temp(b.strided(saved, { offset: 0, strides: [l * ev, ev, 1] }, [n, l, ev])), [n, l, ev], dtype);
    const go = data(temp(b.elementwise(times, [g3, out], g3.shape, dtype)), g3.shape, dtype);
    const dot = data(temp(b.reduce("sum", go, [2], dtype)), [n, l, 1], dtype);
    const dv = data(temp(b.matmul(probs, g3, [n, s, ev], true, false)), [n, s, ev], dtype);
    const dp = data(temp(b.matmul(g3, v3, sc.shape, false, true)), sc.shape, dtype);
    const ds = data(temp(b.elementwise(scoreGrad, [probs, dp, dot, data(temp(b.full(1, p.scale, dtype)), [], dtype)], sc.shape, dtype)), sc.shape, dtype);
    const dq = data(temp(b.matmul(ds, k3, [n, l, e])), [n, l, e], dtype);
    const dk = data(temp(b.matmul(ds, q3, [n, s, e], true, false)), [n, s, e], dtype);
    const packed = b.full(attentionGradSize(d), 0, dtype);
    b.scatterStrided(packed, dq, { offset: 0, strides: [l * e, e, 1] }, false);
    b.scatterStrided(packed, dk, { offset: n * l * e, strides: [s * e, e, 1] }, false);
    b.scatterStrided(packed, dv, { offset: n * l * e + n * s * e, strides: [s * ev, ev, 1] }, false);
    return packed;
  });
}
