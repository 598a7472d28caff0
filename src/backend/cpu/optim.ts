// Fused optimizer updates on the cpu backend: one pass, in place, with no temporaries.
import type { TypedArray } from "../../dtype.js";
import type { AdamHyper } from "../backend.js";

/**
 * Adam's update (Backend.adamUpdate) over typed arrays. In float32 every step is rounded as the unfused
 * ops round it (each op's result is stored as float32, scalars too), so both paths give the same bits.
 */
export function adamUpdate(
  p: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray, vmax: TypedArray | null, h: AdamHyper, float32: boolean,
): void {
  const r = float32 ? Math.fround : (x: number) => x;
  const b1 = r(h.beta1), c1 = r(1 - h.beta1), b2 = r(h.beta2), c2 = r(1 - h.beta2);
  const bc = r(h.biasCorrection2Sqrt), eps = r(h.eps), lr = r(h.stepSize);
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const gi = g[i]!;
    const mi = r(r(m[i]! * b1) + r(gi * c1));
    let vi = r(r(v[i]! * b2) + r(r(gi * c2) * gi));
    m[i] = mi;
    v[i] = vi;
    if (vmax !== null) {
      const w = vmax[i]!;
      vi = w !== w || vi !== vi ? NaN : w > vi ? w : vi; // maximum propagates NaN
      vmax[i] = vi;
    }
    const denom = r(r(r(Math.sqrt(vi)) / bc) + eps);
    p[i] = r(p[i]! - r(r(mi * lr) / denom));
  }
}
