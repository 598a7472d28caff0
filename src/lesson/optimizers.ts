// Experiment "optimizers": the same backprop gradients fed to SGD, Adam and RMSprop on XOR — different paths, all downhill.
import { xor } from "../data/synthetic.js";
import { ArgumentError } from "../errors.js";
import { crossEntropy } from "../nn/functional/loss.js";
import { mlp } from "../models/index.js";
import { Adam } from "../optim/adam.js";
import type { Optimizer } from "../optim/optimizer.js";
import { RMSprop } from "../optim/rmsprop.js";
import { SGD } from "../optim/sgd.js";
import type { Parameter } from "../nn/parameter.js";
import { manualSeed } from "../random.js";
import type { ExperimentOptions, ExperimentResult } from "./common.js";
import { chart, legendOf, noPrint, num, printBlock } from "./common.js";

/** The optimizers compared, with the learning rates used. */
export const OPTIMIZER_SETUPS = {
  SGD: { lr: 0.5, make: (p: Parameter[]): Optimizer => new SGD(p, { lr: 0.5 }) },
  Adam: { lr: 0.05, make: (p: Parameter[]): Optimizer => new Adam(p, { lr: 0.05 }) },
  RMSprop: { lr: 0.01, make: (p: Parameter[]): Optimizer => new RMSprop(p, { lr: 0.01 }) },
} as const;
/** The optimizers the "optimizers" experiment compares: `"SGD"`, `"Adam"`, `"RMSprop"`. */
export type OptimizerName = keyof typeof OPTIMIZER_SETUPS;

/** Options of the "optimizers" experiment. */
export interface OptimizersOptions extends ExperimentOptions {
  /** Steps per optimizer (default 200). */
  steps?: number;
  /** Draw the loss curves with asciichart (default true). */
  plot?: boolean;
}

/** Numbers of the "optimizers" experiment. */
export interface OptimizersResult extends ExperimentResult {
  /** The number of training steps each optimizer took. */
  steps: number;
  /** The loss before every step, per optimizer. */
  losses: Record<OptimizerName, number[]>;
  /** The loss after the last step, and the accuracy on the four XOR points. */
  final: Record<OptimizerName, { loss: number; accuracy: number }>;
}

/**
 * Backprop is not gradient descent: it computes the gradients, the optimizer decides what to do with
 * them. The same 2-8-2 tanh network, from the same initial weights, trained on XOR by SGD, Adam and RMSprop.
 * @example
 * const r = cr.lesson.optimizers({ steps: 100 });
 * r.final.Adam.loss < r.losses.Adam[0]; // true
 */
export function optimizers(opts: OptimizersOptions = {}): OptimizersResult {
  const print = opts.print ?? noPrint;
  const steps = opts.steps ?? 200;
  if (!Number.isInteger(steps) || steps < 1) throw new ArgumentError(`lesson optimizers: steps must be a positive integer, got ${steps}`);
  const { x, y } = xor();
  const names = Object.keys(OPTIMIZER_SETUPS) as OptimizerName[];
  const losses = {} as Record<OptimizerName, number[]>;
  const final = {} as Record<OptimizerName, { loss: number; accuracy: number }>;
  for (const name of names) {
    manualSeed(opts.seed ?? 0); // the same initial weights for every optimizer
    const model = mlp({ inputs: 2, hidden: [8], outputs: 2, activation: "tanh" });
    const opt = OPTIMIZER_SETUPS[name].make(model.parameters());
    const trace: number[] = [];
    for (let s = 0; s < steps; s++) {
      opt.zeroGrad();
      const loss = crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      trace.push(loss.item());
    }
    const out = model.forward(x);
    losses[name] = trace;
    final[name] = { loss: crossEntropy(out, y).item(), accuracy: out.argmax(1).eq(y).to("float32").mean().item() };
  }

  print(`SGD vs Adam vs RMSprop on XOR: MLP 2-8-2 (tanh), the same initial weights, ${steps} full-batch steps each.`);
  print("   optimizer      lr   loss at start →  after 10%  →   final   accuracy");
  for (const name of names) {
    const l = losses[name];
    print(`   ${name.padEnd(8)} ${String(OPTIMIZER_SETUPS[name].lr).padStart(6)}   ${num(l[0]!).padStart(13)} → ${num(l[Math.floor(steps / 10)]!).padStart(9)}  → ${num(final[name].loss).padStart(7)}   ${(100 * final[name].accuracy).toFixed(0)}%`);
  }
  if (opts.plot ?? true) {
    const every = Math.max(1, Math.ceil(steps / 60)); // at most 60 columns
    const thin = (v: number[]) => v.filter((_, i) => i % every === 0);
    printBlock(print, chart(names.map((n) => thin(losses[n])), `   loss per step (every ${every}): ${legendOf(names, opts.color)}`, { color: opts.color }));
  }
  print("Same gradients from backprop, different update rules: Adam and RMSprop scale each parameter's step by its gradient history.");
  const holds = names.every((n) => final[n].loss < losses[n][0]!);
  return { name: "optimizers", claim: "backprop computes the gradients; SGD, Adam and RMSprop use them differently, and all reduce the loss", holds, steps, losses, final };
}
