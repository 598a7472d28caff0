// AssemblyScript source of im2col (unfold) and col2im (fold) for float32, the kernels behind convolution and pooling.
// Images are `planes` (N·C) of h × w; columns are laid out plane by plane, kh·kw rows of oh·ow each, as PyTorch's unfold.
// The geometry comes as 13 i32s in memory at `g` (planes, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow), so a
// call fits a worker task's arguments; threads split the planes, which read and write disjoint memory.

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
          if (sw == 1) memory.copy(out + (<usize>x0 << 2), row + (<usize>(x0 + off) << 2), <usize>(x1 - x0) << 2);
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
          for (let xx = x0; xx < x1; xx++) {
            const dst = row + (<usize>(xx * sw + off) << 2);
            store<f32>(dst, load<f32>(dst) + load<f32>(cols + (<usize>xx << 2)));
          }
        }
      }
    }
  }
}
