// The wasm backend's float32 elementwise kernels: same-shape or scalar-broadcast operands, SIMD in wasm scratch.
// Other dtypes, ops and broadcasts return undefined and the backend uses the cpu kernel.
import type { DType } from "../../dtype.js";
import type { BinaryOp, TensorData, UnaryOp } from "../backend.js";
import { borrowScratch, releaseScratch } from "./runtime.js";
import type { Runtime } from "./runtime.js";

/** Op codes of kernels/elementwise.ts. */
const BINARY_CODES: Partial<Record<BinaryOp, number>> = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5 };
const UNARY_CODES: Partial<Record<UnaryOp, number>> = { neg: 0, abs: 1, sqrt: 2, relu: 3, square: 4 };

/** Below this many elements the copies and the call cost more than the JavaScript loop. */
export const ELEMENTWISE_MIN = 512;

const padded = (n: number) => Math.ceil(n / 4) * 16; // bytes of whole 4-lane vectors

export function binaryF32(rt: Runtime, op: BinaryOp, a: TensorData, b: TensorData, size: number, outDtype: DType): Float32Array | undefined {
  const code = BINARY_CODES[op];
  if (code === undefined || a.dtype !== "float32" || b.dtype !== "float32" || outDtype !== "float32" || size < ELEMENTWISE_MIN) return undefined;
  const x = a.buf as Float32Array, y = b.buf as Float32Array;
  // mode 0: both full; 1: b a scalar; 2: a a scalar. Anything else is a real broadcast: the cpu's job.
  const mode = x.length === size && y.length === size ? 0 : x.length === size && y.length === 1 ? 1 : x.length === 1 && y.length === size ? 2 : -1;
  if (mode < 0) return undefined;
  const offsets = borrowScratch(rt, [padded(x.length), padded(y.length), padded(size)]);
  if (offsets === undefined) return undefined;
  try {
    const [pa, pb, po] = offsets as [number, number, number];
    const buffer = rt.memory.buffer;
    new Float32Array(buffer, pa, x.length).set(x);
    new Float32Array(buffer, pb, y.length).set(y);
    rt.exports.binaryF32(code, pa, pb, po, Math.ceil(size / 4), mode);
    return new Float32Array(buffer, po, size).slice();
  } finally {
    releaseScratch();
  }
}

export function unaryF32(rt: Runtime, op: UnaryOp, x: TensorData, outDtype: DType): Float32Array | undefined {
  const code = UNARY_CODES[op];
  const arr = x.buf as Float32Array;
  if (code === undefined || x.dtype !== "float32" || outDtype !== "float32" || arr.length < ELEMENTWISE_MIN) return undefined;
  const offsets = borrowScratch(rt, [padded(arr.length), padded(arr.length)]);
  if (offsets === undefined) return undefined;
  try {
    const [px, po] = offsets as [number, number];
    const buffer = rt.memory.buffer;
    new Float32Array(buffer, px, arr.length).set(arr);
    rt.exports.unaryF32(code, px, po, Math.ceil(arr.length / 4));
    return new Float32Array(buffer, po, arr.length).slice();
  } finally {
    releaseScratch();
  }
}
