// Reductions on the GPU: sum, prod, max and min over any set of axes, and argmax/argmin along one. The kept axes
// number the outputs, the reduced ones are walked (both merged where contiguous); a thread folds one output's
// elements where there are many outputs or few elements each, else a workgroup shares one output's elements and
// combines its threads' results in workgroup memory. float32 sums are compensated (Kahan) within each thread.
import type { ComputeDType as DType } from "../../dtype.js";
import { sizeOf, stridesOf } from "../../shape.js";
import type { Shape } from "../../shape.js";
import type { ReduceOp, TensorData } from "../backend.js";
import { fuseFull } from "./fusion.js";
import { newBuf } from "./memory.js";
import type { GpuBuf } from "./memory.js";
import { bindingDecl, blockOfT, paramDecl, THREAD_MAIN, words } from "./kernel-util.js";
import { dispatch, groupsFor, pipelineFor, WORKGROUP } from "./queue.js";
import { storageType } from "./wgsl-expr.js";
import { WGSL_HELPERS } from "../../ops/wgsl-math.js";

// Dims of `shape` split into kept (not in `axes`) and reduced ones, each group's neighbours merged where the
// input is contiguous across them, with their strides in the input.
function split(shape: Shape, axes: readonly number[]): { kept: [number[], number[]]; reduced: [number[], number[]] } {
  const st = stridesOf(shape);
  const group = (dims: number[]): [number[], number[]] => {
    const sizes: number[] = [], strides: number[] = [];
    for (const d of dims) {
      if (shape[d] === 1) continue;
      const n = sizes.length;
      if (n > 0 && strides[n - 1] === st[d]! * shape[d]!) {
        sizes[n - 1]! *= shape[d]!;
        strides[n - 1] = st[d]!;
      } else {
        sizes.push(shape[d]!);
        strides.push(st[d]!);
      }
    }
    return [sizes, strides];
  };
  const all = shape.map((_, d) => d);
  return { kept: group(all.filter((d) => !axes.includes(d))), reduced: group(all.filter((d) => axes.includes(d))) };
}

/** WGSL that sets `name` to the input offset of item `index` over dims at parameter words `dimsAt` and `stridesAt`. */
function offsetCode(name: string, index: string, rank: number, dimsAt: number, stridesAt: number): string[] {
  if (rank === 0) return [`  var ${name} = 0;`];
  const lines = [`  var ${name} = 0;`, `  var rest_${name} = ${index};`];
  for (let d = rank - 1; d >= 0; d--) {
    lines.push(`  ${name} += i32(rest_${name} % u(${dimsAt + d}u)) * s(${stridesAt + d}u);`);
    if (d > 0) lines.push(`  rest_${name} = rest_${name} / u(${dimsAt + d}u);`);
  }
  return lines;
}

function accType(x: DType): "f32" | "i32" {
  return x === "float32" ? "f32" : "i32";
}

function initValue(op: ReduceOp, t: "f32" | "i32"): string {
  if (op === "sum") return t === "f32" ? "0.0" : "0";
  if (op === "prod") return t === "f32" ? "1.0" : "1";
  if (t === "i32") return op === "max" ? "i32(-2147483647 - 1)" : "2147483647";
  return op === "max" ? "cr_f32(0xff800000u)" : "cr_f32(0x7f800000u)";
}

/** WGSL folding `v` into `r` (NaN wins max and min, as the cpu's kernels). */
function combine(op: ReduceOp, t: "f32" | "i32", r: string, v: string): string {
  if (op === "sum") return `${r} = ${r} + ${v};`;
  if (op === "prod") return `${r} = ${r} * ${v};`;
  const cmp = op === "max" ? ">" : "<";
  if (t === "i32") return `${r} = select(${r}, ${v}, ${v} ${cmp} ${r});`;
  return `${r} = select(${r}, ${v}, ${v} ${cmp} ${r} || ((bitcast<u32>(${v}) & 0x7fffffffu) > 0x7f800000u));`;
}

function load(x: DType, t: "f32" | "i32", at: string): string {
  const raw = `x[${at}]`;
  return storageType(x) === "u32" ? `${t}(${raw})` : t === "f32" && x !== "float32" ? `f32(${raw})` : raw;
}

function store(out: DType, t: "f32" | "i32", v: string): string {
  const st = storageType(out);
  if (st === "u32") return t === "f32" ? `select(0u, 1u, !(${v} == 0.0) && ${v} == ${v})` : `select(0u, 1u, ${v} != 0)`;
  if (st === t) return v;
  return st === "f32" ? `f32(${v})` : `select(i32(${v}), 0, (bitcast<u32>(${v}) & 0x7fffffffu) >= 0x7f800000u)`;
}

