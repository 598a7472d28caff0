// Checks that the benchmark's chainrule workloads compute the right thing (never how fast): one quick run of each, on every registered backend.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { CANDIDATE_BACKENDS, countNodes, elementwiseWorkload, matmulWorkload, mlpWorkload, scalarWorkload, useBackend } from "../bench/workloads/chainrule.mjs";
import { mulberry32, w1Problem } from "../bench/lib/data.mjs";
import { combineRounds, renderTable } from "../bench/lib/table.mjs";
import { GOALS, evaluateGoals, renderGoals } from "../bench/lib/goals.mjs";

const backends: string[] = [];
for (const name of CANDIDATE_BACKENDS) if ((await useBackend(name)) === null) backends.push(name);
await useBackend("cpu");

test("the seeded generator is mulberry32 (the Python side reproduces these draws)", () => {
  const next = mulberry32(42);
  const first = [next(), next(), next()];
  for (const u of first) assert.ok(u >= 0 && u < 1);
  const again = mulberry32(42);
  assert.deepEqual([again(), again(), again()], first);
});

for (const backend of backends) {
  test(`W1 matmul on ${backend} matches a float64 dot product`, async () => {
    await useBackend(backend);
    const n = 128;
    const { a, b } = w1Problem(n);
    const c = matmulWorkload(n)();
    for (const [i, j] of [[0, 0], [5, 77], [127, 127]] as const) {
      let dot = 0;
      for (let k = 0; k < n; k++) dot += (a[i * n + k] as number) * (b[k * n + j] as number);
      assert.ok(Math.abs((c[i * n + j] as number) - dot) < 1e-3 * Math.max(1, Math.abs(dot)), `C[${i},${j}]`);
    }
  });

  test(`W2 on ${backend}: the loss decreases over a few Adam steps from the peers' starting loss`, async () => {
    await useBackend(backend);
    const mlp = mlpWorkload();
    const losses = Array.from({ length: 5 }, () => mlp.step());
    // 3.033 is the first loss TF.js, jax-js and PyTorch report for the same weights and batch.
    assert.ok(Math.abs((losses[0] as number) - 3.033) < 5e-3, `first loss ${losses[0]}`);
    for (let i = 1; i < losses.length; i++) assert.ok((losses[i] as number) < (losses[i - 1] as number), `losses ${losses.join(", ")}`);
    // The bench's "+graph" column: the same step captured once and replayed, to the same bits.
    const captured = mlpWorkload({ graph: true });
    assert.deepEqual(Array.from({ length: 5 }, () => captured.step()), losses);
  });

  test(`W4 on ${backend}: gradients match the closed form`, async () => {
    await useBackend(backend);
    const ew = elementwiseWorkload(10_000);
    ew.run();
    const { gx, gw, gb } = ew.grads();
    const { x, w, b } = ew.problem;
    let active = 0;
    for (let i = 0; i < x.length; i++) {
      // d/dx Σ relu(x·w + b) = w·[x·w + b > 0], d/dw = x·[…], d/db = count of active elements
      const on = Math.fround((x[i] as number) * (w[i] as number)) + b > 0;
      if (on) active++;
      assert.ok(gx[i] === (on ? w[i] : 0), `gx[${i}]`); // === so that -0 (w·0) counts as 0
      assert.ok(gw[i] === (on ? x[i] : 0), `gw[${i}]`);
    }
    assert.equal(gb, active);
  });
}
await useBackend("cpu");

test("W3: the micrograd-style graph has 21,074 nodes and its gradients are finite", () => {
  const scalar = scalarWorkload();
  const loss = scalar.run();
  assert.equal(countNodes(loss), 21_074);
  assert.ok(Number.isFinite(loss.data) && loss.data > 0);
  assert.ok(scalar.params.every((p) => Number.isFinite(p.grad)));
  assert.ok(scalar.params.some((p) => p.grad !== 0));
});

