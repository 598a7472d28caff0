// The webgpu backend through the public API: selecting it, asynchronous reads and the synchronous ones' errors,
// moving tensors and models between backends, index errors reported by the next read, and fusion.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";
import { openGpu } from "./gpu.js";

before(async () => {
  await openGpu();
});

const onGpu = <T>(fn: () => T): T => {
  const previous = cr.getBackend();
  cr.setBackend("webgpu");
  try {
    return fn();
  } finally {
    cr.setBackend(previous);
  }
};

test("webgpu: after init the backend is selectable; a software adapter does not become the default", () => {
  const info = cr.backends.webgpu.info();
  assert.ok(info !== null && cr.backends.webgpu.available());
  assert.equal(onGpu(() => cr.getBackend()), "webgpu");
  if (info.software) assert.notEqual(cr.getBackend(), "webgpu");
});

test("webgpu: tensors are read with await; item() names itemAsync()", async () => {
  const t = onGpu(() => cr.tensor([[1, 2], [3, 4]]));
  assert.equal(t.device, "webgpu");
  assert.equal(t.readsSynchronously, false);
  assert.throws(() => t.sum().item(), { name: "ReadError", message: "item: tensors on the webgpu backend are read asynchronously; use `await t.itemAsync()` (or `await t.data()`)" });
  assert.equal(String(t), "tensor(shape=[2, 2], dtype=float32, device=webgpu; read it with await t.data())");
  assert.equal(await t.sum().itemAsync(), 10);
  assert.deepEqual(await t.matmul(t).tolistAsync(), [[7, 10], [15, 22]]);
  assert.deepEqual([...(await onGpu(() => cr.tensor([true, false, true])).data())], [1, 0, 1]);
  assert.deepEqual([...(await onGpu(() => cr.arange(5)).data())], [0, 1, 2, 3, 4]);
});

test("webgpu: t.to(device) and toAsync move tensors between backends; the leaf keeps requiresGrad", async () => {
  const x = cr.tensor([[1, -2], [3, 4]], { requiresGrad: true });
  const g = x.to("webgpu");
  assert.equal(g.device, "webgpu");
  assert.equal(g.requiresGrad, true);
  assert.equal(g.isLeaf, true);
  assert.equal(x.to(x.device), x, "already there");
  assert.throws(() => g.to("cpu"), { name: "ReadError", message: /^to: tensors on the webgpu backend are read asynchronously; use `await t\.toAsync\("cpu"\)`/ });
  await assert.rejects(g.relu().toAsync("cpu"), { name: "AutogradError", message: /^toAsync: moving a tensor made by ReluBackward/ });
  const back = await g.relu().detach().toAsync("cpu");
  assert.equal(back.device, "cpu");
  assert.deepEqual(back.tolist(), [[1, 0], [3, 4]]);
  assert.equal(x.to("float64").dtype, "float64", "dtype names still convert");
  assert.throws(() => x.to("tpu"), { name: "ArgumentError", message: /^to: unknown backend or dtype "tpu"/ });
  const made = x.mul(2);
  assert.throws(() => made.to("webgpu"), { name: "AutogradError", message: /not recorded by autograd/ });
  assert.throws(() => x.add(g), { message: /tensors live on different backends/ });
});

test("webgpu: model.to moves parameters in place, and an optimizer built before trains them", async () => {
  cr.manualSeed(3);
  const model = new cr.nn.Sequential(new cr.nn.Linear(6, 16), new cr.nn.Tanh(), new cr.nn.Linear(16, 3));
  const params = model.parameters();
  const opt = new cr.optim.Adam(params, { lr: 1e-2 });
  const x = cr.randn([20, 6]), y = cr.randint(0, 3, [20]);
  // The same steps on the cpu first, from a copy of the weights.
  const weights = params.map((p) => p.detach().clone());
  const cpuLosses: number[] = [];
  for (let i = 0; i < 5; i++) {
    opt.zeroGrad();
    const loss = cr.nn.functional.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    cpuLosses.push(loss.item());
  }
  cr.noGrad(() => params.forEach((p, i) => p.copy_(weights[i]!)));
  const fresh = new cr.optim.Adam(params, { lr: 1e-2 });
  assert.equal(model.to("webgpu"), model);
  model.parameters().forEach((p, i) => assert.equal(p, params[i], "the same Parameter objects"));
  assert.ok(params.every((p) => p.device === "webgpu"));
  const [gx, gy] = [x.to("webgpu"), y.to("webgpu")];
  const gpuLosses: cr.Tensor[] = [];
  for (let i = 0; i < 5; i++) {
    fresh.zeroGrad();
    const loss = cr.nn.functional.crossEntropy(model.forward(gx), gy);
    loss.backward();
    fresh.step();
    gpuLosses.push(loss.detach());
  }
  const got = await Promise.all(gpuLosses.map((l) => l.itemAsync()));
  got.forEach((l, i) => assert.ok(Math.abs(l - cpuLosses[i]!) < 1e-4, `step ${i}: ${l} vs cpu ${cpuLosses[i]}`));
  const home = cr.getBackend();
  await model.toAsync(home);
  assert.ok(params.every((p) => p.device === home));
  assert.ok(Math.abs(cr.nn.functional.crossEntropy(model.forward(x), y).item() - (await cr.nn.functional.crossEntropy(model.to("webgpu").forward(gx), gy).itemAsync())) < 1e-5);
});

