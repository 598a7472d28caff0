// AssemblyScript source of gather and scatterAdd along one axis for 4-byte elements, when the index has
// the input's shape except along that axis: x is [outer, size, inner], the index (and the gathered output,
// and scatterAdd's source) [outer, m, inner]. Max pooling picks each window's maximum this way, and its
// gradient puts it back. Both return the position in the index of the first value out of [0, size), or −1.

/** out[o, k, j] = x[o, index[o, k, j], j]. */
export function gatherAxis32(x: usize, index: usize, out: usize, outer: i32, size: i32, m: i32, inner: i32): i32 {
  let i = 0;
  for (let o = 0; o < outer; o++) {
    const plane = x + (<usize>(o * size * inner) << 2);
    for (let k = 0; k < m; k++) {
      for (let j = 0; j < inner; j++, i++) {
        const v = load<i32>(index + (<usize>i << 2));
        if (<u32>v >= <u32>size) return i;
        store<f32>(out + (<usize>i << 2), load<f32>(plane + (<usize>(v * inner + j) << 2)));
      }
    }
  }
  return -1;
}

/** out[o, index[o, k, j], j] += src[o, k, j], `out` already holding the base; every index is checked before anything is added. */
export function scatterAddAxis32(out: usize, index: usize, src: usize, outer: i32, size: i32, m: i32, inner: i32): i32 {
  const n = outer * m * inner;
  for (let i = 0; i < n; i++) if (<u32>load<i32>(index + (<usize>i << 2)) >= <u32>size) return i;
  let i = 0;
  for (let o = 0; o < outer; o++) {
    const plane = out + (<usize>(o * size * inner) << 2);
    for (let k = 0; k < m; k++) {
      for (let j = 0; j < inner; j++, i++) {
        const dst = plane + (<usize>(load<i32>(index + (<usize>i << 2)) * inner + j) << 2);
        store<f32>(dst, load<f32>(dst) + load<f32>(src + (<usize>i << 2)));
      }
    }
  }
  return -1;
}
