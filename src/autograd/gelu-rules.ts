// The fused exact GELU's derivative rules. gelu's gradient is the geluBackward primitive (one kernel, as
// PyTorch's GeluBackward); geluBackward's own rules are written in tensor ops, so second derivatives and
// forward-mode tangents of the gradient follow:
//   gelu'(x) = Φ(x) + x·φ(x),   gelu''(x) = 2φ(x) + x·φ'(x) = φ(x)·(2 − x²),   φ(x) = e^(−x²/2)/√(2π).
import type { Tensor } from "../tensor/tensor.js";
import { applyPrimitive } from "./dispatch.js";
import type { Rule } from "./rule.js";

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const none = {} as Record<string, never>;

/** gelu''(x) = φ(x)·(2 − x²). */
function secondDerivative(x: Tensor): Tensor {
  const x2 = x.mul(x);
  return x2.mul(-0.5).exp().mul(INV_SQRT_2PI).mul(x2.neg().add(2));
}

const plus = (a: Tensor | null, b: Tensor | null): Tensor => (a === null ? b! : b === null ? a : a.add(b));

export const gelu: Rule<Record<string, never>> = {
  forward: (backend, [x]) => ({ buf: backend.gelu(x!), shape: x!.shape, dtype: x!.dtype }),
  vjp: (g, { inputs: [x] }) => [applyPrimitive("geluBackward", [g, x!], none)],
  // Linear in the tangent: the same kernel.
  jvp: ([t], { inputs: [x] }) => applyPrimitive("geluBackward", [t!, x!], none),
  saves: "inputs",
};

export const geluBackward: Rule<Record<string, never>> = {
  forward: (backend, [g, x]) => ({ buf: backend.geluBackward(g!, x!), shape: x!.shape, dtype: x!.dtype }),
  vjp: (h, { inputs: [g, x], needsInputGrad }) => [
    needsInputGrad[0] ? applyPrimitive("geluBackward", [h, x!], none) : null,
    needsInputGrad[1] ? h.mul(g!).mul(secondDerivative(x!)) : null,
  ],
  jvp: ([tg, tx], { inputs: [g, x] }) =>
    plus(tg == null ? null : applyPrimitive("geluBackward", [tg, x!], none), tx == null ? null : tx.mul(g!).mul(secondDerivative(x!))),
  saves: "inputs",
};
