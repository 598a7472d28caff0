// W9: `chainrule train moby-dick --model gpt` beside PyTorch's same run (bench/torch_w9.py): wall time and final val loss.
//
//   node bench/w9.mjs [--iters 2000] [--backend wasm] [--threads 1] [--only chainrule,pytorch] [--rounds 1] [--json out.json]
//
// Each round runs the chainrule command (the built CLI, packages/cli/dist/main.js: run `npm run build` first) and then
// PyTorch's script, one after the other, never at once; with --rounds N they alternate N times, so a load spell on the
// shared host falls on both sides. Reports per system the process wall time, the training loop's time as the run
// itself prints it (evaluations included, start-up excluded) and the final train/val loss. Goals (issue 24): val loss
// within 0.03 of PyTorch's, wall time at most PyTorch's one-thread time.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function parseArgs(argv) {
  const o = { iters: 2000, backend: undefined, threads: 1, only: ["chainrule", "pytorch"], rounds: 1, json: undefined, seed: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--iters") o.iters = Number(value());
    else if (a === "--backend") o.backend = value();
    else if (a === "--threads") o.threads = Number(value());
    else if (a === "--only") o.only = value().split(",");
    else if (a === "--rounds") o.rounds = Number(value());
    else if (a === "--json") o.json = value();
    else if (a === "--seed") o.seed = Number(value());
    else throw new Error(`unknown option ${a}`);
  }
  for (const k of ["iters", "threads", "rounds"]) if (!Number.isInteger(o[k]) || o[k] < 1) throw new Error(`--${k} must be a positive integer`);
  if (!Number.isInteger(o.seed) || o.seed < 0) throw new Error("--seed must be an integer >= 0");
  return o;
}

/** Runs a command to its end; resolves with its output and wall time (s). */
function run(cmd, args, env = {}) {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", rej);
    child.on("close", (code) => {
      const seconds = (performance.now() - t0) / 1000;
      if (code !== 0) rej(new Error(`${cmd} ${args.join(" ")} exited with ${code}:\n${err.slice(-2000)}`));
      else res({ out, err, seconds });
    });
  });
}

async function runChainrule(o, dir) {
  const args = [join(root, "packages/cli/dist/main.js"), "train", "moby-dick", "--model", "gpt", "--iters", String(o.iters), "--seed", String(o.seed),
    "--no-progress", "--save", join(dir, "w9.safetensors")];
  if (o.backend !== undefined) args.push("--backend", o.backend);
  const { out, seconds } = await run(process.execPath, args);
  const final = /final val loss ([\d.]+) \(train ([\d.]+)\) after (\d+) iterations in ([\d.]+)s/.exec(out);
  if (final === null) throw new Error(`chainrule printed no final line:\n${out.slice(-2000)}`);
  const evals = [...out.matchAll(/iter (\d+)\/\d+: train loss ([\d.]+), val loss ([\d.]+)/g)].map((m) => ({ iter: Number(m[1]), trainLoss: Number(m[2]), valLoss: Number(m[3]) }));
  return { system: "chainrule", backend: o.backend ?? "default", iters: o.iters, valLoss: Number(final[1]), trainLoss: Number(final[2]), loopSeconds: Number(final[4]), seconds, history: evals };
}

async function runPytorch(o) {
  const { out, seconds } = await run("/usr/bin/python3", [join(root, "bench/torch_w9.py"), "--iters", String(o.iters), "--threads", String(o.threads), "--seed", String(o.seed)]);
  const line = out.trim().split("\n").at(-1);
  return { ...JSON.parse(line), seconds };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), "chainrule-w9-"));
  const results = [];
  try {
    for (let r = 1; r <= o.rounds; r++) {
      for (const sys of o.only) {
        const res = sys === "chainrule" ? await runChainrule(o, dir) : sys === "pytorch" ? await runPytorch(o) : null;
        if (res === null) throw new Error(`--only: unknown system ${sys} (chainrule, pytorch)`);
        results.push({ round: r, ...res });
        console.log(`round ${r} ${res.system} (${res.backend}): ${res.iters} iterations, wall ${res.seconds.toFixed(1)} s (loop ${res.loopSeconds.toFixed(1)} s), ` +
          `val loss ${res.valLoss.toFixed(4)}, train loss ${res.trainLoss.toFixed(4)}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const by = (sys) => results.filter((x) => x.system === sys);
  const summary = {};
  for (const sys of o.only) {
    const rs = by(sys);
    summary[sys] = { seconds: median(rs.map((x) => x.seconds)), loopSeconds: median(rs.map((x) => x.loopSeconds)), valLoss: median(rs.map((x) => x.valLoss)) };
  }
  console.log("\n| W9 | wall s | loop s | final val loss |\n|---|---:|---:|---:|");
  for (const [sys, s] of Object.entries(summary)) console.log(`| ${sys} | ${s.seconds.toFixed(1)} | ${s.loopSeconds.toFixed(1)} | ${s.valLoss.toFixed(4)} |`);
  if (summary.chainrule && summary.pytorch) {
    const dLoss = summary.chainrule.valLoss - summary.pytorch.valLoss;
    const ratio = summary.chainrule.seconds / summary.pytorch.seconds;
    console.log(`\nval loss chainrule − PyTorch: ${dLoss >= 0 ? "+" : ""}${dLoss.toFixed(4)} (goal: within 0.03: ${Math.abs(dLoss) <= 0.03 ? "met" : "missed"}); ` +
      `wall time ${ratio.toFixed(2)}× PyTorch ${o.threads}T (goal at most 1×: ${ratio <= 1 ? "met" : "missed"})`);
  }
  if (o.json !== undefined) writeFileSync(o.json, JSON.stringify({ options: o, results, summary }, null, 2));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
