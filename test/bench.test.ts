// Checks that the benchmark's chainrule workloads compute the right thing (never how fast): one quick run of each, on every registered backend.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { CANDIDATE_BACKENDS, countNodes, elementwiseWorkload, matmulWorkload, mlpWorkload, scalarWorkload, useBackend } from "../bench/workloads/chainrule.mjs";
import { mulberry32, w1Problem } from "../bench/lib/data.mjs";
import { combineRounds, renderTable } from "../bench/lib/table.mjs";

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
