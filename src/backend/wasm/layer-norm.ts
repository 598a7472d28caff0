// The wasm backend's fused layer normalisation on float32 (kernels/layer-norm.ts, SIMD, rows shared with the worker
// threads for large inputs); other dtypes run the cpu's (the composite of fallbacks.ts).
import type { TensorData } from "../backend.js";
import type { LayerNormParams } from "../../ops/layer-norm-params.js";
import type { HeapArray } from "./tensors.js";
import { runKernel } from "./call.js";
import type { Runtime } from "./runtime.js";
import { splitPlanes } from "./split.js";

/** From this many elements the threads share the rows (three light passes per element: as an add, roughly). */
const LAYER_NORM_PARALLEL_MIN_ELEMENTS = 262144;

export function layerNormF32(rt: Runtime, x: TensorData, weight: TensorData | null, bias: TensorData | null, p: LayerNormParams): Float32Array | undefined {
  const arr = x.buf as Float32Array;
  if (x.dtype !== "float32" || arr.length === 0 || p.size === 0) return undefined;
  if ((weight !== null && weight.dtype !== "float32") || (bias !== null && bias.dtype !== "float32")) return undefined;
  const ins: HeapArray[] = [arr];
  if (weight !== null) ins.push(weight.buf as Float32Array);
  if (bias !== null) ins.push(bias.buf as Float32Array);
  const rows = arr.length / p.size;
  const out = runKernel(rt, ins, [{ dtype: "float32", length: arr.length }], [], (addr, [po]) => {
    const pw = weight === null ? 0 : addr[1]!;
    const pb = bias === null ? 0 : addr[weight === null ? 1 : 2]!;
    splitPlanes(rt, "layerNormRowsF32", [addr[0]!, pw, pb, po!, p.size, p.eps], rows, arr.length >= LAYER_NORM_PARALLEL_MIN_ELEMENTS);
  });
  return out?.[0] as Float32Array | undefined;
}