/** `op` over `axes` of `x`, as `outDtype`. */
export function reduceGpu(op: ReduceOp, x: TensorData, axes: readonly number[], outDtype: DType): GpuBuf {
  const outSize = sizeOf(x.shape.filter((_, d) => !axes.includes(d)));
  const rSize = sizeOf(axes.map((a) => x.shape[a]!));
  const t = accType(x.dtype);
  if (rSize === 0 || outSize === 0) return fuseFull(outSize, op === "sum" ? 0 : op === "prod" ? 1 : op === "max" ? -Infinity : Infinity, outDtype);
  const { kept, reduced } = split(x.shape, axes);
  const k = kept[0].length, q = reduced[0].length;
  // Parameters: outSize, rSize, then kept dims and strides, reduced dims and strides.
  const p = words([outSize, rSize, ...kept[0], ...kept[1], ...reduced[0], ...reduced[1]]);
  const keptDims = 2, keptStrides = 2 + k, redDims = 2 + 2 * k, redStrides = 2 + 2 * k + q;
  const perGroup = outSize < 1024 && rSize > 256;
  const kahan = op === "sum" && t === "f32";
  const acc = [
    `  var r: ${t} = ${initValue(op, t)};`,
    ...(kahan ? ["  var comp = 0.0;"] : []),
  ];
  const step = (v: string) => (kahan ? [`  { let y = ${v} - comp; let tt = r + y; comp = (tt - r) - y; r = tt; }`] : [`  ${combine(op, t, "r", v)}`]);
  const header = [
    WGSL_HELPERS["cr_f32"]!,
    bindingDecl(0, "x", x.dtype, "read"),
    bindingDecl(1, "o", outDtype, "read_write"),
    paramDecl(2, p.length),
  ];
  let code: string;
  if (!perGroup) {
    code = [
      ...header,
      THREAD_MAIN,
      "  if (i >= u(0u)) { return; }",
      ...offsetCode("base", "i", k, keptDims, keptStrides),
      ...acc,
      "  for (var j = 0u; j < u(1u); j++) {",
      ...offsetCode("at", "j", q, redDims, redStrides).map((l) => `  ${l}`),
      ...step(load(x.dtype, t, "base + at")).map((l) => `  ${l}`),
      "  }",
      `  o[i] = ${store(outDtype, t, "r")};`,
      "}",
    ].join("\n");
  } else {
    code = [
      ...header,
      `var<workgroup> part: array<${t}, ${WORKGROUP}>;`,
      // A compensated sum's low parts, combined by TwoSum in the tree: the threads' partial sums cancel in a sum
      // of many terms, and their rounding would be most of the error.
      ...(kahan ? [`var<workgroup> low: array<f32, ${WORKGROUP}>;`] : []),
      `@compute @workgroup_size(${WORKGROUP})`,
      "fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {",
      "  let i = wg.y * nwg.x + wg.x;",
      "  let live = i < u(0u);",
      ...offsetCode("base", "select(0u, i, live)", k, keptDims, keptStrides),
      ...acc,
      `  for (var j = li; live && j < u(1u); j += ${WORKGROUP}u) {`,
      ...offsetCode("at", "j", q, redDims, redStrides).map((l) => `  ${l}`),
      ...step(load(x.dtype, t, "base + at")).map((l) => `  ${l}`),
      "  }",
      "  part[li] = r;",
      ...(kahan ? ["  low[li] = -comp;"] : []),
      "  workgroupBarrier();",
      `  for (var w = ${WORKGROUP / 2}u; w > 0u; w = w >> 1u) {`,
      "    if (li < w) {",
      ...(kahan
        ? [
          "      let a = part[li]; let b = part[li + w]; let s = a + b; let bb = s - a;",
          "      low[li] = low[li] + low[li + w] + ((a - (s - bb)) + (b - bb));",
          "      part[li] = s;",
        ]
        : ["      var a = part[li];", `      ${combine(op, t, "a", "part[li + w]")}`, "      part[li] = a;"]),
      "    }",
      "    workgroupBarrier();",
      "  }",
      `  if (li == 0u && live) { o[i] = ${store(outDtype, t, kahan ? "(part[0] + low[0])" : "part[0]")}; }`,
      "}",
    ].join("\n");
  }
  const out = newBuf(outDtype, outSize);
  dispatch(pipelineFor(code), [blockOfT(x), out.block!], p, perGroup ? groupsFor(outSize, 1) : groupsFor(outSize));
  return out;
}

/** Index (int32) of the first largest (smallest) element along `axis`; NaN counts as the extreme, the first one wins. */
export function argReduceGpu(op: "argmax" | "argmin", x: TensorData, axis: number): GpuBuf {
  const outer = sizeOf(x.shape.slice(0, axis)), size = x.shape[axis]!, inner = sizeOf(x.shape.slice(axis + 1));
  const n = outer * inner;
  if (size === 0 || n === 0) return fuseFull(n, 0, "int32");
  const t = storageType(x.dtype);
  const cmp = op === "argmax" ? ">" : "<";
  const isNan = (v: string) => (t === "f32" ? `((bitcast<u32>(${v}) & 0x7fffffffu) > 0x7f800000u)` : "false");
  const code = [
    bindingDecl(0, "x", x.dtype, "read"),
    bindingDecl(1, "o", "int32", "read_write"),
    paramDecl(2, 3),
    THREAD_MAIN,
    "  let n = u(0u) * u(2u);",
    "  if (i >= n) { return; }",
    "  let inner = u(2u);",
    "  let base = (i / inner) * u(1u) * inner + i % inner;",
    "  var best = x[base];",
    "  var at = 0;",
    "  for (var j = 1u; j < u(1u); j++) {",
    "    let v = x[base + j * inner];",
    `    if (!${isNan("best")} && (v ${cmp} best || ${isNan("v")})) { best = v; at = i32(j); }`,
    "  }",
    "  o[i] = at;",
    "}",
  ].join("\n");
  const out = newBuf("int32", n);
  dispatch(pipelineFor(code), [blockOfT(x), out.block!], words([outer, size, inner]), groupsFor(n));
  return out;
}
