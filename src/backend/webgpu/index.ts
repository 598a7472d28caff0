// The `webgpu` backend: tensors in GPU buffers (float32, int32, and bool as u32), kernels in WGSL, elementwise
// chains fused into one kernel (fusion.ts), work submitted in batches and read back asynchronously. It has no
// readSync and no view: `item()` names `itemAsync()`. float64 is refused (WGSL has none), as PyTorch's MPS does.
import type { ComputeDType as DType, TypedArray } from "../../dtype.js";
import { dtypeOfArray } from "../../dtype.js";
import { DTypeError } from "../../errors.js";
import type { Backend, CompleteBackend } from "../backend.js";
import { complete } from "../fallbacks.js";
import { allocationTape } from "../graph-memory.js";
import { beforeWrite, blockOf, computingEagerly, evaluateBufs, fuseFull, fuseProgram, fuseView, hostValue, releaseBuf } from "./fusion.js";
import { gatherGpu, indexAddGpu, indexSelectGpu, scatterAddGpu, scatterStridedGpu } from "./indexing.js";
import { nllLossBackwardGpu, nllLossGpu } from "./loss.js";
import { adamGpu } from "./optim.js";
import { logSoftmaxBackwardGpu, logSoftmaxGpu } from "./softmax.js";
import { foldGpu, maxPool2dIndicesGpu, unfoldGpu } from "./windows.js";
import { matmulGpu } from "./matmul.js";
import { attachBlock, GpuBuf, newBuf } from "./memory.js";
import { copy, flush, readBlock, writeBlock } from "./queue.js";
import { argReduceGpu, reduceGpu } from "./reduce.js";
import { argsortGpu } from "./sort.js";
import { scatterReduceGpu } from "./scatter-reduce.js";
import { cumulativeFallback, cumulativeIndexFallback, scatterReduceFallback } from "../ordering-fallbacks.js";
import { cumulativeGpu, cumulativeIndexGpu } from "./scan.js";
import { float64Message } from "./wgsl-expr.js";
import { attentionBackwardGpu, attentionGpu } from "./attention.js";
import { linalgCholeskyGpu, linalgDeterminantGpu, linalgEighGpu, linalgQrGpu, linalgSolveGpu, linalgSolveTriangularGpu, linalgSvdGpu } from "./linalg.js";

export { initWebGpu, webgpuInfo, webgpuReady } from "./device.js";
export type { WebGpuInfo, WebGpuInitOptions } from "./device.js";
export { webgpuMemoryStats } from "./memory.js";
export type { WebGpuMemoryStats } from "./memory.js";

/** The elements of `data` as 4-byte GPU words (bools widened to u32). */
function gpuWords(data: TypedArray): ArrayBufferView {
  if (data instanceof Uint8Array) return Uint32Array.from(data);
  return data;
}

/** GPU words read back as `dtype`'s typed array. */
function fromWords(bytes: ArrayBuffer, dtype: DType, size: number): TypedArray {
  if (dtype === "float32") return new Float32Array(bytes, 0, size);
  if (dtype === "int32") return new Int32Array(bytes, 0, size);
  if (dtype === "bool") return Uint8Array.from(new Uint32Array(bytes, 0, size));
  throw new DTypeError(float64Message());
}

