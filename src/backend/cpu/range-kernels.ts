// The cpu backend's whole-array kernels, each over a range [start, end) of its elements, so that worker
// threads can share one call (threads.ts ships these very functions to them as source text). They must stay
// self-contained: no imports, no closures, nothing but the helpers `rangeKernelSource` lists.
import type { TypedArray } from "../../dtype.js";
import type { AdamHyper, BinaryOp, UnaryOp } from "../backend.js";
import { erf } from "./erf.js";

// 32-bit elements viewed as Int32Array, so a select can move their bits without a float round trip.
export function bits32(x: Float32Array | Int32Array): Int32Array {
  return x instanceof Int32Array ? x : new Int32Array(x.buffer, x.byteOffset, x.length);
}

// relu on float32 through the bits: keep an element whose int32 view is positive (x > 0, +Infinity, or a
// NaN with the sign clear) or whose magnitude bits exceed Infinity's (any NaN), else write +0. Same
// results as the float form in `unaryRange`, without its data-dependent branch, which V8 does not turn
// into a conditional move and which is mispredicted half the time on activations of mixed signs.
export function reluF32(x: Float32Array, out: Float32Array, start: number, end: number): void {
  const xb = bits32(x), ob = bits32(out);
  for (let i = start; i < end; i++) {
    const v = xb[i]!;
    const keep = Number(v > 0) | Number((v & 0x7fffffff) > 0x7f800000);
    ob[i] = v & ((keep << 31) >> 31);
  }
}

/** `op` of each element of x into out (of any dtypes), for i in [start, end). */
export function unaryRange(op: UnaryOp, x: TypedArray, out: TypedArray, start: number, end: number): void {
  switch (op) {
    case "neg": for (let i = start; i < end; i++) out[i] = -x[i]!; break;
    case "abs": for (let i = start; i < end; i++) out[i] = Math.abs(x[i]!); break;
    case "sqrt": for (let i = start; i < end; i++) out[i] = Math.sqrt(x[i]!); break;
    case "exp": for (let i = start; i < end; i++) out[i] = Math.exp(x[i]!); break;
    case "log": for (let i = start; i < end; i++) out[i] = Math.log(x[i]!); break;
    case "log1p": for (let i = start; i < end; i++) out[i] = Math.log1p(x[i]!); break;
    case "expm1": for (let i = start; i < end; i++) out[i] = Math.expm1(x[i]!); break;
    case "sin": for (let i = start; i < end; i++) out[i] = Math.sin(x[i]!); break;
    case "cos": for (let i = start; i < end; i++) out[i] = Math.cos(x[i]!); break;
    case "tanh": for (let i = start; i < end; i++) out[i] = Math.tanh(x[i]!); break;
    case "sigmoid":
      // Two forms so that neither exp overflows: 1/(1+e^-x) for x >= 0, e^x/(1+e^x) below.
      for (let i = start; i < end; i++) {
        const v = x[i]!;
        if (v >= 0) out[i] = 1 / (1 + Math.exp(-v));
        else {
          const e = Math.exp(v);
          out[i] = e / (1 + e);
        }
      }
      break;
    case "relu": for (let i = start; i < end; i++) { const v = x[i]!; out[i] = v > 0 ? v : v !== v ? v : 0; } break;
    case "erf": for (let i = start; i < end; i++) out[i] = erf(x[i]!); break;
    case "sign": for (let i = start; i < end; i++) { const v = x[i]!; out[i] = v > 0 ? 1 : v < 0 ? -1 : v; } break;
    case "reciprocal": for (let i = start; i < end; i++) out[i] = 1 / x[i]!; break;
    case "square": for (let i = start; i < end; i++) { const v = x[i]!; out[i] = v * v; } break;
    case "floor": for (let i = start; i < end; i++) out[i] = Math.floor(x[i]!); break;
    case "ceil": for (let i = start; i < end; i++) out[i] = Math.ceil(x[i]!); break;
    // Round half to even, as PyTorch does.
    case "round": for (let i = start; i < end; i++) { const v = x[i]!; const r = Math.round(v); out[i] = Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r; } break;
    case "isnan": for (let i = start; i < end; i++) out[i] = Number.isNaN(x[i]!) ? 1 : 0; break;
    case "isinf": for (let i = start; i < end; i++) { const v = x[i]!; out[i] = v === Infinity || v === -Infinity ? 1 : 0; } break;
    case "isfinite": for (let i = start; i < end; i++) out[i] = Number.isFinite(x[i]!) ? 1 : 0; break;
    case "logicalNot": for (let i = start; i < end; i++) out[i] = x[i] ? 0 : 1; break;
  }
}

