// AssemblyScript source of a batched 2-D transpose of 4-byte elements, in tiles so both sides stay in cache.

const TILE: i32 = 16;

/** dst[b][j][i] = src[b][i][j] for `batch` matrices of rows × cols. */
export function transpose32(src: usize, dst: usize, batch: i32, rows: i32, cols: i32): void {
  const plane = <usize>(rows * cols) << 2;
  for (let b = 0; b < batch; b++) {
    for (let i0 = 0; i0 < rows; i0 += TILE) {
      const i1 = min(rows, i0 + TILE);
      for (let j0 = 0; j0 < cols; j0 += TILE) {
        const j1 = min(cols, j0 + TILE);
        for (let i = i0; i < i1; i++) {
          let s = src + (<usize>(i * cols + j0) << 2);
          let d = dst + (<usize>(j0 * rows + i) << 2);
          for (let j = j0; j < j1; j++) {
            store<u32>(d, load<u32>(s));
            s += 4;
            d += <usize>rows << 2;
          }
        }
      }
    }
    src += plane;
    dst += plane;
  }
}
