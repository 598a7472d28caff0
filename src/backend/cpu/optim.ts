// Fused optimizer updates on the cpu backend: one pass, in place, with no temporaries.
import type { TypedArray } from "../../dtype.js";
import type { AdamHyper } from "../backend.js";

/**
 * Adam's update (Backend.adamUpdate) over typed arrays. In float32 every step is rounded as the unfused
 * ops round it (each op's result is stored as float32, scalars too), so both paths give the same bits.
 * Two loops rather than one with a rounding function passed in: V8 inlines Math.fround only when it sees it.
 */
export function adamUpdate(
  p: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray, vmax: TypedArray | null, h: AdamHyper, float32: boolean,
): void {
  if (float32) adamF32(p as Float32Array, g as Float32Array, m as Float32Array, v as Float32Array, vmax as Float32Array | null, h);
  else adamF64(p as Float64Array, g as Float64Array, m as Float64Array, v as Float64Array, vmax as Float64Array | null, h);
}

// maximum propagates NaN, as the unfused op does.
const max = (a: number, b: number) => (a !== a || b !== b ? NaN : a > b ? a : b);

function adamF32(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, vmax: Float32Array | null, h: AdamHyper): void {
  const r = Math.fround;
  const b1 = r(h.beta1), c1 = r(1 - h.beta1), b2 = r(h.beta2), c2 = r(1 - h.beta2);
  const bc = r(h.biasCorrection2Sqrt), eps = r(h.eps), lr = r(h.stepSize);
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const gi = g[i]!;
    const mi = r(r(m[i]! * b1) + r(gi * c1));
    let vi = r(r(v[i]! * b2) + r(r(gi * c2) * gi));
    m[i] = mi;
    v[i] = vi;
    if (vmax !== null) vmax[i] = vi = max(vmax[i]!, vi);
    p[i] = r(p[i]! - r(r(mi * lr) / r(r(r(Math.sqrt(vi)) / bc) + eps)));
  }
}

function adamF64(p: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array, vmax: Float64Array | null, h: AdamHyper): void {
  const { beta1: b1, beta2: b2, biasCorrection2Sqrt: bc, eps, stepSize: lr } = h;
  const c1 = 1 - b1, c2 = 1 - b2;
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const gi = g[i]!;
    const mi = m[i]! * b1 + gi * c1;
    let vi = v[i]! * b2 + gi * c2 * gi;
    m[i] = mi;
    v[i] = vi;
    if (vmax !== null) vmax[i] = vi = max(vmax[i]!, vi);
    p[i] = p[i]! - (mi * lr) / (Math.sqrt(vi) / bc + eps);
  }
}
