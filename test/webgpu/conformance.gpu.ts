// The backend conformance suite (test/backend-conformance.test.ts's table: every backend method, every op of the
// registry) on the webgpu backend and on its core alone, against the cpu backend. float64 cases are left out:
// WGSL has no float64, and the backend refuses it (a test below checks the refusal).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as cr from "chainrule";
import { coreOnly } from "../../src/backend/fallbacks.js";
import { webgpuBackend } from "../../src/backend/webgpu/index.js";
import { checkKernel, kernels } from "./conformance-run.js";
import { openGpu } from "./gpu.js";

before(async () => {
  const info = await openGpu();
  console.log(`webgpu adapter: ${info.vendor} ${info.architecture} ${info.description}${info.software ? " (software)" : ""}, shader-f16: ${info.f16}`);
});

for (const backend of [webgpuBackend, coreOnly(webgpuBackend, "webgpu-core")]) {
  for (const [kernel, cases] of kernels(backend !== webgpuBackend)) {
    test(`${kernel} on ${backend.name} matches cpu`, async () => {
      await checkKernel(backend, kernel, cases, backend !== webgpuBackend);
    });
  }
}

test("webgpu refuses float64, naming what to do instead", async () => {
  await openGpu();
  assert.throws(() => webgpuBackend.fromArray(new Float64Array(3)), { name: "DTypeError", message: /float64 tensors are not supported on the GPU.*float32/ });
  assert.throws(() => webgpuBackend.full(3, 1, "float64"), { name: "DTypeError" });
  assert.throws(() => cr.tensor([1, 2], { dtype: "float64" }).to("webgpu"), { name: "DTypeError" });
});

test("a GPU backend without linear-algebra kernels refuses them, naming the op and the way round it", async () => {
  await openGpu();
  // webgpu has kernels (linalg.gpu.ts checks them through the public API); its core alone has only the host's.
  const core = coreOnly(webgpuBackend, "webgpu-core");
  const a = { buf: webgpuBackend.fromArray(Float32Array.of(2, 1, 1, 3)), shape: [2, 2], dtype: "float32" as const };
  const b = { buf: webgpuBackend.fromArray(Float32Array.of(1, 2)), shape: [2, 1], dtype: "float32" as const };
  assert.throws(() => core.linalgSolve(a, b, true), { name: "ArgumentError", message: /linalgSolve: the webgpu-core backend .*toAsync\("cpu"\).*toAsync\("webgpu-core"\)/ });
  assert.throws(() => core.linalgCholesky(a), { message: /linalgCholesky: the webgpu-core backend/ });
  const x = webgpuBackend.linalgSolve(a, b, true);
  assert.deepEqual([...(await webgpuBackend.read(x, "float32", 2))].map((v) => Math.round(v * 1e5) / 1e5), [0.2, 0.6]);
  assert.deepEqual([...(await webgpuBackend.read(a.buf, "float32", 4))], [2, 1, 1, 3]);
  for (const t of [a.buf, b.buf, x]) webgpuBackend.release?.(t);
});
