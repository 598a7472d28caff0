// Writing through views and indices on the GPU: scatterStrided (a view's adjoint), gather and scatterAdd.
// Where several elements land on one position (overlapping windows, repeated indices) sums are atomic (a
// compare-and-swap loop for float32), and a plain write keeps the last element's value, as the cpu's loop does.
// An index out of range cannot throw from a kernel: it is flagged, and the next read throws the cpu's IndexError.
import type { ComputeDType as DType } from "../../dtype.js";
import { sizeOf, stridesOf } from "../../shape.js";
import type { Shape } from "../../shape.js";
import type { DataBuf, StridedView, TensorData } from "../backend.js";
import { beforeWrite, blockOf } from "./fusion.js";
import { newBuf, takeBlock } from "./memory.js";
import type { GpuBuf } from "./memory.js";
import { bindingDecl, blockOfT, paramDecl, THREAD_MAIN, words } from "./kernel-util.js";
import { clear, copy, dispatch, errorCheck, groupsFor, pipelineFor, releaseScratch } from "./queue.js";
import { storageType } from "./wgsl-expr.js";

/** Whether no two elements of `shape` land on one position of the view (a sufficient test on sorted strides). */
export function injective(shape: Shape, strides: readonly number[]): boolean {
  const dims = shape.map((d, i) => [d, Math.abs(strides[i]!)] as const).filter(([d]) => d > 1).sort((a, b) => a[1] - b[1]);
  let reach = 0;
  for (const [d, s] of dims) {
    if (s <= reach) return false;
    reach += s * (d - 1);
  }
  return true;
}

// The dims of a view of `shape` with neighbours it steps through contiguously merged, and its strides.
function mergeView(shape: Shape, strides: readonly number[]): { dims: number[]; strides: number[] } {
  const dims: number[] = [], st: number[] = [];
  shape.forEach((d, i) => {
    if (d === 1) return;
    const n = dims.length;
    if (n > 0 && st[n - 1] === strides[i]! * d) {
      dims[n - 1]! *= d;
      st[n - 1] = strides[i]!;
    } else {
      dims.push(d);
      st.push(strides[i]!);
    }
  });
  return { dims, strides: st };
}

/** WGSL setting `at` to the view's position of element `i` (parameters: offset at word 1, dims from 2, strides after). */
function viewOffset(rank: number): string[] {
  const lines = ["  var at = s(1u);", "  var rest = i;"];
  for (let d = rank - 1; d >= 0; d--) {
    lines.push(`  at += i32(rest % u(${2 + d}u)) * s(${2 + rank + d}u);`);
    if (d > 0) lines.push(`  rest = rest / u(${2 + d}u);`);
  }
  return lines;
}

/** WGSL adding `v` (of `t`) to `dst[at]` atomically: dst is `array<atomic<u32>>` (float32) or `array<atomic<i32>>`. */
export function atomicAdd(t: string, dst: string, at: string, v: string): string {
  if (t !== "f32") return `atomicAdd(&${dst}[${at}], ${v});`;
  return [
    "loop {",
    `    let old = atomicLoad(&${dst}[${at}]);`,
    `    let r = atomicCompareExchangeWeak(&${dst}[${at}], old, bitcast<u32>(bitcast<f32>(old) + ${v}));`,
    "    if (r.exchanged) { break; }",
    "  }",
  ].join("\n  ");
}

export function atomicType(dtype: DType): string {
  return storageType(dtype) === "i32" ? "atomic<i32>" : "atomic<u32>";
}

