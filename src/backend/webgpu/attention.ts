// Fused scaled-dot-product attention on the GPU, as FlashAttention computes it: a workgroup takes 64 query rows of
// one batch element (a thread per row), loads the keys and values in tiles into workgroup memory that every row
// reads, and keeps an online softmax per row (a running maximum rescales the sum and the accumulated output), so
// the L×S scores are never stored. The backward recomputes each probability from the saved row logsumexps: one
// pass a thread per query row (dq), one a thread per key row (dk and dv), so no sum needs an atomic.
// Head sizes E and Ev are compiled in (private arrays need constant sizes): a pipeline per (E, Ev, bias or not),
// every batch and sequence length through its parameters. Arithmetic is float32; rows with every key masked give
// zeros and a logsumexp of −∞, as the cpu's kernel.
import { attentionDims, attentionGradSize, attentionSavedSize, biasLayout } from "../../ops/attention-params.js";
import type { AttentionDims, AttentionParams } from "../../ops/attention-params.js";
import { wgslHelpersFor } from "../../ops/wgsl-math.js";
import type { CompleteBackend, DataBuf, TensorData } from "../backend.js";
import { attentionBackwardFallback, attentionFallback } from "../attention-fallback.js";
import { blockOfT, paramDecl, words } from "./kernel-util.js";
import { newBuf } from "./memory.js";
import type { GpuBuf } from "./memory.js";
import { dispatch, groupsFor, pipelineFor, releaseScratch, uploadBlock } from "./queue.js";

/** Rows (threads) per workgroup. */
const ROWS = 64;
/** Workgroup memory for a tile, in float32 words: 12 KiB, under WebGPU's guaranteed 16 KiB. */
const TILE_WORDS = 3072;

/** Rows of a tile whose rows hold `width` words each: as many as fit, at most one per thread. */
const tileRows = (width: number) => Math.max(1, Math.min(ROWS, Math.floor(TILE_WORDS / width)));

/** Whether the kernels take this problem: non-empty, and a tile row fits in workgroup memory. */
function fits(d: AttentionDims): boolean {
  return d.n * d.l > 0 && d.s > 0 && d.e > 0 && d.ev > 0 && d.e + d.ev + 2 <= TILE_WORDS;
}

const NEG_INF = "cr_f32(0xff800000u)";

// Bindings shared by every kernel: q 0, k 1, v 2, then the kernel's own, then (with a bias) the bias and its
// per-batch offsets, then the parameters: n, l, s, scale, causal, row stride, col stride, workgroups per batch.
function head(e: number, ev: number, own: string[], bias: boolean): string[] {
  const at = 3 + own.length;
  return [
    `const E = ${e}u;`,
    `const EV = ${ev}u;`,
    "@group(0) @binding(0) var<storage, read> q: array<f32>;",
    "@group(0) @binding(1) var<storage, read> k: array<f32>;",
    "@group(0) @binding(2) var<storage, read> v: array<f32>;",
    ...own.map((decl, i) => `@group(0) @binding(${3 + i}) ${decl}`),
    ...(bias ? [`@group(0) @binding(${at}) var<storage, read> bias: array<f32>;`, `@group(0) @binding(${at + 1}) var<storage, read> boff: array<i32>;`] : []),
    paramDecl(at + (bias ? 2 : 0), 8),
  ];
}

// The workgroup's batch element and first row (of queries, or of keys for dk/dv), and this thread's row.
const MAIN = [
  `@compute @workgroup_size(${ROWS})`,
  "fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {",
  "  let w = wg.y * nwg.x + wg.x;",
  "  let per = u(7u);",
  "  if (w >= u(0u) * per) { return; }",
  "  let nb = w / per;",
  `  let r0 = (w % per) * ${ROWS}u;`,
  "  let row = r0 + li;",
  "  let l = u(1u); let s = u(2u); let scale = f(3u); let causal = u(4u) != 0u;",
];

/** WGSL adding query i's bias against key j to `t` (nothing without a bias). */
const addBias = (bias: boolean, i: string, j: string) => (bias ? `t += bias[u32(boff[nb]) + ${i} * u(5u) + ${j} * u(6u)];` : "");

