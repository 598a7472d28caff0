// Every elementwise op of the registry (src/ops/elementwise.ts) against PyTorch, from the fixture its generator writes
// off the registry itself (tools/gen_torch_elementwise_fixtures.py): forward values (special values and empty tensors
// included), gradients and tangents, in float32 and float64; and gradcheck/gradgradcheck in float64. An op without
// fixtures fails here, so a new entry cannot go untested. backend-conformance.test.ts reruns this file on wasm.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as cr from "chainrule";
import { ELEMENTWISE, ELEMENTWISE_OPS } from "../src/ops/elementwise.js";
import type { ElementwiseOp, ElementwiseOpDef } from "../src/ops/elementwise.js";
import { applyOp } from "../src/tensor/apply-op.js";

type Tensor = cr.Tensor;
type Num = number | boolean | "NaN" | "Infinity" | "-Infinity" | "-0";
interface Encoded {
  readonly shape: number[];
  readonly dtype: "float32" | "float64" | "int32" | "bool";
  readonly data: Num[];
}
interface Case {
  readonly name: string;
  readonly op: ElementwiseOp;
  readonly inputs: Encoded[];
  readonly output: Encoded;
  readonly gradOutput?: Encoded;
  readonly grads?: (Encoded | null)[];
  readonly tangents?: (Encoded | null)[];
  readonly jvp?: Encoded;
}

const fixture = JSON.parse(readFileSync(new URL("./fixtures/torch-elementwise.json", import.meta.url), "utf8")) as { torch: string; cases: Case[] };

const value = (v: Num): number => (v === "NaN" ? NaN : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : v === "-0" ? -0 : typeof v === "boolean" ? Number(v) : v);
const decode = (e: Encoded): Tensor => cr.tensor(e.data.map(value), { dtype: e.dtype }).reshape(e.shape);

// float32 results may differ from PyTorch's in the last bits (its float32 libm against chainrule's float64 math
// rounded once); float64 ones only by a few units in the last place.
function close(got: Tensor, want: Encoded, what: string): void {
  assert.deepEqual([...got.shape], want.shape, `${what}: shape`);
  assert.equal(got.dtype, want.dtype, `${what}: dtype`);
  const tol = want.dtype === "float32" ? 2e-6 : want.dtype === "float64" ? 1e-13 : 0;
  const g = got.toTypedArray();
  want.data.forEach((w0, i) => {
    const w = value(w0), v = g[i]!;
    if (Number.isNaN(w) || !Number.isFinite(w)) {
      assert.ok(Object.is(v, w), `${what}: [${i}] ${v} vs torch ${w}`);
      return;
    }
    assert.ok(Math.abs(v - w) <= tol * Math.max(1, Math.abs(w)), `${what}: [${i}] ${v} vs torch ${w}`);
  });
}

const run = (op: ElementwiseOp, xs: readonly Tensor[]) => applyOp(op, xs);

test(`torch-elementwise.json was made by PyTorch (${fixture.torch}) and has cases of every op of the registry`, () => {
  const covered = new Set(fixture.cases.map((c) => c.op));
  const missing = ELEMENTWISE_OPS.filter((op) => op !== "cast" && !covered.has(op));
  assert.deepEqual(missing, [], "ops without fixtures: rerun /usr/bin/python3 tools/gen_torch_elementwise_fixtures.py");
  const stale = [...covered].filter((op) => !(ELEMENTWISE_OPS as readonly string[]).includes(op));
  assert.deepEqual(stale, [], "fixtures of ops no longer in the registry");
});

for (const c of fixture.cases) {
  test(`${c.name}: forward${c.grads ? ", gradients" : ""}${c.jvp ? " and tangent" : ""} as PyTorch`, () => {
    const xs = c.inputs.map(decode);
    close(run(c.op, xs), c.output, "forward");
    if (c.grads !== undefined && c.gradOutput !== undefined) {
      const leaves = xs.map((x) => (cr.promoteTypes(x.dtype, "float32") === x.dtype && x.dtype !== "bool" ? x.detach().requiresGrad_(true) : x));
      const out = run(c.op, leaves);
      const wrt = leaves.filter((x) => x.requiresGrad);
      const grads = cr.autograd.grad([out], wrt, { gradOutputs: [decode(c.gradOutput)], allowUnused: true });
      let k = 0;
      c.grads.forEach((want, i) => {
        if (want === null) return;
        const got = grads[k++] ?? cr.zerosLike(leaves[i]!);
        close(got, want, `gradient of input ${i}`);
      });
    }
    if (c.jvp !== undefined && c.tangents !== undefined) {
      const floats = c.tangents.map((t) => t !== null);
      const primals = xs.filter((_, i) => floats[i]);
      const [, tangent] = cr.func.jvp((...ps: Tensor[]) => {
        let k = 0;
        return run(c.op, xs.map((x, i) => (floats[i] ? ps[k++]! : x)));
      }, primals, c.tangents.filter((t): t is Encoded => t !== null).map(decode));
      close(tangent, c.jvp, "tangent");
    }
  });
}

// Every differentiable op's rule (generated from its one local derivative) against finite differences, to second order.
for (const op of ELEMENTWISE_OPS) {
  const def: ElementwiseOpDef = ELEMENTWISE[op];
  const c = fixture.cases.find((k) => k.op === op && k.name.endsWith("/broadcast/float64"));
  if (c === undefined || c.grads === undefined || op === "cast") continue;
  test(`${op}: gradcheck and gradgradcheck in float64`, () => {
    const xs = c.inputs.map((e, i) => (def.test?.kinds?.[i] === "bool" ? decode(e) : decode(e).requiresGrad_(true)));
    const f = (...ts: Tensor[]) => run(op, ts);
    assert.equal(cr.autograd.gradcheck(f, xs), true);
    assert.equal(cr.autograd.gradgradcheck(f, xs), true);
  });
}
