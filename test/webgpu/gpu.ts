// What the webgpu suites share: the GPU, opened once (a failure to find an adapter fails the suites: never a skip),
// a garbage collection that lets finalizers run, and a backend whose synchronous reads are answered from
// asynchronous ones, so cases written for cpu's readSync run on the GPU unchanged.
import assert from "node:assert/strict";
import * as cr from "chainrule";
import type { CompleteBackend, DataBuf } from "../../src/backend/backend.js";
import type { ComputeDType as DType, TypedArray } from "../../src/dtype.js";

let opened: Promise<cr.backends.webgpu.WebGpuInfo> | undefined;

/** Opens the GPU (Dawn on SwiftShader here): rejects, saying why, where there is no adapter. */
export function openGpu(): Promise<cr.backends.webgpu.WebGpuInfo> {
  opened ??= cr.backends.webgpu.init();
  return opened;
}

class NeedRead extends Error {
  constructor(readonly buf: DataBuf, readonly dtype: DType, readonly size: number) {
    super("a read the replay has not done yet");
  }
}

/**
 * `backend` with a `readSync` for test cases: `run(fn)` calls `fn` again and again, each time answering one more of
 * its reads (in the order it asks for them) from `backend.read`, until it completes. A case must be deterministic
 * (the same calls each run), as the conformance cases are: their inputs are fixed.
 */
export function replayingReads(backend: CompleteBackend): { backend: CompleteBackend; run<T>(fn: (b: CompleteBackend) => T): Promise<T> } {
  let answers: TypedArray[] = [];
  let asked = 0;
  const b: CompleteBackend = {
    ...backend,
    readSync(buf: DataBuf, dtype: DType, size: number): TypedArray {
      // A case that read its parts already returns them as a host array (the cpu's buffers are such arrays).
      if (ArrayBuffer.isView(buf)) return (buf as TypedArray).slice();
      if (asked < answers.length) return answers[asked++]!.slice();
      throw new NeedRead(buf, dtype, size);
    },
  };
  return {
    backend: b,
    async run<T>(fn: (b: CompleteBackend) => T): Promise<T> {
      answers = [];
      for (;;) {
        asked = 0;
        try {
          return fn(b);
        } catch (e) {
          if (!(e instanceof NeedRead)) throw e;
          answers.push(await backend.read(e.buf, e.dtype, e.size));
        }
      }
    },
  };
}

/** Runs the garbage collector and lets its finalizers run (the suites run with --expose-gc). */
export async function collectGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  assert.ok(gc !== undefined, "the suites run with --expose-gc");
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
}
