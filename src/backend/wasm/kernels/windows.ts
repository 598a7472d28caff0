// AssemblyScript source of im2col (unfold) and col2im (fold) for float32, the kernels behind convolution and pooling.
// Images are `planes` (N·C) of h × w; columns are laid out plane by plane, kh·kw rows of oh·ow each, as PyTorch's unfold.
// The geometry comes as 13 i32s in memory at `g` (planes, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow), so a
// call fits a worker task's arguments; threads split the planes, which read and write disjoint memory.

import { addRun, copyRun } from "./runs";

// @ts-ignore: decorator
@inline function geo(g: usize, i: i32): i32 {
  return load<i32>(g + (<usize>i << 2));
}

// The first output column of a window row whose input column xx·sw + off is not left of the image ...
// @ts-ignore: decorator
@inline function firstInside(ow: i32, sw: i32, off: i32): i32 {
  let x0 = 0;
  while (x0 < ow && x0 * sw + off < 0) x0++;
  return x0;
}

// ... and the end of the run from x0 that stays left of the image's width w.
// @ts-ignore: decorator
@inline function endInside(x0: i32, ow: i32, sw: i32, off: i32, w: i32): i32 {
  let x1 = ow;
  while (x1 > x0 && (x1 - 1) * sw + off >= w) x1--;
  return x1;
}

/** Planes [start, end) of unfold: every window position; positions in the padding read `pad`. */
export function unfold32Range(x: usize, out: usize, g: usize, pad: f32, start: i32, end: i32): void {
  const h = geo(g, 1), w = geo(g, 2), kh = geo(g, 3), kw = geo(g, 4), sh = geo(g, 5), sw = geo(g, 6);
  const ph = geo(g, 7), pw = geo(g, 8), dh = geo(g, 9), dw = geo(g, 10), oh = geo(g, 11), ow = geo(g, 12);
  out += <usize>start * kh * kw * oh * ow << 2;
  for (let p = start; p < end; p++) {
    const plane = x + (<usize>(p * h * w) << 2);
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        // The output columns whose input column (xx·sw + off) lies inside the image: [x0, x1).
        const off = kj * dw - pw;
        const x0 = firstInside(ow, sw, off), x1 = endInside(x0, ow, sw, off, w);
        for (let y = 0; y < oh; y++) {
          const iy = y * sh - ph + ki * dh;
          if (iy < 0 || iy >= h) {
            for (let xx = 0; xx < ow; xx++, out += 4) store<f32>(out, pad);
            continue;
          }
          const row = plane + (<usize>(iy * w) << 2);
          for (let xx = 0; xx < x0; xx++) store<f32>(out + (<usize>xx << 2), pad);
          if (sw == 1) copyRun(out + (<usize>x0 << 2), row + (<usize>(x0 + off) << 2), x1 - x0);
          else for (let xx = x0; xx < x1; xx++) store<f32>(out + (<usize>xx << 2), load<f32>(row + (<usize>(xx * sw + off) << 2)));
          for (let xx = x1; xx < ow; xx++) store<f32>(out + (<usize>xx << 2), pad);
          out += <usize>ow << 2;
        }
      }
    }
  }
}

/** Planes [start, end) of fold, the adjoint of unfold: zeroes them and adds every column entry back at its image position. */
export function fold32Range(cols: usize, out: usize, g: usize, start: i32, end: i32): void {
  const h = geo(g, 1), w = geo(g, 2), kh = geo(g, 3), kw = geo(g, 4), sh = geo(g, 5), sw = geo(g, 6);
  const ph = geo(g, 7), pw = geo(g, 8), dh = geo(g, 9), dw = geo(g, 10), oh = geo(g, 11), ow = geo(g, 12);
  cols += <usize>start * kh * kw * oh * ow << 2;
  for (let p = start; p < end; p++) {
    const plane = out + (<usize>(p * h * w) << 2);
    memory.fill(plane, 0, <usize>(h * w) << 2);
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const off = kj * dw - pw;
        const x0 = firstInside(ow, sw, off), x1 = endInside(x0, ow, sw, off, w);
        for (let y = 0; y < oh; y++, cols += <usize>ow << 2) {
          const iy = y * sh - ph + ki * dh;
          if (iy < 0 || iy >= h) continue;
          const row = plane + (<usize>(iy * w) << 2);
          if (sw == 1) addRun(row + (<usize>(x0 + off) << 2), cols + (<usize>x0 << 2), x1 - x0);
          else {
            for (let xx = x0; xx < x1; xx++) {
              const dst = row + (<usize>(xx * sw + off) << 2);
              store<f32>(dst, load<f32>(dst) + load<f32>(cols + (<usize>xx << 2)));
            }
          }
        }
      }
    }
  }
}

// The lanes where a window's next candidate takes over its running maximum: larger, or NaN.
// @ts-ignore: decorator
@inline function takesOver(v: v128, best: v128): v128 {
  return v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
}

