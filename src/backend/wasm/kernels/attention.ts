// AssemblyScript source of fused scaled-dot-product attention in float32, as FlashAttention computes it: for each
// query row the keys are read in tiles of TILE, scored into a small buffer, and folded into the output with an
// online softmax (the running maximum and sum rescale what was accumulated), so the L×S matrix is never stored.
// The backward recomputes each tile's probabilities from the saved row logsumexps. Dot products and the row
// updates run 4 lanes at a time; the maximum, the exponentials and the sums are in float64. Keys go in blocks of
// 4: one pass over the query (or the output's gradient) scores 4 keys, and one pass over a row of the output (or
// of dq) folds in 4 keys' contributions, so the row is loaded and stored once per 4 keys instead of once per key.
// The folds add the keys one after another as before, so only the scores' summation order changed. The backward
// also takes query rows in pairs, so a block's key, value, dk and dv rows are read once for two rows.
const TILE: i32 = 64;

import { expNonPositive } from "./gelu";

// tile[j] = e^(tile[j] − shift) for j in [0, count), 4 lanes at a time (Cephes' expf, relative error ~1e-7; the
// exponents are ≤ 0 but for rounding, −∞ gives 0 and NaN stays NaN). The tile holds TILE floats, whole vectors.
// @ts-ignore: decorator
@inline function expTile(tile: usize, count: i32, shift: f32): void {
  const sv = f32x4.splat(shift);
  for (let j = 0; j < count; j += 4) {
    const at = tile + (<usize>j << 2);
    v128.store(at, expNonPositive(f32x4.sub(v128.load(at), sv)));
  }
}

// @ts-ignore: decorator
@inline function dot(a: usize, b: usize, n: i32): f32 {
  let acc = f32x4.splat(0);
  let c = 0;
  for (; c + 4 <= n; c += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(a + (<usize>c << 2)), v128.load(b + (<usize>c << 2))));
  let sum = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (; c < n; c++) sum += load<f32>(a + (<usize>c << 2)) * load<f32>(b + (<usize>c << 2));
  return sum;
}

// y += w·x over n floats.
// @ts-ignore: decorator
@inline function axpy(y: usize, w: f32, x: usize, n: i32): void {
  const wv = f32x4.splat(w);
  let c = 0;
  for (; c + 4 <= n; c += 4) {
    const at = <usize>c << 2;
    v128.store(y + at, f32x4.add(v128.load(y + at), f32x4.mul(wv, v128.load(x + at))));
  }
  for (; c < n; c++) {
    const at = <usize>c << 2;
    store<f32>(y + at, load<f32>(y + at) + w * load<f32>(x + at));
  }
}

// The dot products of a (n floats) with the 4 rows b, b + stride, b + 2·stride, b + 3·stride (stride in bytes),
// as one vector: each a vector is loaded once for the 4 rows, and the 4 accumulators are summed across lanes by a
// transpose (two rounds of shuffles and adds) instead of 4 separate horizontal sums.
// @ts-ignore: decorator
@inline function dot4(a: usize, b: usize, stride: usize, n: i32): v128 {
  const b1 = b + stride, b2 = b1 + stride, b3 = b2 + stride;
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let c = 0;
  for (; c + 4 <= n; c += 4) {
    const at = <usize>c << 2;
    const x = v128.load(a + at);
    a0 = f32x4.add(a0, f32x4.mul(x, v128.load(b + at)));
    a1 = f32x4.add(a1, f32x4.mul(x, v128.load(b1 + at)));
    a2 = f32x4.add(a2, f32x4.mul(x, v128.load(b2 + at)));
    a3 = f32x4.add(a3, f32x4.mul(x, v128.load(b3 + at)));
  }
  const r = reduce4(a0, a1, a2, a3);
  return c < n ? f32x4.add(r, tail4(a, b, stride, c, n)) : r;
}

// The lane sums of a0..a3 as one vector, by a transpose.
// @ts-ignore: decorator
@inline function reduce4(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const t = f32x4.add(v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), v128.shuffle<f32>(a0, a1, 2, 6, 3, 7));
  const u = f32x4.add(v128.shuffle<f32>(a2, a3, 0, 4, 1, 5), v128.shuffle<f32>(a2, a3, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(t, u, 0, 1, 4, 5), v128.shuffle<f32>(t, u, 2, 3, 6, 7));
}

