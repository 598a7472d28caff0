// The exact GELU and its gradient as one elementwise program each: what a backend without the fused `gelu` and
// `geluBackward` kernels runs (its core's `elementwise`), and what the fused kernels are tested against.
import { Expr } from "../ops/expr.js";
import { makeProgram } from "../ops/program.js";

/** 1/√(2π): φ(x) = e^(−x²/2)/√(2π). */
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** x·½(1 + erf(x/√2)), the composite `gelu`'s ops in its order. */
export const geluProgram = makeProgram("gelu", 1, (x) => x!.mul(0.5).mul(Expr.call("erf", x!.mul(Math.SQRT1_2)).add(1)));

/** g·(Φ(x) + x·φ(x)) with Φ(x) = ½(1 + erf(x/√2)). */
export const geluGradProgram = makeProgram("geluBackward", 2, (g, x) => {
  const cdf = Expr.call("erf", x!.mul(Math.SQRT1_2)).add(1).mul(0.5);
  const pdf = x!.mul(x!).mul(-0.5).exp().mul(INV_SQRT_2PI);
  return g!.mul(cdf.add(x!.mul(pdf)));
});
