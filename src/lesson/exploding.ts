// Experiment "exploding": a deep stack with too-large weights blows its gradients up to Inf/NaN; clipGradNorm_ holds them at the max.
import { watch } from "../diagnostics/watch.js";
import { ArgumentError } from "../errors.js";
import { Sequential } from "../nn/container.js";
import { mseLoss } from "../nn/functional/loss.js";
import { normal } from "../nn/init.js";
import { Linear } from "../nn/linear.js";
import type { AnyModule } from "../nn/module.js";
import { clipGradNorm_ } from "../optim/clip.js";
import { SGD } from "../optim/sgd.js";
import { manualSeed } from "../random.js";
import { randn } from "../tensor/creation.js";
import type { ExperimentOptions, ExperimentResult } from "./common.js";
import { noPrint, num } from "./common.js";
import { l2Norm } from "../diagnostics/stats.js";

/** Options of the "exploding" experiment. */
export interface ExplodingOptions extends ExperimentOptions {
  /** Linear layers in the stack (default 12). */
  depth?: number;
  /** Standard deviation of the weights, as a multiple of 1/√width (default 1.3: each layer multiplies the signal by about 1.3). */
  weightScale?: number;
  /** Training steps per run (default 12). */
  steps?: number;
  /** The clipping threshold (default 1). */
  maxNorm?: number;
}

/** One run's trace. */
export interface ExplodingRun {
  /** The loss before each step. */
  losses: number[];
  /** The total gradient norm from backward, before any clipping. */
  gradNorms: number[];
  /** The total gradient norm the optimizer used (after clipping, where clipped). */
  usedNorms: number[];
  /** The first step whose loss or gradient was Inf or NaN, or null. */
  nonFiniteAt: number | null;
}

/** Numbers of the "exploding" experiment. */
export interface ExplodingResult extends ExperimentResult {
  /** Training the deep network as it is: its gradients, growing exponentially with depth, overflow to Infinity and NaN. */
  unclipped: ExplodingRun;
  /** The same training with the gradients' total norm clipped to `maxNorm` (`cr.nn.utils.clipGradNorm_`). */
  clipped: ExplodingRun;
  /** The clipping threshold of the clipped run: the largest total gradient norm a step may use. */
  maxNorm: number;
  /** Whether `cr.diagnostics.watch` flagged the unclipped run as exploding. */
  flagged: boolean;
}

function build(depth: number, width: number, scale: number): Sequential {
  const layers: AnyModule[] = [];
  for (let i = 0; i < depth; i++) {
    const fc = new Linear(width, width);
    normal(fc.weight, 0, scale / Math.sqrt(width));
    layers.push(fc);
  }
  return new Sequential(...layers);
}

/**
 * Exploding gradients: weights larger than the initialisation the layers need make every layer multiply
 * the gradient, which grows exponentially with depth and, after a few steps, overflows to Inf and NaN.
 * The same network and data with `clipGradNorm_(params, maxNorm)` between backward and step trains
 * with gradients of norm exactly `maxNorm` and stays finite.
 * @example
 * const r = cr.lesson.exploding();
 * r.unclipped.nonFiniteAt !== null && r.clipped.nonFiniteAt === null; // true
 */
export function exploding(opts: ExplodingOptions = {}): ExplodingResult {
  const print = opts.print ?? noPrint;
  const depth = opts.depth ?? 12;
  const scale = opts.weightScale ?? 1.3;
  const steps = opts.steps ?? 12;
  const maxNorm = opts.maxNorm ?? 1;
  if (!Number.isInteger(depth) || depth < 2 || !Number.isInteger(steps) || steps < 1) throw new ArgumentError("lesson exploding: depth must be an integer >= 2 and steps >= 1");
  if (!(maxNorm > 0) || !(scale > 0)) throw new ArgumentError("lesson exploding: maxNorm and weightScale must be positive");
  const width = 16;
  const seed = opts.seed ?? 0;
  manualSeed(seed);
  const x = randn([64, width]);
  const y = randn([64, width]);

  let flagged = false;
  const run = (clip: boolean): ExplodingRun => {
    manualSeed(seed + 1); // the same initial weights for both runs
    const model = build(depth, width, scale);
    const params = model.parameters();
    const opt = new SGD(params, { lr: 0.01 });
    const w = clip ? null : watch(model);
    const trace: ExplodingRun = { losses: [], gradNorms: [], usedNorms: [], nonFiniteAt: null };
    for (let s = 0; s < steps; s++) {
      opt.zeroGrad();
      const loss = mseLoss(model.forward(x), y);
      loss.backward();
      const total = clip ? clipGradNorm_(params, maxNorm).item() : l2Norm(params.map((p) => p.grad!));
      opt.step();
      w?.record();
      trace.losses.push(loss.item());
      trace.gradNorms.push(total);
      trace.usedNorms.push(l2Norm(params.map((p) => p.grad!)));
      if (trace.nonFiniteAt === null && !(Number.isFinite(total) && Number.isFinite(loss.item()))) trace.nonFiniteAt = s + 1;
    }
    if (w !== null) {
      flagged = w.report().flags.some((f) => f.kind === "exploding");
      w.remove();
    }
    return trace;
  };
  const unclipped = run(false);
  const clipped = run(true);

  print(`Exploding gradients: ${depth} Linear layers with weights N(0, (${scale}/√${width})²), so each layer multiplies by about ${scale}.`);
  print(`SGD, lr 0.01, ${steps} steps on the same data, without and with cr.nn.utils.clipGradNorm_(params, ${maxNorm}):`);
  print("   step      loss   grad norm │  loss (clipped)   grad norm → after clipping");
  for (let s = 0; s < steps; s++) {
    print(`   ${String(s + 1).padStart(4)}  ${num(unclipped.losses[s]!).padStart(8)}  ${num(unclipped.gradNorms[s]!).padStart(10)} │  ${num(clipped.losses[s]!).padStart(14)}  ${num(clipped.gradNorms[s]!).padStart(10)} → ${num(clipped.usedNorms[s]!)}`);
  }
  print(unclipped.nonFiniteAt === null
    ? "   without clipping the run stayed finite this time"
    : `   without clipping: Inf/NaN at step ${unclipped.nonFiniteAt} — the weights are destroyed${flagged ? " (cr.diagnostics.watch flags it as exploding)" : ""}`);
  print(`   with clipping: every step uses a gradient of norm ≤ ${maxNorm}, and the loss stays finite.`);
  print("Remedies: gradient clipping, a proper initialisation (see `chainrule lesson vanishing`: Kaiming keeps the norm flat), a lower learning rate.");
  const clippedHeld = clipped.usedNorms.every((n, s) => n <= maxNorm * (1 + 1e-4) && (clipped.gradNorms[s]! <= maxNorm || Math.abs(n - maxNorm) < 1e-3 * maxNorm));
  const holds = unclipped.nonFiniteAt !== null && clipped.nonFiniteAt === null && clippedHeld && flagged;
  return { name: "exploding", claim: "too-large weights make gradients grow to Inf/NaN; gradient clipping keeps their norm at the max", holds, unclipped, clipped, maxNorm, flagged };
}