// dot4's floats [c, n) past the whole vectors, one sum a row (zeros when none are left).
// @ts-ignore: decorator
@inline function tail4(a: usize, b: usize, stride: usize, c: i32, n: i32): v128 {
  const b1 = b + stride, b2 = b1 + stride, b3 = b2 + stride;
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  for (; c < n; c++) {
    const at = <usize>c << 2;
    const x = load<f32>(a + at);
    s0 += x * load<f32>(b + at);
    s1 += x * load<f32>(b1 + at);
    s2 += x * load<f32>(b2 + at);
    s3 += x * load<f32>(b3 + at);
  }
  return f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(s0), 1, s1), 2, s2), 3, s3);
}

// y += w[0]·x + w[1]·(x + stride) + w[2]·(x + 2·stride) + w[3]·(x + 3·stride) over n floats, the 4 terms added one
// after another (the rounding of 4 axpy calls), with y loaded and stored once.
// @ts-ignore: decorator
@inline function axpy4(y: usize, w: v128, x: usize, stride: usize, n: i32): void {
  const w0 = f32x4.splat(f32x4.extract_lane(w, 0)), w1 = f32x4.splat(f32x4.extract_lane(w, 1));
  const w2 = f32x4.splat(f32x4.extract_lane(w, 2)), w3 = f32x4.splat(f32x4.extract_lane(w, 3));
  const x1 = x + stride, x2 = x1 + stride, x3 = x2 + stride;
  let c = 0;
  for (; c + 4 <= n; c += 4) {
    const at = <usize>c << 2;
    let a = v128.load(y + at);
    a = f32x4.add(a, f32x4.mul(w0, v128.load(x + at)));
    a = f32x4.add(a, f32x4.mul(w1, v128.load(x1 + at)));
    a = f32x4.add(a, f32x4.mul(w2, v128.load(x2 + at)));
    a = f32x4.add(a, f32x4.mul(w3, v128.load(x3 + at)));
    v128.store(y + at, a);
  }
  if (c < n) {
    const s0 = f32x4.extract_lane(w, 0), s1 = f32x4.extract_lane(w, 1), s2 = f32x4.extract_lane(w, 2), s3 = f32x4.extract_lane(w, 3);
    for (; c < n; c++) {
      const at = <usize>c << 2;
      let a = load<f32>(y + at);
      a += s0 * load<f32>(x + at);
      a += s1 * load<f32>(x1 + at);
      a += s2 * load<f32>(x2 + at);
      a += s3 * load<f32>(x3 + at);
      store<f32>(y + at, a);
    }
  }
}

// Rows y, y + stride, y + 2·stride, y + 3·stride each += w[r]·x over n floats (4 axpy calls), x loaded once.
// @ts-ignore: decorator
@inline function axpyRows4(y: usize, stride: usize, w: v128, x: usize, n: i32): void {
  const w0 = f32x4.splat(f32x4.extract_lane(w, 0)), w1 = f32x4.splat(f32x4.extract_lane(w, 1));
  const w2 = f32x4.splat(f32x4.extract_lane(w, 2)), w3 = f32x4.splat(f32x4.extract_lane(w, 3));
  const y1 = y + stride, y2 = y1 + stride, y3 = y2 + stride;
  let c = 0;
  for (; c + 4 <= n; c += 4) {
    const at = <usize>c << 2;
    const xv = v128.load(x + at);
    v128.store(y + at, f32x4.add(v128.load(y + at), f32x4.mul(w0, xv)));
    v128.store(y1 + at, f32x4.add(v128.load(y1 + at), f32x4.mul(w1, xv)));
    v128.store(y2 + at, f32x4.add(v128.load(y2 + at), f32x4.mul(w2, xv)));
    v128.store(y3 + at, f32x4.add(v128.load(y3 + at), f32x4.mul(w3, xv)));
  }
  if (c < n) {
    const s0 = f32x4.extract_lane(w, 0), s1 = f32x4.extract_lane(w, 1), s2 = f32x4.extract_lane(w, 2), s3 = f32x4.extract_lane(w, 3);
    for (; c < n; c++) {
      const at = <usize>c << 2;
      const xs = load<f32>(x + at);
      store<f32>(y + at, load<f32>(y + at) + s0 * xs);
      store<f32>(y1 + at, load<f32>(y1 + at) + s1 * xs);
      store<f32>(y2 + at, load<f32>(y2 + at) + s2 * xs);
      store<f32>(y3 + at, load<f32>(y3 + at) + s3 * xs);
    }
  }
}

