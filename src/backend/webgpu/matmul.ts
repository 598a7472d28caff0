// Matrix products on the GPU: each workgroup computes a 64×64 tile of C, each of its 16×16 threads a 4×4 block,
// with A's and B's tiles staged 16 deep in workgroup memory (A's stored k-major so a thread reads its four rows as
// one vec4). Operands are read with vec4 loads where their contiguous dim is a multiple of 4, either layout
// (transposed operands read in place), batch dims broadcast; a 2-D result of batched operands is their products
// summed over the batch (a broadcast weight's gradient), accumulated in registers. One pipeline per layout class.
import { broadcastShapes, broadcastStrides, sizeOf } from "../../shape.js";
import type { Shape } from "../../shape.js";
import type { TensorData } from "../backend.js";
import { fuseFull } from "./fusion.js";
import { newBuf, takeBlock } from "./memory.js";
import type { Block } from "./memory.js";
import type { GpuBuf } from "./memory.js";
import { blockOfT, paramDecl, words } from "./kernel-util.js";
import { dispatch, pipelineFor } from "./queue.js";
import { storageType } from "./wgsl-expr.js";
import { ArgumentError } from "../../errors.js";
import { webgpuInfo } from "./device.js";

const TILE = 64;
const DEPTH = 16;
const MAX_Z = 65535;
/** Batch dims a product may have after merging (more are merged or refused by the tensor layer long before). */
const MAX_BATCH_RANK = 6;

// Parameter words: M, N, K, nSum, zBase, vecA, vecB, hasBias, batch rank, transA, transB, then per batch dim (at
// most MAX_BATCH_RANK) its size, A's stride and B's stride (elements).
const P_BATCH = 11;

// With half operands (setFloat32MatmulPrecision("medium")) the tiles hold float16: every value is rounded as it is
// staged. `half` is module state while a shader is generated.
let half = false;
const h = (v: string) => (half ? `f16(${v})` : v);
const h4 = (v: string) => (half ? `vec4<f16>(${v})` : v);
const setA = (p: string, i: string, v: string) => `As[(${p}) * 16u + (${i}) / 4u][(${i}) % 4u] = ${h(v)};`;
const setB = (p: string, j: string, v: string) => `Bs[(${p}) * 16u + (${j}) / 4u][(${j}) % 4u] = ${h(v)};`;

/** WGSL loading A's 64×16 tile at (m0, k0) into As, for A stored [m, k] or (`trans`) [k, m]: vec4s where `vecA`. */
function tileA(t: string, trans: boolean): string[] {
  const v4 = `vec4<${t}>`, zero = t === "f32" ? "0.0" : "0";
  const vec = trans
    ? [
      "        let p = li / 16u; let i = (li % 16u) * 4u; let row = k0 + p; let col = m0 + i;",
      `        var v = ${v4}(${zero}); if (row < K && col < M) { v = Av[(offA + row * M + col) / 4u]; }`,
      `        As[p * 16u + i / 4u] = ${h4("v")};`,
    ]
    : [
      "        let i = li / 4u; let p = (li % 4u) * 4u; let row = m0 + i; let col = k0 + p;",
      `        var v = ${v4}(${zero}); if (row < M && col < K) { v = Av[(offA + row * K + col) / 4u]; }`,
      `        ${setA("p", "i", "v.x")} ${setA("p + 1u", "i", "v.y")} ${setA("p + 2u", "i", "v.z")} ${setA("p + 3u", "i", "v.w")}`,
    ];
  return [
    "      if (vecA) {", ...vec, "      } else {",
    "        for (var e = 0u; e < 4u; e++) {",
    "          let idx = li + e * 256u;",
    trans ? "          let i = idx % 64u; let p = idx / 64u;" : "          let p = idx % 16u; let i = idx / 16u;",
    "          let row = m0 + i; let kk = k0 + p;",
    `          var v = ${zero}; if (row < M && kk < K) { v = A[offA + ${trans ? "kk * M + row" : "row * K + kk"}]; }`,
    `          ${setA("p", "i", "v")}`,
    "        }",
    "      }",
  ];
}