test("bench/run.mjs --quick prints one table with a chainrule column", { timeout: 240_000 }, () => {
  // Only chainrule: the peers are covered by the bench itself, and the test must not depend on them.
  const run = spawnSync(process.execPath, ["bench/run.mjs", "--quick", "--only", "chainrule"], { encoding: "utf8", timeout: 230_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /\| workload \| unit \| chainrule cpu/);
  for (const row of ["W1 matmul N=128", "W2 MLP train step", "W3 scalar graph", "W4 sum(relu", "W5 peak RSS"]) assert.match(run.stdout, new RegExp(row.replace(/[()]/g, "\\$&")));
  assert.match(run.stdout, /peak-FMA probe/);
  // Every goal gets a line; the peers did not run, so the goals against them say so.
  assert.match(run.stdout, /The speed issue's goals in this run/);
  for (const g of GOALS) assert.ok(run.stdout.includes(`- ${g.goal}: `), g.goal);
  assert.match(run.stdout, /- W2 3× jax-js: not measured\. jax-js wasm\+jit not measured\./);
});

test("the speed issue's goals: medians against thresholds and peers, each round's ratio beside, the right backend judged", () => {
  const rec = (system: string, backend: string, workload: string, rounds: number[]) => ({ system, backend, workload, value: rounds.slice().sort((a, b) => a - b)[rounds.length >> 1]!, rounds });
  const results = [
    rec("chainrule", "cpu", "W1 N=1024", [6, 7, 8]),
    rec("chainrule", "wasm", "W1 N=1024", [59, 61, 70]),
    rec("tfjs", "wasm", "W1 N=1024", [20, 20, 20]),
    rec("tfjs", "cpu", "W1 N=1024", [0.5, 0.8, 0.7]),
    rec("chainrule", "wasm", "W2", [5.5, 4.5, 4.9]),
    rec("chainrule", "cpu", "W2", [40, 30, 35]),
    rec("jax-js", "wasm+jit", "W2", [15, 15, 16.5]),
    rec("pytorch", "cpu 1T", "W2", [5, 6, 7]),
    rec("tfjs", "cpu", "W2", [350, 360, 370]),
    rec("chainrule", "wasm", "W5", [99, 100.5, 101]),
    rec("chainrule", "cpu", "W5", [90, 91, 92]),
  ];
  const byGoal = new Map(evaluateGoals(results).map((g) => [g.goal, g]));
  const check = (goal: string, met: boolean | undefined, text: RegExp) => {
    const g = byGoal.get(goal);
    assert.ok(g !== undefined, goal);
    assert.equal(g.met, met, goal);
    assert.match(g.text, text, goal);
  };
  check("W1 N=1024 at least 60 GFLOP/s", true, /^chainrule wasm 61\.0 GFLOP\/s \(rounds 59\.0 \/ 61\.0 \/ 70\.0\)$/);
  // Rates: ours / peer; times: peer / ours, per round too.
  check("W1 N=1024 3.5× TF.js wasm", false, /^3\.05× \(rounds 2\.95× \/ 3\.05× \/ 3\.50×\)/);
  check("W2 at most 5 ms", true, /^chainrule wasm 4\.90 ms/);
  check("W2 3× jax-js", true, /^3\.06× \(rounds 2\.73× \/ 3\.33× \/ 3\.37×\): chainrule wasm 4\.90 against jax-js wasm\+jit 15\.0$/);
  check("W2 as fast as PyTorch on 1 thread", true, /^1\.22×/);
  // The cpu goals judge the cpu column, not chainrule's best.
  check("cpu backend 10× TF.js cpu on W1 N=1024", true, /^10\.0× \(rounds 12\.0× \/ 8\.75× \/ 11\.4×\): chainrule cpu 7\.00/);
  check("cpu backend 10× TF.js cpu on W2", true, /^10\.3× \(rounds 8\.75× \/ 12\.0× \/ 10\.6×\): chainrule cpu 35\.0 against tfjs cpu 360\.0$/);
  // Memory: every backend must be under it, so the worst one is judged.
  check("W5 under 100 MiB", false, /^chainrule wasm 100\.5 MiB/);
  check("W4 faster than PyTorch on 2 threads", undefined, /chainrule not measured/);
  check("cpu backend 10× TF.js cpu on W4", undefined, /chainrule not measured/);
  assert.deepEqual(renderGoals([{ goal: "g", met: false, text: "t" }, { goal: "h", met: undefined, text: "u" }]), ["- g: NOT met. t.", "- h: not measured. u."]);
});

test("--rounds: a cell is the median of its rounds' values, and other records are kept once", () => {
  const rec = (backend: string, workload: string, value: number) => ({ system: "chainrule", backend, workload, value, unit: "ms" });
  const info = { system: "tfjs", backend: "wasm", info: { version: "4.22.0" } };
  const combined = combineRounds([rec("wasm", "W2", 5), info, rec("cpu", "W2", 30), rec("wasm", "W2", 9), info, rec("wasm", "W2", 4), rec("cpu", "W2", 34)]);
  assert.equal(combined.filter((r) => r.info !== undefined).length, 1);
  const w2 = (backend: string) => combined.find((r) => r.backend === backend && r.workload === "W2");
  assert.deepEqual([w2("wasm")?.value, w2("wasm")?.rounds], [5, [5, 9, 4]]);
  assert.deepEqual([w2("cpu")?.value, w2("cpu")?.rounds], [32, [30, 34]]);
  const table = renderTable([{ key: "W2", label: "W2", unit: "ms", higher: false }], ["chainrule cpu", "chainrule wasm"], combined);
  assert.match(table, /\| W2 \| ms ↓ \| 32\.0 \(×6\.40\) \| 5\.00 \(×1\.00\) \|/);
});
