// `npm run bench`: W1–W5 for chainrule on every backend and for the peers, each system in its own child process, as one table.
// Flags: --quick (smoke run), --mnist (adds time to 97.5% MNIST test accuracy; minutes), --only chainrule,tfjs,jax-js,js-pytorch,pytorch,
// --rounds N (every system N times, in turn: each cell is the median of its N medians), --json FILE.
import { performance } from "node:perf_hooks";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CANDIDATE_BACKENDS } from "./lib/data.mjs";
import { combineRounds, renderTable, rowsFor } from "./lib/table.mjs";
import { MICROGRAD_W3_MS, evaluateGoals, renderGoals } from "./lib/goals.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const mnist = argv.includes("--mnist");
const flagValue = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const onlySystems = flagValue("--only")?.split(",");
const jsonOut = flagValue("--json");
const w5Steps = quick ? 5 : 50;
const rounds = Math.max(1, Number(flagValue("--rounds") ?? 1) || 1);
const PYTHON = "/usr/bin/python3";

let results = [];
const notes = new Set();
const columns = [];
const wanted = (system) => onlySystems === undefined || onlySystems.includes(system);

/** Runs one child, keeps its JSON lines, and turns a crash or a timeout into a note. */
function runChild(label, command, args, timeoutMs) {
  process.stderr.write(`bench: ${label}: ${args.join(" ")}\n`);
  const t0 = performance.now();
  const child = spawnSync(command, args, { cwd: root, encoding: "utf8", timeout: timeoutMs, maxBuffer: 64 << 20 });
  const lines = (child.stdout ?? "").split("\n").filter((l) => l.startsWith("{"));
  const records = lines.map((l) => JSON.parse(l));
  // chainrule's warnings (a full wasm heap, say) mean the child's numbers are not what they should be: shown under the table.
  for (const line of (child.stderr ?? "").split("\n")) if (/\[CHAINRULE_[A-Z_]+\]/.test(line)) notes.add(`${label}: warned: ${line.trim()}`);
  if (child.error !== undefined || (child.status !== 0 && !records.some((r) => r.error))) {
    const why = child.error?.code === "ETIMEDOUT" ? `timed out after ${timeoutMs / 1000} s` : (child.stderr ?? "").trim().split("\n").slice(-2).join(" ");
    notes.add(`${label}: failed (${why})`);
  }
  for (const r of records) {
    if (r.error) notes.add(`${r.system} ${r.backend}: error: ${r.error}`);
    if (r.skipped) notes.add(`${r.system} ${r.backend}: skipped: ${r.skipped}`);
  }
  return { records, seconds: (performance.now() - t0) / 1000 };
}

/** Adds a system/backend's results (and W5 from a fresh process) under one column. */
function measureColumn(label, command, args, timeoutMs) {
  const main = runChild(label, command, [...args, ...(quick ? ["--quick"] : [])], timeoutMs);
  if (main.records.some((r) => r.skipped)) return;
  const memory = runChild(`${label} (W5)`, command, [...args, "--only", "W5", "--steps", String(w5Steps)], timeoutMs);
  const measured = [...main.records, ...memory.records].filter((r) => r.workload !== undefined);
  results.push(...main.records.filter((r) => r.info !== undefined), ...measured);
  if (measured.length > 0 && !columns.includes(label)) columns.push(label);
}

/** A package's installed version, or undefined when it is not installed. */
function installed(name) {
  const file = join(root, "node_modules", name, "package.json");
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")).version : undefined;
}

function probe() {
  const child = runChild("peak-FMA probe", process.execPath, ["--experimental-wasm-relaxed-simd", "bench/lib/probe.mjs"], 60_000);
  return child.records[0];
}

/**
 * Each core's one-thread FMA rate, the probe pinned to it by taskset: a shared host can slow one core (its
 * other hyperthread busy with another guest) and not the other, which caps what two threads reach. Undefined
 * where taskset is missing.
 */
