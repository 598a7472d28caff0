// Graph nodes: the `gradFn` of every result (one per recorded op) and `AccumulateGrad` for leaves.
import { AutogradError } from "../errors.js";
import type { Shape } from "../shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { captureTrace, isAnomalyEnabled } from "./anomaly.js";

/** Where a gradient goes next: input `outputNr` of `node`. PyTorch's `(fn, idx)` pairs in `next_functions`. */
export interface Edge {
  /** The node the gradient goes to. */
  readonly node: Node;
  /** Which of that node's outputs the gradient is for (0 for single-output ops). */
  readonly outputNr: number;
}

/** A hook on a gradient: sees it, and may return a replacement. */
export type GradHook = (grad: Tensor) => Tensor | void;

let nextSequenceNr = 0;

/** @internal The sequence number the next node will get: nodes numbered from here on were created after this call. */
export function peekSequenceNr(): number {
  return nextSequenceNr;
}

/**
 * A node of the backward graph, what `tensor.gradFn` returns. Its `name` says which op recorded it
 * (`MulBackward`), and `nextFunctions` lists where its gradients flow next.
 * @example cr.ones([2], { requiresGrad: true }).mul(2).gradFn.name // "MulBackward"
 */
export abstract class Node {
  /** Creation order; the engine runs later nodes first among those that are ready, as PyTorch does. */
  readonly sequenceNr: number = nextSequenceNr++;
  // Most nodes never get a hook: their maps are made on first use, not for every op recorded.
  #preHooks: Map<number, GradHook[]> | null = null;
  #retainGradHooks: Map<number, (grad: Tensor) => void> | null = null;

  /** Hooks on the gradient of each output, run before the node; `retainGrad` is one of them. */
  get preHooks(): Map<number, GradHook[]> {
    return (this.#preHooks ??= new Map());
  }

  /** @internal Whether any hook was ever added (so the engine can skip the node's hook pass). */
  get _hasHooks(): boolean {
    return this.#preHooks !== null || this.#retainGradHooks !== null;
  }
  /** @internal In anomaly mode, the call stack where the op was recorded (read only to report an anomaly). */
  readonly _trace: Error | null = isAnomalyEnabled() ? captureTrace() : null;
  /** The shapes of the forward op's inputs, where the node knows them (for error messages). */
  readonly inputShapes?: readonly Shape[];
  /** The forward op's name, where it is not `name` less "Backward" in lower camelCase (a custom Function's class). */
  readonly op?: string;

  constructor(
    /** Readable name, such as `MulBackward` or `AccumulateGrad`. */
    readonly name: string,
    /** One entry per differentiable input of the op; null where that input needs no gradient. */
    readonly nextEdges: readonly (Edge | null)[],
  ) {}

  /** PyTorch's `next_functions`: `[node, inputNr]` per input, `[null, 0]` where no gradient flows. */
  get nextFunctions(): readonly (readonly [Node | null, number])[] {
    return this.nextEdges.map((e) => (e === null ? [null, 0] as const : [e.node, e.outputNr] as const));
  }

  /**
   * Adds a hook on the gradient of output `outputNr`; returns a function that removes it.
   * @example
   * ```ts
   * const y = x.mul(2);
   * const remove = y.gradFn!.addPreHook(0, (g) => g.clamp(-1, 1)); // clip the gradient reaching MulBackward
   * y.sum().backward();
   * remove();
   * ```
   */
  addPreHook(outputNr: number, hook: GradHook): () => void {
    const list = this.preHooks.get(outputNr) ?? [];
    list.push(hook);
    this.preHooks.set(outputNr, list);
    return () => {
      const i = list.indexOf(hook);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** @internal `retainGrad`'s hook per output: run after the other hooks, so it stores the final gradient. */
  get retainGradHooks(): Map<number, (grad: Tensor) => void> {
    return (this.#retainGradHooks ??= new Map());
  }

  /**
   * Computes the gradients of the inputs from the gradients of the outputs.
   * @example cr.ones([2], { requiresGrad: true }).mul(3).gradFn.apply([cr.tensor([1, 2])])[0] // tensor([3, 6])
   */
  abstract apply(gradOutputs: readonly (Tensor | null)[]): (Tensor | null)[];

  /**
   * Frees what the node saved for backward; later calls of `apply` throw.
   * @example
   * ```ts
   * const y = x.exp();
   * y.gradFn!.release(); // frees exp's saved result: y.backward() now throws an AutogradError
   * ```
   */
  abstract release(): void;

  /** @internal The tensors it saved for backward, unchecked: a scope keeps them alive for a graph that outlives it. */
  _savedForScopes(): readonly Tensor[] {
    return [];
  }

  /**
   * The node as PyTorch prints it: its name in angle brackets.
   * @example cr.ones([2], { requiresGrad: true }).mul(2).gradFn.toString() // "<MulBackward>"
   */
  toString(): string {
    return `<${this.name}>`;
  }
}

/**
 * The node behind a leaf tensor that requires grad: backward adds the incoming gradient to `variable.grad`.
 * @example cr.ones([2], { requiresGrad: true }).mul(2).gradFn.nextFunctions[0][0] instanceof cr.autograd.AccumulateGrad // true
 */
export class AccumulateGrad extends Node {
  constructor(
    /** The leaf whose `.grad` the incoming gradients are added to (PyTorch's `AccumulateGrad.variable`). */
    readonly variable: Tensor,
  ) {
    super("AccumulateGrad", []);
  }
  /**
   * Not callable: the engine adds a leaf's gradient to `variable.grad` itself (hooks and `retainGrad` included).
   * @example cr.ones([2], { requiresGrad: true }).mul(2).gradFn.nextFunctions[0][0].apply([]) // throws AutogradError
   */
  apply(): (Tensor | null)[] {
    throw new AutogradError("AccumulateGrad is run by the engine, not applied");
  }

  /**
   * Nothing to free: the node saves no tensors (the leaf itself is `variable`).
   * @example leaf.mul(2).gradFn!.nextFunctions[0]![0]!.release(); // a no-op
   */
  release(): void {}
}
