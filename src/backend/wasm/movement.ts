// The wasm backend's permute for the common case, swapping the last two dims of a 4-byte tensor (every `.t()`/`.mT`).
import type { TensorData } from "../backend.js";
import { runKernel } from "./call.js";
import type { Runtime } from "./runtime.js";

/** Below this many elements the copies and the call cost more than the JavaScript loop. */
const TRANSPOSE_MIN = 1024;

export function transposeLast2(rt: Runtime, x: TensorData, perm: readonly number[]): Float32Array | Int32Array | undefined {
  const nd = x.shape.length;
  if (nd < 2 || (x.dtype !== "float32" && x.dtype !== "int32")) return undefined;
  for (let d = 0; d < nd - 2; d++) if (perm[d] !== d) return undefined;
  if (perm[nd - 2] !== nd - 1 || perm[nd - 1] !== nd - 2) return undefined;
  const src = x.buf as Float32Array | Int32Array;
  if (src.length < TRANSPOSE_MIN) return undefined;
  const rows = x.shape[nd - 2]!, cols = x.shape[nd - 1]!;
  const out = runKernel(rt, [src], [{ dtype: x.dtype, length: src.length }], [], ([ps], [pd]) => {
    rt.exports.transpose32(ps!, pd!, src.length / (rows * cols), rows, cols);
  });
  return out?.[0];
}
