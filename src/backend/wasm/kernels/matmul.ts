// AssemblyScript source of the wasm backend's f32 matmul: packed, blocked, with a 4×8 SIMD register micro-kernel.
// Compiled by tools/build-wasm.mjs into four variants: relaxed-SIMD FMA or plain SIMD, shared or private memory.
// Pointers are byte offsets into linear memory that the JavaScript side lays out; nothing here allocates.

import { addRun } from "./runs";

// Blocking measured best on the 2-core Cascade Lake host (../shared/NOTES.md): A block 64×512 stays in L2,
// one packed B strip 512×8 (16 KiB) stays in L1 while the micro-kernel walks down A. On the Sapphire Rapids
// host (2 MiB L2), KC 256 and MC 128 measured the same as these (one thread, N=1024 and an MLP's shapes).
const MC: i32 = 64;
const KC: i32 = 512;

// a·b + c: one fused vfmadd where the runtime has relaxed SIMD, a mul and an add otherwise.
// The condition is a compile-time constant, so each build keeps only one branch.
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Bytes of scratch one thread needs for `gemm` with `n` columns. */
export function scratchBytes(n: i32): i32 {
  const strips = (n + 7) >> 3;
  return (strips * 8 * KC + MC * KC + 32) << 2;
}

// Packs rows [pc, pc+kc) of B (row stride n) as strips of 8 columns: strip s holds kc rows of 8, zero-padded.
function packB(b: usize, n: i32, pc: i32, kc: i32, dst: usize): void {
  const strips = (n + 7) >> 3;
  for (let s = 0; s < strips; s++) {
    const j0 = s << 3;
    const w = min(8, n - j0);
    let out = dst + (<usize>(s * kc) << 5);
    let src = b + (<usize>(pc * n + j0) << 2);
    if (w == 8) {
      for (let p = 0; p < kc; p++) {
        v128.store(out, v128.load(src));
        v128.store(out, v128.load(src, 16), 16);
        out += 32;
        src += <usize>n << 2;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let j = 0; j < 8; j++) store<f32>(out + (<usize>j << 2), j < w ? load<f32>(src + (<usize>j << 2)) : 0);
        out += 32;
        src += <usize>n << 2;
      }
    }
  }
}