// dot4 of a0 and of a1 against the same 4 rows, each b vector loaded once for the two; stored at r0 and r1.
// @ts-ignore: decorator
@inline function dot4x2(a0: usize, a1: usize, b: usize, stride: usize, n: i32, r0: usize, r1: usize): void {
  const b1 = b + stride, b2 = b1 + stride, b3 = b2 + stride;
  let p0 = f32x4.splat(0), p1 = f32x4.splat(0), p2 = f32x4.splat(0), p3 = f32x4.splat(0);
  let q0 = f32x4.splat(0), q1 = f32x4.splat(0), q2 = f32x4.splat(0), q3 = f32x4.splat(0);
  let c = 0;
  for (; c + 4 <= n; c += 4) {
    const at = <usize>c << 2;
    const x = v128.load(a0 + at), y = v128.load(a1 + at);
    let bv = v128.load(b + at);
    p0 = f32x4.add(p0, f32x4.mul(x, bv));
    q0 = f32x4.add(q0, f32x4.mul(y, bv));
    bv = v128.load(b1 + at);
    p1 = f32x4.add(p1, f32x4.mul(x, bv));
    q1 = f32x4.add(q1, f32x4.mul(y, bv));
    bv = v128.load(b2 + at);
    p2 = f32x4.add(p2, f32x4.mul(x, bv));
    q2 = f32x4.add(q2, f32x4.mul(y, bv));
    bv = v128.load(b3 + at);
    p3 = f32x4.add(p3, f32x4.mul(x, bv));
    q3 = f32x4.add(q3, f32x4.mul(y, bv));
  }
  const r = reduce4(p0, p1, p2, p3), t = reduce4(q0, q1, q2, q3);
  v128.store(r0, c < n ? f32x4.add(r, tail4(a0, b, stride, c, n)) : r);
  v128.store(r1, c < n ? f32x4.add(t, tail4(a1, b, stride, c, n)) : t);
}

// axpy4 into y0 with weights w0 and into y1 with weights w1 from the same 4 rows of x, each x vector loaded once.
// @ts-ignore: decorator
@inline function axpy4x2(y0: usize, y1: usize, w0: v128, w1: v128, x: usize, stride: usize, n: i32): void {
  const u0 = f32x4.splat(f32x4.extract_lane(w0, 0)), u1 = f32x4.splat(f32x4.extract_lane(w0, 1));
  const u2 = f32x4.splat(f32x4.extract_lane(w0, 2)), u3 = f32x4.splat(f32x4.extract_lane(w0, 3));
  const v0 = f32x4.splat(f32x4.extract_lane(w1, 0)), v1 = f32x4.splat(f32x4.extract_lane(w1, 1));
  const v2 = f32x4.splat(f32x4.extract_lane(w1, 2)), v3 = f32x4.splat(f32x4.extract_lane(w1, 3));
  const x1 = x + stride, x2 = x1 + stride, x3 = x2 + stride;
  let c = 0;
  for (; c + 4 <= n; c += 4) {
    const at = <usize>c << 2;
    let a = v128.load(y0 + at), d = v128.load(y1 + at);
    let xv = v128.load(x + at);
    a = f32x4.add(a, f32x4.mul(u0, xv));
    d = f32x4.add(d, f32x4.mul(v0, xv));
    xv = v128.load(x1 + at);
    a = f32x4.add(a, f32x4.mul(u1, xv));
    d = f32x4.add(d, f32x4.mul(v1, xv));
    xv = v128.load(x2 + at);
    a = f32x4.add(a, f32x4.mul(u2, xv));
    d = f32x4.add(d, f32x4.mul(v2, xv));
    xv = v128.load(x3 + at);
    a = f32x4.add(a, f32x4.mul(u3, xv));
    d = f32x4.add(d, f32x4.mul(v3, xv));
    v128.store(y0 + at, a);
    v128.store(y1 + at, d);
  }
  if (c < n) {
    axpy4(y0 + (<usize>c << 2), w0, x + (<usize>c << 2), stride, n - c);
    axpy4(y1 + (<usize>c << 2), w1, x + (<usize>c << 2), stride, n - c);
  }
}

