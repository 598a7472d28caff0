// TensorFlow.js peer (cpu or wasm backend): node bench/peers/tfjs.mjs --backend cpu|wasm [--quick] [--only ...].
import { W1_SIZES, W2, W4_LENGTH, childArgs, emit, emitSamples, gflops, peakRssMiB, reportFailure, sample, timing, W2_TIMING, w1Problem, w2Problem, w4Problem } from "../lib/data.mjs";

const args = childArgs();
const backend = args.backend ?? "cpu";
const system = { system: "tfjs", backend };

/** W2 with TF.js's own Adam; the loss is read back with dataSync every step. */
function mlpWorkload(tf) {
  const { inputs, hidden, classes, batch, lr, betas, eps } = W2;
  const { weights, x, y } = w2Problem();
  const params = [
    tf.variable(tf.tensor2d(weights.W1, [inputs, hidden])), tf.variable(tf.tensor1d(weights.b1)),
    tf.variable(tf.tensor2d(weights.W2, [hidden, hidden])), tf.variable(tf.tensor1d(weights.b2)),
    tf.variable(tf.tensor2d(weights.W3, [hidden, classes])), tf.variable(tf.tensor1d(weights.b3)),
  ];
  const [W1v, b1, W2v, b2, W3v, b3] = params;
  const X = tf.tensor2d(x, [batch, inputs]);
  const Y = tf.oneHot(tf.tensor1d(y, "int32"), classes).toFloat();
  const optimizer = tf.train.adam(lr, betas[0], betas[1], eps);
  return () => {
    const loss = optimizer.minimize(() => {
      const h1 = tf.relu(tf.add(tf.matMul(X, W1v), b1));
      const h2 = tf.relu(tf.add(tf.matMul(h1, W2v), b2));
      return tf.losses.softmaxCrossEntropy(Y, tf.add(tf.matMul(h2, W3v), b3));
    }, true);
    const value = loss.dataSync()[0];
    loss.dispose();
    return value;
  };
}

async function main() {
  const tf = await import("@tensorflow/tfjs");
  if (backend === "wasm") await import("@tensorflow/tfjs-backend-wasm");
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} failed to start`);
  await tf.ready();
  const info = { version: tf.version.tfjs };
  if (backend === "wasm") info.simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  emit({ ...system, info });
  if (args.only.includes("W5")) {
    const step = mlpWorkload(tf);
    for (let i = 0; i < args.steps; i++) step();
    emit({ ...system, workload: "W5", value: peakRssMiB(), unit: "MiB", steps: args.steps });
    return;
  }
  if (args.only.includes("W1")) {
    for (const n of args.quick ? W1_SIZES.slice(0, 2) : W1_SIZES) {
      const { a, b } = w1Problem(n);
      const A = tf.tensor2d(a, [n, n]);
      const B = tf.tensor2d(b, [n, n]);
      const times = await sample(() => {
        const c = tf.matMul(A, B);
        c.dataSync();
        c.dispose();
      }, timing(args.quick, { warmup: 1, minReps: 3, maxReps: 30, budgetMs: 3000 }));
      emitSamples(system, `W1 N=${n}`, times, "GFLOP/s", (ms) => gflops(n, ms));
      A.dispose();
      B.dispose();
    }
  }
  if (args.only.includes("W2")) {
    const step = mlpWorkload(tf);
    const losses = [];
    const times = await sample(() => losses.push(step()), timing(args.quick, W2_TIMING));
    emitSamples(system, "W2", times, "ms", undefined, { note: `loss ${losses[0].toFixed(3)}→${losses.at(-1).toFixed(3)}` });
  }
  if (args.only.includes("W4")) {
    const { x, w, b } = w4Problem(W4_LENGTH);
    const X = tf.tensor1d(x);
    const Wt = tf.tensor1d(w);
    const Bt = tf.scalar(b);
    const grads = tf.grads((xs, ws, bs) => tf.sum(tf.relu(tf.add(tf.mul(xs, ws), bs))));
    const times = await sample(() => {
      const gs = grads([X, Wt, Bt]);
      for (const g of gs) g.dataSync();
      tf.dispose(gs);
    }, timing(args.quick, { warmup: 3, minReps: 10, maxReps: 30, budgetMs: 4000 }));
    emitSamples(system, "W4", times, "ms");
  }
}

// Exit explicitly: a backend's worker pool must not keep a finished child alive.
main()
  .catch((e) => reportFailure(system, e))
  .finally(() => process.exit());
