// Seeded data, timing and JSON output shared by every JS system of the benchmark, so each one sees identical inputs.
import { performance } from "node:perf_hooks";

/** Workload sizes from the speed issue: W1 matmul sizes, W2 MLP shape and Adam settings, W4 length. */
export const W1_SIZES = [128, 256, 512, 1024];
export const W2 = { inputs: 784, hidden: 256, classes: 10, batch: 128, lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8 };
export const W4_LENGTH = 1_000_000;
/** chainrule backends to try, in order; names chainrule does not register are skipped with a note. */
export const CANDIDATE_BACKENDS = ["cpu", "wasm", "webgpu"];
/** One seed for every system: the same matrices, batch, labels and initial weights everywhere. */
export const SEED = 42;

/**
 * mulberry32: a 32-bit counter hashed to a float in [0, 1). Chosen because the Python side can
 * reproduce it in closed form (the k-th state is seed + k·0x6D2B79F5), so PyTorch sees the same data.
 */
export function mulberry32(seed) {
  let state = seed >>> 0;
  return function next() {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` standard normals by Box–Muller, two per pair of uniforms (cos then sin), as float32. */
export function normals(n, next) {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(Math.max(next(), 1e-12)));
    const angle = 2 * Math.PI * next();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < n) out[i + 1] = radius * Math.sin(angle);
  }
  return out;
}

/** `n` class labels in [0, classes). */
export function labels(n, classes, next) {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(next() * classes);
  return out;
}

/** He-scaled normal weights stored [in, out] (x·W convention) and zero biases, drawn in the order W1, W2, W3. */
export function mlpWeights(next) {
  const { inputs, hidden, classes } = W2;
  const he = (fanIn, fanOut) => {
    const w = normals(fanIn * fanOut, next);
    const scale = Math.sqrt(2 / fanIn);
    for (let i = 0; i < w.length; i++) w[i] *= scale;
    return w;
  };
  const W1 = he(inputs, hidden);
  const W2w = he(hidden, hidden);
  const W3 = he(hidden, classes);
  return { W1, b1: new Float32Array(hidden), W2: W2w, b2: new Float32Array(hidden), W3, b3: new Float32Array(classes) };
}

/**
 * The W2 problem in a fixed draw order after W1's matrices: weights, then the batch, then labels.
 * Every system calls this with a fresh generator so the draw order, not the workloads run before, fixes the data.
 */
export function w2Problem() {
  const next = mulberry32(SEED + 2);
  const weights = mlpWeights(next);
  const x = normals(W2.batch * W2.inputs, next);
  const y = labels(W2.batch, W2.classes, next);
  return { weights, x, y };
}

/** W1's two N×N matrices. */
export function w1Problem(n) {
  const next = mulberry32(SEED + n);
  return { a: normals(n * n, next), b: normals(n * n, next) };
}

/** W4's x and w (10⁶ normals each) and b = 0.1. */
export function w4Problem(length = W4_LENGTH) {
  const next = mulberry32(SEED + 4);
  return { x: normals(length, next), w: normals(length, next), b: 0.1 };
}

/** The median of a list of numbers. */
export function median(values) {
  const s = [...values].sort((p, q) => p - q);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Untimed warm-up of every measurement, at least: JavaScript engines compile hot code (wasm too) in the background. */
export const WARMUP_MS = 1000;

/**
 * How every system's W2 is sampled (torch_bench.py's W2_TIMING is the same): steps for 2 s, at least 10 and at most
 * 400. The fastest systems take 4–6 ms a step, so their median spans 2 s of the host's spells, not the quarter of a
 * second that 50 steps took; a step of the slowest takes over 0.5 s, and they stop after 10.
 */
export const W2_TIMING = { warmup: 5, minReps: 10, maxReps: 400, budgetMs: 2000 };

/**
 * Runs `fn` untimed `warmup` times and for at least `warmupMs`, then times it until `maxReps` runs, or until at
 * least `minReps` runs and `budgetMs` have passed. Returns the samples in ms.
 */
export async function sample(fn, { warmup = 2, warmupMs = WARMUP_MS, minReps = 5, maxReps = 30, budgetMs = 4000 } = {}) {
  const warmStart = performance.now();
  for (let i = 0; i < warmup || performance.now() - warmStart < warmupMs; i++) await fn();
  const times = [];
  const start = performance.now();
  while (times.length < maxReps) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
    if (times.length >= minReps && performance.now() - start >= budgetMs) break;
  }
  return times;
}

/** Timing settings scaled down for `--quick` (a smoke run, not a measurement). */
export function timing(quick, full) {
  return quick ? { warmup: 1, warmupMs: 0, minReps: 2, maxReps: 3, budgetMs: 0 } : full;
}

/** GFLOP/s of an N×N matmul that took `ms`. */
export const gflops = (n, ms) => (2 * n ** 3) / (ms * 1e-3) / 1e9;

/** One result line on stdout: the orchestrator reads JSON lines and ignores anything else. */
export function emit(record) {
  process.stdout.write(`${JSON.stringify(record)}\n`);
}

/** Emits a timing result: the median of the samples converted by `toValue`, with the spread. */
export function emitSamples(system, workload, times, unit, toValue = (ms) => ms, extra = {}) {
  const values = times.map(toValue);
  emit({ ...system, workload, value: median(values), unit, runs: values.length, min: Math.min(...values), max: Math.max(...values), ...extra });
}

/** Peak resident set size of this process in MiB (Linux reports maxRSS in KiB). */
export function peakRssMiB() {
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * Flags every child understands: --quick, --only W1,W2,W3,W4,W5, --steps N (W5's step count),
 * --backend NAME, --graph (chainrule: W2 as a captured graph, cr.captureGraph).
 */
export function childArgs(argv = process.argv.slice(2)) {
  const opts = { quick: false, only: ["W1", "W2", "W3", "W4", "W7", "W8"], steps: 50, backend: undefined, graph: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--quick") opts.quick = true;
    else if (flag === "--only") opts.only = String(argv[++i]).split(",");
    else if (flag === "--steps") opts.steps = Number(argv[++i]);
    else if (flag === "--backend") opts.backend = argv[++i];
    else if (flag === "--graph") opts.graph = true;
  }
  return opts;
}

/** Reports an uncaught failure as a JSON line, so the table shows it instead of a blank. */
export function reportFailure(system, error) {
  emit({ ...system, error: String(error?.stack ?? error).split("\n").slice(0, 3).join(" | ") });
  process.exitCode = 1;
}

/** W7/W8: the GPT (nanoGPT's character model on Moby-Dick's 83 symbols), batch 12 for training, 500 new tokens at batch 1. */
export const GPT = { vocabSize: 83, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128, batch: 12, lr: 1e-3, weightDecay: 0.1, betas: [0.9, 0.99], clip: 1, newTokens: 500 };
/** W7's sampling: an iteration is ~50–200 ms. */
export const W7_TIMING = { warmup: 3, minReps: 10, maxReps: 60, budgetMs: 4000 };
/** W8's sampling: one run generates GPT.newTokens tokens (seconds). */
export const W8_TIMING = { warmup: 1, warmupMs: 0, minReps: 3, maxReps: 5, budgetMs: 8000 };

/** Token windows [batch, block + 1] drawn from mulberry32: the same ids on both sides (the timing does not depend on the text). */
export function gptTokens(next, count) {
  return Int32Array.from({ length: count }, () => Math.floor(next() * GPT.vocabSize));
}
