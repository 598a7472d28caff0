// AssemblyScript source of the wasm backend's f32 matmul: packed, blocked, with SIMD register micro-kernels (3×12 or 4×8).
// Compiled by tools/build-wasm.mjs into four variants: relaxed-SIMD FMA or plain SIMD, shared or private memory.
// Pointers are byte offsets into linear memory that the JavaScript side lays out; nothing here allocates.

import { addRun, transpose4x4 } from "./runs";

// The micro-kernel computes an MR×NR tile of C: 3×12 or 4×8. The 3×12 tile has nine f32x4 accumulators,
// more than the eight that two FMA ports of latency 4 keep busy, plus three B vectors and one broadcast A
// value, within V8's 15 allocatable xmm registers. With fused multiply-add it measured 1–3% faster than
// 4×8 on a free core and 12–20% faster on a core whose other hyperthread is busy (this VM's usual state),
// at N=1024 and an MLP's shapes. Multiply-then-add needs a temporary more, which spilled one of nine
// accumulators, so the plain build always uses 4×8. 5×8 and 6×8 spill under V8 11.3 (measured: they ran 30–60% slower).
// The tiling is chosen per product from B's width alone (`tileCols`), so B's packing and every row chunk
// of a threaded product agree on it.
// Blocking: an A block of MC×KC (~130 KiB) stays in L2, one packed B strip KC×NR (16–24 KiB) in L1 while the
// micro-kernel walks down the A block. KC 256–512 and MC 33–132 measured alike on the 2 MiB-L2 hosts.
const KC: i32 = 512;
const MC_MAX: i32 = 66; // MC: 66 rows for 3-row tiles, 64 for 4-row ones
const TILE_MAX: i32 = 48; // floats of the partial-tile buffer: MR·NR at most
const K_CHUNK: i32 = 256; // k steps of the micro-kernel's inner loop

// Columns of a tile (12 or 8) for a B of n columns. 3×12 wherever fused multiply-add exists, unless 4×8
// wastes fewer lanes on the last strip: 16 and 32 columns are two and four 8-wide strips, but 12 + 4 and
// 24 + 8 with 12-wide ones, and such narrow products (a convolution's 16 or 32 channels) ran 3–12% slower
// on 3×12 tiles. Costs in columns' work: a last 12-wide strip with 1–4 columns about 5 (`microNarrow`),
// with 5–11 a full 12; 3×12 is taken when it costs less after its ~3% faster kernel.
function tileCols(n: i32): i32 {
  if (!ASC_FEATURE_RELAXED_SIMD) return 8;
  const r = n % 12;
  const cost12 = <f64>(n - r) + (r == 0 ? 0 : r <= 4 ? 5 : 12);
  const cost8 = <f64>((n + 7) & ~7);
  return cost12 * 0.97 < cost8 ? 12 : 8;
}

// @ts-ignore: decorator
@inline function tileRows(nr: i32): i32 {
  return nr == 12 ? 3 : 4;
}

// @ts-ignore: decorator
@inline function blockRowsOf(nr: i32): i32 {
  return nr == 12 ? 66 : 64;
}

// a·b + c: one fused vfmadd where the runtime has relaxed SIMD, a mul and an add otherwise.
// The condition is a compile-time constant, so each build keeps only one branch.
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Rows of C one micro-kernel call computes for a B of n columns: thread chunks of whole tiles waste no lanes. */
export function gemmTileRows(n: i32): i32 {
  return tileRows(tileCols(n));
}

/** Bytes of scratch one thread needs for `gemm` with `n` columns. */
export function scratchBytes(n: i32): i32 {
  const nr = tileCols(n);
  return (((n + nr - 1) / nr) * nr * KC + MC_MAX * KC + TILE_MAX) << 2;
}

// Packs rows [pc, pc+kc) of B (row stride n) as strips of nr columns: strip s holds kc rows of nr, zero-padded.
function packB(b: usize, n: i32, pc: i32, kc: i32, dst: usize, nr: i32, s0: i32, s1: i32): void {
  const step = <usize>(nr << 2);
  for (let s = s0; s < s1; s++) {
    const j0 = s * nr;
    const w = min(nr, n - j0);
    let out = dst + <usize>(s * kc * nr << 2);
    let src = b + (<usize>(pc * n + j0) << 2);
    if (w == nr) {
      for (let p = 0; p < kc; p++) {
        v128.store(out, v128.load(src));
        v128.store(out, v128.load(src, 16), 16);
        if (nr == 12) v128.store(out, v128.load(src, 32), 32);
        out += step;
        src += <usize>n << 2;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let j = 0; j < nr; j++) store<f32>(out + (<usize>j << 2), j < w ? load<f32>(src + (<usize>j << 2)) : 0);
        out += step;
        src += <usize>n << 2;
      }
    }
  }
}