const kernels: Backend = {
  name: "webgpu",
  // ---- memory ----
  fromArray(data) {
    const dtype = dtypeOfArray(data);
    if (dtype === undefined || dtype === "float64") throw new DTypeError(float64Message());
    const taped = allocationTape.record !== null || allocationTape.replay !== null;
    if (data.length === 1 && !taped) {
      const buf = new GpuBuf(dtype, 1);
      buf.host = data[0]!;
      return buf;
    }
    const buf = newBuf(dtype, data.length);
    if (data.length > 0) writeBlock(buf.block!, gpuWords(data));
    return buf;
  },
  read(buf, dtype, size0) {
    const b = buf as GpuBuf;
    const size = Math.min(size0, b.length);
    if (b.pending === null && b.block === null && b.host !== undefined) return Promise.resolve(hostArray(dtype, b.host));
    const block = size > 0 ? blockOf(b) : null;
    return readBlock(block, size * 4).then((bytes) => fromWords(bytes, dtype, size));
  },
  full: (size, value, dtype) => fuseFull(size, value, dtype),
  assign(dst, src) {
    const d = dst as GpuBuf;
    beforeWrite(d);
    const s = src.buf as GpuBuf;
    if (d.pending !== null) {
      d.pending.drop();
      d.pending = null;
    }
    if (d.length === 1 && d.block === null && s.pending === null && s.block === null && s.host !== undefined) {
      d.host = hostValue(d.dtype, s.host);
      return;
    }
    const from = blockOf(s);
    const to = d.block ?? attachBlock(d);
    d.host = undefined;
    copy(from, 0, to, 0, d.length * 4);
  },
  release: (buf) => releaseBuf(buf as GpuBuf),
  ownsMemory: (buf) => buf instanceof GpuBuf,
  // ---- compute ----
  elementwise: (program, inputs, outShape, outDtype) => fuseProgram(program, inputs, outShape, outDtype),
  reduce: (op, x, axes, outDtype) => reduceGpu(op, x, axes, outDtype),
  argReduce: (op, x, axis) => argReduceGpu(op, x, axis),
  matmul: (a, b, outShape, transA = false, transB = false) => matmulGpu(a, b, outShape, transA, transB),
  strided: (x, view, outShape) => fuseView(x, view, outShape),
  scatterStrided: (dst, src, view, accumulate) => scatterStridedGpu(dst, src, view, accumulate),
  gather: (x, dim, index) => gatherGpu(x, dim, index),
  scatterAdd: (base, dim, index, src) => scatterAddGpu(base, dim, index, src),
  // ---- deferred work ----
  evaluate(bufs) {
    evaluateBufs(bufs as GpuBuf[]);
    flush();
  },
  computeEagerly: (fn) => computingEagerly(fn),
  // ---- accelerated ----
  addmm: (bias, a, b, outShape, transA, transB) => matmulGpu(a, b, outShape, transA, transB, bias),
  logSoftmax: (x, axis) => logSoftmaxGpu(x, axis),
  logSoftmaxBackward: (g, y, axis) => logSoftmaxBackwardGpu(g, y, axis),
  nllLoss: (logp, target, ignoreIndex, reduction) => nllLossGpu(logp, target, ignoreIndex, reduction),
  nllLossBackward: (g, target, inShape, ignoreIndex, reduction) => nllLossBackwardGpu(g, target, inShape, ignoreIndex, reduction),
  adamUpdate: (p, g, m, v, vmax, h) => adamGpu(p, g, m, v, vmax, h),
  unfold: (x, window, outShape) => unfoldGpu(x, window, outShape),
  fold: (cols, window, outShape) => foldGpu(cols, window, outShape),
  maxPool2dIndices: (x, window, outShape) => maxPool2dIndicesGpu(x, window, outShape),
  indexSelect: (x, dim, index) => indexSelectGpu(x, dim, index),
  indexAdd: (base, dim, index, src) => indexAddGpu(base, dim, index, src),
  argsort: (x, axis, descending) => argsortGpu(x, axis, descending),
  // bool (no atomics of its width worth a kernel) runs as the core's composite.
  scatterReduce: (base, dim, index, src, op, includeSelf) =>
    base.dtype === "bool" ? scatterReduceFallback(webgpuBackend, base, dim, index, src, op, includeSelf) : scatterReduceGpu(base, dim, index, src, op, includeSelf),
  cumulative: (op, x, axis) => (x.dtype === "bool" ? cumulativeFallback(webgpuBackend, op, x, axis) : cumulativeGpu(op, x, axis)),
  cumulativeIndex: (op, x, axis) => (x.dtype === "bool" ? cumulativeIndexFallback(webgpuBackend, op, x, axis) : cumulativeIndexGpu(op, x, axis)),
  attention: (q, k, v, bias, p) => attentionGpu(webgpuBackend, q, k, v, bias, p),
  attentionBackward: (g, q, k, v, saved, bias, p) => attentionBackwardGpu(webgpuBackend, g, q, k, v, saved, bias, p),
  linalgSolve: (a, b, check) => linalgSolveGpu(a, b, check),
  linalgSolveTriangular: (a, b, upper, unit) => linalgSolveTriangularGpu(a, b, upper, unit),
  linalgDet: (a) => linalgDeterminantGpu(a, false),
  linalgSlogdet: (a) => linalgDeterminantGpu(a, true),
  linalgCholesky: (a) => linalgCholeskyGpu(a),
  linalgQr: (a, complete) => linalgQrGpu(a, complete),
  linalgEigh: (a, upper) => linalgEighGpu(a, upper),
  linalgSvd: (a, full) => linalgSvdGpu(a, full),
};

function hostArray(dtype: DType, v: number): TypedArray {
  if (dtype === "float32") return Float32Array.of(v);
  if (dtype === "int32") return Int32Array.of(v);
  if (dtype === "bool") return Uint8Array.of(v);
  throw new DTypeError(float64Message());
}

/** The webgpu backend (usable once `initWebGpu()` has opened a device). */
export const webgpuBackend: CompleteBackend = complete(kernels);