test("webgpu: an index out of range is reported by the next read, with the cpu's message", async () => {
  const [x, index] = onGpu(() => [cr.tensor([[1, 2, 3]]), cr.tensor([[0, 3]], { dtype: "int32" })]);
  const out = x.gather(1, index);
  await assert.rejects(out.data(), { name: "IndexError", message: "gather: index 3 is out of bounds for dim 1 of size 3" });
  assert.deepEqual([...(await x.data())], [1, 2, 3], "reported once; later reads work");
  const logits = onGpu(() => cr.randn([2, 4]));
  const loss = cr.nn.functional.crossEntropy(logits, onGpu(() => cr.tensor([1, 9], { dtype: "int32" })));
  await assert.rejects(loss.itemAsync(), { name: "IndexError", message: "nllLoss: target 9 is out of bounds for 4 classes" });
  // scatterReduce's kernel (and scatter's, its assign form) checks as the cpu's does.
  const [base, bad, src] = onGpu(() => [cr.zeros([2, 3]), cr.tensor([[0, 2, 1]], { dtype: "int32" }), cr.ones([1, 3])]);
  await assert.rejects(base.scatterReduce(0, bad, src, "amax").data(), { name: "IndexError", message: /scatterReduce: index 2 is out of bounds for dim 0 of size 2/ });
  await assert.rejects(base.scatter(0, bad, src).data(), { name: "IndexError", message: /index 2 is out of bounds for dim 0 of size 2/ });
  assert.deepEqual([...(await base.scatterReduce(0, cr.tensor([[1, 0, 1]], { dtype: "int32" }).to("webgpu"), src, "sum").data())], [0, 1, 0, 1, 0, 1]);
});

test("webgpu: a chain of elementwise ops is one kernel; realize() computes it", async () => {
  const x = onGpu(() => cr.randn([1000]));
  const y = x.mul(2).add(1).tanh().sub(x.exp()).relu();
  const before = cr.backends.webgpu.memoryStats().tensorBlocks;
  y.realize();
  assert.equal(cr.backends.webgpu.memoryStats().tensorBlocks, before + 1, "one buffer for the chain's result, none for its steps");
  const want = (await x.data()).map((v) => Math.max(0, Math.tanh(2 * v + 1) - Math.exp(v)));
  const got = await y.data();
  want.forEach((w, i) => assert.ok(Math.abs(got[i]! - w) < 1e-5, `[${i}] ${got[i]} vs ${w}`));
  {
    using _ = cr.backends.webgpu.setFusion(false);
    const z = x.mul(2).add(1);
    assert.ok(Math.abs((await z.data())[0]! - (2 * (await x.data())[0]! + 1)) < 1e-6);
  }
});

test("webgpu: a captured training step replays on the GPU, as the cpu's does", async () => {
  const run = async (backend: string) => {
    const previous = cr.getBackend();
    cr.setBackend(backend);
    try {
      cr.manualSeed(8);
      const model = new cr.nn.Sequential(new cr.nn.Linear(5, 12), new cr.nn.ReLU(), new cr.nn.Linear(12, 3));
      const opt = new cr.optim.Adam(model.parameters(), { lr: 1e-2 });
      const x = cr.keep(cr.randn([10, 5])), y = cr.keep(cr.randint(0, 3, [10]));
      const graph = cr.captureGraph(() => {
        opt.zeroGrad();
        const loss = cr.nn.functional.crossEntropy(model.forward(x), y);
        loss.backward();
        opt.step();
        return loss;
      });
      const losses = [await graph.output.itemAsync()];
      for (let i = 0; i < 4; i++) {
        graph.replay();
        losses.push(await graph.output.itemAsync());
      }
      graph.dispose();
      return losses;
    } finally {
      cr.setBackend(previous);
    }
  };
  const gpu = await run("webgpu");
  const cpu = await run("cpu");
  gpu.forEach((l, i) => assert.ok(Math.abs(l - cpu[i]!) < 1e-4, `replay ${i}: ${l} vs cpu ${cpu[i]}`));
  assert.ok(gpu[4]! < gpu[0]!, "the replays trained");
});
