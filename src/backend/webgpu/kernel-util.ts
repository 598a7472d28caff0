// Small pieces every webgpu kernel file uses: parameter words, the shader preamble that numbers threads, and the
// one-element scalars kernels take by value.
import type { ComputeDType as DType } from "../../dtype.js";
import type { TensorData } from "../backend.js";
import { blockOf } from "./fusion.js";
import type { GpuBuf } from "./memory.js";
import type { Block } from "./memory.js";
import { WORKGROUP } from "./queue.js";
import { storageType } from "./wgsl-expr.js";

/**
 * Parameter words from 32-bit integers (negative ones as their two's complement) and float32 values, at least
 * `least` of them (a shader's uniform declares its size: the binding must be as large).
 */
export function words(ints: readonly number[], floats: readonly number[] = [], least = 0): Uint32Array {
  const p = new Uint32Array(Math.max(4, Math.ceil(Math.max(least, ints.length + floats.length) / 4) * 4));
  const i = new Int32Array(p.buffer);
  const f = new Float32Array(p.buffer);
  ints.forEach((v, k) => (i[k] = v));
  floats.forEach((v, k) => (f[ints.length + k] = v));
  return p;
}

/** The uniform declaration for `count` parameter words at `binding`, read with `u(k)` / `s(k)` (signed) / `f(k)`. */
export function paramDecl(binding: number, count: number): string {
  return [
    `@group(0) @binding(${binding}) var<uniform> P: array<vec4u, ${Math.max(1, Math.ceil(count / 4))}>;`,
    "fn u(k: u32) -> u32 { return P[k >> 2u][k & 3u]; }",
    "fn s(k: u32) -> i32 { return bitcast<i32>(P[k >> 2u][k & 3u]); }",
    "fn f(k: u32) -> f32 { return bitcast<f32>(P[k >> 2u][k & 3u]); }",
  ].join("\n");
}

/** The entry point of a one-thread-per-item kernel: `i` numbers the threads of a 2-D grid of `WORKGROUP`-thread groups. */
export const THREAD_MAIN = [
  `@compute @workgroup_size(${WORKGROUP})`,
  "fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {",
  `  let i = (wg.y * nwg.x + wg.x) * ${WORKGROUP}u + li;`,
].join("\n");

/** A storage binding of `dtype`'s elements. */
export function bindingDecl(binding: number, name: string, dtype: DType, access: "read" | "read_write"): string {
  return `@group(0) @binding(${binding}) var<storage, ${access}> ${name}: array<${storageType(dtype)}>;`;
}

/** `t`'s GPU memory (computed first where pending). */
export function blockOfT(t: TensorData): Block {
  return blockOf(t.buf as GpuBuf);
}

/** The WGSL math type of a dtype's values once loaded: f32, i32 or u32 (bool). */
export function wgslType(dtype: DType): string {
  return storageType(dtype);
}
