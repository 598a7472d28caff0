// The `wasm` backend: buffers are typed arrays as on `cpu`; float32 and int32 ones live on the shared wasm
// heap where there is one (freed by the tensor layer's scopes, or by the garbage collector), so the heavy
// kernels run in WebAssembly SIMD without copying; the rest run on the cpu kernels over the same arrays.
import type { Backend, CompleteBackend, DataBuf } from "../backend.js";
import { cpuBackend } from "../cpu/index.js";
import { complete } from "../fallbacks.js";
import { opProgram } from "../../ops/program.js";
import { sizeOf } from "../../shape.js";
import { foldF32, maxPool2dIndicesF32, unfoldF32 } from "./windows.js";
import { elementwiseF32 } from "./elementwise.js";
import { matmulF32 } from "./matmul.js";
import { argReduceF32, reduceF32 } from "./reduce.js";
import { gatherF32, scatterAddF32 } from "./indexing.js";
import { logSoftmaxBackwardF32, logSoftmaxF32 } from "./softmax.js";
import { attentionBackwardF32, attentionF32 } from "./attention.js";
import { geluBackwardF32, geluF32 } from "./gelu.js";
import { layerNormF32 } from "./layer-norm.js";
import { nllLossBackwardF32, nllLossF32 } from "./loss.js";
import { transposeLast2 } from "./movement.js";
import { expandStrided, permuteStrided, scatterStridedF32, sliceBackwardStrided, sliceStrided, stridedF32 } from "./strided.js";
import { getPool } from "./workers.js";
import { withFusion } from "./fused-backend.js";
import { setFusionMinElements } from "./fusion.js";
import { adamF32 } from "./optim.js";
import { planCall } from "./kernel-plan.js";
import { getRuntime } from "./runtime.js";
import { allocHeapArray, heapAddress, isHeapArray, releaseHeapArray } from "./tensors.js";
import { splitVectors } from "./split.js";
import type { Runtime } from "./runtime.js";
import type { HeapArray } from "./tensors.js";
import type { ComputeDType as DType } from "../../dtype.js";

export { wasmMemoryStats } from "./runtime.js";
export { heapTensorStats } from "./tensors.js";
export type { HeapTensorStats } from "./tensors.js";
export type { WasmMemoryStats } from "./runtime.js";
export { setWasmThreads } from "./workers.js";
export { setFusionMinElements } from "./fusion.js";

/**
 * Starts the wasm worker threads now (they come up in the background); false if threads are unavailable.
 * @example cr.backends.wasm.warmUp(); // at start-up: true where the worker threads are coming up
 */
export function warmUpWasm(): boolean {
  const rt = getRuntime();
  return rt !== null && getPool(rt) !== null;
}

/**
 * Whether this runtime can run the wasm kernels (WebAssembly with 128-bit SIMD).
 * @example cr.backends.wasm.available() // true in Node 20 and in current browsers
 */
export function wasmAvailable(): boolean {
  return getRuntime() !== null;
}

/** Below this many elements TypedArray.fill is as fast as the wasm call. */
const FILL_IN_WASM_MIN = 16384;

// A new heap-resident array, or undefined where this one cannot live on the heap (the cpu kernel's array then).
function onHeap(dtype: DType, length: number): HeapArray | undefined {
  const rt = getRuntime();
  return rt === null ? undefined : allocHeapArray(rt, dtype, length);
}

// Sets every element of a heap array to `value` in wasm (4 lanes a store, split across threads when large).
function fillHeap(rt: Runtime, out: HeapArray, value: number): HeapArray {
  if (out.length < FILL_IN_WASM_MIN) return out.fill(value);
  const one = out instanceof Float32Array ? Float32Array.of(value) : Int32Array.of(value);
  const bits = new Int32Array(one.buffer)[0]!;
  const ptr = heapAddress(rt, out)!;
  const vectors = Math.ceil(out.length / 4);
  splitVectors(rt, "fill32Range", [ptr, bits], vectors, 1, () => rt.exports.fill32Range(ptr, bits, 0, vectors));
  return out;
}

/** The backend methods that return a new buffer: those a wasm kernel may take over. */
type KernelMethod = { [K in keyof CompleteBackend]-?: NonNullable<CompleteBackend[K]> extends (...args: never[]) => DataBuf ? K : never }[keyof CompleteBackend];
type ArgsOf<K extends KernelMethod> = Parameters<NonNullable<CompleteBackend[K]>>;

/**
 * The method `name` run by the wasm kernel `kernel`, or by the cpu kernel where that cannot run: no runtime (no
 * WebAssembly SIMD here), or operands it does not take (other dtypes, layouts, sizes below its threshold, no
 * room under the memory cap), for which it returns undefined.
 */
function wasmOrCpu<K extends KernelMethod>(name: K, kernel: (rt: Runtime, ...args: ArgsOf<K>) => DataBuf | undefined): CompleteBackend[K] {
  const cpu = cpuBackend[name] as unknown as (...args: ArgsOf<K>) => DataBuf;
  const method = (...args: ArgsOf<K>): DataBuf => {
    const rt = getRuntime();
    return (rt === null ? undefined : kernel(rt, ...args)) ?? cpu.apply(cpuBackend, args);
  };
  return method as unknown as CompleteBackend[K];
}