// axpyRows4 with (w0, x0) then with (w1, x1): each of the 4 rows gets its x0 term, then its x1 term, loaded and
// stored once.
// @ts-ignore: decorator
@inline function axpyRows4x2(y: usize, stride: usize, w0: v128, x0: usize, w1: v128, x1: usize, n: i32): void {
  const u0 = f32x4.splat(f32x4.extract_lane(w0, 0)), u1 = f32x4.splat(f32x4.extract_lane(w0, 1));
  const u2 = f32x4.splat(f32x4.extract_lane(w0, 2)), u3 = f32x4.splat(f32x4.extract_lane(w0, 3));
  const v0 = f32x4.splat(f32x4.extract_lane(w1, 0)), v1 = f32x4.splat(f32x4.extract_lane(w1, 1));
  const v2 = f32x4.splat(f32x4.extract_lane(w1, 2)), v3 = f32x4.splat(f32x4.extract_lane(w1, 3));
  const y1 = y + stride, y2 = y1 + stride, y3 = y2 + stride;
  let c = 0;
  for (; c + 4 <= n; c += 4) {
    const at = <usize>c << 2;
    const a = v128.load(x0 + at), d = v128.load(x1 + at);
    v128.store(y + at, f32x4.add(f32x4.add(v128.load(y + at), f32x4.mul(u0, a)), f32x4.mul(v0, d)));
    v128.store(y1 + at, f32x4.add(f32x4.add(v128.load(y1 + at), f32x4.mul(u1, a)), f32x4.mul(v1, d)));
    v128.store(y2 + at, f32x4.add(f32x4.add(v128.load(y2 + at), f32x4.mul(u2, a)), f32x4.mul(v2, d)));
    v128.store(y3 + at, f32x4.add(f32x4.add(v128.load(y3 + at), f32x4.mul(u3, a)), f32x4.mul(v3, d)));
  }
  if (c < n) {
    const at = <usize>c << 2;
    axpyRows4(y + at, stride, w0, x0 + at, n - c);
    axpyRows4(y + at, stride, w1, x1 + at, n - c);
  }
}

// Whether no lane of w is zero: a block of 4 keys is folded at once only then, so a masked key (weight 0) is
// skipped exactly as before and never multiplies an infinite or NaN value row into 0·∞.
// @ts-ignore: decorator
@inline function noZeroLane(w: v128): bool {
  return i32x4.all_true(f32x4.ne(w, f32x4.splat(0)));
}

// Scores of query row i (at qr) against keys [j0, j1) into tile; −∞ beyond the causal limit. Returns the limit.
// @ts-ignore: decorator
@inline function scoreTile(tile: usize, qr: usize, kb: usize, e: i32, j0: i32, j1: i32, i: i32, scale: f32, causal: i32, bias: usize, biasRow: usize, colStride: i32): void {
  const jEnd = causal != 0 ? min(j1, i + 1) : j1;
  const scaleV = f32x4.splat(scale), keyStride = <usize>e << 2, biasStep = <usize>colStride << 2;
  let j = j0;
  for (; j + 4 <= jEnd; j += 4) {
    let sv = f32x4.mul(dot4(qr, kb + (<usize>(j * e) << 2), keyStride, e), scaleV);
    if (bias != 0) {
      const at = biasRow + (<usize>(j * colStride) << 2);
      sv = f32x4.add(sv, f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(load<f32>(at)), 1, load<f32>(at + biasStep)), 2, load<f32>(at + 2 * biasStep)), 3, load<f32>(at + 3 * biasStep)));
    }
    v128.store(tile + (<usize>(j - j0) << 2), sv);
  }
  for (; j < jEnd; j++) {
    let s = dot(qr, kb + (<usize>(j * e) << 2), e) * scale;
    if (bias != 0) s += load<f32>(biasRow + (<usize>(j * colStride) << 2));
    store<f32>(tile + (<usize>(j - j0) << 2), s);
  }
  for (let j = max(jEnd, j0); j < j1; j++) store<f32>(tile + (<usize>(j - j0) << 2), -Infinity);
}

