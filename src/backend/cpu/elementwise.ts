// Elementwise kernels of the cpu backend: unary maps, broadcast binary ops and `where`.
import type { DType, TypedArray } from "../../dtype.js";
import { allocOut } from "./pool.js";
import { broadcastStrides, sizeOf } from "../../shape.js";
import type { Shape } from "../../shape.js";
import type { BinaryOp, UnaryOp } from "../backend.js";
import { forEachRow } from "./strided.js";
import { arithWholeF32Applies, bits32, compareWholeF32Applies } from "./range-kernels.js";
import { runRange } from "./threads.js";

/** Elements per chunk below which a whole-array kernel stays on one thread (~2.5 ns an element in V8). */
const CHUNK_MIN = 32768;

export function unary(op: UnaryOp, x: TypedArray, outDtype: DType): TypedArray {
  const n = x.length;
  const out = allocOut(outDtype, n, "any");
  if (op === "relu" && x instanceof Float32Array && out instanceof Float32Array) runRange("reluF32", [x, out], n, CHUNK_MIN);
  else runRange("unaryRange", [op, x, out], n, CHUNK_MIN);
  return out;
}

// One row of a broadcast binary op: n elements, each operand read with its own stride.
function binaryRow(
  op: BinaryOp, out: TypedArray, o: number, a: TypedArray, ia: number, sa: number,
  b: TypedArray, ib: number, sb: number, n: number, intDiv: boolean,
): void {
  switch (op) {
    case "add": for (let i = 0; i < n; i++, ia += sa, ib += sb) out[o + i] = a[ia]! + b[ib]!; break;
    case "sub": for (let i = 0; i < n; i++, ia += sa, ib += sb) out[o + i] = a[ia]! - b[ib]!; break;
    case "mul": for (let i = 0; i < n; i++, ia += sa, ib += sb) out[o + i] = a[ia]! * b[ib]!; break;
    case "div":
      if (intDiv) for (let i = 0; i < n; i++, ia += sa, ib += sb) out[o + i] = Math.trunc(a[ia]! / b[ib]!);
      else for (let i = 0; i < n; i++, ia += sa, ib += sb) out[o + i] = a[ia]! / b[ib]!;
      break;
    case "pow": for (let i = 0; i < n; i++, ia += sa, ib += sb) out[o + i] = Math.pow(a[ia]!, b[ib]!); break;
    // NaN propagates through maximum and minimum, as in PyTorch.
    case "maximum": for (let i = 0; i < n; i++, ia += sa, ib += sb) { const x = a[ia]!, y = b[ib]!; out[o + i] = x !== x || y !== y ? NaN : x > y ? x : y; } break;
    case "minimum": for (let i = 0; i < n; i++, ia += sa, ib += sb) { const x = a[ia]!, y = b[ib]!; out[o + i] = x !== x || y !== y ? NaN : x < y ? x : y; } break;
    case "gt": for (let i = 0; i < n; i++, ia += sa, ib += sb) out[o + i] = a[ia]! > b[ib]! ? 1 : 0; break;
    case "ge": for (let i = 0; i < n; i++, ia += sa, ib += sb) out[o + i] = a[ia]! >= b[ib]! ? 1 : 0; break;
    case "lt": for (let i = 0; i < n; i++, ia += sa, ib += sb) out[o + i] = a[ia]! < b[ib]! ? 1 : 0; break;
    case "le": for (let i = 0; i < n; i++, ia += sa, ib += sb) out[o + i] = a[ia]! <= b[ib]! ? 1 : 0; break;
    case "eq": for (let i = 0; i < n; i++, ia += sa, ib += sb) out[o + i] = a[ia]! === b[ib]! ? 1 : 0; break;
    case "ne": for (let i = 0; i < n; i++, ia += sa, ib += sb) out[o + i] = a[ia]! !== b[ib]! ? 1 : 0; break;
    case "logicalAnd": for (let i = 0; i < n; i++, ia += sa, ib += sb) out[o + i] = a[ia]! && b[ib]! ? 1 : 0; break;
    case "logicalOr": for (let i = 0; i < n; i++, ia += sa, ib += sb) out[o + i] = a[ia]! || b[ib]! ? 1 : 0; break;
    case "thresholdBackward": for (let i = 0; i < n; i++, ia += sa, ib += sb) out[o + i] = b[ib]! <= 0 ? 0 : a[ia]!; break;
  }
}

