// AssemblyScript source of the fused layer normalisation over contiguous rows: per row one pass for the sum, one
// for the squared deviations from the mean (two passes, as the composite's mean-then-variance, so a large mean
// costs no precision), one that writes (x − mean)·rstd·weight + bias; 4 lanes at a time, the lanes' partial sums
// combined in float64, the last n mod 4 elements one by one. NaN and ±∞ in a row make the whole row NaN, as the
// composite's (∞ − ∞).

// @ts-ignore: decorator
@inline function lanesSum(v: v128): f64 {
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
}

/**
 * out[r] = (x[r] − mean)/√(var + eps)·w + b for rows [start, end) of `n` float32; `w`, `b` are `n` floats each, or 0
 * for none.
 */
export function layerNormRowsF32(x: usize, w: usize, b: usize, out: usize, n: i32, eps: f64, start: i32, end: i32): void {
  const vecs = n >> 2;
  const tail = vecs << 2;
  for (let r = start; r < end; r++) {
    const row = x + ((<usize>r * <usize>n) << 2);
    const dst = out + ((<usize>r * <usize>n) << 2);
    let acc = f32x4.splat(0);
    for (let i = 0; i < vecs; i++) acc = f32x4.add(acc, v128.load(row + (<usize>i << 4)));
    let sum = lanesSum(acc);
    for (let j = tail; j < n; j++) sum += <f64>load<f32>(row + (<usize>j << 2));
    const mean = <f32>(sum / <f64>n);
    const m4 = f32x4.splat(mean);
    let sq = f32x4.splat(0);
    for (let i = 0; i < vecs; i++) {
      const d = f32x4.sub(v128.load(row + (<usize>i << 4)), m4);
      sq = f32x4.add(sq, f32x4.mul(d, d));
    }
    let ss = lanesSum(sq);
    for (let j = tail; j < n; j++) {
      const d = <f64>(load<f32>(row + (<usize>j << 2)) - mean);
      ss += d * d;
    }
    const rstd = <f32>(1.0 / Math.sqrt(ss / <f64>n + eps));
    const r4 = f32x4.splat(rstd);
    for (let i = 0; i < vecs; i++) {
      const at = <usize>i << 4;
      let y = f32x4.mul(f32x4.sub(v128.load(row + at), m4), r4);
      if (w != 0) y = f32x4.mul(y, v128.load(w + at));
      if (b != 0) y = f32x4.add(y, v128.load(b + at));
      v128.store(dst + at, y);
    }
    for (let j = tail; j < n; j++) {
      const at = <usize>j << 2;
      let y = (load<f32>(row + at) - mean) * rstd;
      if (w != 0) y *= load<f32>(w + at);
      if (b != 0) y += load<f32>(b + at);
      store<f32>(dst + at, y);
    }
  }
}
