// The `wasm` backend: buffers are typed arrays as on `cpu` (so no tensor lives on the wasm heap and nothing
// needs freeing), the heavy kernels run in WebAssembly SIMD on scratch memory, the rest on the cpu kernels.
import type { Backend } from "../backend.js";
import { cpuBackend } from "../cpu/index.js";
import { sizeOf } from "../../shape.js";
import { foldF32, unfoldF32 } from "./conv.js";
import { binaryF32, unaryF32 } from "./elementwise.js";
import { matmulF32 } from "./matmul.js";
import { transposeLast2 } from "./movement.js";
import { getPool } from "./pool.js";
import { getRuntime } from "./runtime.js";

export { wasmMemoryStats } from "./runtime.js";
export type { WasmMemoryStats } from "./runtime.js";
export { setWasmThreads } from "./pool.js";

/** Starts the wasm worker threads now (they come up in the background); false if threads are unavailable. */
export function warmUpWasm(): boolean {
  const rt = getRuntime();
  return rt !== null && getPool(rt) !== null;
}

/** Whether this runtime can run the wasm kernels (WebAssembly with 128-bit SIMD). */
export function wasmAvailable(): boolean {
  return getRuntime() !== null;
}

export const wasmBackend: Backend = {
  ...cpuBackend,
  name: "wasm",
  unary(op, x, outDtype) {
    const rt = x.dtype === "float32" ? getRuntime() : null;
    return (rt !== null && unaryF32(rt, op, x, outDtype)) || cpuBackend.unary(op, x, outDtype);
  },
  binary(op, a, b, outShape, outDtype) {
    const rt = a.dtype === "float32" ? getRuntime() : null;
    return (rt !== null && binaryF32(rt, op, a, b, sizeOf(outShape), outDtype)) || cpuBackend.binary(op, a, b, outShape, outDtype);
  },
  permute(x, perm) {
    const rt = getRuntime();
    return (rt !== null && transposeLast2(rt, x, perm)) || cpuBackend.permute(x, perm);
  },
  unfold(x, win, outShape) {
    const rt = getRuntime();
    return (rt !== null && unfoldF32(rt, x, win, outShape)) || cpuBackend.unfold(x, win, outShape);
  },
  fold(cols, win, outShape) {
    const rt = getRuntime();
    return (rt !== null && foldF32(rt, cols, win, outShape)) || cpuBackend.fold(cols, win, outShape);
  },
  matmul(a, b, outShape) {
    const rt = a.dtype === "float32" ? getRuntime() : null;
    return (rt !== null && matmulF32(rt, a, b, outShape)) || cpuBackend.matmul(a, b, outShape);
  },
};