/** `dst[view(i)] = src[i]` (or `+=`) in place. */
export function scatterStridedGpu(dst: DataBuf, src: TensorData, view: StridedView, accumulate: boolean): void {
  const d = dst as GpuBuf;
  const n = sizeOf(src.shape);
  beforeWrite(d);
  const dstBlock = blockOf(d);
  d.host = undefined;
  if (n === 0) return;
  const srcBlock = blockOfT(src);
  const { dims, strides } = mergeView(src.shape, view.strides);
  const rank = dims.length;
  const p = words([n, view.offset, ...dims, ...strides]);
  const nParams = 2 + 2 * rank;
  const t = storageType(src.dtype);
  const once = injective(src.shape, view.strides);
  if (once || accumulate) {
    const atomic = accumulate && !once;
    const code = [
      bindingDecl(0, "src", src.dtype, "read"),
      atomic
        ? `@group(0) @binding(1) var<storage, read_write> dst: array<${atomicType(src.dtype)}>;`
        : bindingDecl(1, "dst", src.dtype, "read_write"),
      paramDecl(2, nParams),
      THREAD_MAIN,
      "  if (i >= u(0u)) { return; }",
      ...viewOffset(rank),
      atomic ? `  ${atomicAdd(t, "dst", "at", "src[i]")}` : accumulate ? "  dst[at] = dst[at] + src[i];" : "  dst[at] = src[i];",
      "}",
    ].join("\n");
    dispatch(pipelineFor(code), [srcBlock, dstBlock], p, groupsFor(n));
    return;
  }
  // Overlapping positions, plain writes: the last element landing on a position wins. First each position's
  // last element (a maximum of i + 1), then that element writes.
  const winners = takeBlock(d.length * 4);
  clear(winners, Math.max(4, d.length * 4));
  const mark = [
    "@group(0) @binding(0) var<storage, read_write> win: array<atomic<u32>>;",
    paramDecl(1, nParams),
    THREAD_MAIN,
    "  if (i >= u(0u)) { return; }",
    ...viewOffset(rank),
    "  atomicMax(&win[at], i + 1u);",
    "}",
  ].join("\n");
  dispatch(pipelineFor(mark), [winners], p, groupsFor(n));
  const write = [
    bindingDecl(0, "src", src.dtype, "read"),
    bindingDecl(1, "dst", src.dtype, "read_write"),
    "@group(0) @binding(2) var<storage, read> win: array<u32>;",
    paramDecl(3, nParams),
    THREAD_MAIN,
    "  if (i >= u(0u)) { return; }",
    ...viewOffset(rank),
    "  if (win[at] == i + 1u) { dst[at] = src[i]; }",
    "}",
  ].join("\n");
  dispatch(pipelineFor(write), [srcBlock, dstBlock, winners], p, groupsFor(n));
  releaseScratch(winners);
}

const ZERO = { f32: "0.0", i32: "0", u32: "0u" } as const;
export const ERR_DECL = (binding: number) => `@group(0) @binding(${binding}) var<storage, read_write> err: array<atomic<u32>, 4>;`;
export const FLAG = [
  "fn flag(id: u32, v: i32) {",
  "  loop {",
  "    let r = atomicCompareExchangeWeak(&err[0], 0u, id);",
  "    if (r.exchanged) { atomicStore(&err[1], bitcast<u32>(v)); break; }",
  "    if (r.old_value != 0u) { break; }",
  "  }",
  "}",
].join("\n");

// WGSL setting `xo` to the offset in a tensor of strides at word `stridesAt` of index element `i` (coords over
// the index's dims at word `dimsAt`), with `dim`'s coordinate replaced by `v`, and `so` to the same coordinates'
// offset in a tensor of strides at `pairAt` (scatterAdd's src).
export function indexOffsets(rank: number, dimsAt: number, stridesAt: number, pairAt: number | null): string[] {
  const lines = ["  var xo = 0;", "  var so = 0;", "  var rest = i;"];
  for (let d = rank - 1; d >= 0; d--) {
    lines.push(`  { let c = i32(rest % u(${dimsAt + d}u)); if (${d}u != u(1u)) { xo += c * s(${stridesAt + d}u); }${pairAt !== null ? ` so += c * s(${pairAt + d}u);` : ""} rest = rest / u(${dimsAt + d}u); }`);
  }
  return lines;
}

/** PyTorch's gather: `out[…][j][…] = x[…][index[…][j][…]][…]` along `dim`. */
export function gatherGpu(x: TensorData, dim: number, index: TensorData): GpuBuf {
  const n = sizeOf(index.shape);
  const out = newBuf(x.dtype, n);
  if (n === 0) return out;
  const size = x.shape[dim]!;
  const rank = index.shape.length;
  const check = errorCheck((v) => `gather: index ${v} is out of bounds for dim ${dim} of size ${size}`);
  // Words: n, dim, size, check id, index dims, x strides.
  const p = words([n, dim, size, check.id, ...index.shape, ...stridesOf(x.shape)]);
  const code = [
    bindingDecl(0, "x", x.dtype, "read"),
    bindingDecl(1, "index", "int32", "read"),
    bindingDecl(2, "o", x.dtype, "read_write"),
    ERR_DECL(3),
    paramDecl(4, 4 + 2 * rank),
    FLAG,
    THREAD_MAIN,
    "  if (i >= u(0u)) { return; }",
    ...indexOffsets(rank, 4, 4 + rank, null),
    "  let v = index[i];",
    `  if (v < 0 || v >= s(2u)) { flag(u(3u), v); o[i] = ${ZERO[storageType(x.dtype)]}; return; }`,
    `  o[i] = x[xo + v * s(${4 + rank}u + u(1u))];`,
    "}",
  ].join("\n");
  dispatch(pipelineFor(code), [blockOfT(x), blockOfT(index), out.block!, check.words], p, groupsFor(n));
  return out;
}

