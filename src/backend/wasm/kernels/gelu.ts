// AssemblyScript source of the exact GELU, x·Φ(x), and its gradient g·(Φ(x) + x·φ(x)), 4 lanes at a time over
// padded buffers (lengths in whole vectors; the caller reserves the padding and ignores its results).
// Φ(x) = ½·erfc(−x/√2) with Abramowitz–Stegun 7.1.26 for erfc(|u|) = t·P(t)·e^(−u²), t = 1/(1 + p|u|) (absolute
// error under 1.5e-7, about PyTorch's vectorised float32 erf), taken as ½·erfc for x < 0 so the left tail keeps its
// relative accuracy; e^(−u²) = e^(−x²/2) is shared with φ(x) = e^(−x²/2)/√(2π) in the gradient.

// Cephes' expf: n = round(z·log2 e), r = z − n·ln 2 (in two parts), e^r by a degree-6 polynomial, times 2^n.
// For z ≤ 0 only (e^(−x²/2)): below −87 the result is 0 (−∞ included; denormals flush), NaN stays NaN.
// @ts-ignore: decorator
@inline export function expNonPositive(z: v128): v128 {
  const zc = f32x4.max(z, f32x4.splat(-87.0));
  const n = f32x4.nearest(f32x4.mul(zc, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(zc, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let y = f32x4.splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(y, r), r), r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return v128.andnot(f32x4.mul(y, scale), f32x4.lt(z, f32x4.splat(-87.0)));
}

// Φ(x) into `cdf` and e^(−x²/2) returned.
// @ts-ignore: decorator
@inline function normalCdf(x: v128, e: v128): v128 {
  const a = f32x4.abs(f32x4.mul(x, f32x4.splat(0.7071067811865476)));
  const t = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), f32x4.mul(a, f32x4.splat(0.3275911))));
  let p = f32x4.splat(1.061405429);
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-1.453152027));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(1.421413741));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-0.284496736));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.254829592));
  const half = f32x4.mul(f32x4.mul(f32x4.mul(p, t), e), f32x4.splat(0.5)); // ½·erfc(|u|)
  // x < 0: ½·erfc(|u|); otherwise (NaN included) 1 − ½·erfc(|u|).
  return v128.bitselect(half, f32x4.sub(f32x4.splat(1), half), f32x4.lt(x, f32x4.splat(0)));
}

// @ts-ignore: decorator
@inline function halfSquareExp(x: v128): v128 {
  return expNonPositive(f32x4.mul(f32x4.mul(x, x), f32x4.splat(-0.5)));
}

/** out = gelu(x) over vectors [start, end). */
export function geluF32Range(x: usize, out: usize, start: i32, end: i32): void {
  for (let i = start; i < end; i++) {
    const at = <usize>i << 4;
    const v = v128.load(x + at);
    v128.store(out + at, f32x4.mul(v, normalCdf(v, halfSquareExp(v))));
  }
}

/** out = g·(Φ(x) + x·φ(x)) over vectors [start, end). */
export function geluBackwardF32Range(g: usize, x: usize, out: usize, start: i32, end: i32): void {
  for (let i = start; i < end; i++) {
    const at = <usize>i << 4;
    const v = v128.load(x + at);
    const e = halfSquareExp(v);
    const pdf = f32x4.mul(e, f32x4.splat(0.3989422804014327));
    v128.store(out + at, f32x4.mul(v128.load(g + at), f32x4.add(normalCdf(v, e), f32x4.mul(v, pdf))));
  }
}
