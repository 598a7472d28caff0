// The conformance table (test/backend-conformance.test.ts) run on a GPU backend, one kernel at a time, with no test
// runner: test/webgpu/conformance.gpu.ts runs it under node:test in Node, test/webgpu-browser.test.ts in Chromium.
import assert from "node:assert/strict";
import type { CompleteBackend } from "../../src/backend/backend.js";
import { cpuBackend } from "../../src/backend/cpu/index.js";
import { sizeOf } from "../../src/shape.js";
import { TABLE, assertClose, on } from "../backend-conformance.test.js";
import type { Case, Kernel } from "../backend-conformance.test.js";
import { replayingReads } from "./gpu.js";

/**
 * The GPU's float32 math is not the cpu's (float64 rounded once): WGSL's division and the helpers' exp, log and sin
 * are within a few units in the last place, and sums add in another order. The least tolerance a case gets,
 * relative to 1 + |value|.
 */
const GPU_TOL: Partial<Record<Kernel, number>> = {
  elementwise: 4e-6, reduce: 2e-6, logSoftmax: 2e-6, logSoftmaxBackward: 2e-6, nllLoss: 2e-6, adamUpdate: 2e-6,
  fold: 1e-6, scatterAdd: 1e-6, scatterStrided: 1e-6, sliceBackward: 1e-6, indexAdd: 1e-6,
  // Dense linear algebra runs in float32 on the GPU (the cpu's in float64, rounded once).
  linalgSolve: 1e-5, linalgSolveTriangular: 1e-5, linalgDet: 1e-5, linalgSlogdet: 1e-5, linalgCholesky: 1e-5, linalgQr: 1e-5,
  linalgEigh: 1e-5, linalgSvd: 1e-5,
};

/** The core's methods: on a core-only backend they are the very same functions as on the backend itself. */
export const CORE: ReadonlySet<string> = new Set(["fromArray", "full", "assign", "release", "elementwise", "reduce", "argReduce", "matmul", "strided", "scatterStrided", "gather", "scatterAdd", "evaluate"]);

/**
 * Cases a backend is not checked on, and why. The webgpu backend has no synchronous read, and dense linear algebra
 * runs on the host (fallbacks.ts's onHost): it refuses, naming the op and `toAsync("cpu")`, which
 * conformance.gpu.ts checks. A core-only GPU backend sorts with the core's elementwise comparisons, which WGSL lets
 * a GPU flush subnormals in (SwiftShader does: ±1e-40 ties with 0): the argsort kernel compares bits and is checked
 * on those cases.
 */
export function excluded(kernel: Kernel, k: Case, core: boolean): string | null {
  if (core && kernel.startsWith("linalg")) return "no synchronous read for the host's linear algebra (the core's fallback)";
  if (core && kernel === "argsort" && k.name.includes("radix-sized") && k.inputs[0]!.dtype === "float32") return "subnormals flushed by float comparisons";
  return null;
}

const usesFloat64 = (k: Case) => k.inputs.some((x) => x.dtype === "float64") || k.out?.dtype === "float64";

/** The kernels to check on `backend` (`core`: a core-only backend, whose core methods were checked already). */
export function kernels(core: boolean): [Kernel, readonly Case[]][] {
  // readSync: the GPU has none; every case checks `read`.
  return (Object.entries(TABLE) as [Kernel, readonly Case[]][]).filter(([k]) => k !== "readSync" && !(core && CORE.has(k)));
}

/** Runs `kernel`'s cases on `backend` against cpu (float64 ones left out: WGSL has no float64); throws at a mismatch. */
export async function checkKernel(backend: CompleteBackend, kernel: Kernel, cases: readonly Case[], core = false): Promise<number> {
  const replay = replayingReads(backend);
  let ran = 0;
  let skipped = 0;
  for (const k of cases) {
    if (usesFloat64(k)) continue;
    if (excluded(kernel, k, core) !== null) {
      skipped++;
      continue;
    }
    const what = `${kernel} ${k.name}`;
    const want = k.run(cpuBackend, k.inputs.map((x) => on(cpuBackend, x)));
    const { got, args } = await replay.run((b) => {
      const args = k.inputs.map((x) => on(b, x));
      return { got: k.run(b, args), args };
    });
    assert.ok(want && got, `${what}: result`);
    assertClose(got, want, Math.max(k.tol ?? 0, GPU_TOL[kernel] ?? 0), what);
    for (const [i, arg] of args.entries()) {
      if (kernel === "assign" && i === 0) continue;
      assertClose(await backend.read(arg.buf, arg.dtype, sizeOf(arg.shape)), k.inputs[i]!.data, 0, `${what}: input ${i} unchanged`);
    }
    for (const arg of args) backend.release?.(arg.buf);
    ran++;
  }
  assert.ok(ran > 0 || skipped > 0 || cases.every(usesFloat64), `${kernel}: no case ran`);
  return ran;
}
