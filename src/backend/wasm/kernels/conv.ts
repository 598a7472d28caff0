// AssemblyScript source of im2col (unfold) and col2im (fold) for float32, the kernels behind convolution and pooling.
// Images are `planes` (N·C) of h × w; columns are laid out plane by plane, kh·kw rows of oh·ow each, as PyTorch's unfold.

/** Writes every window position of every plane; positions in the padding read `pad`. */
export function unfold32(
  x: usize, out: usize, planes: i32, h: i32, w: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, oh: i32, ow: i32, pad: f32,
): void {
  for (let p = 0; p < planes; p++) {
    const plane = x + (<usize>(p * h * w) << 2);
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        for (let y = 0; y < oh; y++) {
          const iy = y * sh - ph + ki * dh;
          if (iy < 0 || iy >= h) {
            for (let xx = 0; xx < ow; xx++, out += 4) store<f32>(out, pad);
            continue;
          }
          const row = plane + (<usize>(iy * w) << 2);
          for (let xx = 0; xx < ow; xx++, out += 4) {
            const ix = xx * sw - pw + kj * dw;
            store<f32>(out, ix >= 0 && ix < w ? load<f32>(row + (<usize>ix << 2)) : pad);
          }
        }
      }
    }
  }
}

/** The adjoint of unfold32: zeroes `out` and adds every column entry back at its image position. */
export function fold32(
  cols: usize, out: usize, planes: i32, h: i32, w: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, oh: i32, ow: i32,
): void {
  memory.fill(out, 0, <usize>(planes * h * w) << 2);
  for (let p = 0; p < planes; p++) {
    const plane = out + (<usize>(p * h * w) << 2);
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        for (let y = 0; y < oh; y++) {
          const iy = y * sh - ph + ki * dh;
          if (iy < 0 || iy >= h) {
            cols += <usize>ow << 2;
            continue;
          }
          const row = plane + (<usize>(iy * w) << 2);
          for (let xx = 0; xx < ow; xx++, cols += 4) {
            const ix = xx * sw - pw + kj * dw;
            if (ix >= 0 && ix < w) {
              const dst = row + (<usize>ix << 2);
              store<f32>(dst, load<f32>(dst) + load<f32>(cols));
            }
          }
        }
      }
    }
  }
}
