// Convolution and pooling beyond 2-D: the N-d window kernels against the 2-D ones, gradcheck (and gradgradcheck)
// in float64 of every new op, the layers' parameters and shapes as PyTorch's, and the errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";
import { cpuBackend } from "../src/backend/cpu/index.js";
import type { Window2d, WindowNd } from "../src/backend/backend.js";
import { windowNdOut } from "../src/ops/window-nd.js";

type Tensor = cr.Tensor;
const F = cr.nn.functional;

let seed = 5;
function rand(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
}

function randn(shape: number[], scale = 1): Tensor {
  return cr.randn(shape, { dtype: "float64" }).mul(scale).requiresGrad_(true);
}
/** A shuffled grid 0.3 apart: every pooling window has a unique maximum. */
function distinct(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const order = Array.from({ length: n }, () => rand());
  const ranks = [...order.keys()].sort((a, b) => order[a]! - order[b]!);
  const data = new Float64Array(n);
  ranks.forEach((r, i) => (data[r] = (i - n / 2) * 0.3));
  return cr.tensor(data).reshape(shape).requiresGrad_(true);
}

test("the N-d kernels compute what the 2-D ones do on 2-D windows padded evenly", () => {
  const windows: Window2d[] = [
    { kernel: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], padValue: 0 },
    { kernel: [2, 3], stride: [2, 1], padding: [1, 0], dilation: [1, 2], padValue: -Infinity },
  ];
  for (const w of windows) {
    const nd: WindowNd = { kernel: w.kernel, stride: w.stride, padBefore: w.padding, padAfter: w.padding, dilation: w.dilation, padValue: w.padValue };
    const shape = [2, 3, 6, 7];
    const data = Float32Array.from({ length: 2 * 3 * 42 }, () => (rand() < 0.1 ? NaN : Math.floor(rand() * 4)));
    const x = { buf: data, shape, dtype: "float32" as const };
    const outs = windowNdOut([6, 7], nd);
    const cols = [3 * w.kernel[0] * w.kernel[1], outs[0]! * outs[1]!];
    assert.deepEqual(cpuBackend.unfoldNd(x, nd, [2, ...cols]), cpuBackend.unfold(x, w, [2, ...cols]));
    assert.deepEqual(cpuBackend.maxPoolNdIndices(x, nd, [2, 3, ...outs]), cpuBackend.maxPool2dIndices(x, w, [2, 3, ...outs]));
    const c = { buf: Float32Array.from({ length: 2 * cols[0]! * cols[1]! }, () => rand()), shape: [2, ...cols], dtype: "float32" as const };
    assert.deepEqual(cpuBackend.foldNd(c, nd, shape), cpuBackend.fold(c, w, shape));
  }
});

function check(name: string, fn: (...xs: Tensor[]) => Tensor, inputs: () => Tensor[], twice = false): void {
  test(`gradcheck${twice ? " and gradgradcheck" : ""}: ${name}`, () => {
    cr.manualSeed(11);
    const xs = inputs();
    assert.equal(cr.autograd.gradcheck(fn, xs), true);
    if (twice) assert.equal(cr.autograd.gradgradcheck(fn, xs), true);
  });
}

