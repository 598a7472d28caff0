// The browser bundle of the webgpu suites (test/webgpu-browser.test.ts builds it with vite): the conformance
// table, the PyTorch fixtures and a short training run on WebGPU through navigator.gpu, called from the test.
import * as cr from "chainrule";
import { webgpuBackend } from "../../../src/backend/webgpu/index.js";
import type { Kernel } from "../../backend-conformance.test.js";
import { checkKernel, kernels } from "../conformance-run.js";
import { checkElementwiseFixture, checkOpsFixture } from "../fixtures-run.js";

const table = new Map(kernels(false));

async function train(): Promise<{ losses: number[]; backend: string; source: string }> {
  cr.setBackend("webgpu");
  cr.manualSeed(6);
  const model = new cr.nn.Sequential(new cr.nn.Linear(2, 16), new cr.nn.Tanh(), new cr.nn.Linear(16, 2));
  const opt = new cr.optim.Adam(model.parameters(), { lr: 0.05 });
  const x = cr.randn([64, 2]);
  const y = x.select(1, 0).mul(x.select(1, 1)).gt(0).to("int32");
  const losses: number[] = [];
  const loader = new cr.data.DataLoader(new cr.data.TensorDataset(x, y), { batchSize: 16 });
  for (let epoch = 0; epoch < 10; epoch++) await cr.train.trainEpochAsync(model, loader, cr.nn.functional.crossEntropy, opt, (_b, l) => losses.push(l));
  return { losses, backend: cr.getBackend(), source: cr.backends.webgpu.info()!.source };
}

(globalThis as { suite?: unknown }).suite = {
  init: () => cr.backends.webgpu.init(),
  kernels: () => [...table.keys()],
  kernel: (name: Kernel) => checkKernel(webgpuBackend, name, table.get(name)!),
  opsFixture: checkOpsFixture,
  elementwiseFixture: checkElementwiseFixture,
  train,
};