function probePerCore() {
  if (process.platform !== "linux" || spawnSync("taskset", ["-c", "0", "true"]).status !== 0) return undefined;
  const probeArgs = (i) => ["-c", String(i), process.execPath, "--experimental-wasm-relaxed-simd", "bench/lib/probe.mjs", "--one"];
  return cpus().map((_, i) => runChild(`peak-FMA probe on core ${i}`, "taskset", probeArgs(i), 60_000).records[0]?.fma1 ?? null);
}

const timeout = quick ? 180_000 : 900_000;
const node = process.execPath;
const probeBefore = probe();
const perCoreBefore = probePerCore();
const versions = { node: process.versions.node, v8: process.versions.v8, chainrule: JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version };

// One round measures every system once. With several, the systems take turns round after round, so a slow
// spell of a shared machine (a core taken for a minute) falls on all of them rather than on one.
function measureRound() {
  if (wanted("chainrule")) {
    for (const backend of CANDIDATE_BACKENDS) measureColumn(`chainrule ${backend}`, node, ["bench/workloads/child.mjs", "--backend", backend], timeout);
    // W2 replayed from cr.captureGraph, the counterpart of jax-js's jit (the cpu backend gains nothing from it).
    measureColumn("chainrule wasm+graph", node, ["bench/workloads/child.mjs", "--backend", "wasm", "--graph"], timeout);
  }
  for (const [system, pkg, backends, script] of [
    ["tfjs", "@tensorflow/tfjs", ["cpu", "wasm"], "bench/peers/tfjs.mjs"],
    ["jax-js", "@jax-js/jax", ["wasm+jit"], "bench/peers/jaxjs.mjs"],
    ["js-pytorch", "js-pytorch", ["cpu"], "bench/peers/jspytorch.mjs"],
  ]) {
    if (!wanted(system)) continue;
    const version = installed(pkg);
    if (version === undefined) {
      notes.add(`${system}: not installed (run npm ci); skipped`);
      continue;
    }
    versions[system] = version;
    for (const backend of backends) measureColumn(`${system} ${backend}`, node, [script, "--backend", backend], timeout);
  }
  if (wanted("pytorch")) {
    const check = existsSync(PYTHON) ? spawnSync(PYTHON, ["-c", "import torch, numpy; print(torch.__version__)"], { encoding: "utf8" }) : null;
    if (check === null || check.status !== 0) {
      notes.add(`pytorch: skipped (${check === null ? `${PYTHON} not found` : "python3 cannot import torch and numpy"})`);
    } else {
      versions.pytorch = check.stdout.trim();
      const threadCounts = cpus().length > 1 ? [1, cpus().length] : [1];
      for (const t of threadCounts) measureColumn(`pytorch cpu ${t}T`, PYTHON, ["bench/torch_bench.py", "--threads", String(t)], timeout);
    }
  }
}
for (let round = 1; round <= rounds; round++) {
  if (rounds > 1) process.stderr.write(`bench: round ${round} of ${rounds}\n`);
  measureRound();
}
const perRound = results;
results = combineRounds(results);
if (mnist) {
  const { mnistResults } = await import("./lib/mnist.mjs");
  results.push(...mnistResults({ root, quick, wanted, python: PYTHON, columns, notes }));
}
const probeAfter = probe();
const perCoreAfter = probePerCore();
/** The speed issue's figure for its machine (2 cores, AVX-512 FMA, fp32): what OpenBLAS reaches ~230 of. */
const NOMINAL_PEAK_GFLOPS = 280;

