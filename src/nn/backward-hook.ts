// Module full backward hooks: identity nodes around a module call's tensor inputs and outputs catch gradOutput and gradInput.
import { isGradEnabled } from "../autograd/grad-mode.js";
import { Node } from "../autograd/node.js";
import type { Edge } from "../autograd/node.js";
import { AutogradError, ShapeError } from "../errors.js";
import { fmt, shapesEqual } from "../shape.js";
import { Tensor } from "../tensor/tensor.js";

/** A hook's view of the gradients: one entry per argument (or output), null for non-tensors and where no gradient flows. */
export type Grads = readonly (Tensor | null)[];
/** What a full backward hook receives; returning an array replaces gradInput (same length, null where none). */
export type StoredBackwardHook = (module: unknown, gradInput: Grads, gradOutput: Grads) => Grads | void;

// An identity node over several tensors; `onBackward` sees (and may replace) the gradients passing through.
class HookNode extends Node {
  constructor(edges: (Edge | null)[], private readonly onBackward: (grads: (Tensor | null)[]) => (Tensor | null)[]) {
    super("BackwardHookFunctionBackward", edges);
  }
  apply(gradOutputs: readonly (Tensor | null)[]): (Tensor | null)[] {
    return this.onBackward(this.nextEdges.map((_, i) => gradOutputs[i] ?? null));
  }
  release(): void {}
}

// Aliases (same memory and version counter) of the tensors that require grad, carrying `node` as their history.
function wrap(tensors: readonly Tensor[], onBackward: (grads: (Tensor | null)[]) => (Tensor | null)[]): Tensor[] | null {
  if (!isGradEnabled() || !tensors.some((t) => t.requiresGrad)) return null;
  const node = new HookNode(tensors.map((t) => (t.requiresGrad ? t._gradientEdge() : null)), onBackward);
  return tensors.map((t, i) => {
    if (!t.requiresGrad) return t;
    const alias = t.detach();
    alias._viewBase = t._viewBase ?? t; // a view: an in-place change to it reaches the caller's tensor's history too
    alias._setGradFn(node);
    alias._outputNr = i;
    return alias;
  });
}

function pack(index: readonly number[], grads: readonly (Tensor | null)[], n: number): (Tensor | null)[] {
  const out: (Tensor | null)[] = Array.from({ length: n }, () => null);
  index.forEach((at, i) => (out[at] = grads[i] ?? null));
  return out;
}

/**
 * One module call's backward hooks, as PyTorch's `BackwardHook`: the output node records gradOutput,
 * the input node calls the hooks with gradInput and passes on what they return. When no input
 * requires grad, the hooks run at the output node with gradInput all null.
 */
export class BackwardHookCall {
  #gradOutputs: Grads | null = null;
  #inputIndex: number[] | null = null;
  #inputShapes: (readonly number[])[] = [];
  #nInputs = 0;

  constructor(
    private readonly module: unknown,
    private readonly moduleName: string,
    private readonly hooks: readonly StoredBackwardHook[],
  ) {}

  /** Wraps the tensor arguments; returns the arguments to call forward with. */
  setupInputs<A extends unknown[]>(args: A): A {
    this.#nInputs = args.length;
    const index = args.flatMap((a, i) => (a instanceof Tensor ? [i] : []));
    const tensors = index.map((i) => args[i] as Tensor);
    const wrapped = wrap(tensors, (grads) => this.#atInputs(grads));
    if (wrapped === null) return args;
    this.#inputIndex = index;
    this.#inputShapes = tensors.map((t) => t.shape);
    const out = [...args] as A;
    index.forEach((at, i) => (out[at] = wrapped[i]));
    return out;
  }

  /** Wraps the output tensor(s) (a tensor or an array of them); returns the output to hand back. */
  setupOutput<O>(output: O): O {
    const single = output instanceof Tensor;
    const items: unknown[] = single ? [output] : Array.isArray(output) ? output : [];
    const index = items.flatMap((o, i) => (o instanceof Tensor ? [i] : []));
    const n = items.length;
    const wrapped = wrap(index.map((i) => items[i] as Tensor), (grads) => {
      this.#gradOutputs = pack(index, grads, n);
      if (this.#inputIndex === null) this.#withoutInputs();
      return grads;
    });
    if (wrapped === null) return output;
    if (single) return wrapped[0] as O;
    const out = [...items];
    index.forEach((at, i) => (out[at] = wrapped[i]));
    return out as O;
  }

  #atInputs(grads: (Tensor | null)[]): (Tensor | null)[] {
    const gradOutputs = this.#gradOutputs;
    // The gradient reached the inputs without passing through the outputs (double backward): no hook, as PyTorch.
    if (gradOutputs === null) return grads;
    const index = this.#inputIndex!;
    let res: Grads = pack(index, grads, this.#nInputs);
    for (const hook of this.hooks) {
      const out = hook(this.module, res, gradOutputs);
      if (out === undefined) continue;
      if (!Array.isArray(out) || out.length !== res.length) {
        throw new AutogradError(
          `${this.moduleName} full backward hook: returned ${Array.isArray(out) ? `${out.length} gradients` : "a non-array"}, expected an array of ${res.length} (one per argument of forward, null where none)`,
        );
      }
      res = out;
    }
    this.#gradOutputs = null;
    return index.map((at, i) => {
      const g = res[at] ?? null;
      if (g !== null && !shapesEqual(g.shape, this.#inputShapes[i]!)) {
        throw new ShapeError(`${this.moduleName} full backward hook: gradInput[${at}] has shape ${fmt(g.shape)}, but the input has shape ${fmt(this.#inputShapes[i]!)}`);
      }
      return g;
    });
  }

  #withoutInputs(): void {
    const gradInput: Grads = Array.from({ length: this.#nInputs }, () => null);
    for (const hook of this.hooks) {
      const out = hook(this.module, gradInput, this.#gradOutputs!);
      if (out !== undefined && !(Array.isArray(out) && out.every((g) => g === null || g === undefined))) {
        throw new AutogradError(`${this.moduleName} full backward hook: no input requires grad, so the hook must return nothing (or nulls)`);
      }
    }
    this.#gradOutputs = null;
  }
}
