// AssemblyScript helpers over runs of contiguous floats, four lanes a SIMD step with a scalar tail.

// dst[i] = src[i] for i < n. memory.copy would call out of the module for every run, and a convolution's
// runs are short (8 floats for a 5×5 kernel on a 12×12 image): 400,000 calls a batch.
// @ts-ignore: decorator
@inline export function copyRun(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

// dst[i] += src[i] for i < n (each element gets the same single add as one by one).
// @ts-ignore: decorator
@inline export function addRun(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const d = dst + (<usize>i << 2);
    v128.store(d, f32x4.add(v128.load(d), v128.load(src + (<usize>i << 2))));
  }
  for (; i < n; i++) {
    const d = dst + (<usize>i << 2);
    store<f32>(d, load<f32>(d) + load<f32>(src + (<usize>i << 2)));
  }
}
