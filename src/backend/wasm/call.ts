// One kernel call's memory: inputs by address (heap-resident ones where they are, others copied into
// scratch), outputs in new heap blocks (or in scratch, copied out, where tensors cannot live on the heap).
import type { ComputeDType as DType } from "../../dtype.js";
import { borrowScratch, releaseScratch } from "./runtime.js";
import type { Runtime } from "./runtime.js";
import { noteCopyIn, noteCopyOut, noteKernelCall } from "./kernel-plan.js";
import { allocHeapArray, heapAddress, releaseHeapArray } from "./tensors.js";
import type { HeapArray } from "./tensors.js";

export interface OutputSpec {
  readonly dtype: "float32" | "int32";
  readonly length: number;
}

// Kernels run whole 16-byte vectors, so scratch copies of inputs get room for the last one.
const vectorBytes = (length: number) => Math.ceil(length / 4) * 16;

function viewOf(rt: Runtime, dtype: DType, ptr: number, length: number): HeapArray {
  return dtype === "int32" ? new Int32Array(rt.memory.buffer, ptr, length) : new Float32Array(rt.memory.buffer, ptr, length);
}

/**
 * Runs `body(inputAddresses, outputAddresses, scratchAddresses)` and returns the outputs as arrays, or
 * undefined when the memory cap leaves no room (the caller then runs the cpu kernel). `scratch` lists
 * extra per-call bytes the kernel needs (packing space).
 */
export function runKernel(
  rt: Runtime,
  inputs: readonly HeapArray[],
  outputs: readonly OutputSpec[],
  scratch: readonly number[],
  body: (ins: number[], outs: number[], scratch: number[]) => void,
): HeapArray[] | undefined {
  const inAddr = inputs.map((x) => heapAddress(rt, x));
  const outArrays = outputs.map((o) => allocHeapArray(rt, o.dtype, o.length));
  const sizes: number[] = [];
  inputs.forEach((x, i) => inAddr[i] === undefined && sizes.push(vectorBytes(x.length)));
  outputs.forEach((o, i) => outArrays[i] === undefined && sizes.push(vectorBytes(o.length)));
  sizes.push(...scratch);
  const ptrs = borrowScratch(rt, sizes);
  if (ptrs === undefined) {
    for (const a of outArrays) if (a !== undefined) releaseHeapArray(a);
    return undefined;
  }
  let ok = false;
  try {
    let next = 0;
    const ins = inputs.map((x, i) => {
      const at = inAddr[i];
      if (at !== undefined) return at;
      const p = ptrs[next++]!;
      const to = viewOf(rt, x instanceof Int32Array ? "int32" : "float32", p, x.length);
      to.set(x);
      noteCopyIn(x, to);
      return p;
    });
    const outs = outputs.map((_, i) => {
      const a = outArrays[i];
      return a !== undefined ? heapAddress(rt, a)! : ptrs[next++]!;
    });
    body(ins, outs, ptrs.slice(next));
    noteKernelCall();
    const result = outputs.map((o, i) => {
      const onHeap = outArrays[i];
      if (onHeap !== undefined) return onHeap;
      const from = viewOf(rt, o.dtype, outs[i]!, o.length);
      const made = from.slice();
      noteCopyOut(from, made);
      return made;
    });
    ok = true;
    return result;
  } finally {
    releaseScratch();
    if (!ok) for (const a of outArrays) if (a !== undefined) releaseHeapArray(a);
  }
}
