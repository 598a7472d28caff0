// Which register tile the cpu backend's matmul kernel could use: 2×4 (src/backend/cpu/matmul.ts) against 2×6, 3×4
// and 3×3, each the same plain-JavaScript kernel shape on packed float64 panels (kc = 256, a 48×48 block of C),
// timed in turns for seven rounds on one thread. A larger tile loads less per flop but needs more than the 15 xmm
// registers V8 allocates on x64.
//   node bench/cpu-tiles.mjs
import { performance } from "node:perf_hooks";

const kc = 256;
function k2x4(pa, ia, pb, ib, kc, c, ic, ldc) {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = pa[ia], a1 = pa[(ia + 1) | 0];
    const b0 = pb[ib], b1 = pb[(ib + 1) | 0], b2 = pb[(ib + 2) | 0], b3 = pb[(ib + 3) | 0];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    ia = (ia + 2) | 0; ib = (ib + 4) | 0;
  }
  c[ic] += c00; c[ic + 1] += c01; c[ic + 2] += c02; c[ic + 3] += c03;
  ic += ldc; c[ic] += c10; c[ic + 1] += c11; c[ic + 2] += c12; c[ic + 3] += c13;
}
function k2x6(pa, ia, pb, ib, kc, c, ic, ldc) {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c04 = 0, c05 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0, c14 = 0, c15 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = pa[ia], a1 = pa[(ia + 1) | 0];
    let b = pb[ib]; c00 += a0 * b; c10 += a1 * b;
    b = pb[(ib + 1) | 0]; c01 += a0 * b; c11 += a1 * b;
    b = pb[(ib + 2) | 0]; c02 += a0 * b; c12 += a1 * b;
    b = pb[(ib + 3) | 0]; c03 += a0 * b; c13 += a1 * b;
    b = pb[(ib + 4) | 0]; c04 += a0 * b; c14 += a1 * b;
    b = pb[(ib + 5) | 0]; c05 += a0 * b; c15 += a1 * b;
    ia = (ia + 2) | 0; ib = (ib + 6) | 0;
  }
  c[ic] += c00; c[ic + 1] += c01; c[ic + 2] += c02; c[ic + 3] += c03; c[ic + 4] += c04; c[ic + 5] += c05;
  ic += ldc; c[ic] += c10; c[ic + 1] += c11; c[ic + 2] += c12; c[ic + 3] += c13; c[ic + 4] += c14; c[ic + 5] += c15;
}
function k3x4(pa, ia, pb, ib, kc, c, ic, ldc) {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0, c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = pa[ia], a1 = pa[(ia + 1) | 0], a2 = pa[(ia + 2) | 0];
    let b = pb[ib]; c00 += a0 * b; c10 += a1 * b; c20 += a2 * b;
    b = pb[(ib + 1) | 0]; c01 += a0 * b; c11 += a1 * b; c21 += a2 * b;
    b = pb[(ib + 2) | 0]; c02 += a0 * b; c12 += a1 * b; c22 += a2 * b;
    b = pb[(ib + 3) | 0]; c03 += a0 * b; c13 += a1 * b; c23 += a2 * b;
    ia = (ia + 3) | 0; ib = (ib + 4) | 0;
  }
  c[ic] += c00; c[ic + 1] += c01; c[ic + 2] += c02; c[ic + 3] += c03;
  ic += ldc; c[ic] += c10; c[ic + 1] += c11; c[ic + 2] += c12; c[ic + 3] += c13;
  ic += ldc; c[ic] += c20; c[ic + 1] += c21; c[ic + 2] += c22; c[ic + 3] += c23;
}
function k3x3(pa, ia, pb, ib, kc, c, ic, ldc) {
  let c00 = 0, c01 = 0, c02 = 0, c10 = 0, c11 = 0, c12 = 0, c20 = 0, c21 = 0, c22 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = pa[ia], a1 = pa[(ia + 1) | 0], a2 = pa[(ia + 2) | 0];
    const b0 = pb[ib], b1 = pb[(ib + 1) | 0], b2 = pb[(ib + 2) | 0];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2;
    ia = (ia + 3) | 0; ib = (ib + 3) | 0;
  }
  c[ic] += c00; c[ic + 1] += c01; c[ic + 2] += c02;
  ic += ldc; c[ic] += c10; c[ic + 1] += c11; c[ic + 2] += c12;
  ic += ldc; c[ic] += c20; c[ic + 1] += c21; c[ic + 2] += c22;
}
const variants = { "2x4": [k2x4, 2, 4], "2x6": [k2x6, 2, 6], "3x4": [k3x4, 3, 4], "3x3": [k3x3, 3, 3] };
const MCr = 48; // rows of the A block: a multiple of 2 and 3
const NCc = 48;
const pa = new Float64Array(MCr * kc).map(() => Math.random());
const pb = new Float64Array(NCc * kc).map(() => Math.random());
const c = new Float64Array(MCr * NCc);
function macro(kern, mr, nr) {
  for (let jr = 0; jr < NCc; jr += nr) for (let ir = 0; ir < MCr; ir += mr) kern(pa, ir * kc, pb, jr * kc, kc, c, ir * NCc + jr, NCc);
}
const flops = 2 * MCr * NCc * kc;
const res = {};
for (let round = 0; round < 7; round++) {
  for (const [name, [k, mr, nr]] of Object.entries(variants)) {
    for (let w = 0; w < 50; w++) macro(k, mr, nr);
    const t0 = performance.now(); let n = 0;
    while (performance.now() - t0 < 150) { macro(k, mr, nr); n++; }
    const g = flops * n / (performance.now() - t0) / 1e6;
    (res[name] ??= []).push(g);
  }
}
for (const [name, v] of Object.entries(res)) { v.sort((a, b) => a - b); console.log(`${name}: median ${v[3].toFixed(2)} GFLOP/s, best round ${v[6].toFixed(2)}`); }
