// The wasm backend's float32 log-softmax and its gradient over the last axis; other axes and dtypes run on the cpu kernels.
import type { TensorData } from "../backend.js";
import { runKernel } from "./call.js";
import type { Runtime } from "./runtime.js";

export function logSoftmaxF32(rt: Runtime, x: TensorData, axis: number): Float32Array | undefined {
  const arr = x.buf as Float32Array;
  const n = x.shape[axis]!;
  if (x.dtype !== "float32" || axis !== x.shape.length - 1 || n === 0 || arr.length === 0) return undefined;
  const out = runKernel(rt, [arr], [{ dtype: "float32", length: arr.length }], [], ([px], [po]) => {
    rt.exports.logSoftmaxRowsF32(px!, po!, arr.length / n, n);
  });
  return out?.[0] as Float32Array | undefined;
}

export function logSoftmaxBackwardF32(rt: Runtime, g: TensorData, y: TensorData, axis: number): Float32Array | undefined {
  const ga = g.buf as Float32Array, ya = y.buf as Float32Array;
  const n = g.shape[axis]!;
  if (g.dtype !== "float32" || y.dtype !== "float32" || axis !== g.shape.length - 1 || n === 0 || ga.length === 0) return undefined;
  const out = runKernel(rt, [ga, ya], [{ dtype: "float32", length: ga.length }], [], ([pg, py], [po]) => {
    rt.exports.logSoftmaxBackwardRowsF32(pg!, py!, po!, ga.length / n, n);
  });
  return out?.[0] as Float32Array | undefined;
}
