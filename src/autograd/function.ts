// `cr.autograd.Function`: user-defined ops with their own backward, in PyTorch's shape (static forward/backward, `apply`, a ctx).
import { AutogradError } from "../errors.js";
import { fmt } from "../shape.js";
import { Tensor } from "../tensor/tensor.js";
import { CustomFunctionNode } from "./custom-node.js";
import { isGradEnabled, noGrad } from "./grad-mode.js";

interface SavedEntry {
  tensor: Tensor | null;
  version: number;
}

/**
 * What `forward` and `backward` of a custom Function share: the tensors saved for backward (checked
 * against in-place changes), which inputs need a gradient, and any other state you set on it
 * (`ctx.k = 3`, read back as `ctx.k as number`). `S` types `savedTensors`.
 * @example
 * class Square extends cr.autograd.Function {
 *   static forward(ctx: cr.autograd.FunctionCtx<[cr.Tensor]>, x: cr.Tensor) { ctx.saveForBackward(x); return x.mul(x); }
 *   static backward(ctx: cr.autograd.FunctionCtx<[cr.Tensor]>, g: cr.Tensor) { const [x] = ctx.savedTensors; return g.mul(x).mul(2); }
 * }
 */
export class FunctionCtx<S extends readonly (Tensor | null)[] = Tensor[]> {
  [key: string]: unknown;
  /** One flag per argument of `apply`: true where that argument is a tensor whose gradient is needed. */
  readonly needsInputGrad: readonly boolean[];
  #saved: SavedEntry[] | null = [];
  #released = false;
  #nonDifferentiable = new Set<Tensor>();
  #materializeGrads = true;
  #owner = "Function";

  /** @internal */
  constructor(needsInputGrad: readonly boolean[], owner: string) {
    this.needsInputGrad = needsInputGrad;
    this.#owner = owner;
  }

  /**
   * Saves tensors (inputs, outputs, or others) for `backward`; call it once, in `forward`. Each is
   * checked at backward: one changed in place since gives an error rather than a wrong gradient.
   * @example
   * ```ts
   * static forward(ctx: cr.autograd.FunctionCtx<[cr.Tensor]>, x: cr.Tensor) {
   *   ctx.saveForBackward(x); // read back in backward as ctx.savedTensors
   *   return x.mul(x);
   * }
   * ```
   */
  saveForBackward(...tensors: S): void {
    tensors.forEach((t, i) => {
      if (t !== null && !(t instanceof Tensor)) throw new TypeError(`${this.#owner}.saveForBackward: argument ${i} is not a Tensor or null`);
    });
    this.#saved = tensors.map((t) => ({ tensor: t, version: t === null ? 0 : t._version.value }));
  }

  /** The tensors given to `saveForBackward`, in order; throws if one was modified in place since, or the graph was freed. */
  get savedTensors(): S {
    if (this.#released || this.#saved === null) {
      throw new AutogradError(
        `${this.#owner}Backward: trying to backward through the graph a second time, after its saved tensors were freed. ` +
          `Pass { retainGraph: true } to the first backward() to backward through it again.`,
      );
    }
    return this.#saved.map(({ tensor, version }, i) => {
      if (tensor !== null && tensor._version.value !== version) {
        throw new AutogradError(
          `${this.#owner}Backward: saved tensor ${i} (shape ${fmt(tensor.shape)}, ${tensor.dtype}) was modified by an in-place ` +
            `operation: it is at version ${tensor._version.value}, expected ${version}`,
        );
      }
      return tensor;
    }) as unknown as S;
  }

  /** @internal What saveForBackward saved, unchecked, and the tensors set as attributes (`ctx.w = t`). */
  _savedForScopes(): Tensor[] {
    const attrs = Object.values(this).filter((v): v is Tensor => v instanceof Tensor);
    return [...(this.#saved ?? []).flatMap(({ tensor }) => (tensor === null ? [] : [tensor])), ...attrs];
  }

  /**
   * Declares outputs of `forward` that have no gradient (indices, masks): they do not require grad.
   * @example
   * ```ts
   * static forward(ctx: cr.autograd.FunctionCtx, x: cr.Tensor) {
   *   const [values, indices] = x.sort(-1);
   *   ctx.markNonDifferentiable(indices); // indices.requiresGrad is false
   *   return [values, indices];
   * }
   * ```
   */
  markNonDifferentiable(...outputs: Tensor[]): void {
    for (const t of outputs) this.#nonDifferentiable.add(t);
  }

  /**
   * Whether `backward` receives zeros (default) or null for outputs that got no gradient.
   * @example ctx.setMaterializeGrads(false); // backward(ctx, g0: Tensor | null, g1: Tensor | null)
   */
  setMaterializeGrads(flag: boolean): void {
    this.#materializeGrads = flag;
  }

  /** @internal */
  _isNonDifferentiable(t: Tensor): boolean {
    return this.#nonDifferentiable.has(t);
  }
  /** @internal */
  get _materializeGrads(): boolean {
    return this.#materializeGrads;
  }
  /** @internal Outputs were swapped for tensors carrying the node: saved references follow them, and versions are taken now. */
  _finishForward(replace: ReadonlyMap<Tensor, Tensor>): void {
    if (this.#saved === null) return;
    this.#saved = this.#saved.map(({ tensor }) => {
      const t = tensor === null ? null : (replace.get(tensor) ?? tensor);
      return { tensor: t, version: t === null ? 0 : t._version.value };
    });
  }
  /** @internal Frees the saved tensors (backward without retainGraph). */
  _release(): void {
    this.#released = true;
    this.#saved = null;
  }
}

