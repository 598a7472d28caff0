// WGSL helpers the registry's `wgsl` templates call (elementwise.ts), the GPU counterpart of scalar-math.ts: each
// computes what the op's scalar `fn` does (NaN, ±0 and ±Infinity included) in float32, where WGSL has no builtin
// or its builtin is not that function (WGSL's pow is NaN for a negative base, its max may drop a NaN, and
// implementations may compute tanh and the NaN tests loosely). A kernel includes the helpers its templates call.

/** Each helper's WGSL source, by name. A helper may call helpers defined before it. */
export const WGSL_HELPERS: Readonly<Record<string, string>> = {
  // A float32 from its bits, at run time: WGSL's constant expressions may not be infinite or NaN.
  cr_f32: "fn cr_f32(bits: u32) -> f32 { return bitcast<f32>(bits); }",
  // Bit tests: a compiler may assume no NaN in comparisons, never in integer bits.
  cr_isnan: "fn cr_isnan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }",
  cr_isinf: "fn cr_isinf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }",
  cr_isfinite: "fn cr_isfinite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) < 0x7f800000u; }",
  // exp and log with IEEE special values: implementations may compute them loosely outside the normal range
  // (SwiftShader's exp(NaN) is Infinity, its log(0) is about -88 and its log(-x) is log(x)).
  cr_exp: "fn cr_exp(x: f32) -> f32 { return select(exp(x), x, cr_isnan(x)); }",
  cr_log: `fn cr_log(x: f32) -> f32 {
  if (cr_isnan(x) || x < 0.0) { return cr_f32(0x7fc00000u); }
  if (x == 0.0) { return cr_f32(0xff800000u); }
  if (cr_isinf(x)) { return x; }
  return log(x);
}`,
  // sin, cos and tan to float32 accuracy: WGSL allows sin and cos an absolute error of 2⁻¹¹ (SwiftShader's sin(1.6)
  // is 1e-4 off). The argument less the nearest multiple of π/2 (π/2 in three parts, Cody and Waite), then Cephes'
  // sinf and cosf polynomials on [-π/4, π/4].
  cr_sin_poly: "fn cr_sin_poly(r: f32) -> f32 { let z = r * r; return r + r * z * (-1.6666654611e-1 + z * (8.3321608736e-3 + z * -1.9515295891e-4)); }",
  cr_cos_poly: "fn cr_cos_poly(r: f32) -> f32 { let z = r * r; return 1.0 - 0.5 * z + z * z * (4.166664568298827e-2 + z * (-1.388731625493765e-3 + z * 2.443315711809948e-5)); }",
  cr_quadrant: `fn cr_quadrant(x: f32) -> vec2f {
  let k = round(x * 0.6366197723675814);
  var r = fma(-k, 1.5703125, x);
  r = fma(-k, 4.837512969970703125e-4, r);
  r = fma(-k, 7.54978995489188216e-8, r);
  return vec2f(r, k);
}`,
  cr_sin: `fn cr_sin(x: f32) -> f32 {
  let q = cr_quadrant(x);
  let s = cr_sin_poly(q.x);
  let c = cr_cos_poly(q.x);
  let n = i32(q.y - 4.0 * floor(q.y * 0.25));
  return select(select(select(-c, -s, n == 2), c, n == 1), s, n == 0);
}`,
  cr_cos: `fn cr_cos(x: f32) -> f32 {
  let q = cr_quadrant(x);
  let s = cr_sin_poly(q.x);
  let c = cr_cos_poly(q.x);
  let n = i32(q.y - 4.0 * floor(q.y * 0.25));
  return select(select(select(s, -c, n == 2), -s, n == 1), c, n == 0);
}`,
  cr_tan: `fn cr_tan(x: f32) -> f32 {
  let q = cr_quadrant(x);
  let s = cr_sin_poly(q.x);
  let c = cr_cos_poly(q.x);
  let odd = (i32(q.y - 2.0 * floor(q.y * 0.5))) == 1;
  return select(s / c, -c / s, odd);
}`,
  // As scalar-math's nanMax: NaN wins, else a > b ? a : b (so max(0, -0) is -0, as the cpu gives).
  cr_maximum: "fn cr_maximum(a: f32, b: f32) -> f32 { return select(select(b, a, a > b), a + b, cr_isnan(a) || cr_isnan(b)); }",
  cr_minimum: "fn cr_minimum(a: f32, b: f32) -> f32 { return select(select(b, a, a < b), a + b, cr_isnan(a) || cr_isnan(b)); }",
  // log(1 + x) and eˣ − 1 accurate near 0 (Goldberg's and Kahan's corrections of the rounded 1 + x and eˣ).
  cr_log1p: `fn cr_log1p(x: f32) -> f32 {
  let u = 1.0 + x;
  let d = u - 1.0;
  if (d == 0.0) { return x; }
  if (cr_isinf(u)) { return cr_log(u); }
  return cr_log(u) * (x / d);
}`,
  cr_expm1: `fn cr_expm1(x: f32) -> f32 {
  let u = cr_exp(x);
  if (u == 1.0) { return x; }
  let um1 = u - 1.0;
  if (um1 == -1.0) { return -1.0; }
  if (cr_isinf(u)) { return u; }
  return um1 * x / cr_log(u);
}`,
  // tanh from expm1 (accurate near 0, where e²ˣ − 1 cancels), ±1 beyond 10 (tanh 10 rounds to 1 in float32).
  cr_tanh: `fn cr_tanh(x: f32) -> f32 {
  let ax = abs(x);
  if (ax > 10.0) { return sign(x); }
  let e = cr_expm1(-2.0 * ax);
  let t = -e / (2.0 + e);
  return select(t, -t, x < 0.0);
}`,
  // One exp, never overflowing: 1/(1 + e^-x) for x >= 0, e^x/(1 + e^x) below.
  cr_sigmoid: `fn cr_sigmoid(x: f32) -> f32 {
  let e = cr_exp(-abs(x));
  let s = 1.0 / (1.0 + e);
  return select(e * s, s, x >= 0.0);
}`,
  // erf: its Taylor series below 0.5, else 1 − erfc with Numerical Recipes' Chebyshev erfc (fractional error < 1.2e-7).
  cr_erf: `fn cr_erf(x: f32) -> f32 {
  let ax = abs(x);
  if (ax < 0.5) {
    let t = x * x;
    return x * (1.1283791670955126 + t * (-0.3761263890318375 + t * (0.11283791670955126 + t * (-0.026866170645131252
      + t * (0.005223977625442188 + t * (-0.0008548327023450853 + t * 0.00012055332981789664))))));
  }
  let t = 1.0 / (1.0 + 0.5 * ax);
  let r = t * cr_exp(-ax * ax - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return select(1.0 - r, r - 1.0, x < 0.0);
}`,
  // JavaScript's Math.pow in float32: x⁰ = 1 (NaN too), small integer powers by multiplication (exact as the cpu's
  // rounding), a negative base only to integer powers (its sign from the power's parity), signed zeros and infinities.
  cr_pow: `fn cr_pow(x: f32, y: f32) -> f32 {
  if (y == 0.0) { return 1.0; }
  if (cr_isnan(x) || cr_isnan(y)) { return x + y; }
  let ax = abs(x);
  let integral = floor(y) == y;
  if (integral && abs(y) <= 16.0) {
    var r = 1.0;
    for (var i = 0; i < i32(abs(y)); i++) { r = r * x; }
    return select(r, 1.0 / r, y < 0.0);
  }
  let negative = (bitcast<u32>(x) & 0x80000000u) != 0u;
  let odd = integral && abs(y) < 16777216.0 && (i32(y) & 1) == 1;
  var r: f32;
  if (cr_isinf(y)) {
    if (ax == 1.0) { return x * 0.0 + y * 0.0; }
    r = select(0.0, abs(y), (ax > 1.0) == (y > 0.0));
  } else if (ax == 0.0) {
    r = select(0.0, 1.0 / ax, y < 0.0);
  } else if (cr_isinf(ax)) {
    r = select(ax, 0.0, y < 0.0);
  } else {
    if (negative && !integral) { return (x - x) / (x - x); }
    r = exp2(y * log2(ax));
  }
  return select(r, -r, negative && odd);
}`,
  // Math.pow(a, b) | 0 on integers: by squaring (wrapping), and 0 for negative powers but of ±1.
  cr_ipow: `fn cr_ipow(a: i32, b: i32) -> i32 {
  if (b < 0) { return select(select(0, 1 - 2 * (b & 1), a == -1), 1, a == 1); }
  var r = 1;
  var base = a;
  var e = b;
  while (e > 0) {
    if ((e & 1) == 1) { r = r * base; }
    base = base * base;
    e = e >> 1u;
  }
  return r;
}`,
  // ---- the math ops of issue 23 ----
  // |r| with x's sign bit (−0 included), for odd functions computed on |x|.
  cr_signed: "fn cr_signed(r: f32, x: f32) -> f32 { return bitcast<f32>((bitcast<u32>(r) & 0x7fffffffu) | (bitcast<u32>(x) & 0x80000000u)); }",
  cr_log2: `fn cr_log2(x: f32) -> f32 {
  if (cr_isnan(x) || x < 0.0) { return cr_f32(0x7fc00000u); }
  if (x == 0.0) { return cr_f32(0xff800000u); }
  if (cr_isinf(x)) { return x; }
  return log2(x);
}`,
  cr_exp2: "fn cr_exp2(x: f32) -> f32 { return select(exp2(x), x, cr_isnan(x)); }",
  // 1/√x with sqrt's special values (WGSL's inverseSqrt is undefined at 0 and below).
  cr_rsqrt: `fn cr_rsqrt(x: f32) -> f32 {
  if (cr_isnan(x) || x < 0.0) { return cr_f32(0x7fc00000u); }
  if (x == 0.0) { return cr_signed(cr_f32(0x7f800000u), x); }
  if (cr_isinf(x)) { return 0.0; }
  return 1.0 / sqrt(x);
}`,
  // atan to float32 accuracy (WGSL allows its atan 4096 ulp): the argument reduced to [0, tan(π/8)] through
  // atan x = π/2 − atan(1/x) and π/4 + atan((x − 1)/(x + 1)), then Cephes' atanf polynomial.
  cr_atan: `fn cr_atan(x: f32) -> f32 {
  if (cr_isnan(x)) { return x; }
  let a = abs(x);
  var base = 0.0;
  var t = a;
  if (a > 2.414213562373095) { base = 1.5707963267948966; t = -1.0 / a; }
  else if (a > 0.4142135623730950) { base = 0.7853981633974483; t = (a - 1.0) / (a + 1.0); }
  let z = t * t;
  let r = base + ((((8.05374449538e-2 * z - 1.38776856032e-1) * z + 1.99777106478e-1) * z - 3.33329491539e-1) * z * t + t);
  return cr_signed(r, x);
}`,
  // Math.atan2's quadrants, signed zeros and infinities, with cr_atan of |y/x| inside.
  cr_atan2: `fn cr_atan2(y: f32, x: f32) -> f32 {
  if (cr_isnan(x) || cr_isnan(y)) { return x + y; }
  let ay = abs(y);
  let ax = abs(x);
  let left = (bitcast<u32>(x) & 0x80000000u) != 0u;
  var r: f32;
  if (cr_isinf(ay) && cr_isinf(ax)) { r = select(0.7853981633974483, 2.356194490192345, left); }
  else if (ay == 0.0 || cr_isinf(ax)) { r = select(0.0, 3.141592653589793, left); }
  else if (ax == 0.0 || cr_isinf(ay)) { r = 1.5707963267948966; }
  else {
    let a = cr_atan(ay / ax);
    r = select(a, 3.141592653589793 - a, left);
  }
  return cr_signed(r, y);
}`,
  // asin: Cephes' asinf polynomial on [0, ½], and asin a = π/2 − 2 asin √((1 − a)/2) above.
  cr_asin_poly: "fn cr_asin_poly(a: f32, z: f32) -> f32 { return ((((4.2163199048e-2 * z + 2.4181311049e-2) * z + 4.5470025998e-2) * z + 7.4953002686e-2) * z + 1.6666752422e-1) * z * a + a; }",
  cr_asin: `fn cr_asin(x: f32) -> f32 {
  let a = abs(x);
  if (cr_isnan(x) || a > 1.0) { return cr_f32(0x7fc00000u); }
  var r: f32;
  if (a > 0.5) {
    let z = 0.5 * (1.0 - a);
    r = 1.5707963267948966 - 2.0 * cr_asin_poly(sqrt(z), z);
  } else {
    r = cr_asin_poly(a, a * a);
  }
  return cr_signed(r, x);
}`,
  // acos from asin on the half-angle where x is near ±1 (π − 2 asin √((1 + x)/2), 2 asin √((1 − x)/2)).
  cr_acos: `fn cr_acos(x: f32) -> f32 {
  if (cr_isnan(x) || abs(x) > 1.0) { return cr_f32(0x7fc00000u); }
  if (x < -0.5) { return 3.141592653589793 - 2.0 * cr_asin(sqrt(0.5 * (1.0 + x))); }
  if (x > 0.5) { return 2.0 * cr_asin(sqrt(0.5 * (1.0 - x))); }
  return 1.5707963267948966 - cr_asin(x);
}`,
  // sinh and cosh: from expm1 near 0 (where eˣ − e⁻ˣ cancels); eˣ/2 as (e^(x/2)/2)·e^(x/2) beyond 9, which stays
  // finite up to float32's largest sinh (about 89.4) where eˣ itself overflows.
  cr_sinh: `fn cr_sinh(x: f32) -> f32 {
  if (cr_isnan(x)) { return x; }
  let a = abs(x);
  var r: f32;
  if (a > 9.0) { let h = cr_exp(0.5 * a); r = (0.5 * h) * h; }
  else if (a < 1.0) { let t = cr_expm1(a); r = 0.5 * (t + t / (t + 1.0)); }
  else { let e = cr_exp(a); r = 0.5 * (e - 1.0 / e); }
  return cr_signed(r, x);
}`,
  cr_cosh: `fn cr_cosh(x: f32) -> f32 {
  if (cr_isnan(x)) { return x; }
  let a = abs(x);
  if (a > 9.0) { let h = cr_exp(0.5 * a); return (0.5 * h) * h; }
  let e = cr_exp(a);
  return 0.5 * (e + 1.0 / e);
}`,
  // The inverse hyperbolics through log1p (accurate near their zeros); log(2a) where a² would overflow.
  cr_asinh: `fn cr_asinh(x: f32) -> f32 {
  if (cr_isnan(x)) { return x; }
  let a = abs(x);
  var r: f32;
  if (a > 1.0e4) { r = cr_log(a) + 0.6931471805599453; }
  else { let a2 = a * a; r = cr_log1p(a + a2 / (1.0 + sqrt(1.0 + a2))); }
  return cr_signed(r, x);
}`,
  cr_acosh: `fn cr_acosh(x: f32) -> f32 {
  if (cr_isnan(x) || x < 1.0) { return cr_f32(0x7fc00000u); }
  if (x > 1.0e4) { return cr_log(x) + 0.6931471805599453; }
  let t = x - 1.0;
  return cr_log1p(t + sqrt(2.0 * t + t * t));
}`,
  cr_atanh: `fn cr_atanh(x: f32) -> f32 {
  let a = abs(x);
  if (cr_isnan(x) || a > 1.0) { return cr_f32(0x7fc00000u); }
  if (a == 1.0) { return cr_signed(cr_f32(0x7f800000u), x); }
  return cr_signed(0.5 * cr_log1p(2.0 * a / (1.0 - a)), x);
}`,
  // Math.hypot: Infinity if either is infinite (NaN or not), else NaN if either is NaN; the larger factored out, so
  // the squares neither overflow nor underflow.
  cr_hypot: `fn cr_hypot(x: f32, y: f32) -> f32 {
  if (cr_isinf(x) || cr_isinf(y)) { return cr_f32(0x7f800000u); }
  if (cr_isnan(x) || cr_isnan(y)) { return cr_f32(0x7fc00000u); }
  let hi = max(abs(x), abs(y));
  let lo = min(abs(x), abs(y));
  if (hi == 0.0) { return 0.0; }
  let r = lo / hi;
  return hi * sqrt(1.0 + r * r);
}`,
  // As scalar-math's copysign: −0 counts as negative, a NaN sign as positive.
  cr_copysign: "fn cr_copysign(a: f32, b: f32) -> f32 { let neg = b < 0.0 || (b == 0.0 && (bitcast<u32>(b) & 0x80000000u) != 0u); return select(abs(a), -abs(a), neg); }",
  cr_logaddexp: `fn cr_logaddexp(a: f32, b: f32) -> f32 {
  if (a == b && cr_isinf(a)) { return a; }
  return cr_maximum(a, b) + cr_log1p(cr_exp(-abs(a - b)));
}`,
  // As scalar-math's lerp: from whichever end is nearer, exact at weight 0 and 1.
  cr_lerp: "fn cr_lerp(s: f32, e: f32, w: f32) -> f32 { return select(e - (e - s) * (1.0 - w), s + w * (e - s), abs(w) < 0.5); }",
  // C's fmod, exactly (as JavaScript's %): x − y·trunc(x/y) in float32 is not, once the quotient rounds. Long
  // division on the significands: subtract y's from x's, shifting, once per binary place between their exponents.
  cr_fmod: `fn cr_fmod(x: f32, y: f32) -> f32 {
  if (cr_isnan(x) || cr_isnan(y) || cr_isinf(x) || y == 0.0) { return cr_f32(0x7fc00000u); }
  let ux = bitcast<u32>(x) & 0x7fffffffu;
  let uy = bitcast<u32>(y) & 0x7fffffffu;
  let sign = bitcast<u32>(x) & 0x80000000u;
  if (ux < uy) { return x; }
  if (ux == uy) { return bitcast<f32>(sign); }
  var ex = i32(ux >> 23u);
  var ey = i32(uy >> 23u);
  // Significands with their implicit bit; a subnormal's normalised, its exponent below 1.
  var mx = ux & 0x7fffffu;
  var my = uy & 0x7fffffu;
  if (ex == 0) { ex = 1; while ((mx & 0x800000u) == 0u) { mx = mx << 1u; ex = ex - 1; } } else { mx = mx | 0x800000u; }
  if (ey == 0) { ey = 1; while ((my & 0x800000u) == 0u) { my = my << 1u; ey = ey - 1; } } else { my = my | 0x800000u; }
  loop {
    if (mx >= my) { mx = mx - my; }
    if (mx == 0u) { return bitcast<f32>(sign); }
    if (ex == ey) { break; }
    mx = mx << 1u;
    ex = ex - 1;
  }
  while ((mx & 0x800000u) == 0u) { mx = mx << 1u; ex = ex - 1; }
  if (ex > 0) { return bitcast<f32>(sign | (u32(ex) << 23u) | (mx & 0x7fffffu)); }
  return bitcast<f32>(sign | (mx >> u32(1 - ex)));
}`,
  // Python's %: the remainder with the divisor's sign.
  cr_remainder: `fn cr_remainder(a: f32, b: f32) -> f32 {
  let r = cr_fmod(a, b);
  return select(r, r + b, r != 0.0 && (b < 0.0) != (r < 0.0));
}`,
  // The quotients rounded toward zero and toward −∞, from the exact remainder (a rounded a/b may cross an integer):
  // (a − r)/b is a whole number, which round recovers; a zero keeps the sign of a/b; b = 0 gives IEEE's a/b.
  cr_divzero: `fn cr_divzero(a: f32, b: f32) -> f32 {
  if (cr_isnan(a) || a == 0.0) { return cr_f32(0x7fc00000u); }
  return bitcast<f32>(0x7f800000u | ((bitcast<u32>(a) ^ bitcast<u32>(b)) & 0x80000000u));
}`,
  cr_div_trunc: `fn cr_div_trunc(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return cr_divzero(a, b); }
  let q = a / b;
  if (!cr_isfinite(q) || cr_isinf(b)) { return q; }
  let n = round((a - cr_fmod(a, b)) / b);
  return select(n, cr_signed(0.0, q), n == 0.0);
}`,
  cr_div_floor: `fn cr_div_floor(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return cr_divzero(a, b); }
  let m = cr_fmod(a, b);
  var d = round((a - m) / b);
  if (m != 0.0 && (b < 0.0) != (m < 0.0)) { d = d - 1.0; }
  if (d == 0.0) { return cr_signed(0.0, a / b); }
  return d;
}`,
  cr_idiv_floor: `fn cr_idiv_floor(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  let r = a % b;
  return select(a / b, a / b - 1, r != 0 && (r < 0) != (b < 0));
}`,
  cr_iremainder: `fn cr_iremainder(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  let r = a % b;
  return select(r, r + b, r != 0 && (r < 0) != (b < 0));
}`,
  // JavaScript's ToInt32, as the cpu's bitwise ops apply it to float operands: NaN and ±Infinity give 0, finite
  // values truncate and wrap modulo 2³² (WGSL's i32() saturates instead).
  cr_toint32: `fn cr_toint32(x: f32) -> i32 {
  if (!cr_isfinite(x)) { return 0; }
  if (abs(x) < 2147483648.0) { return i32(x); }
  let b = bitcast<u32>(x);
  let e = i32((b >> 23u) & 0xffu) - 150;
  let m = (b & 0x7fffffu) | 0x800000u;
  let r = bitcast<i32>(select(0u, m << u32(min(e, 31)), e < 32));
  return select(r, -r, x < 0.0);
}`,
  cr_xlogy: `fn cr_xlogy(x: f32, y: f32) -> f32 {
  if (cr_isnan(y)) { return y; }
  if (x == 0.0) { return 0.0; }
  return x * cr_log(y);
}`,
  cr_mish: "fn cr_mish(x: f32) -> f32 { return x * cr_tanh(cr_log1p(cr_exp(x))); }",
};

/** The helpers `source` calls (and those they call), in an order where each follows the helpers it calls. */
export function wgslHelpersFor(source: string): string[] {
  const needed = new Set<string>();
  const visit = (text: string): void => {
    for (const m of text.matchAll(/\bcr_\w+/g)) {
      const name = m[0];
      if (needed.has(name) || WGSL_HELPERS[name] === undefined) continue;
      needed.add(name);
      visit(WGSL_HELPERS[name]);
    }
  };
  visit(source);
  // The table lists each helper after the ones it calls.
  return Object.keys(WGSL_HELPERS).filter((n) => needed.has(n)).map((n) => WGSL_HELPERS[n]!);
}