// ---- the report ----------------------------------------------------------------------------------
const cpuList = cpus();
const gf = (v) => (v === null || v === undefined ? "n/a" : v.toFixed(1));
const probeLine = (p) => (p === undefined ? "failed" : `f32x4 mul+add ${gf(p.mulAdd1)} GFLOP/s on 1 thread, ${gf(p.mulAddAll)} on ${p.threads}; relaxed FMA ${gf(p.fma1)} / ${gf(p.fmaAll)}`);
const out = [];
out.push(`# chainrule benchmark${quick ? " (--quick: a smoke run, not a measurement)" : ""}`);
out.push("");
out.push(`machine: ${cpuList[0]?.model ?? "?"}, ${cpuList.length} logical cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; ${process.platform} ${process.arch}`);
out.push(`versions: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(", ")}`);
out.push(`peak-FMA probe (WebAssembly SIMD), before: ${probeLine(probeBefore)}`);
out.push(`peak-FMA probe, after: ${probeLine(probeAfter)}`);
const perCoreLine = (rates) => rates.map((r, i) => `core ${i} ${gf(r)}`).join(", ");
if (perCoreBefore !== undefined && perCoreAfter !== undefined) {
  out.push(`one thread pinned to each core (taskset), GFLOP/s, before: ${perCoreLine(perCoreBefore)}; after: ${perCoreLine(perCoreAfter)}`);
}
out.push("");
out.push(renderTable(rowsFor(quick, mnist), columns, results));
out.push("");
out.push(
  rounds > 1
    ? `Cells: the median of ${rounds} rounds' medians (each round runs every system once, in turn), and in parentheses the ratio value / chainrule's best backend on that row (↑ higher is better, ↓ lower is better); each round's values are in --json.`
    : "Cells: median after warm-up, and in parentheses the ratio value / chainrule's best backend on that row (↑ higher is better, ↓ lower is better).",
);
// The issue asks for W1's fraction of the machine's peak: against the probe's WebAssembly SIMD peak on all
// cores (what wasm code can reach), and against the nominal AVX-512 FMA peak the issue quotes for its machine.
const bestProbe = Math.max(probeBefore?.fmaAll ?? 0, probeAfter?.fmaAll ?? 0, probeBefore?.mulAddAll ?? 0, probeAfter?.mulAddAll ?? 0);
for (const r of results.filter((x) => x.system === "chainrule" && x.workload === "W1 N=1024" && typeof x.value === "number")) {
  const share = bestProbe > 0 ? `${((100 * r.value) / bestProbe).toFixed(0)}% of the probe's best WebAssembly SIMD rate on all cores (${gf(bestProbe)} GFLOP/s)` : "no probe";
  out.push(`W1 N=1024, chainrule ${r.backend}: ${gf(r.value)} GFLOP/s = ${share}; ${((100 * r.value) / NOMINAL_PEAK_GFLOPS).toFixed(0)}% of the ${NOMINAL_PEAK_GFLOPS} GFLOP/s AVX-512 FMA peak the speed issue quotes for its 2-core machine.`);
}
out.push(`W3 reference, not measured in this run: CPython micrograd ≈ ${MICROGRAD_W3_MS} ms for the same 21,074-node graph (the speed issue's number).`);
out.push("");
out.push(`The speed issue's goals in this run (the table's medians and ratios${rounds > 1 ? "; each round's value or ratio in parentheses" : ""}):`);
out.push(...renderGoals(evaluateGoals(results)));
out.push("");
// One line per workload for the per-run notes (W2's first→last loss shows every system started from the same weights).
for (const workload of new Set(results.filter((r) => r.note).map((r) => r.workload))) {
  const parts = results.filter((r) => r.note && r.workload === workload).map((r) => `${r.system} ${r.backend}: ${r.note}`);
  out.push(`- ${workload}: ${parts.join("; ")}`);
}
for (const r of results) if (r.info) out.push(`- ${r.system} ${r.backend}: ${JSON.stringify(r.info)}`);
for (const n of notes) out.push(`- ${n}`);
console.log(out.join("\n"));
if (jsonOut !== undefined) writeFileSync(jsonOut, JSON.stringify({ versions, probeBefore, probeAfter, perCoreBefore, perCoreAfter, rounds, results, perRound, notes: [...notes] }, null, 2));
