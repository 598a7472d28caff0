// Times W4 and the W2 MLP step on the cpu backend, alternating with an optional second copy of the sources in one process.

// A shared, noisy host makes timings from separate runs incomparable, so a snapshot of the sources taken
// before a change (a copy of src/ placed where it still resolves node_modules) is loaded beside the current
// ones and the two are measured in turns:
// `node --conditions=chainrule-source --import tsx tools/cpu-bench.mjs [--baseline old/src/index.ts] [--rounds N]`.
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import * as current from "chainrule";
import { W2, median, w2Problem, w4Problem } from "../bench/lib/data.mjs";

const args = process.argv.slice(2);
const flag = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const rounds = Number(flag("--rounds") ?? 15);
const baselinePath = flag("--baseline");

// W4 as bench/workloads/chainrule.mjs writes it, against any copy of the library.
function w4(cr) {
  const p = w4Problem(1_000_000);
  const x = cr.tensor(p.x, { requiresGrad: true });
  const w = cr.tensor(p.w, { requiresGrad: true });
  const b = cr.tensor(p.b, { requiresGrad: true });
  return () => {
    x.grad = null; w.grad = null; b.grad = null;
    cr.relu(x.mul(w).add(b)).sum().backward();
    return [x.grad.toTypedArray(), w.grad.toTypedArray(), b.grad.item()];
  };
}

// W2 as bench/workloads/chainrule.mjs writes it; returns the step and the losses it produced.
function w2(cr) {
  const { inputs, hidden, classes, batch, lr, betas, eps } = W2;
  const { weights, x, y } = w2Problem();
  const layer = (w, fanIn, fanOut) => {
    const l = new cr.nn.Linear(fanIn, fanOut);
    cr.noGrad(() => { l.weight.copy_(cr.tensor(w).reshape([fanIn, fanOut]).t()); l.bias.zero_(); });
    return l;
  };
  const model = new cr.nn.Sequential(layer(weights.W1, inputs, hidden), new cr.nn.ReLU(),
    layer(weights.W2, hidden, hidden), new cr.nn.ReLU(), layer(weights.W3, hidden, classes));
  const opt = new cr.optim.Adam(model.parameters(), { lr, betas, eps });
  const X = cr.tensor(x).reshape([batch, inputs]);
  const Y = cr.tensor(y);
  return () => {
    opt.zeroGrad();
    const loss = cr.nn.functional.crossEntropy(model.forward(X), Y);
    loss.backward();
    opt.step();
    return loss.item();
  };
}

const systems = [["current", current]];
if (baselinePath !== undefined) systems.unshift(["baseline", await import(pathToFileURL(resolve(baselinePath)).href)]);
for (const [, cr] of systems) cr.setBackend("cpu");

for (const [name, make, warm] of [["W2", w2, 5], ["W4", w4, 3]]) {
  const runs = systems.map(([label, cr]) => ({ label, run: make(cr), times: [], out: undefined }));
  for (const r of runs) for (let i = 0; i < warm; i++) r.out = r.run();
  for (let k = 0; k < rounds; k++) {
    for (const r of k % 2 === 0 ? runs : [...runs].reverse()) {
      const t0 = performance.now();
      r.out = r.run();
      r.times.push(performance.now() - t0);
    }
  }
  const line = runs.map((r) => `${r.label} ${median(r.times).toFixed(1)} ms (min ${Math.min(...r.times).toFixed(1)})`).join("   ");
  console.log(`${name}: ${line}`);
  if (runs.length === 2) {
    // The two copies must compute the same numbers: compare the last outputs bit for bit.
    const [p, q] = runs.map((r) => r.out);
    const same = name === "W2" ? Object.is(p, q)
      : p.every((v, i) => (typeof v === "number" ? Object.is(v, q[i]) : v.every((e, j) => Object.is(e, q[i][j]))));
    console.log(`  ratio baseline/current ${(median(runs[0].times) / median(runs[1].times)).toFixed(2)}x, identical output: ${same}`);
  }
}
