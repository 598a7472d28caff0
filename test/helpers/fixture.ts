// Shared helpers of the fixture tests: decoding tensors as the tools/ generators write them, and comparing.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as cr from "chainrule";

/** A tensor as a fixture stores it: shape, dtype, row-major data ("nan"/"-inf"/"inf" as strings, which JSON lacks). */
export interface Encoded {
  readonly shape: number[];
  readonly dtype: "float32" | "float64" | "int32" | "bool";
  readonly data: (number | boolean | string)[];
}

/** A fixture's number: the strings JSON needs for NaN and the infinities, read back. */
export const decodeNumber = (v: number | boolean | string): number | boolean =>
  v === "nan" ? NaN : v === "-inf" ? -Infinity : v === "inf" ? Infinity : (v as number | boolean);

/** The tensor an `Encoded` describes (a leaf that requires grad, if asked). */
export function decode(e: Encoded, requiresGrad = false): cr.Tensor {
  const t = cr.tensor(e.data.map(decodeNumber) as number[], { dtype: e.dtype }).reshape(e.shape);
  return requiresGrad ? t.requiresGrad_(true) : t;
}

/**
 * Asserts the same shape and dtype, and every element equal (NaN where the fixture has NaN, infinities exactly) or
 * within atol + rtol·|expected|; the message lists the first elements off.
 */
export function assertMatches(got: cr.Tensor, want: Encoded, what: string, rtol: number, atol: number): void {
  assert.deepEqual([...got.shape], want.shape, `${what}: shape`);
  assert.equal(got.dtype, want.dtype, `${what}: dtype`);
  const g = Array.from(got.toTypedArray(), Number), w = want.data.map((v) => Number(decodeNumber(v)));
  const bad = w.flatMap((e, i) => (Object.is(g[i], e) || (Number.isNaN(e) && Number.isNaN(g[i])) || Math.abs(g[i]! - e) <= atol + rtol * Math.abs(e) ? [] : [`[${i}] ${g[i]} vs ${e}`]));
  assert.equal(bad.length, 0, `${what}: ${bad.length} of ${w.length} off:\n  ${bad.slice(0, 6).join("\n  ")}`);
}

/** Asserts same shape and every |a - b| <= atol + rtol·|b| (b the expected value). */
export function assertClose(actual: cr.Tensor, expected: Encoded | cr.Tensor, what: string, rtol: number, atol: number): void {
  const exp = expected instanceof cr.Tensor ? expected : decode(expected);
  assert.deepEqual(actual.shape, exp.shape, `${what}: shape`);
  const a = actual.toTypedArray();
  const b = exp.toTypedArray();
  let worst = 0;
  let at = -1;
  for (let i = 0; i < a.length; i++) {
    const x = Number(a[i]), y = Number(b[i]);
    if (x === y) continue;
    const excess = Math.abs(x - y) - (atol + rtol * Math.abs(y));
    if (!(excess <= worst)) {
      worst = Number.isNaN(excess) ? Infinity : excess;
      at = i;
    }
  }
  assert.ok(at < 0, `${what}: element ${at} is ${a[at]}, expected ${b[at]} (rtol ${rtol}, atol ${atol})`);
}

/** Tolerances for a dtype: tight in float64 (erf, in GELU, is good to about 1e-10), float32 rounding otherwise. */
export function tolerance(dtype: string): { rtol: number; atol: number } {
  return dtype === "float64" ? { rtol: 1e-8, atol: 1e-10 } : { rtol: 1e-4, atol: 1e-5 };
}

/** One case as tools/torch_fixture_io.py's Recorder writes it: inputs, output, and the gradients of a seeded gradOutput. */
export interface RecordedCase<Arg> {
  readonly name: string;
  readonly op: string;
  readonly args: Readonly<Record<string, Arg>>;
  readonly inputs: (Encoded & { requiresGrad: boolean })[];
  readonly output: Encoded;
  /** Present in fixtures recorded with indices (max pooling's second result); null for the other ops. */
  readonly indices?: Encoded | null;
  readonly gradOutput: Encoded | null;
  readonly grads: (Encoded | null)[] | null;
}

/**
 * Registers the tests of a Recorder fixture: that the fixture and `ops` name the same ops, and per case the forward
 * (and indices, for an op returning [values, indices]) and every input's gradient, compared with `close`.
 */
export function testRecordedCases<Arg>(
  fixture: { torch: string; cases: RecordedCase<Arg>[] },
  ops: Readonly<Record<string, (xs: cr.Tensor[], args: Readonly<Record<string, Arg>>) => cr.Tensor | [cr.Tensor, cr.Tensor]>>,
  close: (got: cr.Tensor, want: Encoded, what: string) => void,
): void {
  test(`fixture (torch ${fixture.torch}) and op table cover the same ops`, () => {
    const inFixture = new Set(fixture.cases.map((c) => c.op));
    assert.deepEqual([...inFixture].filter((op) => !(op in ops)), []);
    assert.deepEqual(Object.keys(ops).filter((op) => !inFixture.has(op)), []);
  });
  for (const c of fixture.cases) {
    test(c.name, () => {
      // Inputs without requiresGrad (maxUnpool's int32 indices) come in as constants.
      const inputs = c.inputs.map((e) => decode(e, e.requiresGrad));
      const result = ops[c.op]!(inputs, c.args);
      const [out, indices] = Array.isArray(result) ? result : [result, null];
      close(out, c.output, "forward");
      if (c.indices !== undefined && c.indices !== null) {
        assert.ok(indices !== null, "the op returns indices");
        close(indices, c.indices, "indices");
      }
      if (c.gradOutput === null || c.grads === null) return;
      const needs = inputs.filter((_, i) => c.inputs[i]!.requiresGrad);
      const grads = cr.autograd.grad(out, needs, { gradOutputs: [decode(c.gradOutput)] });
      let k = 0;
      c.inputs.forEach((spec, i) => {
        if (spec.requiresGrad) close(grads[k++]!, c.grads![i]!, `grad of input ${i}`);
      });
    });
  }
}
