// AssemblyScript source of the float32 sums: each lane accumulates in float64, so a sum of a million
// elements keeps what the cpu kernel's double accumulator keeps (only the order of additions differs).

// @ts-ignore: decorator
@inline function lo(v: v128): v128 { return f64x2.promote_low_f32x4(v); }
// @ts-ignore: decorator
@inline function hi(v: v128): v128 { return f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)); }

/** Σ x[0..n) in float64. */
export function sumAllF32(x: usize, n: i32): f64 {
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
  const vectors8 = n >> 3;
  for (let i = 0; i < vectors8; i++, x += 32) {
    const v = v128.load(x), w = v128.load(x, 16);
    a0 = f64x2.add(a0, lo(v));
    a1 = f64x2.add(a1, hi(v));
    a2 = f64x2.add(a2, lo(w));
    a3 = f64x2.add(a3, hi(w));
  }
  const s = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
  let total = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (let i = vectors8 << 3; i < n; i++, x += 4) total += <f64>load<f32>(x);
  return total;
}

/**
 * Σ over elements [start, end) of x, written to partials[start / chunk] (float64): a sum over all axes
 * split in fixed chunks, so threads can share it and the total (added up in chunk order) does not
 * depend on how many threads ran.
 */
export function sumAllF32Range(x: usize, partials: usize, chunk: i32, start: i32, end: i32): void {
  store<f64>(partials + (<usize>(start / chunk) << 3), sumAllF32(x + (<usize>start << 2), end - start));
}

/** out[r] = Σ_c x[r·cols + c]: sums over trailing axes. */
export function sumRowsF32(x: usize, out: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    store<f32>(out + (<usize>r << 2), <f32>sumAllF32(x + (<usize>(r * cols) << 2), cols));
  }
}

/**
 * out[c] = Σ_o Σ_i x[(o·mid + c)·inner + i]: a sum over every axis but a middle run (a convolution bias's
 * gradient, [N, C, H, W] summed over N, H and W), each block of `inner` summed as `sumAllF32` sums, in float64 to the end.
 */
export function sumMiddleF32(x: usize, out: usize, outer: i32, mid: i32, inner: i32): void {
  sumMiddleF32Range(x, out, outer, mid, inner, 0, mid);
}

/** Outputs [start, end) of `sumMiddleF32`: threads take whole outputs, each summed the same way whichever thread takes it. */
export function sumMiddleF32Range(x: usize, out: usize, outer: i32, mid: i32, inner: i32, start: i32, end: i32): void {
  for (let c = start; c < end; c++) {
    let acc: f64 = 0;
    for (let o = 0; o < outer; o++) acc += sumAllF32(x + (<usize>((o * mid + c) * inner) << 2), inner);
    store<f32>(out + (<usize>c << 2), <f32>acc);
  }
}

/**
 * out[c] = Σ_r x[r·cols + c]: sums over leading axes (a bias gradient's sum over the batch). `acc` is
 * scratch for `cols` float64; `cols` is a multiple of 4.
 */
export function sumColsF32(x: usize, out: usize, rows: i32, cols: i32, acc: usize): void {
  sumColsF32Range(x, out, rows, cols, acc, 0, cols >> 2);
}

/**
 * Columns [4·start, 4·end) of `sumColsF32`. Threads take disjoint column ranges of x, acc and out, and each
 * column is added up row by row whichever thread takes it, so the bits do not depend on the split.
 */
export function sumColsF32Range(x: usize, out: usize, rows: i32, cols: i32, acc: usize, start: i32, end: i32): void {
  const c0 = start << 2, c1 = end << 2;
  const acc0 = acc + (<usize>c0 << 3);
  memory.fill(acc0, 0, <usize>(c1 - c0) << 3);
  for (let r = 0; r < rows; r++) {
    let p = x + (<usize>(r * cols + c0) << 2);
    let a = acc0;
    for (let c = c0; c < c1; c += 4, p += 16, a += 32) {
      const v = v128.load(p);
      v128.store(a, f64x2.add(v128.load(a), lo(v)));
      v128.store(a, f64x2.add(v128.load(a, 16), hi(v)), 16);
    }
  }
  for (let c = c0; c < c1; c++) store<f32>(out + (<usize>c << 2), <f32>load<f64>(acc + (<usize>c << 3)));
}

