// Products of whole tensors: outer, kron and trace, composed from broadcasting, reshapes and a strided view, so
// their gradients come from those ops'.
import { ShapeError } from "../errors.js";
import { fmt } from "../shape.js";
import { checkTensor } from "./elementwise.js";
import { asStrided } from "./movement.js";
import type { Tensor } from "./tensor.js";

/**
 * The outer product of two vectors: `out[i][j] = a[i]·b[j]` (PyTorch's `torch.outer`; dtypes promote).
 * @example cr.outer(cr.tensor([1, 2]), cr.tensor([3, 4, 5])) // [[3, 4, 5], [6, 8, 10]]
 */
export function outer(a: Tensor, b: Tensor): Tensor {
  checkTensor("outer", a);
  checkTensor("outer", b);
  if (a.ndim !== 1 || b.ndim !== 1) throw new ShapeError(`outer: expected two 1-D tensors, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  return a.reshape([a.shape[0]!, 1]).mul(b.reshape([1, b.shape[0]!]));
}

/**
 * The Kronecker product: each element of `a` scales a copy of `b`, laid out in a's grid, in any number of dims
 * (the one with fewer dims gets leading dims of 1), as PyTorch's `torch.kron`.
 * @example cr.kron(cr.eye(2), cr.ones([2, 2])).shape // [4, 4], two blocks of ones on the diagonal
 */
export function kron(a: Tensor, b: Tensor): Tensor {
  checkTensor("kron", a);
  checkTensor("kron", b);
  const nd = Math.max(a.ndim, b.ndim);
  const sa = [...new Array<number>(nd - a.ndim).fill(1), ...a.shape], sb = [...new Array<number>(nd - b.ndim).fill(1), ...b.shape];
  // a[i, 1, j, 1, …] · b[1, k, 1, l, …] → [i·k, j·l, …]
  const product = a.reshape(sa.flatMap((s) => [s, 1])).mul(b.reshape(sb.flatMap((s) => [1, s])));
  return product.reshape(sa.map((s, d) => s * sb[d]!));
}

/**
 * The sum of a matrix's diagonal (PyTorch's `torch.trace`; 2-D only).
 * @example cr.trace(cr.eye(3)).item() // 3
 */
export function trace(x: Tensor): Tensor {
  checkTensor("trace", x);
  if (x.ndim !== 2) throw new ShapeError(`trace: expected a matrix, got ${fmt(x.shape)}`);
  const [n, m] = x.shape as [number, number];
  return asStrided(x, [Math.min(n, m)], [m + 1], 0).sum();
}
