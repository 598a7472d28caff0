// The wasm backend's float32 unfold (im2col) and fold (col2im), which convolution feeds into matmul, and max pooling's winners.
import type { Shape } from "../../shape.js";
import { sizeOf } from "../../shape.js";
import type { TensorData, Window2d } from "../backend.js";
import { runKernel } from "./call.js";
import type { Runtime } from "./runtime.js";
import { splitPlanes } from "./split.js";
import type { HeapArray } from "./tensors.js";

const outSize = (size: number, k: number, s: number, p: number, d: number) => Math.floor((size + 2 * p - d * (k - 1) - 1) / s) + 1;

// The geometry both kernels read (13 i32s in memory): planes, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow.
function geometry(image: Shape, win: Window2d): number[] {
  const [n, c, h, w] = image as [number, number, number, number];
  const [kh, kw] = win.kernel;
  const oh = outSize(h, kh, win.stride[0], win.padding[0], win.dilation[0]);
  const ow = outSize(w, kw, win.stride[1], win.padding[1], win.dilation[1]);
  return [n * c, h, w, kh, kw, win.stride[0], win.stride[1], win.padding[0], win.padding[1], win.dilation[0], win.dilation[1], oh, ow];
}

/** From this many output elements the planes are shared with the worker threads. */
const PARALLEL_MIN = 65536;

type PlaneKernel = "unfold32Range" | "fold32Range" | "maxPoolIndices32Range";

// Runs `kernel` over the planes, with `input` in wasm memory and a new output of `outLength` elements of
// `outDtype`. It takes the input, the output, `scratchBytes` of scratch if any, the geometry's address, then `extra`.
function run(rt: Runtime, kernel: PlaneKernel, input: Float32Array, outDtype: "float32" | "int32", outLength: number, geo: readonly number[], extra: readonly number[], scratchBytes = 0): HeapArray | undefined {
  const out = runKernel(rt, [input], [{ dtype: outDtype, length: outLength }], scratchBytes > 0 ? [geo.length * 4, scratchBytes] : [geo.length * 4], ([pin], [pout], [pg, ps]) => {
    new Int32Array(rt.memory.buffer, pg!, geo.length).set(geo);
    splitPlanes(rt, kernel, [pin!, pout!, ...(ps === undefined ? [] : [ps]), pg!, ...extra], geo[0]!, outLength >= PARALLEL_MIN);
  });
  return out?.[0];
}

/** `[N, C, H, W]` → `[N, C·kh·kw, L]`. */
export function unfoldF32(rt: Runtime, x: TensorData, win: Window2d, outShape: Shape): Float32Array | undefined {
  if (x.dtype !== "float32" || x.shape.length !== 4) return undefined;
  return run(rt, "unfold32Range", x.buf as Float32Array, "float32", sizeOf(outShape), geometry(x.shape, win), [win.padValue]) as Float32Array | undefined;
}

/** `[N, C·kh·kw, L]` → `outShape` `[N, C, H, W]`, summing overlaps. */
export function foldF32(rt: Runtime, cols: TensorData, win: Window2d, outShape: Shape): Float32Array | undefined {
  if (cols.dtype !== "float32" || outShape.length !== 4) return undefined;
  return run(rt, "fold32Range", cols.buf as Float32Array, "float32", sizeOf(outShape), geometry(outShape, win), []) as Float32Array | undefined;
}

/** Max pooling's winners: `[N, C, H, W]` → int32 `outShape` `[N, C, oh, ow]` (Backend.maxPool2dIndices). */
export function maxPool2dIndicesF32(rt: Runtime, x: TensorData, win: Window2d, outShape: Shape): Int32Array | undefined {
  if (x.dtype !== "float32" || x.shape.length !== 4) return undefined;
  const length = sizeOf(outShape);
  // The scratch holds each window's running maximum.
  return run(rt, "maxPoolIndices32Range", x.buf as Float32Array, "int32", length, geometry(x.shape, win), [], length * 4) as Int32Array | undefined;
}