/** What `backward` may return: one gradient (or null) per argument of `apply`, or a single one for a one-argument Function. */
export type BackwardResult = Tensor | null | undefined | readonly (Tensor | null | undefined)[];

/** The static side of a custom Function, as `apply` needs it. */
export interface FunctionClass<A extends unknown[], R> {
  /** The class's name: its node is called `<name>Backward`. */
  readonly name: string;
  /** The static `forward(ctx, ...args)`: computes the outputs, saving what backward needs on `ctx`. */
  forward(ctx: never, ...args: A): R;
  /** The static `backward(ctx, ...gradOutputs)`: one gradient (or null) per argument of `forward`. */
  backward(ctx: never, ...grads: never[]): BackwardResult;
}

/** @internal How the node calls a Function's backward. */
export type BackwardFn = (ctx: FunctionCtx<readonly (Tensor | null)[]>, ...grads: (Tensor | null)[]) => BackwardResult;

/**
 * The base of user-defined differentiable ops, as PyTorch's `torch.autograd.Function`: subclass it
 * with a static `forward(ctx, ...args)` (run without recording; return a tensor or an array of
 * tensors) and a static `backward(ctx, ...gradOutputs)` returning one gradient per argument (null
 * for arguments that need none, non-tensor arguments included), and call `MyFn.apply(...args)`.
 * Written in tensor ops, `backward` is itself differentiable, so gradients of gradients work
 * (`createGraph`). The node is named `${ClassName}Backward`.
 * @example
 * class Square extends cr.autograd.Function {
 *   static forward(ctx: cr.autograd.FunctionCtx, x: cr.Tensor): cr.Tensor {
 *     ctx.saveForBackward(x);
 *     return x.mul(x);
 *   }
 *   static backward(ctx: cr.autograd.FunctionCtx, g: cr.Tensor): cr.Tensor {
 *     const [x] = ctx.savedTensors;
 *     return g.mul(x!).mul(2);
 *   }
 * }
 * const y = Square.apply(cr.tensor([3], { requiresGrad: true })); // y.gradFn.name === "SquareBackward"
 */
export class Function {
  /**
   * Runs `forward` and, when an argument requires grad, records a node that calls `backward`.
   * @example Square.apply(cr.tensor([3], { requiresGrad: true })) // tensor([9]), with gradFn SquareBackward
   */
  static apply<A extends unknown[], R extends Tensor | readonly Tensor[]>(this: FunctionClass<A, R>, ...args: A): R {
    if ((this as unknown) === Function) throw new AutogradError("Function.apply: call apply on a subclass that defines forward and backward");
    if (typeof this.forward !== "function" || typeof this.backward !== "function") {
      throw new AutogradError(`${this.name}.apply: the class must define static forward(ctx, ...args) and static backward(ctx, ...grads)`);
    }
    const needs = args.map((a) => a instanceof Tensor && a.requiresGrad);
    const record = isGradEnabled() && needs.some((n) => n);
    const ctx = new FunctionCtx(record ? needs : args.map(() => false), this.name);
    const forward = this.forward as unknown as (ctx: FunctionCtx<readonly (Tensor | null)[]>, ...a: A) => unknown;
    const raw = noGrad(() => forward.call(this, ctx, ...args));
    const single = raw instanceof Tensor;
    const outputs = single ? [raw] : Array.isArray(raw) ? [...(raw as unknown[])] : null;
    if (outputs === null || outputs.some((o) => !(o instanceof Tensor))) {
      throw new TypeError(`${this.name}.forward: must return a Tensor or an array of Tensors`);
    }
    if (!record) return raw as R;

    const inputs = args.map((a) => (a instanceof Tensor ? a : null));
    const edges = args.map((a, i) => (needs[i] ? (a as Tensor)._gradientEdge() : null));
    const outs = outputs as Tensor[];
    const differentiable = outs.map((o) => o.dtype.startsWith("float") && !ctx._isNonDifferentiable(o));
    const node = new CustomFunctionNode(`${this.name}Backward`, this.name, edges, this.backward as unknown as BackwardFn, this, ctx, inputs, outs);
    // An output that is an input (or appears twice) gets an alias sharing its memory, so the input's own history is kept.
    const replace = new Map<Tensor, Tensor>();
    const seen = new Set<Tensor>();
    const result = outs.map((o, i) => {
      if (!differentiable[i]) return o;
      const fresh = !seen.has(o) && o.isLeaf && !o.requiresGrad && !inputs.includes(o);
      seen.add(o);
      const t = fresh ? o : o.detach();
      if (!fresh) t._viewBase = o._viewBase ?? o; // shares o's memory: in-place changes to either reach the other's history
      t._setGradFn(node);
      t._outputNr = i;
      if (!replace.has(o)) replace.set(o, t);
      return t;
    });
    ctx._finishForward(replace);
    return (single ? result[0] : result) as R;
  }
}
