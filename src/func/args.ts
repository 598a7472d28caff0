// What the transforms share: argnums, the types they map arguments and outputs through, input tracking.
import { applyPrimitive } from "../autograd/dispatch.js";
import { copyTangents } from "../autograd/forward-ad.js";
import { AccumulateGrad } from "../autograd/node.js";
import type { Node } from "../autograd/node.js";
import { isFloating } from "../dtype.js";
import { ArgumentError, DTypeError } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";
import { flatten } from "./tree.js";
import type { Flat } from "./tree.js";

/** Which arguments a transform differentiates with respect to: one index, or several (the result is then an array). */
export type Argnums = number | readonly number[];

/** The arguments picked by `argnums`: one for a number, a tuple for an array (torch.func's convention). */
export type Selected<A extends readonly unknown[], N extends Argnums> = N extends number
  ? A[N]
  : { -readonly [K in keyof N]: A[N[K] & number] };

/** The jacobian of an output of type `R` with respect to arguments `S`: each output leaf maps to an `S`. */
export type JacobianOf<R, S> = R extends Tensor
  ? S
  : R extends readonly unknown[]
    ? { -readonly [K in keyof R]: JacobianOf<R[K], S> }
    : R extends object
      ? { -readonly [K in keyof R]: JacobianOf<R[K], S> }
      : never;

/** The indices `argnums` names, checked against the number of arguments. */
export function argIndices(op: string, argnums: Argnums, nargs: number): { indices: number[]; single: boolean } {
  const single = typeof argnums === "number";
  const list = single ? [argnums] : argnums;
  if (!Array.isArray(list) || list.length === 0) throw new ArgumentError(`${op}: argnums must be a number or a non-empty array of numbers`);
  const indices = list.map((n) => {
    if (!Number.isInteger(n) || n < -nargs || n >= nargs) {
      throw new ArgumentError(`${op}: argnums ${String(n)} is out of range for a call with ${nargs} argument(s)`);
    }
    return n < 0 ? n + nargs : n;
  });
  if (new Set(indices).size !== indices.length) throw new ArgumentError(`${op}: argnums has duplicates: [${list.join(", ")}]`);
  return { indices, single };
}

/** A selected argument: its structure, and the tensors that stand in for its leaves while `f` runs. */
export interface Tracked {
  readonly flat: Flat;
  readonly inputs: Tensor[];
}

/**
 * Stand-ins for reverse mode: each leaf becomes a tensor that requires grad, equal to it, through
 * which gradients can still reach the leaf's own history (so transforms nest) and which keeps the
 * leaf's forward-mode tangents (so `jvp` of `grad` works). A fresh stand-in per call also keeps
 * `grad(x => grad(y => x * y)(x))` right: the inner gradient is taken with respect to y only.
 */
export function trackArgs(op: string, args: readonly unknown[], indices: readonly number[]): { args: unknown[]; tracked: Tracked[] } {
  const newArgs = [...args];
  const tracked = indices.map((i) => {
    const flat = flatten(args[i], `${op}: argument ${i}`);
    const inputs = flat.leaves.map((t) => {
      if (!isFloating(t.dtype)) throw new DTypeError(`${op}: argument ${i} holds a ${t.dtype} tensor; only floating-point inputs can be differentiated`);
      if (t.requiresGrad) return applyPrimitive("reshape", [t], { shape: t.shape });
      const leaf = t.detach().requiresGrad_();
      copyTangents(t, leaf);
      return leaf;
    });
    newArgs[i] = flat.rebuild(inputs);
    return { flat, inputs };
  });
  return { args: newArgs, tracked };
}

/**
 * Whether `outputs` depend on a tensor that requires grad other than `own` (an outer transform's
 * input, or a parameter closed over): then gradients must be recorded (createGraph) so that the
 * outer computation can differentiate them; otherwise they are plain tensors, as torch.func gives.
 */
export function reachesOuter(outputs: readonly Tensor[], own: readonly Tensor[]): boolean {
  const mine = new Set(own);
  const seen = new Set<Node>();
  const stack: Node[] = [];
  for (const o of outputs) {
    if (o.gradFn !== null) stack.push(o.gradFn);
    else if (o.requiresGrad && !mine.has(o)) return true;
  }
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    if (node instanceof AccumulateGrad && !mine.has(node.variable)) return true;
    for (const e of node.nextEdges) if (e !== null) stack.push(e.node);
  }
  return false;
}

/** `value` everywhere, with `x`'s dtype and backend (the transforms never move data between backends) and `x`'s shape unless given. */
export function fullOn(x: Tensor, value = 0, shape: readonly number[] = x.shape): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor._create(x._backend.full(n, value, x._computeDtype), shape, x.dtype, x._backend);
}

/** The unit vector e_i with `x`'s shape, dtype and backend. */
export function unitOn(x: Tensor, i: number): Tensor {
  const data = x.dtype === "float32" ? new Float32Array(x.numel()) : new Float64Array(x.numel());
  data[i] = 1;
  return Tensor._create(x._backend.fromArray(data), x.shape, x.dtype, x._backend);
}
