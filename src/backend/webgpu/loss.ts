// nllLoss and its adjoint on the GPU. Target j's class dim in a [N, C, d…] (or [C]) input starts at
// (j − j mod inner)·C + j mod inner and steps by inner. Sums over the targets (and their count, for the mean) are
// one workgroup's; the adjoint writes each counted target's one position (they never collide). A target out of
// range is flagged, and the next read throws the cpu's IndexError.
import { sizeOf } from "../../shape.js";
import type { Shape } from "../../shape.js";
import type { LossReduction, TensorData } from "../backend.js";
import { blockOfT, paramDecl, THREAD_MAIN, words } from "./kernel-util.js";
import { newBuf } from "./memory.js";
import type { GpuBuf } from "./memory.js";
import { clear, dispatch, errorCheck, groupsFor, pipelineFor } from "./queue.js";

const LANES = 256;

function layoutOf(shape: Shape): { classes: number; inner: number } {
  return shape.length === 1 ? { classes: shape[0]!, inner: 1 } : { classes: shape[1]!, inner: sizeOf(shape.slice(2)) };
}

const FLAG = [
  "@group(0) @binding(3) var<storage, read_write> err: array<atomic<u32>, 4>;",
  "fn flag(id: u32, v: i32) {",
  "  loop {",
  "    let r = atomicCompareExchangeWeak(&err[0], 0u, id);",
  "    if (r.exchanged) { atomicStore(&err[1], bitcast<u32>(v)); break; }",
  "    if (r.old_value != 0u) { break; }",
  "  }",
  "}",
  // Whether target j counts (not the ignored index), flagging one out of range; its position in the input.
  "fn counts(t: i32) -> bool {",
  "  if (t == s(2u)) { return false; }",
  "  if (t < 0 || t >= s(1u)) { flag(u(4u), t); return false; }",
  "  return true;",
  "}",
  "fn at(j: u32, t: i32) -> u32 { let inner = u(3u); return (j - j % inner) * u(1u) + j % inner + u32(t) * inner; }",
].join("\n");

// Parameters: targets, classes, ignoreIndex, inner, check id, then (adjoint) the mean's flag.
function params(n: number, classes: number, ignore: number, inner: number, id: number, extra = 0): Uint32Array {
  return words([n, classes, ignore, inner, id, extra]);
}

/** −logp at each target (0 where ignored): their mean over the counted targets, their sum, or each. */
export function nllLossGpu(logp: TensorData, target: TensorData, ignoreIndex: number, reduction: LossReduction): GpuBuf {
  const n = sizeOf(target.shape);
  const { classes, inner } = layoutOf(logp.shape);
  const check = errorCheck((v) => `nllLoss: target ${v} is out of bounds for ${classes} classes`);
  const head = [
    "@group(0) @binding(0) var<storage, read> logp: array<f32>;",
    "@group(0) @binding(1) var<storage, read> tgt: array<i32>;",
    "@group(0) @binding(2) var<storage, read_write> o: array<f32>;",
    paramDecl(4, 6),
    FLAG,
  ];
  if (reduction === "none") {
    const code = [...head, THREAD_MAIN, "  if (i >= u(0u)) { return; }", "  let t = tgt[i];", "  o[i] = select(0.0, -logp[at(i, t)], counts(t));", "}"].join("\n");
    const out = newBuf(logp.dtype, n);
    dispatch(pipelineFor(code), [blockOfT(logp), blockOfT(target), out.block!, check.words], params(n, classes, ignoreIndex, inner, check.id), groupsFor(n));
    return out;
  }
  const code = [
    ...head,
    `var<workgroup> sums: array<f32, ${LANES}>;`,
    `var<workgroup> counted: array<u32, ${LANES}>;`,
    `@compute @workgroup_size(${LANES})`,
    "fn main(@builtin(local_invocation_index) li: u32) {",
    "  var s = 0.0; var c = 0u;",
    `  for (var j = li; j < u(0u); j += ${LANES}u) { let t = tgt[j]; if (counts(t)) { s -= logp[at(j, t)]; c++; } }`,
    "  sums[li] = s; counted[li] = c;",
    "  workgroupBarrier();",
    `  for (var w = ${LANES / 2}u; w > 0u; w = w >> 1u) {`,
    "    if (li < w) { sums[li] += sums[li + w]; counted[li] += counted[li + w]; }",
    "    workgroupBarrier();",
    "  }",
    "  if (li == 0u) { o[0] = select(sums[0], sums[0] / f32(counted[0]), u(5u) != 0u); }",
    "}",
  ].join("\n");
  const out = newBuf(logp.dtype, 1);
  dispatch(pipelineFor(code), [blockOfT(logp), blockOfT(target), out.block!, check.words], params(n, classes, ignoreIndex, inner, check.id, Number(reduction === "mean")), [1]);
  return out;
}

/** nllLoss's adjoint: zeros of `inShape` with −g (over the count of counted targets, for "mean") at each counted target. */
export function nllLossBackwardGpu(g: TensorData, target: TensorData, inShape: Shape, ignoreIndex: number, reduction: LossReduction): GpuBuf {
  const n = sizeOf(target.shape);
  const { classes, inner } = layoutOf(inShape);
  const out = newBuf(g.dtype, sizeOf(inShape));
  clear(out.block!, Math.max(4, sizeOf(inShape) * 4));
  if (n === 0) return out;
  const check = errorCheck((v) => `nllLossBackward: target ${v} is out of bounds for ${classes} classes`);
  // The mean's count: every thread counts the targets (few, next to the classes they index) rather than a second pass.
  const code = [
    "@group(0) @binding(0) var<storage, read> g: array<f32>;",
    "@group(0) @binding(1) var<storage, read> tgt: array<i32>;",
    "@group(0) @binding(2) var<storage, read_write> o: array<f32>;",
    paramDecl(4, 6),
    FLAG,
    `var<workgroup> counted: array<u32, ${LANES}>;`,
    `@compute @workgroup_size(${LANES})`,
    "fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {",
    "  let mode = u(5u);",
    "  if (mode == 2u) {",
    "    var c = 0u;",
    `    for (var j = li; j < u(0u); j += ${LANES}u) { let t = tgt[j]; if (t != s(2u)) { c++; } }`,
    "    counted[li] = c;",
    "    workgroupBarrier();",
    `    for (var w = ${LANES / 2}u; w > 0u; w = w >> 1u) { if (li < w) { counted[li] += counted[li + w]; } workgroupBarrier(); }`,
    "  }",
    `  let i = (wg.y * nwg.x + wg.x) * ${LANES}u + li;`,
    "  if (i >= u(0u)) { return; }",
    "  let t = tgt[i];",
    "  if (!counts(t)) { return; }",
    "  let gv = select(g[0], g[i], mode == 0u);",
    "  o[at(i, t)] = select(-gv, -gv / f32(counted[0]), mode == 2u);",
    "}",
  ].join("\n");
  const mode = reduction === "none" ? 0 : reduction === "sum" ? 1 : 2;
  dispatch(pipelineFor(code), [blockOfT(g), blockOfT(target), out.block!, check.words], params(n, classes, ignoreIndex, inner, check.id, mode), groupsFor(n, LANES));
  return out;
}
