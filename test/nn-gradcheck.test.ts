// Gradient checks (float64 central differences, cr.autograd.gradcheck) of the nn functional layers and
// every loss, with respect to inputs, weights and (where differentiable) targets.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";

const { nn } = cr;

type Tensor = cr.Tensor;
const F = nn.functional;
const f64 = { dtype: "float64" as const, requiresGrad: true };

function randn(shape: number[], scale = 1): Tensor {
  return cr.randn(shape, { dtype: "float64" }).mul(scale).requiresGrad_(true);
}
/** Normal values pushed at least `margin` away from 0 (clear of the kinks of abs and relu). */
function away(shape: number[], margin = 0.2): Tensor {
  const x = cr.randn(shape, { dtype: "float64" });
  return x.sign().mul(x.abs().add(margin)).requiresGrad_(true);
}
/** A shuffled grid 0.3 apart: every pooling window has a unique maximum. */
function distinct(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const order = cr.rand([n], { dtype: "float64" }).toTypedArray();
  const ranks = [...order.keys()].sort((a, b) => order[a]! - order[b]!);
  const data = new Float64Array(n);
  ranks.forEach((r, i) => (data[r] = (i - n / 2) * 0.3));
  return cr.tensor(data).reshape(shape).requiresGrad_(true);
}
const int = (data: number | number[] | number[][]): Tensor => cr.tensor(data, { dtype: "int32" });

function check(name: string, fn: (...xs: Tensor[]) => Tensor, inputs: () => Tensor[]): void {
  test(`gradcheck: ${name}`, () => {
    cr.manualSeed(7);
    assert.equal(cr.autograd.gradcheck(fn, inputs()), true);
  });
}

// ---- layers ----

check("linear", (x, w, b) => F.linear(x, w!, b!), () => [randn([3, 4]), randn([2, 4]), randn([2])]);
check("linear on a 1-D input", (x, w, b) => F.linear(x, w!, b!), () => [randn([4]), randn([2, 4]), randn([2])]);
check("conv2d padding", (x, w, b) => F.conv2d(x, w!, b!, { padding: 1 }), () => [randn([1, 2, 4, 4]), randn([3, 2, 3, 3]), randn([3])]);
check("conv2d stride", (x, w) => F.conv2d(x, w!, null, { stride: 2 }), () => [randn([1, 2, 5, 5]), randn([2, 2, 3, 3])]);
check("conv2d dilation", (x, w) => F.conv2d(x, w!, null, { dilation: 2, padding: 1 }), () => [randn([1, 1, 5, 5]), randn([2, 1, 2, 2])]);
check("conv2d groups", (x, w, b) => F.conv2d(x, w!, b!, { groups: 2 }), () => [randn([2, 4, 3, 3]), randn([4, 2, 2, 2]), randn([4])]);
check("conv2d same, even kernel", (x, w) => F.conv2d(x, w!, null, { padding: "same" }), () => [randn([1, 1, 4, 4]), randn([1, 1, 2, 2])]);
check("maxPool2d", (x) => F.maxPool2d(x, 2), () => [distinct([1, 2, 4, 4])]);
check("maxPool2d stride/padding", (x) => F.maxPool2d(x, 3, { stride: 2, padding: 1 }), () => [distinct([1, 1, 5, 5])]);
check("avgPool2d", (x) => F.avgPool2d(x, 2, { stride: 1 }), () => [randn([1, 2, 3, 3])]);
check("avgPool2d countIncludePad false", (x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }), () => [randn([1, 1, 5, 5])]);
check(
  "batchNorm (training)",
  (x, w, b) => F.batchNorm(x, null, null, { weight: w!, bias: b!, training: true }),
  () => [randn([4, 3, 2]), randn([3]).detach().add(1).requiresGrad_(true), randn([3])],
);
check(
  "batchNorm (training, updating running stats)",
  (x) => F.batchNorm(x, cr.zeros([2], { dtype: "float64" }), cr.ones([2], { dtype: "float64" }), { training: true }),
  () => [randn([3, 2, 2, 2])],
);
check(
  "batchNorm (evaluation)",
  (x, w) => F.batchNorm(x, cr.tensor([0.1, -0.2], { dtype: "float64" }), cr.tensor([0.5, 2], { dtype: "float64" }), { weight: w! }),
  () => [randn([3, 2]), randn([2])],
);
check("layerNorm", (x, w, b) => F.layerNorm(x, [4], { weight: w!, bias: b! }), () => [randn([3, 4]), randn([4]), randn([4])]);
check("layerNorm over two dims", (x) => F.layerNorm(x, [2, 3]), () => [randn([2, 2, 3])]);
// Not with paddingIdx: its row deliberately gets no gradient although the output reads it (the fixtures check that).
check("embedding", (w) => F.embedding(int([[0, 2], [2, 1]]), w!), () => [randn([4, 3])]);
check("logSigmoid, including 0", (x) => F.logSigmoid(x), () => [cr.tensor([-30, -2, -1e-3, 0, 1e-3, 2, 30], f64)]);
check("gelu, silu, softplus, leakyRelu", (x) => F.gelu(x).add(F.silu(x)).add(F.softplus(x)).add(F.leakyRelu(x, 0.2)), () => [away([5])]);