/**
 * The forward over `n` batch elements: out [n, l, ev] then the logsumexps [n, l]. `bias` is 0 or an additive
 * bias read at offsets[b] + i·rowStride + j·colStride; `tile` is scratch for TILE floats.
 */
export function attentionF32(q: usize, k: usize, v: usize, bias: usize, offsets: usize, out: usize, n: i32, l: i32, s: i32, e: i32, ev: i32, scale: f32, causal: i32, rowStride: i32, colStride: i32, tile: usize): void {
  forwardBatches(q, k, v, bias, offsets, out, n, l, s, e, ev, scale, causal, rowStride, colStride, tile, 0, n);
}

// The forward for batch elements [b0, b1) (each writes only its own rows of out and of the logsumexps).
function forwardBatches(q: usize, k: usize, v: usize, bias: usize, offsets: usize, out: usize, n: i32, l: i32, s: i32, e: i32, ev: i32, scale: f32, causal: i32, rowStride: i32, colStride: i32, tile: usize, b0: i32, b1: i32): void {
  const lseAt = out + (<usize>(n * l * ev) << 2);
  for (let b = b0; b < b1; b++) {
    const kb = k + (<usize>(b * s * e) << 2), vb = v + (<usize>(b * s * ev) << 2);
    const biasBase = bias == 0 ? 0 : bias + (<usize>load<i32>(offsets + (<usize>b << 2)) << 2);
    for (let i = 0; i < l; i++) {
      const qr = q + (<usize>((b * l + i) * e) << 2);
      const acc = out + (<usize>((b * l + i) * ev) << 2);
      memory.fill(acc, 0, <usize>ev << 2);
      const biasRow = bias == 0 ? 0 : biasBase + (<usize>(i * rowStride) << 2);
      let m: f64 = -Infinity, sum: f64 = 0;
      const keys = causal != 0 ? min(s, i + 1) : s;
      for (let j0 = 0; j0 < keys; j0 += TILE) {
        const j1 = min(keys, j0 + TILE);
        scoreTile(tile, qr, kb, e, j0, j1, i, scale, causal, bias, biasRow, colStride);
        let tm = m;
        for (let j = 0; j < j1 - j0; j++) {
          const x = <f64>load<f32>(tile + (<usize>j << 2));
          if (x > tm || x != x) tm = x;
        }
        if (tm == -Infinity) continue;
        const rescale = m == -Infinity ? 0.0 : Math.exp(m - tm);
        if (rescale != 1.0) {
          const r = <f32>rescale, rv = f32x4.splat(r);
          let c = 0;
          for (; c + 4 <= ev; c += 4) v128.store(acc + (<usize>c << 2), f32x4.mul(v128.load(acc + (<usize>c << 2)), rv));
          for (; c < ev; c++) store<f32>(acc + (<usize>c << 2), load<f32>(acc + (<usize>c << 2)) * r);
        }
        sum *= rescale;
        expTile(tile, j1 - j0, <f32>tm);
        const valueStride = <usize>ev << 2;
        let j = j0;
        for (; j + 4 <= j1; j += 4) {
          const w = v128.load(tile + (<usize>(j - j0) << 2));
          if (noZeroLane(w)) {
            sum += <f64>f32x4.extract_lane(w, 0);
            sum += <f64>f32x4.extract_lane(w, 1);
            sum += <f64>f32x4.extract_lane(w, 2);
            sum += <f64>f32x4.extract_lane(w, 3);
            axpy4(acc, w, vb + (<usize>(j * ev) << 2), valueStride, ev);
            continue;
          }
          for (let r = j; r < j + 4; r++) {
            const wr = load<f32>(tile + (<usize>(r - j0) << 2));
            if (wr == 0) continue;
            sum += <f64>wr;
            axpy(acc, wr, vb + (<usize>(r * ev) << 2), ev);
          }
        }
        for (; j < j1; j++) {
          const w = load<f32>(tile + (<usize>(j - j0) << 2));
          if (w == 0) continue;
          sum += <f64>w;
          axpy(acc, w, vb + (<usize>(j * ev) << 2), ev);
        }
        m = tm;
      }
      const empty = m == -Infinity;
      const inv = empty ? 0.0 : 1.0 / sum;
      for (let c = 0; c < ev; c++) store<f32>(acc + (<usize>c << 2), empty ? 0 : <f32>(<f64>load<f32>(acc + (<usize>c << 2)) * inv));
      store<f32>(lseAt + (<usize>(b * l + i) << 2), empty ? -Infinity : <f32>(m + Math.log(sum)));
    }
  }
}

