// AssemblyScript source of fused scaled-dot-product attention in float32, as FlashAttention computes it: for each
// query row the keys are read in tiles of TILE, scored into a small buffer, and folded into the output with an
// online softmax (the running maximum and sum rescale what was accumulated), so the L×S matrix is never stored.
// The backward recomputes each tile's probabilities from the saved row logsumexps. Dot products and the row
// updates run 4 lanes at a time; the maximum, the exponentials and the sums are in float64.
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

// Scores of query row i (at qr) against keys [j0, j1) into tile; −∞ beyond the causal limit. Returns the limit.
// @ts-ignore: decorator
@inline function scoreTile(tile: usize, qr: usize, kb: usize, e: i32, j0: i32, j1: i32, i: i32, scale: f32, causal: i32, bias: usize, biasRow: usize, colStride: i32): void {
  const jEnd = causal != 0 ? min(j1, i + 1) : j1;
  for (let j = j0; j < jEnd; j++) {
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
          const r = <f32>rescale;
          for (let c = 0; c < ev; c++) store<f32>(acc + (<usize>c << 2), load<f32>(acc + (<usize>c << 2)) * r);
        }
        sum *= rescale;
        expTile(tile, j1 - j0, <f32>tm);
        for (let j = j0; j < j1; j++) {
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
    for (let i = 0; i < l; i++) {
      const lse = <f64>load<f32>(lseAt + (<usize>(b * l + i) << 2));
      if (lse == -Infinity) continue;
      const row = b * l + i;
      const qr = q + (<usize>(row * e) << 2), gr = g + (<usize>(row * ev) << 2), or = saved + (<usize>(row * ev) << 2);
      const dq = out + (<usize>(row * e) << 2);
      const rowDot = dot(gr, or, ev);
      const biasRow = bias == 0 ? 0 : biasBase + (<usize>(i * rowStride) << 2);
      const keys = causal != 0 ? min(s, i + 1) : s;
      for (let j0 = 0; j0 < keys; j0 += TILE) {
        const j1 = min(keys, j0 + TILE);
        scoreTile(tile, qr, kb, e, j0, j1, i, scale, causal, bias, biasRow, colStride);
        expTile(tile, j1 - j0, <f32>lse);
        for (let j = j0; j < j1; j++) {
          const w = load<f32>(tile + (<usize>(j - j0) << 2));
          if (w == 0) continue;
          const vr = vb + (<usize>(j * ev) << 2);
          const dp = dot(gr, vr, ev);
          axpy(dvb + (<usize>(j * ev) << 2), w, gr, ev);
          const ds = w * (dp - rowDot) * scale;
          axpy(dq, ds, kb + (<usize>(j * e) << 2), e);
          axpy(dkb + (<usize>(j * e) << 2), ds, qr, e);
        }
      }
    }
  }
}

// The geometry the range entries read from memory (a parallel kernel takes at most 16 arguments): n, l, s, e, ev,
// causal, rowStride, colStride and chunk as i32, then scale as f32. Chunk c of the batch elements uses the tile
// scratch at tile + c·TILE floats, so threads running chunks at once never share one.

/** Batch elements [start, end) of the forward, for the worker threads (see the geometry above). */
export function attentionF32Range(q: usize, k: usize, v: usize, bias: usize, offsets: usize, out: usize, geom: usize, tile: usize, start: i32, end: i32): void {
  const chunk = load<i32>(geom, 32);
  forwardBatches(q, k, v, bias, offsets, out, load<i32>(geom), load<i32>(geom, 4), load<i32>(geom, 8), load<i32>(geom, 12), load<i32>(geom, 16), load<f32>(geom, 36), load<i32>(geom, 20), load<i32>(geom, 24), load<i32>(geom, 28), tile + (<usize>(start / chunk * TILE) << 2), start, end);
}

/** Batch elements [start, end) of the backward, for the worker threads. */
export function attentionBackwardF32Range(g: usize, q: usize, k: usize, v: usize, saved: usize, bias: usize, offsets: usize, out: usize, geom: usize, tile: usize, start: i32, end: i32): void {
  const chunk = load<i32>(geom, 32);
  backwardBatches(g, q, k, v, saved, bias, offsets, out, load<i32>(geom), load<i32>(geom, 4), load<i32>(geom, 8), load<i32>(geom, 12), load<i32>(geom, 16), load<f32>(geom, 36), load<i32>(geom, 20), load<i32>(geom, 24), load<i32>(geom, 28), tile + (<usize>(start / chunk * TILE) << 2), start, end);
}