const copyKey = () => opProgram("cast").key;

/** The kernels, each run when called. */
const kernels: CompleteBackend = {
  ...cpuBackend,
  name: "wasm",
  // float32 and int32 tensors live on the wasm heap where it is shared (see tensors.ts), so kernels take them in place.
  fromArray(data) {
    const out = data instanceof Float32Array || data instanceof Int32Array ? onHeap(data instanceof Float32Array ? "float32" : "int32", data.length) : undefined;
    if (out === undefined) return data;
    out.set(data);
    return out;
  },
  full(size, value, dtype) {
    const out = onHeap(dtype, size);
    return out === undefined ? cpuBackend.full(size, value, dtype) : fillHeap(getRuntime()!, out, value);
  },
  // Broadcasting one element (a sum's gradient flowing back) is a fill of a new heap block.
  expand(x, outShape) {
    const out = sizeOf(x.shape) === 1 ? onHeap(x.dtype, sizeOf(outShape)) : undefined;
    if (out !== undefined) return fillHeap(getRuntime()!, out, (x.buf as typeof out)[0]!);
    const rt = getRuntime();
    return (rt === null ? undefined : expandStrided(rt, x, outShape)) ?? cpuBackend.expand(x, outShape);
  },
  release(buf) {
    if (isHeapArray(buf)) releaseHeapArray(buf);
    else cpuBackend.release!(buf); // a cpu kernel's output: back to its pool
  },
  ownsMemory: (buf) => isHeapArray(buf),
  adamUpdate(p, g, m, v, vmax, h) {
    const rt = getRuntime();
    if (rt === null || !adamF32(rt, p, g, m, v, vmax, h)) cpuBackend.adamUpdate(p, g, m, v, vmax, h);
  },
  elementwise(program, inputs, outShape, outDtype) {
    // A same-dtype cast is a copy (clone(), a gradient's first store): a memcpy onto the heap.
    if (program.key === copyKey() && inputs[0]!.dtype === outDtype) {
      const out = onHeap(outDtype, sizeOf(outShape));
      if (out !== undefined) {
        out.set(inputs[0]!.buf as typeof out);
        return out;
      }
    }
    const rt = getRuntime();
    return (rt === null ? undefined : elementwiseF32(rt, program, inputs, outShape, outDtype)) ?? cpuBackend.elementwise(program, inputs, outShape, outDtype);
  },
  reduce: wasmOrCpu("reduce", reduceF32),
  gather: wasmOrCpu("gather", gatherF32),
  scatterAdd: wasmOrCpu("scatterAdd", scatterAddF32),
  argReduce: wasmOrCpu("argReduce", argReduceF32),
  logSoftmax: wasmOrCpu("logSoftmax", logSoftmaxF32),
  logSoftmaxBackward: wasmOrCpu("logSoftmaxBackward", logSoftmaxBackwardF32),
  nllLoss: wasmOrCpu("nllLoss", nllLossF32),
  nllLossBackward: wasmOrCpu("nllLossBackward", nllLossBackwardF32),
  permute: wasmOrCpu("permute", (rt, x, perm) => transposeLast2(rt, x, perm) ?? permuteStrided(rt, x, perm)),
  unfold: wasmOrCpu("unfold", unfoldF32),
  fold: wasmOrCpu("fold", foldF32),
  maxPool2dIndices: wasmOrCpu("maxPool2dIndices", maxPool2dIndicesF32),
  matmul: wasmOrCpu("matmul", matmulF32),
  addmm: wasmOrCpu("addmm", (rt, bias, a, b, outShape, transA, transB) => matmulF32(rt, a, b, outShape, transA, transB, bias)),
  attention: wasmOrCpu("attention", attentionF32),
  attentionBackward: wasmOrCpu("attentionBackward", attentionBackwardF32),
  gelu: wasmOrCpu("gelu", geluF32),
  geluBackward: wasmOrCpu("geluBackward", geluBackwardF32),
  layerNorm: wasmOrCpu("layerNorm", layerNormF32),
  strided: wasmOrCpu("strided", stridedF32),
  slice: wasmOrCpu("slice", sliceStrided),
  sliceBackward: wasmOrCpu("sliceBackward", (rt, src, inShape, starts, steps) =>
    sliceBackwardStrided(rt, src, inShape, starts, steps, (size) => {
      const out = onHeap(src.dtype, size);
      return out === undefined ? undefined : fillHeap(rt, out, 0);
    })),
  scatterStrided(dst, src, view, accumulate) {
    const rt = getRuntime();
    if (rt === null || !scatterStridedF32(rt, dst, src, view, accumulate)) cpuBackend.scatterStrided(dst, src, view, accumulate);
  },
};

/** The wasm backend: its kernels, with large elementwise chains fused into one pass (fusion.ts). */
export const wasmBackend: CompleteBackend = complete({
  ...withFusion(kernels),
  computeEagerly(fn) {
    using _fusionOff = setFusionMinElements(Infinity);
    return fn();
  },
  captureKernels(method, args, call, target) {
    const rt = getRuntime();
    return rt === null ? { result: call(), plan: null } : planCall(rt, method, args, call, target);
  },
} satisfies Backend);
