// Matrix building blocks for batched linear algebra (`[*, m, n]`), in differentiable tensor ops: the transpose of the
// last two dims, diagonals in and out, triangular masks and identities made on the backend of the tensor they serve.
// The derivative rules of cr.linalg's primitives and its public forms are written with these.
import { allocArray } from "../dtype.js";
import type { DType } from "../dtype.js";
import { where } from "./elementwise.js";
import { asStrided } from "./movement.js";
import { Tensor } from "./tensor.js";

/** `x` with its last two dims swapped. */
export const mT = (x: Tensor): Tensor => x.transpose(-2, -1);

/** A constant of `shape` holding `data`, on `like`'s backend (not the current one). */
export function constantLike(like: Tensor, data: ArrayLike<number>, shape: readonly number[], dtype: DType = like.dtype): Tensor {
  const arr = allocArray(dtype, data.length);
  arr.set(data);
  return Tensor._create(like._backend.fromArray(arr), [...shape], dtype, like._backend);
}

/** The main diagonal of each matrix of `x` `[*, m, n]`: `[*, min(m, n)]` (a strided view). */
export function diagonal(x: Tensor): Tensor {
  const batch = x.shape.slice(0, -2);
  const [m, n] = x.shape.slice(-2) as [number, number];
  const strides = batch.map((_, d) => x.shape.slice(d + 1).reduce((a, b) => a * b, 1));
  return asStrided(x, [...batch, Math.min(m, n)], [...strides, n + 1], 0);
}

/** The identity `[n, n]` on `like`'s backend, in its dtype. */
export function eyeLike(like: Tensor, n: number): Tensor {
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) data[i * n + i] = 1;
  return constantLike(like, data, [n, n]);
}

/** Each vector of `v` `[*, n]` as a diagonal matrix `[*, n, n]`. */
export function diagEmbed(v: Tensor): Tensor {
  const n = v.shape[v.ndim - 1]!;
  return v.unsqueeze(-1).mul(eyeLike(v, n));
}

/**
 * The elements of each matrix of `x` on or below its `k`-th diagonal (`upper`: on or above), the rest zeros:
 * PyTorch's tril/triu (a `where` on a mask, so what is dropped never reaches the result, NaN included).
 */
export function triangle(x: Tensor, upper: boolean, k = 0): Tensor {
  const [m, n] = x.shape.slice(-2) as [number, number];
  const mask = new Uint8Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) mask[i * n + j] = (upper ? j - i >= k : j - i <= k) ? 1 : 0;
  return where(constantLike(x, mask, [m, n], "bool"), x, 0);
}