// max (isMin 0) or min (1) of two vectors or scalars: the wasm instructions propagate NaN, as PyTorch's amax does.
// @ts-ignore: decorator
@inline function pick(isMin: i32, a: v128, b: v128): v128 { return isMin ? f32x4.min(a, b) : f32x4.max(a, b); }
// @ts-ignore: decorator
@inline function pick1(isMin: i32, a: f32, b: f32): f32 { return isMin ? min<f32>(a, b) : max<f32>(a, b); }

/** The max (or min) of x[0..n), n ≥ 1. */
export function extremeAllF32(x: usize, n: i32, isMin: i32): f32 {
  let r = load<f32>(x);
  if (n >= 4) {
    let acc = v128.load(x);
    const vectors = n >> 2;
    for (let i = 1; i < vectors; i++) acc = pick(isMin, acc, v128.load(x + (<usize>i << 4)));
    r = pick1(isMin, pick1(isMin, f32x4.extract_lane(acc, 0), f32x4.extract_lane(acc, 1)), pick1(isMin, f32x4.extract_lane(acc, 2), f32x4.extract_lane(acc, 3)));
  }
  for (let i = (n >> 2) << 2; i < n; i++) r = pick1(isMin, r, load<f32>(x + (<usize>i << 2)));
  return r;
}

/** out[r] = max (or min) over the row r of `cols` elements: reductions over trailing axes (logsumexp's row max). */
export function extremeRowsF32(x: usize, out: usize, rows: i32, cols: i32, isMin: i32): void {
  for (let r = 0; r < rows; r++) store<f32>(out + (<usize>r << 2), extremeAllF32(x + (<usize>(r * cols) << 2), cols, isMin));
}

/** out[c] = max (or min) over rows of column c; `cols` is a multiple of 4. */
export function extremeColsF32(x: usize, out: usize, rows: i32, cols: i32, isMin: i32): void {
  memory.copy(out, x, <usize>cols << 2);
  for (let r = 1; r < rows; r++) {
    const row = x + (<usize>(r * cols) << 2);
    for (let c = 0; c < cols; c += 4) {
      const o = out + (<usize>c << 2);
      v128.store(o, pick(isMin, v128.load(o), v128.load(row + (<usize>c << 2))));
    }
  }
}

/**
 * out[o·inner + j] = the index along the middle axis of x[outer, size, inner] of the max (isMin 0) or min
 * (1): the first one on ties; a NaN counts as the extreme and the first NaN wins, as in PyTorch. `inner` is
 * a multiple of 4 (four positions compared at a time); size ≥ 1.
 */
export function argExtremeMiddleF32(x: usize, out: usize, outer: i32, size: i32, inner: i32, isMin: i32): void {
  const slice = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    const base = x + <usize>o * size * slice;
    for (let j: usize = 0; j < slice; j += 16, out += 16) {
      let best = v128.load(base + j);
      let idx = i32x4.splat(0);
      for (let i = 1; i < size; i++) {
        const v = v128.load(base + <usize>i * slice + j);
        const better = isMin ? f32x4.lt(v, best) : f32x4.gt(v, best);
        // Take v where it is better or NaN, unless a NaN is already the answer there.
        const take = v128.and(v128.or(better, f32x4.ne(v, v)), f32x4.eq(best, best));
        best = v128.bitselect(v, best, take);
        idx = v128.bitselect(i32x4.splat(i), idx, take);
      }
      v128.store(out, idx);
    }
  }
}