/** The backward: dq [n, l, e], dk [n, s, e], dv [n, s, ev] one after the other in `out`, from the output's gradient g. */
export function attentionBackwardF32(g: usize, q: usize, k: usize, v: usize, saved: usize, bias: usize, offsets: usize, out: usize, n: i32, l: i32, s: i32, e: i32, ev: i32, scale: f32, causal: i32, rowStride: i32, colStride: i32, tile: usize): void {
  backwardBatches(g, q, k, v, saved, bias, offsets, out, n, l, s, e, ev, scale, causal, rowStride, colStride, tile, 0, n);
}

// One key j's share of the backward for query row (g row gr, q row qr, dq row dq), its probability at w.
// @ts-ignore: decorator
@inline function backwardKey(wAt: usize, j: i32, gr: usize, qr: usize, dq: usize, kb: usize, vb: usize, dkb: usize, dvb: usize, e: i32, ev: i32, rowDot: f32, scale: f32): void {
  const w = load<f32>(wAt);
  if (w == 0) return;
  const vr = vb + (<usize>(j * ev) << 2);
  const dp = dot(gr, vr, ev);
  axpy(dvb + (<usize>(j * ev) << 2), w, gr, ev);
  const ds = w * (dp - rowDot) * scale;
  axpy(dq, ds, kb + (<usize>(j * e) << 2), e);
  axpy(dkb + (<usize>(j * e) << 2), ds, qr, e);
}

// One query row's share of the backward (row = b·l + i, its logsumexp lse finite).
function backwardRow(g: usize, q: usize, saved: usize, lse: f64, out: usize, kb: usize, vb: usize, dkb: usize, dvb: usize, biasBase: usize, row: i32, i: i32, s: i32, e: i32, ev: i32, scale: f32, causal: i32, rowStride: i32, colStride: i32, bias: usize, tile: usize): void {
  const qr = q + (<usize>(row * e) << 2), gr = g + (<usize>(row * ev) << 2), or = saved + (<usize>(row * ev) << 2);
  const dq = out + (<usize>(row * e) << 2);
  const rowDot = dot(gr, or, ev);
  const rowDotV = f32x4.splat(rowDot), scaleV = f32x4.splat(scale);
  const keyStride = <usize>e << 2, valueStride = <usize>ev << 2;
  const biasRow = bias == 0 ? 0 : biasBase + (<usize>(i * rowStride) << 2);
  const keys = causal != 0 ? min(s, i + 1) : s;
  for (let j0 = 0; j0 < keys; j0 += TILE) {
    const j1 = min(keys, j0 + TILE);
    scoreTile(tile, qr, kb, e, j0, j1, i, scale, causal, bias, biasRow, colStride);
    expTile(tile, j1 - j0, <f32>lse);
    let j = j0;
    for (; j + 4 <= j1; j += 4) {
      const w = v128.load(tile + (<usize>(j - j0) << 2));
      if (noZeroLane(w)) {
        // The 4 keys' dp = g·v in one pass over g, their dv and dk rows updated with g and q loaded once, and
        // dq loaded and stored once for the 4 (the same operations, in the same order, as key by key).
        const dp = dot4(gr, vb + (<usize>(j * ev) << 2), valueStride, ev);
        axpyRows4(dvb + (<usize>(j * ev) << 2), valueStride, w, gr, ev);
        const ds = f32x4.mul(f32x4.mul(w, f32x4.sub(dp, rowDotV)), scaleV);
        axpy4(dq, ds, kb + (<usize>(j * e) << 2), keyStride, e);
        axpyRows4(dkb + (<usize>(j * e) << 2), keyStride, ds, qr, e);
        continue;
      }
      for (let r = j; r < j + 4; r++) backwardKey(tile + (<usize>(r - j0) << 2), r, gr, qr, dq, kb, vb, dkb, dvb, e, ev, rowDot, scale);
    }
    for (; j < j1; j++) backwardKey(tile + (<usize>(j - j0) << 2), j, gr, qr, dq, kb, vb, dkb, dvb, e, ev, rowDot, scale);
  }
}

