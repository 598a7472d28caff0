// cr.diagnostics.watch: flags vanishing, exploding and dead layers with the lesson's remedies, and stays quiet on a healthy network.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cr from "chainrule";

const { diagnostics } = cr;

type Model = InstanceType<typeof cr.nn.Sequential>;

/** One SGD step on (x, y) with cross-entropy, recorded by the watch. */
function trainStep(model: Model, w: cr.diagnostics.GradientWatch, x: cr.Tensor, y: cr.Tensor, lr = 0.1): number {
  const opt = new cr.optim.SGD(model.parameters(), { lr });
  opt.zeroGrad();
  const loss = cr.nn.functional.crossEntropy(model.forward(x), y);
  loss.backward();
  opt.step();
  w.record();
  return loss.item();
}

describe("diagnostics.watch", () => {
  test("a healthy ReLU MLP on moons raises no flag, and the table lists every layer", () => {
    cr.manualSeed(0);
    const { x, y } = cr.data.moons(128, { noise: 0.1, seed: 0 });
    const model = cr.models.mlp({ inputs: 2, hidden: [16, 16], outputs: 2 });
    const w = diagnostics.watch(model);
    for (let i = 0; i < 5; i++) trainStep(model, w, x, y);
    const r = w.report();
    assert.deepEqual(r.flags, [], w.format());
    assert.equal(r.healthy, true);
    assert.equal(r.step, 5);
    assert.deepEqual(r.layers.map((l) => `${l.name}:${l.type}`), ["0:Linear", "1:ReLU", "2:Linear", "3:ReLU", "4:Linear"]);
    const fc = r.layers[0]!;
    assert.ok(fc.gradNorm! > 0 && fc.updateRatio! > 0 && fc.updateRatio! < 1, JSON.stringify(fc));
    assert.equal(r.layers[1]!.gradNorm, null); // ReLU has no parameters
    assert.ok(r.layers[1]!.deadFraction! < 0.5);
    assert.ok(r.layers[1]!.activationMean! > 0 && r.layers[1]!.activationStd! > 0);
    assert.match(w.format(), /layer\s+type\s+grad norm\s+update\/weight\s+dead\s+act mean\s+act std/);
    assert.match(w.format(), /no problems found/);
    w.remove();
  });

  test("20 sigmoid layers with a small initialisation: vanishing gradients, with the remedies named", () => {
    cr.manualSeed(1);
    const layers: cr.nn.AnyModule[] = [];
    for (let i = 0; i < 20; i++) {
      const fc = new cr.nn.Linear(8, 8);
      cr.nn.init.normal(fc.weight, 0, 0.1);
      layers.push(fc, new cr.nn.Sigmoid());
    }
    const model = new cr.nn.Sequential(...layers, new cr.nn.Linear(8, 2));
    const w = diagnostics.watch(model);
    trainStep(model, w, cr.randn([32, 8]), cr.randint(0, 2, [32]));
    const r = w.report();
    const v = r.flags.find((f) => f.kind === "vanishing");
    assert.ok(v, w.format());
    assert.equal(v.layer, "0");
    assert.ok(v.layers.length >= 10);
    assert.ok(v.remedies.some((m) => /ReLU/.test(m)));
    assert.ok(v.remedies.some((m) => /residual/.test(m)));
    assert.ok(v.remedies.some((m) => /normalisation/.test(m)));
    assert.ok(r.layers[0]!.gradNorm! < 1e-3 * r.layers.at(-1)!.gradNorm!);
    assert.match(w.format(), /vanishing gradients/);
    assert.equal(r.flags.some((f) => f.kind === "exploding" || f.kind === "dead"), false, w.format());
  });

  test("a ReLU layer behind a large negative bias is dead; Leaky ReLU in its place is not", () => {
    const build = (act: cr.nn.AnyModule) => {
      cr.manualSeed(2);
      const fc = new cr.nn.Linear(2, 16);
      cr.nn.init.constant(fc.bias!, -10);
      return new cr.nn.Sequential(fc, act, new cr.nn.Linear(16, 2));
    };
    const { x, y } = cr.data.moons(64, { noise: 0.1, seed: 1 });
    const relu = build(new cr.nn.ReLU());
    const w = diagnostics.watch(relu);
    trainStep(relu, w, x, y);
    const dead = w.report().flags.find((f) => f.kind === "dead");
    assert.ok(dead, w.format());
    assert.equal(dead.layer, "1");
    assert.equal(w.report().layers[1]!.deadFraction, 1);
    assert.equal(w.report().layers[0]!.gradNorm, 0); // no gradient reaches the weights in front of dead units
    assert.ok(dead.remedies.some((m) => /Leaky ReLU/.test(m)));
    assert.ok(dead.remedies.some((m) => /learning rate/.test(m)));
    // Layer 0's zero gradient is the dead layer's doing: not also "vanishing" (whose remedy is "ReLU instead of sigmoid").
    assert.equal(w.report().flags.some((f) => f.kind === "vanishing"), false, w.format());

    const leaky = build(new cr.nn.LeakyReLU());
    const wl = diagnostics.watch(leaky);
    trainStep(leaky, wl, x, y);
    assert.equal(wl.report().flags.some((f) => f.kind === "dead"), false, wl.format());
    assert.ok(wl.report().layers[0]!.gradNorm! > 0);
  });

  test("Dropout's random zeros are not dead units: a healthy ReLU layer behind Dropout(0.9) on a batch of one is not flagged", () => {
    cr.manualSeed(4);
    const model = new cr.nn.Sequential(new cr.nn.Linear(2, 32), new cr.nn.ReLU(), new cr.nn.Dropout(0.9), new cr.nn.Linear(32, 2));
    const w = diagnostics.watch(model);
    const { x, y } = cr.data.moons(64, { noise: 0.1, seed: 2 });
    trainStep(model, w, x.narrow(0, 0, 1), y.narrow(0, 0, 1));
    const r = w.report();
    const dropout = r.layers.find((l) => l.type === "Dropout")!;
    assert.ok(dropout.deadFraction! > 0.5, `Dropout zeroed ${dropout.deadFraction} of the units`);
    assert.ok(r.layers[1]!.deadFraction! <= 0.5, w.format());
    assert.equal(r.flags.some((f) => f.kind === "dead"), false, w.format());
    // The same zeros from a dead ReLU are still flagged.
    cr.nn.init.constant((model.children()[0] as InstanceType<typeof cr.nn.Linear>).bias!, -10);
    trainStep(model, w, x.narrow(0, 0, 1), y.narrow(0, 0, 1));
    assert.deepEqual(w.report().flags.find((f) => f.kind === "dead")?.layers, ["1"], w.format());
  });

  test("a deep linear stack with a large initialisation explodes to Inf/NaN under a huge learning rate", () => {
    cr.manualSeed(3);
    const layers: cr.nn.AnyModule[] = [];
    for (let i = 0; i < 12; i++) {
      const fc = new cr.nn.Linear(16, 16);
      cr.nn.init.normal(fc.weight, 0, 1);
      layers.push(fc);
    }
    const model = new cr.nn.Sequential(...layers, new cr.nn.Linear(16, 2));
    const w = diagnostics.watch(model);
    const x = cr.randn([32, 16]);
    const y = cr.randint(0, 2, [32]);
    trainStep(model, w, x, y, 1);
    const first = w.report().flags.find((f) => f.kind === "exploding");
    assert.ok(first, w.format());
    assert.ok(first.remedies.some((m) => /clipping/.test(m)));
    assert.ok(first.remedies.some((m) => /initialisation/.test(m)));
    assert.ok(first.remedies.some((m) => /lower learning rate/.test(m)));
    let steps = 1;
    while (steps < 10 && w.history.at(-1)!.every((l) => l.gradNorm === null || Number.isFinite(l.gradNorm))) {
      trainStep(model, w, x, y, 1);
      steps++;
    }
    const r = w.report();
    assert.ok(r.layers.some((l) => l.gradNorm !== null && !Number.isFinite(l.gradNorm)), `still finite after ${steps} steps`);
    assert.match(r.flags.find((f) => f.kind === "exploding")!.message, /non-finite/);
  });

  test("a CNN: convolution and pooling layers get rows, with per-position dead shares and finite statistics", () => {
    cr.manualSeed(5);
    const model = cr.models.cnn({ channels: 1, height: 16, width: 16, outputs: 3 });
    const w = diagnostics.watch(model);
    trainStep(model, w, cr.randn([4, 1, 16, 16]), cr.randint(0, 3, [4]), 0.01);
    const r = w.report();
    assert.ok(r.layers.some((l) => l.type === "Conv2d" && l.gradNorm! > 0 && l.updateRatio! > 0));
    assert.ok(r.layers.some((l) => l.type === "MaxPool2d" && l.gradNorm === null && Number.isFinite(l.activationStd!)));
    for (const l of r.layers) assert.ok(l.deadFraction! >= 0 && l.deadFraction! <= 1, `${l.name}: ${l.deadFraction}`);
    w.remove();
  });

  test("thresholds are configurable and checked; evaluation passes do not overwrite the statistics; remove() detaches", () => {
    cr.manualSeed(4);
    const model = cr.models.mlp({ inputs: 2, hidden: [8], outputs: 2 });
    assert.throws(() => diagnostics.watch(model, { thresholds: { dead: 2 } }), /dead is a fraction/);
    assert.throws(() => diagnostics.watch(model, { thresholds: { vanishing: -1 } }), /positive number/);
    assert.throws(() => diagnostics.watch(model, { thresholds: { bogus: 1 } as unknown as cr.diagnostics.Thresholds }), /unknown threshold "bogus"/);
    assert.throws(() => diagnostics.watch({} as unknown as cr.nn.AnyModule), /expected a cr.nn.Module/);
    const strict = diagnostics.watch(model, { thresholds: { vanishing: 0.99, dead: 0.01 } });
    assert.equal(strict.thresholds.exploding, cr.diagnostics.DEFAULT_THRESHOLDS.exploding);
    assert.equal(strict.report().thresholds.vanishing, 0.99);
    assert.equal(strict.report().step, 0); // before any record, the report reads the gradients as they are (none yet)
    assert.equal(strict.report().layers[0]!.gradNorm, null);
    const { x, y } = cr.data.moons(64, { seed: 2 });
    trainStep(model, strict, x, y);
    const before = strict.report().layers[1]!.activationMean;
    cr.noGrad(() => model.forward(x.mul(100)));
    assert.equal(strict.record()[1]!.activationMean, before);
    strict.remove();
    assert.throws(() => strict.record(), /after remove/);
    assert.ok(strict.report().step === 2);
  });
});
