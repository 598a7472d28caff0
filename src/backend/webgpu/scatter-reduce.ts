// PyTorch's scatter_reduce on the GPU: a thread per index element combines its src value into its target with an
// atomic operation (integer atomics, or a compare-and-swap loop on a float's bits) and counts the target's
// arrivals; a last pass puts the base back where nothing arrived (without the base's own values) and divides the
// means. `assign` keeps the last element sent to a position (as the cpu's loop does): each position's largest
// element number wins an atomic maximum, then the winners write. An index out of range is flagged and thrown by
// the next read, as for scatterAdd.
import { wgslHelpersFor } from "../../ops/wgsl-math.js";
import type { ScatterOp } from "../../ops/params.js";
import { sizeOf, stridesOf } from "../../shape.js";
import type { TensorData } from "../backend.js";
import { atomicType, ERR_DECL, FLAG, indexOffsets } from "./indexing.js";
import { bindingDecl, blockOfT, paramDecl, THREAD_MAIN, words } from "./kernel-util.js";
import { newBuf, takeBlock } from "./memory.js";
import type { GpuBuf } from "./memory.js";
import { clear, dispatch, errorCheck, groupsFor, pipelineFor, releaseScratch } from "./queue.js";
import { storageType } from "./wgsl-expr.js";

type Reduction = Exclude<ScatterOp, "assign">;

// What combining starts from without the base: the op's identity.
const IDENTITY: Record<Reduction, { f32: string; i32: string }> = {
  sum: { f32: "0.0", i32: "0" },
  mean: { f32: "0.0", i32: "0" },
  prod: { f32: "1.0", i32: "1" },
  amax: { f32: "cr_f32(0xff800000u)", i32: "i32(-2147483647 - 1)" },
  amin: { f32: "cr_f32(0x7f800000u)", i32: "2147483647" },
};

// WGSL combining `v` into the atomic `o[at]`: native integer atomics where WGSL has them, else a compare-and-swap
// loop (float bits; an integer product). NaN wins amax and amin, as the cpu's.
function combine(op: Reduction, t: "f32" | "i32", v: string): string {
  if (t === "i32" && (op === "sum" || op === "mean")) return `atomicAdd(&o[at], ${v});`;
  if (t === "i32" && op === "amax") return `atomicMax(&o[at], ${v});`;
  if (t === "i32" && op === "amin") return `atomicMin(&o[at], ${v});`;
  const f = (old: string) => (op === "sum" || op === "mean" ? `${old} + ${v}` : op === "prod" ? `${old} * ${v}` : `${op === "amax" ? "cr_maximum" : "cr_minimum"}(${old}, ${v})`);
  const load = t === "f32" ? "bitcast<f32>(old)" : "old";
  const store = t === "f32" ? (x: string) => `bitcast<u32>(${x})` : (x: string) => x;
  return [
    "loop {",
    "    let old = atomicLoad(&o[at]);",
    `    let r = atomicCompareExchangeWeak(&o[at], old, ${store(f(load))});`,
    "    if (r.exchanged) { break; }",
    "  }",
  ].join("\n  ");
}

