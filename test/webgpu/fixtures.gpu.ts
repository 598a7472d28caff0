// PyTorch's fixtures on the webgpu backend in Node (fixtures-run.ts): the float32 cases of every op and every
// elementwise op of the registry, forward values, gradients and tangents.
import { test, before } from "node:test";
import { checkElementwiseFixture, checkOpsFixture } from "./fixtures-run.js";
import { fixture } from "../torch-fixtures.test.js";
import { openGpu } from "./gpu.js";

before(async () => {
  await openGpu();
});

test("webgpu: every op of the PyTorch fixture, in float32, as PyTorch", async () => {
  console.log(`webgpu: ${await checkOpsFixture()} of ${fixture.cases.length} PyTorch fixture cases (the float32 ones)`);
});

test("webgpu: every elementwise op of the registry, in float32, as PyTorch (special values and empty tensors included)", async () => {
  console.log(`webgpu: ${await checkElementwiseFixture()} elementwise fixture cases (the float32 and integer ones)`);
});
