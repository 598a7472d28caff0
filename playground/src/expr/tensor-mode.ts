// Expressions of small tensors: evaluated on chainrule tensors, backward of sum(f), gradients checked per element.
import * as cr from "chainrule";
import type { Binding } from "./bindings.js";

export interface TensorGradRow {
  name: string;
  value: number[];
  analytic: number[];
  numeric: number[];
  /** Largest relative error over the elements. */
  error: number;
}

export interface TensorRun {
  output: cr.Tensor;
  graph: cr.viz.Graph;
  rows: TensorGradRow[];
}

const asTensor = (v: Binding, requiresGrad: boolean): cr.Tensor => cr.tensor(v, { dtype: "float64", requiresGrad });

/** f's sum as a plain number, for finite differences. */
function total(e: cr.viz.Expression, values: ReadonlyMap<string, Binding>): number {
  const inputs = Object.fromEntries([...values].filter(([k]) => e.variables.includes(k)).map(([k, v]) => [k, asTensor(v, false)]));
  return cr.noGrad(() => e.evaluate(inputs).sum().item());
}

/** Runs the expression on tensors inside `cr.viz.trace` (so the drawing shows every intermediate), then backward of sum(f). */
export function runTensors(e: cr.viz.Expression, values: ReadonlyMap<string, Binding>): TensorRun {
  const inputs: Record<string, cr.Tensor> = {};
  for (const name of e.variables) inputs[name] = asTensor(values.get(name) ?? 1, true);
  const t = cr.viz.trace(() => e.evaluate(inputs));
  const output = t.output;
  // A non-scalar output needs a seed gradient; sum(f) seeds every element with 1, as the lab says.
  (output.numel() === 1 ? output : output.sum()).backward();
  const rows = e.variables.map((name) => {
    const x = inputs[name] as cr.Tensor;
    const value = Array.from(x.toTypedArray(), Number);
    const analytic = Array.from(x.grad?.toTypedArray() ?? value.map(() => 0), Number);
    const numeric = value.map((v, i) => {
      const h = 1e-5 * Math.max(1, Math.abs(v));
      const shifted = (d: number): number => {
        const orig = values.get(name) ?? 1;
        const moved = Array.isArray(orig) ? orig.map((o, j) => (j === i ? o + d : o)) : (orig as number) + d;
        return total(e, new Map([...values, [name, moved]]));
      };
      return (shifted(h) - shifted(-h)) / (2 * h);
    });
    const error = Math.max(0, ...analytic.map((a, i) => Math.abs(a - (numeric[i] ?? 0)) / Math.max(1, Math.abs(a), Math.abs(numeric[i] ?? 0))));
    return { name, value, analytic, numeric, error };
  });
  return { output, graph: cr.viz.graph(output, { trace: t, names: inputs }), rows };
}
