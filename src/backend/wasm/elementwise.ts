// The wasm backend's float32 elementwise kernels: same-shape or scalar-broadcast operands, SIMD in wasm scratch.
// Other dtypes, ops and broadcasts return undefined and the backend uses the cpu kernel.
import type { DType } from "../../dtype.js";
import type { BinaryOp, TensorData, UnaryOp } from "../backend.js";
import { runKernel } from "./call.js";
import type { Runtime } from "./runtime.js";

/** Op codes of kernels/elementwise.ts. */
const BINARY_CODES: Partial<Record<BinaryOp, number>> = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5 };
const UNARY_CODES: Partial<Record<UnaryOp, number>> = { neg: 0, abs: 1, sqrt: 2, relu: 3, square: 4 };

/** Below this many elements the copies and the call cost more than the JavaScript loop. */
export const ELEMENTWISE_MIN = 512;

export function binaryF32(rt: Runtime, op: BinaryOp, a: TensorData, b: TensorData, size: number, outDtype: DType): Float32Array | undefined {
  const code = BINARY_CODES[op];
  if (code === undefined || a.dtype !== "float32" || b.dtype !== "float32" || outDtype !== "float32" || size < ELEMENTWISE_MIN) return undefined;
  const x = a.buf as Float32Array, y = b.buf as Float32Array;
  // mode 0: both full; 1: b a scalar; 2: a a scalar. Anything else is a real broadcast: the cpu's job.
  const mode = x.length === size && y.length === size ? 0 : x.length === size && y.length === 1 ? 1 : x.length === 1 && y.length === size ? 2 : -1;
  if (mode < 0) return undefined;
  const out = runKernel(rt, [x, y], [{ dtype: "float32", length: size }], [], ([pa, pb], [po]) => {
    rt.exports.binaryF32(code, pa!, pb!, po!, Math.ceil(size / 4), mode);
  });
  return out?.[0] as Float32Array | undefined;
}

export function unaryF32(rt: Runtime, op: UnaryOp, x: TensorData, outDtype: DType): Float32Array | undefined {
  const code = UNARY_CODES[op];
  const arr = x.buf as Float32Array;
  if (code === undefined || x.dtype !== "float32" || outDtype !== "float32" || arr.length < ELEMENTWISE_MIN) return undefined;
  const out = runKernel(rt, [arr], [{ dtype: "float32", length: arr.length }], [], ([px], [po]) => {
    rt.exports.unaryF32(code, px!, po!, Math.ceil(arr.length / 4));
  });
  return out?.[0] as Float32Array | undefined;
}