check("conv1d, groups, stride, padding", (x, w, b) => F.conv1d(x, w, b, { stride: 2, padding: 1, groups: 2 }), () => [randn([2, 4, 7]), randn([4, 2, 3]), randn([4])], true);
check("conv1d padding same, dilation 2", (x, w) => F.conv1d(x, w, null, { padding: "same", dilation: 2 }), () => [randn([1, 2, 6]), randn([3, 2, 4])]);
check("conv3d", (x, w, b) => F.conv3d(x, w, b, { stride: [1, 2, 1], padding: [1, 0, 1], dilation: [1, 1, 2] }), () => [randn([1, 2, 3, 4, 5]), randn([2, 2, 2, 2, 2]), randn([2])], true);
check("convTranspose1d with outputPadding", (x, w, b) => F.convTranspose1d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }), () => [randn([2, 2, 4]), randn([2, 3, 3]), randn([3])], true);
check("convTranspose2d, groups, dilation", (x, w) => F.convTranspose2d(x, w, null, { groups: 2, dilation: [2, 1], stride: [1, 2] }), () => [randn([1, 4, 3, 3]), randn([4, 1, 2, 3])], true);
check("convTranspose2d, outputPadding past the stride", (x, w) => F.convTranspose2d(x, w, null, { dilation: 2, outputPadding: 1 }), () => [randn([1, 2, 3, 3]), randn([2, 2, 2, 2])]);
check("convTranspose3d", (x, w, b) => F.convTranspose3d(x, w, b, { stride: 2, padding: [1, 0, 0], outputPadding: [0, 1, 0] }), () => [randn([1, 2, 2, 2, 3]), randn([2, 2, 3, 2, 2]), randn([2])]);
check("maxPool1d ceilMode, dilation", (x) => F.maxPool1d(x, 3, { stride: 2, padding: 1, dilation: 2, ceilMode: true }), () => [distinct([2, 2, 9])], true);
check("maxPool2d ceilMode", (x) => F.maxPool2d(x, 3, { stride: 2, ceilMode: true }), () => [distinct([1, 2, 6, 7])]);
check("maxPool3d", (x) => F.maxPool3d(x, [2, 3, 2], { stride: [2, 1, 2], padding: [1, 1, 0], ceilMode: true }), () => [distinct([1, 2, 3, 4, 5])], true);
check("avgPool1d ceilMode, countIncludePad false", (x) => F.avgPool1d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), () => [randn([2, 2, 8])]);
check("avgPool2d ceilMode", (x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }), () => [randn([1, 2, 6, 5])]);
check("avgPool3d, divisorOverride", (x) => F.avgPool3d(x, 2, { stride: 1, padding: 1, divisorOverride: 3 }), () => [randn([1, 1, 3, 2, 3])], true);
check("adaptiveAvgPool2d, unequal bins", (x) => F.adaptiveAvgPool2d(x, [3, 2]), () => [randn([1, 2, 5, 7])], true);
check("adaptiveAvgPool3d", (x) => F.adaptiveAvgPool3d(x, [2, 3, 2]), () => [randn([1, 1, 3, 4, 5])]);
check("adaptiveMaxPool1d, unequal bins", (x) => F.adaptiveMaxPool1d(x, 4), () => [distinct([2, 2, 7])]);
check("adaptiveMaxPool2d, unequal and equal bins", (x) => F.adaptiveMaxPool2d(x, [3, 2]).sum().add(F.adaptiveMaxPool2d(x, [5, 3]).square().sum()), () => [distinct([1, 2, 5, 6])], true);
const unpoolAt = F.maxPool2dWithIndices(distinct([1, 2, 4, 5]).detach(), 2)[1];
check("maxUnpool2d", (v) => F.maxUnpool2d(v, unpoolAt, 2, { outputSize: [4, 5] }), () => [randn([1, 2, 2, 2])], true);
check("interpolate bilinear", (x) => F.interpolate(x, { scaleFactor: [1.5, 2], mode: "bilinear" }), () => [randn([1, 2, 3, 4])], true);
check("interpolate bicubic alignCorners", (x) => F.interpolate(x, { size: [5, 3], mode: "bicubic", alignCorners: true }), () => [randn([1, 1, 4, 4])], true);
check("interpolate nearest and trilinear", (x) => F.interpolate(x, { size: [3, 4, 5], mode: "trilinear" }).add(F.interpolate(x, { size: [3, 4, 5] })), () => [randn([1, 1, 2, 3, 2])]);
check("interpolate linear, area", (x) => F.interpolate(x, { size: 7, mode: "linear" }).sum().add(F.interpolate(x, { size: 3, mode: "area" }).sum()), () => [randn([2, 1, 5])]);
check("pixelShuffle then pixelUnshuffle", (x) => F.pixelUnshuffle(F.pixelShuffle(x, 2).mul(x.sum()), 2), () => [randn([1, 8, 2, 2])]);

