// The lesson's experiments (src/lesson): each structured result supports its claim; `chainrule lesson` prints them (from dist/).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, test } from "node:test";
import * as cr from "chainrule";

const { lesson } = cr;

describe("lesson experiments", () => {
  test("chain-rule: autograd = by hand = finite differences, the multivariate rule, gradcheck", () => {
    const lines: string[] = [];
    const r = lesson.chainRule({ print: (l) => lines.push(l) });
    assert.ok(r.holds);
    assert.ok(r.error < 1e-5);
    assert.ok(Math.abs(r.autograd - 2 * 1.3 * Math.cos(1.69)) < 1e-12);
    assert.ok(Math.abs(r.multivariate.autograd - r.multivariate.analytic) < 1e-12);
    assert.equal(r.gradcheck, true);
    assert.match(lines.join("\n"), /finite difference/);
  });

  test("graph: (x + y)·z gives ∂f/∂x = ∂f/∂y = -4, ∂f/∂z = 3 from the local gradients", () => {
    const r = lesson.graph();
    assert.ok(r.holds);
    assert.deepEqual(r.grads, { x: -4, y: -4, z: 3 });
    assert.deepEqual(r.local, { dqdx: 1, dqdy: 1, dfdq: -4, dfdz: 3 });
    assert.deepEqual(r.nodes, { f: "MulBackward", next: ["AddBackward", "AccumulateGrad"] });
  });

  test("vanishing: 20 sigmoid layers starve layer 1 (< 1e-3 of the last); ReLU and residual stay within 100×", () => {
    const lines: string[] = [];
    const r = lesson.vanishing({ depths: [10, 20], print: (l) => lines.push(l) });
    assert.ok(r.holds);
    const d20 = r.depths.find((d) => d.depth === 20)!;
    assert.equal(d20.norms.sigmoid.length, 20);
    assert.ok(d20.norms.sigmoid[0]! < 1e-3 * d20.norms.sigmoid[19]!);
    for (const k of ["relu", "residual"] as const) assert.ok(d20.ratio[k] > 1e-2 && d20.ratio[k] < 1e2, `${k}: ${d20.ratio[k]}`);
    assert.ok(r.depths[0]!.ratio.sigmoid < 0.25 ** 5);
    assert.deepEqual(d20.flagged, { sigmoid: true, relu: false, residual: false });
    assert.ok(lines.some((l) => l.includes("┼")), "an asciichart plot");
  });

  test("exploding: without clipping the loss reaches Inf/NaN; with clipGradNorm_ every step's norm is the max", () => {
    const r = lesson.exploding();
    assert.ok(r.holds);
    assert.notEqual(r.unclipped.nonFiniteAt, null);
    assert.equal(r.clipped.nonFiniteAt, null);
    assert.ok(r.flagged);
    for (let s = 0; s < r.clipped.usedNorms.length; s++) {
      assert.ok(r.clipped.gradNorms[s]! > r.maxNorm);
      assert.ok(Math.abs(r.clipped.usedNorms[s]! - r.maxNorm) < 1e-3, `step ${s + 1}: ${r.clipped.usedNorms[s]}`);
    }
    assert.ok(r.clipped.losses.at(-1)! < r.clipped.losses[0]!);
  });

  test("dead-relu: ReLU units behind a large negative bias stay dead; Leaky ReLU has fewer dead units and learns", () => {
    const r = lesson.deadRelu({ steps: 100 });
    assert.ok(r.holds);
    assert.equal(r.relu.deadAfter, 1);
    assert.ok(r.leakyRelu.deadAfter < r.relu.deadAfter);
    assert.ok(r.leakyRelu.lossAfter < 0.5 * r.relu.lossAfter);
    assert.ok(r.relu.flagged);
  });

  test("cost: backward runs the forward's nodes and needs between 1× and 2× its FLOPs (times printed, not asserted)", () => {
    const lines: string[] = [];
    const r = lesson.cost({ sizes: [64, 32, 10], batch: 16, reps: 2, print: (l) => lines.push(l) });
    assert.ok(r.holds);
    assert.ok(r.nodes > 0);
    assert.equal(r.flops.forward, 2 * 16 * (64 * 32 + 32 * 10));
    assert.equal(r.flops.backward, 2 * 16 * (64 * 32 + 2 * 32 * 10));
    assert.ok(r.forwardMs >= 0 && r.backwardMs >= 0);
    assert.match(lines.join("\n"), /backward\/forward = /);
  });

  test("no-grad: outputs keep no graph under noGrad; memory is measured when a probe is given", () => {
    let fake = 0;
    const r = lesson.noGradInference({ sizes: [32, 16, 4], batches: [1, 8], kept: 2, reps: 2, gptReps: 1, memory: () => (fake += 1000) });
    assert.ok(r.gpt !== null && r.gpt.batch === 12 && r.gpt.withGradMs > 0 && r.gpt.noGradMs > 0);
    assert.deepEqual(r.timings.map((t) => t.batch), [1, 8]);
    assert.ok(r.timings.every((t) => t.withGradMs >= 0 && t.noGradMs >= 0));
    assert.ok(r.holds);
    assert.ok(r.withGrad.nodes > 0 && r.withGrad.requiresGrad);
    assert.equal(r.noGrad.nodes, 0);
    assert.equal(r.noGrad.requiresGrad, false);
    assert.equal(typeof r.noGrad.bytes, "number");
    assert.equal(lesson.noGradInference({ sizes: [8, 2], batches: [2], reps: 1, gptReps: 0 }).withGrad.bytes, null);
  });

  test("no-grad: the timings read the clock given (CPU time from the CLI), and its name is printed", () => {
    let now = 0;
    const lines: string[] = [];
    // Each reading advances 3 ms: every timed forward then reads 3 ms, whatever it really took.
    const r = lesson.noGradInference({ sizes: [8, 2], batches: [2], reps: 1, gptReps: 1, clock: () => (now += 3), clockName: "a test clock", print: (l) => lines.push(l) });
    assert.deepEqual([r.timings[0]!.withGradMs, r.timings[0]!.noGradMs, r.gpt!.withGradMs, r.gpt!.noGradMs], [3, 3, 3, 3]);
    assert.match(lines.join("\n"), /GPT 4 layers .* 0\.0% saved \(measured, a test clock;/);
  });

  test("zero-grad: a second backward without zeroGrad doubles the gradient exactly, and training suffers", () => {
    const r = lesson.forgottenZeroGrad();
    assert.ok(r.holds);
    assert.equal(r.doublingError, 0);
    assert.equal(r.norms.twice, 2 * r.norms.once);
    assert.equal(r.norms.afterZeroGrad, r.norms.once);
    assert.ok(r.loss.forgotten > r.loss.withZeroGrad);
  });

  test("optimizers: SGD, Adam and RMSprop all reduce the XOR loss from the same start", () => {
    const r = lesson.optimizers({ steps: 100, plot: false });
    assert.ok(r.holds);
    const starts = Object.values(r.losses).map((l) => l[0]);
    assert.ok(starts.every((s) => s === starts[0]), "the same initial weights");
    for (const [name, f] of Object.entries(r.final)) assert.ok(f.loss < r.losses[name as cr.lesson.OptimizerName][0]!, name);
  });

  test("the registry lists every experiment in order and rejects unknown names", () => {
    assert.deepEqual(lesson.EXPERIMENTS.map((e) => e.name), ["chain-rule", "graph", "vanishing", "exploding", "dead-relu", "cost", "no-grad", "zero-grad", "optimizers"]);
    assert.throws(() => lesson.experiment("nope"), /unknown experiment "nope" \(expected one of chain-rule, graph/);
    const lines: string[] = [];
    const [r] = lesson.runLesson(["graph"], { print: (l) => lines.push(l) });
    assert.equal(r!.name, "graph");
    assert.match(lines[0]!, /^1\. the computational graph/);
    assert.ok(lines.some((l) => l.includes("✓")));
  });
});

describe("chainrule lesson (from dist/; run `npm run build` first)", () => {
  const cli = join(import.meta.dirname, "..", "packages", "cli", "dist", "main.js");
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, "lesson", ...args], { encoding: "utf8" });

  test("lesson vanishing prints the per-layer table, the plots and the verdict", () => {
    const r = run("vanishing");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /layer\s+sigmoid\s+relu\s+residual\s+\(gradient norm, 10 layers\)/);
    assert.match(r.stdout, /50 layers: layer 1 \/ layer 50 gradient norm\s+sigmoid [\d.e-]+ \(flagged\)/);
    assert.ok(r.stdout.includes("┼"));
    assert.match(r.stdout, /✓ gradients vanish/);
    assert.match(r.stdout, /1 of 1 claim holds/);
  });

  test("lesson --list names every experiment; an unknown one is a one-line error", () => {
    const l = run("--list");
    assert.equal(l.status, 0, l.stderr);
    for (const name of ["chain-rule", "graph", "vanishing", "exploding", "dead-relu", "cost", "no-grad", "zero-grad", "optimizers"]) assert.match(l.stdout, new RegExp(`^${name}\\s`, "m"));
    const bad = run("nope");
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^chainrule: lesson: unknown experiment "nope"/);
    assert.equal(bad.stderr.trim().split("\n").length, 1);
  });
});
