// The wasm backend's fused attention (kernels/attention.ts) for float32 operands; float64 runs on the cpu kernels.
import type { AttentionParams, TensorData } from "../backend.js";
import { attentionDims, attentionGradSize, attentionSavedSize, biasLayout } from "../../ops/attention-params.js";
import type { AttentionDims } from "../../ops/attention-params.js";
import { runKernel } from "./call.js";
import type { Runtime } from "./runtime.js";
import type { HeapArray } from "./tensors.js";
import { getPool, parallelRun, readyWorkerCount } from "./workers.js";

const f32 = (t: TensorData) => t.buf as Float32Array;
const TILE_BYTES = 2 * 64 * 4; // two tiles of 64 floats: the backward scores query rows in pairs

// The bias operand and where each batch element reads it (offsets copied in as an input).
function biasOperands(bias: TensorData | null, q: TensorData, l: number, s: number): { arrays: HeapArray[]; rowStride: number; colStride: number } {
  if (bias === null) return { arrays: [], rowStride: 0, colStride: 0 };
  const layout = biasLayout(bias.shape, q.shape.slice(0, -2), l, s);
  return { arrays: [f32(bias), layout.offsets], rowStride: layout.rowStride, colStride: layout.colStride };
}

/** From this much work (batch elements · L · S · (E + Ev)) the worker threads share the batch elements: the GPT's 12.6M. */
const ATTENTION_PARALLEL_MIN = 1 << 22;

// The range kernels' geometry (kernels/attention.ts): n, l, s, e, ev, causal, rowStride, colStride, chunk, then scale.
function geometry(d: AttentionDims, p: AttentionParams, rowStride: number, colStride: number, chunk: number): Int32Array {
  const g = Int32Array.of(d.n, d.l, d.s, d.e, d.ev, p.causal ? 1 : 0, rowStride, colStride, chunk, 0);
  new Float32Array(g.buffer, 36, 1)[0] = p.scale;
  return g;
}

// Batch elements a chunk when the threads share the work, or 0 to run on this thread.
function parallelChunk(rt: Runtime, d: AttentionDims): number {
  if (d.n < 2 || d.n * d.l * d.s * (d.e + d.ev) < ATTENTION_PARALLEL_MIN) return 0;
  const pool = getPool(rt);
  if (pool === null || readyWorkerCount() === 0) return 0;
  return Math.ceil(d.n / (2 * (readyWorkerCount() + 1)));
}

const allFloat32 = (ts: readonly (TensorData | null)[]) => ts.every((t) => t === null || t.dtype === "float32");

export function attentionF32(rt: Runtime, q: TensorData, k: TensorData, v: TensorData, bias: TensorData | null, p: AttentionParams): Float32Array | undefined {
  if (!allFloat32([q, k, v, bias])) return undefined;
  const d = attentionDims(q.shape, k.shape, v.shape);
  const size = attentionSavedSize(d);
  if (size === 0) return undefined;
  const b = biasOperands(bias, q, d.l, d.s);
  const chunk = parallelChunk(rt, d);
  if (chunk > 0) {
    const geom = geometry(d, p, b.rowStride, b.colStride, chunk);
    const out = runKernel(rt, [f32(q), f32(k), f32(v), geom, ...b.arrays], [{ dtype: "float32", length: size }], [TILE_BYTES * Math.ceil(d.n / chunk)], (ins, [po], [tile]) => {
      parallelRun(rt, getPool(rt)!, "attentionF32Range", [ins[0]!, ins[1]!, ins[2]!, ins[4] ?? 0, ins[5] ?? 0, po!, ins[3]!, tile!], d.n, chunk);
    });
    return out?.[0] as Float32Array | undefined;
  }
  const out = runKernel(rt, [f32(q), f32(k), f32(v), ...b.arrays], [{ dtype: "float32", length: size }], [TILE_BYTES], (ins, [po], [tile]) => {
    rt.exports.attentionF32(ins[0]!, ins[1]!, ins[2]!, ins[3] ?? 0, ins[4] ?? 0, po!, d.n, d.l, d.s, d.e, d.ev, p.scale, p.causal ? 1 : 0, b.rowStride, b.colStride, tile!);
  });
  return out?.[0] as Float32Array | undefined;
}

export function attentionBackwardF32(rt: Runtime, g: TensorData, q: TensorData, k: TensorData, v: TensorData, saved: TensorData, bias: TensorData | null, p: AttentionParams): Float32Array | undefined {
  if (!allFloat32([g, q, k, v, saved, bias])) return undefined;
  const d = attentionDims(q.shape, k.shape, v.shape);
  const size = attentionGradSize(d);
  if (size === 0) return undefined;
  const b = biasOperands(bias, q, d.l, d.s);
  const chunk = parallelChunk(rt, d);
  if (chunk > 0) {
    const geom = geometry(d, p, b.rowStride, b.colStride, chunk);
    const out = runKernel(rt, [f32(g), f32(q), f32(k), f32(v), f32(saved), geom, ...b.arrays], [{ dtype: "float32", length: size }], [TILE_BYTES * Math.ceil(d.n / chunk)], (ins, [po], [tile]) => {
      parallelRun(rt, getPool(rt)!, "attentionBackwardF32Range", [ins[0]!, ins[1]!, ins[2]!, ins[3]!, ins[4]!, ins[6] ?? 0, ins[7] ?? 0, po!, ins[5]!, tile!], d.n, chunk);
    });
    return out?.[0] as Float32Array | undefined;
  }
  const out = runKernel(rt, [f32(g), f32(q), f32(k), f32(v), f32(saved), ...b.arrays], [{ dtype: "float32", length: size }], [TILE_BYTES], (ins, [po], [tile]) => {
    rt.exports.attentionBackwardF32(ins[0]!, ins[1]!, ins[2]!, ins[3]!, ins[4]!, ins[5] ?? 0, ins[6] ?? 0, po!, d.n, d.l, d.s, d.e, d.ev, p.scale, p.causal ? 1 : 0, b.rowStride, b.colStride, tile!);
  });
  return out?.[0] as Float32Array | undefined;
}
