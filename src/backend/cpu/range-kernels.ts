// The cpu backend's whole-array kernels, each over a range [start, end) of its elements, so that worker
// threads can share one call (threads.ts ships these very functions to them as source text). They must stay
// self-contained: no imports, no closures, nothing but the helpers `rangeKernelSource` lists (a test compiles
// each one alone to check).
import type { TypedArray } from "../../dtype.js";
import type { AdamHyper } from "../backend.js";

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

/** A generated elementwise loop (program-source.ts) as compiled on this thread. */
type ProgramKernel = (out: TypedArray, o: number, n: number, xs: readonly TypedArray[], offs: readonly number[]) => void;

/**
 * Elements [start, end) of a generated elementwise loop over whole arrays (each input as long as `out`, or one
 * value; compiled `aligned`, program-source.ts): `source` is compiled once per thread and kept under `key`.
 */
export function programRange(key: string, source: string, out: TypedArray, xs: readonly TypedArray[], start: number, end: number): void {
  const self = programRange as unknown as { compiled?: Map<string, ProgramKernel> };
  const compiled = (self.compiled ??= new Map());
  let kernel = compiled.get(key);
  if (kernel === undefined) {
    kernel = new Function(source)() as ProgramKernel;
    compiled.set(key, kernel);
  }
  kernel(out, start, end - start, xs, []);
}

/** The kernels a worker thread may be asked to run, by name. */
export const RANGE_KERNELS = { reluF32, thresholdBackwardF32, programRange, adamF32, adamF64 };
export type RangeKernelName = keyof typeof RANGE_KERNELS;

/** @internal The kernels and their helpers as source text, for a worker thread (one definition, every thread). */
export function rangeKernelSource(): string {
  return [bits32, nanMax, ...Object.values(RANGE_KERNELS)].map((f) => f.toString()).join("\n");
}
