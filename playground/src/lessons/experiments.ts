// Step-by-step versions of two of the lesson's experiments (the forgotten zeroGrad, SGD vs Adam vs
// RMSprop), as generators so the page can draw the loss curves while they train; `cr.lesson` runs
// them to the end in one call. The UI in lab.ts only draws what these yield.
import * as cr from "chainrule";

/**
 * Trains the same small model on the same data twice with SGD, once calling `zeroGrad()` before each
 * `backward()` and once forgetting to: the gradients then pile up across steps and training goes wrong.
 */
export function* zeroGradRuns(steps: number, lr: number, seed = 0): Generator<{ step: number; withZero: number; without: number }> {
  const data = cr.data.moons(200, { noise: 0.1, seed });
  const make = (): { model: cr.nn.Sequential; opt: cr.optim.SGD } => {
    cr.manualSeed(seed);
    const model = cr.models.mlp({ inputs: 2, hidden: [16], outputs: 2 });
    return { model, opt: new cr.optim.SGD(model.parameters(), { lr }) };
  };
  const a = make();
  const b = make();
  for (let step = 1; step <= steps; step++) {
    a.opt.zeroGrad();
    const la = cr.nn.functional.crossEntropy(a.model.forward(data.x), data.y);
    la.backward();
    a.opt.step();
    // The bug under study: no zeroGrad() here.
    const lb = cr.nn.functional.crossEntropy(b.model.forward(data.x), data.y);
    lb.backward();
    b.opt.step();
    yield { step, withZero: la.item(), without: lb.item() };
  }
}

/** The lesson's tiny example of `grad +=`: one more `backward()` of a·a + a at a = 3 adds 2a + 1 = 7 again. */
export function accumulate(a: cr.Tensor): number {
  a.mul(a).add(a).backward();
  return a.grad?.item() ?? 0;
}

export const OPTIMIZER_NAMES = ["sgd", "adam", "rmsprop"] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/** The same model, initial weights and data trained with SGD, Adam and RMSprop; yields the three losses per step. */
export function* optimizerRace(dataset: "moons" | "spirals" | "circles", steps: number, lrs: Record<OptimizerName, number>, seed = 0): Generator<{ step: number; losses: Record<OptimizerName, number> }> {
  const data = dataset === "spirals" ? cr.data.spirals(240, { seed }) : dataset === "moons" ? cr.data.moons(200, { noise: 0.1, seed }) : cr.data.circles(200, { noise: 0.05, seed });
  const classes = dataset === "spirals" ? 3 : 2;
  const runs = OPTIMIZER_NAMES.map((name) => {
    cr.manualSeed(seed); // identical initial weights for all three
    const model = cr.models.mlp({ inputs: 2, hidden: [32, 32], outputs: classes });
    const p = model.parameters();
    const opt = name === "sgd" ? new cr.optim.SGD(p, { lr: lrs.sgd }) : name === "adam" ? new cr.optim.Adam(p, { lr: lrs.adam }) : new cr.optim.RMSprop(p, { lr: lrs.rmsprop });
    return { name, model, opt };
  });
  for (let step = 1; step <= steps; step++) {
    const losses = { sgd: NaN, adam: NaN, rmsprop: NaN };
    for (const r of runs) {
      r.opt.zeroGrad();
      const loss = cr.nn.functional.crossEntropy(r.model.forward(data.x), data.y);
      loss.backward();
      r.opt.step();
      losses[r.name] = loss.item();
    }
    yield { step, losses };
  }
}
