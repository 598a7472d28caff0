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