/** `q`'s dims and parameters as the kernels take them, and the bias's offsets uploaded (released by `done`). */
function setup(q: TensorData, k: TensorData, v: TensorData, bias: TensorData | null, p: AttentionParams, rowsAlong: number) {
  const d = attentionDims(q.shape, k.shape, v.shape);
  const per = Math.ceil(rowsAlong / ROWS);
  const layout = bias === null ? null : biasLayout(bias.shape, q.shape.slice(0, -2), d.l, d.s);
  const offsets = layout === null ? null : uploadBlock(layout.offsets);
  const params = words([d.n, d.l, d.s], [p.scale], 8);
  new Int32Array(params.buffer).set([Number(p.causal), layout?.rowStride ?? 0, layout?.colStride ?? 0, per], 4);
  const biasBindings = bias === null ? [] : [blockOfT(bias), offsets!];
  return { d, params, biasBindings, groups: groupsFor(d.n * per, 1), done: () => offsets !== null && releaseScratch(offsets) };
}

const program = (body: string[]) => {
  const code = body.join("\n");
  return pipelineFor([...wgslHelpersFor(code), code].join("\n"));
};

// The walk of a query row (`row`, its query in `qr`) over the keys and values in workgroup tiles `kt` and `vt`,
// shared by the forward and dq: opens the loop over the keys this row sees (when `rowLive`) with the scaled,
// biased score `t` of key j0 + jj; the caller's lines use it and close both loops.
function keyTiles(bias: boolean, rowLive: string): string[] {
  return [
    // The keys any row of this workgroup sees, and those this row sees.
    `  let keys = select(s, min(s, min(l, r0 + ${ROWS}u)), causal);`,
    "  let mine = select(s, min(s, row + 1u), causal);",
    "  for (var j0 = 0u; j0 < keys; j0 += T) {",
    "    let cnt = min(T, keys - j0);",
    "    workgroupBarrier();",
    `    for (var x = li; x < cnt * E; x += ${ROWS}u) { kt[x] = k[(nb * s + j0) * E + x]; }`,
    `    for (var x = li; x < cnt * EV; x += ${ROWS}u) { vt[x] = v[(nb * s + j0) * EV + x]; }`,
    "    workgroupBarrier();",
    `    let jEnd = select(0u, min(cnt, mine - j0), ${rowLive} && mine > j0);`,
    "    for (var jj = 0u; jj < jEnd; jj++) {",
    "      var dot = 0.0;",
    "      for (var c = 0u; c < E; c++) { dot += qr[c] * kt[jj * E + c]; }",
    "      var t = dot * scale;",
    `      ${addBias(bias, "row", "(j0 + jj)")}`,
  ];
}

function forwardShader(e: number, ev: number, bias: boolean): string[] {
  const t = tileRows(e + ev);
  return [
    ...head(e, ev, ["var<storage, read_write> out: array<f32>;"], bias),
    `const T = ${t}u;`,
    "var<workgroup> kt: array<f32, T * E>;",
    "var<workgroup> vt: array<f32, T * EV>;",
    ...MAIN,
    "  let live = row < l;",
    "  var qr: array<f32, E>;",
    "  if (live) { for (var c = 0u; c < E; c++) { qr[c] = q[(nb * l + row) * E + c]; } }",
    "  var acc: array<f32, EV>;",
    `  var m = ${NEG_INF};`,
    "  var sum = 0.0;",
    ...keyTiles(bias, "live"),
    "      if (cr_isinf(t) && t < 0.0) { continue; }",
    // A larger score (or a NaN, which then spreads) rescales what was summed against the old maximum.
    "      if (t > m || cr_isnan(t)) {",
    "        let r = select(cr_exp(m - t), 0.0, cr_isinf(m) && m < 0.0);",
    "        for (var c = 0u; c < EV; c++) { acc[c] = acc[c] * r; }",
    "        sum = sum * r;",
    "        m = t;",
    "      }",
    "      let p = cr_exp(t - m);",
    "      sum += p;",
    "      for (var c = 0u; c < EV; c++) { acc[c] += p * vt[jj * EV + c]; }",
    "    }",
    "  }",
    "  if (!live) { return; }",
    "  let empty = cr_isinf(m) && m < 0.0;",
    "  let o = (nb * l + row) * EV;",
    "  for (var c = 0u; c < EV; c++) { out[o + c] = select(acc[c] / sum, 0.0, empty); }",
    `  out[u(0u) * l * EV + nb * l + row] = select(m + cr_log(sum), ${NEG_INF}, empty);`,
    "}",
  ];
}

