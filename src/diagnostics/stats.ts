// Numbers a gradient-health report is made of: norms, activation statistics and the share of dead units.
import type { Tensor } from "../tensor/tensor.js";

/** Mean, standard deviation (population) and share of dead units of one layer's output. */
export interface ActivationStats {
  mean: number;
  std: number;
  /** Units (features, all non-batch positions) that are exactly 0 for every sample of the batch. */
  deadFraction: number;
}

/** The values of a tensor as float64 numbers, whatever its dtype (bool and int32 included). */
function values(t: Tensor): ArrayLike<number> {
  const a = t.detach().toTypedArray();
  return a instanceof Uint8Array ? Float64Array.from(a) : a;
}

/**
 * The L2 norm of several tensors taken together, as if concatenated into one vector (the norm
 * clipGradNorm_ uses). Summed in float64, so it overflows only where float64 would; NaN stays NaN.
 */
export function l2Norm(tensors: readonly Tensor[]): number {
  let s = 0;
  for (const t of tensors) {
    const v = values(t);
    for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  }
  return Math.sqrt(s);
}

/** ‖after − before‖ over several parameters, from flat copies taken before the update. */
export function l2Distance(after: readonly Tensor[], before: readonly Float64Array[]): number {
  let s = 0;
  after.forEach((t, k) => {
    const v = values(t);
    const b = before[k]!;
    for (let i = 0; i < v.length; i++) {
      const d = v[i]! - b[i]!;
      s += d * d;
    }
  });
  return Math.sqrt(s);
}

/** A flat float64 copy of a tensor's values (the weights before an optimizer step). */
export function snapshot(t: Tensor): Float64Array {
  return Float64Array.from(values(t));
}

/**
 * Statistics of a layer's output `[N, ...]`: the first dimension is the batch, every other position is
 * a unit. A 0-d or 1-d output counts as one sample.
 */
export function activationStats(out: Tensor): ActivationStats {
  const v = values(out);
  const n = v.length;
  if (n === 0) return { mean: NaN, std: NaN, deadFraction: NaN };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += v[i]!;
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (v[i]! - mean) ** 2;
  const batch = out.ndim >= 2 ? out.shape[0]! : 1;
  const units = n / batch;
  let dead = 0;
  for (let u = 0; u < units; u++) {
    let alive = false;
    for (let b = 0; b < batch && !alive; b++) alive = v[b * units + u] !== 0;
    if (!alive) dead++;
  }
  return { mean, std: Math.sqrt(sq / n), deadFraction: dead / units };
}

/** The L2 norm of flat copies taken together. */
export function flatNorm(arrays: readonly Float64Array[]): number {
  let s = 0;
  for (const a of arrays) for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s);
}
