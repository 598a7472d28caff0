// Experiment "dead-relu": units pushed negative for every input stop learning under ReLU; Leaky ReLU brings them back.
import { noGrad } from "../autograd/grad-mode.js";
import { watch } from "../diagnostics/watch.js";
import { moons } from "../data/synthetic.js";
import { ArgumentError } from "../errors.js";
import { LeakyReLU, ReLU } from "../nn/activation.js";
import { Sequential } from "../nn/container.js";
import { crossEntropy } from "../nn/functional/loss.js";
import { constant } from "../nn/init.js";
import { Linear } from "../nn/linear.js";
import { Adam } from "../optim/adam.js";
import { manualSeed } from "../random.js";
import type { Tensor } from "../tensor/tensor.js";
import type { ExperimentOptions, ExperimentResult } from "./common.js";
import { noPrint, num } from "./common.js";

/** Options of the "dead-relu" experiment. */
export interface DeadReluOptions extends ExperimentOptions {
  /** The hidden layer's initial bias: negative enough that every unit starts off for every input (default -4). */
  bias?: number;
  /** Hidden units (default 32). */
  hidden?: number;
  /** Adam steps on the whole batch (default 150). */
  steps?: number;
}

/** One activation's run. */
export interface DeadReluRun {
  /** Share of hidden units whose input is ≤ 0 for every sample (no gradient passes a ReLU there), before and after training. */
  deadBefore: number;
  /** The same share after training (the units a ReLU has killed stay dead). */
  deadAfter: number;
  /** The training loss before the first step. */
  lossBefore: number;
  /** The training loss after the last step. */
  lossAfter: number;
  /** Training accuracy after the last step. */
  accuracy: number;
  /** Whether `cr.diagnostics.watch` flagged dead neurons at the first step. */
  flagged: boolean;
}

/** Numbers of the "dead-relu" experiment. */
export interface DeadReluResult extends ExperimentResult {
  /** The network with ReLU: after the bad initialisation, units that never activate get no gradient and stay dead. */
  relu: DeadReluRun;
  /** The same network and initialisation with LeakyReLU, whose small negative slope lets gradient through to revive them. */
  leakyRelu: DeadReluRun;
}

/** The share of units whose pre-activation is ≤ 0 for every row of `pre` ([samples, units]). */
function inactiveShare(pre: Tensor): number {
  return noGrad(() => pre.gt(0).any(0).logicalNot().to("float32").mean().item());
}

/**
 * Dead neurons: a large negative bias (or one large update) makes a ReLU unit output 0 for every input;
 * its gradient is then 0, so its weights never change again and it stays dead. Leaky ReLU's small slope
 * below zero keeps a gradient flowing, and the same units come back to life.
 * @example
 * const r = cr.lesson.deadRelu();
 * r.relu.deadAfter;      // 1: still dead after training
 * r.leakyRelu.deadAfter; // far fewer
 */
export function deadRelu(opts: DeadReluOptions = {}): DeadReluResult {
  const print = opts.print ?? noPrint;
  const bias = opts.bias ?? -4;
  const hidden = opts.hidden ?? 32;
  const steps = opts.steps ?? 150;
  if (!Number.isInteger(hidden) || hidden < 1 || !Number.isInteger(steps) || steps < 1) throw new ArgumentError("lesson dead-relu: hidden and steps must be positive integers");
  const seed = opts.seed ?? 0;
  const { x, y } = moons(200, { noise: 0.1, seed });

  const run = (leaky: boolean): DeadReluRun => {
    manualSeed(seed + 1); // the same weights for both runs
    const fc = new Linear(2, hidden);
    constant(fc.bias!, bias);
    const model = new Sequential(fc, leaky ? new LeakyReLU(0.01) : new ReLU(), new Linear(hidden, 2));
    const opt = new Adam(model.parameters(), { lr: 0.05 });
    const w = watch(model);
    let deadBefore = NaN;
    let lossBefore = NaN;
    let flagged = false;
    let lossAfter = NaN;
    for (let s = 0; s < steps; s++) {
      opt.zeroGrad();
      const loss = crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      if (s === 0) {
        w.record();
        flagged = w.report().flags.some((f) => f.kind === "dead");
        deadBefore = inactiveShare(noGrad(() => fc.forward(x)));
        lossBefore = loss.item();
      }
      lossAfter = loss.item();
    }
    w.remove();
    const { deadAfter, accuracy } = noGrad(() => ({
      deadAfter: inactiveShare(fc.forward(x)),
      accuracy: model.forward(x).argmax(1).eq(y).to("float32").mean().item(),
    }));
    return { deadBefore, deadAfter, lossBefore, lossAfter, accuracy, flagged };
  };
  const relu = run(false);
  const leakyRelu = run(true);

  const pct = (v: number) => `${(100 * v).toFixed(0)}%`.padStart(5);
  print(`Dead neurons: Linear(2, ${hidden}) with bias ${bias}, so every hidden unit starts below 0 for every one of 200 moons points; Adam, lr 0.05, ${steps} steps.`);
  for (const [name, r] of [["ReLU", relu], ["Leaky ReLU", leakyRelu]] as const) {
    print(`   ${(name + ":").padEnd(12)} units below 0 for every input ${pct(r.deadBefore)} → ${pct(r.deadAfter)}   loss ${num(r.lossBefore)} → ${num(r.lossAfter)}   accuracy ${pct(r.accuracy)}`);
  }
  print(`   ReLU: a unit at 0 for every input gets gradient 0, so nothing moves it${relu.flagged ? " (cr.diagnostics.watch flags the layer as dead)" : ""};`);
  print("   Leaky ReLU: slope 0.01 below zero still passes a gradient, the biases climb and the units come back.");
  print("Remedies: Leaky ReLU, a proper learning rate (one huge step can kill units), a proper initialisation.");
  const holds = relu.deadBefore === 1 && relu.deadAfter === 1 && leakyRelu.deadAfter < relu.deadAfter && leakyRelu.lossAfter < relu.lossAfter && relu.flagged;
  return { name: "dead-relu", claim: "dead ReLUs (always 0) get no gradient and stay dead; Leaky ReLU keeps them learning", holds, relu, leakyRelu };
}
