// Reverse-mode transforms: grad, valueAndGrad and vjp, in torch.func's conventions.
import { copyTangents } from "../autograd/forward-ad.js";
import { isGradEnabled, enableGrad } from "../autograd/grad-mode.js";
import { grad as autogradGrad } from "../autograd/grad.js";
import { AutogradError, ShapeError } from "../errors.js";
import { fmt } from "../shape.js";
import { Tensor } from "../tensor/tensor.js";
import { argIndices, reachesOuter, trackArgs, fullOn } from "./args.js";
import type { Argnums, Selected, Tracked } from "./args.js";
import { flatten } from "./tree.js";
import type { TensorTree } from "./tree.js";

/** Options of `grad` and `valueAndGrad`. */
export interface GradOptions<N extends Argnums = Argnums> {
  /** Which argument(s) to differentiate with respect to (default 0); an array gives an array of gradients. */
  argnums?: N;
  /** `f` returns `[output, aux]`: aux is passed through undifferentiated. */
  hasAux?: boolean;
}

/** A traced call of `f`: its output, and how to pull cotangents back to the selected arguments. */
export interface Traced {
  readonly result: unknown;
  readonly tracked: Tracked[];
  readonly createGraph: boolean;
}

/** @internal Runs `f` on stand-ins for the selected arguments, recording what reverse mode needs. */
export function trace(op: string, f: (...args: never[]) => unknown, args: readonly unknown[], indices: readonly number[], outputsOf: (r: unknown) => Tensor[]): Traced {
  const outerGrad = isGradEnabled();
  // Gradients are taken even inside noGrad, as torch.func.grad does: the level is this transform's own.
  return enableGrad(() => {
    const { args: tracedArgs, tracked } = trackArgs(op, args, indices);
    const result = (f as (...a: unknown[]) => unknown)(...tracedArgs);
    const own = tracked.flatMap((t) => t.inputs);
    return { result, tracked, createGraph: outerGrad && reachesOuter(outputsOf(result), own) };
  });
}

/** @internal Gradients of `outputs` (with `cotangents`) for every tracked input in order, zeros where one is unused. */
export function pullBackFlat(traced: Traced, outputs: readonly Tensor[], cotangents: readonly Tensor[]): Tensor[] {
  const inputs = traced.tracked.flatMap((t) => t.inputs);
  const live = outputs.map((o, i) => [o, cotangents[i]!] as const).filter(([o]) => o.requiresGrad);
  if (live.length === 0) return inputs.map((x) => fullOn(x));
  // A pullback is linear in the cotangents: when they carry history, so must the result.
  const createGraph = traced.createGraph || (isGradEnabled() && live.some(([, c]) => c.requiresGrad));
  const grads = enableGrad(() =>
    autogradGrad(live.map(([o]) => o), inputs, {
      gradOutputs: live.map(([, c]) => c),
      retainGraph: true,
      createGraph,
      allowUnused: true,
    }),
  );
  return inputs.map((x, i) => grads[i] ?? fullOn(x));
}

/** @internal Flat per-input values rebuilt into one tree per selected argument. */
export function perArgument(traced: Traced, flat: readonly unknown[]): unknown[] {
  let k = 0;
  return traced.tracked.map((t) => t.flat.rebuild(t.inputs.map(() => flat[k++])));
}

function pullBack(traced: Traced, outputs: readonly Tensor[], cotangents: readonly Tensor[]): unknown[] {
  return perArgument(traced, pullBackFlat(traced, outputs, cotangents));
}

// The value handed back: cut from this transform's stand-ins unless an outer transform needs its history.
function release(t: Tensor, createGraph: boolean): Tensor {
  if (createGraph || !t.requiresGrad) return t;
  const d = t.detach();
  copyTangents(t, d);
  return d;
}

function scalarOutput(op: string, r: unknown, hasAux: boolean): [Tensor, unknown] {
  let out = r;
  let aux: unknown = undefined;
  if (hasAux) {
    if (!Array.isArray(r) || r.length !== 2) throw new AutogradError(`${op}: with hasAux, f must return [output, aux]`);
    [out, aux] = r as [unknown, unknown];
  }
  if (!(out instanceof Tensor)) throw new TypeError(`${op}: f must return a Tensor${hasAux ? " as the first element of [output, aux]" : ""}`);
  if (out.numel() !== 1) throw new ShapeError(`${op}: f must return a tensor with one element, got shape ${fmt(out.shape)}; use jacobian or vjp for other outputs`);
  return [out, aux];
}

function valueAndGradImpl(op: string, f: (...args: never[]) => unknown, opts: GradOptions) {
  const hasAux = opts.hasAux ?? false;
  return (...args: unknown[]): [Tensor, unknown, unknown] => {
    const { indices, single } = argIndices(op, opts.argnums ?? 0, args.length);
    const traced = trace(op, f, args, indices, (r) => [scalarOutput(op, r, hasAux)[0]]);
    const [out, aux] = scalarOutput(op, traced.result, hasAux);
    const grads = pullBack(traced, [out], [fullOn(out, 1)]);
    return [release(out, traced.createGraph), aux, single ? grads[0] : grads];
  };
}

