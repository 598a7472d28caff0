// Peak-FMA probe: a hand-assembled WebAssembly loop of independent f32x4 multiply-adds, run on one and on every core.
// Usage (as a child): node --experimental-wasm-relaxed-simd bench/lib/probe.mjs [--one] → one JSON line
// (--one: only the one-thread rate, FMA where the runtime has it).
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { performance } from "node:perf_hooks";
import { cpus } from "node:os";
import { leb, section } from "./wasm-bytes.mjs";
/* global WebAssembly -- a Node global the lint config does not list */

const ACCUMULATORS = 12; // enough independent chains to cover mul+add latency on two FMA ports
const FLOPS_PER_ITERATION = ACCUMULATORS * 4 * 2; // 4 lanes, a multiply and an add each

const f32x4Const = (v) => [0xfd, 0x0c, ...new Uint8Array(new Float32Array([v, v, v, v]).buffer)];

/**
 * `run(n: i32) -> f32`: n iterations of acc_i = acc_i·m + m for 12 v128 accumulators (m = 0.5,
 * so values settle at 1 and never go denormal). `fused` uses relaxed_madd (one vfmadd), else mul then add.
 */
function probeModule(fused) {
  const M = ACCUMULATORS + 1; // local index of the multiplier; 0 is the parameter
  const body = [1, M, 0x7b]; // M v128 locals
  for (let i = 1; i <= ACCUMULATORS; i++) body.push(...f32x4Const(i / 8), 0x21, i);
  body.push(...f32x4Const(0.5), 0x21, M);
  body.push(0x03, 0x40); // loop
  for (let i = 1; i <= ACCUMULATORS; i++) {
    body.push(0x20, i, 0x20, M, 0x20, M);
    if (fused) body.push(0xfd, ...leb(0x105)); // f32x4.relaxed_madd(a, b, c) = a·b + c
    else body.push(0x1a, 0xfd, ...leb(0xe6), 0x20, M, 0xfd, ...leb(0xe4)); // drop the extra M; mul; add
    body.push(0x21, i);
  }
  body.push(0x20, 0, 0x41, 1, 0x6b, 0x22, 0, 0x0d, 0, 0x0b); // n -= 1; br_if n != 0; end loop
  body.push(0x20, 1);
  for (let i = 2; i <= ACCUMULATORS; i++) body.push(0x20, i, 0xfd, ...leb(0xe4));
  body.push(0xfd, 0x1f, 0, 0x0b); // extract lane 0; end
  const code = [...leb(body.length), ...body];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, [1, 0x60, 1, 0x7f, 1, 0x7d]),
    ...section(3, [1, 0]),
    ...section(7, [1, 3, 0x72, 0x75, 0x6e, 0, 0]),
    ...section(10, [1, ...code]),
  ]);
}

/** GFLOP/s of the best of a few ~100 ms runs (the best, not the median: a peak is what is asked). */
function measure(fused) {
  let instance;
  try {
    instance = new WebAssembly.Instance(new WebAssembly.Module(probeModule(fused)));
  } catch {
    return null; // relaxed SIMD not enabled in this V8
  }
  const run = instance.exports.run;
  let n = 1 << 16;
  run(n);
  while (true) {
    const t0 = performance.now();
    run(n);
    if (performance.now() - t0 > 50) break;
    n *= 2;
  }
  let best = 0;
  for (let rep = 0; rep < 5; rep++) {
    const t0 = performance.now();
    run(n);
    best = Math.max(best, (n * FLOPS_PER_ITERATION) / ((performance.now() - t0) * 1e-3) / 1e9);
  }
  return best;
}

/** Runs `measure` on `threads` workers at once and sums their rates. */
function allCores(fused, threads) {
  const url = new URL(import.meta.url);
  return Promise.all(
    Array.from({ length: threads }, () => new Promise((resolve, reject) => {
      const w = new Worker(url, { workerData: { fused } });
      w.once("message", resolve);
      w.once("error", reject);
    })),
  ).then((rates) => (rates.includes(null) ? null : rates.reduce((s, r) => s + r, 0)));
}

if (!isMainThread) {
  parentPort.postMessage(measure(workerData.fused));
} else if (process.argv.includes("--one")) {
  // One thread only: the bench pins this run to one core (taskset), so it is that core's rate.
  process.stdout.write(`${JSON.stringify({ probe: true, fma1: measure(true) ?? measure(false) })}\n`);
} else {
  const threads = cpus().length;
  const result = { probe: true, threads };
  result.mulAdd1 = measure(false);
  result.fma1 = measure(true);
  result.mulAddAll = await allCores(false, threads);
  result.fmaAll = result.fma1 === null ? null : await allCores(true, threads);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
