// AssemblyScript source of the strided copies of 4-byte elements (the core's `strided` read and `scatterStrided`
// write, and with them permute, slice, expand and slice's backward). The view has at most five dims (the caller
// coalesces and pads on the left with dims of 1); rows along the last dim are copied with 128-bit loads and stores
// where that dim is contiguous, splatted where it is broadcast (stride 0), one element at a time otherwise.
// Rows are numbered in the view's row-major order, so threads can take disjoint ranges of them.

/** `mode`: read the view into a contiguous block (dst[i] = src[view(i)]). */
const GATHER: i32 = 0;
/** `mode`: write a contiguous block into the view (dst[view(i)] = src[i]). */
const SCATTER: i32 = 1;
/** `mode`: add a contiguous float32 block into the view (dst[view(i)] += src[i], overlapping positions add up). */
const SCATTER_ADD: i32 = 2;

// One row of n elements: `at` steps by `s` elements through the strided side, `flat` by one through the other.
// @ts-ignore: decorator
@inline function row(mode: i32, strided: usize, flat: usize, s: i32, n: i32): void {
  if (mode == GATHER) {
    if (s == 1) {
      let i = 0;
      for (; i + 4 <= n; i += 4) v128.store(flat + (<usize>i << 2), v128.load(strided + (<usize>i << 2)));
      for (; i < n; i++) store<u32>(flat + (<usize>i << 2), load<u32>(strided + (<usize>i << 2)));
    } else if (s == 0) {
      const bits = load<u32>(strided);
      const v = i32x4.splat(bits);
      let i = 0;
      for (; i + 4 <= n; i += 4) v128.store(flat + (<usize>i << 2), v);
      for (; i < n; i++) store<u32>(flat + (<usize>i << 2), bits);
    } else {
      const step = <isize>s << 2;
      let p = <isize>strided;
      for (let i = 0; i < n; i++, p += step) store<u32>(flat + (<usize>i << 2), load<u32>(<usize>p));
    }
  } else if (mode == SCATTER) {
    if (s == 1) {
      let i = 0;
      for (; i + 4 <= n; i += 4) v128.store(strided + (<usize>i << 2), v128.load(flat + (<usize>i << 2)));
      for (; i < n; i++) store<u32>(strided + (<usize>i << 2), load<u32>(flat + (<usize>i << 2)));
    } else {
      // With s == 0 every element lands on one position and the last one stays, as the cpu kernel's loop does.
      const step = <isize>s << 2;
      let p = <isize>strided;
      for (let i = 0; i < n; i++, p += step) store<u32>(<usize>p, load<u32>(flat + (<usize>i << 2)));
    }
  } else {
    if (s == 1) {
      let i = 0;
      for (; i + 4 <= n; i += 4) {
        const at = strided + (<usize>i << 2);
        v128.store(at, f32x4.add(v128.load(at), v128.load(flat + (<usize>i << 2))));
      }
      for (; i < n; i++) {
        const at = strided + (<usize>i << 2);
        store<f32>(at, load<f32>(at) + load<f32>(flat + (<usize>i << 2)));
      }
    } else {
      const step = <isize>s << 2;
      let p = <isize>strided;
      for (let i = 0; i < n; i++, p += step) store<f32>(<usize>p, load<f32>(<usize>p) + load<f32>(flat + (<usize>i << 2)));
    }
  }
}

/**
 * Rows [rowStart, rowEnd) of the strided view of `base` at element `offset` with the five sizes and five strides
 * (in elements) at `geom` (ten i32s); `flat` is the contiguous side. `mode`: GATHER, SCATTER or SCATTER_ADD.
 */
export function stridedRows32(base: usize, flat: usize, geom: usize, offset: i32, mode: i32, rowStart: i32, rowEnd: i32): void {
  const n0 = load<i32>(geom), n1 = load<i32>(geom, 4), n2 = load<i32>(geom, 8), n3 = load<i32>(geom, 12), n = load<i32>(geom, 16);
  const s0 = load<i32>(geom, 20), s1 = load<i32>(geom, 24), s2 = load<i32>(geom, 28), s3 = load<i32>(geom, 32), s = load<i32>(geom, 36);
  if (rowStart >= rowEnd || n == 0) return;
  // The multi-index of the first row, then an odometer over the four outer dims.
  let t = rowStart;
  let c3 = t % n3;
  t /= n3;
  let c2 = t % n2;
  t /= n2;
  let c1 = t % n1;
  let c0 = t / n1;
  let at = offset + c0 * s0 + c1 * s1 + c2 * s2 + c3 * s3;
  let f = flat + (<usize>rowStart * <usize>n << 2);
  const rowBytes = <usize>n << 2;
  for (let r = rowStart; r < rowEnd; r++) {
    row(mode, base + (<usize>at << 2), f, s, n);
    f += rowBytes;
    at += s3;
    if (++c3 < n3) continue;
    c3 = 0;
    at += s2 - s3 * n3;
    if (++c2 < n2) continue;
    c2 = 0;
    at += s1 - s2 * n2;
    if (++c1 < n1) continue;
    c1 = 0;
    at += s0 - s1 * n1;
    c0++;
  }
}
