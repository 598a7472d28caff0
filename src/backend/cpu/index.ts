// The pure-TypeScript reference backend: kernels over typed arrays. It is the oracle other backends are tested against.
import type { ComputeDType as DType, TypedArray } from "../../dtype.js";
import { sizeOf } from "../../shape.js";
import type { Backend, CompleteBackend, DataBuf, TensorData } from "../backend.js";
import { complete } from "../fallbacks.js";
import { fold, maxPool2dIndices, unfold } from "./windows.js";
import { elementwise } from "./elementwise.js";
import { addBiasRows, matmul } from "./matmul.js";
import { cat, expand, gather, indexAdd, indexSelect, permute, scatterAdd, scatterStrided, slice, sliceBackward, stridedCopy } from "./movement.js";
import { adamUpdate } from "./optim.js";
import { adopt, allocOut, recycle, recyclesOnCollection } from "./buffer-pool.js";
import { argReduce, reduce } from "./reduce.js";
import { logSoftmax, logSoftmaxBackward } from "./softmax.js";
import { nllLoss, nllLossBackward } from "./loss.js";
import { cumulative, cumulativeIndex } from "./scan.js";
import { argsort } from "./sort.js";
import { scatterReduce } from "./scatter-reduce.js";
import { foldNd, maxPoolNdIndices, unfoldNd } from "./windows-nd.js";
import * as linalg from "../linalg/batched.js";
import { attention, attentionBackward } from "./attention.js";

// On this backend a buffer is the typed array itself.
const arr = (t: TensorData) => t.buf as TypedArray;
const ints = (t: TensorData) => t.buf as Int32Array;
const operand = (t: TensorData) => ({ data: arr(t), shape: t.shape, dtype: t.dtype });

const readSync = (buf: DataBuf, _dtype: DType, _size: number): TypedArray => (buf as TypedArray).slice();

