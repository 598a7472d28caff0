// Micro-benchmark of the cpu backend's matmul against the kernel it replaced (kept below as `old`).
// Run: node --import tsx bench/cpu-matmul.mjs [--dtype float32|float64] [--rounds N] [--only name,...]
// Old and new are timed alternately in each round so both see the same machine load; the table
// gives GFLOP/s from the median and from the best round (the best is the steadier number on a
// shared machine, where other work only ever makes a round slower). V8's code for the same kernel
// varies from process to process by up to ~1.5×, so compare several runs, not one.
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { matmul } from "../src/backend/cpu/matmul.ts";

const { values: opts } = parseArgs({
  options: {
    dtype: { type: "string", default: "float32" },
    rounds: { type: "string", default: "7" },
    only: { type: "string", default: "" },
  },
});
const dtype = opts.dtype;
const Arr = dtype === "float64" ? Float64Array : Float32Array;

// ---- the previous kernel: 4×4 register blocks over a transposed float64 copy of B ----

function oldTransposeInto(b, k, n, bt) {
  for (let p = 0; p < k; p++) {
    const row = p * n;
    for (let j = 0; j < n; j++) bt[j * k + p] = b[row + j];
  }
}

function oldGemm(a, bt, c, m, k, n) {
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);
  for (let i = 0; i < m4; i += 4) {
    const a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
    for (let j = 0; j < n4; j += 4) {
      const b0 = j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = a[a0 + p], x1 = a[a1 + p], x2 = a[a2 + p], x3 = a[a3 + p];
        const y0 = bt[b0 + p], y1 = bt[b1 + p], y2 = bt[b2 + p], y3 = bt[b3 + p];
        c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
        c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
        c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
        c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
      }
      const r0 = i * n + j, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
      c[r0] = c00; c[r0 + 1] = c01; c[r0 + 2] = c02; c[r0 + 3] = c03;
      c[r1] = c10; c[r1 + 1] = c11; c[r1 + 2] = c12; c[r1 + 3] = c13;
      c[r2] = c20; c[r2 + 1] = c21; c[r2 + 2] = c22; c[r2 + 3] = c23;
      c[r3] = c30; c[r3 + 1] = c31; c[r3 + 2] = c32; c[r3 + 3] = c33;
    }
  }
  for (let i = 0; i < m; i++) {
    const jStart = i < m4 ? n4 : 0;
    for (let j = jStart; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * bt[j * k + p];
      c[i * n + j] = s;
    }
  }
}

/** A contiguous transposed copy: what a transposed operand cost before the kernel took flags. */
function transposed(x, rows, cols) {
  const t = new Arr(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j];
  return t;
}

function oldMatmul(a, b, m, k, n, transA, transB) {
  const aa = transA ? transposed(a, k, m) : a;
  const bb = transB ? transposed(b, n, k) : b;
  const bt = new Float64Array(k * n);
  oldTransposeInto(bb, k, n, bt);
  const c = new Arr(m * n);
  oldGemm(aa, bt, c, m, k, n);
  return c;
}

// ---- cases ----

const cases = [
  ...[128, 256, 512, 1024].map((s) => ({ name: `square ${s}`, m: s, k: s, n: s })),
  { name: "mlp fwd 128x784·784x256", m: 128, k: 784, n: 256 },
  { name: "mlp fwd 128x256·256x256", m: 128, k: 256, n: 256 },
  { name: "mlp fwd 128x256·256x10", m: 128, k: 256, n: 10 },
  { name: "gradW1 Xᵀ·G 784x128·128x256", m: 784, k: 128, n: 256, transA: true },
  { name: "gradX1 G·Wᵀ 128x256·256x784", m: 128, k: 256, n: 784, transB: true },
  { name: "gradW2 Hᵀ·G 256x128·128x256", m: 256, k: 128, n: 256, transA: true },
  { name: "gradW3 Hᵀ·G 256x128·128x10", m: 256, k: 128, n: 10, transA: true },
  { name: "gradX3 G·Wᵀ 128x10·10x256", m: 128, k: 10, n: 256, transB: true },
].filter((c) => opts.only === "" || opts.only.split(",").some((s) => c.name.includes(s)));

function random(size) {
  const x = new Arr(size);
  for (let i = 0; i < size; i++) x[i] = Math.random() * 2 - 1;
  return x;
}

/**
 * Seconds per call, in this process's cpu time rather than wall time: on a shared machine another
 * process taking the core then stretches the wall clock but not this count. Each sample runs
 * ≥ 20 ms so the clock's resolution does not matter.
 */
function sample(fn, calls) {
  const t0 = process.cpuUsage();
  for (let i = 0; i < calls; i++) fn();
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1e6 / calls;
}

function stats(times, flops) {
  const sorted = [...times].sort((x, y) => x - y);
  return { median: flops / sorted[Math.floor(sorted.length / 2)] / 1e9, best: flops / sorted[0] / 1e9 };
}

const rounds = Number(opts.rounds);
console.log(`cpu matmul, ${dtype}, ${rounds} rounds (GFLOP/s: median / best)`);
console.log(`${"case".padEnd(32)} ${"old".padStart(14)} ${"new".padStart(14)}  speedup(median)`);
for (const c of cases) {
  const { m, k, n, transA = false, transB = false } = c;
  const a = random(m * k);
  const b = random(k * n);
  const aShape = transA ? [k, m] : [m, k];
  const bShape = transB ? [n, k] : [k, n];
  const runNew = () => matmul(a, aShape, b, bShape, [m, n], dtype, transA, transB);
  const runOld = () => oldMatmul(a, b, m, k, n, transA, transB);
  // Warm up both (JIT tiers) and size the samples from the slower one.
  const t0 = performance.now();
  for (let i = 0; i < 3; i++) runOld();
  for (let i = 0; i < 3; i++) runNew();
  const each = (performance.now() - t0) / 6000;
  const calls = Math.max(1, Math.ceil(0.02 / each));
  const tOld = [];
  const tNew = [];
  for (let r = 0; r < rounds; r++) {
    tOld.push(sample(runOld, calls));
    tNew.push(sample(runNew, calls));
  }
  const flops = 2 * m * k * n;
  const so = stats(tOld, flops);
  const sn = stats(tNew, flops);
  const fmt = (s) => `${s.median.toFixed(2)} / ${s.best.toFixed(2)}`.padStart(14);
  console.log(`${c.name.padEnd(32)} ${fmt(so)} ${fmt(sn)}  ${(sn.median / so.median).toFixed(2)}×`);
}