// Query rows i and i + 1 (row = b·l + i), both with finite logsumexps; tile holds 2·TILE floats, a tile a row.
function backwardPair(g: usize, q: usize, saved: usize, lseAt: usize, out: usize, kb: usize, vb: usize, dkb: usize, dvb: usize, biasBase: usize, row: i32, i: i32, s: i32, e: i32, ev: i32, scale: f32, causal: i32, rowStride: i32, colStride: i32, bias: usize, tile: usize): void {
  const tile1 = tile + (<usize>TILE << 2);
  const lse0 = load<f32>(lseAt + (<usize>row << 2)), lse1 = load<f32>(lseAt + (<usize>(row + 1) << 2));
  const qr0 = q + (<usize>(row * e) << 2), qr1 = qr0 + (<usize>e << 2);
  const gr0 = g + (<usize>(row * ev) << 2), gr1 = gr0 + (<usize>ev << 2);
  const or0 = saved + (<usize>(row * ev) << 2), or1 = or0 + (<usize>ev << 2);
  const dq0 = out + (<usize>(row * e) << 2), dq1 = dq0 + (<usize>e << 2);
  const rowDot0 = dot(gr0, or0, ev), rowDot1 = dot(gr1, or1, ev);
  const rowDot0V = f32x4.splat(rowDot0), rowDot1V = f32x4.splat(rowDot1), scaleV = f32x4.splat(scale);
  const keyStride = <usize>e << 2, valueStride = <usize>ev << 2;
  const biasRow0 = bias == 0 ? 0 : biasBase + (<usize>(i * rowStride) << 2);
  const biasRow1 = bias == 0 ? 0 : biasRow0 + (<usize>rowStride << 2);
  // Row i's scores beyond its causal limit are −∞, so its weights there are 0 and those keys go key by key.
  const keys = causal != 0 ? min(s, i + 2) : s;
  for (let j0 = 0; j0 < keys; j0 += TILE) {
    const j1 = min(keys, j0 + TILE);
    scoreTile(tile, qr0, kb, e, j0, j1, i, scale, causal, bias, biasRow0, colStride);
    scoreTile(tile1, qr1, kb, e, j0, j1, i + 1, scale, causal, bias, biasRow1, colStride);
    expTile(tile, j1 - j0, lse0);
    expTile(tile1, j1 - j0, lse1);
    let j = j0;
    for (; j + 4 <= j1; j += 4) {
      const at = <usize>(j - j0) << 2;
      const w0 = v128.load(tile + at), w1 = v128.load(tile1 + at);
      if (noZeroLane(w0) && noZeroLane(w1)) {
        const vr = vb + (<usize>(j * ev) << 2), kr = kb + (<usize>(j * e) << 2);
        dot4x2(gr0, gr1, vr, valueStride, ev, tile + at, tile1 + at); // the weights are in w0 and w1 now
        axpyRows4x2(dvb + (<usize>(j * ev) << 2), valueStride, w0, gr0, w1, gr1, ev);
        const ds0 = f32x4.mul(f32x4.mul(w0, f32x4.sub(v128.load(tile + at), rowDot0V)), scaleV);
        const ds1 = f32x4.mul(f32x4.mul(w1, f32x4.sub(v128.load(tile1 + at), rowDot1V)), scaleV);
        axpy4x2(dq0, dq1, ds0, ds1, kr, keyStride, e);
        axpyRows4x2(dkb + (<usize>(j * e) << 2), keyStride, ds0, qr0, ds1, qr1, e);
        continue;
      }
      for (let r = j; r < j + 4; r++) backwardKey(tile + (<usize>(r - j0) << 2), r, gr0, qr0, dq0, kb, vb, dkb, dvb, e, ev, rowDot0, scale);
      for (let r = j; r < j + 4; r++) backwardKey(tile1 + (<usize>(r - j0) << 2), r, gr1, qr1, dq1, kb, vb, dkb, dvb, e, ev, rowDot1, scale);
    }
    for (; j < j1; j++) {
      backwardKey(tile + (<usize>(j - j0) << 2), j, gr0, qr0, dq0, kb, vb, dkb, dvb, e, ev, rowDot0, scale);
      backwardKey(tile1 + (<usize>(j - j0) << 2), j, gr1, qr1, dq1, kb, vb, dkb, dvb, e, ev, rowDot1, scale);
    }
  }
}

