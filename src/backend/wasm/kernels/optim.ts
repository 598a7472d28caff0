// AssemblyScript source of the fused Adam update: one pass over a parameter, its gradient and its moments,
// in place, in the same float32 operations and order as the unfused ops (so both give the same bits).
// Lengths are whole vectors: the caller's blocks are padded, and padding lanes compute harmlessly.

// One vector's update at byte offset `off`.
// @ts-ignore: decorator
@inline function adamVector(
  p: usize, g: usize, m: usize, v: usize, vmax: usize, off: usize,
  b1: v128, c1: v128, b2: v128, c2: v128, bc: v128, e: v128, lr: v128, amsgrad: bool,
): void {
  const gi = v128.load(g + off);
  const mi = f32x4.add(f32x4.mul(v128.load(m + off), b1), f32x4.mul(gi, c1));
  let vi = f32x4.add(f32x4.mul(v128.load(v + off), b2), f32x4.mul(f32x4.mul(gi, c2), gi));
  v128.store(m + off, mi);
  v128.store(v + off, vi);
  if (amsgrad) {
    vi = f32x4.max(v128.load(vmax + off), vi);
    v128.store(vmax + off, vi);
  }
  const denom = f32x4.add(f32x4.div(f32x4.sqrt(vi), bc), e);
  v128.store(p + off, f32x4.sub(v128.load(p + off), f32x4.div(f32x4.mul(mi, lr), denom)));
}

// Every vector's update, four an iteration. With `amsgrad` a literal at each call site, inlining folds its test
// away: a branch in each vector's update cost ~25%.
// @ts-ignore: decorator
@inline function adamLoop(
  p: usize, g: usize, m: usize, v: usize, vmax: usize, vectors: i32,
  b1: v128, c1: v128, b2: v128, c2: v128, bc: v128, e: v128, lr: v128, amsgrad: bool,
): void {
  let i = 0;
  for (; i + 4 <= vectors; i += 4) {
    const off = <usize>i << 4;
    adamVector(p, g, m, v, vmax, off, b1, c1, b2, c2, bc, e, lr, amsgrad);
    adamVector(p, g, m, v, vmax, off + 16, b1, c1, b2, c2, bc, e, lr, amsgrad);
    adamVector(p, g, m, v, vmax, off + 32, b1, c1, b2, c2, bc, e, lr, amsgrad);
    adamVector(p, g, m, v, vmax, off + 48, b1, c1, b2, c2, bc, e, lr, amsgrad);
  }
  for (; i < vectors; i++) adamVector(p, g, m, v, vmax, <usize>i << 4, b1, c1, b2, c2, bc, e, lr, amsgrad);
}

/**
 * m = m·β1 + g·(1−β1);  v = v·β2 + (g·(1−β2))·g;  (AMSGrad: vmax = max(vmax, v), used for v)
 * p = p − (m·stepSize) / (√v / bc2sqrt + eps)
 */
export function adamF32(
  p: usize, g: usize, m: usize, v: usize, vmax: usize, vectors: i32,
  beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, bc2sqrt: f32, eps: f32, stepSize: f32, amsgrad: i32,
): void {
  const b1 = f32x4.splat(beta1), c1 = f32x4.splat(oneMinusBeta1);
  const b2 = f32x4.splat(beta2), c2 = f32x4.splat(oneMinusBeta2);
  const bc = f32x4.splat(bc2sqrt), e = f32x4.splat(eps), lr = f32x4.splat(stepSize);
  if (amsgrad) adamLoop(p, g, m, v, vmax, vectors, b1, c1, b2, c2, bc, e, lr, true);
  else adamLoop(p, g, m, v, vmax, vectors, b1, c1, b2, c2, bc, e, lr, false);
}

/** `adamF32` over the vectors [start, end) only, for threads that split one update. */
export function adamF32Range(
  p: usize, g: usize, m: usize, v: usize, vmax: usize,
  beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, bc2sqrt: f32, eps: f32, stepSize: f32, amsgrad: i32,
  start: i32, end: i32,
): void {
  const off = <usize>start << 4;
  adamF32(p + off, g + off, m + off, v + off, amsgrad ? vmax + off : vmax, end - start, beta1, oneMinusBeta1, beta2, oneMinusBeta2, bc2sqrt, eps, stepSize, amsgrad);
}