// Packs rows [i0, i0+mc) × columns [pc, pc+kc) of A (row stride k) as panels of 4 rows interleaved per column.
// A full panel moves 4×4 blocks through registers (four row loads, a transpose by shuffles, four stores), as
// packBT does; a partial panel and the last columns go one by one.
function packA(a: usize, k: i32, i0: i32, mc: i32, pc: i32, kc: i32, dst: usize): void {
  const row = <usize>k << 2;
  const kc4 = kc & ~3;
  for (let r = 0; r < mc; r += 4) {
    const h = min(4, mc - r);
    const out = dst + (<usize>(r * kc) << 2);
    if (h == 4) {
      const src = a + <usize>(i0 + r) * row + (<usize>pc << 2);
      for (let p = 0; p < kc4; p += 4) {
        const s = src + (<usize>p << 2);
        const r0 = v128.load(s), r1 = v128.load(s + row), r2 = v128.load(s + 2 * row), r3 = v128.load(s + 3 * row);
        const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
        const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
        const o = out + (<usize>p << 4);
        v128.store(o, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
        v128.store(o, i32x4.shuffle(t0, t2, 2, 3, 6, 7), 16);
        v128.store(o, i32x4.shuffle(t1, t3, 0, 1, 4, 5), 32);
        v128.store(o, i32x4.shuffle(t1, t3, 2, 3, 6, 7), 48);
      }
      for (let p = kc4; p < kc; p++) {
        const o = out + (<usize>p << 4);
        for (let ii = 0; ii < 4; ii++) store<f32>(o + (<usize>ii << 2), load<f32>(src + <usize>ii * row + (<usize>p << 2)));
      }
      continue;
    }
    for (let ii = 0; ii < 4; ii++) {
      let o = out + (<usize>ii << 2);
      if (ii < h) {
        let src = a + (<usize>((i0 + r + ii) * k + pc) << 2);
        for (let p = 0; p < kc; p++) {
          store<f32>(o, load<f32>(src));
          o += 16;
          src += 4;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          store<f32>(o, 0);
          o += 16;
        }
      }
    }
  }
}

// packB for a B stored transposed ([n, k], row stride k): strip s gathers 8 stored rows. Full strips move
// 4×4 blocks through registers (four loads, a transpose by shuffles, four stores); the rest goes one by one.
function packBT(b: usize, k: i32, n: i32, pc: i32, kc: i32, dst: usize): void {
  const strips = (n + 7) >> 3;
  const kc4 = kc & ~3;
  const row = <usize>k << 2;
  for (let s = 0; s < strips; s++) {
    const j0 = s << 3;
    const w = min(8, n - j0);
    const out = dst + (<usize>(s * kc) << 5);
    let p0 = 0;
    if (w == 8) {
      for (; p0 < kc4; p0 += 4) {
        for (let jj = 0; jj < 8; jj += 4) {
          const src = b + <usize>(j0 + jj) * row + (<usize>(pc + p0) << 2);
          const r0 = v128.load(src), r1 = v128.load(src + row), r2 = v128.load(src + 2 * row), r3 = v128.load(src + 3 * row);
          const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
          const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
          const o = out + (<usize>p0 << 5) + (<usize>jj << 2);
          v128.store(o, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
          v128.store(o + 32, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
          v128.store(o + 64, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
          v128.store(o + 96, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
        }
      }
    }
    for (let p = p0; p < kc; p++) {
      const o = out + (<usize>p << 5);
      for (let j = 0; j < 8; j++) store<f32>(o + (<usize>j << 2), j < w ? load<f32>(b + <usize>(j0 + j) * row + (<usize>(pc + p) << 2)) : 0);
    }
  }
}

// packA for an A stored transposed ([k, m], row stride m): the 4 rows of a panel at one column are 4
// consecutive floats, one vector load (a partial panel at the edge goes one by one, zero-padded).
function packAT(a: usize, m: i32, i0: i32, mc: i32, pc: i32, kc: i32, dst: usize): void {
  const row = <usize>m << 2;
  for (let r = 0; r < mc; r += 4) {
    const h = min(4, mc - r);
    let o = dst + (<usize>(r * kc) << 2);
    let src = a + <usize>pc * row + (<usize>(i0 + r) << 2);
    if (h == 4) {
      for (let p = 0; p < kc; p++, o += 16, src += row) v128.store(o, v128.load(src));
    } else {
      for (let p = 0; p < kc; p++, o += 16, src += row) {
        for (let ii = 0; ii < 4; ii++) store<f32>(o + (<usize>ii << 2), ii < h ? load<f32>(src + (<usize>ii << 2)) : 0);
      }
    }
  }
}

// Adds (or, on the first k block, stores) one 4-wide vector of a C tile row.
// @ts-ignore: decorator
@inline function put(dst: usize, v: v128, first: bool): void {
  v128.store(dst, first ? v : f32x4.add(v128.load(dst), v));
}

// C[4×8] (+)= Apanel[4×kc] · Bstrip[kc×8]; a partial tile (rows < 4 or cols < 8) goes through `tile`.
function micro(ap: usize, bp: usize, kc: i32, c: usize, ldc: i32, rows: i32, cols: i32, first: bool, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    const a0 = v128.load32_splat(ap);
    const a1 = v128.load32_splat(ap, 4);
    const a2 = v128.load32_splat(ap, 8);
    const a3 = v128.load32_splat(ap, 12);
    c00 = madd(a0, b0, c00); c01 = madd(a0, b1, c01);
    c10 = madd(a1, b0, c10); c11 = madd(a1, b1, c11);
    c20 = madd(a2, b0, c20); c21 = madd(a2, b1, c21);
    c30 = madd(a3, b0, c30); c31 = madd(a3, b1, c31);
    ap += 16;
    bp += 32;
  }
  const ld = <usize>ldc << 2;
  if (rows == 4 && cols == 8) {
    put(c, c00, first); put(c + 16, c01, first); c += ld;
    put(c, c10, first); put(c + 16, c11, first); c += ld;
    put(c, c20, first); put(c + 16, c21, first); c += ld;
    put(c, c30, first); put(c + 16, c31, first);
    return;
  }
  v128.store(tile, c00); v128.store(tile, c01, 16);
  v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80);
  v128.store(tile, c30, 96); v128.store(tile, c31, 112);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const dst = c + <usize>i * ld + (<usize>j << 2);
      const v = load<f32>(tile + (<usize>(i * 8 + j) << 2));
      store<f32>(dst, first ? v : load<f32>(dst) + v);
    }
  }
}

/**
 * Rows [m0, m1) of C[m×n] = A[m×k] · B[k×n], all f32, row-major and contiguous; k ≥ 1.
 * `scratch` holds `scratchBytes(n)` bytes owned by the calling thread. Threads split the rows.
 */
export function gemm(a: usize, b: usize, c: usize, m0: i32, m1: i32, k: i32, n: i32, scratch: usize): void {
  gemmT(a, b, c, m0, m1, k, n, 0, 0, scratch);
}

// Rows [m0, m1) of C (+)= A[:, pc..pc+kc) · (the packed k block of B at bp): A packed MC rows at a time into ap.
// The first k block stores into C unless `acc` (C already holds a sum to add to).
function blockRows(a: usize, bp: usize, c: usize, m0: i32, m1: i32, k: i32, n: i32, m: i32, trans: i32, pc: i32, kc: i32, ap: usize, tile: usize, acc: bool): void {
  const strips = (n + 7) >> 3;
  const first = pc == 0 && !acc;
  for (let ic = m0; ic < m1; ic += MC) {
    const mc = min(MC, m1 - ic);
    if (trans & 1) packAT(a, m, ic, mc, pc, kc, ap);
    else packA(a, k, ic, mc, pc, kc, ap);
    for (let s = 0; s < strips; s++) {
      const j0 = s << 3;
      const cols = min(8, n - j0);
      const bs = bp + (<usize>(s * kc) << 5);
      for (let r = 0; r < mc; r += 4) {
        const rows = min(4, mc - r);
        micro(ap + (<usize>(r * kc) << 2), bs, kc, c + (<usize>((ic + r) * n + j0) << 2), n, rows, cols, first, tile);
      }
    }
  }
}

/**
 * `gemm` with operands stored transposed where `trans` says (bit 0: A is stored [k, m], bit 1: B is
 * stored [n, k]); `m` is A's row count, which a transposed A needs as its row stride. Packing reads
 * either layout, so a transpose costs no extra pass over memory.
 */
export function gemmT(a: usize, b: usize, c: usize, m0: i32, m1: i32, k: i32, n: i32, m: i32, trans: i32, scratch: usize): void {
  gemmTInto(a, b, c, m0, m1, k, n, m, trans, scratch, false);
}

// gemmT, adding to what C holds where `acc`.
function gemmTInto(a: usize, b: usize, c: usize, m0: i32, m1: i32, k: i32, n: i32, m: i32, trans: i32, scratch: usize, acc: bool): void {
  const strips = (n + 7) >> 3;
  const bp = scratch;
  const ap = bp + (<usize>(strips * 8 * KC) << 2);
  const tile = ap + (<usize>(MC * KC) << 2);
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    if (trans & 2) packBT(b, k, n, pc, kc, bp);
    else packB(b, n, pc, kc, bp);
    blockRows(a, bp, c, m0, m1, k, n, m, trans, pc, kc, ap, tile, acc);
  }
}