// Packs rows [i0, i0+mc) × columns [pc, pc+kc) of A (row stride k) as panels of mr rows interleaved per
// column. A full panel moves mr×4 blocks through registers (mr row loads, shuffles, mr stores of the 4·mr
// floats of four columns); a partial panel and the last columns go one by one.
function packA(a: usize, k: i32, i0: i32, mc: i32, pc: i32, kc: i32, dst: usize, mr: i32): void {
  const row = <usize>k << 2;
  const kc4 = kc & ~3;
  for (let r = 0; r < mc; r += mr) {
    const h = min(mr, mc - r);
    const out = dst + (<usize>(r * kc) << 2);
    if (h == mr) {
      const src = a + <usize>(i0 + r) * row + (<usize>pc << 2);
      for (let p = 0; p < kc4; p += 4) {
        const s = src + (<usize>p << 2);
        const o = out + <usize>(p * mr << 2);
        if (mr == 3) {
          const r0 = v128.load(s), r1 = v128.load(s + row), r2 = v128.load(s + 2 * row);
          const t = i32x4.shuffle(r0, r1, 0, 4, 1, 5); // r0[0] r1[0] r0[1] r1[1]
          const u = i32x4.shuffle(r1, r2, 1, 5, 2, 6); // r1[1] r2[1] r1[2] r2[2]
          const v = i32x4.shuffle(r0, r1, 3, 7, 3, 7); // r0[3] r1[3] …
          v128.store(o, i32x4.shuffle(t, r2, 0, 1, 4, 2)); // r0[0] r1[0] r2[0] r0[1]
          v128.store(o, i32x4.shuffle(u, r0, 0, 1, 6, 2), 16); // r1[1] r2[1] r0[2] r1[2]
          v128.store(o, i32x4.shuffle(r2, v, 2, 4, 5, 3), 32); // r2[2] r0[3] r1[3] r2[3]
        } else {
          transpose4x4(s, row, o, 16);
        }
      }
      for (let p = kc4; p < kc; p++) {
        const o = out + <usize>(p * mr << 2);
        for (let ii = 0; ii < mr; ii++) store<f32>(o + (<usize>ii << 2), load<f32>(src + <usize>ii * row + (<usize>p << 2)));
      }
      continue;
    }
    for (let ii = 0; ii < mr; ii++) {
      let o = out + (<usize>ii << 2);
      let src = a + (<usize>((i0 + r + ii) * k + pc) << 2);
      for (let p = 0; p < kc; p++) {
        store<f32>(o, ii < h ? load<f32>(src) : 0);
        o += mr << 2;
        src += 4;
      }
    }
  }
}

// packB for a B stored transposed ([n, k], row stride k): strip s gathers nr stored rows. Full strips move
// 4×4 blocks through registers (four loads, a transpose by shuffles, four stores); the rest goes one by one.
function packBT(b: usize, k: i32, n: i32, pc: i32, kc: i32, dst: usize, nr: i32, s0: i32, s1: i32): void {
  const kc4 = kc & ~3;
  const row = <usize>k << 2;
  const step = <usize>(nr << 2);
  for (let s = s0; s < s1; s++) {
    const j0 = s * nr;
    const w = min(nr, n - j0);
    const out = dst + <usize>(s * kc * nr << 2);
    let p0 = 0;
    if (w == nr) {
      for (; p0 < kc4; p0 += 4) {
        for (let jj = 0; jj < nr; jj += 4) {
          transpose4x4(b + <usize>(j0 + jj) * row + (<usize>(pc + p0) << 2), row, out + <usize>p0 * step + (<usize>jj << 2), step);
        }
      }
    }
    for (let p = p0; p < kc; p++) {
      const o = out + <usize>p * step;
      for (let j = 0; j < nr; j++) store<f32>(o + (<usize>j << 2), j < w ? load<f32>(b + <usize>(j0 + j) * row + (<usize>(pc + p) << 2)) : 0);
    }
  }
}