/**
 * The gradient of a function with one-element output, as a function (torch.func.grad, jax.grad).
 * Returns the gradient with respect to argument `argnums` (default 0), shaped like that argument
 * (a Tensor, or an array / object of Tensors); an array of argnums gives an array of gradients.
 * Transforms compose: `grad(grad(f))` is the second derivative.
 * @example
 * const df = cr.func.grad((x: cr.Tensor) => x.sin().mul(x).sum());
 * df(x);                                         // sin x + x cos x
 * cr.func.grad(cr.func.grad((x: cr.Tensor) => x.pow(3)))(cr.tensor(2)); // 6x = 12
 */
export function grad<A extends unknown[], const N extends Argnums = 0>(
  f: (...args: A) => Tensor,
  opts?: { argnums?: N; hasAux?: false },
): (...args: A) => Selected<A, NoInfer<N>>;
export function grad<A extends unknown[], Aux, const N extends Argnums = 0>(
  f: (...args: A) => readonly [Tensor, Aux],
  opts: { argnums?: N; hasAux: true },
): (...args: A) => [Selected<A, NoInfer<N>>, Aux];
export function grad(f: (...args: never[]) => unknown, opts: GradOptions = {}): (...args: unknown[]) => unknown {
  const inner = valueAndGradImpl("grad", f, opts);
  return (...args) => {
    const [, aux, grads] = inner(...args);
    return opts.hasAux ? [grads, aux] : grads;
  };
}

/**
 * The value and the gradient of a function with one-element output, computed together
 * (jax.value_and_grad): `[value, grad]`, or `[[value, aux], grad]` with `hasAux`.
 * @example
 * const [loss, g] = cr.func.valueAndGrad((w: cr.Tensor) => w.square().sum())(w); // ‖w‖², 2w
 */
export function valueAndGrad<A extends unknown[], const N extends Argnums = 0>(
  f: (...args: A) => Tensor,
  opts?: { argnums?: N; hasAux?: false },
): (...args: A) => [Tensor, Selected<A, NoInfer<N>>];
export function valueAndGrad<A extends unknown[], Aux, const N extends Argnums = 0>(
  f: (...args: A) => readonly [Tensor, Aux],
  opts: { argnums?: N; hasAux: true },
): (...args: A) => [[Tensor, Aux], Selected<A, NoInfer<N>>];
export function valueAndGrad(f: (...args: never[]) => unknown, opts: GradOptions = {}): (...args: unknown[]) => unknown {
  const inner = valueAndGradImpl("valueAndGrad", f, opts);
  return (...args) => {
    const [value, aux, grads] = inner(...args);
    return opts.hasAux ? [[value, aux], grads] : [value, grads];
  };
}

/** Pulls a cotangent (shaped like the output) back to one gradient per primal. */
export type VjpFn<A extends readonly unknown[], R> = (cotangents: R) => { -readonly [K in keyof A]: A[K] };

/**
 * Runs `f` on `primals` and returns `[output, vjpFn]` (torch.func.vjp): `vjpFn(v)` gives, for each
 * primal, vᵀ·∂f/∂primal, shaped like that primal. It may be called several times.
 * @example
 * const [y, vjpFn] = cr.func.vjp((x: cr.Tensor) => x.exp(), x);
 * const [gx] = vjpFn(cr.onesLike(y));           // exp(x)
 */
export function vjp<A extends TensorTree[], R extends TensorTree>(f: (...primals: A) => R, ...primals: A): [R, VjpFn<A, R>] {
  const op = "vjp";
  if (primals.length === 0) throw new AutogradError("vjp: give at least one primal after f");
  const indices = primals.map((_, i) => i);
  const outputsOf = (r: unknown) => flatten(r, "vjp: output").leaves;
  const traced = trace(op, f as (...args: never[]) => unknown, primals, indices, outputsOf);
  const out = flatten(traced.result, "vjp: output");
  const vjpFn = (cotangents: R) => {
    const cot = flatten(cotangents, "vjp: cotangents").leaves;
    if (cot.length !== out.leaves.length) throw new AutogradError(`vjp: got ${cot.length} cotangent tensor(s) for ${out.leaves.length} output tensor(s)`);
    cot.forEach((c, i) => {
      const o = out.leaves[i]!;
      if (c.shape.length !== o.shape.length || c.shape.some((d, j) => d !== o.shape[j])) {
        throw new ShapeError(`vjp: cotangent ${i} has shape ${fmt(c.shape)} but output ${i} has shape ${fmt(o.shape)}`);
      }
    });
    return pullBack(traced, out.leaves, cot.map((c, i) => c.to(out.leaves[i]!.dtype))) as { -readonly [K in keyof A]: A[K] };
  };
  const released = out.rebuild(out.leaves.map((o) => release(o, traced.createGraph))) as R;
  return [released, vjpFn];
}

export type { TensorTree };