/**
 * Whether `arithWholeF32` computes `op` for these arrays: add/sub/mul/div of same-length arrays, or of an
 * array and a single element on either side.
 */
export function arithWholeF32Applies(op: BinaryOp, out: Float32Array, a: Float32Array, b: Float32Array): boolean {
  const n = out.length;
  return (op === "add" || op === "sub" || op === "mul" || op === "div") && ((a.length === n && (b.length === n || b.length === 1)) || (a.length === 1 && b.length === n));
}

// The commonest float32 ops over whole arrays, with plain indices: about 20% faster than the strided
// row loop, whose extra induction variables V8 does not fold away. `y` is b's single element when
// b is a scalar, `x` a's when a is. Only for what `arithWholeF32Applies` accepts.
export function arithWholeF32(op: BinaryOp, out: Float32Array, a: Float32Array, b: Float32Array, start: number, end: number): void {
  const n = out.length;
  if (a.length === n && b.length === n) {
    switch (op) {
      case "add": for (let i = start; i < end; i++) out[i] = a[i]! + b[i]!; return;
      case "sub": for (let i = start; i < end; i++) out[i] = a[i]! - b[i]!; return;
      case "mul": for (let i = start; i < end; i++) out[i] = a[i]! * b[i]!; return;
      default: for (let i = start; i < end; i++) out[i] = a[i]! / b[i]!; return;
    }
  }
  if (a.length === n) {
    const y = b[0]!;
    switch (op) {
      case "add": for (let i = start; i < end; i++) out[i] = a[i]! + y; return;
      case "sub": for (let i = start; i < end; i++) out[i] = a[i]! - y; return;
      case "mul": for (let i = start; i < end; i++) out[i] = a[i]! * y; return;
      default: for (let i = start; i < end; i++) out[i] = a[i]! / y; return;
    }
  }
  const x = a[0]!;
  switch (op) {
    case "add": for (let i = start; i < end; i++) out[i] = x + b[i]!; return;
    case "sub": for (let i = start; i < end; i++) out[i] = x - b[i]!; return;
    case "mul": for (let i = start; i < end; i++) out[i] = x * b[i]!; return;
    default: for (let i = start; i < end; i++) out[i] = x / b[i]!; return;
  }
}

/** Whether `compareWholeF32` computes `op`: gt/ge/lt/le of same-length arrays, or against a single element on the right. */
export function compareWholeF32Applies(op: BinaryOp, out: Uint8Array, a: Float32Array, b: Float32Array): boolean {
  const n = out.length;
  return (op === "gt" || op === "ge" || op === "lt" || op === "le") && a.length === n && (b.length === n || b.length === 1);
}

