// The wasm backend's float32 elementwise kernels: one op of the registry on same-shape, scalar, repeated-row or
// column operands (kernels/elementwise.ts, SIMD on the wasm heap), or any program of ops with float32x4 forms on
// same-shape and scalar operands (compiled at run time, jit.ts). Other dtypes, ops and broadcasts return
// undefined and the backend uses the cpu kernel.
import type { ComputeDType as DType } from "../../dtype.js";
import { opCode } from "../../ops/elementwise.js";
import type { ElementwiseOp } from "../../ops/elementwise.js";
import { opProgram } from "../../ops/program.js";
import type { Program } from "../../ops/program.js";
import { sizeOf } from "../../shape.js";
import type { Shape } from "../../shape.js";
import type { TensorData } from "../backend.js";
import { runKernel } from "./call.js";
import { fuseProgram, realize } from "./fusion.js";
import { splitVectors } from "./split.js";
import type { Runtime } from "./runtime.js";

/** The ops kernels/elementwise.ts has loops for (their codes are the registry's, generated into the AssemblyScript). */
const BINARY_KERNELS: readonly ElementwiseOp[] = ["add", "sub", "mul", "div", "maximum", "minimum", "thresholdBackward"];
const UNARY_KERNELS: readonly ElementwiseOp[] = ["neg", "abs", "sqrt", "relu"];

// The registry op `program` is, on its inputs in order, when that op has a kernel of its own; else undefined.
function kernelOp(program: Program, ops: readonly ElementwiseOp[]): ElementwiseOp | undefined {
  const op = ops.find((o) => o === program.name);
  return op !== undefined && opProgram(op).key === program.key ? op : undefined;
}

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

/** `program` on float32 operands into a float32 result, in wasm where it can (see the file's header); else undefined. */
export function elementwiseF32(rt: Runtime, program: Program, inputs: readonly TensorData[], outShape: Shape, outDtype: DType): Float32Array | undefined {
  const size = sizeOf(outShape);
  if (outDtype !== "float32" || size < ELEMENTWISE_MIN || inputs.some((x) => x.dtype !== "float32")) return undefined;
  const binaryOp = inputs.length === 2 ? kernelOp(program, BINARY_KERNELS) : undefined;
  if (binaryOp !== undefined) {
    const out = binaryF32(rt, opCode(binaryOp), inputs[0]!, inputs[1]!, outShape);
    if (out !== undefined) return out;
  }
  const unaryOp = inputs.length === 1 ? kernelOp(program, UNARY_KERNELS) : undefined;
  if (unaryOp !== undefined && sizeOf(inputs[0]!.shape) === size) return unaryF32(rt, opCode(unaryOp), inputs[0]!);
  // Any other program of float32x4 ops on whole or scalar operands: compiled into one loop and run now.
  if (!inputs.every((x) => sizeOf(x.shape) === size || sizeOf(x.shape) === 1)) return undefined;
  const fused = fuseProgram(rt, program, inputs.map((x) => x.buf), size, true);
  return fused === undefined ? undefined : (realize(rt, fused) as Float32Array);
}

function binaryF32(rt: Runtime, code: number, a: TensorData, b: TensorData, outShape: Shape): Float32Array | undefined {
  const size = sizeOf(outShape);
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

function unaryF32(rt: Runtime, code: number, x: TensorData): Float32Array | undefined {
  const arr = x.buf as Float32Array;
  const out = runKernel(rt, [arr], [{ dtype: "float32", length: arr.length }], [], ([px], [po]) => {
    const vectors = Math.ceil(arr.length / 4);
    splitVectors(rt, "unaryF32Range", [code, px!, po!], vectors, 1, () => rt.exports.unaryF32(code, px!, po!, vectors));
  });
  return out?.[0] as Float32Array | undefined;
}
