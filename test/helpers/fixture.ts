// Shared helpers of the fixture tests: decoding tensors as the tools/ generators write them, and comparing.
import assert from "node:assert/strict";
import * as cr from "chainrule";

/** A tensor as a fixture stores it: shape, dtype, row-major data ("-inf"/"inf" as strings, which JSON lacks). */
export interface Encoded {
  readonly shape: number[];
  readonly dtype: "float32" | "float64" | "int32" | "bool";
  readonly data: (number | boolean | string)[];
}

/** The tensor an `Encoded` describes. */
export function decode(e: Encoded): cr.Tensor {
  const data = e.data.map((v) => (v === "-inf" ? -Infinity : v === "inf" ? Infinity : v)) as number[] | boolean[];
  return cr.tensor(data as number[], { dtype: e.dtype }).reshape(e.shape);
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
