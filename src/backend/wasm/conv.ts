// The wasm backend's float32 unfold (im2col) and fold (col2im): convolution and pooling feed these into matmul and reductions.
import type { Shape } from "../../shape.js";
import { sizeOf } from "../../shape.js";
import type { TensorData, Window2d } from "../backend.js";
import { runKernel } from "./call.js";
import type { Runtime } from "./runtime.js";

const outSize = (size: number, k: number, s: number, p: number, d: number) => Math.floor((size + 2 * p - d * (k - 1) - 1) / s) + 1;

// What both kernels take after their two pointers: planes, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow.
function geometry(image: Shape, win: Window2d): number[] {
  const [n, c, h, w] = image as [number, number, number, number];
  const [kh, kw] = win.kernel;
  const oh = outSize(h, kh, win.stride[0], win.padding[0], win.dilation[0]);
  const ow = outSize(w, kw, win.stride[1], win.padding[1], win.dilation[1]);
  return [n * c, h, w, kh, kw, win.stride[0], win.stride[1], win.padding[0], win.padding[1], win.dilation[0], win.dilation[1], oh, ow];
}

// Runs `kernel(in, out)` with `input` in wasm memory and a new output of `outLength` elements.
function run(rt: Runtime, input: Float32Array, outLength: number, kernel: (pin: number, pout: number) => void): Float32Array | undefined {
  const out = runKernel(rt, [input], [{ dtype: "float32", length: outLength }], [], ([pin], [pout]) => kernel(pin!, pout!));
  return out?.[0] as Float32Array | undefined;
}

/** `[N, C, H, W]` → `[N, C·kh·kw, L]`. */
export function unfoldF32(rt: Runtime, x: TensorData, win: Window2d, outShape: Shape): Float32Array | undefined {
  if (x.dtype !== "float32" || x.shape.length !== 4) return undefined;
  const g = geometry(x.shape, win);
  return run(rt, x.buf as Float32Array, sizeOf(outShape), (pin, pout) => rt.exports.unfold32(pin, pout, ...g, win.padValue));
}

/** `[N, C·kh·kw, L]` → `outShape` `[N, C, H, W]`, summing overlaps. */
export function foldF32(rt: Runtime, cols: TensorData, win: Window2d, outShape: Shape): Float32Array | undefined {
  if (cols.dtype !== "float32" || outShape.length !== 4) return undefined;
  const g = geometry(outShape, win);
  return run(rt, cols.buf as Float32Array, sizeOf(outShape), (pin, pout) => rt.exports.fold32(pin, pout, ...g));
}
