// Before and after a change, in one run: chainrule's own workloads (W1–W5) from another commit's build and from
// this checkout's, alternately, so both meet the same host load; prints each workload's medians and their ratio.
//   node bench/compare.mjs <commit> [--rounds 3] [--backends cpu,wasm]
// The other commit is checked out into a temporary worktree and built there (npm ci, npm run build); this
// checkout's dist/ must be built (`npm run build`). Ratios are after/before: below 1 is faster for times, above 1
// for GFLOP/s.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const flag = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const ref = argv.find((a, i) => !a.startsWith("--") && (i === 0 || !argv[i - 1].startsWith("--")));
if (ref === undefined) {
  console.error("usage: node bench/compare.mjs <commit> [--rounds N] [--backends cpu,wasm]");
  process.exit(2);
}
const rounds = Number(flag("--rounds", "3"));
const backends = flag("--backends", "cpu,wasm").split(",");
if (!existsSync(join(root, "dist", "index.js"))) {
  console.error("compare: build this checkout first (npm run build)");
  process.exit(2);
}

const sha = execFileSync("git", ["rev-parse", "--short", ref], { cwd: root, encoding: "utf8" }).trim();
const before = mkdtempSync(join(tmpdir(), `chainrule-${sha}-`));
console.error(`compare: building ${sha} in ${before}`);
execFileSync("git", ["worktree", "add", "--detach", before, sha], { cwd: root, stdio: "inherit" });
try {
  execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: before, stdio: "ignore" });
  execFileSync("npm", ["run", "build"], { cwd: before, stdio: "ignore" });

  // One child per (side, backend, variant): its medians by workload.
  const run = (cwd, backend, extra) => {
    const out = spawnSync(process.execPath, ["bench/workloads/child.mjs", "--backend", backend, ...extra], { cwd, encoding: "utf8", timeout: 600_000 });
    const values = new Map();
    for (const line of (out.stdout ?? "").split("\n")) {
      if (!line.startsWith("{")) continue;
      const r = JSON.parse(line);
      if (r.workload !== undefined && typeof r.value === "number") values.set(`${r.workload}${r.size === undefined ? "" : ` N=${r.size}`}`, { value: r.value, unit: r.unit });
    }
    return values;
  };
  const variants = backends.flatMap((b) => [[b, [], b], [b, ["--only", "W5", "--steps", "50"], `${b} (W5)`], ...(b === "wasm" ? [[b, ["--graph"], "wasm+graph"]] : [])]);
  const results = new Map(); // label/workload → { before: [], after: [], unit }
  for (let r = 0; r < rounds; r++) {
    for (const [backend, extra, label] of variants) {
      for (const [side, cwd] of [["before", before], ["after", root]]) {
        console.error(`compare: round ${r + 1}/${rounds}, ${label}, ${side}`);
        for (const [workload, { value, unit }] of run(cwd, backend, extra)) {
          const key = `${label.replace(" (W5)", "")} ${workload}`;
          if (!results.has(key)) results.set(key, { before: [], after: [], unit });
          results.get(key)[side].push(value);
        }
      }
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`\n| workload | unit | ${sha} (before) | this checkout (after) | after/before |`);
  console.log("|---|---|---:|---:|---:|");
  for (const [key, { before: b, after: a, unit }] of results) {
    if (b.length === 0 || a.length === 0) continue;
    const [mb, ma] = [median(b), median(a)];
    console.log(`| ${key} | ${unit} | ${mb.toPrecision(3)} | ${ma.toPrecision(3)} | ${(ma / mb).toFixed(2)} |`);
  }
  console.log(`\nMedians of ${rounds} alternating runs; each run's value is already its own median over its timed steps.`);
} finally {
  execFileSync("git", ["worktree", "remove", "--force", before], { cwd: root, stdio: "ignore" });
}
