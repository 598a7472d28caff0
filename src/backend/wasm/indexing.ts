// The wasm backend's gather and scatterAdd for float32 along one axis, when the index has the input's shape
// except along that axis (max pooling's windows and their gradient); other layouts run on the cpu.
import { sizeOf } from "../../shape.js";
import type { Shape } from "../../shape.js";
import type { TensorData } from "../backend.js";
import { outOfBounds } from "../cpu/movement.js";
import { runKernel } from "./call.js";
import { checked } from "./kernel-plan.js";
import type { Runtime } from "./runtime.js";
import { splitPlanes } from "./split.js";

/** Below this many index elements the JavaScript loop is as fast. */
const INDEXING_MIN = 4096;

// [outer, size, inner] of `shape` around `dim`, and the index's extent m there, when the index matches the
// shape in every other dim; undefined otherwise.
function axisLayout(shape: Shape, dim: number, idxShape: Shape): [number, number, number, number] | undefined {
  if (idxShape.length !== shape.length || idxShape.some((d, i) => i !== dim && d !== shape[i])) return undefined;
  return [sizeOf(shape.slice(0, dim)), shape[dim]!, idxShape[dim]!, sizeOf(shape.slice(dim + 1))];
}

/** From this many elements moved (or, for scatterAdd, copied from the base) the planes are shared with the worker threads. */
const PARALLEL_MIN = 65536;

export function gatherF32(rt: Runtime, x: TensorData, dim: number, index: TensorData): Float32Array | undefined {
  const layout = axisLayout(x.shape, dim, index.shape);
  const idx = index.buf as Int32Array;
  if (x.dtype !== "float32" || layout === undefined || idx.length < INDEXING_MIN) return undefined;
  const [outer, size, m, inner] = layout;
  const out = runKernel(rt, [x.buf as Float32Array, idx], [{ dtype: "float32", length: idx.length }], [], ([px, pi], [po]) => {
    checked(() => {
      const bad = rt.exports.firstBadIndex(pi!, idx.length, size);
      if (bad >= 0) throw outOfBounds("gather", idx[bad]!, dim, size);
    });
    splitPlanes(rt, "gatherAxis32Range", [px!, pi!, po!, size, m, inner], outer, idx.length >= PARALLEL_MIN);
  });
  return out?.[0] as Float32Array | undefined;
}

export function scatterAddF32(rt: Runtime, base: TensorData, dim: number, index: TensorData, src: TensorData): Float32Array | undefined {
  const layout = axisLayout(base.shape, dim, index.shape);
  const idx = index.buf as Int32Array;
  const same = src.shape.length === index.shape.length && src.shape.every((d, i) => d === index.shape[i]);
  if (base.dtype !== "float32" || src.dtype !== "float32" || layout === undefined || !same || idx.length < INDEXING_MIN) return undefined;
  const [outer, size, m, inner] = layout;
  const baseArr = base.buf as Float32Array;
  const out = runKernel(rt, [baseArr, idx, src.buf as Float32Array], [{ dtype: "float32", length: baseArr.length }], [], ([pb, pi, ps], [po]) => {
    checked(() => {
      const bad = rt.exports.firstBadIndex(pi!, idx.length, size);
      if (bad >= 0) throw outOfBounds("scatterAdd", idx[bad]!, dim, size);
    });
    splitPlanes(rt, "scatterAddAxis32Range", [po!, pb!, pi!, ps!, size, m, inner], outer, baseArr.length >= PARALLEL_MIN);
  });
  return out?.[0] as Float32Array | undefined;
}