/** WGSL loading B's 16×64 tile at (k0, n0) into Bs, for B stored [k, n] or (`trans`) [n, k]: vec4s where `vecB`. */
function tileB(t: string, trans: boolean): string[] {
  const v4 = `vec4<${t}>`, zero = t === "f32" ? "0.0" : "0";
  const vec = trans
    ? [
      "        let j = li / 4u; let p = (li % 4u) * 4u; let row = n0 + j; let col = k0 + p;",
      `        var v = ${v4}(${zero}); if (row < N && col < K) { v = Bv[(offB + row * K + col) / 4u]; }`,
      `        ${setB("p", "j", "v.x")} ${setB("p + 1u", "j", "v.y")} ${setB("p + 2u", "j", "v.z")} ${setB("p + 3u", "j", "v.w")}`,
    ]
    : [
      "        let p = li / 16u; let j = (li % 16u) * 4u; let row = k0 + p; let col = n0 + j;",
      `        var v = ${v4}(${zero}); if (row < K && col < N) { v = Bv[(offB + row * N + col) / 4u]; }`,
      `        Bs[p * 16u + j / 4u] = ${h4("v")};`,
    ];
  return [
    "      if (vecB) {", ...vec, "      } else {",
    "        for (var e = 0u; e < 4u; e++) {",
    "          let idx = li + e * 256u;",
    trans ? "          let p = idx % 16u; let j = idx / 16u;" : "          let j = idx % 64u; let p = idx / 64u;",
    "          let col = n0 + j; let kk = k0 + p;",
    `          var v = ${zero}; if (col < N && kk < K) { v = B[offB + ${trans ? "col * K + kk" : "kk * N + col"}]; }`,
    `          ${setB("p", "j", "v")}`,
    "        }",
    "      }",
  ];
}

/**
 * The product's shader for an element type. Each operand is bound twice, as vec4s and as scalars: where its
 * contiguous dim is a multiple of 4 (a uniform flag) tiles load as vec4s, else element by element; its layout
 * (A stored [m, k] or [k, m], B [k, n] or [n, k]) is a uniform flag too, so one pipeline serves every product.
 */
function shader(t: "f32" | "i32", halfTiles = false): string {
  half = halfTiles;
  try {
    return shaderSource(t);
  } finally {
    half = false;
  }
}

