// LambdaLR, SequentialLR and LinearLR against torch 1.13's lr sequences and state dicts
// (test/fixtures/torch-schedulers.json, from tools/gen_torch_scheduler_fixtures.py); weightDecayGroups.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as cr from "chainrule";

const S = cr.optim.lrScheduler;
type Spec = { type: string; [key: string]: unknown };
interface Case {
  name: string;
  spec: Spec;
  lrs: number[];
  steps: number;
  lr: number[][];
  lastLr: number[][];
  stateAt: number;
  state: Record<string, unknown>;
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/torch-schedulers.json", import.meta.url), "utf8")) as { cases: Case[] };

const LAMBDAS: Record<string, cr.optim.LrLambda> = {
  warmup5: (e) => Math.min(1, (e + 1) / 5),
  pow095: (e) => 0.95 ** e,
  every3: (e) => Math.floor(e / 3),
  inv_sqrt: (e) => 1 / Math.sqrt(Math.max(e, 1)),
};

function make(spec: Spec, opt: cr.optim.Optimizer): cr.optim.LRScheduler {
  const o = spec as Record<string, number>;
  switch (spec.type) {
    case "LambdaLR": {
      const names = spec.lambdas as string | string[];
      return new S.LambdaLR(opt, Array.isArray(names) ? names.map((n) => LAMBDAS[n]!) : LAMBDAS[names]!);
    }
    case "SequentialLR":
      return new S.SequentialLR(opt, (spec.schedulers as Spec[]).map((c) => make(c, opt)), spec.milestones as number[]);
    case "LinearLR": return new S.LinearLR(opt, o);
    case "CosineAnnealingLR": return new S.CosineAnnealingLR(opt, o.tMax!, o);
    case "StepLR": return new S.StepLR(opt, o.stepSize!, o);
    case "ExponentialLR": return new S.ExponentialLR(opt, o.gamma!);
    default: throw new Error(`unknown scheduler ${spec.type}`);
  }
}

function optimizer(lrs: number[]): cr.optim.SGD {
  return new cr.optim.SGD(lrs.map((lr) => ({ params: [cr.zeros([2], { requiresGrad: true })], lr })), { lr: lrs[0]! });
}

/** Equal up to the last bits of pow and cos, which V8 and C compute independently. */
function closeLrs(a: number[], b: number[], what: string): void {
  assert.equal(a.length, b.length, what);
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]!) <= 1e-15 * Math.max(Math.abs(b[i]!), 1e-300) + 1e-300, `${what}: ${x} vs ${b[i]}`));
}

function closeState(a: unknown, b: unknown, path: string): void {
  if (typeof b === "number") {
    assert.equal(typeof a, "number", path);
    closeLrs([a as number], [b], path);
  } else if (Array.isArray(b)) {
    assert.ok(Array.isArray(a) && a.length === b.length, `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    b.forEach((v, i) => closeState((a as unknown[])[i], v, `${path}[${i}]`));
  } else if (b !== null && typeof b === "object") {
    const keys = (o: object) => Object.keys(o).filter((k) => k !== "lr_lambdas").sort();
    assert.deepEqual(keys(a as object), keys(b), `${path}: keys`);
    for (const k of keys(b)) closeState((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
  } else {
    assert.equal(a, b, path);
  }
}

describe("schedulers follow torch 1.13's lr sequences", () => {
  for (const c of fixture.cases) {
    test(c.name, () => {
      const opt = optimizer(c.lrs);
      const sched = make(c.spec, opt);
      const groupLrs = () => opt.paramGroups.map((g) => g.lr);
      closeLrs(groupLrs(), c.lr[0]!, "after construction");
      closeLrs(sched.getLastLr(), c.lastLr[0]!, "getLastLr after construction");
      for (let t = 1; t <= c.steps; t++) {
        opt.step();
        sched.step();
        closeLrs(groupLrs(), c.lr[t]!, `step ${t}`);
        closeLrs(sched.getLastLr(), c.lastLr[t]!, `getLastLr at step ${t}`);
        if (t === c.stateAt) closeState(sched.stateDict(), c.state, "stateDict");
      }
    });
  }

  test("a SequentialLR saved mid-way and loaded into a new one continues the same sequence", () => {
    const c = fixture.cases.find((x) => x.name === "SequentialLR/three")!;
    const opt = optimizer(c.lrs);
    const sched = make(c.spec, opt);
    for (let t = 1; t <= 6; t++) sched.step();
    const saved = JSON.parse(JSON.stringify(sched.stateDict())) as cr.optim.SchedulerStateDict;
    const opt2 = optimizer(c.lrs);
    const sched2 = make(c.spec, opt2);
    sched2.loadStateDict(saved);
    opt2.paramGroups[0]!.lr = opt.paramGroups[0]!.lr;
    for (let t = 7; t <= c.steps; t++) {
      sched.step();
      sched2.step();
      assert.deepEqual(sched2.getLastLr(), sched.getLastLr(), `step ${t}`);
      closeLrs(opt2.paramGroups.map((g) => g.lr), c.lr[t]!, `resumed step ${t}`);
    }
    // torch's own state dict (with its bookkeeping keys) loads too.
    const sched3 = make(c.spec, optimizer(c.lrs));
    sched3.loadStateDict({ ...c.state, verbose: false } as cr.optim.SchedulerStateDict);
    assert.equal(sched3.lastEpoch, c.stateAt);
  });
});

describe("scheduler errors", () => {
  test("LambdaLR", () => {
    const opt = optimizer([0.1, 0.2]);
    assert.throws(() => new S.LambdaLR(opt, [(e) => e]), /expected 2 lrLambdas/);
    assert.throws(() => new S.LambdaLR(opt, 3 as unknown as cr.optim.LrLambda), TypeError);
    assert.throws(() => new S.LambdaLR(opt, () => Number.NaN), /returned NaN/);
  });

  test("SequentialLR", () => {
    const opt = optimizer([0.1]);
    const a = new S.LinearLR(opt, { totalIters: 2 });
    const b = new S.StepLR(opt, 2);
    assert.throws(() => new S.SequentialLR(opt, [a, b], []), /one milestone fewer/);
    assert.throws(() => new S.SequentialLR(opt, [a, b], [2.5]), /increasing integers/);
    assert.throws(() => new S.SequentialLR(opt, [a, new S.StepLR(optimizer([0.1]), 2)], [2]), /same optimizer/);
    assert.throws(() => new S.SequentialLR(opt, [], []), /at least one/);
  });
});

describe("weightDecayGroups", () => {
  test("decay on matrices, none on biases and norms, each parameter once, frozen ones left out", () => {
    const model = new cr.nn.Sequential(new cr.nn.Linear(4, 8), new cr.nn.LayerNorm(8), new cr.nn.Linear(8, 2));
    (model[2] as cr.nn.Linear).bias!.requiresGrad = false;
    const groups = cr.optim.weightDecayGroups(model, 0.05);
    assert.deepEqual(groups.map((g) => [g.weightDecay, g.params.map((p) => p.shape.join("x"))]), [
      [0.05, ["8x4", "2x8"]],
      [0, ["8", "8", "8"]],
    ]);
    const opt = new cr.optim.AdamW(groups, { lr: 1e-3 });
    assert.deepEqual(opt.paramGroups.map((g) => g.weightDecay), [0.05, 0]);
    const custom = cr.optim.weightDecayGroups(model.namedParameters(), 0.1, { decays: (name) => name.startsWith("0.") });
    assert.deepEqual(custom.map((g) => g.params.length), [2, 3]);
    assert.throws(() => cr.optim.weightDecayGroups(model, -1), /weightDecay/);
  });
});
