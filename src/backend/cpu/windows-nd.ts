// im2col, col2im and max pooling's winners over any number of spatial dims on the cpu backend: the kernels behind
// 3-D convolution and pooling, and behind windows padded unevenly (ceilMode) in any dimension.
import type { ComputeDType as DType, TypedArray } from "../../dtype.js";
import type { WindowNd } from "../../ops/params.js";
import { product, windowNdOut } from "../../ops/window-nd.js";
import type { Shape } from "../../shape.js";
import { allocOut } from "./buffer-pool.js";

/** Where each kernel offset of each window lands along one spatial dim: `coord[k·o + j]`, or -1 in the padding. */
interface Axis {
  readonly size: number;
  readonly kernel: number;
  readonly out: number;
  readonly coord: Int32Array;
}

function axes(spatial: Shape, w: WindowNd): Axis[] {
  const outs = windowNdOut(spatial, w);
  return spatial.map((size, d) => {
    const kernel = w.kernel[d]!, out = outs[d]!;
    const coord = new Int32Array(kernel * out);
    for (let k = 0; k < kernel; k++) {
      for (let j = 0; j < out; j++) {
        const at = j * w.stride[d]! - w.padBefore[d]! + k * w.dilation[d]!;
        coord[k * out + j] = at >= 0 && at < size ? at : -1;
      }
    }
    return { size, kernel, out, coord };
  });
}

/** Advances a row-major multi-index over `sizes` (last dim fastest); false once it wraps to zero. */
function next(index: Int32Array, sizes: readonly number[]): boolean {
  for (let d = sizes.length - 1; d >= 0; d--) {
    if (++index[d]! < sizes[d]!) return true;
    index[d] = 0;
  }
  return false;
}

// Both directions walk the columns in the same order: plane, kernel offset (row-major), window position (row-major).
// `gather` true copies img → cols (unfold), false adds cols → img (fold). The last spatial dim is the inner loop.
function im2colNd(img: TypedArray, cols: TypedArray, shape: Shape, w: WindowNd, gather: boolean): void {
  const spatial = shape.slice(2);
  const dims = spatial.length;
  const ax = axes(spatial, w);
  const planes = shape[0]! * shape[1]!, planeSize = product(spatial);
  const kernels = ax.map((a) => a.kernel), outerOuts = ax.slice(0, -1).map((a) => a.out);
  const strides = spatial.map((_, d) => product(spatial.slice(d + 1)));
  const last = ax[dims - 1]!;
  const ow = last.out;
  const outer = product(outerOuts);
  const pad = w.padValue;
  const k = new Int32Array(dims), o = new Int32Array(Math.max(dims - 1, 0));
  let col = 0;
  for (let p = 0; p < planes; p++) {
    const plane = p * planeSize;
    k.fill(0);
    do {
      const lastCoord = k[dims - 1]! * ow;
      o.fill(0);
      for (let r = 0; r < outer; r++, dims > 1 && next(o, outerOuts)) {
        // The row's offset from the outer dims, or -1 where one of them falls in the padding.
        let row = plane;
        for (let d = 0; d < dims - 1; d++) {
          const at = ax[d]!.coord[k[d]! * ax[d]!.out + o[d]!]!;
          if (at < 0) {
            row = -1;
            break;
          }
          row += at * strides[d]!;
        }
        if (row < 0) {
          if (gather) cols.fill(pad, col, col + ow);
          col += ow;
          continue;
        }
        for (let x = 0; x < ow; x++, col++) {
          const ix = last.coord[lastCoord + x]!;
          if (ix >= 0) {
            if (gather) cols[col] = img[row + ix]!;
            else img[row + ix]! += cols[col]!;
          } else if (gather) cols[col] = pad;
        }
      }
    } while (next(k, kernels));
  }
}

/** `[N, C, ...s]` → `[N, C·∏k, ∏o]`: each column holds one window. */
export function unfoldNd(x: TypedArray, shape: Shape, w: WindowNd, outSize: number, dtype: DType): TypedArray {
  const out = allocOut(dtype, outSize, "any");
  im2colNd(x, out, shape, w, true);
  return out;
}

/** The adjoint of unfoldNd: `[N, C·∏k, ∏o]` → `[N, C, ...s]`, summing where windows overlap. */
export function foldNd(cols: TypedArray, outShape: Shape, w: WindowNd, outSize: number, dtype: DType): TypedArray {
  const out = allocOut(dtype, outSize);
  im2colNd(out, cols, outShape, w, false);
  return out;
}

/**
 * Max pooling's winners on `[N, C, ...s]`: for each window, the row-major flat index within its plane of its
 * largest in-image element, the first in window order, or the last NaN (PyTorch's rule). Padding never wins.
 */
export function maxPoolNdIndices(x: TypedArray, shape: Shape, w: WindowNd, outSize: number): Int32Array {
  const out = allocOut("int32", outSize) as Int32Array;
  const spatial = shape.slice(2);
  const dims = spatial.length;
  const ax = axes(spatial, w);
  const planes = shape[0]! * shape[1]!, planeSize = product(spatial);
  const outs = ax.map((a) => a.out), kernels = ax.map((a) => a.kernel);
  const strides = spatial.map((_, d) => product(spatial.slice(d + 1)));
  const windows = product(outs);
  const o = new Int32Array(dims), k = new Int32Array(dims);
  let at = 0;
  for (let p = 0; p < planes; p++) {
    const plane = p * planeSize;
    o.fill(0);
    for (let j = 0; j < windows; j++, next(o, outs)) {
      let best = -Infinity, winner = -1;
      k.fill(0);
      do {
        let pos = 0;
        for (let d = 0; d < dims; d++) {
          const c = ax[d]!.coord[k[d]! * ax[d]!.out + o[d]!]!;
          if (c < 0) {
            pos = -1;
            break;
          }
          pos += c * strides[d]!;
        }
        if (pos < 0) continue;
        const v = x[plane + pos]!;
        if (winner < 0 || v > best || v !== v) {
          best = v;
          winner = pos;
        }
      } while (next(k, kernels));
      out[at++] = winner;
    }
  }
  return out;
}
