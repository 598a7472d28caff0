// `autograd.grad` and `autograd.backward`: gradients of outputs with respect to chosen inputs.
import { AutogradError, ShapeError } from "../errors.js";
import { fmt } from "../shape.js";
import { Tensor } from "../tensor/tensor.js";
import { runBackward } from "./engine.js";

/** Options of `autograd.grad`, as PyTorch's keyword arguments. */
export interface GradOptions {
  /** The gradient of some loss with respect to each output; defaults to 1 for one-element outputs. */
  gradOutputs?: readonly (Tensor | null | undefined)[] | Tensor;
  /** Keep the graph for another backward pass (default: `createGraph`). */
  retainGraph?: boolean;
  /** Record the computation of the gradients, so they can be differentiated again. */
  createGraph?: boolean;
  /** Return null for inputs the outputs do not depend on, instead of throwing. */
  allowUnused?: boolean;
}

function list(x: Tensor | readonly Tensor[], what: string): readonly Tensor[] {
  const xs = x instanceof Tensor ? [x] : x;
  if (!Array.isArray(xs) || xs.length === 0) throw new TypeError(`grad: ${what} must be a Tensor or a non-empty array of Tensors`);
  xs.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`grad: ${what}[${i}] is not a Tensor`);
  });
  return xs;
}

function defaultGradients(outputs: readonly Tensor[], given: GradOptions["gradOutputs"]): Tensor[] {
  const gs = given === undefined ? [] : given instanceof Tensor ? [given] : given;
  if (gs.length > 0 && gs.length !== outputs.length) {
    throw new AutogradError(`grad: got ${gs.length} gradOutputs for ${outputs.length} outputs`);
  }
  return outputs.map((o, i) => {
    const g = gs[i];
    if (g !== undefined && g !== null) {
      if (g.numel() !== o.numel() || g.ndim !== o.ndim || g.shape.some((s, j) => s !== o.shape[j])) {
        throw new ShapeError(`grad: gradOutputs[${i}] has shape ${fmt(g.shape)} but output ${i} has shape ${fmt(o.shape)}`);
      }
      return g.dtype === o.dtype ? g : g.to(o.dtype);
    }
    if (o.numel() !== 1) {
      throw new AutogradError(`grad: output ${i} has shape ${fmt(o.shape)}; a gradient can be implied only for one-element outputs, pass gradOutputs`);
    }
    return Tensor._create(o._backend.full(1, 1, o._computeDtype), o.shape, o.dtype, o._backend);
  });
}

/**
 * The gradients of `outputs` with respect to `inputs`, returned rather than accumulated into `.grad`.
 * With `createGraph`, the gradients are themselves differentiable (higher-order derivatives).
 * @example
 * const [dy] = cr.autograd.grad(x.pow(3), [x], { createGraph: true }); // 3x²
 * const [d2y] = cr.autograd.grad(dy!, [x]);                           // 6x
 */
export function grad(outputs: Tensor | readonly Tensor[], inputs: Tensor | readonly Tensor[], opts: GradOptions = {}): (Tensor | null)[] {
  const outs = list(outputs, "outputs");
  const ins = list(inputs, "inputs");
  const grads = defaultGradients(outs, opts.gradOutputs);
  const createGraph = opts.createGraph ?? false;
  const result = runBackward(outs, grads, { retainGraph: opts.retainGraph ?? createGraph, createGraph, captureInputs: ins });
  if (!opts.allowUnused) {
    const unused = result.findIndex((g) => g === null);
    if (unused >= 0) {
      throw new AutogradError(`grad: input ${unused} (shape ${fmt(ins[unused]!.shape)}) was not used to compute the outputs; pass allowUnused: true to get null for it`);
    }
  }
  return result;
}

/** Options of `autograd.backward`. */
export interface BackwardAllOptions {
  /** The gradient of each output (PyTorch's `grad_tensors`); may be left out (or null) for a one-element output, which gets 1. */
  gradTensors?: readonly (Tensor | null | undefined)[];
  /** Keep the graph's saved tensors for another backward through it (default: `createGraph`'s value). */
  retainGraph?: boolean;
  /** Record the backward pass itself, so the gradients can be differentiated again (default false). */
  createGraph?: boolean;
}

/**
 * Backpropagates from several outputs at once, accumulating into the leaves' `.grad` (PyTorch's `torch.autograd.backward`).
 * @example
 * ```ts
 * const [a, b] = [x.mul(2).sum(), x.pow(2).sum()];
 * cr.autograd.backward([a, b]); // x.grad = 2 + 2x, as a.backward() and b.backward() would leave it
 * ```
 */
export function backward(tensors: Tensor | readonly Tensor[], opts: BackwardAllOptions = {}): void {
  const outs = list(tensors, "tensors");
  const grads = defaultGradients(outs, opts.gradTensors);
  const createGraph = opts.createGraph ?? false;
  runBackward(outs, grads, { retainGraph: opts.retainGraph ?? createGraph, createGraph });
}
