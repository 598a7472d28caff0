// Adam's step on the GPU: one kernel updating the parameter and its moments in place, in the order and float32
// precision of the unfused ops (AcceleratedMethods.adamUpdate).
import type { AdamHyper, DataBuf, TensorData } from "../backend.js";
import { beforeWrite, blockOf } from "./fusion.js";
import { blockOfT, paramDecl, THREAD_MAIN, words } from "./kernel-util.js";
import type { GpuBuf } from "./memory.js";
import { dispatch, groupsFor, pipelineFor } from "./queue.js";

function code(amsgrad: boolean): string {
  return [
    "fn cr_isnan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }",
    "@group(0) @binding(0) var<storage, read_write> p: array<f32>;",
    "@group(0) @binding(1) var<storage, read> g: array<f32>;",
    "@group(0) @binding(2) var<storage, read_write> m: array<f32>;",
    "@group(0) @binding(3) var<storage, read_write> v: array<f32>;",
    ...(amsgrad ? ["@group(0) @binding(4) var<storage, read_write> vmax: array<f32>;"] : []),
    paramDecl(amsgrad ? 5 : 4, 8),
    THREAD_MAIN,
    "  if (i >= u(0u)) { return; }",
    "  let gi = g[i];",
    "  let mi = m[i] * f(1u) + gi * f(2u);",
    "  let vi = v[i] * f(3u) + (gi * f(4u)) * gi;",
    "  m[i] = mi; v[i] = vi;",
    ...(amsgrad
      ? ["  let a = vmax[i];", "  let second = select(select(vi, a, a > vi), a + vi, cr_isnan(a) || cr_isnan(vi));", "  vmax[i] = second;"]
      : ["  let second = vi;"]),
    "  p[i] = p[i] - (mi * f(5u)) / (sqrt(second) / f(6u) + f(7u));",
    "}",
  ].join("\n");
}

/** One Adam step in place on `param`, `expAvg`, `expAvgSq` (and AMSGrad's `maxExpAvgSq`). */
export function adamGpu(param: TensorData, grad: TensorData, expAvg: DataBuf, expAvgSq: DataBuf, maxExpAvgSq: DataBuf | null, h: AdamHyper): void {
  const written = [param.buf, expAvg, expAvgSq, ...(maxExpAvgSq !== null ? [maxExpAvgSq] : [])] as GpuBuf[];
  const n = written[0]!.length;
  for (const b of written) beforeWrite(b);
  const blocks = written.map((b) => blockOf(b));
  for (const b of written) b.host = undefined;
  if (n === 0) return;
  const p = words([n], [h.beta1, 1 - h.beta1, h.beta2, 1 - h.beta2, h.stepSize, h.biasCorrection2Sqrt, h.eps]);
  const [pb, mb, vb, vmaxb] = blocks;
  dispatch(pipelineFor(code(maxExpAvgSq !== null)), [pb!, blockOfT(grad), mb!, vb!, ...(vmaxb !== undefined ? [vmaxb] : [])], p, groupsFor(n));
}
