// Experiment "cost": the backward pass costs about as much as the forward pass — counted in operations and FLOPs, and timed.
import { ArgumentError } from "../errors.js";
import { crossEntropy } from "../nn/functional/loss.js";
import { mlp } from "../models/index.js";
import { manualSeed } from "../random.js";
import { randint, randn } from "../tensor/creation.js";
import type { ExperimentOptions, ExperimentResult } from "./common.js";
import { graphSize, median, noPrint, num } from "./common.js";

/** Options of the "cost" experiment. */
export interface CostOptions extends ExperimentOptions {
  /** Layer widths of the MLP, input first (default [784, 256, 128, 10], the MNIST network). */
  sizes?: number[];
  /** Samples per batch (default 64). */
  batch?: number;
  /** Timed repetitions; the median is reported (default 10). */
  reps?: number;
}

/** Numbers of the "cost" experiment. */
export interface CostResult extends ExperimentResult {
  /** Operations the forward pass recorded, which is the number of nodes the backward pass runs. */
  nodes: number;
  /** Multiply-adds ×2 of the matrix products: forward, and backward (weight gradients, plus input gradients except for the first layer). */
  flops: { forward: number; backward: number };
  /** Median wall times in milliseconds (measured, machine-dependent). */
  forwardMs: number;
  /** The backward pass's median time, in milliseconds (measured, machine-dependent). */
  backwardMs: number;
  /** backwardMs / forwardMs. */
  ratio: number;
}

/**
 * The lesson's "key observation": backward has the same complexity as forward, O(n) in the number of
 * operations. The forward pass of an MLP records n nodes and backward runs exactly those n; each
 * matrix product a·b costs one product forward and at most two backward (∂a and ∂b), so backward needs
 * at most twice the FLOPs — and the measured times show the same ratio.
 * @example
 * const r = cr.lesson.cost({ print: console.log });
 * r.ratio; // about 1–2.5 (measured)
 */
export function cost(opts: CostOptions = {}): CostResult {
  const print = opts.print ?? noPrint;
  const sizes = opts.sizes ?? [784, 256, 128, 10];
  const batch = opts.batch ?? 64;
  const reps = opts.reps ?? 10;
  if (sizes.length < 2 || !Number.isInteger(batch) || batch < 1 || !Number.isInteger(reps) || reps < 1) throw new ArgumentError("lesson cost: sizes needs two or more widths; batch and reps must be positive integers");
  manualSeed(opts.seed ?? 0);
  const model = mlp({ inputs: sizes[0]!, hidden: sizes.slice(1, -1), outputs: sizes.at(-1)! });
  const x = randn([batch, sizes[0]!]);
  const y = randint(0, sizes.at(-1)!, [batch]);

  let nodes = 0;
  const fwd: number[] = [];
  const bwd: number[] = [];
  for (let r = 0; r <= reps; r++) {
    model.zeroGrad();
    const t0 = performance.now();
    const loss = crossEntropy(model.forward(x), y);
    const t1 = performance.now();
    nodes = graphSize(loss);
    const t2 = performance.now();
    loss.backward();
    const t3 = performance.now();
    if (r > 0) { // the first run warms up the JIT
      fwd.push(t1 - t0);
      bwd.push(t3 - t2);
    }
  }
  const products = sizes.slice(1).map((out, i) => 2 * batch * sizes[i]! * out);
  const flops = { forward: products.reduce((a, b) => a + b, 0), backward: products.reduce((a, b, i) => a + (i === 0 ? b : 2 * b), 0) };
  const forwardMs = median(fwd);
  const backwardMs = median(bwd);
  const ratio = backwardMs / forwardMs;

  print(`Forward vs backward cost: MLP ${sizes.join("-")}, batch ${batch}, cross-entropy, median of ${reps} runs.`);
  print(`   operations: forward records ${nodes} nodes; backward runs the same ${nodes} — O(n) both ways`);
  print(`   matrix-product FLOPs: forward ${num(flops.forward)}, backward ${num(flops.backward)} (${num(flops.backward / flops.forward, 2)}×: ∂W for every layer, ∂x for all but the first)`);
  print(`   measured: forward ${num(forwardMs, 2)} ms, backward ${num(backwardMs, 2)} ms, backward/forward = ${num(ratio, 2)}`);
  print("   gradients for all parameters in one pass costing about one to two forward passes: what made deep learning affordable.");
  const holds = nodes > 0 && flops.backward <= 2 * flops.forward && flops.backward >= flops.forward;
  return { name: "cost", claim: "the backward pass has the same O(n) complexity as the forward pass (at most about 2× its FLOPs)", holds, nodes, flops, forwardMs, backwardMs, ratio };
}
