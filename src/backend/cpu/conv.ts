// im2col and its adjoint on the cpu backend: the kernels behind convolution and pooling.
import type { DType, TypedArray } from "../../dtype.js";
import { allocArray } from "../../dtype.js";
import type { Shape } from "../../shape.js";
import type { Window2d } from "../backend.js";

/** Output spatial size of a sliding window, PyTorch's formula. */
export function windowOut(size: number, k: number, stride: number, pad: number, dilation: number): number {
  return Math.floor((size + 2 * pad - dilation * (k - 1) - 1) / stride) + 1;
}

// Visits every (column row, output position) pair with its source offset in x, or -1 in the padding.
function walk(shape: Shape, w: Window2d, visit: (colIndex: number, src: number) => void): void {
  const [n, c, h, wd] = shape as [number, number, number, number];
  const [kh, kw] = w.kernel;
  const oh = windowOut(h, kh, w.stride[0], w.padding[0], w.dilation[0]);
  const ow = windowOut(wd, kw, w.stride[1], w.padding[1], w.dilation[1]);
  let col = 0;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const plane = (b * c + ch) * h * wd;
      for (let ki = 0; ki < kh; ki++) {
        for (let kj = 0; kj < kw; kj++) {
          for (let y = 0; y < oh; y++) {
            const iy = y * w.stride[0] - w.padding[0] + ki * w.dilation[0];
            const rowOk = iy >= 0 && iy < h;
            for (let x = 0; x < ow; x++) {
              const ix = x * w.stride[1] - w.padding[1] + kj * w.dilation[1];
              visit(col++, rowOk && ix >= 0 && ix < wd ? plane + iy * wd + ix : -1);
            }
          }
        }
      }
    }
  }
}

/** `[N, C, H, W]` → `[N, C·kh·kw, L]`: each column holds one window. */
export function unfold(x: TypedArray, shape: Shape, w: Window2d, outSize: number, dtype: DType): TypedArray {
  const out = allocArray(dtype, outSize);
  const pad = w.padValue;
  walk(shape, w, (i, src) => {
    out[i] = src >= 0 ? x[src]! : pad;
  });
  return out;
}

/** The adjoint of unfold: `[N, C·kh·kw, L]` → `[N, C, H, W]`, summing where windows overlap. */
export function fold(cols: TypedArray, outShape: Shape, w: Window2d, outSize: number, dtype: DType): TypedArray {
  const out = allocArray(dtype, outSize);
  walk(outShape, w, (i, dst) => {
    if (dst >= 0) out[dst]! += cols[i]!;
  });
  return out;
}