// 2×2 windows at stride 2 without padding (most CNNs' pooling) on one plane: the four candidates of four
// windows come from two loads of each of the two rows, split into even and odd columns.
function maxPool2x2Plane(plane: usize, out: usize, w: i32, oh: i32, ow: i32): void {
  const lanes = i32x4(0, 2, 4, 6);
  for (let y = 0; y < oh; y++, out += <usize>ow << 2) {
    const r0 = plane + (<usize>(2 * y * w) << 2), r1 = r0 + (<usize>w << 2);
    let xx = 0;
    for (; xx + 4 <= ow; xx += 4) {
      const p0 = r0 + (<usize>xx << 3), p1 = r1 + (<usize>xx << 3);
      const u0 = v128.load(p0), u1 = v128.load(p0, 16), l0 = v128.load(p1), l1 = v128.load(p1, 16);
      const a = v128.shuffle<f32>(u0, u1, 0, 2, 4, 6), b = v128.shuffle<f32>(u0, u1, 1, 3, 5, 7);
      const c = v128.shuffle<f32>(l0, l1, 0, 2, 4, 6), d = v128.shuffle<f32>(l0, l1, 1, 3, 5, 7);
      const i00 = i32x4.add(i32x4.splat(2 * y * w + 2 * xx), lanes);
      const i01 = i32x4.add(i00, i32x4.splat(1)), i10 = i32x4.add(i00, i32x4.splat(w)), i11 = i32x4.add(i10, i32x4.splat(1));
      let wins = takesOver(b, a);
      let best = v128.bitselect(b, a, wins), at = v128.bitselect(i01, i00, wins);
      wins = takesOver(c, best);
      best = v128.bitselect(c, best, wins);
      at = v128.bitselect(i10, at, wins);
      wins = takesOver(d, best);
      v128.store(out + (<usize>xx << 2), v128.bitselect(i11, at, wins));
    }
    for (; xx < ow; xx++) {
      let at = 2 * y * w + 2 * xx;
      let best = load<f32>(plane + (<usize>at << 2));
      for (let k = 1; k < 4; k++) {
        const i = 2 * y * w + 2 * xx + (k >> 1) * w + (k & 1);
        const v = load<f32>(plane + (<usize>i << 2));
        if (v > best || v != v) {
          best = v;
          at = i;
        }
      }
      store<i32>(out + (<usize>xx << 2), at);
    }
  }
}

/**
 * Planes [start, end) of max pooling's winners: for each window, the flat index (iy·w + ix, i32) of its
 * largest in-image element, the first in window order, or the last NaN (PyTorch's max_pool2d indices).
 * Padding never wins: a window of -Infinity points at its first in-image element. `best` (as long as the
 * output) holds each window's running maximum. The loops run as unfold's do, a window offset at a time over
 * a whole output row, so the inner loop is long and plain rather than a few elements per window.
 */
export function maxPoolIndices32Range(x: usize, out: usize, best: usize, g: usize, start: i32, end: i32): void {
  const h = geo(g, 1), w = geo(g, 2), kh = geo(g, 3), kw = geo(g, 4), sh = geo(g, 5), sw = geo(g, 6);
  const ph = geo(g, 7), pw = geo(g, 8), dh = geo(g, 9), dw = geo(g, 10), oh = geo(g, 11), ow = geo(g, 12);
  out += <usize>start * oh * ow << 2;
  best += <usize>start * oh * ow << 2;
  const twoByTwo = kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 && dh == 1 && dw == 1;
  for (let p = start; p < end; p++) {
    const plane = x + (<usize>(p * h * w) << 2);
    if (twoByTwo) {
      maxPool2x2Plane(plane, out, w, oh, ow);
      out += <usize>(oh * ow) << 2;
      best += <usize>(oh * ow) << 2;
      continue;
    }
    for (let y = 0; y < oh; y++, out += <usize>ow << 2, best += <usize>ow << 2) {
      // -1: no winner yet, so each window's first in-image element takes it, whatever its value.
      for (let xx = 0; xx < ow; xx++) {
        store<f32>(best + (<usize>xx << 2), -Infinity);
        store<i32>(out + (<usize>xx << 2), -1);
      }
      for (let ki = 0; ki < kh; ki++) {
        const iy = y * sh - ph + ki * dh;
        if (iy < 0 || iy >= h) continue;
        for (let kj = 0; kj < kw; kj++) {
          const off = kj * dw - pw;
          const x0 = firstInside(ow, sw, off), x1 = endInside(x0, ow, sw, off, w);
          const base = iy * w + off;
          let xx = x0;
          // Four windows a step for strides 1 and 2 (the second deinterleaves two loads), while the loads stay inside the row.
          if (sw <= 2) {
            const lanes = i32x4(0, sw, 2 * sw, 3 * sw);
            for (; xx + 4 <= x1 && (xx + 3) * sw + off + sw - 1 < w; xx += 4) {
              const src = plane + (<usize>(base + xx * sw) << 2);
              const v = sw == 1 ? v128.load(src) : v128.shuffle<f32>(v128.load(src), v128.load(src, 16), 0, 2, 4, 6);
              const bp = best + (<usize>xx << 2), op = out + (<usize>xx << 2);
              const b = v128.load(bp), a = v128.load(op);
              const wins = v128.or(takesOver(v, b), i32x4.lt_s(a, i32x4.splat(0)));
              v128.store(bp, v128.bitselect(v, b, wins));
              v128.store(op, v128.bitselect(i32x4.add(i32x4.splat(base + xx * sw), lanes), a, wins));
            }
          }
          for (; xx < x1; xx++) {
            const at = base + xx * sw;
            const v = load<f32>(plane + (<usize>at << 2));
            const bp = best + (<usize>xx << 2), op = out + (<usize>xx << 2);
            // Branch-free: on real data whether a window's next element wins is a coin toss.
            const wins = v > load<f32>(bp) || v != v || load<i32>(op) < 0;
            store<f32>(bp, select<f32>(v, load<f32>(bp), wins));
            store<i32>(op, select<i32>(at, load<i32>(op), wins));
          }
        }
      }
    }
  }
}