test("forward-mode tangents of the N-d windows match reverse mode (jvp against vjp)", () => {
  cr.manualSeed(3);
  const x = cr.randn([1, 2, 3, 4, 5], { dtype: "float64" });
  const t = cr.randn([1, 2, 3, 4, 5], { dtype: "float64" });
  const f = (v: Tensor) => F.avgPool3d(F.conv3d(v, cr.ones([2, 2, 2, 2, 2], { dtype: "float64" }), null, { padding: [1, 0, 1] }), 2, { ceilMode: true });
  const [y, tangent] = cr.func.jvp(f, [x], [t]);
  const g = cr.randn(y.shape, { dtype: "float64" });
  const xr = x.detach().requiresGrad_(true);
  const [vjp] = cr.autograd.grad(f(xr), [xr], { gradOutputs: [g] });
  // ⟨g, J t⟩ = ⟨Jᵀ g, t⟩
  assert.ok(Math.abs(g.mul(tangent).sum().item() - vjp!.mul(t).sum().item()) < 1e-9);
});

test("the layers have PyTorch's parameter names, shapes and default initialisation bounds", () => {
  cr.manualSeed(1);
  const layers: [cr.nn.AnyModule, Record<string, number[]>, number][] = [
    [new cr.nn.Conv1d(4, 6, 3, { groups: 2 }), { weight: [6, 2, 3], bias: [6] }, 1 / Math.sqrt(6)],
    [new cr.nn.Conv3d(2, 4, [2, 3, 1]), { weight: [4, 2, 2, 3, 1], bias: [4] }, 1 / Math.sqrt(12)],
    [new cr.nn.ConvTranspose1d(4, 6, 3, { groups: 2 }), { weight: [4, 3, 3], bias: [6] }, 1 / Math.sqrt(9)],
    [new cr.nn.ConvTranspose2d(3, 5, [2, 3]), { weight: [3, 5, 2, 3], bias: [5] }, 1 / Math.sqrt(30)],
    [new cr.nn.ConvTranspose3d(2, 2, 2, { bias: false }), { weight: [2, 2, 2, 2, 2] }, 1 / Math.sqrt(16)],
  ];
  for (const [layer, shapes, bound] of layers) {
    const sd = layer.stateDict();
    assert.deepEqual(Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, v.shape])), shapes);
    for (const v of Object.values(sd)) assert.ok(v.abs().max().item() <= bound + 1e-7, `${layer.constructor.name}: within ±${bound}`);
  }
});

