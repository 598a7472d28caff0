// Moving tensors and models between backends (PyTorch's `.to(device)`), on the backends every machine has; the
// webgpu suites (test/webgpu/) move them to and from a GPU. And the webgpu backend before its initialisation.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";

test("the webgpu backend needs init() first, and is never the default before", () => {
  assert.notEqual(cr.getBackend(), "webgpu");
  assert.equal(cr.backends.webgpu.available(), false);
  assert.equal(cr.backends.webgpu.info(), null);
  assert.throws(() => cr.setBackend("webgpu"), { name: "ArgumentError", message: "setBackend: the webgpu backend cannot run here: call await cr.backends.webgpu.init() first (it opens the GPU, which is asynchronous)" });
  assert.throws(() => cr.tensor([1]).to("webgpu"), { name: "ArgumentError", message: /^to: the webgpu backend cannot run here: call await cr\.backends\.webgpu\.init\(\) first/ });
  assert.equal(cr.memory().backends["webgpu"]?.tensorBlocks, 0);
});

test("to(device) copies a tensor to another backend; to(dtype) still converts", () => {
  const x = cr.tensor([[1, 2], [3, 4]], { requiresGrad: true });
  const other = x.device === "cpu" ? "wasm" : "cpu";
  const y = x.to(other);
  assert.equal(y.device, other);
  assert.deepEqual(y.tolist(), [[1, 2], [3, 4]]);
  assert.equal(y.requiresGrad, true);
  assert.equal(y.isLeaf, true);
  assert.equal(x.to(x.device), x);
  assert.equal(x.to("float64").dtype, "float64");
  assert.throws(() => x.mul(2).to(other), { name: "AutogradError" });
  assert.equal(cr.noGrad(() => x.mul(2).to(other)).device, other, "not recorded, so allowed without gradients");
  assert.throws(() => x.to("gpu"), { name: "ArgumentError", message: /^to: unknown backend or dtype "gpu" \(backends: cpu, wasm, webgpu; dtypes: float32, float64, int32, bool\)$/ });
});

test("model.to(device) keeps the Parameter objects, moves buffers and gradients, and the optimizer follows", async () => {
  cr.manualSeed(9);
  const home = cr.getBackend();
  const other = home === "cpu" ? "wasm" : "cpu";
  const model = new cr.nn.Sequential(new cr.nn.Linear(3, 4), new cr.nn.BatchNorm1d(4), new cr.nn.Linear(4, 2));
  const params = model.parameters();
  const opt = new cr.optim.SGD(params, { lr: 0.1, momentum: 0.9 });
  cr.nn.functional.mseLoss(model.forward(cr.randn([5, 3])), cr.randn([5, 2])).backward();
  model.to(other);
  assert.deepEqual(model.parameters(), params);
  assert.ok(params.every((p) => p.device === other && p.grad!.device === other));
  assert.ok(Object.values(model.stateDict()).every((t) => t.device === other), "buffers too (BatchNorm's running statistics)");
  const x = cr.randn([5, 3]).to(other), y = cr.randn([5, 2]).to(other);
  opt.zeroGrad();
  const loss = cr.nn.functional.mseLoss(model.forward(x), y);
  loss.backward();
  opt.step();
  assert.equal(loss.device, other);
  await model.toAsync(home);
  assert.ok(params.every((p) => p.device === home));
  assert.throws(() => model.to("complex64" as never), { name: "DTypeError", message: /unknown dtype "complex64"/ });
});

test("zerosLike and friends create on their tensor's backend", () => {
  const other = cr.getBackend() === "cpu" ? "wasm" : "cpu";
  const x = cr.ones([2]).to(other);
  for (const t of [cr.zerosLike(x), cr.onesLike(x), cr.fullLike(x, 3), cr.randLike(x), cr.randnLike(x)]) assert.equal(t.device, other);
  assert.equal(cr.zeros([2]).device, cr.getBackend());
});