// Whole-array float32 comparisons against a same-size array or a scalar on the right (`x > 0`, relu's
// mask), with plain indices for the same reason as `arithWholeF32` (~30% faster here). They write
// `Number(test)` rather than `test ? 1 : 0`: V8 compiles the ternary to a branch, which on data of
// mixed signs (relu's mask) is mispredicted half the time and made this loop ~4x slower.
export function compareWholeF32(op: BinaryOp, out: Uint8Array, a: Float32Array, b: Float32Array, start: number, end: number): void {
  if (b.length === out.length) {
    switch (op) {
      case "gt": for (let i = start; i < end; i++) out[i] = Number(a[i]! > b[i]!); return;
      case "ge": for (let i = start; i < end; i++) out[i] = Number(a[i]! >= b[i]!); return;
      case "lt": for (let i = start; i < end; i++) out[i] = Number(a[i]! < b[i]!); return;
      default: for (let i = start; i < end; i++) out[i] = Number(a[i]! <= b[i]!); return;
    }
  }
  const y = b[0]!;
  switch (op) {
    case "gt": for (let i = start; i < end; i++) out[i] = Number(a[i]! > y); return;
    case "ge": for (let i = start; i < end; i++) out[i] = Number(a[i]! >= y); return;
    case "lt": for (let i = start; i < end; i++) out[i] = Number(a[i]! < y); return;
    default: for (let i = start; i < end; i++) out[i] = Number(a[i]! <= y); return;
  }
}

// relu's gradient without a branch (relu's signs are mixed, so a branch is mispredicted half the time):
// the gradient's bits, masked to zero where b <= 0 (a NaN b passes the gradient, as in PyTorch).
export function thresholdBackwardF32(out: Float32Array, a: Float32Array, b: Float32Array, start: number, end: number): void {
  const o = bits32(out), x = bits32(a);
  for (let i = start; i < end; i++) {
    const y = b[i]!;
    o[i] = x[i]! & -(Number(y > 0) | Number(y !== y));
  }
}

// maximum propagates NaN, as the unfused op does.
function nanMax(a: number, b: number): number {
  return a !== a || b !== b ? NaN : a > b ? a : b;
}

/**
 * Adam's update (Backend.adamUpdate) of elements [start, end) in float32: every step is rounded as the
 * unfused ops round it (each op's result is stored as float32, scalars too), so both paths give the same
 * bits. A loop of its own rather than one with a rounding function passed in: V8 inlines Math.fround only
 * when it sees it.
 */
export function adamF32(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, vmax: Float32Array | null, h: AdamHyper, start: number, end: number): void {
  const r = Math.fround;
  const b1 = r(h.beta1), c1 = r(1 - h.beta1), b2 = r(h.beta2), c2 = r(1 - h.beta2);
  const bc = r(h.biasCorrection2Sqrt), eps = r(h.eps), lr = r(h.stepSize);
  for (let i = start; i < end; i++) {
    const gi = g[i]!;
    const mi = r(r(m[i]! * b1) + r(gi * c1));
    let vi = r(r(v[i]! * b2) + r(r(gi * c2) * gi));
    m[i] = mi;
    v[i] = vi;
    if (vmax !== null) vmax[i] = vi = nanMax(vmax[i]!, vi);
    p[i] = r(p[i]! - r(r(mi * lr) / r(r(r(Math.sqrt(vi)) / bc) + eps)));
  }
}

/** Adam's update of elements [start, end) in float64. */
export function adamF64(p: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array, vmax: Float64Array | null, h: AdamHyper, start: number, end: number): void {
  const { beta1: b1, beta2: b2, biasCorrection2Sqrt: bc, eps, stepSize: lr } = h;
  const c1 = 1 - b1, c2 = 1 - b2;
  for (let i = start; i < end; i++) {
    const gi = g[i]!;
    const mi = m[i]! * b1 + gi * c1;
    let vi = v[i]! * b2 + gi * c2 * gi;
    m[i] = mi;
    v[i] = vi;
    if (vmax !== null) vmax[i] = vi = nanMax(vmax[i]!, vi);
    p[i] = p[i]! - (mi * lr) / (Math.sqrt(vi) / bc + eps);
  }
}

/** The kernels a worker thread may be asked to run, by name. */
export const RANGE_KERNELS = { reluF32, unaryRange, arithWholeF32, compareWholeF32, thresholdBackwardF32, adamF32, adamF64 };
export type RangeKernelName = keyof typeof RANGE_KERNELS;

/** @internal The kernels and their helpers as source text, for a worker thread (one definition, every thread). */
export function rangeKernelSource(): string {
  return [bits32, erf, nanMax, ...Object.values(RANGE_KERNELS)].map((f) => f.toString()).join("\n");
}