/** PyTorch's scatter_add: a copy of `base` with `src` added at `index` along `dim`. */
export function scatterAddGpu(base: TensorData, dim: number, index: TensorData, src: TensorData): GpuBuf {
  const out = newBuf(base.dtype, sizeOf(base.shape));
  copy(blockOfT(base), 0, out.block!, 0, sizeOf(base.shape) * 4);
  const n = sizeOf(index.shape);
  if (n === 0) return out;
  const size = base.shape[dim]!;
  const rank = index.shape.length;
  const check = errorCheck((v) => `scatterAdd: index ${v} is out of bounds for dim ${dim} of size ${size}`);
  const p = words([n, dim, size, check.id, ...index.shape, ...stridesOf(base.shape), ...stridesOf(src.shape)]);
  const t = storageType(base.dtype);
  const code = [
    bindingDecl(0, "src", src.dtype, "read"),
    bindingDecl(1, "index", "int32", "read"),
    `@group(0) @binding(2) var<storage, read_write> o: array<${atomicType(base.dtype)}>;`,
    ERR_DECL(3),
    paramDecl(4, 4 + 3 * rank),
    FLAG,
    THREAD_MAIN,
    "  if (i >= u(0u)) { return; }",
    ...indexOffsets(rank, 4, 4 + rank, 4 + 2 * rank),
    "  let v = index[i];",
    "  if (v < 0 || v >= s(2u)) { flag(u(3u), v); return; }",
    `  let at = xo + v * s(${4 + rank}u + u(1u));`,
    `  ${atomicAdd(t, "o", "at", "src[so]")}`,
    "}",
  ].join("\n");
  dispatch(pipelineFor(code), [blockOfT(src), blockOfT(index), out.block!, check.words], p, groupsFor(n));
  return out;
}

/** The slices `index` (1-D) of `x` along `dim`. */
export function indexSelectGpu(x: TensorData, dim: number, index: TensorData): GpuBuf {
  const outer = sizeOf(x.shape.slice(0, dim)), size = x.shape[dim]!, inner = sizeOf(x.shape.slice(dim + 1));
  const m = sizeOf(index.shape);
  const n = outer * m * inner;
  const out = newBuf(x.dtype, n);
  if (n === 0) return out;
  const check = errorCheck((v) => `indexSelect: index ${v} is out of bounds for a dim of size ${size}`);
  const code = [
    bindingDecl(0, "x", x.dtype, "read"),
    bindingDecl(1, "index", "int32", "read"),
    bindingDecl(2, "o", x.dtype, "read_write"),
    ERR_DECL(3),
    paramDecl(4, 5),
    FLAG,
    THREAD_MAIN,
    "  if (i >= u(0u)) { return; }",
    "  let inner = u(3u); let m = u(2u);",
    "  let t = i % inner; let j = (i / inner) % m; let ou = i / (inner * m);",
    "  let v = index[j];",
    `  if (v < 0 || v >= s(1u)) { flag(u(4u), v); o[i] = ${ZERO[storageType(x.dtype)]}; return; }`,
    "  o[i] = x[(ou * u(1u) + u32(v)) * inner + t];",
    "}",
  ].join("\n");
  dispatch(pipelineFor(code), [blockOfT(x), blockOfT(index), out.block!, check.words], words([n, size, m, inner, check.id]), groupsFor(n));
  return out;
}

/** A copy of `base` with slice j of `src` added at slice `index[j]` along `dim` (repeated indices add up). */
export function indexAddGpu(base: TensorData, dim: number, index: TensorData, src: TensorData): GpuBuf {
  const outer = sizeOf(base.shape.slice(0, dim)), size = base.shape[dim]!, inner = sizeOf(base.shape.slice(dim + 1));
  const m = sizeOf(index.shape);
  const out = newBuf(base.dtype, sizeOf(base.shape));
  copy(blockOfT(base), 0, out.block!, 0, sizeOf(base.shape) * 4);
  const n = outer * m * inner;
  if (n === 0) return out;
  const check = errorCheck((v) => `indexAdd: index ${v} is out of bounds for a dim of size ${size}`);
  const t = storageType(base.dtype);
  const code = [
    bindingDecl(0, "src", src.dtype, "read"),
    bindingDecl(1, "index", "int32", "read"),
    `@group(0) @binding(2) var<storage, read_write> o: array<${atomicType(base.dtype)}>;`,
    ERR_DECL(3),
    paramDecl(4, 5),
    FLAG,
    THREAD_MAIN,
    "  if (i >= u(0u)) { return; }",
    "  let inner = u(3u); let m = u(2u);",
    "  let t = i % inner; let j = (i / inner) % m; let ou = i / (inner * m);",
    "  let v = index[j];",
    "  if (v < 0 || v >= s(1u)) { flag(u(4u), v); return; }",
    "  let at = (ou * u(1u) + u32(v)) * inner + t;",
    `  ${atomicAdd(t, "o", "at", "src[i]")}`,
    "}",
  ].join("\n");
  dispatch(pipelineFor(code), [blockOfT(src), blockOfT(index), out.block!, check.words], words([n, size, m, inner, check.id]), groupsFor(n));
  return out;
}