// packA for an A stored transposed ([k, m], row stride m): the mr rows of a panel at one column are mr
// consecutive floats. A full panel copies them with a vector load and store; with mr = 3 the next column's
// store overwrites the fourth lane, and the last column (whose fourth lane may lie past A) goes one by one.
function packAT(a: usize, m: i32, i0: i32, mc: i32, pc: i32, kc: i32, dst: usize, mr: i32): void {
  const row = <usize>m << 2;
  for (let r = 0; r < mc; r += mr) {
    const h = min(mr, mc - r);
    let o = dst + (<usize>(r * kc) << 2);
    let src = a + <usize>pc * row + (<usize>(i0 + r) << 2);
    const vectors = h == mr ? (mr == 4 ? kc : kc - 1) : 0;
    for (let p = 0; p < vectors; p++, o += mr << 2, src += row) v128.store(o, v128.load(src));
    for (let p = vectors; p < kc; p++, o += mr << 2, src += row) {
      for (let ii = 0; ii < mr; ii++) store<f32>(o + (<usize>ii << 2), ii < h ? load<f32>(src + (<usize>ii << 2)) : 0);
    }
  }
}

// Adds (or, on the first k block, stores) one 4-wide vector of a C tile row.
// @ts-ignore: decorator
@inline function put(dst: usize, v: v128, first: bool): void {
  v128.store(dst, first ? v : f32x4.add(v128.load(dst), v));
}

// The rows × cols corner of a tile that a micro-kernel left in `tile` (row stride nr), into C.
function putPartial(tile: usize, c: usize, ld: usize, rows: i32, cols: i32, first: bool, nr: i32): void {
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const dst = c + <usize>i * ld + (<usize>j << 2);
      const v = load<f32>(tile + (<usize>(i * nr + j) << 2));
      store<f32>(dst, first ? v : load<f32>(dst) + v);
    }
  }
}

// C[3×12] (+)= Apanel[3×kc] · Bstrip[kc×12]; a partial tile (rows < 3 or cols < 12) goes through `tile`.
// The k loop runs inside an outer loop over k chunks: V8 (11.3) unrolls an inner loop of this size, not an
// outermost one, and unrolled it ran ~8% faster (`--print-wasm-code`).
function micro3x12(ap: usize, bp: usize, kc: i32, c: usize, ldc: i32, rows: i32, cols: i32, first: bool, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c22 = f32x4.splat(0);
  for (let p0 = 0; p0 < kc; p0 += K_CHUNK) {
    const bEnd = bp + <usize>min(K_CHUNK, kc - p0) * 48;
    while (bp < bEnd) {
      const b0 = v128.load(bp), b1 = v128.load(bp, 16), b2 = v128.load(bp, 32);
      let a = v128.load32_splat(ap);
      c00 = madd(a, b0, c00); c01 = madd(a, b1, c01); c02 = madd(a, b2, c02);
      a = v128.load32_splat(ap, 4);
      c10 = madd(a, b0, c10); c11 = madd(a, b1, c11); c12 = madd(a, b2, c12);
      a = v128.load32_splat(ap, 8);
      c20 = madd(a, b0, c20); c21 = madd(a, b1, c21); c22 = madd(a, b2, c22);
      ap += 12;
      bp += 48;
    }
  }
  const ld = <usize>ldc << 2;
  if (rows == 3 && cols == 12) {
    put(c, c00, first); put(c + 16, c01, first); put(c + 32, c02, first); c += ld;
    put(c, c10, first); put(c + 16, c11, first); put(c + 32, c12, first); c += ld;
    put(c, c20, first); put(c + 16, c21, first); put(c + 32, c22, first);
    return;
  }
  v128.store(tile, c00); v128.store(tile, c01, 16); v128.store(tile, c02, 32);
  v128.store(tile, c10, 48); v128.store(tile, c11, 64); v128.store(tile, c12, 80);
  v128.store(tile, c20, 96); v128.store(tile, c21, 112); v128.store(tile, c22, 128);
  putPartial(tile, c, ld, rows, cols, first, 12);
}

