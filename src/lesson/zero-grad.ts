// Experiment "zero-grad": gradients accumulate (+=) across backward calls, so a forgotten zeroGrad doubles them and breaks training.
import { ArgumentError } from "../errors.js";
import { mseLoss } from "../nn/functional/loss.js";
import { linspace } from "../tensor/creation.js";
import { mlp } from "../models/index.js";
import { SGD } from "../optim/sgd.js";
import { manualSeed } from "../random.js";
import type { ExperimentOptions, ExperimentResult } from "./common.js";
import { noPrint, num } from "./common.js";

/** Options of the "zero-grad" experiment. */
export interface ZeroGradOptions extends ExperimentOptions {
  /** SGD steps in the training comparison (default 300). */
  steps?: number;
}

/** Numbers of the "zero-grad" experiment. */
export interface ZeroGradResult extends ExperimentResult {
  /** ‖grad‖ of the first layer's weights after one backward, after a second one without zeroGrad, and after zeroGrad and a third. */
  norms: { once: number; twice: number; afterZeroGrad: number };
  /** Largest |second − 2·first| over every parameter: 0 means exactly doubled. */
  doublingError: number;
  /** The loss after `steps` SGD steps fitting sin(2x), with zeroGrad every step and with it forgotten. */
  loss: { withZeroGrad: number; forgotten: number };
  /** The largest loss over the last fifth of the steps: the forgotten run keeps oscillating. */
  lateMax: { withZeroGrad: number; forgotten: number };
}

/**
 * PyTorch (and chainrule) accumulate gradients: `backward()` adds to `.grad`. Two backward passes on
 * the same batch without `zeroGrad` leave exactly twice the gradient; in a training loop the stale
 * gradients of every earlier step pile up and the steps overshoot.
 * @example
 * const r = cr.lesson.forgottenZeroGrad();
 * r.norms.twice / r.norms.once; // 2
 */
export function forgottenZeroGrad(opts: ZeroGradOptions = {}): ZeroGradResult {
  const print = opts.print ?? noPrint;
  const steps = opts.steps ?? 300;
  if (!Number.isInteger(steps) || steps < 1) throw new ArgumentError(`lesson zero-grad: steps must be a positive integer, got ${steps}`);
  const seed = opts.seed ?? 0;
  // A regression with a finite minimum: accumulated gradients act as momentum that never decays and overshoot it.
  const x = linspace(-2, 2, 64).reshape(64, 1);
  const y = x.mul(2).sin();
  const build = () => {
    manualSeed(seed);
    return mlp({ inputs: 1, hidden: [16], outputs: 1, activation: "tanh" });
  };

  const model = build();
  const params = model.parameters();
  const first = params[0]!;
  mseLoss(model.forward(x), y).backward();
  const once = params.map((p) => p.grad!.clone());
  const normOf = () => first.grad!.square().sum().sqrt().item();
  const norms = { once: normOf(), twice: 0, afterZeroGrad: 0 };
  mseLoss(model.forward(x), y).backward();
  norms.twice = normOf();
  const doublingError = Math.max(...params.map((p, i) => p.grad!.sub(once[i]!.mul(2)).abs().max().item()));
  model.zeroGrad();
  mseLoss(model.forward(x), y).backward();
  norms.afterZeroGrad = normOf();

  const train = (zero: boolean): number[] => {
    const m = build();
    const opt = new SGD(m.parameters(), { lr: 0.1 });
    const trace: number[] = [];
    for (let s = 0; s < steps; s++) {
      if (zero) opt.zeroGrad();
      const loss = mseLoss(m.forward(x), y);
      loss.backward();
      opt.step();
      trace.push(loss.item());
    }
    return trace;
  };
  const good = train(true);
  const bad = train(false);
  const late = (t: number[]) => Math.max(...t.slice(Math.floor(0.8 * steps)));
  const loss = { withZeroGrad: good.at(-1)!, forgotten: bad.at(-1)! };
  const lateMax = { withZeroGrad: late(good), forgotten: late(bad) };

  print("The forgotten zeroGrad: backward() adds to .grad (grad +=), it never overwrites it.");
  print(`   ‖∂loss/∂W₁‖ after one backward ${num(norms.once)}, after a second without zeroGrad ${num(norms.twice)} (${num(norms.twice / norms.once, 2)}×, largest |g₂ − 2g₁| = ${doublingError}),`);
  print(`   after zeroGrad and another backward ${num(norms.afterZeroGrad)} again.`);
  print(`   fitting sin(2x) with a 1-16-1 tanh MLP, SGD lr 0.1, ${steps} steps: final loss ${num(loss.withZeroGrad)} with opt.zeroGrad() each step,`);
  print(`   ${num(loss.forgotten)} without it — every old gradient keeps pushing, so it overshoots and oscillates (largest loss in the last ${steps - Math.floor(0.8 * steps)} steps ${num(lateMax.forgotten)} vs ${num(lateMax.withZeroGrad)}).`);
  print("Accumulation is deliberate — it sums the paths of a shared weight and allows gradient accumulation over micro-batches — so reset it every step.");
  const holds = doublingError === 0 && norms.afterZeroGrad === norms.once && norms.once > 0 && loss.forgotten > loss.withZeroGrad;
  return { name: "zero-grad", claim: "gradients accumulate: without zeroGrad a second backward doubles them, and training breaks", holds, norms, doublingError, loss, lateMax };
}
