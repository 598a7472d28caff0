// jax-js peer (wasm device, jit): node bench/peers/jaxjs.mjs [--quick] [--only ...]. Every jax-js op consumes its inputs; `.ref` keeps one.
import { W1_SIZES, W2, W4_LENGTH, childArgs, emit, emitSamples, gflops, peakRssMiB, reportFailure, sample, timing, W2_TIMING, w1Problem, w2Problem, w4Problem } from "../lib/data.mjs";

const args = childArgs();
const device = "wasm"; // init() without a device probes WebGPU and throws under Node 20
const system = { system: "jax-js", backend: "wasm+jit" };

/** W2 with Adam written out (jax-js ships no optimizers): bias-corrected step size computed on the host. */
function mlpWorkload({ numpy: np, nn, tree, jit, valueAndGrad }) {
  const { inputs, hidden, classes, batch, lr, betas, eps } = W2;
  const [beta1, beta2] = betas;
  const { weights, x, y } = w2Problem();
  const shapes = { W1: [inputs, hidden], b1: [hidden], W2: [hidden, hidden], b2: [hidden], W3: [hidden, classes], b3: [classes] };
  let p = {}, m = {}, v = {};
  for (const [k, shape] of Object.entries(shapes)) {
    p[k] = np.array(weights[k]).reshape(shape);
    m[k] = np.zeros(shape);
    v[k] = np.zeros(shape);
  }
  const X = np.array(x).reshape([batch, inputs]);
  const Y = nn.oneHot(np.array(y, { dtype: np.int32 }), classes).astype(np.float32);
  const lossFn = (q, xs, ys) => {
    const h1 = nn.relu(np.matmul(xs, q.W1).add(q.b1));
    const h2 = nn.relu(np.matmul(h1, q.W2).add(q.b2));
    return nn.logSoftmax(np.matmul(h2, q.W3).add(q.b3), -1).mul(ys).sum().mul(-1 / batch);
  };
  const update = jit((q, mq, vq, xs, ys, stepSize) => {
    const [loss, g] = valueAndGrad(lossFn)(tree.ref(q), xs, ys);
    const q2 = {}, m2 = {}, v2 = {};
    for (const k in q) {
      m2[k] = mq[k].mul(beta1).add(g[k].ref.mul(1 - beta1));
      v2[k] = vq[k].mul(beta2).add(g[k].ref.mul(g[k]).mul(1 - beta2));
      q2[k] = q[k].sub(m2[k].ref.mul(stepSize.ref).div(np.sqrt(v2[k].ref).add(eps)));
    }
    stepSize.dispose();
    return [q2, m2, v2, loss];
  });
  let t = 0;
  return () => {
    t++;
    const stepSize = np.array((lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t));
    let loss;
    [p, m, v, loss] = update(p, m, v, X.ref, Y.ref, stepSize);
    return loss.item();
  };
}

async function main() {
  const jax = await import("@jax-js/jax");
  const { numpy: np, nn, init, defaultDevice, jit, grad } = jax;
  await init(device);
  defaultDevice(device);
  emit({ ...system, info: { threads: 1 } });
  if (args.only.includes("W5")) {
    const step = mlpWorkload(jax);
    for (let i = 0; i < args.steps; i++) step();
    emit({ ...system, workload: "W5", value: peakRssMiB(), unit: "MiB", steps: args.steps });
    return;
  }
  if (args.only.includes("W1")) {
    const mm = jit((a, b) => np.matmul(a, b));
    for (const n of args.quick ? W1_SIZES.slice(0, 2) : W1_SIZES) {
      const { a, b } = w1Problem(n);
      const A = np.array(a).reshape([n, n]);
      const B = np.array(b).reshape([n, n]);
      const times = await sample(() => mm(A.ref, B.ref).dataSync(), timing(args.quick, { warmup: 1, minReps: 3, maxReps: 30, budgetMs: 3000 }));
      emitSamples(system, `W1 N=${n}`, times, "GFLOP/s", (ms) => gflops(n, ms));
      A.dispose();
      B.dispose();
    }
  }
  if (args.only.includes("W2")) {
    const step = mlpWorkload(jax);
    const losses = [];
    const times = await sample(() => losses.push(step()), timing(args.quick, W2_TIMING));
    emitSamples(system, "W2", times, "ms", undefined, { note: `loss ${losses[0].toFixed(3)}→${losses.at(-1).toFixed(3)}` });
  }
  if (args.only.includes("W4")) {
    const { x, w, b } = w4Problem(W4_LENGTH);
    const X = np.array(x), Wt = np.array(w), Bt = np.array(b);
    const grads = jit(grad((xs, ws, bs) => nn.relu(xs.mul(ws).add(bs)).sum(), { argnums: [0, 1, 2] }));
    const times = await sample(() => {
      const [gx, gw, gb] = grads(X.ref, Wt.ref, Bt.ref);
      gx.dataSync();
      gw.dataSync();
      gb.item();
    }, timing(args.quick, { warmup: 3, minReps: 10, maxReps: 30, budgetMs: 4000 }));
    emitSamples(system, "W4", times, "ms");
  }
}

// Exit explicitly: a backend's worker pool must not keep a finished child alive.
main()
  .catch((e) => reportFailure(system, e))
  .finally(() => process.exit());
