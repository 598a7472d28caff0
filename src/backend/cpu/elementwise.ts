// Elementwise kernels of the cpu backend: unary maps, broadcast binary ops and `where`.
import type { DType, TypedArray } from "../../dtype.js";
import { allocArray } from "../../dtype.js";
import { broadcastStrides, sizeOf } from "../../shape.js";
import type { Shape } from "../../shape.js";
import type { BinaryOp, UnaryOp } from "../backend.js";
import { erf } from "./erf.js";
import { forEachRow } from "./strided.js";

export function unary(op: UnaryOp, x: TypedArray, outDtype: DType): TypedArray {
  const n = x.length;
  const out = allocArray(outDtype, n);
  switch (op) {
    case "neg": for (let i = 0; i < n; i++) out[i] = -x[i]!; break;
    case "abs": for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]!); break;
    case "sqrt": for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]!); break;
    case "exp": for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]!); break;
    case "log": for (let i = 0; i < n; i++) out[i] = Math.log(x[i]!); break;
    case "log1p": for (let i = 0; i < n; i++) out[i] = Math.log1p(x[i]!); break;
    case "expm1": for (let i = 0; i < n; i++) out[i] = Math.expm1(x[i]!); break;
    case "sin": for (let i = 0; i < n; i++) out[i] = Math.sin(x[i]!); break;
    case "cos": for (let i = 0; i < n; i++) out[i] = Math.cos(x[i]!); break;
    case "tanh": for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]!); break;
    case "sigmoid":
      // Two forms so that neither exp overflows: 1/(1+e^-x) for x >= 0, e^x/(1+e^x) below.
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        if (v >= 0) out[i] = 1 / (1 + Math.exp(-v));
        else {
          const e = Math.exp(v);
          out[i] = e / (1 + e);
        }
      }
      break;
    case "relu": for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v > 0 ? v : v !== v ? v : 0; } break;
    case "erf": for (let i = 0; i < n; i++) out[i] = erf(x[i]!); break;
    case "sign": for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v > 0 ? 1 : v < 0 ? -1 : v; } break;
    case "reciprocal": for (let i = 0; i < n; i++) out[i] = 1 / x[i]!; break;
    case "square": for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v * v; } break;
    case "floor": for (let i = 0; i < n; i++) out[i] = Math.floor(x[i]!); break;
    case "ceil": for (let i = 0; i < n; i++) out[i] = Math.ceil(x[i]!); break;
    // Round half to even, as PyTorch does.
    case "round": for (let i = 0; i < n; i++) { const v = x[i]!; const r = Math.round(v); out[i] = Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r; } break;
    case "isnan": for (let i = 0; i < n; i++) out[i] = Number.isNaN(x[i]!) ? 1 : 0; break;
    case "isinf": for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v === Infinity || v === -Infinity ? 1 : 0; } break;
    case "isfinite": for (let i = 0; i < n; i++) out[i] = Number.isFinite(x[i]!) ? 1 : 0; break;
    case "logicalNot": for (let i = 0; i < n; i++) out[i] = x[i] ? 0 : 1; break;
  }
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
  }
}

export function binary(
  op: BinaryOp, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, outShape: Shape, outDtype: DType,
): TypedArray {
  const out = allocArray(outDtype, sizeOf(outShape));
  const intDiv = op === "div" && (outDtype === "int32" || outDtype === "bool");
  const last = outShape.length - 1;
  if (a.length === out.length && b.length === out.length) {
    binaryRow(op, out, 0, a, 0, 1, b, 0, 1, out.length, intDiv);
    return out;
  }
  if (a.length === out.length && b.length === 1) {
    binaryRow(op, out, 0, a, 0, 1, b, 0, 0, out.length, intDiv);
    return out;
  }
  if (a.length === 1 && b.length === out.length) {
    binaryRow(op, out, 0, a, 0, 0, b, 0, 1, out.length, intDiv);
    return out;
  }
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const so = outShape.map(() => 0);
  let o = 0;
  forEachRow(outShape, [sa, sb, so], (off, n) => {
    binaryRow(op, out, o, a, off[0]!, sa[last] ?? 0, b, off[1]!, sb[last] ?? 0, n, intDiv);
    o += n;
  });
  return out;
}

export function where(
  cond: TypedArray, cShape: Shape, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape,
  outShape: Shape, outDtype: DType,
): TypedArray {
  const out = allocArray(outDtype, sizeOf(outShape));
  const sc = broadcastStrides(cShape, outShape);
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const last = outShape.length - 1;
  const dc = sc[last] ?? 0, da = sa[last] ?? 0, db = sb[last] ?? 0;
  let o = 0;
  forEachRow(outShape, [sc, sa, sb], (off, n) => {
    let ic = off[0]!, ia = off[1]!, ib = off[2]!;
    for (let i = 0; i < n; i++, ic += dc, ia += da, ib += db) out[o++] = cond[ic] ? a[ia]! : b[ib]!;
  });
  return out;
}

export function cast(x: TypedArray, dtype: DType): TypedArray {
  const out = allocArray(dtype, x.length);
  if (dtype === "bool") for (let i = 0; i < x.length; i++) out[i] = x[i] ? 1 : 0;
  else if (dtype === "int32") for (let i = 0; i < x.length; i++) out[i] = Math.trunc(x[i]!);
  else out.set(x);
  return out;
}
