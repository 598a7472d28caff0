// Dense linear algebra on the webgpu backend through the public API (cr.linalg): values and gradients (the
// primitives' derivative rules, composites of differentiable ops) as the cpu's, in float32; a singular or not
// positive-definite matrix reported by the next read as the cpu's LinAlgError; no GPU buffer left behind.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";
import { collectGarbage, openGpu } from "./gpu.js";

before(async () => {
  await openGpu();
});


/** Well conditioned square matrices: random plus a dominant diagonal; `spd` makes each A Aᵀ + n I. */
function square(shape: number[], spd = false): cr.Tensor {
  const n = shape[shape.length - 1]!;
  const a = cr.randn(shape);
  return spd ? a.matmul(a.transpose(-2, -1)).add(cr.eye(n).mul(n)) : a.add(cr.eye(n).mul(n));
}

// Each case: its inputs (made on the cpu), and the outputs whose weighted sum is differentiated.
const CASES: [string, () => cr.Tensor[], (xs: cr.Tensor[]) => cr.Tensor[]][] = [
  ["solve (batched, vector right side)", () => [square([2, 3, 3]), cr.randn([2, 3])], ([a, b]) => [cr.linalg.solve(a!, b!)]],
  ["solve (left: false), inv", () => [square([4, 4]), cr.randn([2, 4])], ([a, b]) => [cr.linalg.solve(a!, b!, { left: false }), cr.linalg.inv(a!)]],
  ["solveTriangular upper and unitriangular lower", () => [square([2, 3, 3]), cr.randn([2, 3, 2])], ([a, b]) =>
    [cr.linalg.solveTriangular(a!.triu(), b!, { upper: true }), cr.linalg.solveTriangular(a!.tril(), b!, { upper: false, unitriangular: true })]],
  ["det, slogdet", () => [cr.randn([3, 4, 4])], ([a]) => { const { sign, logabsdet } = cr.linalg.slogdet(a!); return [cr.linalg.det(a!), sign, logabsdet]; }],
  ["det's gradient with a singular matrix in the batch", () => [cr.stack([square([3, 3]), cr.tensor([[1, 2, 3], [2, 4, 6], [1, 0, 1]])])], ([a]) => [cr.linalg.det(a!)]],
  ["cholesky (lower and upper)", () => [square([2, 4, 4], true)], ([a]) => [cr.linalg.cholesky(a!), cr.linalg.cholesky(a!, { upper: true })]],
  ["qr reduced (tall) and complete (wide)", () => [cr.randn([2, 5, 3]), cr.randn([3, 4])], ([a, b]) => {
    const r1 = cr.linalg.qr(a!), r2 = cr.linalg.qr(b!, { mode: "complete" });
    return [r1.Q, r1.R, r2.Q, r2.R];
  }],
  ["eigh (lower and upper)", () => [square([2, 4, 4], true)], ([a]) => {
    const lo = cr.linalg.eigh(a!), up = cr.linalg.eigh(a!, { UPLO: "U" });
    return [lo.eigenvalues, lo.eigenvectors, up.eigenvalues];
  }],
  ["svd (tall, wide), svdvals", () => [cr.randn([2, 5, 3]), cr.randn([3, 4])], ([a, b]) => {
    const t = cr.linalg.svd(a!, { fullMatrices: false }), w = cr.linalg.svd(b!, { fullMatrices: false });
    return [t.U, t.S, t.Vh, w.U, w.S, w.Vh, cr.linalg.svdvals(b!)];
  }],
];

function run(device: string, inputs: readonly cr.Tensor[], op: (xs: cr.Tensor[]) => cr.Tensor[]): cr.Tensor[] {
  const xs = inputs.map((x) => x.to(device).detach().requiresGrad_());
  const outs = op(xs);
  const loss = outs.map((o, k) => o.mul(cr.arange(o.numel()).reshape(o.shape).to(device).mul(0.3 * (k + 1)).cos()).sum()).reduce((a, b) => a.add(b));
  return [...outs, ...cr.autograd.grad(loss, xs).map((g, i) => g ?? cr.zerosLike(xs[i]!))];
}

async function check(name: string, make: () => cr.Tensor[], op: (xs: cr.Tensor[]) => cr.Tensor[]): Promise<void> {
  cr.manualSeed(5);
  const inputs = make();
  const want = run("cpu", inputs, op);
  const got = run("webgpu", inputs, op);
  for (const [i, t] of got.entries()) {
    assert.equal(t.device, "webgpu", `${name}: result ${i} on the GPU`);
    const g = await t.data(), e = want[i]!.toTypedArray();
    g.forEach((v, k) => assert.ok(Math.abs(v - e[k]!) <= 2e-4 * (1 + Math.abs(e[k]!)), `${name}: result ${i} [${k}] ${v} vs cpu ${e[k]}`));
  }
}

test("webgpu: cr.linalg matches cpu, gradients included, and leaves no GPU buffer behind", async () => {
  await collectGarbage();
  const before = cr.backends.webgpu.memoryStats().tensorBlocks;
  for (const [name, make, op] of CASES) {
    await check(name, make, op);
    await collectGarbage();
    assert.equal(cr.backends.webgpu.memoryStats().tensorBlocks, before, `${name}: every temporary and result was freed`);
  }
});

test("webgpu: a singular or not positive-definite matrix is reported by the next read as the cpu's LinAlgError, inputs unchanged", async () => {
  const a = cr.tensor([[[2, 1], [1, 3]], [[1, 2], [2, 4]]]);
  const b = cr.tensor([[[1], [2]], [[1], [2]]]);
  const cpuError = (() => {
    try {
      cr.linalg.solve(a, b);
    } catch (e) {
      return e as Error;
    }
    return null;
  })();
  assert.ok(cpuError !== null && cpuError.name === "LinAlgError");
  const [ga, gb] = [a.to("webgpu"), b.to("webgpu")];
  // The kernel cannot throw: the error comes with the next read, whichever tensor it reads.
  const x = cr.linalg.solve(ga, gb);
  await assert.rejects(x.data(), { name: "LinAlgError", message: cpuError.message });
  assert.deepEqual([...(await ga.data())], [2, 1, 1, 3, 1, 2, 2, 4], "A unchanged");
  // The flag is cleared once reported.
  assert.deepEqual([...(await cr.linalg.det(ga).data())].map((v) => Math.round(v * 1e4) / 1e4 + 0), [5, 0]);

  const notPd = cr.tensor([[[4, 2], [2, 3]], [[1, 2], [2, 1]]]);
  const want = (() => {
    try {
      cr.linalg.cholesky(notPd);
    } catch (e) {
      return e as Error;
    }
    return null;
  })();
  assert.ok(want !== null);
  const l = cr.linalg.cholesky(notPd.to("webgpu"));
  await assert.rejects(l.data(), (e: Error & { batch?: number | null; index?: number }) => {
    assert.equal(e.name, "LinAlgError");
    assert.equal(e.message, want.message);
    assert.equal(e.batch, 1);
    assert.equal(e.index, 2);
    return true;
  });
});