function shaderSource(t: "f32" | "i32"): string {
  const v4 = `vec4<${t}>`;
  const tileType = half ? "vec4<f16>" : v4;
  // Half tiles widen to float32 for the products: the sums are float32's.
  const widen = (v: string) => (half ? `vec4f(${v})` : v);
  const lines: string[] = [
    ...(half ? ["enable f16;"] : []),
    `@group(0) @binding(0) var<storage, read> Av: array<${v4}>;`,
    `@group(0) @binding(1) var<storage, read> A: array<${t}>;`,
    `@group(0) @binding(2) var<storage, read> Bv: array<${v4}>;`,
    `@group(0) @binding(3) var<storage, read> B: array<${t}>;`,
    `@group(0) @binding(4) var<storage, read_write> C: array<${t}>;`,
    `@group(0) @binding(5) var<storage, read> bias: array<${t}>;`,
    paramDecl(6, P_BATCH + 3 * MAX_BATCH_RANK),
    `var<workgroup> As: array<${tileType}, ${(DEPTH * TILE) / 4}>;`,
    `var<workgroup> Bs: array<${tileType}, ${(DEPTH * TILE) / 4}>;`,
    "@compute @workgroup_size(16, 16)",
    "fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {",
    "  let M = u(0u); let N = u(1u); let K = u(2u); let nSum = u(3u);",
    "  let vecA = u(5u) != 0u; let vecB = u(6u) != 0u; let rank = u(8u); let transA = u(9u) != 0u; let transB = u(10u) != 0u;",
    `  let m0 = wg.y * ${TILE}u; let n0 = wg.x * ${TILE}u;`,
    "  let tx = lid.x; let ty = lid.y;",
    `  var acc: array<${v4}, 4>;`,
    "  for (var s = 0u; s < nSum; s++) {",
    "    var rest = (wg.z + u(4u)) * nSum + s;",
    "    var offA = 0u; var offB = 0u;",
    "    for (var d = 0u; d < rank; d++) {",
    `      let at = ${P_BATCH}u + 3u * (rank - 1u - d);`,
    "      let c = rest % u(at); rest = rest / u(at);",
    "      offA += c * u(at + 1u); offB += c * u(at + 2u);",
    "    }",
    "    for (var k0 = 0u; k0 < K; k0 += 16u) {",
  ];
  // A's tile, stored As[p][i] (k-major) as vec4s of four rows; B's, Bs[p][j], as vec4s of four columns. Each in
  // both layouts, chosen by uniform flags (a branch every thread takes alike).
  lines.push("      if (transA) {", ...tileA(t, true), "      } else {", ...tileA(t, false), "      }");
  lines.push("      if (transB) {", ...tileB(t, true), "      } else {", ...tileB(t, false), "      }");
  lines.push(
    "      workgroupBarrier();",
    "      for (var p = 0u; p < 16u; p++) {",
    `        let a = ${widen("As[p * 16u + ty]")};`,
    `        let bv = ${widen("Bs[p * 16u + tx]")};`,
    "        acc[0] += a.x * bv; acc[1] += a.y * bv; acc[2] += a.z * bv; acc[3] += a.w * bv;",
    "      }",
    "      workgroupBarrier();",
    "    }",
    "  }",
    "  let col = n0 + tx * 4u;",
    "  let cBase = (wg.z + u(4u)) * M * N;",
    "  let hasBias = u(7u) != 0u;",
    "  for (var r = 0u; r < 4u; r++) {",
    "    let row = m0 + ty * 4u + r;",
    "    if (row >= M) { break; }",
    "    for (var c = 0u; c < 4u; c++) {",
    "      if (col + c < N) {",
    "        var v = acc[r][c];",
    "        if (hasBias) { v += bias[col + c]; }",
    "        C[cBase + row * N + col + c] = v;",
    "      }",
    "    }",
    "  }",
    "}",
  );
  return lines.join("\n");
}

/**
 * Products too narrow for 64×64 tiles (m or n at most 32: a batch of small products, a weight's gradient summed
 * over a batch): each thread computes 4×4 of C from global memory, an 8×8-thread workgroup a 32×32 block, operands
 * read through strides (any layout, one pipeline). Rows and columns past the edge read the last one, whose
 * products are never stored, so the k loop has no branches.
 */
