// Whether the cpu backend shares its large arrays with worker threads: where Node's worker_threads exist and
// more than one thread is wanted, arrays from a certain size are allocated on SharedArrayBuffers, so a kernel
// can split them among threads without copying them first. Browsers keep plain ArrayBuffers (one thread).
import type { ComputeDType as DType, TypedArray } from "../../dtype.js";
import { availableThreads, nodeBuiltin } from "../host.js";

/** Arrays from this many elements are shared; smaller ones are never worth a thread. */
export const SHARED_MIN_ELEMENTS = 4096;

let wantedThreads: number | undefined;
let decided: boolean | undefined;

/**
 * How many threads (the caller included) the cpu backend may use; 1 keeps it on one. Before first use.
 * @example cr.backends.cpu.setThreads(1); // before the first op: cpu kernels stay on the calling thread
 */
export function setCpuThreads(n: number): void {
  wantedThreads = Math.max(1, Math.floor(n));
  decided = undefined;
}

/** Threads the cpu backend may use, the caller included. */
export function cpuThreadCount(): number {
  return wantedThreads ?? availableThreads();
}

/** Whether large arrays go on SharedArrayBuffers (worker threads can exist, and more than one thread is wanted). */
export function sharingMemory(): boolean {
  decided ??= cpuThreadCount() >= 2 && typeof SharedArrayBuffer !== "undefined" && nodeBuiltin("worker_threads") !== undefined;
  return decided;
}

/** Whether worker threads can read `x` (a typed array on a SharedArrayBuffer). */
export function isShared(x: TypedArray): boolean {
  return typeof SharedArrayBuffer !== "undefined" && x.buffer instanceof SharedArrayBuffer;
}

/** Zero-filled storage for `size` elements of `dtype` on a SharedArrayBuffer. */
export function sharedArray(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(new SharedArrayBuffer(size * 4));
    case "float64":
      return new Float64Array(new SharedArrayBuffer(size * 8));
    case "int32":
      return new Int32Array(new SharedArrayBuffer(size * 4));
    case "bool":
      return new Uint8Array(new SharedArrayBuffer(size));
  }
}
