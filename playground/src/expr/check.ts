// Gradients of an expression three ways: chainrule's own `backward()`, and central finite differences.
import type * as cr from "chainrule";
import { evaluate } from "./trace.js";

export interface GradRow {
  name: string;
  value: number;
  /** From `Value.backward()` on a fresh graph. */
  analytic: number;
  /** (f(x+h) − f(x−h)) / 2h. */
  numeric: number;
  /** |analytic − numeric| / max(1, |analytic|, |numeric|). */
  error: number;
}

/** One row per variable, comparing autograd with a numerical gradient. */
export function gradCheck(e: cr.viz.Expression, values: ReadonlyMap<string, number>): GradRow[] {
  const { root, vars } = evaluate(e, values);
  root.backward();
  const rows: GradRow[] = [];
  for (const [name, v] of vars) {
    // h scaled with |x|: small enough for truncation error, large enough to keep rounding error ~1e-10.
    const h = 1e-5 * Math.max(1, Math.abs(v.data));
    const at = (delta: number): number => evaluate(e, new Map([...values, [name, v.data + delta]])).root.data;
    const numeric = (at(h) - at(-h)) / (2 * h);
    const error = Math.abs(v.grad - numeric) / Math.max(1, Math.abs(v.grad), Math.abs(numeric));
    rows.push({ name, value: v.data, analytic: v.grad, numeric, error });
  }
  return rows;
}
