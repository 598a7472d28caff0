// Scalar math the elementwise ops need beyond JavaScript's Math. Each is self-contained (no imports, no closures):
// the cpu backend ships their source to its worker threads with the kernels that call them.
/* eslint-disable no-loss-of-precision -- Cody's published coefficients, kept digit for digit as printed */

// Abramowitz–Stegun 7.1.26 is too coarse for gradcheck; this is W. J. Cody's rational erf,
// accurate to float64 rounding, so the erf kernel matches PyTorch in float64.
export function erf(x: number): number {
  if (x !== x) return x; // NaN stays NaN (the last branch would say 1)
  const ax = Math.abs(x);
  if (ax < 0.5) {
    const t = x * x;
    const p = (((0.185777706184603153 * t + 3.16112374387056560) * t + 113.864154151050156) * t + 377.485237685302021) * t + 3209.37758913846947;
    const q = (((t + 23.6012909523441209) * t + 244.024637934444173) * t + 1282.61652607737228) * t + 2844.23683343917062;
    return (x * p) / q;
  }
  let r: number;
  if (ax < 4) {
    const p = (((((((-1.36864857382716707e-7 * ax + 0.564195517478973971) * ax + 7.21175825088309366) * ax + 43.1622272220567353) * ax + 152.989285046940404) * ax + 339.320816734343687) * ax + 451.918953711872942) * ax + 300.459261020161601);
    const q = (((((((ax + 12.7827273196294235) * ax + 77.0001529352294730) * ax + 277.585444743987643) * ax + 638.980264465631520) * ax + 931.354094850609990) * ax + 790.950925327898110) * ax + 300.459260956983293);
    r = 1 - Math.exp(-ax * ax) * (p / q);
  } else if (ax < 27) {
    const z = 1 / (ax * ax);
    const p = ((((0.0163153871373020978 * z + 0.305326634961232344) * z + 0.360344899949804439) * z + 0.125781726111229246) * z + 0.0160837851487422766) * z + 6.58749161529837803e-4;
    const q = ((((z + 2.56852019228982242) * z + 1.87295284992346725) * z + 0.527905102951428412) * z + 0.0605183413124413191) * z + 0.00233520497626869185;
    r = 1 - (Math.exp(-ax * ax) / ax) * (0.564189583547756287 - (z * p) / q);
  } else r = 1;
  return x < 0 ? -r : r;
}


/** Rounds half to even, as PyTorch's round does (Math.round rounds half up). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The logistic sigmoid in two forms, so that neither exp overflows: 1/(1+e^-x) for x >= 0, e^x/(1+e^x) below. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** The helpers above, for code that ships kernel source elsewhere (a worker thread): one definition each. */
export const SCALAR_HELPERS: readonly ((x: number) => number)[] = [erf, roundHalfEven, sigmoid];

// ---- helpers of the math ops added with issue 23 (each self-contained, as above) ----

/**
 * Division rounded toward −∞, as Python's `//` and PyTorch's `div(…, rounding_mode="floor")`: from the remainder
 * rather than `floor(a / b)`, whose rounded quotient can land on the wrong side of an integer. Division by zero
 * gives the IEEE quotient (±Infinity or NaN).
 */
export function divFloor(a: number, b: number): number {
  if (b === 0) return a / b;
  const mod = a % b;
  let div = (a - mod) / b;
  if (mod !== 0 && b < 0 !== mod < 0) div -= 1;
  if (div === 0) {
    const q = a / b;
    return q < 0 || Object.is(q, -0) ? -0 : 0;
  }
  let floored = Math.floor(div);
  if (div - floored > 0.5) floored += 1;
  return floored;
}

/** The remainder with the divisor's sign, as Python's `%` and PyTorch's `remainder`: `a - b·floor(a / b)`. */
export function remainder(a: number, b: number): number {
  let mod = a % b;
  if (mod !== 0 && b < 0 !== mod < 0) mod += b;
  return mod;
}

/** `|a|` with the sign of `b` (−0 counts as negative; NaN as positive, as PyTorch's NaNs are). */
export function copysign(a: number, b: number): number {
  const magnitude = Math.abs(a);
  return b < 0 || (b === 0 && 1 / b < 0) ? -magnitude : magnitude;
}

/** `log(eᵃ + eᵇ)` without overflow: `max + log1p(e^−|a−b|)`; equal infinities give themselves, not NaN. */
export function logaddexp(a: number, b: number): number {
  if (a === b && (a === Infinity || a === -Infinity)) return a;
  const hi = a !== a || b !== b ? NaN : a > b ? a : b;
  return hi + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/** `x·log(y)`, 0 where x is 0 (unless y is NaN), as PyTorch's xlogy. */
export function xlogy(x: number, y: number): number {
  if (y !== y) return NaN;
  if (x === 0) return 0;
  return x * Math.log(y);
}

/** `start + weight·(end − start)`, from whichever end is nearer, as PyTorch's lerp (exact at weight 0 and 1). */
export function lerp(start: number, end: number, weight: number): number {
  return Math.abs(weight) < 0.5 ? start + weight * (end - start) : end - (end - start) * (1 - weight);
}

/** `x·tanh(softplus(x))`, the mish activation, in PyTorch's form. */
export function mish(x: number): number {
  return x * Math.tanh(Math.log1p(Math.exp(x)));
}

/** `a << b` on int32, with PyTorch's defined result for counts outside [0, 31]: 0. */
export function shiftLeft(a: number, b: number): number {
  return b < 0 || b > 31 ? 0 : a << b;
}

/** `a >> b` (arithmetic) on int32; counts outside [0, 31] shift out every bit but the sign, as PyTorch defines. */
export function shiftRight(a: number, b: number): number {
  return a >> (b < 0 || b > 31 ? 31 : b);
}

/** Binary cross entropy of a probability `p` against a target `y`, each log clamped at −100 as PyTorch's. */
export function binaryCrossEntropy(p: number, y: number): number {
  return (y - 1) * Math.max(Math.log1p(-p), -100) - y * Math.max(Math.log(p), -100);
}
