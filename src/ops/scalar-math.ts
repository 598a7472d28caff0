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
