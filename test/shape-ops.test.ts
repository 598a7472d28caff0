// What the PyTorch fixtures cannot show about the reductions, sorting, shape, indexing and scatter ops: their
// errors (naming the op and the shapes, changing nothing), the in-place forms and autograd through them, memory
// released on the wasm heap, larger inputs against a plain JavaScript reference, and the argument forms.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";
import { onBackend } from "./helpers/backend.js";

type Tensor = cr.Tensor;
const i32 = (data: number[] | number[][]) => cr.tensor(data, { dtype: "int32" });

test("bad arguments throw errors that name the op and the shapes, and change nothing", () => {
  const x = cr.arange(12).reshape([3, 4]).float();
  const before = x.tolist();
  const cases: [() => unknown, RegExp][] = [
    [() => cr.nn.functional.pad(x, [1]), /pad: .*two amounts per dim/],
    [() => cr.nn.functional.pad(x, [1, 1, 1, 1, 1, 1]), /pad: 6 amounts pad 3 dims, but the input has 2/],
    [() => cr.nn.functional.pad(x.reshape([1, 3, 4]), [4, 0], { mode: "reflect" }), /pad: reflect padding must be smaller than the padded dim, got 4, 0 for dim 2 of size 4/],
    [() => cr.nn.functional.pad(x, [1, 1], { mode: "circular" }), /pad: "circular" padding of 1 dim needs an input of 3 dims .*\[3,4\]/],
    [() => cr.nn.functional.pad(x.reshape([1, 3, 4]), [1, 1], { mode: "reflect", value: 2 }), /pad: mode "reflect" takes no value/],
    [() => cr.nn.functional.pad(x, [-3, -2]), /pad: padding -3, -2 leaves a negative size for dim 1 of size 4/],
    [() => x.split([1, 1], 0), /split: sizes \[1,1\] must be non-negative integers adding up to 3/],
    [() => x.chunk(0), /chunk: chunks must be a positive integer, got 0/],
    [() => x.topk(5), /topk: k 5 is out of range for dim 1 of size 4/],
    [() => x.kthvalue(0), /kthvalue: k 0 is out of range/],
    [() => x.index(3), /index: index 3 is out of range for dim 0 of size 3/],
    [() => x.index(0, 0, 0), /index: too many indices for a tensor of 2 dims \(shape \[3,4\]\)/],
    [() => x.index("...", 0, "..."), /index: an index can only have a single ellipsis/],
    [() => x.index({ step: -1 }), /index: a slice's step must be a positive integer, got -1/],
    [() => x.index(i32([0, 3])), /index: index 3 is out of range for dim 0 of size 3/],
    [() => x.index(cr.tensor([true, false])), /index: the mask's shape \[2\] does not match the indexed dims \[3\]/],
    [() => x.index(cr.tensor([0.5])), /index: tensors used as indices must be integer \(int32, int64, int16, int8, uint8\) or bool, got float32/],
    [() => x.index(i32([0, 1]), i32([0, 1, 2])), /index: index tensors: shapes \[2\] and \[3\] cannot be broadcast/],
    [() => x.indexPut([i32([0, 1])], cr.ones([3])), /indexPut: values \[3\] and the indexed shape \[2,4\]/],
    [() => x.indexPut([i32([0])], cr.ones([4], { dtype: "float64" })), /indexPut: values are float64 but the tensor is float32/],
    [() => x.scatter(0, i32([[0, 1, 2, 0, 1]]), cr.ones([1, 5])), /scatter: index \[1,5\] is larger than the input \[3,4\] in dim 1/],
    [() => x.scatter(1, i32([[0, 1]]), cr.ones([1, 1])), /scatter: index \[1,2\] is larger than src \[1,1\] in dim 1/],
    [() => x.scatter(1, i32([[0, 1]]), cr.ones([1, 2], { dtype: "float64" })), /scatter: src is float64 but the input is float32/],
    [() => x.scatter(1, i32([[0, 4]]), cr.ones([1, 2])), /scatter: index 4 is out of bounds for dim 1 of size 4/],
    [() => x.scatterReduce(1, i32([[0, 1]]), cr.ones([1, 2]), "max" as cr.ScatterReduction), /scatterReduce: reduce must be "sum", "prod", "mean", "amax" or "amin", got "max"/],
    [() => x.indexCopy(0, i32([0, 1]), cr.ones([2, 3])), /indexCopy: source has shape \[2,3\], expected \[2,4\]/],
    [() => x.repeat([2]), /repeat: 1 sizes \[2\] are fewer than the tensor's 2 dims/],
    [() => x.unfold(1, 5, 1), /unfold: size 5 does not fit dim 1 of size 4/],
    [() => x.diagonal({ dim1: 1, dim2: -1 }), /diagonal: dim1 and dim2 cannot be the same dim/],
    [() => cr.meshgrid([cr.arange(2), cr.arange(3).float()]), /meshgrid: tensor 1 is float32 but tensor 0 is int32/],
    [() => cr.linalg.vectorNorm(cr.zeros([0]), Infinity), /vectorNorm: cannot reduce an empty tensor/],
    [() => cr.linalg.matrixNorm(x, 2), /matrixNorm: ord 2 is not supported/],
    [() => x.norm("nuc"), /norm: the nuclear norm needs an SVD/],
    [() => cr.linalg.vectorNorm(i32([1, 2])), /vectorNorm: expected a floating-point tensor, got int32/],
    [() => cr.zeros([0, 3]).max(0), /max: cannot reduce over dim 0, which has size 0 \(shape \[0,3\]\)/],
    [() => cr.zeros([0, 3]).amax(), /amax: cannot reduce an empty tensor \(shape \[0,3\]\) over all its elements/],
    [() => cr.zeros([2, 0]).median(1), /median: cannot reduce over dim 1, which has size 0/],
    [() => x.maskedFill(cr.ones([3, 4]), 0), /maskedFill: mask must be a bool tensor, got float32/],
    [() => x.maskedFill(cr.ones([2, 3, 4], { dtype: "bool" }), 0), /maskedFill: the mask \[2,3,4\] does not broadcast to the tensor's shape \[3,4\]/],
    [() => x.maskedScatter(x.gt(2), cr.ones([3])), /maskedScatter: the mask has 9 true elements but source only 3/],
    [() => x.repeatInterleave(i32([1, -1, 2]), 0), /repeatInterleave: repeats must be non-negative/],
    [() => x.movedim([0, 1], [1]), /movedim: source \[0,1\] and destination \[1\] must have the same number of dims/],
    [() => x.logcumsumexp(3), /logcumsumexp: dim 3 is out of range/],
    [() => x.roll([1, 2], [0]), /roll: shifts \[1,2\] and dims \[0\] must have the same length/],
    [() => x.tril.call(cr.ones([3]), 0), /tril: expected a tensor of at least 2 dims, got shape \[3\]/],
  ];
  for (const [fn, message] of cases) {
    assert.throws(fn, (err: Error) => message.test(err.message), `expected ${message}`);
  }
  assert.deepEqual(x.tolist(), before, "the input is unchanged");
});

test("the in-place forms write through, bump the version, and keep autograd right", () => {
  const w = cr.tensor([1, 2, 3, 4], { requiresGrad: true });
  const h = w.mul(2);
  h.indexPut_([i32([0, 2])], cr.tensor([10, 20]));
  assert.deepEqual(h.tolist(), [10, 4, 20, 8]);
  h.maskedFill_(h.gt(15), -1);
  assert.deepEqual(h.tolist(), [10, 4, -1, 8]);
  h.sum().backward();
  // Positions 0 and 2 were overwritten: no gradient reaches w there.
  assert.deepEqual(w.grad!.tolist(), [0, 2, 0, 2]);

  const leaf = cr.zeros([3], { requiresGrad: true });
  assert.throws(() => leaf.scatter_(0, i32([1]), 5), /scatter_: a leaf tensor that requires grad/);
  assert.deepEqual(leaf.tolist(), [0, 0, 0]);

  const t = cr.zeros([2, 3]);
  t.indexFill_(1, i32([-1]), 7).scatterReduce_(0, i32([[1, 1, 1]]), cr.ones([1, 3]), "sum").indexCopy_(0, i32([0]), cr.ones([1, 3]));
  assert.deepEqual(t.tolist(), [[1, 1, 1], [1, 1, 8]]);
  t.indexPut_([1, { start: 1 }], 0, { accumulate: false });
  t.indexPut_([":", 0], cr.tensor([5, 5]), { accumulate: true });
  assert.deepEqual(t.tolist(), [[6, 1, 1], [6, 0, 0]]);
  t.maskedScatter_(t.eq(0), cr.tensor([8, 9]));
  assert.deepEqual(t.tolist(), [[6, 1, 1], [6, 8, 9]]);
  t.scatterAdd_(1, i32([[0, 0]]), cr.ones([1, 2]));
  assert.deepEqual(t.tolist(), [[8, 1, 1], [6, 8, 9]]);
});

test("indexing forms: lists, ':', bool lists, null and ellipsis, and writes through slices", () => {
  const x = cr.arange(24).reshape([2, 3, 4]);
  assert.deepEqual(x.index(":", [0, 2], -1).tolist(), [[3, 11], [15, 23]]);
  assert.deepEqual(x.index([true, false], 0).tolist(), [[0, 1, 2, 3]]);
  assert.deepEqual(x.index(1, null, "...", { stop: 2 }).shape, [1, 3, 2]);
  assert.deepEqual(x.index().shape, [2, 3, 4]);
  assert.deepEqual(x.index({ start: -1 }, { start: 5 }).shape, [1, 0, 4]);
  // The advanced dims go first when the index tensors are apart, and stay in place when adjacent.
  assert.deepEqual(x.index([0, 1], ":", [1, 2]).shape, [2, 3]);
  assert.deepEqual(x.index(":", [[0], [1]], [1, 2]).shape, [2, 2, 2]);
  const y = cr.zeros([3, 4]);
  const z = y.indexPut([{ step: 2 }, { start: 1, stop: 3 }], cr.tensor([1, 2]));
  assert.deepEqual(z.tolist(), [[0, 1, 2, 0], [0, 0, 0, 0], [0, 1, 2, 0]]);
  assert.deepEqual(y.tolist(), [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], "indexPut is out of place");
});

test("sum's dtype forms, and the reductions' option forms", () => {
  const x = cr.tensor([[1.5, 2.25], [3, 4]]);
  assert.equal(x.sum({ dtype: "float64" }).dtype, "float64");
  assert.deepEqual(x.sum(1, { dtype: "int32" }).tolist(), [3, 7]);
  assert.deepEqual(x.sum(0, true, { dtype: "float64" }).shape, [1, 2]);
  assert.equal(cr.tensor([true, true, false]).sum().item(), 2);
  assert.equal(x.prod(undefined, false, { dtype: "float64" }).dtype, "float64");
  assert.deepEqual(x.prod(undefined, true).shape, [1, 1]);
  const { min, max } = x.aminmax({ dim: 0 });
  assert.deepEqual([min.tolist(), max.tolist()], [[1.5, 2.25], [3, 4]]);
  assert.equal(cr.linalg.vectorNorm(cr.tensor([3, 4]), 2, undefined, false, { dtype: "float64" }).dtype, "float64");
});

test("unique treats each NaN as distinct; sort and argsort of longer inputs match a JavaScript reference", () => {
  const [values, inverse, counts] = cr.tensor([1, NaN, 2, NaN, 1]).unique({ returnInverse: true, returnCounts: true });
  assert.deepEqual(values.tolist(), [1, 2, NaN, NaN]);
  assert.deepEqual(inverse.tolist(), [0, 2, 1, 3, 0]);
  assert.deepEqual(counts.tolist(), [2, 1, 1, 1]);
  cr.manualSeed(5);
  const data = Array.from(cr.randint(0, 50, [3000]).toTypedArray(), Number);
  const x = cr.tensor(data);
  const want = data.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).map(([, i]) => i);
  assert.deepEqual(Array.from(x.argsort({ descending: true }).toTypedArray()), want);
  assert.deepEqual(x.unique().tolist(), [...new Set(data)].sort((a, b) => a - b));
  const running = data.reduce((acc, v) => [...acc, (acc[acc.length - 1] ?? 0) + v], [] as number[]);
  assert.deepEqual(Array.from(x.cumsum(0).toTypedArray()), running);
});

test("nonzero, argwhere and maskedSelect read the count and compute the positions", () => {
  const x = cr.tensor([[0, 3, 0], [1, 0, 2]]);
  assert.deepEqual(x.nonzero().tolist(), [[0, 1], [1, 0], [1, 2]]);
  assert.deepEqual(x.argwhere().tolist(), [[0, 1], [1, 0], [1, 2]]);
  assert.deepEqual(x.nonzero({ asTuple: true }).map((t) => t.tolist()), [[0, 1, 1], [1, 0, 2]]);
  assert.deepEqual(cr.tensor([0, 0]).nonzero().shape, [0, 1]);
  assert.deepEqual(x.maskedSelect(x.gt(1)).tolist(), [3, 2]);
  assert.deepEqual(cr.zeros([0, 2]).nonzero().shape, [0, 2]);
});

test("the ops release their temporaries on the wasm heap", () => {
  onBackend("wasm", () => {
    const { tensorStats } = cr.backends.wasm;
    const x = cr.randn([64, 33]);
    const blocks = tensorStats().tensorBlocks;
    cr.tidy(() => {
      const results: Tensor[] = [
        x.median(), x.median(1).values, cr.linalg.vectorNorm(x, 3, 1), cr.linalg.vectorNorm(x, 0), x.sort({ dim: 0 }).values,
        x.cumprod(1), x.logcumsumexp(0), x.cummax(1).values, x.topk(5).values, x.prod(1),
        x.scatterReduce(0, cr.randint(0, 64, [10, 33]), cr.randn([10, 33]), "amax"),
        x.index(cr.randint(0, 64, [7]), { step: 3 }), x.maskedSelect(x.gt(0)), x.unique(),
        cr.nn.functional.pad(x.reshape([1, 64, 33]), [3, 3], { mode: "reflect" }),
      ];
      for (const r of results) r.realize();
    });
    assert.equal(tensorStats().tensorBlocks, blocks, "nothing left on the heap");
  });
});

test("views of the base's elements: diagonal, unfold, flip, split pieces and basic indexing read the right elements", () => {
  const x = cr.arange(20).reshape([4, 5]);
  assert.deepEqual(x.diagonal({ offset: 1 }).tolist(), [1, 7, 13, 19]);
  assert.deepEqual(x.diagonal({ offset: -2 }).tolist(), [10, 16]);
  assert.deepEqual(x.index(1).unfold(0, 3, 2).tolist(), [[5, 6, 7], [7, 8, 9]]);
  assert.deepEqual(x.flip(0, 1).index(0).tolist(), [19, 18, 17, 16, 15]);
  assert.deepEqual(x.split(2, 1).map((p) => p.shape), [[4, 2], [4, 2], [4, 1]]);
  assert.deepEqual(x.index({ start: 1, step: 2 }, { step: 4 }).tolist(), [[5, 9], [15, 19]]);
  assert.deepEqual(x.fliplr().index(0).tolist(), [4, 3, 2, 1, 0]);
  assert.deepEqual(x.flipud().index(":", 0).tolist(), [15, 10, 5, 0]);
  assert.deepEqual(cr.moveaxis(cr.zeros([2, 3, 4]), 0, 2).shape, [3, 4, 2]);
  assert.deepEqual(cr.swapdims(cr.zeros([2, 3]), 0, 1).shape, [3, 2]);
});