function narrowShader(t: "f32" | "i32", halfOperands = false): string {
  const v4 = `vec4<${t}>`;
  // Half operands: each rounded to float16 as it is read, the products summed in float32 (as the tiled kernel's).
  const round = (v: string) => (halfOperands ? `vec4f(vec4<f16>(${v}))` : v);
  return [
    ...(halfOperands ? ["enable f16;"] : []),
    `@group(0) @binding(0) var<storage, read> A: array<${t}>;`,
    `@group(0) @binding(1) var<storage, read> B: array<${t}>;`,
    `@group(0) @binding(2) var<storage, read_write> C: array<${t}>;`,
    `@group(0) @binding(3) var<storage, read> bias: array<${t}>;`,
    paramDecl(4, P_BATCH + 4 + 3 * MAX_BATCH_RANK),
    "@compute @workgroup_size(8, 8)",
    "fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {",
    "  let M = u(0u); let N = u(1u); let K = u(2u); let nSum = u(3u); let rank = u(8u);",
    `  let sAi = u(${P_BATCH}u); let sAp = u(${P_BATCH + 1}u); let sBp = u(${P_BATCH + 2}u); let sBj = u(${P_BATCH + 3}u);`,
    "  let r0 = (wg.y * 8u + lid.y) * 4u; let c0 = (wg.x * 8u + lid.x) * 4u;",
    "  if (r0 >= M || c0 >= N) { return; }",
    "  let rows = vec4u(r0, min(r0 + 1u, M - 1u), min(r0 + 2u, M - 1u), min(r0 + 3u, M - 1u)) * sAi;",
    "  let cols = vec4u(c0, min(c0 + 1u, N - 1u), min(c0 + 2u, N - 1u), min(c0 + 3u, N - 1u)) * sBj;",
    `  var acc: array<${v4}, 4>;`,
    "  for (var s = 0u; s < nSum; s++) {",
    "    var rest = (wg.z + u(4u)) * nSum + s;",
    "    var offA = 0u; var offB = 0u;",
    "    for (var d = 0u; d < rank; d++) {",
    `      let at = ${P_BATCH + 4}u + 3u * (rank - 1u - d);`,
    "      let c = rest % u(at); rest = rest / u(at);",
    "      offA += c * u(at + 1u); offB += c * u(at + 2u);",
    "    }",
    "    for (var p = 0u; p < K; p++) {",
    "      let ap = offA + p * sAp; let bp = offB + p * sBp;",
    `      let a = ${round(`${v4}(A[ap + rows.x], A[ap + rows.y], A[ap + rows.z], A[ap + rows.w])`)};`,
    `      let b = ${round(`${v4}(B[bp + cols.x], B[bp + cols.y], B[bp + cols.z], B[bp + cols.w])`)};`,
    "      acc[0] += a.x * b; acc[1] += a.y * b; acc[2] += a.z * b; acc[3] += a.w * b;",
    "    }",
    "  }",
    "  let cBase = (wg.z + u(4u)) * M * N;",
    "  let hasBias = u(7u) != 0u;",
    "  for (var r = 0u; r < 4u && r0 + r < M; r++) {",
    "    for (var c = 0u; c < 4u && c0 + c < N; c++) {",
    "      var v = acc[r][c];",
    "      if (hasBias) { v += bias[c0 + c]; }",
    "      C[cBase + (r0 + r) * N + c0 + c] = v;",
    "    }",
    "  }",
    "}",
  ].join("\n");
}

// What binds as the bias where there is none (a binding cannot be left out, nor be the output).
let empty: Block | null = null;
function noBias(): Block {
  empty ??= takeBlock(16);
  return empty;
}

/**
 * `a`·`b` (each transposed where flagged), batch dims broadcast to `outShape`'s, or summed over the batch where
 * `outShape` is a matrix and the operands have batch dims; `bias` (n elements) added to every row of the result.
 */
