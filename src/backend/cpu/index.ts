// The pure-TypeScript reference backend: kernels over typed arrays. It is the oracle other backends are tested against.
import type { DType, TypedArray } from "../../dtype.js";
import { sizeOf } from "../../shape.js";
import { adopt, allocOut, recycle } from "./pool.js";
import type { Backend, DataBuf, TensorData } from "../backend.js";
import { binary, cast, unary, where } from "./elementwise.js";
import { fold, maxPool2dIndices, unfold } from "./conv.js";
import { addBiasRows, matmul } from "./matmul.js";
import { cat, expand, gather, indexAdd, indexSelect, permute, scatterAdd, slice, sliceBackward } from "./movement.js";
import { adamUpdate } from "./optim.js";
import { argReduce, reduce } from "./reduce.js";
import { logSoftmax, logSoftmaxBackward } from "./softmax.js";
import { nllLoss, nllLossBackward } from "./loss.js";

// On this backend a buffer is the typed array itself.
const arr = (t: TensorData) => t.buf as TypedArray;
const ints = (t: TensorData) => t.buf as Int32Array;

export const cpuBackend: Backend = {
  name: "cpu",
  fromArray: (data) => adopt(data),
  toArray: (buf, _dtype, _size) => (buf as TypedArray).slice(),
  view: (buf) => buf as TypedArray,
  full(size: number, value: number, dtype: DType): DataBuf {
    return value === 0 ? allocOut(dtype, size) : allocOut(dtype, size, "any").fill(value);
  },
  cast: (x, dtype) => cast(arr(x), dtype),
  unary: (op, x, outDtype) => unary(op, arr(x), outDtype),
  binary: (op, a, b, outShape, outDtype) => binary(op, arr(a), a.shape, arr(b), b.shape, outShape, outDtype),
  where: (c, a, b, outShape, outDtype) => where(arr(c), c.shape, arr(a), a.shape, arr(b), b.shape, outShape, outDtype),
  reduce: (op, x, axes, outDtype) => reduce(op, arr(x), x.shape, axes, outDtype),
  argReduce: (op, x, axis) => argReduce(op, arr(x), x.shape, axis),
  logSoftmax: (x, axis) => logSoftmax(arr(x), x.shape, axis, x.dtype),
  logSoftmaxBackward: (g, y, axis) => logSoftmaxBackward(arr(g), arr(y), g.shape, axis, g.dtype),
  nllLoss: (logp, target, ignoreIndex, reduction) => nllLoss(arr(logp), logp.shape, ints(target), ignoreIndex, reduction, logp.dtype),
  nllLossBackward: (g, target, inShape, ignoreIndex, reduction) => nllLossBackward(arr(g), ints(target), inShape, ignoreIndex, reduction, g.dtype),
  matmul: (a, b, outShape, transA = false, transB = false) => matmul(arr(a), a.shape, arr(b), b.shape, outShape, a.dtype, transA, transB),
  addmm: (bias, a, b, outShape, transA, transB) => addBiasRows(matmul(arr(a), a.shape, arr(b), b.shape, outShape, a.dtype, transA, transB), arr(bias), outShape[outShape.length - 1]!),
  permute: (x, perm) => permute(arr(x), x.shape, perm, x.dtype),
  expand: (x, outShape) => expand(arr(x), x.shape, outShape, x.dtype),
  slice: (x, starts, steps, outShape) => slice(arr(x), x.shape, starts, steps, outShape, x.dtype),
  sliceBackward: (src, inShape, starts, steps) => sliceBackward(arr(src), src.shape, inShape, starts, steps, src.dtype),
  cat: (xs, axis, outShape) => cat(xs.map((x) => ({ data: arr(x), shape: x.shape })), axis, outShape, xs[0]!.dtype),
  unfold: (x, window, outShape) => unfold(arr(x), x.shape, window, sizeOf(outShape), x.dtype),
  fold: (cols, window, outShape) => fold(arr(cols), outShape, window, sizeOf(outShape), cols.dtype),
  maxPool2dIndices: (x, window, outShape) => maxPool2dIndices(arr(x), x.shape, window, sizeOf(outShape)),
  assign: (dst, src) => (dst as TypedArray).set(arr(src)),
  release: (buf) => recycle(buf),
  adamUpdate: (p, g, m, v, vmax, h) =>
    adamUpdate(arr(p), arr(g), m as TypedArray, v as TypedArray, vmax as TypedArray | null, h, p.dtype === "float32"),
  gather: (x, dim, index) => gather(arr(x), x.shape, dim, ints(index), index.shape, x.dtype),
  scatterAdd: (base, dim, index, src) => scatterAdd(arr(base), base.shape, dim, ints(index), index.shape, arr(src), src.shape, base.dtype),
  indexSelect: (x, dim, index) => indexSelect(arr(x), x.shape, dim, ints(index), x.dtype),
  indexAdd: (base, dim, index, src) => indexAdd(arr(base), base.shape, dim, ints(index), arr(src), base.dtype),
};
