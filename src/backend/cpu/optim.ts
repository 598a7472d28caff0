// Fused optimizer updates on the cpu backend: one pass, in place, with no temporaries; large parameters are
// shared with the worker threads.
import type { TypedArray } from "../../dtype.js";
import type { AdamHyper } from "../backend.js";
import { runRange } from "./threads.js";

/** Elements per chunk below which Adam stays on one thread (~20 ns an element in float32). */
const CHUNK_MIN = 4096;

/** Adam's update (Backend.adamUpdate) over typed arrays: range-kernels.ts's adamF32 / adamF64. */
export function adamUpdate(
  p: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray, vmax: TypedArray | null, h: AdamHyper, float32: boolean,
): void {
  if (float32) runRange("adamF32", [p as Float32Array, g as Float32Array, m as Float32Array, v as Float32Array, vmax as Float32Array | null, h], p.length, CHUNK_MIN);
  else runRange("adamF64", [p as Float64Array, g as Float64Array, m as Float64Array, v as Float64Array, vmax as Float64Array | null, h], p.length, CHUNK_MIN);
}
