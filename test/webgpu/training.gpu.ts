// Training on the webgpu backend: 10,000 steps with flat GPU memory (the pool serves every step, no pipeline is
// compiled after the first), the asynchronous training loop against the cpu's, and a loop written without scopes,
// whose buffers the garbage collector's net frees.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";
import { collectGarbage, openGpu } from "./gpu.js";

before(async () => {
  await openGpu();
});


function onGpu<T>(fn: () => T): T {
  const previous = cr.getBackend();
  cr.setBackend("webgpu");
  try {
    return fn();
  } finally {
    cr.setBackend(previous);
  }
}

test("webgpu: 10,000 training steps with flat GPU memory", async () => {
  const { model, opt, x, y } = onGpu(() => {
    cr.manualSeed(1);
    const model = new cr.nn.Sequential(new cr.nn.Linear(4, 8), new cr.nn.Tanh(), new cr.nn.Linear(8, 1));
    const x = cr.randn([16, 4]);
    return { model, opt: new cr.optim.SGD(model.parameters(), { lr: 0.05 }), x, y: x.sum(1, true).sin() };
  });
  const marks: { step: number; loss: number; stats: cr.backends.webgpu.WebGpuMemoryStats; pipelines: number; tensors: number }[] = [];
  for (let step = 1; step <= 10_000; step++) {
    let read: Promise<number> | null = null;
    {
      using _ = cr.scope();
      opt.zeroGrad();
      const loss = cr.nn.functional.mseLoss(model.forward(x), y);
      loss.backward();
      opt.step();
      if (step % 1000 === 0) read = loss.itemAsync();
    }
    if (read !== null) {
      const loss = await read;
      await collectGarbage(); // what the set-up made outside a scope is freed by the garbage collector's net
      marks.push({ step, loss, stats: cr.backends.webgpu.memoryStats(), pipelines: cr.backends.webgpu.compiledPipelines(), tensors: cr.memory().numTensors });
    }
  }
  const [first, last] = [marks[0]!, marks[marks.length - 1]!];
  console.log(`webgpu training: loss ${first.loss.toFixed(5)} at step 1000, ${last.loss.toFixed(5)} at 10,000; ${last.stats.tensorBlocks} GPU buffers (${last.stats.tensorBytes} bytes), ${last.stats.createdBlocks} ever created, ${last.pipelines} pipelines`);
  assert.ok(last.loss < first.loss, "it trained");
  for (const m of marks) {
    assert.equal(m.stats.tensorBlocks, first.stats.tensorBlocks, `GPU buffers at step ${m.step}`);
    assert.equal(m.stats.tensorBytes, first.stats.tensorBytes, `GPU bytes at step ${m.step}`);
    assert.equal(m.stats.createdBlocks, first.stats.createdBlocks, `buffers created by step ${m.step}: the pool serves every step`);
    assert.equal(m.pipelines, first.pipelines, `pipelines compiled by step ${m.step}`);
    assert.equal(m.tensors, first.tensors, `live tensors at step ${m.step}`);
  }
});

test("webgpu: trainEpochAsync gives the cpu's losses", async () => {
  const run = async (backend: string) => {
    const previous = cr.getBackend();
    cr.setBackend(backend);
    try {
      cr.manualSeed(4);
      const model = new cr.nn.Sequential(new cr.nn.Linear(10, 32), new cr.nn.ReLU(), new cr.nn.Linear(32, 3));
      const opt = new cr.optim.Adam(model.parameters(), { lr: 1e-2 });
      const data = new cr.data.TensorDataset(cr.randn([96, 10]), cr.randint(0, 3, [96]));
      const losses: number[] = [];
      const loader = new cr.data.DataLoader(data, { batchSize: 16 });
      const epoch = await cr.train.trainEpochAsync(model, loader, cr.nn.functional.crossEntropy, opt, (_b, l) => losses.push(l));
      const metrics = await cr.train.evaluateAsync(model, data.tensors[0]!, data.tensors[1]!, cr.nn.functional.crossEntropy);
      return { losses, epoch, metrics };
    } finally {
      cr.setBackend(previous);
    }
  };
  const gpu = await run("webgpu");
  const cpu = await run("cpu");
  assert.equal(gpu.losses.length, 6);
  gpu.losses.forEach((l, i) => assert.ok(Math.abs(l - cpu.losses[i]!) < 1e-4, `batch ${i}: ${l} vs cpu ${cpu.losses[i]}`));
  assert.ok(Math.abs(gpu.metrics.loss - cpu.metrics.loss) < 1e-4);
  assert.equal(gpu.metrics.accuracy, cpu.metrics.accuracy);
  assert.equal(gpu.epoch.accuracy, cpu.epoch.accuracy);
});

test("webgpu: a loop written as in PyTorch (no scopes, no dispose) leaves no GPU buffer behind", async () => {
  await collectGarbage();
  const before = cr.backends.webgpu.memoryStats().tensorBlocks;
  await (async () => {
    const { model, opt, x, y } = onGpu(() => {
      cr.manualSeed(2);
      const model = new cr.nn.Linear(6, 2);
      const x = cr.randn([8, 6]);
      return { model, opt: new cr.optim.SGD(model.parameters(), { lr: 0.1 }), x, y: cr.randn([8, 2]) };
    });
    for (let step = 0; step < 200; step++) {
      opt.zeroGrad();
      const loss = cr.nn.functional.mseLoss(model.forward(x), y);
      loss.backward();
      opt.step();
      if (step % 20 === 0) await loss.itemAsync();
    }
  })();
  await collectGarbage();
  assert.equal(cr.backends.webgpu.memoryStats().tensorBlocks, before, "every buffer of the loop (its model included) was freed");
});
