// im2col and its adjoint on the cpu backend: the kernels behind convolution and pooling.
import type { ComputeDType as DType, TypedArray } from "../../dtype.js";
import { allocOut } from "./buffer-pool.js";
import type { Shape } from "../../shape.js";
import { windowOut } from "../../shape.js";
import type { Window2d } from "../backend.js";

/** An image's planes (N·C) and size, the window's numbers, and the output size: what every window loop reads. */
function geometry(shape: Shape, w: Window2d) {
  const [n, c, h, wd] = shape as [number, number, number, number];
  const [kh, kw] = w.kernel, [sh, sw] = w.stride, [ph, pw] = w.padding, [dh, dw] = w.dilation;
  return { planes: n * c, h, wd, kh, kw, sh, sw, ph, pw, dh, dw, oh: windowOut(h, kh, sh, ph, dh), ow: windowOut(wd, kw, sw, pw, dw) };
}

// Both directions walk the windows in the same order: column row (c, ki, kj), then output
// position (y, x). `gather` true copies x → cols (unfold), false adds cols → x (fold). Loops are
// written out, not driven by a callback, because this runs once per element of every conv layer.
function im2col(img: TypedArray, cols: TypedArray, shape: Shape, w: Window2d, gather: boolean): void {
  const { planes, h, wd, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = geometry(shape, w);
  const pad = w.padValue;
  let col = 0;
  for (let p = 0; p < planes; p++) {
    const plane = p * h * wd;
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        for (let y = 0; y < oh; y++) {
          const iy = y * sh - ph + ki * dh;
          if (iy < 0 || iy >= h) {
            if (gather) for (let x = 0; x < ow; x++) cols[col + x] = pad;
            col += ow;
            continue;
          }
          const row = plane + iy * wd;
          for (let x = 0; x < ow; x++, col++) {
            const ix = x * sw - pw + kj * dw;
            if (ix >= 0 && ix < wd) {
              if (gather) cols[col] = img[row + ix]!;
              else img[row + ix]! += cols[col]!;
            } else if (gather) cols[col] = pad;
          }
        }
      }
    }
  }
}

/** `[N, C, H, W]` → `[N, C·kh·kw, L]`: each column holds one window. */
export function unfold(x: TypedArray, shape: Shape, w: Window2d, outSize: number, dtype: DType): TypedArray {
  const out = allocOut(dtype, outSize);
  im2col(x, out, shape, w, true);
  return out;
}

/** The adjoint of unfold: `[N, C·kh·kw, L]` → `[N, C, H, W]`, summing where windows overlap. */
export function fold(cols: TypedArray, outShape: Shape, w: Window2d, outSize: number, dtype: DType): TypedArray {
  const out = allocOut(dtype, outSize);
  im2col(out, cols, outShape, w, false);
  return out;
}

/**
 * Max pooling's winners on `[N, C, H, W]`: for each window, the flat index (iy·W + ix) of its largest
 * in-image element within its plane — the first in window order, or the last NaN, as PyTorch's
 * max_pool2d indices. Padding never wins: a window of -Infinity points at its first in-image element.
 */
export function maxPool2dIndices(x: TypedArray, shape: Shape, w: Window2d, outSize: number): Int32Array {
  const out = allocOut("int32", outSize) as Int32Array;
  const { planes, h, wd, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = geometry(shape, w);
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const plane = p * h * wd;
    for (let y = 0; y < oh; y++) {
      let y0 = y * sh - ph;
      const y1 = Math.min(y0 + (kh - 1) * dh + 1, h);
      while (y0 < 0) y0 += dh;
      for (let xx = 0; xx < ow; xx++, o++) {
        let x0 = xx * sw - pw;
        const x1 = Math.min(x0 + (kw - 1) * dw + 1, wd);
        while (x0 < 0) x0 += dw;
        let best = -Infinity;
        let at = y0 * wd + x0;
        for (let iy = y0; iy < y1; iy += dh) {
          for (let ix = x0; ix < x1; ix += dw) {
            const v = x[plane + iy * wd + ix]!;
            if (v > best || v !== v) {
              best = v;
              at = iy * wd + ix;
            }
          }
        }
        out[o] = at;
      }
    }
  }
  return out;
}