// ---- B packed once, for threads that share one product ----
// gemmT packs B in every call, so threads splitting the rows would each pack all of it; to share small
// row chunks among threads (a slow thread then holds up little), B is packed once by `packBAll` and every
// chunk runs `gemmPacked` on it.

/** Bytes of B packed whole by `packBAll`: every k block, one after the other. */
export function packedBBytes(k: i32, n: i32): i32 {
  return (((n + 7) >> 3) * 8 * k) << 2;
}

/** Bytes of scratch one thread needs for `gemmPacked`. */
export function packedScratchBytes(): i32 {
  return (MC * KC + 32) << 2;
}

/** Packs all of B (`trans` bit 1: stored [n, k]) at `dst`, as gemmT packs each k block: block pc at dst + 4·pc·8·strips. */
export function packBAll(b: usize, k: i32, n: i32, trans: i32, dst: usize): void {
  const strips = (n + 7) >> 3;
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    const at = dst + (<usize>(pc * strips * 8) << 2);
    if (trans & 2) packBT(b, k, n, pc, kc, at);
    else packB(b, n, pc, kc, at);
  }
}

/** `gemmT` on a B that `packBAll` packed at `bPacked`; `scratch` holds `packedScratchBytes()` bytes of this thread's. */
export function gemmPacked(a: usize, bPacked: usize, c: usize, m0: i32, m1: i32, k: i32, n: i32, m: i32, trans: i32, scratch: usize): void {
  const strips = (n + 7) >> 3;
  const tile = scratch + (<usize>(MC * KC) << 2);
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    blockRows(a, bPacked + (<usize>(pc * strips * 8) << 2), c, m0, m1, k, n, m, trans, pc, kc, scratch, tile, false);
  }
}

