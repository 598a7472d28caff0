// The methods that came with the scans, sorts, scatters and N-d windows, through the public API on the webgpu
// backend: values and gradients as the cpu's, and every temporary their kernels and composites make released.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";
import { collectGarbage, openGpu } from "./gpu.js";

before(async () => {
  await openGpu();
});


// Each case: inputs (float32, made on the cpu), and the outputs of the op, from which a weighted sum is differentiated.
const CASES: [string, number[][], (xs: cr.Tensor[]) => cr.Tensor[]][] = [
  ["cumsum, cumprod, logcumsumexp", [[3, 5, 6]], ([x]) => [cr.cumsum(x!, 1), cr.cumprod(x!, 2), cr.logcumsumexp(x!, 0)]],
  ["cummax, cummin", [[4, 7]], ([x]) => [cr.cummax(x!, 1).values, cr.cummin(x!, 0).values, cr.cummax(x!, 1).indices]],
  ["sort, argsort", [[3, 37]], ([x]) => [cr.sort(x!, { dim: 1, descending: true }).values, cr.argsort(x!, { dim: 0 })]],
  ["scatterReduce", [[4, 5], [6, 5]], ([base, src]) => {
    const index = cr.tensor([[0, 1, 2, 3, 0], [1, 1, 1, 1, 1], [3, 2, 1, 0, 3], [0, 0, 0, 0, 0], [2, 3, 0, 1, 2], [3, 3, 3, 3, 3]], { dtype: "int32" }).to(base!.device);
    return [base!.scatterReduce(0, index, src!, "amax", { includeSelf: false }), base!.scatterReduce(0, index, src!, "mean"), base!.scatterReduce(0, index, src!, "prod")];
  }],
  ["conv1d, conv3d (unfoldNd, foldNd)", [[2, 3, 9], [4, 3, 3], [1, 2, 5, 4, 3], [3, 2, 2, 3, 2]], ([a, wa, b, wb]) =>
    [cr.conv1d(a!, wa!, null, { stride: 2, padding: 1, dilation: 2 }), cr.conv3d(b!, wb!, null, { padding: 1 })]],
  ["maxPool1d, maxPool3d (maxPoolNdIndices)", [[2, 3, 11], [1, 2, 5, 4, 6]], ([a, b]) =>
    [cr.maxPool1d(a!, 3, { stride: 2, padding: 1 }), cr.maxPool3d(b!, 2, { ceilMode: true })]],
];

function run(device: string, inputs: readonly cr.Tensor[], op: (xs: cr.Tensor[]) => cr.Tensor[]): { outs: cr.Tensor[]; grads: cr.Tensor[] } {
  const xs = inputs.map((x) => x.to(device).detach().requiresGrad_());
  const outs = op(xs);
  const loss = outs.filter((o) => o.dtype === "float32").map((o, k) => o.mul(cr.arange(o.numel()).reshape(o.shape).to(device).mul(0.01 * (k + 1)).cos()).sum())
    .reduce((a, b) => a.add(b));
  return { outs, grads: cr.autograd.grad(loss, xs).map((g, i) => g ?? cr.zerosLike(xs[i]!)) };
}

test("webgpu: scans, sorts, scatterReduce and N-d windows match cpu, gradients included, and leave no GPU buffer behind", async () => {
  await collectGarbage();
  const before = cr.backends.webgpu.memoryStats().tensorBlocks;
  for (const [name, shapes, op] of CASES) {
    // In a function of its own, so that nothing of the case stays reachable from this frame.
    await check(name, shapes, op);
    await collectGarbage();
    assert.equal(cr.backends.webgpu.memoryStats().tensorBlocks, before, `${name}: every temporary and result was freed`);
  }
});

async function check(name: string, shapes: number[][], op: (xs: cr.Tensor[]) => cr.Tensor[]): Promise<void> {
  {
    cr.manualSeed(7);
    // Positive for cumprod's sake, distinct for the sorts' (ties are the conformance suite's).
    const inputs = shapes.map((s) => cr.rand(s).add(0.5));
    const want = run("cpu", inputs, op);
    const got = run("webgpu", inputs, op);
    for (const [i, t] of [...got.outs, ...got.grads].entries()) {
      const w = [...want.outs, ...want.grads][i]!;
      assert.equal(t.device, "webgpu", `${name}: result ${i} on the GPU`);
      const g = await t.data(), e = w.toTypedArray();
      g.forEach((v, k) => assert.ok(Math.abs(v - e[k]!) <= 1e-4 * (1 + Math.abs(e[k]!)), `${name}: result ${i} [${k}] ${v} vs cpu ${e[k]}`));
    }
  }
}