/** The forward on the GPU: the output `[N, L, Ev]` then the row logsumexps `[N, L]`, packed. */
export function attentionGpu(self: CompleteBackend, q: TensorData, k: TensorData, v: TensorData, bias: TensorData | null, p: AttentionParams): DataBuf {
  const dims = attentionDims(q.shape, k.shape, v.shape);
  if (!fits(dims)) return attentionFallback(self, q, k, v, bias, p);
  const { d, params, biasBindings, groups, done } = setup(q, k, v, bias, p, dims.l);
  const out: GpuBuf = newBuf(q.dtype, attentionSavedSize(d));
  dispatch(program(forwardShader(d.e, d.ev, bias !== null)), [blockOfT(q), blockOfT(k), blockOfT(v), out.block!, ...biasBindings], params, groups);
  done();
  return out;
}

// dq: a thread per query row, keys and values in tiles. Bindings after q, k, v: g, saved, out.
function dqShader(e: number, ev: number, bias: boolean): string[] {
  const t = tileRows(e + ev);
  return [
    ...head(e, ev, ["var<storage, read> g: array<f32>;", "var<storage, read> saved: array<f32>;", "var<storage, read_write> out: array<f32>;"], bias),
    `const T = ${t}u;`,
    "var<workgroup> kt: array<f32, T * E>;",
    "var<workgroup> vt: array<f32, T * EV>;",
    ...MAIN,
    "  let live = row < l;",
    "  var qr: array<f32, E>;",
    "  var gr: array<f32, EV>;",
    "  var dq: array<f32, E>;",
    `  var lse = ${NEG_INF};`,
    "  var rowDot = 0.0;", // Σ_c g·out: Σ_j P_ij dP_ij
    "  if (live) {",
    "    for (var c = 0u; c < E; c++) { qr[c] = q[(nb * l + row) * E + c]; }",
    "    for (var c = 0u; c < EV; c++) { let at = (nb * l + row) * EV + c; gr[c] = g[at]; rowDot += g[at] * saved[at]; }",
    "    lse = saved[u(0u) * l * EV + nb * l + row];",
    "  }",
    "  let skip = !live || (cr_isinf(lse) && lse < 0.0);",
    ...keyTiles(bias, "!skip"),
    "      let p = cr_exp(t - lse);",
    "      if (p == 0.0) { continue; }",
    "      var dp = 0.0;",
    "      for (var c = 0u; c < EV; c++) { dp += gr[c] * vt[jj * EV + c]; }",
    "      let ds = p * (dp - rowDot) * scale;",
    "      for (var c = 0u; c < E; c++) { dq[c] += ds * kt[jj * E + c]; }",
    "    }",
    "  }",
    "  if (!live) { return; }",
    "  for (var c = 0u; c < E; c++) { out[(nb * l + row) * E + c] = dq[c]; }",
    "}",
  ];
}

