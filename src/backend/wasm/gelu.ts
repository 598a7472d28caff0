// The wasm backend's fused exact GELU and its gradient on float32 (kernels/gelu.ts, SIMD, split across the worker
// threads for large tensors); other dtypes run the cpu's (the composite program).
import type { TensorData } from "../backend.js";
import { runKernel } from "./call.js";
import type { Runtime } from "./runtime.js";
import { splitVectors } from "./split.js";

/** From this many vectors the threads share a GELU pass (it computes ~10× what an add does per element). */
const GELU_PARALLEL_MIN_VECTORS = 32768;

export function geluF32(rt: Runtime, x: TensorData): Float32Array | undefined {
  const arr = x.buf as Float32Array;
  if (x.dtype !== "float32" || arr.length === 0) return undefined;
  const out = runKernel(rt, [arr], [{ dtype: "float32", length: arr.length }], [], ([px], [po]) => {
    const vectors = Math.ceil(arr.length / 4);
    splitVectors(rt, "geluF32Range", [px!, po!], vectors, 1, () => rt.exports.geluF32Range(px!, po!, 0, vectors), GELU_PARALLEL_MIN_VECTORS);
  });
  return out?.[0] as Float32Array | undefined;
}

export function geluBackwardF32(rt: Runtime, g: TensorData, x: TensorData): Float32Array | undefined {
  const ga = g.buf as Float32Array, xa = x.buf as Float32Array;
  if (g.dtype !== "float32" || x.dtype !== "float32" || xa.length === 0 || ga.length !== xa.length) return undefined;
  const out = runKernel(rt, [ga, xa], [{ dtype: "float32", length: xa.length }], [], ([pg, px], [po]) => {
    const vectors = Math.ceil(xa.length / 4);
    splitVectors(rt, "geluBackwardF32Range", [pg!, px!, po!], vectors, 1, () => rt.exports.geluBackwardF32Range(pg!, px!, po!, 0, vectors), GELU_PARALLEL_MIN_VECTORS);
  });
  return out?.[0] as Float32Array | undefined;
}
