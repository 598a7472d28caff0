// AssemblyScript source of log-softmax over contiguous rows (the last axis), in float64 as the cpu kernel:
// shift by the row's maximum (0 where it is −∞), sum the exponentials in index order, subtract the log.

/** out[r][j] = x[r][j] − shift − log Σ_j exp(x[r][j] − shift), for `rows` rows of `n` float32. */
export function logSoftmaxRowsF32(x: usize, out: usize, rows: i32, n: i32): void {
  for (let r = 0; r < rows; r++) {
    const row = x + (<usize>(r * n) << 2);
    const dst = out + (<usize>(r * n) << 2);
    let m = -Infinity;
    for (let j = 0; j < n; j++) {
      const v = <f64>load<f32>(row + (<usize>j << 2));
      if (v > m || v != v) m = v;
    }
    const shift = m == -Infinity ? 0.0 : m; // a +∞ maximum makes the row NaN, as PyTorch's
    let sum = 0.0;
    for (let j = 0; j < n; j++) sum += Math.exp(<f64>load<f32>(row + (<usize>j << 2)) - shift);
    const lse = Math.log(sum);
    for (let j = 0; j < n; j++) store<f32>(dst + (<usize>j << 2), <f32>(<f64>load<f32>(row + (<usize>j << 2)) - shift - lse));
  }
}

/** out[r][j] = g[r][j] − exp(y[r][j])·Σ_j g[r][j] for `rows` rows of `n` float32: log-softmax's gradient, in float64 as the cpu kernel. */
export function logSoftmaxBackwardRowsF32(g: usize, y: usize, out: usize, rows: i32, n: i32): void {
  for (let r = 0; r < rows; r++) {
    const at = <usize>(r * n) << 2;
    let sum = 0.0;
    for (let j = 0; j < n; j++) sum += <f64>load<f32>(g + at + (<usize>j << 2));
    for (let j = 0; j < n; j++) {
      const k = at + (<usize>j << 2);
      store<f32>(out + k, <f32>(<f64>load<f32>(g + k) - Math.exp(<f64>load<f32>(y + k)) * sum));
    }
  }
}