// C[4×8] (+)= Apanel[4×kc] · Bstrip[kc×8], as micro3x12 does.
function micro4x8(ap: usize, bp: usize, kc: i32, c: usize, ldc: i32, rows: i32, cols: i32, first: bool, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p0 = 0; p0 < kc; p0 += K_CHUNK) {
    const bEnd = bp + <usize>min(K_CHUNK, kc - p0) * 32;
    while (bp < bEnd) {
      const b0 = v128.load(bp), b1 = v128.load(bp, 16);
      let a = v128.load32_splat(ap);
      c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
      a = v128.load32_splat(ap, 4);
      c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
      a = v128.load32_splat(ap, 8);
      c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
      a = v128.load32_splat(ap, 12);
      c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
      ap += 16;
      bp += 32;
    }
  }
  const ld = <usize>ldc << 2;
  if (rows == 4 && cols == 8) {
    put(c, c00, first); put(c + 16, c01, first); c += ld;
    put(c, c10, first); put(c + 16, c11, first); c += ld;
    put(c, c20, first); put(c + 16, c21, first); c += ld;
    put(c, c30, first); put(c + 16, c31, first);
    return;
  }
  v128.store(tile, c00); v128.store(tile, c01, 16); v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80); v128.store(tile, c30, 96); v128.store(tile, c31, 112);
  putPartial(tile, c, ld, rows, cols, first, 8);
}

// `micro` (3×12 tiles only) for the last strip of a B whose width leaves at most 4 columns there: one vector
// a row, so a narrow edge (256 = 21·12 + 4) costs a third of a full tile's work. Three accumulators alone
// would wait on the FMA latency, so even and odd k steps go into separate ones, added at the end.
function microNarrow(ap: usize, bp: usize, kc: i32, c: usize, ldc: i32, rows: i32, cols: i32, first: bool, tile: usize): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0);
  let d0 = f32x4.splat(0), d1 = f32x4.splat(0), d2 = f32x4.splat(0);
  const row: usize = 48;
  const pairsEnd = bp + <usize>(kc & ~1) * row;
  while (bp < pairsEnd) {
    const b0 = v128.load(bp), b1 = v128.load(bp + row);
    c0 = madd(v128.load32_splat(ap), b0, c0);
    c1 = madd(v128.load32_splat(ap, 4), b0, c1);
    c2 = madd(v128.load32_splat(ap, 8), b0, c2);
    d0 = madd(v128.load32_splat(ap, 12), b1, d0);
    d1 = madd(v128.load32_splat(ap, 16), b1, d1);
    d2 = madd(v128.load32_splat(ap, 20), b1, d2);
    ap += 24;
    bp += row << 1;
  }
  if (kc & 1) {
    const b0 = v128.load(bp);
    c0 = madd(v128.load32_splat(ap), b0, c0);
    c1 = madd(v128.load32_splat(ap, 4), b0, c1);
    c2 = madd(v128.load32_splat(ap, 8), b0, c2);
  }
  const ld = <usize>ldc << 2;
  if (rows == 3 && cols == 4) {
    put(c, f32x4.add(c0, d0), first); put(c + ld, f32x4.add(c1, d1), first); put(c + 2 * ld, f32x4.add(c2, d2), first);
    return;
  }
  v128.store(tile, f32x4.add(c0, d0)); v128.store(tile, f32x4.add(c1, d1), 48); v128.store(tile, f32x4.add(c2, d2), 96);
  putPartial(tile, c, ld, rows, cols, first, 12);
}

/**
 * Rows [m0, m1) of C[m×n] = A[m×k] · B[k×n], all f32, row-major and contiguous; k ≥ 1.
 * `scratch` holds `scratchBytes(n)` bytes owned by the calling thread. Threads split the rows.
 */
export function gemm(a: usize, b: usize, c: usize, m0: i32, m1: i32, k: i32, n: i32, scratch: usize): void {
  gemmT(a, b, c, m0, m1, k, n, 0, 0, scratch);
}

