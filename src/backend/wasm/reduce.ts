// The wasm backend's float32 sums, maxima and minima over all axes, a leading run of axes (over the batch)
// or a trailing run (over features, as softmax's row max and row sum), and sums over all axes but a middle
// run (a convolution bias's gradient); prod and other layouts run on the cpu.
import type { ComputeDType as DType } from "../../dtype.js";
import { sizeOf } from "../../shape.js";
import type { ReduceOp, TensorData } from "../backend.js";
import { runKernel } from "./call.js";
import type { Runtime } from "./runtime.js";
import { splitFixedChunks, splitPlanes, splitVectors } from "./split.js";

/** Elements per partial sum of a sum over all axes: the unit threads share, fixed so the result does not depend on their number. */
const SUM_CHUNK = 65536;

/** From this many elements a sum over leading axes is shared with the worker threads. */
const SHARE_MIN_ELEMENTS = 262144;

/** Below this many elements the JavaScript loop is as fast. */
const REDUCE_MIN = 1024;

export function reduceF32(rt: Runtime, op: ReduceOp, x: TensorData, axes: readonly number[], outDtype: DType): Float32Array | undefined {
  const arr = x.buf as Float32Array;
  if (op === "prod" || x.dtype !== "float32" || outDtype !== "float32" || arr.length < REDUCE_MIN) return undefined;
  const e = rt.exports;
  const isMin = op === "min" ? 1 : 0;
  const nd = x.shape.length;
  const leading = axes.every((a, i) => a === i);
  const trailing = axes.every((a, i) => a === nd - axes.length + i);
  if (axes.length === nd || (leading && axes.length === 0)) {
    if (axes.length === 0) return undefined; // nothing reduced: a copy, the cpu's
    let total = 0;
    const chunks = Math.ceil(arr.length / SUM_CHUNK);
    const ran = runKernel(rt, [arr], [], op === "sum" ? [chunks * 8] : [], ([px], _, [partials]) => {
      if (op !== "sum") {
        total = e.extremeAllF32(px!, arr.length, isMin);
        return;
      }
      splitFixedChunks(rt, "sumAllF32Range", [px!, partials!, SUM_CHUNK], arr.length, SUM_CHUNK);
      const sums = new Float64Array(rt.memory.buffer, partials!, chunks);
      for (let i = 0; i < chunks; i++) total += sums[i]!;
    });
    return ran === undefined ? undefined : Float32Array.of(total);
  }
  const split = leading ? axes.length : trailing ? nd - axes.length : -1;
  if (split < 0) return op === "sum" ? sumMiddle(rt, x, axes) : undefined;
  const rows = sizeOf(x.shape.slice(0, split)), cols = sizeOf(x.shape.slice(split));
  if (rows === 0 || cols === 0) return undefined;
  if (leading) {
    // Columns that are not whole vectors: summed one by one, in the same order (a 10-class bias's gradient).
    if (cols % 4 !== 0) return op === "sum" ? sumMiddle(rt, { ...x, shape: [rows, cols, 1] }, [0, 2]) : undefined;
    const out = runKernel(rt, [arr], [{ dtype: "float32", length: cols }], [cols * 8], ([px], [po], [acc]) => {
      if (op !== "sum") e.extremeColsF32(px!, po!, rows, cols, isMin);
      // Shared by columns once the whole sum is large (a convolution's weight gradient summed over the batch).
      else splitVectors(rt, "sumColsF32Range", [px!, po!, rows, cols, acc!], cols / 4, 1, () => e.sumColsF32(px!, po!, rows, cols, acc!), Math.max(8, Math.ceil(SHARE_MIN_ELEMENTS / 4 / rows)));
    });
    return out?.[0] as Float32Array | undefined;
  }
  const out = runKernel(rt, [arr], [{ dtype: "float32", length: rows }], [], ([px], [po]) => {
    if (op === "sum") e.sumRowsF32(px!, po!, rows, cols);
    else e.extremeRowsF32(px!, po!, rows, cols, isMin);
  });
  return out?.[0] as Float32Array | undefined;
}

// A sum over a leading and a trailing run of axes, keeping the run between them; undefined for other layouts.
function sumMiddle(rt: Runtime, x: TensorData, axes: readonly number[]): Float32Array | undefined {
  const nd = x.shape.length;
  const kept = [...Array(nd).keys()].filter((d) => !axes.includes(d));
  const [first, last] = [kept[0]!, kept[kept.length - 1]!];
  if (kept.length === 0 || last - first + 1 !== kept.length || first === 0 || last === nd - 1) return undefined;
  const outer = sizeOf(x.shape.slice(0, first)), mid = sizeOf(x.shape.slice(first, last + 1)), inner = sizeOf(x.shape.slice(last + 1));
  if (outer * mid * inner === 0) return undefined;
  // Shared by outputs (a convolution's channels) once the sum is large.
  const out = runKernel(rt, [x.buf as Float32Array], [{ dtype: "float32", length: mid }], [], ([px], [po]) =>
    splitPlanes(rt, "sumMiddleF32Range", [px!, po!, outer, mid, inner], mid, outer * mid * inner >= SHARE_MIN_ELEMENTS));
  return out?.[0] as Float32Array | undefined;
}

/** argmax / argmin along `axis` in SIMD where the positions after it are a whole number of vectors (max pooling's windows); undefined otherwise. */
export function argReduceF32(rt: Runtime, op: "argmax" | "argmin", x: TensorData, axis: number): Int32Array | undefined {
  const arr = x.buf as Float32Array;
  const outer = sizeOf(x.shape.slice(0, axis)), size = x.shape[axis]!, inner = sizeOf(x.shape.slice(axis + 1));
  if (x.dtype !== "float32" || arr.length < REDUCE_MIN || size === 0 || inner % 4 !== 0) return undefined;
  const out = runKernel(rt, [arr], [{ dtype: "int32", length: outer * inner }], [], ([px], [po]) => rt.exports.argExtremeMiddleF32(px!, po!, outer, size, inner, op === "argmin" ? 1 : 0));
  return out?.[0] as Int32Array | undefined;
}