/** A copy of `base` with `src` scattered at `index` along `dim`, combined by `op` (float32 and int32). */
export function scatterReduceGpu(base: TensorData, dim: number, index: TensorData, src: TensorData, op: ScatterOp, includeSelf: boolean): GpuBuf {
  const total = sizeOf(base.shape);
  const out = newBuf(base.dtype, total);
  const t = storageType(base.dtype) as "f32" | "i32";
  const n = sizeOf(index.shape);
  const rank = index.shape.length;
  const size = base.shape[dim] ?? 1;
  const check = errorCheck((v) => `scatterReduce: index ${v} is out of bounds for dim ${dim} of size ${size}`);
  const p = words([n, dim, size, check.id, ...index.shape, ...stridesOf(base.shape), ...stridesOf(src.shape)]);
  const nParams = 4 + 3 * rank;
  const target = [
    ...indexOffsets(rank, 4, 4 + rank, 4 + 2 * rank),
    "  let v = index[i];",
    `  let at = xo + v * s(${4 + rank}u + u(1u));`,
  ];
  // Parameters of the per-position passes: the element count, whether the base counts.
  const q = words([total, Number(includeSelf)]);
  if (op === "assign") {
    const win = takeBlock(total * 4);
    clear(win, Math.max(4, total * 4));
    const mark = [
      bindingDecl(0, "index", "int32", "read"),
      "@group(0) @binding(1) var<storage, read_write> win: array<atomic<u32>>;",
      ERR_DECL(2),
      paramDecl(3, nParams),
      FLAG,
      THREAD_MAIN,
      "  if (i >= u(0u)) { return; }",
      ...target.slice(0, -1),
      "  if (v < 0 || v >= s(2u)) { flag(u(3u), v); return; }",
      target[target.length - 1]!,
      "  atomicMax(&win[at], i + 1u);",
      "}",
    ].join("\n");
    const write = [
      bindingDecl(0, "src", src.dtype, "read"),
      bindingDecl(1, "index", "int32", "read"),
      "@group(0) @binding(2) var<storage, read> win: array<u32>;",
      bindingDecl(3, "o", base.dtype, "read_write"),
      paramDecl(4, nParams),
      THREAD_MAIN,
      "  if (i >= u(0u)) { return; }",
      ...target.slice(0, -1),
      "  if (v < 0 || v >= s(2u)) { return; }",
      target[target.length - 1]!,
      "  if (win[at] == i + 1u) { o[at] = src[so]; }",
      "}",
    ].join("\n");
    if (total > 0) dispatch(pipelineFor(copyCode(base.dtype)), [blockOfT(base), out.block!], q, groupsFor(total));
    if (n > 0) {
      dispatch(pipelineFor(mark), [blockOfT(index), win, check.words], p, groupsFor(n));
      dispatch(pipelineFor(write), [blockOfT(src), blockOfT(index), win, out.block!], p, groupsFor(n));
    }
    releaseScratch(win);
    return out;
  }
  if (total === 0) return out;
  const count = takeBlock(total * 4);
  clear(count, Math.max(4, total * 4));
  const start = [
    bindingDecl(0, "base", base.dtype, "read"),
    bindingDecl(1, "o", base.dtype, "read_write"),
    paramDecl(2, 2),
    THREAD_MAIN,
    "  if (i >= u(0u)) { return; }",
    `  o[i] = select(${t}(${IDENTITY[op][t]}), base[i], u(1u) != 0u);`,
    "}",
  ].join("\n");
  dispatch(pipelineFor(withHelpers(start)), [blockOfT(base), out.block!], q, groupsFor(total));
  if (n > 0) {
    const scatter = [
      bindingDecl(0, "src", src.dtype, "read"),
      bindingDecl(1, "index", "int32", "read"),
      `@group(0) @binding(2) var<storage, read_write> o: array<${atomicType(base.dtype)}>;`,
      "@group(0) @binding(3) var<storage, read_write> count: array<atomic<u32>>;",
      ERR_DECL(4),
      paramDecl(5, nParams),
      FLAG,
      THREAD_MAIN,
      "  if (i >= u(0u)) { return; }",
      ...target.slice(0, -1),
      "  if (v < 0 || v >= s(2u)) { flag(u(3u), v); return; }",
      target[target.length - 1]!,
      "  atomicAdd(&count[at], 1u);",
      `  ${combine(op, t, "src[so]")}`,
      "}",
    ].join("\n");
    dispatch(pipelineFor(withHelpers(scatter)), [blockOfT(src), blockOfT(index), out.block!, count, check.words], p, groupsFor(n));
  }
  // Where nothing arrived the base stays (its own value, or put back over the identity); means divide by the
  // count (and the base), int32 rounding down.
  const mean = t === "f32"
    ? "r / f32(den)"
    : "select(r / i32(den), r / i32(den) - 1, r % i32(den) != 0 && r < 0)";
  const finish = [
    bindingDecl(0, "base", base.dtype, "read"),
    "@group(0) @binding(1) var<storage, read> count: array<u32>;",
    bindingDecl(2, "o", base.dtype, "read_write"),
    paramDecl(3, 2),
    THREAD_MAIN,
    "  if (i >= u(0u)) { return; }",
    "  let keep = u(1u) != 0u;",
    "  let c = count[i];",
    "  var r = o[i];",
    ...(op === "mean" ? ["  let den = c + select(0u, 1u, keep);", `  if (den > 0u) { r = ${mean}; }`] : []),
    "  if (!keep && c == 0u) { r = base[i]; }",
    "  o[i] = r;",
    "}",
  ].join("\n");
  dispatch(pipelineFor(finish), [blockOfT(base), count, out.block!], q, groupsFor(total));
  releaseScratch(count);
  return out;
}

function withHelpers(code: string): string {
  return [...wgslHelpersFor(code), code].join("\n");
}

function copyCode(dtype: TensorData["dtype"]): string {
  return [
    bindingDecl(0, "base", dtype, "read"),
    bindingDecl(1, "o", dtype, "read_write"),
    paramDecl(2, 2),
    THREAD_MAIN,
    "  if (i >= u(0u)) { return; }",
    "  o[i] = base[i];",
    "}",
  ].join("\n");
}