// Rows [m0, m1) of C (+)= A[:, pc..pc+kc) · (the packed k block of B at bp, in strips of nr columns): A packed
// MC rows at a time into ap. The first k block stores into C unless `acc` (C already holds a sum to add to).
function blockRows(a: usize, bp: usize, c: usize, m0: i32, m1: i32, k: i32, n: i32, m: i32, trans: i32, pc: i32, kc: i32, ap: usize, tile: usize, acc: bool, nr: i32): void {
  const strips = (n + nr - 1) / nr;
  const mr = tileRows(nr), mcMax = blockRowsOf(nr);
  const first = pc == 0 && !acc;
  for (let ic = m0; ic < m1; ic += mcMax) {
    const mc = min(mcMax, m1 - ic);
    if (trans & 1) packAT(a, m, ic, mc, pc, kc, ap, mr);
    else packA(a, k, ic, mc, pc, kc, ap, mr);
    for (let s = 0; s < strips; s++) {
      const j0 = s * nr;
      const cols = min(nr, n - j0);
      const bs = bp + <usize>(s * kc * nr << 2);
      for (let r = 0; r < mc; r += mr) {
        const rows = min(mr, mc - r);
        const at = ap + (<usize>(r * kc) << 2), to = c + (<usize>((ic + r) * n + j0) << 2);
        if (nr == 8) micro4x8(at, bs, kc, to, n, rows, cols, first, tile);
        else if (cols <= 4) microNarrow(at, bs, kc, to, n, rows, cols, first, tile);
        else micro3x12(at, bs, kc, to, n, rows, cols, first, tile);
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
  const nr = tileCols(n);
  const strips = (n + nr - 1) / nr;
  const bp = scratch;
  const ap = bp + (<usize>(strips * nr * KC) << 2);
  const tile = ap + (<usize>(MC_MAX * KC) << 2);
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    if (trans & 2) packBT(b, k, n, pc, kc, bp, nr, 0, strips);
    else packB(b, n, pc, kc, bp, nr, 0, strips);
    blockRows(a, bp, c, m0, m1, k, n, m, trans, pc, kc, ap, tile, acc, nr);
  }
}

// ---- B packed once, for threads that share one product ----
// gemmT packs B in every call, so threads splitting the rows would each pack all of it; to share small
// row chunks among threads (a slow thread then holds up little), B is packed once by `packBAll` and every
// chunk runs `gemmPacked` on it.

/** Bytes of B packed whole by `packBAll`: every k block, one after the other. */
export function packedBBytes(k: i32, n: i32): i32 {
  const nr = tileCols(n);
  return (((n + nr - 1) / nr) * nr * k) << 2;
}

/** Bytes of scratch one thread needs for `gemmPacked`. */
export function packedScratchBytes(): i32 {
  return (MC_MAX * KC + TILE_MAX) << 2;
}

/** Packs all of B (`trans` bit 1: stored [n, k]) at `dst`, as gemmT packs each k block: block pc at dst + 4·pc·nr·strips. */
export function packBAll(b: usize, k: i32, n: i32, trans: i32, dst: usize): void {
  packBStrips(b, k, n, trans, dst, 0, packedBStrips(n));
}

/** The column strips `packBAll` packs B in: what threads sharing the packing split. */
export function packedBStrips(n: i32): i32 {
  const nr = tileCols(n);
  return (n + nr - 1) / nr;
}

/** `packBAll`'s strips [s0, s1) only, in every k block: threads pack disjoint strips of one packed B. */
export function packBStrips(b: usize, k: i32, n: i32, trans: i32, dst: usize, s0: i32, s1: i32): void {
  const nr = tileCols(n);
  const strips = packedBStrips(n);
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    const at = dst + (<usize>(pc * strips * nr) << 2);
    if (trans & 2) packBT(b, k, n, pc, kc, at, nr, s0, s1);
    else packB(b, n, pc, kc, at, nr, s0, s1);
  }
}

/**
 * `gemmT` on a B that `packBAll` packed at `bPacked`; `scratch` holds `packedScratchBytes()` bytes of this thread's.
 * Where `bias` is not 0, the n floats there are then added to each of the rows (`addBiasRows`).
 */
export function gemmPacked(a: usize, bPacked: usize, c: usize, m0: i32, m1: i32, k: i32, n: i32, m: i32, trans: i32, bias: usize, scratch: usize): void {
  const nr = tileCols(n);
  const strips = (n + nr - 1) / nr;
  const tile = scratch + (<usize>(MC_MAX * KC) << 2);
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    blockRows(a, bPacked + (<usize>(pc * strips * nr) << 2), c, m0, m1, k, n, m, trans, pc, kc, scratch, tile, false, nr);
  }
  if (bias != 0) addBiasRows(c, bias, m0, m1, n);
}

/**
 * Rows [m0, m1) of C (n columns) += the n floats at `bias`: a linear layer's bias, added once the product is
 * complete (so each element gets the same single add as a separate op), by the thread that just wrote those
 * rows, while they are still in its cache.
 */
export function addBiasRows(c: usize, bias: usize, m0: i32, m1: i32, n: i32): void {
  for (let i = m0; i < m1; i++) addRun(c + (<usize>i * n << 2), bias, n);
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