// dk and dv: a thread per key row, the queries (with their gradients, logsumexps and row dots) in tiles.
function dkdvShader(e: number, ev: number, bias: boolean): string[] {
  const t = tileRows(e + ev + 2);
  return [
    ...head(e, ev, ["var<storage, read> g: array<f32>;", "var<storage, read> saved: array<f32>;", "var<storage, read_write> out: array<f32>;"], bias),
    `const T = ${t}u;`,
    "var<workgroup> qt: array<f32, T * E>;",
    "var<workgroup> gt: array<f32, T * EV>;",
    "var<workgroup> lset: array<f32, T>;",
    "var<workgroup> dott: array<f32, T>;",
    ...MAIN,
    "  let j = row;",
    "  let live = j < s;",
    "  let n = u(0u);",
    "  var kr: array<f32, E>;",
    "  var vr: array<f32, EV>;",
    "  var dk: array<f32, E>;",
    "  var dv: array<f32, EV>;",
    "  if (live) {",
    "    for (var c = 0u; c < E; c++) { kr[c] = k[(nb * s + j) * E + c]; }",
    "    for (var c = 0u; c < EV; c++) { vr[c] = v[(nb * s + j) * EV + c]; }",
    "  }",
    // Causal: no query before this workgroup's first key sees any of its keys.
    "  let first = select(0u, r0, causal);",
    "  for (var i0 = first; i0 < l; i0 += T) {",
    "    let cnt = min(T, l - i0);",
    "    workgroupBarrier();",
    `    for (var x = li; x < cnt * E; x += ${ROWS}u) { qt[x] = q[(nb * l + i0) * E + x]; }`,
    `    for (var x = li; x < cnt * EV; x += ${ROWS}u) { gt[x] = g[(nb * l + i0) * EV + x]; }`,
    "    if (li < cnt) {",
    "      let i = i0 + li;",
    "      lset[li] = saved[n * l * EV + nb * l + i];",
    "      var d = 0.0;",
    "      for (var c = 0u; c < EV; c++) { let at = (nb * l + i) * EV + c; d += g[at] * saved[at]; }",
    "      dott[li] = d;",
    "    }",
    "    workgroupBarrier();",
    "    for (var rr = 0u; live && rr < cnt; rr++) {",
    "      let i = i0 + rr;",
    "      if (causal && j > i) { continue; }",
    "      let lse = lset[rr];",
    "      if (cr_isinf(lse) && lse < 0.0) { continue; }",
    "      var dot = 0.0;",
    "      for (var c = 0u; c < E; c++) { dot += qt[rr * E + c] * kr[c]; }",
    "      var t = dot * scale;",
    `      ${addBias(bias, "i", "j")}`,
    "      let p = cr_exp(t - lse);",
    "      if (p == 0.0) { continue; }",
    "      var dp = 0.0;",
    "      for (var c = 0u; c < EV; c++) { dp += gt[rr * EV + c] * vr[c]; dv[c] += p * gt[rr * EV + c]; }",
    "      let ds = p * (dp - dott[rr]) * scale;",
    "      for (var c = 0u; c < E; c++) { dk[c] += ds * qt[rr * E + c]; }",
    "    }",
    "  }",
    "  if (!live) { return; }",
    "  let dkAt = n * l * E;",
    "  let dvAt = dkAt + n * s * E;",
    "  for (var c = 0u; c < E; c++) { out[dkAt + (nb * s + j) * E + c] = dk[c]; }",
    "  for (var c = 0u; c < EV; c++) { out[dvAt + (nb * s + j) * EV + c] = dv[c]; }",
    "}",
  ];
}

/** The backward on the GPU: dq, dk and dv packed, from the output's gradient `g` and the forward's packed result. */
export function attentionBackwardGpu(self: CompleteBackend, g: TensorData, q: TensorData, k: TensorData, v: TensorData, saved: TensorData, bias: TensorData | null, p: AttentionParams): DataBuf {
  const dims = attentionDims(q.shape, k.shape, v.shape);
  if (!fits(dims)) return attentionBackwardFallback(self, g, q, k, v, saved, bias, p);
  const out: GpuBuf = newBuf(q.dtype, attentionGradSize(dims));
  const operands = [blockOfT(q), blockOfT(k), blockOfT(v), blockOfT(g), blockOfT(saved), out.block!];
  const byQuery = setup(q, k, v, bias, p, dims.l);
  dispatch(program(dqShader(dims.e, dims.ev, bias !== null)), [...operands, ...byQuery.biasBindings], byQuery.params, byQuery.groups);
  byQuery.done();
  const byKey = setup(q, k, v, bias, p, dims.s);
  dispatch(program(dkdvShader(dims.e, dims.ev, bias !== null)), [...operands, ...byKey.biasBindings], byKey.params, byKey.groups);
  byKey.done();
  return out;
}
