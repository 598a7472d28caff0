// The wasm backend's float32 elementwise kernels: same-shape, scalar, repeated-row or column operands, SIMD on the wasm heap.
// Other dtypes, ops and broadcasts return undefined and the backend uses the cpu kernel.
import type { DType } from "../../dtype.js";
import { sizeOf } from "../../shape.js";
import type { Shape } from "../../shape.js";
import type { BinaryOp, TensorData, UnaryOp } from "../backend.js";
import { runKernel } from "./call.js";
import { splitVectors } from "./split.js";
import type { Runtime } from "./runtime.js";

/** Op codes of kernels/elementwise.ts. */
const BINARY_CODES: Partial<Record<BinaryOp, number>> = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5, thresholdBackward: 6 };
const UNARY_CODES: Partial<Record<UnaryOp, number>> = { neg: 0, abs: 1, sqrt: 2, relu: 3, square: 4 };

/** Below this many elements the copies and the call cost more than the JavaScript loop. */
export const ELEMENTWISE_MIN = 512;

// The length of `small`'s row when it broadcasts against `outShape` by repeating whole rows (its shape,
// leading 1s aside, is the output's trailing dims: a bias added to a batch); 0 otherwise.
function rowPeriod(small: Shape, outShape: Shape): number {
  let first = 0;
  while (first < small.length && small[first] === 1) first++;
  const trail = small.slice(first);
  const offset = outShape.length - trail.length;
  if (offset < 0 || trail.some((d, i) => d !== outShape[offset + i])) return 0;
  return sizeOf(trail);
}

// When `small` broadcasts against `outShape` as a column, each of its values over a block of the output's
// trailing dims (a channel's bias, [C, 1, 1] against [N, C, H, W]): the block's length and the values'
// count; undefined otherwise.
function columnBlocks(small: Shape, outShape: Shape): { period: number; count: number } | undefined {
  const offset = outShape.length - small.length;
  if (offset < 0) return undefined;
  let first = 0, last = small.length;
  while (first < last && small[first] === 1) first++;
  while (last > first && small[last - 1] === 1) last--;
  if (last === small.length || first === last) return undefined; // a row, or one value: other modes
  for (let d = first; d < last; d++) if (small[d] !== outShape[offset + d]) return undefined;
  return { period: sizeOf(outShape.slice(offset + last)), count: sizeOf(small.slice(first, last)) };
}

export function binaryF32(rt: Runtime, op: BinaryOp, a: TensorData, b: TensorData, outShape: Shape, outDtype: DType): Float32Array | undefined {
  const code = BINARY_CODES[op];
  const size = sizeOf(outShape);
  if (code === undefined || a.dtype !== "float32" || b.dtype !== "float32" || outDtype !== "float32" || size < ELEMENTWISE_MIN) return undefined;
  const x = a.buf as Float32Array, y = b.buf as Float32Array;
  // mode 0: both full; 1: b a scalar; 2: a a scalar; 3: b a repeated row of whole vectors; 4: a one; 5: b a
  // column (a value per block of `period`); 6: a one; 7: b a repeated row of another length; 8: a one. Other
  // broadcasts: the cpu's job.
  let mode = x.length === size && y.length === size ? 0 : x.length === size && y.length === 1 ? 1 : x.length === 1 && y.length === size ? 2 : -1;
  let period = 0, count = 0;
  if (mode < 0 && x.length === size && (period = rowPeriod(b.shape, outShape)) > 0) mode = period % 4 === 0 ? 3 : 7;
  else if (mode < 0 && y.length === size && (period = rowPeriod(a.shape, outShape)) > 0) mode = period % 4 === 0 ? 4 : 8;
  if (mode < 0) {
    const column = x.length === size ? columnBlocks(b.shape, outShape) : y.length === size ? columnBlocks(a.shape, outShape) : undefined;
    if (column !== undefined && column.period % 4 === 0) {
      ({ period, count } = column);
      mode = x.length === size ? 5 : 6;
    }
  }
  if (mode < 0) return undefined;
  const out = runKernel(rt, [x, y], [{ dtype: "float32", length: size }], [], ([pa, pb], [po]) => {
    const vectors = Math.ceil(size / 4);
    // Threads split rows of whole vectors or a column's blocks at their ends; rows of other lengths anywhere.
    const align = mode >= 3 && mode <= 6 ? period / 4 : 1;
    splitVectors(rt, "binaryF32Range", [code, pa!, pb!, po!, mode, period, count], vectors, align, () => rt.exports.binaryF32(code, pa!, pb!, po!, vectors, mode, period, count, 0));
  });
  return out?.[0] as Float32Array | undefined;
}

export function unaryF32(rt: Runtime, op: UnaryOp, x: TensorData, outDtype: DType): Float32Array | undefined {
  const code = UNARY_CODES[op];
  const arr = x.buf as Float32Array;
  if (code === undefined || x.dtype !== "float32" || outDtype !== "float32" || arr.length < ELEMENTWISE_MIN) return undefined;
  const out = runKernel(rt, [arr], [{ dtype: "float32", length: arr.length }], [], ([px], [po]) => {
    const vectors = Math.ceil(arr.length / 4);
    splitVectors(rt, "unaryF32Range", [code, px!, po!], vectors, 1, () => rt.exports.unaryF32(code, px!, po!, vectors));
  });
  return out?.[0] as Float32Array | undefined;
}
