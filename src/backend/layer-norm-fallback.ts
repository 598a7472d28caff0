// The fused layer normalisation composed from a backend's core: what a backend without its own `layerNorm` kernel
// runs (cpu and webgpu), and what the wasm kernel is tested against. The composite `layerNorm`'s steps in its
// order: the mean, the biased variance as the mean of squared deviations, (x − mean)/√(var + eps), then weight and
// bias.
import type { ComputeDType as DType } from "../dtype.js";
import type { LayerNormParams } from "../ops/layer-norm-params.js";
import { makeProgram } from "../ops/program.js";
import { sizeOf } from "../shape.js";
import type { Program } from "../ops/program.js";
import type { CompleteBackend, DataBuf, TensorData } from "./backend.js";

const centered = makeProgram("layerNorm", 3, (x, sum, n) => x!.sub(sum!.div(n!)));
const squared = makeProgram("layerNorm", 1, (d) => d!.mul(d!));
// The normalised rows, then × weight and + bias where given: one program for each of the four cases.
const normalized = (affine: "none" | "weight" | "bias" | "both"): Program =>
  makeProgram("layerNorm", 4 + (affine === "both" ? 2 : affine === "none" ? 0 : 1), (d, ss, n, eps, p, q) => {
    const y = d!.div(ss!.div(n!).add(eps!).sqrt());
    if (affine === "none") return y;
    if (affine === "weight") return y.mul(p!);
    if (affine === "bias") return y.add(p!);
    return y.mul(p!).add(q!);
  });
const PROGRAMS = { none: normalized("none"), weight: normalized("weight"), bias: normalized("bias"), both: normalized("both") };

/** Backend.layerNorm composed from `reduce` and `elementwise`, its temporaries released. */
export function layerNormFallback(b: CompleteBackend, x: TensorData, weight: TensorData | null, bias: TensorData | null, p: LayerNormParams): DataBuf {
  const dt: DType = x.dtype;
  const rows = p.size === 0 ? 0 : sizeOf(x.shape) / p.size;
  const shape = [rows, p.size];
  const kept = [rows, 1];
  const temps: DataBuf[] = [];
  const temp = (buf: DataBuf): DataBuf => (temps.push(buf), buf);
  const data = (buf: DataBuf, s: readonly number[]): TensorData => ({ buf, shape: s, dtype: dt });
  try {
    const xr = data(x.buf, shape);
    const n = data(temp(b.full(1, p.size, dt)), []);
    const eps = data(temp(b.full(1, p.eps, dt)), []);
    const sum = data(temp(b.reduce("sum", xr, [1], dt)), kept);
    const d = data(temp(b.elementwise(centered, [xr, sum, n], shape, dt)), shape);
    const ss = data(temp(b.reduce("sum", data(temp(b.elementwise(squared, [d], shape, dt)), shape), [1], dt)), kept);
    const affine = [weight, bias].filter((t): t is TensorData => t !== null).map((t) => data(t.buf, [p.size]));
    const which = weight !== null && bias !== null ? "both" : weight !== null ? "weight" : bias !== null ? "bias" : "none";
    return b.elementwise(PROGRAMS[which], [d, ss, n, eps, ...affine], shape, dt);
  } finally {
    for (const t of temps) b.release?.(t);
  }
}
