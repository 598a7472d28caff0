// Shared helpers of the fixture tests: decoding tensors as the tools/ generators write them, and comparing.
import assert from "node:assert/strict";
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