test("the layers give PyTorch's output shapes, and ConvTranspose picks outputPadding from outputSize", () => {
  assert.deepEqual(new cr.nn.Conv1d(16, 33, 3, { stride: 2 }).forward(cr.randn([20, 16, 50])).shape, [20, 33, 24]);
  assert.deepEqual(new cr.nn.Conv3d(4, 8, 3, { padding: 1 }).forward(cr.randn([2, 4, 5, 6, 6])).shape, [2, 8, 5, 6, 6]);
  assert.deepEqual(new cr.nn.Conv3d(4, 8, 3, { padding: "same" }).forward(cr.randn([4, 5, 6, 6])).shape, [8, 5, 6, 6]);
  const up = new cr.nn.ConvTranspose2d(16, 8, 3, { stride: 2, padding: 1 });
  const x = cr.randn([1, 16, 12, 12]);
  assert.deepEqual(up.forward(x).shape, [1, 8, 23, 23]);
  assert.deepEqual(up.forward(x, [24, 24]).shape, [1, 8, 24, 24]);
  assert.deepEqual(up.forward(x, [1, 8, 24, 24]).shape, [1, 8, 24, 24]);
  assert.throws(() => up.forward(x, [26, 24]), /ConvTranspose2d: requested an output size of \[26,24\], but valid sizes range from 23 to 24 along spatial dim 0/);
  assert.deepEqual(new cr.nn.ConvTranspose1d(8, 4, 3, { stride: 2 }).forward(cr.randn([2, 8, 10])).shape, [2, 4, 21]);
  assert.deepEqual(new cr.nn.ConvTranspose3d(4, 2, 2, { stride: 2 }).forward(cr.randn([1, 4, 3, 3, 3])).shape, [1, 2, 6, 6, 6]);
  const pool = new cr.nn.MaxPool3d(2, { returnIndices: true });
  const [values, indices] = pool.forward(cr.randn([1, 2, 4, 4, 4]));
  assert.deepEqual(values.shape, [1, 2, 2, 2, 2]);
  assert.deepEqual(new cr.nn.MaxUnpool3d(2).forward(values, indices).shape, [1, 2, 4, 4, 4]);
  assert.deepEqual(new cr.nn.MaxPool1d(3, { stride: 2, ceilMode: true }).forward(cr.randn([1, 2, 10])).shape, [1, 2, 5]);
  assert.deepEqual(new cr.nn.AvgPool1d(3, { stride: 2, ceilMode: true }).forward(cr.randn([1, 2, 10])).shape, [1, 2, 5]);
  assert.deepEqual(new cr.nn.AvgPool3d(2, { ceilMode: true }).forward(cr.randn([1, 2, 5, 5, 5])).shape, [1, 2, 3, 3, 3]);
  assert.deepEqual(new cr.nn.AdaptiveAvgPool2d(1).forward(cr.randn([2, 64, 7, 7])).shape, [2, 64, 1, 1]);
  assert.deepEqual(new cr.nn.AdaptiveAvgPool2d([null, 3]).forward(cr.randn([2, 4, 5, 7])).shape, [2, 4, 5, 3]);
  const [am, ai] = new cr.nn.AdaptiveMaxPool2d([3, 3], { returnIndices: true }).forward(cr.randn([2, 5, 7]));
  assert.deepEqual([am.shape, ai.shape, ai.dtype], [[2, 3, 3], [2, 3, 3], "int32"]);
  assert.deepEqual(new cr.nn.Upsample({ scaleFactor: 2, mode: "bilinear" }).forward(cr.randn([1, 3, 4, 4])).shape, [1, 3, 8, 8]);
  assert.deepEqual(new cr.nn.UpsamplingBilinear2d({ size: [5, 6] }).forward(cr.randn([1, 3, 4, 4])).shape, [1, 3, 5, 6]);
  assert.deepEqual(new cr.nn.PixelShuffle(3).forward(cr.randn([1, 18, 2, 2])).shape, [1, 2, 6, 6]);
  assert.deepEqual(new cr.nn.PixelUnshuffle(2).forward(cr.randn([1, 2, 6, 4])).shape, [1, 8, 3, 2]);
  assert.deepEqual(new cr.nn.Fold([4, 5], 2).forward(cr.randn([1, 12, 12])).shape, [1, 3, 4, 5]);
  assert.deepEqual(new cr.nn.Unfold(3, { padding: 1 }).forward(cr.randn([2, 5, 5])).shape, [18, 25]);
});

test("a Sequential takes the new layers, and they print PyTorch's way", () => {
  const net = new cr.nn.Sequential(new cr.nn.Conv1d(1, 4, 3, { padding: 1 }), new cr.nn.MaxPool1d(2), new cr.nn.ConvTranspose1d(4, 1, 2, { stride: 2 }));
  assert.deepEqual(net.forward(cr.randn([2, 1, 8])).shape, [2, 1, 8]);
  assert.match(String(net), /Conv1d\(1, 4, kernelSize=\[3\], stride=\[1\], padding=\[1\]\)/);
});