// ---- losses ----

check("mseLoss", (x, t) => F.mseLoss(x, t!), () => [randn([3, 2]), randn([3, 2])]);
check("l1Loss (sum)", (x, t) => F.l1Loss(x, t!, { reduction: "sum" }), () => {
  const t = randn([3, 2]);
  return [t.detach().add(away([3, 2]).detach()).requiresGrad_(true), t]; // |x - t| >= 0.2: clear of the kink
});
check("huberLoss", (x) => F.huberLoss(x, cr.zeros([6], { dtype: "float64" }), { delta: 0.5 }), () => [cr.tensor([-2, -0.3, 0, 0.2, 0.45, 1.7], f64)]);
check("bceLoss", (p, t, w) => F.bceLoss(p!.sigmoid(), t!.sigmoid(), { weight: w! }), () => [randn([3, 2]), randn([3, 2]), randn([2])]);
check(
  "bceWithLogitsLoss with weight and posWeight",
  (x, t) => F.bceWithLogitsLoss(x, t!.sigmoid(), { weight: cr.tensor([0.5, 2], { dtype: "float64" }), posWeight: cr.tensor([3, 0.5], { dtype: "float64" }) }),
  () => [cr.tensor([[-3, 0], [0.5, 8]], f64), randn([2, 2])],
);
check("crossEntropy (indices)", (x) => F.crossEntropy(x, int([0, 2, 1, 2])), () => [randn([4, 3])]);
check(
  "crossEntropy (weight, ignoreIndex, labelSmoothing)",
  (x) => F.crossEntropy(x, int([0, 2, -100, 1]), { weight: cr.tensor([0.3, 1, 2], { dtype: "float64" }), labelSmoothing: 0.2 }),
  () => [randn([4, 3])],
);
check("crossEntropy (K-dim, none)", (x) => F.crossEntropy(x, int([[0, 2], [1, 1]]), { reduction: "none" }), () => [randn([2, 3, 2])]);
check("crossEntropy (probabilities)", (x, t) => F.crossEntropy(x, t!.softmax(1), { labelSmoothing: 0.1 }), () => [randn([3, 4]), randn([3, 4])]);
check("nllLoss (ignoreIndex, sum)", (x) => F.nllLoss(x.logSoftmax(1), int([1, -100, 0]), { reduction: "sum" }), () => [randn([3, 2])]);
check("crossEntropy (K-dim, ignoreIndex, mean)", (x) => F.crossEntropy(x, int([[0, 7], [1, 2]]), { ignoreIndex: 7 }), () => [randn([2, 3, 2])]);
check("crossEntropy (unbatched)", (x) => F.crossEntropy(x, int(2)), () => [randn([4])]);
// Second derivatives through the loss's own kernels: nllLoss, logSoftmax and their backward ops.
test("gradgradcheck: crossEntropy (indices, ignoreIndex) and nllLoss (none)", () => {
  cr.manualSeed(7);
  assert.equal(cr.autograd.gradgradcheck((x) => F.crossEntropy(x, int([0, 2, -100, 1])), [randn([4, 3])]), true);
  assert.equal(cr.autograd.gradgradcheck((x) => F.nllLoss(x.logSoftmax(1), int([[0, 2], [1, -100]]), { reduction: "none" }), [randn([2, 3, 2])]), true);
});
check("nllLoss (weight, ignoreIndex)", (x) => F.nllLoss(x.logSoftmax(1), int([1, 0, 1]), { weight: cr.tensor([2, 0.5], { dtype: "float64" }), ignoreIndex: 0 }), () => [randn([3, 2])]);

// ---- modules: the gradients of a parameterised layer w.r.t. its own parameters ----

test("gradcheck: Conv2d and BatchNorm2d modules w.r.t. their parameters (float64)", () => {
  cr.manualSeed(3);
  const conv = new cr.nn.Conv2d(2, 2, 2, { dtype: "float64", groups: 2 });
  const bn = new cr.nn.BatchNorm2d(2, { dtype: "float64" });
  const x = cr.randn([2, 2, 3, 3], { dtype: "float64" });
  const fn = (w: Tensor, b: Tensor, g: Tensor) => {
    const out = F.conv2d(x, w, b, { groups: 2 });
    return F.batchNorm(out, null, null, { weight: g, bias: bn.bias, training: true });
  };
  assert.equal(cr.autograd.gradcheck(fn, [conv.weight, conv.bias!, bn.weight!]), true);
});
