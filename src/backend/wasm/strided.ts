// The wasm backend's strided copies of 4-byte tensors (kernels/strided.ts): the core's `strided` and `scatterStrided`,
// and permute, expand, slice and slice's backward expressed through them. A GPT step makes ~20 of these over
// 100K–300K elements (the q/k/v heads split from c_attn's output, their merge, their backward, LayerNorm's
// expands), which the cpu kernel walks in JavaScript rows of 32; here rows move in 128-bit vectors. Returns
// undefined (the caller then runs the cpu kernel) for small or other-dtype tensors, operands off the heap, and views
// of more than five dims after coalescing.
import type { DataBuf, StridedView, TensorData } from "../backend.js";
import { coalesce } from "../cpu/movement.js";
import type { Shape } from "../../shape.js";
import { broadcastStrides, sizeOf, stridesOf } from "../../shape.js";
import { runKernel } from "./call.js";
import type { Runtime } from "./runtime.js";
import { getPool, parallelRun, readyWorkerCount } from "./workers.js";
import { heapAddress, isHeapArray, releaseHeapArray } from "./tensors.js";
import type { HeapArray } from "./tensors.js";

/** Below this many elements the cpu kernel's loop costs less than the call. */
const STRIDED_MIN = 2048;
/** From this many elements the worker threads share the rows (a wake costs more than a copy of less). */
const STRIDED_PARALLEL_MIN = 1 << 20;
const GATHER = 0, SCATTER = 1, SCATTER_ADD = 2;
const DIMS = 5;

const fourBytes = (t: TensorData) => t.dtype === "float32" || t.dtype === "int32";

// Five sizes then five strides, padded on the left with dims of 1; undefined for views of more dims.
function geometry(shape: Shape, strides: readonly number[]): { geom: Int32Array; rows: number } | undefined {
  const [cs, cst] = coalesce(shape, strides);
  if (cs.length > DIMS) return undefined;
  const geom = new Int32Array(2 * DIMS).fill(1, 0, DIMS).fill(0, DIMS);
  const pad = DIMS - cs.length;
  cs.forEach((n, d) => (geom[pad + d] = n));
  cst.forEach((st, d) => (geom[DIMS + pad + d] = st));
  const n = geom[DIMS - 1]!;
  return { geom, rows: n === 0 ? 0 : sizeOf(cs) / n };
}

// Runs the rows on this thread, or shares them with the workers (GATHER and SCATTER into disjoint rows only).
function runRows(rt: Runtime, args: number[], rows: number, elements: number, mode: number): void {
  const pool = elements >= STRIDED_PARALLEL_MIN && mode !== SCATTER_ADD ? getPool(rt) : null;
  if (pool !== null && readyWorkerCount() > 0) {
    parallelRun(rt, pool, "stridedRows32", args, rows, Math.ceil(rows / (2 * (readyWorkerCount() + 1))));
    return;
  }
  rt.exports.stridedRows32(args[0]!, args[1]!, args[2]!, args[3]!, args[4]!, 0, rows);
}

/** A new contiguous copy of the view `offset`/`strides` of `x`'s buffer, of shape `outShape` (the core's `strided`). */
export function stridedF32(rt: Runtime, x: TensorData, view: StridedView, outShape: Shape): HeapArray | undefined {
  const size = sizeOf(outShape);
  // An input off the heap is copied in: worth it only when it is no larger than the result.
  const src = x.buf as HeapArray;
  if (!fourBytes(x) || size < STRIDED_MIN || (!isHeapArray(src) && src.length > size)) return undefined;
  const g = geometry(outShape, view.strides);
  if (g === undefined) return undefined;
  const out = runKernel(rt, [src, g.geom], [{ dtype: x.dtype as "float32" | "int32", length: size }], [], ([ps, pg], [po]) => {
    runRows(rt, [ps!, po!, pg!, view.offset, GATHER], g.rows, size, GATHER);
  });
  return out?.[0];
}

/**
 * Writes `src` into the view of `dst` in place (the core's `scatterStrided`); false (nothing written) where the
 * kernel does not take these operands. Accumulation is float32 only and stays on one thread (views may overlap).
 */
export function scatterStridedF32(rt: Runtime, dst: DataBuf, src: TensorData, view: StridedView, accumulate: boolean): boolean {
  const size = sizeOf(src.shape);
  const target = dst as object;
  if (!fourBytes(src) || size < STRIDED_MIN || !isHeapArray(target) || !isHeapArray(src.buf as object)) return false;
  if ((target instanceof Float32Array) !== (src.dtype === "float32") || (accumulate && src.dtype !== "float32")) return false;
  const g = geometry(src.shape, view.strides);
  if (g === undefined) return false;
  const mode = accumulate ? SCATTER_ADD : SCATTER;
  const pd = heapAddress(rt, target)!;
  const done = runKernel(rt, [src.buf as HeapArray, g.geom], [], [], ([ps, pg]) => {
    runRows(rt, [pd, ps!, pg!, view.offset, mode], g.rows, size, mode);
  });
  return done !== undefined;
}

/** permute as a strided read (the last-two-dims swap has its own tiled kernel, movement.ts). */
export function permuteStrided(rt: Runtime, x: TensorData, perm: readonly number[]): HeapArray | undefined {
  const st = stridesOf(x.shape);
  return stridedF32(rt, x, { offset: 0, strides: perm.map((p) => st[p]!) }, perm.map((p) => x.shape[p]!));
}

/** expand as a strided read with stride 0 along the broadcast dims (a broadcast last dim is a splat). */
export function expandStrided(rt: Runtime, x: TensorData, outShape: Shape): HeapArray | undefined {
  return stridedF32(rt, x, { offset: 0, strides: broadcastStrides(x.shape, outShape) }, outShape);
}

function sliceView(shape: Shape, starts: readonly number[], steps: readonly number[]): StridedView {
  const st = stridesOf(shape);
  return { offset: starts.reduce((o, s, d) => o + s * st[d]!, 0), strides: steps.map((s, d) => s * st[d]!) };
}

export function sliceStrided(rt: Runtime, x: TensorData, starts: readonly number[], steps: readonly number[], outShape: Shape): HeapArray | undefined {
  return stridedF32(rt, x, sliceView(x.shape, starts, steps), outShape);
}

/** slice's backward: zeros of `inShape` with `src` written into the slice (slices with positive steps never overlap). */
export function sliceBackwardStrided(rt: Runtime, src: TensorData, inShape: Shape, starts: readonly number[], steps: readonly number[], zeros: (size: number) => HeapArray | undefined): HeapArray | undefined {
  if (!fourBytes(src) || sizeOf(src.shape) < STRIDED_MIN || !isHeapArray(src.buf as object) || steps.some((s) => s <= 0)) return undefined;
  const view = sliceView(inShape, starts, steps);
  if (geometry(src.shape, view.strides) === undefined) return undefined;
  const out = zeros(sizeOf(inShape));
  if (out === undefined) return undefined;
  if (scatterStridedF32(rt, out, src, view, false)) return out;
  releaseHeapArray(out);
  return undefined;
}
