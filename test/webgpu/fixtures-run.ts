// PyTorch's fixtures on a GPU backend, with no test runner: every op of test/torch-fixtures.test.ts's table and every
// elementwise op of the registry (test/fixtures/torch-elementwise.json), forward values, gradients and tangents,
// read back with await. float64 cases are left out (WGSL has no float64); the GPU's float32 math is compared with
// float32 tolerances. test/webgpu/fixtures.gpu.ts runs them in Node, test/webgpu-browser.test.ts in Chromium.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as cr from "chainrule";
import { applyOp } from "../../src/tensor/apply-op.js";
import type { ElementwiseOp } from "../../src/ops/elementwise.js";
import { OPS, build, fixture } from "../torch-fixtures.test.js";
import type { TorchEncoded } from "../torch-fixtures.test.js";

type Num = number | boolean | string;
interface Encoded {
  readonly shape: number[];
  readonly dtype: "float32" | "float64" | "int32" | "bool";
  readonly data: Num[];
}

const value = (v: Num): number => (v === "NaN" ? NaN : v === "Infinity" || v === "inf" ? Infinity : v === "-Infinity" || v === "-inf" ? -Infinity : v === "-0" ? -0 : typeof v === "boolean" ? Number(v) : Number(v));

/** float32 against PyTorch: its libm against the GPU's float32 arithmetic (a few units in the last place), and sums in another order. */
async function close(got: cr.Tensor, want: Encoded, what: string, rtol = 2e-5, atol = 1e-5): Promise<void> {
  assert.deepEqual([...got.shape], want.shape, `${what}: shape`);
  assert.equal(got.dtype, want.dtype, `${what}: dtype`);
  assert.equal(got.device, "webgpu", `${what}: computed on the GPU`);
  const g = await got.data();
  want.data.forEach((w0, i) => {
    const w = value(w0), v = g[i]!;
    if (!Number.isFinite(w)) {
      assert.ok(Object.is(v, w) || (Number.isNaN(w) && Number.isNaN(v)), `${what}: [${i}] ${v} vs torch ${w}`);
      return;
    }
    assert.ok(Math.abs(v - w) <= atol + rtol * Math.abs(w), `${what}: [${i}] ${v} vs torch ${w}`);
  });
}

function onGpu<T>(fn: () => T): T {
  const previous = cr.getBackend();
  cr.setBackend("webgpu");
  try {
    return fn();
  } finally {
    cr.setBackend(previous);
  }
}

const usesFloat64 = (tensors: readonly (Encoded | null | undefined)[]) => tensors.some((t) => t?.dtype === "float64");

/** Every float32 case of the ops fixture on the webgpu backend; the number that ran. */
export async function checkOpsFixture(): Promise<number> {
  let ran = 0;
  for (const c of fixture.cases) {
    if (usesFloat64([...c.inputs, c.output, c.gradOutput, ...(c.grads ?? [])])) continue;
    const op = OPS[c.op]!;
    const { out, inputs } = onGpu(() => {
      const inputs = c.inputs.map((e) => build(e, e.requiresGrad));
      return { out: op(inputs, c.args), inputs };
    });
    await close(out, c.output as Encoded, `${c.name}: forward`, 1e-4, 1e-5);
    if (c.gradOutput !== null && c.grads !== null) {
      const needs = inputs.filter((_, i) => c.inputs[i]?.requiresGrad === true);
      const grads = cr.autograd.grad(out, needs, { gradOutputs: [onGpu(() => build(c.gradOutput as TorchEncoded))] });
      let k = 0;
      for (const [i, spec] of c.inputs.entries()) {
        if (!spec.requiresGrad) continue;
        await close(grads[k++]!, c.grads[i]! as Encoded, `${c.name}: grad of input ${i}`, 1e-4, 1e-5);
      }
    }
    ran++;
  }
  assert.ok(ran > 50, `${ran} float32 cases ran`);
  return ran;
}

interface ElementwiseCase {
  readonly name: string;
  readonly op: ElementwiseOp;
  readonly inputs: Encoded[];
  readonly output: Encoded;
  readonly gradOutput?: Encoded;
  readonly grads?: (Encoded | null)[];
  readonly tangents?: (Encoded | null)[];
  readonly jvp?: Encoded;
}
const elementwise = JSON.parse(readFileSync(new URL("../fixtures/torch-elementwise.json", import.meta.url), "utf8")) as { cases: ElementwiseCase[] };
const decode = (e: Encoded): cr.Tensor => cr.tensor(e.data.map(value), { dtype: e.dtype }).reshape(e.shape);

/** Every float32 (and integer) case of the elementwise fixture on the webgpu backend; the number that ran. */
export async function checkElementwiseFixture(): Promise<number> {
  let ran = 0;
  for (const c of elementwise.cases) {
    if (usesFloat64([...c.inputs, c.output, c.gradOutput, ...(c.grads ?? []), ...(c.tangents ?? []), c.jvp])) continue;
    const xs = onGpu(() => c.inputs.map(decode));
    await close(applyOp(c.op, xs), c.output, `${c.name}: forward`);
    if (c.grads !== undefined && c.gradOutput !== undefined) {
      const leaves = xs.map((x) => (x.dtype === "float32" ? x.detach().requiresGrad_(true) : x));
      const out = applyOp(c.op, leaves);
      const wrt = leaves.filter((x) => x.requiresGrad);
      const grads = cr.autograd.grad([out], wrt, { gradOutputs: [onGpu(() => decode(c.gradOutput!))], allowUnused: true });
      let k = 0;
      for (const [i, want] of c.grads.entries()) {
        if (want === null) continue;
        await close(grads[k++] ?? cr.zerosLike(leaves[i]!), want, `${c.name}: gradient of input ${i}`);
      }
    }
    if (c.jvp !== undefined && c.tangents !== undefined) {
      const floats = c.tangents.map((t) => t !== null);
      const primals = xs.filter((_, i) => floats[i]);
      const tangents = onGpu(() => c.tangents!.filter((t): t is Encoded => t !== null).map(decode));
      const [, tangent] = cr.func.jvp((...ps: cr.Tensor[]) => {
        let k = 0;
        return applyOp(c.op, xs.map((x, i) => (floats[i] ? ps[k++]! : x)));
      }, primals, tangents);
      await close(tangent, c.jvp, `${c.name}: tangent`);
    }
    ran++;
  }
  assert.ok(ran > 40, `${ran} float32 cases ran`);
  return ran;
}
