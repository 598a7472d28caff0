// im2col and its adjoint on the cpu backend: the kernels behind convolution and pooling.
import type { DType, TypedArray } from "../../dtype.js";
import { allocOut } from "./pool.js";
import type { Shape } from "../../shape.js";
import type { Window2d } from "../backend.js";

/** Output spatial size of a sliding window, PyTorch's formula. */
export function windowOut(size: number, k: number, stride: number, pad: number, dilation: number): number {
  return Math.floor((size + 2 * pad - dilation * (k - 1) - 1) / stride) + 1;
}

// Both directions walk the windows in the same order: column row (c, ki, kj), then output
// position (y, x). `gather` true copies x → cols (unfold), false adds cols → x (fold). Loops are
// written out, not driven by a callback, because this runs once per element of every conv layer.
function im2col(img: TypedArray, cols: TypedArray, shape: Shape, w: Window2d, gather: boolean): void {
  const [n, c, h, wd] = shape as [number, number, number, number];
  const [kh, kw] = w.kernel;
  const [sh, sw] = w.stride;
  const [ph, pw] = w.padding;
  const [dh, dw] = w.dilation;
  const oh = windowOut(h, kh, sh, ph, dh);
  const ow = windowOut(wd, kw, sw, pw, dw);
  const pad = w.padValue;
  let col = 0;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const plane = (b * c + ch) * h * wd;
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
