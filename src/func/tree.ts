// Trees of tensors (PyTorch's pytrees): a Tensor, or arrays and plain objects of them, flattened to a list and rebuilt.
import { Tensor } from "../tensor/tensor.js";

/** What the transforms take and return where PyTorch takes a pytree: a Tensor, or arrays / plain objects of trees. */
export type TensorTree = Tensor | readonly TensorTree[] | { readonly [key: string]: TensorTree };

/** The same structure with other leaves: the gradient of a `{ w, b }` of tensors is a `{ w, b }` of tensors. */
export interface Flat {
  readonly leaves: Tensor[];
  /** Rebuilds the structure around new leaves, in the order `leaves` has them. */
  readonly rebuild: (leaves: readonly unknown[]) => unknown;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null) return false;
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Flattens `tree`; anything but a Tensor, array or plain object is an error naming `what`. */
export function flatten(tree: unknown, what: string): Flat {
  const leaves: Tensor[] = [];
  const walk = (x: unknown, path: string): ((next: () => unknown) => unknown) => {
    if (x instanceof Tensor) {
      leaves.push(x);
      return (next) => next();
    }
    if (Array.isArray(x)) {
      const parts = x.map((v, i) => walk(v, `${path}[${i}]`));
      return (next) => parts.map((p) => p(next));
    }
    if (isPlainObject(x)) {
      const keys = Object.keys(x);
      const parts = keys.map((k) => walk(x[k], `${path}.${k}`));
      return (next) => Object.fromEntries(keys.map((k, i) => [k, parts[i]!(next)]));
    }
    const kind = x === null ? "null" : typeof x === "object" ? (x.constructor?.name ?? "object") : typeof x;
    throw new TypeError(`${path} must be a Tensor, or an array or plain object of Tensors, got ${kind}`);
  };
  const build = walk(tree, what);
  return {
    leaves,
    rebuild: (newLeaves) => {
      let i = 0;
      return build(() => newLeaves[i++]);
    },
  };
}
