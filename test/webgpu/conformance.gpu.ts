// The backend conformance suite (test/backend-conformance.test.ts's table: every backend method, every op of the
// registry) on the webgpu backend and on its core alone, against the cpu backend. float64 cases are left out:
// WGSL has no float64, and the backend refuses it (a test below checks the refusal).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";
import type { CompleteBackend } from "../../src/backend/backend.js";
import { cpuBackend } from "../../src/backend/cpu/index.js";
import { coreOnly } from "../../src/backend/fallbacks.js";
import { webgpuBackend } from "../../src/backend/webgpu/index.js";
import { sizeOf } from "../../src/shape.js";
import { TABLE, assertClose, on } from "../backend-conformance.test.js";
import type { Case, Kernel } from "../backend-conformance.test.js";
import { openGpu, replayingReads } from "./gpu.js";

before(async () => {
  const info = await openGpu();
  console.log(`webgpu adapter: ${info.vendor} ${info.architecture} ${info.description}${info.software ? " (software)" : ""}, shader-f16: ${info.f16}`);
});

/**
 * The GPU's float32 math is not the cpu's (float64 rounded once): WGSL's division, exp, log and sin are within a few
 * units in the last place, and sums add in another order. The least tolerance a case gets, relative to 1 + |value|.
 */
const GPU_TOL: Partial<Record<Kernel, number>> = { elementwise: 4e-6, reduce: 2e-6, logSoftmax: 2e-6, logSoftmaxBackward: 2e-6, nllLoss: 2e-6, adamUpdate: 2e-6, fold: 1e-6, scatterAdd: 1e-6, scatterStrided: 1e-6, sliceBackward: 1e-6, indexAdd: 1e-6 };

const usesFloat64 = (k: Case) => k.inputs.some((x) => x.dtype === "float64") || k.out?.dtype === "float64";

async function checkCases(backend: CompleteBackend, kernel: Kernel, cases: readonly Case[]): Promise<number> {
  const replay = replayingReads(backend);
  let ran = 0;
  for (const k of cases) {
    if (usesFloat64(k)) continue;
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
  return ran;
}

/** The core's methods: on the core-only backend they are the very same functions, run once above. */
const CORE: ReadonlySet<string> = new Set(["fromArray", "full", "assign", "release", "elementwise", "reduce", "argReduce", "matmul", "strided", "scatterStrided", "gather", "scatterAdd", "evaluate"]);

for (const backend of [webgpuBackend, coreOnly(webgpuBackend, "webgpu-core")]) {
  for (const [kernel, cases] of Object.entries(TABLE) as [Kernel, readonly Case[]][]) {
    if (kernel === "readSync") continue; // the GPU has no synchronous read: `read` is checked by every case
    if (backend !== webgpuBackend && CORE.has(kernel)) continue;
    test(`${kernel} on ${backend.name} matches cpu`, async () => {
      const ran = await checkCases(backend, kernel, cases);
      assert.ok(ran > 0 || cases.every(usesFloat64), `${kernel}: no case ran`);
    });
  }
}

test("webgpu refuses float64, naming what to do instead", async () => {
  await openGpu();
  assert.throws(() => webgpuBackend.fromArray(new Float64Array(3)), { name: "DTypeError", message: /float64 tensors are not supported on the GPU.*float32/ });
  assert.throws(() => webgpuBackend.full(3, 1, "float64"), { name: "DTypeError" });
  assert.throws(() => cr.tensor([1, 2], { dtype: "float64" }).to("webgpu" as never), /./);
});