// The backward for batch elements [b0, b1): each zeroes and writes only its own dq, dk and dv.
function backwardBatches(g: usize, q: usize, k: usize, v: usize, saved: usize, bias: usize, offsets: usize, out: usize, n: i32, l: i32, s: i32, e: i32, ev: i32, scale: f32, causal: i32, rowStride: i32, colStride: i32, tile: usize, b0: i32, b1: i32): void {
  const lseAt = saved + (<usize>(n * l * ev) << 2);
  const dkAt = out + (<usize>(n * l * e) << 2), dvAt = dkAt + (<usize>(n * s * e) << 2);
  for (let b = b0; b < b1; b++) {
    const kb = k + (<usize>(b * s * e) << 2), vb = v + (<usize>(b * s * ev) << 2);
    const dkb = dkAt + (<usize>(b * s * e) << 2), dvb = dvAt + (<usize>(b * s * ev) << 2);
    memory.fill(out + (<usize>(b * l * e) << 2), 0, <usize>(l * e) << 2);
    memory.fill(dkb, 0, <usize>(s * e) << 2);
    memory.fill(dvb, 0, <usize>(s * ev) << 2);
    const biasBase = bias == 0 ? 0 : bias + (<usize>load<i32>(offsets + (<usize>b << 2)) << 2);
    // Query rows in pairs where both have keys: the key, value, dk and dv rows of a block are then read (and
    // written) once for the two rows. dk and dv still get row i's terms before row i + 1's.
    for (let i = 0; i < l; ) {
      const row = b * l + i;
      const lse = <f64>load<f32>(lseAt + (<usize>row << 2));
      if (lse != -Infinity && i + 1 < l && <f64>load<f32>(lseAt + (<usize>(row + 1) << 2)) != -Infinity) {
        backwardPair(g, q, saved, lseAt, out, kb, vb, dkb, dvb, biasBase, row, i, s, e, ev, scale, causal, rowStride, colStride, bias, tile);
        i += 2;
        continue;
      }
      if (lse != -Infinity) backwardRow(g, q, saved, lse, out, kb, vb, dkb, dvb, biasBase, row, i, s, e, ev, scale, causal, rowStride, colStride, bias, tile);
      i++;
    }
  }
}

// The geometry the range entries read from memory (a parallel kernel takes at most 16 arguments): n, l, s, e, ev,
// causal, rowStride, colStride and chunk as i32, then scale as f32. Chunk c of the batch elements uses the tile
// scratch at tile + c·TILE floats, so threads running chunks at once never share one.

/** Batch elements [start, end) of the forward, for the worker threads (see the geometry above). */
export function attentionF32Range(q: usize, k: usize, v: usize, bias: usize, offsets: usize, out: usize, geom: usize, tile: usize, start: i32, end: i32): void {
  const chunk = load<i32>(geom, 32);
  forwardBatches(q, k, v, bias, offsets, out, load<i32>(geom), load<i32>(geom, 4), load<i32>(geom, 8), load<i32>(geom, 12), load<i32>(geom, 16), load<f32>(geom, 36), load<i32>(geom, 20), load<i32>(geom, 24), load<i32>(geom, 28), tile + (<usize>(start / chunk * 2 * TILE) << 2), start, end);
}

/** Batch elements [start, end) of the backward, for the worker threads. */
export function attentionBackwardF32Range(g: usize, q: usize, k: usize, v: usize, saved: usize, bias: usize, offsets: usize, out: usize, geom: usize, tile: usize, start: i32, end: i32): void {
  const chunk = load<i32>(geom, 32);
  backwardBatches(g, q, k, v, saved, bias, offsets, out, load<i32>(geom), load<i32>(geom, 4), load<i32>(geom, 8), load<i32>(geom, 12), load<i32>(geom, 16), load<f32>(geom, 36), load<i32>(geom, 20), load<i32>(geom, 24), load<i32>(geom, 28), tile + (<usize>(start / chunk * 2 * TILE) << 2), start, end);
}
