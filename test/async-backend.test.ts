// A backend that reads only asynchronously (as a GPU's does), registered through the public API: the library's
// own code (nn, optim, autograd, captured graphs) runs on it as PyTorch code is written, tensors are read with
// `await`, and the synchronous reads fail with a message that names the asynchronous method.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";
import { onBackend } from "./helpers/backend.js";
import { cpuBackend } from "../src/backend/cpu/index.js";

// cpu's kernels without readSync and view: reading back is a Promise, as WebGPU's mapAsync makes it.
const { readSync: _sync, view: _view, ...rest } = cpuBackend;
void _sync;
void _view;
cr.registerBackend({ ...rest, name: "cpu-async" }, { priority: -1 });

const on = onBackend;

test("synchronous reads say which asynchronous method to use; printing does not read", async () => {
  const t = on("cpu-async", () => cr.tensor([[1, 2], [3, 4]]));
  assert.equal(t.readsSynchronously, false);
  assert.throws(() => t.sum().item(), { name: "ReadError", message: "item: tensors on the cpu-async backend are read asynchronously; use `await t.itemAsync()` (or `await t.data()`)" });
  assert.throws(() => t.tolist(), { name: "ReadError", message: /^tolist: .*use `await t\.tolistAsync\(\)`/ });
  assert.throws(() => t.toTypedArray(), { name: "ReadError", message: /^toTypedArray: .*use `await t\.data\(\)`$/ });
  assert.equal(String(t), "tensor(shape=[2, 2], dtype=float32, device=cpu-async; read it with await t.data())");
  assert.deepEqual([...(await t.data())], [1, 2, 3, 4]);
  assert.equal(await t.sum().itemAsync(), 10);
  assert.deepEqual(await t.tolistAsync(), [[1, 2], [3, 4]]);
  await assert.rejects(t.itemAsync(), { name: "ShapeError", message: /^itemAsync: only a tensor with one element/ });
  // Every backend has the asynchronous reads.
  assert.equal(await on("cpu", () => cr.tensor(2.5)).itemAsync(), 2.5);
});

// A model with layers whose code reads nothing back, trained a few steps; the same on cpu, bit for bit.
test("a model trains on a backend that reads only asynchronously, as it does on cpu", async () => {
  const run = async (backend: string) => {
    const { losses, params } = on(backend, () => {
      cr.manualSeed(5);
      const embed = new cr.nn.Embedding(12, 8);
      const linear = new cr.nn.Linear(8, 16);
      const body = new cr.nn.Sequential(new cr.nn.LayerNorm(16), new cr.nn.ReLU(), new cr.nn.Linear(16, 16), new cr.nn.GELU(), new cr.nn.Linear(16, 3));
      const bn = new cr.nn.BatchNorm1d(16, { momentum: null });
      const params = [...embed.parameters(), ...linear.parameters(), ...body.parameters(), ...bn.parameters()];
      const opt = new cr.optim.AdamW(params, { lr: 1e-2 });
      const sched = new cr.optim.StepLR(opt, 2, { gamma: 0.5 });
      const tokens = cr.randint(0, 12, [10]);
      const y = cr.randint(0, 3, [10]);
      const losses: cr.Tensor[] = [];
      for (let step = 0; step < 5; step++) {
        opt.zeroGrad();
        const h = linear.forward(embed.forward(tokens));
        const loss = cr.nn.functional.crossEntropy(body.forward(h), y, { labelSmoothing: 0.1 }).add(bn.forward(h).pow(2).mean().mul(0.01));
        loss.backward();
        cr.nn.utils.clipGradNorm_(params, 1.0);
        opt.step();
        sched.step();
        losses.push(loss.detach());
      }
      return { losses, params };
    });
    return { losses: await Promise.all(losses.map((l) => l.itemAsync())), params: await Promise.all(params.map(async (p) => [...(await p.data())])) };
  };
  const got = await run("cpu-async");
  const want = await run("cpu");
  assert.deepEqual(got.losses, want.losses, "the same losses, bit for bit");
  assert.deepEqual(got.params, want.params, "the same parameters");
  assert.ok(got.losses[4]! < got.losses[0]!, "it trained");
});

test("autograd on the asynchronous backend: double backward, autograd.grad, forward mode and a captured graph", async () => {
  const [second, viaGrad, tangent] = on("cpu-async", () => {
    const x = cr.tensor([0.5, -1, 2], { requiresGrad: true });
    const [g] = cr.autograd.grad([x.pow(3).sum()], [x], { createGraph: true });
    g!.sum().backward(); // d²/dx² Σx³ = 6x
    const y = cr.tensor([1, 2, 3], { requiresGrad: true });
    const [gy] = cr.autograd.grad([y.sin().sum()], [y]);
    const [, dy] = cr.func.jvp((t: cr.Tensor) => t.exp(), [cr.tensor([0, 1])], [cr.tensor([1, 1])]);
    return [x.grad!, gy!, dy];
  });
  assert.deepEqual([...(await second.data())], [3, -6, 12]);
  assert.deepEqual([...(await viaGrad.data())], [Math.cos(1), Math.cos(2), Math.cos(3)].map(Math.fround));
  assert.deepEqual([...(await tangent.data())], [1, Math.fround(Math.E)]);

  const { graph, x, model } = on("cpu-async", () => {
    cr.manualSeed(2);
    const model = new cr.nn.Linear(4, 2);
    const opt = new cr.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const x = cr.keep(cr.randn([8, 4]));
    const target = cr.keep(cr.zeros([8, 2]));
    const graph = cr.captureGraph(() => {
      opt.zeroGrad();
      const loss = cr.nn.functional.mseLoss(model.forward(x), target);
      loss.backward();
      opt.step();
      return loss;
    });
    return { graph, x, model };
  });
  const losses: number[] = [];
  for (let i = 0; i < 4; i++) {
    graph.replay();
    losses.push(await graph.output.itemAsync());
  }
  assert.ok(losses[3]! < losses[0]!, `replays train: ${losses.join(", ")}`);
  assert.ok(x.readsSynchronously === false && model.weight.readsSynchronously === false);
  graph.dispose();
});

test("what must read back synchronously says so on the asynchronous backend", () => {
  on("cpu-async", () => {
    const x = cr.tensor([1, 2], { dtype: "float64", requiresGrad: true });
    assert.throws(() => cr.autograd.gradcheck((t) => t.sin(), [x]), { name: "ArgumentError", message: /^gradcheck: .*cpu-async backend reads only asynchronously/ });
    assert.throws(() => cr.nn.functional.oneHot(cr.tensor([0, 2], { dtype: "int32" })), { name: "ArgumentError", message: /^oneHot: numClasses -1 .*pass numClasses/ });
    assert.deepEqual(cr.nn.functional.oneHot(cr.tensor([0, 2], { dtype: "int32" }), 3).shape, [2, 3]);
    const p = cr.tensor([1, 2], { requiresGrad: true });
    p.sum().backward();
    assert.throws(() => cr.nn.utils.clipGradNorm_([p], 1, { errorIfNonfinite: true }), { name: "ArgumentError", message: /^clipGradNorm_: errorIfNonfinite reads the norm back/ });
    assert.throws(() => cr.autograd.detectAnomaly(() => cr.tensor([1]).log()), { name: "AutogradError", message: /^detectAnomaly: the cpu-async backend reads tensors only asynchronously/ });
  });
});