export function matmulGpu(a: TensorData, b: TensorData, outShape: Shape, transA: boolean, transB: boolean, bias?: TensorData): GpuBuf {
  const t = storageType(a.dtype) === "f32" ? "f32" : "i32";
  const ra = a.shape.length, rb = b.shape.length;
  const m = a.shape[transA ? ra - 1 : ra - 2]!, k = a.shape[transA ? ra - 2 : ra - 1]!;
  const n = b.shape[transB ? rb - 2 : rb - 1]!;
  const outSize = sizeOf(outShape);
  if (outSize === 0) return fuseFull(0, 0, a.dtype);
  const batchA = a.shape.slice(0, -2), batchB = b.shape.slice(0, -2);
  const batch = broadcastShapes("matmul", batchA, batchB);
  const summed = outShape.length === 2 && batch.length > 0;
  const total = sizeOf(batch);
  // Batch dims with their strides in A and B (elements), dims of size 1 dropped.
  const sa = broadcastStrides(batchA, batch).map((s) => s * m * k);
  const sb = broadcastStrides(batchB, batch).map((s) => s * k * n);
  const dims: number[] = [], stA: number[] = [], stB: number[] = [];
  batch.forEach((d, i) => {
    if (d === 1) return;
    dims.push(d);
    stA.push(sa[i]!);
    stB.push(sb[i]!);
  });
  if (dims.length > MAX_BATCH_RANK) throw new Error(`webgpu: matmul supports at most ${MAX_BATCH_RANK} batch dims, got ${dims.length}`);
  const out = newBuf(a.dtype, outSize);
  const [ba, bb] = [blockOfT(a), blockOfT(b)];
  const biasBlock = bias !== undefined ? blockOfT(bias) : noBias();
  const nSum = summed ? total : 1;
  const zCount = summed ? 1 : total;
  const batchWords = dims.flatMap((d, i) => [d, stA[i]!, stB[i]!]);
  const head = [m, n, k, nSum];
  const flags = (vecA: boolean, vecB: boolean) => [Number(vecA), Number(vecB), Number(bias !== undefined), dims.length, Number(transA), Number(transB)];
  const halfOperands = t === "f32" && matmulPrecision === "medium";
  if (m <= 32 || n <= 32) {
    const strides = [transA ? 1 : k, transA ? m : 1, transB ? 1 : n, transB ? k : 1];
    const pipeline = pipelineFor(narrowShader(t, halfOperands));
    for (let z = 0; z < zCount; z += MAX_Z) {
      const p = words([...head, z, ...flags(false, false), ...strides, ...batchWords], [], P_BATCH + 4 + 3 * MAX_BATCH_RANK);
      dispatch(pipeline, [ba, bb, out.block!, biasBlock], p, [Math.ceil(n / 32), Math.ceil(m / 32), Math.min(MAX_Z, zCount - z)]);
    }
    return out;
  }
  const vecA = (transA ? m : k) % 4 === 0, vecB = (transB ? k : n) % 4 === 0;
  const pipeline = pipelineFor(shader(t, halfOperands));
  const gx = Math.ceil(n / TILE), gy = Math.ceil(m / TILE);
  for (let z = 0; z < zCount; z += MAX_Z) {
    const p = words([...head, z, ...flags(vecA, vecB), ...batchWords], [], P_BATCH + 3 * MAX_BATCH_RANK);
    dispatch(pipeline, [ba, ba, bb, bb, out.block!, biasBlock], p, [gx, gy, Math.min(MAX_Z, zCount - z)]);
  }
  return out;
}

/** How float32 products are computed: "highest" and "high" in float32, "medium" with float16 operands. */
export type MatmulPrecision = "highest" | "high" | "medium";
let matmulPrecision: MatmulPrecision = "highest";

/**
 * How the webgpu backend computes float32 matrix products (matmul, linear layers, convolutions through matmul), as
 * PyTorch's `torch.set_float32_matmul_precision`: "highest" (the default) and "high" in float32 (WebGPU has no
 * TF32); "medium" rounds both operands to float16 as they are staged (half the workgroup memory and bandwidth of
 * the tiles) and sums the products in float32. "medium" needs an adapter with `shader-f16` (see
 * `cr.backends.webgpu.info().f16`) and an open device; operands beyond float16's range (±65504) are not
 * representable. Tensors stay float32 throughout.
 * @example
 * await cr.backends.webgpu.init();
 * if (cr.backends.webgpu.info()?.f16) cr.backends.webgpu.setFloat32MatmulPrecision("medium");
 */
export function setFloat32MatmulPrecision(precision: MatmulPrecision): void {
  if (precision !== "highest" && precision !== "high" && precision !== "medium") {
    throw new ArgumentError(`setFloat32MatmulPrecision: precision must be "highest", "high" or "medium", got ${String(precision)}`);
  }
  if (precision === "medium") {
    const info = webgpuInfo();
    if (info === null) throw new ArgumentError('setFloat32MatmulPrecision: "medium" needs an open device; call await cr.backends.webgpu.init() first');
    if (!info.f16) throw new ArgumentError(`setFloat32MatmulPrecision: "medium" needs float16 in shaders, and this adapter (${info.description}) lacks the shader-f16 feature`);
  }
  matmulPrecision = precision;
}

/**
 * The float32 matrix-product precision set by `setFloat32MatmulPrecision` (PyTorch's `get_float32_matmul_precision`).
 * @example cr.backends.webgpu.float32MatmulPrecision() // "highest"
 */
export function float32MatmulPrecision(): MatmulPrecision {
  return matmulPrecision;
}
