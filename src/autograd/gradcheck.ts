// Numerical gradient checks: analytical gradients (from the engine) against central finite differences in float64.
import { ArgumentError, GradcheckError } from "../errors.js";
import { fmt, stridesOf } from "../shape.js";
import { Tensor } from "../tensor/tensor.js";
import { randn } from "../tensor/creation.js";
import { grad } from "./grad.js";

/** Tolerances of `gradcheck`: an analytical value `a` passes when `|a - n| <= atol + rtol·|n|`. */
export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
}

type Fn = (...inputs: Tensor[]) => Tensor | readonly Tensor[];

function outputsOf(fn: Fn, inputs: Tensor[]): Tensor[] {
  const out = fn(...inputs);
  return out instanceof Tensor ? [out] : [...out];
}

function multiIndex(flat: number, shape: readonly number[]): string {
  const strides = stridesOf(shape);
  return fmt(shape.map((_, d) => Math.floor(flat / strides[d]!) % shape[d]!));
}

// float64 leaves with the same data and requiresGrad flags, so the check always runs in double precision.
function asDouble(inputs: readonly Tensor[]): Tensor[] {
  return inputs.map((x) => {
    if (!x.readsSynchronously) throw new ArgumentError(`gradcheck: it perturbs elements one by one, which the ${x.device} backend reads only asynchronously; check on cpu or wasm`);
    const leaf = x.detach().to(x.dtype === "float32" ? "float64" : x.dtype);
    if (x.requiresGrad) leaf.requiresGrad_(true);
    return leaf;
  });
}

function withElement(x: Tensor, k: number, delta: number): Tensor {
  const data = x.toTypedArray() as Float64Array;
  data[k]! += delta;
  const t = Tensor._create(x._backend.fromArray(data), x.shape, x.dtype, x._backend);
  return x.requiresGrad ? t.requiresGrad_(true) : t;
}

/**
 * Checks the gradients of `fn` at `inputs` against central finite differences, in float64 (float32
 * inputs are converted). Returns true, or throws a GradcheckError naming the output, the input, the
 * element, and both values.
 * @example cr.autograd.gradcheck((x) => x.sin().mul(x), [cr.randn([3], { dtype: "float64", requiresGrad: true })]);
 */
export function gradcheck(fn: Fn, inputs: readonly Tensor[], opts: GradcheckOptions = {}): true {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-3;
  const xs = asDouble(inputs);
  const diff = xs.map((x, i) => [x, i] as const).filter(([x]) => x.requiresGrad);
  if (diff.length === 0) throw new GradcheckError("gradcheck: no input requires grad, so there is nothing to check");
  const outputs = outputsOf(fn, xs);

  outputs.forEach((out, o) => {
    if (!out.requiresGrad) return;
    const n = out.numel();
    // Analytical Jacobian, one row (output element) at a time: J[j][i][k] = d out_j / d x_i,k.
    const analytical: Float64Array[][] = diff.map(([x]) => Array.from({ length: x.numel() }, () => new Float64Array(n)));
    for (let j = 0; j < n; j++) {
      const onehot = new Float64Array(n);
      onehot[j] = 1;
      const g = Tensor._create(out._backend.fromArray(onehot), out.shape, "float64", out._backend).to(out.dtype);
      const grads = grad(out, diff.map(([x]) => x), { gradOutputs: [g], retainGraph: true, allowUnused: true });
      grads.forEach((gi, i) => {
        if (gi === null) return;
        const vals = gi.toTypedArray();
        for (let k = 0; k < vals.length; k++) analytical[i]![k]![j] = vals[k]!;
      });
    }
    // Numerical Jacobian by central differences, one input element at a time.
    diff.forEach(([x, inputIndex], i) => {
      for (let k = 0; k < x.numel(); k++) {
        // Inputs keep their requiresGrad flags, so functions that differentiate inside (gradgradcheck's) still can.
        const eval_ = (delta: number) =>
          outputsOf(fn, xs.map((y, m) => (m === inputIndex ? withElement(y, k, delta) : y)))[o]!.toTypedArray();
        const plus = eval_(eps);
        const minus = eval_(-eps);
        for (let j = 0; j < n; j++) {
          const numerical = (plus[j]! - minus[j]!) / (2 * eps);
          const a = analytical[i]![k]![j]!;
          if (!(Math.abs(a - numerical) <= atol + rtol * Math.abs(numerical))) {
            throw new GradcheckError(
              `gradcheck: Jacobian mismatch for output ${o} element ${multiIndex(j, out.shape)} with respect to input ${inputIndex} ` +
                `element ${multiIndex(k, x.shape)}: numerical ${numerical}, analytical ${a} (atol ${atol}, rtol ${rtol})`,
            );
          }
        }
      }
    });
  });
  return true;
}

/**
 * Checks second derivatives: the gradient of `fn` (computed with `createGraph`) must itself pass
 * `gradcheck`, with respect to the inputs and to random output gradients.
 * @example cr.autograd.gradgradcheck((x) => x.pow(3), [cr.randn([3], { dtype: "float64", requiresGrad: true })]) // true
 */
export function gradgradcheck(fn: Fn, inputs: readonly Tensor[], opts: GradcheckOptions & { gradOutputs?: readonly Tensor[] } = {}): true {
  const xs = asDouble(inputs);
  const outputs = outputsOf(fn, xs);
  const gradOutputs = opts.gradOutputs
    ? opts.gradOutputs.map((g) => g.detach().to("float64").requiresGrad_(true))
    : outputs.map((o) => randn(o.shape, { dtype: "float64", requiresGrad: true }));
  const nIn = xs.length;
  const gradFn = (...args: Tensor[]): Tensor[] => {
    const ins = args.slice(0, nIn);
    const gos = args.slice(nIn);
    const outs = outputsOf(fn, ins);
    const diffIns = ins.filter((x) => x.requiresGrad);
    const grads = grad(outs, diffIns, { gradOutputs: gos, createGraph: true, allowUnused: true });
    return grads.filter((g): g is Tensor => g !== null && g.requiresGrad);
  };
  return gradcheck(gradFn, [...xs, ...gradOutputs], opts);
}
