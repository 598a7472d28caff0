// The wasm backend's fused Adam update: in place on heap-resident float32 buffers (the gradient may be
// anywhere: it is copied in if it is not on the heap).
import type { AdamHyper, DataBuf, TensorData } from "../backend.js";
import { runKernel } from "./call.js";
import { splitVectors } from "./split.js";
import type { Runtime } from "./runtime.js";
import { heapAddress } from "./tensors.js";

/**
 * Adam's two divisions and a square root per element take the divider ~10 cycles a vector, ten times an
 * add's pass: shared with the workers from 32K elements (an MLP's first layer), not the 256K of light kernels.
 */
const ADAM_PARALLEL_MIN_VECTORS = 8192;

/** Whether it ran; false where a state buffer is not on the heap (the cpu kernel then runs). */
export function adamF32(rt: Runtime, p: TensorData, g: TensorData, m: DataBuf, v: DataBuf, vmax: DataBuf | null, h: AdamHyper): boolean {
  if (p.dtype !== "float32" || g.dtype !== "float32") return false;
  const addr = [p.buf, m, v, ...(vmax === null ? [] : [vmax])].map((b) => heapAddress(rt, b));
  if (addr.some((a) => a === undefined)) return false;
  const [pp, pm, pv, pmax] = addr as [number, number, number, number | undefined];
  const grad = g.buf as Float32Array;
  const ran = runKernel(rt, [grad], [], [], ([pg]) => {
    const scalars = [h.beta1, 1 - h.beta1, h.beta2, 1 - h.beta2, h.biasCorrection2Sqrt, h.eps, h.stepSize, pmax === undefined ? 0 : 1];
    const vectors = Math.ceil(grad.length / 4);
    splitVectors(rt, "adamF32Range", [pp, pg!, pm, pv, pmax ?? 0, ...scalars], vectors, 1, () => rt.exports.adamF32(pp, pg!, pm, pv, pmax ?? 0, vectors, ...scalars), ADAM_PARALLEL_MIN_VECTORS);
  });
  return ran !== undefined;
}
