// AssemblyScript source of gather and scatterAdd along one axis for 4-byte elements, when the index has
// the input's shape except along that axis: x is [outer, size, inner], the index (and the gathered output,
// and scatterAdd's source) [outer, m, inner]. Max pooling picks each window's maximum this way, and its
// gradient puts it back. The indices are checked first (`firstBadIndex`); then threads split the outer
// planes, which read and write disjoint memory.

/** The position of the first of `n` indices outside [0, size), or −1. */
export function firstBadIndex(index: usize, n: i32, size: i32): i32 {
  for (let i = 0; i < n; i++) if (<u32>load<i32>(index + (<usize>i << 2)) >= <u32>size) return i;
  return -1;
}

/** Planes [start, end) of out[o, k, j] = x[o, index[o, k, j], j]. */
export function gatherAxis32Range(x: usize, index: usize, out: usize, size: i32, m: i32, inner: i32, start: i32, end: i32): void {
  let i = start * m * inner;
  for (let o = start; o < end; o++) {
    const plane = x + (<usize>(o * size * inner) << 2);
    for (let k = 0; k < m; k++) {
      for (let j = 0; j < inner; j++, i++) {
        const v = load<i32>(index + (<usize>i << 2));
        store<f32>(out + (<usize>i << 2), load<f32>(plane + (<usize>(v * inner + j) << 2)));
      }
    }
  }
}

/** Planes [start, end) of out[o] = base[o], then out[o, index[o, k, j], j] += src[o, k, j]. */
export function scatterAddAxis32Range(out: usize, base: usize, index: usize, src: usize, size: i32, m: i32, inner: i32, start: i32, end: i32): void {
  const planeBytes = <usize>(size * inner) << 2;
  memory.copy(out + <usize>start * planeBytes, base + <usize>start * planeBytes, <usize>(end - start) * planeBytes);
  let i = start * m * inner;
  for (let o = start; o < end; o++) {
    const plane = out + <usize>o * planeBytes;
    for (let k = 0; k < m; k++) {
      for (let j = 0; j < inner; j++, i++) {
        const dst = plane + (<usize>(load<i32>(index + (<usize>i << 2)) * inner + j) << 2);
        store<f32>(dst, load<f32>(dst) + load<f32>(src + (<usize>i << 2)));
      }
    }
  }
}
