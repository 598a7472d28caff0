// The wasm backend's float32 unfold (im2col) and fold (col2im): convolution and pooling feed these into matmul and reductions.
import type { Shape } from "../../shape.js";
import { sizeOf } from "../../shape.js";
import type { TensorData, Window2d } from "../backend.js";
import { runKernel } from "./call.js";
import type { Runtime } from "./runtime.js";
import { getPool, parallelRun, readyWorkerCount } from "./pool.js";

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

// Runs `kernel` (unfold32Range or fold32Range, taking `extra` after its pointers and the geometry's address)
// over the planes, with `input` in wasm memory and a new output of `outLength` elements.
function run(rt: Runtime, kernel: "unfold32Range" | "fold32Range", input: Float32Array, outLength: number, geo: readonly number[], extra: readonly number[]): Float32Array | undefined {
  const planes = geo[0]!;
  const out = runKernel(rt, [input], [{ dtype: "float32", length: outLength }], [geo.length * 4], ([pin], [pout], [pg]) => {
    new Int32Array(rt.memory.buffer, pg!, geo.length).set(geo);
    const args = [pin!, pout!, pg!, ...extra];
    const pool = outLength >= PARALLEL_MIN && planes > 1 ? getPool(rt) : null;
    if (pool !== null && readyWorkerCount() > 0) {
      parallelRun(rt, pool, kernel, args, planes, Math.ceil(planes / (4 * (pool.slots.length + 1))));
      return;
    }
    (rt.exports[kernel] as (...a: number[]) => void)(...args, 0, planes);
  });
  return out?.[0] as Float32Array | undefined;
}

/** `[N, C, H, W]` → `[N, C·kh·kw, L]`. */
export function unfoldF32(rt: Runtime, x: TensorData, win: Window2d, outShape: Shape): Float32Array | undefined {
  if (x.dtype !== "float32" || x.shape.length !== 4) return undefined;
  return run(rt, "unfold32Range", x.buf as Float32Array, sizeOf(outShape), geometry(x.shape, win), [win.padValue]);
}

/** `[N, C·kh·kw, L]` → `outShape` `[N, C, H, W]`, summing overlaps. */
export function foldF32(rt: Runtime, cols: TensorData, win: Window2d, outShape: Shape): Float32Array | undefined {
  if (cols.dtype !== "float32" || outShape.length !== 4) return undefined;
  return run(rt, "fold32Range", cols.buf as Float32Array, sizeOf(outShape), geometry(outShape, win), []);
}
