// log-softmax and its gradient on the GPU: a workgroup per slice along the axis, its threads striding over the
// slice and combining their maximum and sums in workgroup memory, so each slice is read in one dispatch.
import { wgslHelpersFor } from "../../ops/wgsl-math.js";
import { sizeOf } from "../../shape.js";
import type { TensorData } from "../backend.js";
import { fuseFull } from "./fusion.js";
import { blockOfT, paramDecl, words } from "./kernel-util.js";
import { newBuf } from "./memory.js";
import type { GpuBuf } from "./memory.js";
import { dispatch, groupsFor, pipelineFor } from "./queue.js";

/** Threads per slice. */
const LANES = 64;

// A slice's element j of row r (rows numbered over the dims before and after the axis): the row's outer index
// times size·inner, plus its inner index, plus j·inner. Parameters: rows, size, inner.
const HEAD = [
  "@compute @workgroup_size(64)",
  "fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {",
  "  let row = wg.y * nwg.x + wg.x;",
  "  let live = row < u(0u);",
  "  let size = u(1u); let inner = u(2u);",
  "  let base = (row / inner) * size * inner + row % inner;",
];

/** WGSL combining `part` across the workgroup with `op` (`max` propagating NaN, or `+`); the result in `part[0]`. */
function tree(op: "max" | "+"): string[] {
  const combine = op === "+" ? "part[li] + part[li + w]" : "select(select(part[li], part[li + w], part[li + w] > part[li]), part[li] + part[li + w], cr_isnan(part[li]) || cr_isnan(part[li + w]))";
  return [
    "  workgroupBarrier();",
    `  for (var w = ${LANES / 2}u; w > 0u; w = w >> 1u) {`,
    `    if (li < w) { part[li] = ${combine}; }`,
    "    workgroupBarrier();",
    "  }",
  ];
}

function run(code: string, bindings: TensorData[], rows: number, size: number, inner: number): GpuBuf {
  const out = newBuf(bindings[0]!.dtype, rows * size);
  if (rows * size === 0) return out;
  dispatch(pipelineFor(code), [...bindings.map(blockOfT), out.block!], words([rows, size, inner]), groupsFor(rows, 1));
  return out;
}

function dims(x: TensorData, axis: number): { rows: number; size: number; inner: number } {
  const size = x.shape[axis]!, inner = sizeOf(x.shape.slice(axis + 1));
  return { rows: sizeOf(x.shape.slice(0, axis)) * inner, size, inner };
}

/** `x − log Σ exp x` along `axis`, shifted by each slice's maximum (by 0 where that is −∞), as the cpu's. */
export function logSoftmaxGpu(x: TensorData, axis: number): GpuBuf {
  const { rows, size, inner } = dims(x, axis);
  if (size === 0) return fuseFull(0, 0, x.dtype);
  const body = [
    "@group(0) @binding(0) var<storage, read> x: array<f32>;",
    "@group(0) @binding(1) var<storage, read_write> o: array<f32>;",
    paramDecl(2, 3),
    `var<workgroup> part: array<f32, ${LANES}>;`,
    ...HEAD,
    "  var m = cr_f32(0xff800000u);",
    `  for (var j = li; live && j < size; j += ${LANES}u) { let v = x[base + j * inner]; m = select(select(m, v, v > m), m + v, cr_isnan(m) || cr_isnan(v)); }`,
    "  part[li] = m;",
    ...tree("max"),
    "  let top = part[0];",
    "  let shift = select(top, 0.0, cr_isinf(top) && top < 0.0);", // a +∞ maximum makes the slice NaN, as PyTorch's
    "  workgroupBarrier();",
    "  var s = 0.0;",
    `  for (var j = li; live && j < size; j += ${LANES}u) { s += cr_exp(x[base + j * inner] - shift); }`,
    "  part[li] = s;",
    ...tree("+"),
    "  let lse = cr_log(part[0]);",
    `  for (var j = li; live && j < size; j += ${LANES}u) { let at = base + j * inner; o[at] = (x[at] - shift) - lse; }`,
    "}",
  ].join("\n");
  return run([...wgslHelpersFor(body), body].join("\n"), [x], rows, size, inner);
}

/** log-softmax's gradient from its output `y`: `g − exp(y)·Σ g` along `axis`. */
export function logSoftmaxBackwardGpu(g: TensorData, y: TensorData, axis: number): GpuBuf {
  const { rows, size, inner } = dims(g, axis);
  if (size === 0) return fuseFull(0, 0, g.dtype);
  const body = [
    "@group(0) @binding(0) var<storage, read> g: array<f32>;",
    "@group(0) @binding(1) var<storage, read> y: array<f32>;",
    "@group(0) @binding(2) var<storage, read_write> o: array<f32>;",
    paramDecl(3, 3),
    `var<workgroup> part: array<f32, ${LANES}>;`,
    ...HEAD,
    "  var s = 0.0;",
    `  for (var j = li; live && j < size; j += ${LANES}u) { s += g[base + j * inner]; }`,
    "  part[li] = s;",
    ...tree("+"),
    "  let total = part[0];",
    `  for (var j = li; live && j < size; j += ${LANES}u) { let at = base + j * inner; o[at] = g[at] - cr_exp(y[at]) * total; }`,
    "}",
  ].join("\n");
  return run([...wgslHelpersFor(body), body].join("\n"), [g, y], rows, size, inner);
}

