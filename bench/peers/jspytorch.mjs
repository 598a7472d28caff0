// js-pytorch peer (a devDependency; its gl and webgpu come from tools/stubs): nested float64 JS arrays on one thread.
import { W1_SIZES, W2, W4_LENGTH, childArgs, emit, emitSamples, gflops, peakRssMiB, reportFailure, sample, timing, w1Problem, w2Problem, w4Problem } from "../lib/data.mjs";

const args = childArgs();
const system = { system: "js-pytorch", backend: "cpu" };

/** Rows of a row-major flat array, as the nested arrays js-pytorch stores. */
const rows = (flat, r, c) => Array.from({ length: r }, (_, i) => Array.from(flat.subarray(i * c, (i + 1) * c)));

/** W2 with js-pytorch's Linear (weight stored [in, out], as the shared weights), CrossEntropyLoss and Adam. */
function mlpWorkload(torch) {
  const { nn, optim } = torch;
  const { inputs, hidden, classes, batch, lr, betas, eps } = W2;
  const { weights, x, y } = w2Problem();
  const layers = [new nn.Linear(inputs, hidden), new nn.ReLU(), new nn.Linear(hidden, hidden), new nn.ReLU(), new nn.Linear(hidden, classes)];
  layers[0].W._data = rows(weights.W1, inputs, hidden);
  layers[2].W._data = rows(weights.W2, hidden, hidden);
  layers[4].W._data = rows(weights.W3, hidden, classes);
  // js-pytorch's Linear draws a random bias; the workload starts from zero biases.
  for (const l of [layers[0], layers[2], layers[4]]) l.b._data = l.b._data.map((r) => (Array.isArray(r) ? r.map(() => 0) : 0));
  const params = layers.flatMap((l) => (l.W ? [l.W, l.b] : []));
  const optimizer = new optim.Adam(params, lr, 0, betas, eps);
  const lossFn = new nn.CrossEntropyLoss();
  const X = torch.tensor(rows(x, batch, inputs));
  const Y = torch.tensor(Array.from(y));
  return () => {
    let h = X;
    for (const l of layers) h = l.forward(h);
    const loss = lossFn.forward(h, Y);
    loss.backward();
    optimizer.step();
    optimizer.zero_grad();
    return Number(loss.data);
  };
}

async function main() {
  const { torch } = await import("js-pytorch");
  emit({ ...system, info: { note: "nested float64 arrays; its ReLU is leaky (slope 1e-3)" } });
  if (args.only.includes("W5")) {
    const step = mlpWorkload(torch);
    for (let i = 0; i < args.steps; i++) step();
    emit({ ...system, workload: "W5", value: peakRssMiB(), unit: "MiB", steps: args.steps });
    return;
  }
  if (args.only.includes("W1")) {
    for (const n of args.quick ? W1_SIZES.slice(0, 2) : W1_SIZES) {
      const { a, b } = w1Problem(n);
      const A = torch.tensor(rows(a, n, n)), B = torch.tensor(rows(b, n, n));
      // N=1024 takes tens of seconds a run in js-pytorch: two runs, no warm-up.
      const plan = n >= 1024 ? { warmup: 0, warmupMs: 0, minReps: 2, maxReps: 2, budgetMs: 0 } : { warmup: 1, minReps: 3, maxReps: 30, budgetMs: 3000 };
      const times = await sample(() => torch.matmul(A, B), timing(args.quick, plan));
      emitSamples(system, `W1 N=${n}`, times, "GFLOP/s", (ms) => gflops(n, ms));
    }
  }
  if (args.only.includes("W2")) {
    const step = mlpWorkload(torch);
    const losses = [];
    const times = await sample(() => losses.push(step()), timing(args.quick, { warmup: 2, minReps: 5, maxReps: 20, budgetMs: 15000 }));
    emitSamples(system, "W2", times, "ms", undefined, { note: `loss ${losses[0].toFixed(3)}→${losses.at(-1).toFixed(3)}` });
  }
  if (args.only.includes("W4")) {
    // It cannot broadcast [n] + scalar, but can [n, 1] + [1]: x and w become a million 1-element rows.
    const { x, w, b } = w4Problem(W4_LENGTH);
    const col = (f) => Array.from(f, (v) => [v]);
    const X = torch.tensor(col(x), true), Wt = torch.tensor(col(w), true), Bt = torch.tensor([b], true);
    const relu = new torch.nn.ReLU();
    const times = await sample(() => {
      X.zero_grad();
      Wt.zero_grad();
      Bt.zero_grad();
      relu.forward(X.mul(Wt).add(Bt)).sum(-1).sum(-1).backward();
    }, { warmup: 0, warmupMs: 0, minReps: args.quick ? 1 : 2, maxReps: 2, budgetMs: 0 });
    emitSamples(system, "W4", times, "ms", undefined, { note: "x, w as [1e6, 1]; no warm-up" });
  }
}

// Exit explicitly: a backend's worker pool must not keep a finished child alive.
main()
  .catch((e) => reportFailure(system, e))
  .finally(() => process.exit());