const kernels: Backend = {
  name: "cpu",
  // ---- the core ----
  fromArray: (data) => adopt(data),
  readSync,
  read: (buf, dtype, size) => Promise.resolve(readSync(buf, dtype, size)),
  view: (buf) => buf as TypedArray,
  full(size: number, value: number, dtype: DType): DataBuf {
    return value === 0 ? allocOut(dtype, size) : allocOut(dtype, size, "any").fill(value);
  },
  assign: (dst, src) => (dst as TypedArray).set(arr(src)),
  release: (buf) => recycle(buf),
  ownsMemory: (buf) => recyclesOnCollection(buf),
  elementwise: (program, inputs, outShape, outDtype) => elementwise(program, inputs.map(operand), outShape, outDtype),
  reduce: (op, x, axes, outDtype) => reduce(op, arr(x), x.shape, axes, outDtype),
  argReduce: (op, x, axis) => argReduce(op, arr(x), x.shape, axis),
  matmul: (a, b, outShape, transA = false, transB = false) => matmul(arr(a), a.shape, arr(b), b.shape, outShape, a.dtype, transA, transB),
  strided: (x, view, outShape) => stridedCopy(arr(x), view.offset, view.strides, outShape, x.dtype),
  scatterStrided: (dst, src, view, accumulate) => scatterStrided(dst as TypedArray, arr(src), src.shape, view.offset, view.strides, accumulate),
  gather: (x, dim, index) => gather(arr(x), x.shape, dim, ints(index), index.shape, x.dtype),
  scatterAdd: (base, dim, index, src) => scatterAdd(arr(base), base.shape, dim, ints(index), index.shape, arr(src), src.shape, base.dtype),
  // ---- accelerated ----
  logSoftmax: (x, axis) => logSoftmax(arr(x), x.shape, axis, x.dtype),
  logSoftmaxBackward: (g, y, axis) => logSoftmaxBackward(arr(g), arr(y), g.shape, axis, g.dtype),
  nllLoss: (logp, target, ignoreIndex, reduction) => nllLoss(arr(logp), logp.shape, ints(target), ignoreIndex, reduction, logp.dtype),
  nllLossBackward: (g, target, inShape, ignoreIndex, reduction) => nllLossBackward(arr(g), ints(target), inShape, ignoreIndex, reduction, g.dtype),
  addmm: (bias, a, b, outShape, transA, transB) => addBiasRows(matmul(arr(a), a.shape, arr(b), b.shape, outShape, a.dtype, transA, transB), arr(bias), outShape[outShape.length - 1]!),
  permute: (x, perm) => permute(arr(x), x.shape, perm, x.dtype),
  expand: (x, outShape) => expand(arr(x), x.shape, outShape, x.dtype),
  slice: (x, starts, steps, outShape) => slice(arr(x), x.shape, starts, steps, outShape, x.dtype),
  sliceBackward: (src, inShape, starts, steps) => sliceBackward(arr(src), src.shape, inShape, starts, steps, src.dtype),
  cat: (xs, axis, outShape) => cat(xs.map((x) => ({ data: arr(x), shape: x.shape })), axis, outShape, xs[0]!.dtype),
  unfold: (x, window, outShape) => unfold(arr(x), x.shape, window, sizeOf(outShape), x.dtype),
  fold: (cols, window, outShape) => fold(arr(cols), outShape, window, sizeOf(outShape), cols.dtype),
  maxPool2dIndices: (x, window, outShape) => maxPool2dIndices(arr(x), x.shape, window, sizeOf(outShape)),
  adamUpdate: (p, g, m, v, vmax, h) =>
    adamUpdate(arr(p), arr(g), m as TypedArray, v as TypedArray, vmax as TypedArray | null, h, p.dtype === "float32"),
  indexSelect: (x, dim, index) => indexSelect(arr(x), x.shape, dim, ints(index), x.dtype),
  indexAdd: (base, dim, index, src) => indexAdd(arr(base), base.shape, dim, ints(index), arr(src), base.dtype),
  cumulative: (op, x, axis) => cumulative(op, arr(x), x.shape, axis, x.dtype),
  cumulativeIndex: (op, x, axis) => cumulativeIndex(op, arr(x), x.shape, axis),
  argsort: (x, axis, descending) => argsort(arr(x), x.shape, axis, descending),
  scatterReduce: (base, dim, index, src, op, includeSelf) => scatterReduce(arr(base), base.shape, dim, ints(index), index.shape, arr(src), src.shape, op, includeSelf, base.dtype),
  unfoldNd: (x, window, outShape) => unfoldNd(arr(x), x.shape, window, sizeOf(outShape), x.dtype),
  foldNd: (cols, window, outShape) => foldNd(arr(cols), outShape, window, sizeOf(outShape), cols.dtype),
  maxPoolNdIndices: (x, window, outShape) => maxPoolNdIndices(arr(x), x.shape, window, sizeOf(outShape)),
  linalgSolve: (a, b, check) => linalg.solve(arr(a), a.shape, arr(b), b.shape, check, a.dtype),
  linalgSolveTriangular: (a, b, upper, unit) => linalg.solveTriangular(arr(a), a.shape, arr(b), b.shape, upper, unit, a.dtype),
  linalgDet: (a) => linalg.determinant(arr(a), a.shape, false, a.dtype),
  linalgSlogdet: (a) => linalg.determinant(arr(a), a.shape, true, a.dtype),
  linalgCholesky: (a) => linalg.choleskyBatched(arr(a), a.shape, a.dtype),
  linalgQr: (a, complete) => linalg.qr(arr(a), a.shape, complete, a.dtype),
  linalgEigh: (a, upper) => linalg.eigh(arr(a), a.shape, upper, a.dtype),
  linalgSvd: (a, full) => linalg.svd(arr(a), a.shape, full, a.dtype),
  attention: (q, k, v, bias, p) => attention(operand(q), operand(k), operand(v), bias === null ? null : operand(bias), p, q.dtype),
  attentionBackward: (g, q, k, v, saved, bias, p) => attentionBackward(operand(g), operand(q), operand(k), operand(v), arr(saved), bias === null ? null : operand(bias), p, q.dtype),
};

/** The cpu backend: every kernel in TypeScript, large ones shared with worker threads in Node. */
export const cpuBackend: CompleteBackend = complete(kernels);
