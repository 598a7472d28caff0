// Scopes: every tensor made inside one is disposed when it ends, except those it hands out. This is
// how memory outside the JavaScript heap (the wasm backend's) is freed at once in a training loop,
// rather than whenever the garbage collector gets to it.
import { peekSequenceNr } from "../autograd/node.js";
import type { Node } from "../autograd/node.js";
import { ArgumentError } from "../errors.js";
import { markKept, popFrame, pushFrame } from "./lifetime.js";
import type { Frame, Tracked } from "./lifetime.js";
import { Tensor } from "./tensor.js";

/**
 * What outlives a scope besides `keep`s: the tensors given, the memory their views share, and every
 * tensor their autograd graph saved for backward, so `backward()` after the scope still works.
 */
function survivorsOf(roots: readonly Tensor[], frame: Frame): Set<Tracked> {
  const out = new Set<Tracked>();
  const nodes: Node[] = [];
  const addTensor = (t: Tensor) => {
    for (let v: Tensor | null = t; v !== null && !out.has(v); v = v._viewBase) {
      out.add(v);
      const fn = v._gradFnUnchecked();
      if (fn !== null && fn.sequenceNr >= frame.firstNode) nodes.push(fn);
    }
  };
  roots.forEach(addTensor);
  const seen = new Set<Node>();
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    node._savedForScopes().forEach(addTensor);
    for (const e of node.nextEdges) if (e !== null && e.node.sequenceNr >= frame.firstNode) nodes.push(e.node);
  }
  return out;
}

// The tensors in a result: itself, or inside arrays, Maps, Sets and plain objects (as tf.tidy looks);
// class instances and typed arrays are opaque (a gradient read back as a million numbers is not searched).
/** @internal */
export function tensorsIn(value: unknown, found: Tensor[], seen = new Set<unknown>()): Tensor[] {
  if (value instanceof Tensor) {
    found.push(value);
    return found;
  }
  if (value === null || typeof value !== "object" || seen.has(value)) return found;
  seen.add(value);
  const proto: unknown = Object.getPrototypeOf(value);
  const items = Array.isArray(value) || value instanceof Set ? [...(value as Iterable<unknown>)]
    : value instanceof Map ? [...value.values()]
    : proto === Object.prototype || proto === null ? Object.values(value)
    : [];
  for (const v of items) tensorsIn(v, found, seen);
  return found;
}

/**
 * A scope opened by `cr.scope()`: tensors made until it is disposed are freed then, except those
 * passed to `keep` (and what their graph saved for backward). Use it with `using`.
 * @example
 * ```ts
 * {
 *   using scope = cr.scope();
 *   const h = x.matmul(w).relu();   // freed when the block ends
 *   y = scope.keep(h.sum());        // lives on
 * }
 * ```
 */
export class Scope implements Disposable {
  readonly #frame = pushFrame(peekSequenceNr());
  readonly #kept: Tensor[] = [];
  #open = true;

  /**
   * Lets `tensors` outlive this scope: they move to the enclosing scope, or live on if there is none. Returns the first.
   * @example const total = scope.keep(loss.detach()); // outlives the scope; the rest of its tensors are freed
   */
  keep<T extends Tensor>(first: T, ...more: Tensor[]): T {
    this._keepAll([first, ...more]);
    return first;
  }

  /** @internal */
  _keepAll(tensors: readonly Tensor[]): void {
    for (const t of tensors) {
      if (!(t instanceof Tensor)) throw new ArgumentError("keep: expected Tensors");
      this.#kept.push(t);
    }
  }

  /** Ends the scope (what `using` calls): disposes every tensor made in it that was not kept. */
  [Symbol.dispose](): void {
    if (!this.#open) return;
    this.#open = false;
    popFrame(this.#frame, survivorsOf(this.#kept, this.#frame));
  }

  /**
   * Same as `[Symbol.dispose]()`, for code without `using`.
   * @example
   * ```ts
   * const scope = cr.scope();
   * const loss = model.forward(x).sum();
   * scope.close(); // frees every tensor made since cr.scope(), loss included
   * ```
   */
  close(): void {
    this[Symbol.dispose]();
  }
}

/**
 * Opens a scope: every tensor made until it ends is disposed then, unless kept with `scope.keep(t)`
 * (or `cr.keep`). Parameters, optimizer state and `.grad` are never disposed by scopes.
 * @example
 * for (const [x, y] of loader) {
 *   using _ = cr.scope();           // this step's activations, gradients' temporaries, … are freed at the end of the block
 *   optimizer.zeroGrad();
 *   cr.nn.functional.crossEntropy(model.forward(x), y).backward();
 *   optimizer.step();
 * }
 */
export function scope(): Scope {
  return new Scope();
}

/**
 * Runs `fn` in a scope and returns its result: every tensor `fn` made is disposed, except the tensors
 * in the result (found in arrays, Maps, Sets and plain objects) and what their graph saved for backward.
 * @example
 * const loss = cr.tidy(() => cr.nn.functional.mseLoss(model.forward(x), y)); // the activations are freed, the loss is not
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== "function") throw new ArgumentError("tidy: expected a function");
  const s = new Scope();
  let result: T;
  try {
    result = fn();
    if (result instanceof Promise) throw new ArgumentError("tidy: fn returned a Promise; scopes cannot span an await (use cr.scope() around synchronous steps)");
    s._keepAll(tensorsIn(result, []));
  } finally {
    s.close();
  }
  return result;
}

/**
 * Makes tensors outlive every scope: they are freed only by `dispose()` or by the garbage collector.
 * Returns the first. Optimizers keep their state and modules their parameters and buffers this way.
 * @example const weights = cr.keep(cr.randn([4, 4]));
 */
export function keep<T extends Tensor>(first: T, ...more: Tensor[]): T {
  for (const t of [first, ...more]) {
    if (!(t instanceof Tensor)) throw new ArgumentError("keep: expected Tensors");
    markKept(t, "user");
  }
  return first;
}
