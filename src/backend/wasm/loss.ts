// The wasm backend's nllLoss and its adjoint for float32 log-probabilities: one kernel each (kernels/loss.ts),
// which kernel plans replay, checking each replay's targets as the call does.
import type { LossReduction, TensorData } from "../backend.js";
import { layoutOf, targetOutOfBounds } from "../cpu/loss.js";
import { sizeOf } from "../../shape.js";
import type { Shape } from "../../shape.js";
import { runKernel } from "./call.js";
import { checked } from "./kernel-plan.js";
import type { Runtime } from "./runtime.js";

const REDUCTIONS: Record<LossReduction, number> = { none: 0, sum: 1, mean: 2 };

function checkTargets(rt: Runtime, op: string, target: Int32Array, at: number, classes: number, ignoreIndex: number): void {
  checked(() => {
    const bad = rt.exports.badTarget(at, target.length, classes, ignoreIndex);
    if (bad >= 0) throw targetOutOfBounds(op, target[bad]!, classes);
  });
}

export function nllLossF32(rt: Runtime, logp: TensorData, target: TensorData, ignoreIndex: number, reduction: LossReduction): Float32Array | undefined {
  if (logp.dtype !== "float32") return undefined;
  const { classes, inner } = layoutOf(logp.shape);
  const t = target.buf as Int32Array;
  const out = runKernel(rt, [logp.buf as Float32Array, t], [{ dtype: "float32", length: reduction === "none" ? t.length : 1 }], [], ([pl, pt], [po]) => {
    checkTargets(rt, "nllLoss", t, pt!, classes, ignoreIndex);
    rt.exports.nllLossF32(pl!, pt!, po!, t.length, classes, inner, ignoreIndex, REDUCTIONS[reduction]);
  });
  return out?.[0] as Float32Array | undefined;
}

export function nllLossBackwardF32(rt: Runtime, g: TensorData, target: TensorData, inShape: Shape, ignoreIndex: number, reduction: LossReduction): Float32Array | undefined {
  if (g.dtype !== "float32") return undefined;
  const { classes, inner } = layoutOf(inShape);
  const t = target.buf as Int32Array;
  const out = runKernel(rt, [g.buf as Float32Array, t], [{ dtype: "float32", length: sizeOf(inShape) }], [], ([pg, pt], [po]) => {
    checkTargets(rt, "nllLossBackward", t, pt!, classes, ignoreIndex);
    rt.exports.nllLossBackwardF32(pg!, pt!, po!, t.length, classes, inner, ignoreIndex, REDUCTIONS[reduction]);
  });
  return out?.[0] as Float32Array | undefined;
}