/**
 * Products [start, end) of a batch of small ones, each `gemmT` over all its m rows: product t reads A at
 * a + t·strideA and B at b + t·strideB (a stride of 0 repeats one matrix) and writes C at c + t·m·n·4.
 * Threads split a batch of products too small to split by rows (a convolution's per-image products).
 */
export function gemmBatch(a: usize, b: usize, c: usize, strideA: i32, strideB: i32, m: i32, k: i32, n: i32, trans: i32, start: i32, end: i32, scratch: usize): void {
  for (let t = start; t < end; t++) {
    gemmT(a + <usize>t * strideA, b + <usize>t * strideB, c + (<usize>t * m * n << 2), 0, m, k, n, m, trans, scratch);
  }
}

/**
 * Groups [start, end) of a batch of products summed into one m×n result (a weight's gradient summed over
 * the batch, without storing each product): group g adds products [g·per, g·per + per) ∩ [0, batch), in
 * order, into its own m×n partial (its first product stores): `out` itself for group 0, else the partial at
 * partials + (g − 1)·m·n·4. `addPartials` then adds them up in group order, so the bits do not depend on
 * which thread ran which group. Products advance like gemmBatch's.
 */
export function gemmSumGroups(a: usize, b: usize, out: usize, partials: usize, strideA: i32, strideB: i32, m: i32, k: i32, n: i32, trans: i32, batch: i32, per: i32, start: i32, end: i32, scratch: usize): void {
  for (let g = start; g < end; g++) {
    const t0 = g * per, t1 = min(batch, t0 + per);
    const cg = g == 0 ? out : partials + (<usize>(g - 1) * m * n << 2);
    for (let t = t0; t < t1; t++) gemmTInto(a + <usize>t * strideA, b + <usize>t * strideB, cg, 0, m, k, n, m, trans, scratch, t > t0);
  }
}

/** out[i] += partial_1[i] + … + partial_count[i], left to right, for the `count` partials of `len` floats at `partials`. */
export function addPartials(out: usize, partials: usize, count: i32, len: i32): void {
  for (let g = 0; g < count; g++) addRun(out, partials + (<usize>g * len << 2), len);
}
