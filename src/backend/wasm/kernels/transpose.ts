// AssemblyScript source of a batched 2-D transpose of 4-byte elements, in tiles so both sides stay in cache,
// each tile in 4×4 blocks transposed in SIMD registers (four loads, eight shuffles, four stores).

import { transpose4x4 } from "./runs";

const TILE: i32 = 16;

// The 4×4 block at row i, column j of a rows × cols matrix, written transposed at column i, row j of dst.
// @ts-ignore: decorator
@inline function block4x4(src: usize, dst: usize, i: i32, j: i32, rows: i32, cols: i32): void {
  transpose4x4(src + (<usize>(i * cols + j) << 2), <usize>cols << 2, dst + (<usize>(j * rows + i) << 2), <usize>rows << 2);
}

// Elements [j0, j1) of rows [i0, i1), one at a time: a tile's edges past its last whole 4×4 block.
// @ts-ignore: decorator
@inline function scalarPart(src: usize, dst: usize, i0: i32, i1: i32, j0: i32, j1: i32, rows: i32, cols: i32): void {
  for (let i = i0; i < i1; i++) {
    for (let j = j0; j < j1; j++) store<u32>(dst + (<usize>(j * rows + i) << 2), load<u32>(src + (<usize>(i * cols + j) << 2)));
  }
}

/** dst[b][j][i] = src[b][i][j] for `batch` matrices of rows × cols. */
export function transpose32(src: usize, dst: usize, batch: i32, rows: i32, cols: i32): void {
  const plane = <usize>(rows * cols) << 2;
  for (let b = 0; b < batch; b++) {
    for (let i0 = 0; i0 < rows; i0 += TILE) {
      const i1 = min(rows, i0 + TILE);
      const iBlocks = i0 + ((i1 - i0) & ~3);
      for (let j0 = 0; j0 < cols; j0 += TILE) {
        const j1 = min(cols, j0 + TILE);
        const jBlocks = j0 + ((j1 - j0) & ~3);
        for (let i = i0; i < iBlocks; i += 4) {
          for (let j = j0; j < jBlocks; j += 4) block4x4(src, dst, i, j, rows, cols);
        }
        scalarPart(src, dst, i0, iBlocks, jBlocks, j1, rows, cols);
        scalarPart(src, dst, iBlocks, i1, j0, j1, rows, cols);
      }
    }
    src += plane;
    dst += plane;
  }
}
