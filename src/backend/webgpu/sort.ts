// argsort on the GPU: each slice's elements as (key, index) pairs padded to a power of two, sorted by a bitonic
// network (one dispatch per pass, a thread per compared pair), the indices written out. Keys are the values'
// bits mapped to unsigned integers in the values' order, so no float comparison is made: WGSL lets a GPU flush
// subnormals to zero in arithmetic and comparisons, and 1e-40 must still sort above 0 as on the cpu. NaN maps to
// the largest key, −0 to 0's; equal keys keep their index order (a stable sort).
import { sizeOf } from "../../shape.js";
import type { TensorData } from "../backend.js";
import { blockOfT, paramDecl, THREAD_MAIN, words } from "./kernel-util.js";
import { newBuf, takeBlock } from "./memory.js";
import type { GpuBuf } from "./memory.js";
import { dispatch, groupsFor, pipelineFor, releaseScratch } from "./queue.js";

// A value's bits as a key whose unsigned order is the values' order (ascending).
export const KEY = {
  float32: [
    "fn key(b: u32) -> u32 {",
    "  if ((b & 0x7fffffffu) > 0x7f800000u) { return 0xffffffffu; }",
    "  if (b == 0x80000000u) { return 0x80000000u; }",
    "  return select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);",
    "}",
  ].join("\n"),
  int32: "fn key(b: u32) -> u32 { return b ^ 0x80000000u; }",
  bool: "fn key(b: u32) -> u32 { return b; }",
} as const;

// Parameters of every kernel: rows, n (the slice's length), size (n padded), inner (the stride along the axis).
// Pair p of row r sits at r·size + p; element j of row r in x at (r / inner)·n·inner + j·inner + r % inner.
const LOAD = (dtype: keyof typeof KEY) => [
  "@group(0) @binding(0) var<storage, read> x: array<u32>;",
  "@group(0) @binding(1) var<storage, read_write> keys: array<u32>;",
  "@group(0) @binding(2) var<storage, read_write> idx: array<u32>;",
  paramDecl(3, 4),
  KEY[dtype],
  THREAD_MAIN,
  "  if (i >= u(0u) * u(2u)) { return; }",
  "  let r = i / u(2u); let j = i % u(2u); let n = u(1u); let inner = u(3u);",
  "  idx[i] = j;",
  "  if (j < n) { keys[i] = key(x[(r / inner) * n * inner + j * inner + r % inner]); } else { keys[i] = 0xffffffffu; }",
  "}",
].join("\n");

// One pass (k, j) of the network: thread t compares pair (lo, lo + j) and swaps where out of order for its
// block's direction. Padding (index ≥ n) comes after everything. Extra parameters: k, j, descending.
const PASS = [
  "@group(0) @binding(0) var<storage, read_write> keys: array<u32>;",
  "@group(0) @binding(1) var<storage, read_write> idx: array<u32>;",
  paramDecl(2, 7),
  "fn before(ka: u32, ia: u32, kb: u32, ib: u32) -> bool {",
  "  let n = u(1u);",
  "  if (ia >= n) { return false; }",
  "  if (ib >= n) { return true; }",
  "  if (ka == kb) { return ia < ib; }",
  "  return (ka < kb) != (u(6u) != 0u);",
  "}",
  THREAD_MAIN,
  "  let size = u(2u); let k = u(4u); let j = u(5u);",
  "  if (i >= u(0u) * (size / 2u)) { return; }",
  "  let r = i / (size / 2u); let t = i % (size / 2u);",
  "  let lo = (t / j) * 2u * j + t % j;",
  "  let a = r * size + lo; let b = a + j;",
  "  let ka = keys[a]; let ia = idx[a]; let kb = keys[b]; let ib = idx[b];",
  "  let up = (lo & k) == 0u;",
  "  if (select(before(ka, ia, kb, ib), before(kb, ib, ka, ia), up)) {",
  "    keys[a] = kb; idx[a] = ib; keys[b] = ka; idx[b] = ia;",
  "  }",
  "}",
].join("\n");

const STORE = [
  "@group(0) @binding(0) var<storage, read> idx: array<u32>;",
  "@group(0) @binding(1) var<storage, read_write> o: array<i32>;",
  paramDecl(2, 4),
  THREAD_MAIN,
  "  let n = u(1u); let inner = u(3u);",
  "  if (i >= u(0u) * n) { return; }",
  "  let r = i / n; let j = i % n;",
  "  o[(r / inner) * n * inner + j * inner + r % inner] = i32(idx[r * u(2u) + j]);",
  "}",
].join("\n");

/** The stable sorting permutation of each slice of `x` along `axis` (NaN largest, −0 equal to 0), as int32. */
export function argsortGpu(x: TensorData, axis: number, descending: boolean): GpuBuf {
  const n = x.shape[axis] ?? 1;
  const inner = sizeOf(x.shape.slice(axis + 1));
  const rows = sizeOf(x.shape.slice(0, axis)) * inner;
  const out = newBuf("int32", rows * n);
  if (rows * n === 0) return out;
  let size = 1;
  while (size < n) size *= 2;
  const keys = takeBlock(rows * size * 4);
  const idx = takeBlock(rows * size * 4);
  const base = [rows, n, size, inner];
  dispatch(pipelineFor(LOAD(x.dtype as keyof typeof KEY)), [blockOfT(x), keys, idx], words(base), groupsFor(rows * size));
  const pass = pipelineFor(PASS);
  for (let k = 2; k <= size; k *= 2) {
    for (let j = k / 2; j >= 1; j /= 2) dispatch(pass, [keys, idx], words([...base, k, j, Number(descending)]), groupsFor((rows * size) / 2));
  }
  dispatch(pipelineFor(STORE), [idx, out.block!], words(base), groupsFor(rows * n));
  releaseScratch(keys);
  releaseScratch(idx);
  return out;
}