test("bad arguments name the op and what was wrong, and change nothing", () => {
  const x = cr.randn([1, 2, 5]);
  assert.throws(() => F.conv1d(x, cr.randn([3, 2, 3, 3])), /conv1d: weight must have 3 dims \(channels, channels, L\), got \[3,2,3,3\]/);
  assert.throws(() => F.conv1d(x, cr.randn([3, 3, 2])), /conv1d: input \[1,2,5\] must have 3 channels for weight \[3,3,2\] with groups 1/);
  assert.throws(() => F.conv1d(x, cr.randn([3, 2, 7])), /conv1d: the kernel \[7\] \(dilation \[1\]\) is larger than the padded input \[5\]/);
  assert.throws(() => F.conv1d(x, cr.randn([3, 2, 2]), null, { padding: "same", stride: 2 }), /conv1d: padding "same" is not supported for strided convolutions/);
  assert.throws(() => F.conv1d(x, cr.randn([3, 2, 2], { dtype: "float64" })), /conv1d: input is float32 and weight is float64/);
  assert.throws(() => F.conv3d(cr.randn([2, 3, 3]), cr.randn([1, 1, 1, 1, 1])), /conv3d: expected input \[N, C, D, H, W\] or \[C, D, H, W\], got \[2,3,3\]/);
  assert.throws(() => F.convTranspose1d(x, cr.randn([2, 1, 3]), null, { stride: 2, outputPadding: 2 }), /convTranspose1d: outputPadding \[2\] must be smaller than either the stride \[2\] or the dilation \[1\]/);
  assert.throws(() => F.maxPool1d(x, 2, { padding: 2 }), /maxPool1d: padding \[2\] must be at most half the kernel \[2\]/);
  assert.throws(() => F.maxPool3d(cr.randn([1, 1, 2, 2, 2]), 3), /maxPool3d: the output size \[0,0,0\] is too small for the input \[2,2,2\]/);
  assert.throws(() => F.avgPool1d(x, [2, 2]), /avgPool1d: kernelSize must be an integer >= 1 or a list of 1 of them, got \[2,2\]/);
  assert.throws(() => F.adaptiveAvgPool2d(x.reshape([2, 5]), 2), /adaptiveAvgPool2d: expected input \[N, C, H, W\] or \[C, H, W\], got \[2,5\]/);
  assert.throws(() => F.interpolate(x, { size: 4, mode: "bilinear" }), /interpolate: mode "bilinear" needs a 4-D input, got \[1,2,5\]/);
  assert.throws(() => F.interpolate(x, { size: 4, scaleFactor: 2 }), /interpolate: give exactly one of size and scaleFactor/);
  assert.throws(() => F.interpolate(x, { size: 4, alignCorners: true }), /interpolate: alignCorners can only be set with the interpolating modes/);
  assert.throws(() => F.pixelShuffle(cr.randn([1, 3, 2, 2]), 2), /pixelShuffle: expected input \[\*, C·4, H, W\] \(channels divisible by 4\), got \[1,3,2,2\]/);
  const [y, i] = F.maxPool1dWithIndices(x, 2);
  assert.throws(() => F.maxUnpool1d(y, i.add(10), 2), { name: "IndexError", message: "maxUnpool1d: index 10 is out of bounds for an output of size [4]" });
  assert.throws(() => F.maxUnpool1d(y, i, 2, { outputSize: [7] }), /maxUnpool1d: invalid outputSize \[7\] \(dim 0 must be between 2 and 6\)/);
});

test("adaptive max pooling picks PyTorch's winners among ties and NaN on every backend", () => {
  const previous = cr.getBackend();
  for (const backend of ["cpu", "wasm"] as const) {
    cr.setBackend(backend);
    try {
      const [v, idx] = F.adaptiveMaxPool1dWithIndices(cr.tensor([[[1, 3, 3, NaN, 2, NaN, 0]]]), 3);
      // Bins [0, 3), [2, 5), [4, 7): the first 3, the NaN at 3, the last NaN at 5.
      assert.deepEqual(idx.tolist(), [[[1, 3, 5]]]);
      assert.ok(Number.isNaN((v.tolist() as number[][][])[0]![0]![1]!));
    } finally {
      cr.setBackend(previous);
    }
  }
});