// The float32 rows of the arithmetic ops. A separate body from `binaryRow` on purpose: V8 keys its
// element-access feedback on the source position, so a loop that only ever sees Float32Array stays
// monomorphic (and fast) however many dtypes the generic loop has met. Same expressions as there,
// so results are bit-identical.
function arithRowF32(
  op: BinaryOp, out: Float32Array, o: number, a: Float32Array, ia: number, sa: number,
  b: Float32Array, ib: number, sb: number, n: number,
): boolean {
  const end = o + n;
  switch (op) {
    case "add": for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia]! + b[ib]!; return true;
    case "sub": for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia]! - b[ib]!; return true;
    case "mul": for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia]! * b[ib]!; return true;
    case "div": for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia]! / b[ib]!; return true;
    case "maximum": for (; o < end; o++, ia += sa, ib += sb) { const x = a[ia]!, y = b[ib]!; out[o] = x !== x || y !== y ? NaN : x > y ? x : y; } return true;
    case "minimum": for (; o < end; o++, ia += sa, ib += sb) { const x = a[ia]!, y = b[ib]!; out[o] = x !== x || y !== y ? NaN : x < y ? x : y; } return true;
    // A branch, not a multiply by the mask: a masked Infinity or NaN gradient must give 0, as PyTorch's does.
    case "thresholdBackward": for (; o < end; o++, ia += sa, ib += sb) out[o] = b[ib]! <= 0 ? 0 : a[ia]!; return true;
    default: return false;
  }
}

// The float32 comparisons (bool output), specialised for the same reason as `arithRowF32`. They write
// `Number(test)` rather than `test ? 1 : 0`: V8 compiles the ternary to a branch, which on data of
// mixed signs (relu's mask) is mispredicted half the time and made this loop ~4x slower.
function compareRowF32(
  op: BinaryOp, out: Uint8Array, o: number, a: Float32Array, ia: number, sa: number,
  b: Float32Array, ib: number, sb: number, n: number,
): boolean {
  const end = o + n;
  switch (op) {
    case "gt": for (; o < end; o++, ia += sa, ib += sb) out[o] = Number(a[ia]! > b[ib]!); return true;
    case "ge": for (; o < end; o++, ia += sa, ib += sb) out[o] = Number(a[ia]! >= b[ib]!); return true;
    case "lt": for (; o < end; o++, ia += sa, ib += sb) out[o] = Number(a[ia]! < b[ib]!); return true;
    case "le": for (; o < end; o++, ia += sa, ib += sb) out[o] = Number(a[ia]! <= b[ib]!); return true;
    case "eq": for (; o < end; o++, ia += sa, ib += sb) out[o] = Number(a[ia]! === b[ib]!); return true;
    case "ne": for (; o < end; o++, ia += sa, ib += sb) out[o] = Number(a[ia]! !== b[ib]!); return true;
    default: return false;
  }
}

type RowFn = (o: number, ia: number, sa: number, ib: number, sb: number, n: number) => void;

// Picks the row loop once per call: the float32 specialisations where the dtypes allow, else the generic one.
function binaryRowFn(op: BinaryOp, out: TypedArray, a: TypedArray, b: TypedArray, intDiv: boolean): RowFn {
  if (a instanceof Float32Array && b instanceof Float32Array) {
    if (out instanceof Float32Array) {
      return (o, ia, sa, ib, sb, n) => {
        if (!arithRowF32(op, out, o, a, ia, sa, b, ib, sb, n)) binaryRow(op, out, o, a, ia, sa, b, ib, sb, n, intDiv);
      };
    }
    if (out instanceof Uint8Array) {
      return (o, ia, sa, ib, sb, n) => {
        if (!compareRowF32(op, out, o, a, ia, sa, b, ib, sb, n)) binaryRow(op, out, o, a, ia, sa, b, ib, sb, n, intDiv);
      };
    }
  }
  return (o, ia, sa, ib, sb, n) => binaryRow(op, out, o, a, ia, sa, b, ib, sb, n, intDiv);
}

export function binary(
  op: BinaryOp, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, outShape: Shape, outDtype: DType,
): TypedArray {
  const out = allocOut(outDtype, sizeOf(outShape), "any");
  const intDiv = op === "div" && (outDtype === "int32" || outDtype === "bool");
  if (a instanceof Float32Array && b instanceof Float32Array) {
    if (op === "thresholdBackward" && out instanceof Float32Array && a.length === out.length && b.length === out.length) {
      runRange("thresholdBackwardF32", [out, a, b], out.length, CHUNK_MIN);
      return out;
    }
    if (out instanceof Float32Array && arithWholeF32Applies(op, out, a, b)) {
      runRange("arithWholeF32", [op, out, a, b], out.length, CHUNK_MIN);
      return out;
    }
    if (out instanceof Uint8Array && compareWholeF32Applies(op, out, a, b)) {
      runRange("compareWholeF32", [op, out, a, b], out.length, CHUNK_MIN);
      return out;
    }
  }
  const row = binaryRowFn(op, out, a, b, intDiv);
  const size = out.length;
  // Whole-array cases (same shape, or one operand a single element) run as one row.
  if ((a.length === size || a.length === 1) && (b.length === size || b.length === 1)) {
    row(0, 0, a.length === 1 ? 0 : 1, 0, b.length === 1 ? 0 : 1, size);
    return out;
  }
  const last = outShape.length - 1;
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const dA = sa[last] ?? 0, dB = sb[last] ?? 0;
  let o = 0;
  forEachRow(outShape, [sa, sb], (off, n) => {
    row(o, off[0]!, dA, off[1]!, dB, n);
    o += n;
  });
  return out;
}

// Int32 views of out, a and b when all three are float32 or all three int32 (what the bit select handles).
function selectViews(out: TypedArray, a: TypedArray, b: TypedArray): [Int32Array, Int32Array, Int32Array] | undefined {
  if (out instanceof Float32Array && a instanceof Float32Array && b instanceof Float32Array) return [bits32(out), bits32(a), bits32(b)];
  if (out instanceof Int32Array && a instanceof Int32Array && b instanceof Int32Array) return [out, a, b];
  return undefined;
}

// `where` for 4-byte branches (float32, int32) and a bool condition, the dtypes autograd's masks use.
// It selects bits with a mask, (a & m) | (b & ~m), m all ones where cond is non-zero, instead of
// `cond ? a : b`: V8 compiles that to a branch, mispredicted half the time on a mask like relu's,
// which made the loop ~5x slower. The bits are copied unchanged, as the ternary copies the value.
function whereRowBits(
  out: Int32Array, o: number, cond: Uint8Array, ic: number, dc: number,
  a: Int32Array, ia: number, da: number, b: Int32Array, ib: number, db: number, n: number,
): void {
  const end = o + n;
  if (db === 0 && dc === 1 && da === 1) {
    // A scalar second branch over contiguous cond and a, as in relu's backward `where(x > 0, g, 0)`.
    const y = b[ib]!;
    for (let i = 0; i < n; i++) {
      const c = cond[ic + i]!;
      const m = (c | -c) >> 31;
      out[o + i] = (a[ia + i]! & m) | (y & ~m);
    }
  } else if (db === 0) {
    const y = b[ib]!;
    for (; o < end; o++, ic += dc, ia += da) {
      const c = cond[ic]!;
      const m = (c | -c) >> 31;
      out[o] = (a[ia]! & m) | (y & ~m);
    }
  } else if (dc === 1 && da === 1 && db === 1) {
    // All three contiguous: plain offsets from one index, ~25% faster than three strided ones.
    for (let i = 0; i < n; i++) {
      const c = cond[ic + i]!;
      const m = (c | -c) >> 31;
      out[o + i] = (a[ia + i]! & m) | (b[ib + i]! & ~m);
    }
  } else {
    for (; o < end; o++, ic += dc, ia += da, ib += db) {
      const c = cond[ic]!;
      const m = (c | -c) >> 31;
      out[o] = (a[ia]! & m) | (b[ib]! & ~m);
    }
  }
}

function whereRow(
  out: TypedArray, o: number, cond: TypedArray, ic: number, dc: number,
  a: TypedArray, ia: number, da: number, b: TypedArray, ib: number, db: number, n: number,
): void {
  const end = o + n;
  for (; o < end; o++, ic += dc, ia += da, ib += db) out[o] = cond[ic] ? a[ia]! : b[ib]!;
}

export function where(
  cond: TypedArray, cShape: Shape, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape,
  outShape: Shape, outDtype: DType,
): TypedArray {
  const out = allocOut(outDtype, sizeOf(outShape), "any");
  const views = selectViews(out, a, b);
  const row = (o: number, ic: number, dc: number, ia: number, da: number, ib: number, db: number, n: number): void => {
    if (views !== undefined && cond instanceof Uint8Array) whereRowBits(views[0], o, cond, ic, dc, views[1], ia, da, views[2], ib, db, n);
    else whereRow(out, o, cond, ic, dc, a, ia, da, b, ib, db, n);
  };
  const size = out.length;
  const whole = (len: number) => len === size || len === 1;
  if (whole(cond.length) && whole(a.length) && whole(b.length)) {
    row(0, 0, cond.length === 1 ? 0 : 1, 0, a.length === 1 ? 0 : 1, 0, b.length === 1 ? 0 : 1, size);
    return out;
  }
  const sc = broadcastStrides(cShape, outShape);
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const last = outShape.length - 1;
  const dc = sc[last] ?? 0, da = sa[last] ?? 0, db = sb[last] ?? 0;
  let o = 0;
  forEachRow(outShape, [sc, sa, sb], (off, n) => {
    row(o, off[0]!, dc, off[1]!, da, off[2]!, db, n);
    o += n;
  });
  return out;
}

export function cast(x: TypedArray, dtype: DType): TypedArray {
  const out = allocOut(dtype, x.length, "any");
  if (dtype === "bool") for (let i = 0; i < x.length; i++) out[i] = x[i] ? 1 : 0;
  else if (dtype === "int32") for (let i = 0; i < x.length; i++) out[i] = Math.trunc(x[i]!);
  else out.set(x);
  return out;
}
