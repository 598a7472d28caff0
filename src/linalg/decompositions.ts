// cr.linalg: PyTorch's torch.linalg solves and decompositions in camelCase, batched over leading dims, each a
// primitive with its own derivative rule (autograd/linalg-rules.ts) or a composite of them (inv is solve with the
// identity). The kernels run in float64 (float32 inputs are widened and the results rounded once), which keeps
// every algorithm here stable in float32 too: LU with partial pivoting, Cholesky, Householder QR, Jacobi.
import { applyPrimitive } from "../autograd/dispatch.js";
import { isFloating } from "../dtype.js";
import { ArgumentError, DTypeError, LinAlgError, ShapeError } from "../errors.js";
import { unpackEigh, unpackQr, unpackSvd } from "../autograd/linalg-rules.js";
import { broadcastShapes, fmt } from "../shape.js";
import { checkTensor } from "../tensor/elementwise.js";
import { eyeLike, mT } from "../tensor/matrix-helpers.js";
import type { Tensor } from "../tensor/tensor.js";

/** A decomposition's results, by position (`const [Q, R] = …`) and by name (`….Q`), as PyTorch's named tuples. */
export type Named<T extends readonly Tensor[], N extends string> = T & { readonly [K in N]: Tensor };

function named<T extends Tensor[], N extends string>(values: T, names: readonly N[]): Named<T, N> {
  const out = values as T & Record<N, Tensor>;
  names.forEach((n, i) => Object.defineProperty(out, n, { value: values[i], enumerable: false }));
  return out as Named<T, N>;
}

function checkMatrices(op: string, a: Tensor, square: boolean): void {
  checkTensor(op, a);
  if (!isFloating(a.dtype)) throw new DTypeError(`${op}: expected a floating-point tensor, got ${a.dtype}`);
  if (a.ndim < 2) throw new ShapeError(`${op}: the input tensor A must have at least 2 dimensions, got ${fmt(a.shape)}`);
  if (square && a.shape[a.ndim - 1] !== a.shape[a.ndim - 2]) {
    throw new ShapeError(`${op}: A must be batches of square matrices, but they are ${a.shape[a.ndim - 2]} by ${a.shape[a.ndim - 1]} matrices`);
  }
}

/** A and B with their batch dims broadcast to each other's. */
function broadcastBatch(op: string, a: Tensor, b: Tensor): [Tensor, Tensor] {
  const batch = broadcastShapes(`${op}: the batch dims of A ${fmt(a.shape)} and B ${fmt(b.shape)}`, a.shape.slice(0, -2), b.shape.slice(0, -2));
  const to = (x: Tensor) => x.expand([...batch, ...x.shape.slice(-2)]);
  return [to(a), to(b)];
}

/** Options of `solve`. */
export interface SolveOptions {
  /** Solve A X = B (true, the default) or X A = B. */
  left?: boolean;
}

/**
 * X solving A X = B (or X A = B with `left: false`) for square, invertible A `[*, n, n]`; B is `[*, n, k]`, or a
 * vector `[*, n]`; batch dims broadcast. A singular A throws a LinAlgError. Gradients: gB = A⁻ᵀ G, gA = −gB Xᵀ.
 * @example cr.linalg.solve(cr.tensor([[3, 1], [1, 2]]), cr.tensor([9, 8])) // [2, 3]
 */
export function solve(a: Tensor, b: Tensor, opts: SolveOptions = {}): Tensor {
  const op = "linalg.solve";
  checkMatrices(op, a, true);
  checkTensor(op, b);
  if (b.dtype !== a.dtype) throw new DTypeError(`${op}: A is ${a.dtype} and B is ${b.dtype}; convert one with .to() so they match`);
  const left = opts.left ?? true;
  const n = a.shape[a.ndim - 1]!;
  // PyTorch's rule: B is a vector when it is 1-D, or has one dim less than A and A's shape without its last dim.
  const vector = b.ndim === 1 || (b.ndim === a.ndim - 1 && b.shape.every((s, i) => s === a.shape[i]));
  const bm = vector ? (left ? b.unsqueeze(-1) : b.unsqueeze(-2)) : b;
  if (bm.ndim < 2 || (left ? bm.shape[bm.ndim - 2] !== n : bm.shape[bm.ndim - 1] !== n)) {
    throw new ShapeError(`${op}: incompatible shapes of A and B for the equation ${left ? "AX = B" : "XA = B"} (${fmt(a.shape)} and ${fmt(b.shape)})`);
  }
  let x: Tensor;
  if (left) {
    const [aa, bb] = broadcastBatch(op, a, bm);
    x = applyPrimitive("linalgSolve", [aa, bb], { check: true });
  } else {
    const [aa, bb] = broadcastBatch(op, mT(a), mT(bm));
    x = mT(applyPrimitive("linalgSolve", [aa, bb], { check: true }));
  }
  return vector ? x.squeeze(left ? -1 : -2) : x;
}

/** Options of `solveTriangular`, as PyTorch's keyword arguments (`upper` is required, as there). */
export interface SolveTriangularOptions {
  /** Read A's upper triangle (true) or its lower one. */
  upper: boolean;
  /** Solve A X = B (default) or X A = B. */
  left?: boolean;
  /** Take A's diagonal as ones without reading it. */
  unitriangular?: boolean;
}

/**
 * X solving A X = B (or X A = B) for triangular A `[*, n, n]` and B `[*, n, k]` (`[*, k, n]` with `left: false`),
 * by substitution; batch dims broadcast. A zero on the diagonal gives infinities, as PyTorch's.
 * @example cr.linalg.solveTriangular(L, B, { upper: false })
 */
export function solveTriangular(a: Tensor, b: Tensor, opts: SolveTriangularOptions): Tensor {
  const op = "linalg.solveTriangular";
  checkMatrices(op, a, true);
  checkTensor(op, b);
  if (b.dtype !== a.dtype) throw new DTypeError(`${op}: A is ${a.dtype} and B is ${b.dtype}; convert one with .to() so they match`);
  if (typeof opts?.upper !== "boolean") throw new ArgumentError(`${op}: the option upper (true or false) is required`);
  const left = opts.left ?? true, unitriangular = opts.unitriangular ?? false;
  const n = a.shape[a.ndim - 1]!;
  if (b.ndim < 2 || (left ? b.shape[b.ndim - 2] !== n : b.shape[b.ndim - 1] !== n)) {
    throw new ShapeError(`${op}: incompatible shapes of A and B for the equation ${left ? "AX = B" : "XA = B"} (${fmt(a.shape)} and ${fmt(b.shape)})`);
  }
  if (left) {
    const [aa, bb] = broadcastBatch(op, a, b);
    return applyPrimitive("linalgSolveTriangular", [aa, bb], { upper: opts.upper, unitriangular });
  }
  const [aa, bb] = broadcastBatch(op, mT(a), mT(b));
  return mT(applyPrimitive("linalgSolveTriangular", [aa, bb], { upper: !opts.upper, unitriangular }));
}

/**
 * The inverse of each square matrix `[*, n, n]` (PyTorch's `linalg.inv`): solve with the identity. A singular
 * matrix throws a LinAlgError.
 * @example cr.linalg.inv(cr.tensor([[2, 0], [0, 4]])) // [[0.5, 0], [0, 0.25]]
 */
export function inv(a: Tensor): Tensor {
  const op = "linalg.inv";
  checkMatrices(op, a, true);
  const n = a.shape[a.ndim - 1]!;
  try {
    return applyPrimitive("linalgSolve", [a, eyeLike(a, n).expand(a.shape)], { check: true });
  } catch (e) {
    if (!(e instanceof LinAlgError)) throw e;
    const where = e.batch === null ? "" : `(Batch element ${e.batch}): `;
    throw new LinAlgError(`${op}: ${where}The diagonal element ${e.index} is zero, the inversion could not be completed because the input matrix is singular.`, e.batch, e.index);
  }
}

/**
 * The determinant of each square matrix `[*, n, n]` → `[*]`. Its gradient is det·A⁻ᵀ, 0 for an exactly singular
 * matrix (PyTorch's first derivative there); differentiated twice, near-singular matrices take the adjugate from
 * the SVD, as PyTorch.
 * @example cr.linalg.det(cr.tensor([[1, 2], [3, 4]])).item() // -2
 */
export function det(a: Tensor): Tensor {
  checkMatrices("linalg.det", a, true);
  return applyPrimitive("linalgDet", [a], {});
}

/**
 * The sign and natural log of the absolute value of each determinant: `[sign, logabsdet]`, each `[*]` (also as
 * `.sign` and `.logabsdet`). Accurate where det itself would overflow; a singular matrix gives sign 0 and −∞.
 * @example const { sign, logabsdet } = cr.linalg.slogdet(a)
 */
export function slogdet(a: Tensor): Named<[Tensor, Tensor], "sign" | "logabsdet"> {
  checkMatrices("linalg.slogdet", a, true);
  const packed = applyPrimitive("linalgSlogdet", [a], {});
  return named([packed.select(-1, 0), packed.select(-1, 1)], ["sign", "logabsdet"]);
}

/** Options of `cholesky`. */
export interface CholeskyOptions {
  /** Return the upper factor U = Lᵀ (A = UᵀU), read from A's upper triangle. */
  upper?: boolean;
}

/**
 * The Cholesky factor of each symmetric positive-definite matrix: lower L with A = L Lᵀ (only A's lower triangle is
 * read), or upper U = Lᵀ. A matrix that is not positive-definite throws a LinAlgError naming the leading minor.
 * @example cr.linalg.cholesky(cr.tensor([[4, 2], [2, 3]])) // [[2, 0], [1, 1.414…]]
 */
export function cholesky(a: Tensor, opts: CholeskyOptions = {}): Tensor {
  checkMatrices("linalg.cholesky", a, true);
  if (opts.upper === true) return mT(applyPrimitive("linalgCholesky", [mT(a)], {}));
  return applyPrimitive("linalgCholesky", [a], {});
}

/** How much of the QR decomposition `qr` returns. */
export type QrMode = "reduced" | "complete" | "r";

/**
 * The QR decomposition of each matrix `[*, m, n]` by Householder reflections (LAPACK's signs): `[Q, R]` (also `.Q`,
 * `.R`) with Q `[*, m, k]` orthonormal and R `[*, k, n]` upper-triangular, k = min(m, n) ("reduced", the default);
 * Q `[*, m, m]` and R `[*, m, n]` ("complete"); or R alone and an empty Q ("r", not differentiable).
 * @example const [Q, R] = cr.linalg.qr(a)
 */
export function qr(a: Tensor, opts: { mode?: QrMode } = {}): Named<[Tensor, Tensor], "Q" | "R"> {
  const op = "linalg.qr";
  checkMatrices(op, a, false);
  const mode = opts.mode ?? "reduced";
  if (mode !== "reduced" && mode !== "complete" && mode !== "r") throw new ArgumentError(`${op}: mode must be "reduced", "complete" or "r", got ${JSON.stringify(mode)}`);
  const packed = applyPrimitive("linalgQr", [a], { mode });
  const [q, r] = unpackQr(packed, a.shape, mode === "complete");
  return named([mode === "r" ? q.reshape([-1]).narrow(0, 0, 0) : q, r], ["Q", "R"]);
}

function uplo(op: string, v: string | undefined): boolean {
  const u = v ?? "L";
  if (u !== "L" && u !== "U") throw new ArgumentError(`${op}: UPLO must be "L" or "U", got ${JSON.stringify(v)}`);
  return u === "U";
}

/**
 * The eigenvalues (ascending) and eigenvectors (the columns) of each real symmetric matrix, reading its lower
 * triangle (or its upper with `UPLO: "U"`): `[eigenvalues, eigenvectors]`, also `.eigenvalues` and
 * `.eigenvectors`. Eigenvectors are defined up to sign, and their gradient is finite only for distinct eigenvalues.
 * @example const { eigenvalues, eigenvectors } = cr.linalg.eigh(a)
 */
export function eigh(a: Tensor, opts: { UPLO?: "L" | "U" } = {}): Named<[Tensor, Tensor], "eigenvalues" | "eigenvectors"> {
  checkMatrices("linalg.eigh", a, true);
  const [values, vectors] = unpackEigh(applyPrimitive("linalgEigh", [a], { upper: uplo("linalg.eigh", opts.UPLO) }));
  return named([values, vectors], ["eigenvalues", "eigenvectors"]);
}

/**
 * The eigenvalues (ascending) of each real symmetric matrix (its lower triangle read, or its upper with `UPLO: "U"`).
 * @example cr.linalg.eigvalsh(cr.tensor([[2, 1], [1, 2]])) // [1, 3]
 */
export function eigvalsh(a: Tensor, opts: { UPLO?: "L" | "U" } = {}): Tensor {
  checkMatrices("linalg.eigvalsh", a, true);
  return unpackEigh(applyPrimitive("linalgEigh", [a], { upper: uplo("linalg.eigvalsh", opts.UPLO) }))[0];
}

/**
 * The singular value decomposition A = U·diag(S)·Vh of each matrix `[*, m, n]`: `[U, S, Vh]` (also `.U`, `.S`,
 * `.Vh`), S descending. With `fullMatrices` (the default, as PyTorch) U is `[*, m, m]` and Vh `[*, n, n]`, else
 * `[*, m, k]` and `[*, k, n]`, k = min(m, n). Singular vectors are defined up to sign; their gradient is finite for
 * distinct singular values (and, for a rectangular A, non-zero ones).
 * @example const [U, S, Vh] = cr.linalg.svd(a, { fullMatrices: false })
 */
export function svd(a: Tensor, opts: { fullMatrices?: boolean } = {}): Named<[Tensor, Tensor, Tensor], "U" | "S" | "Vh"> {
  checkMatrices("linalg.svd", a, false);
  const fullMatrices = opts.fullMatrices ?? true;
  const [u, s, vh] = unpackSvd(applyPrimitive("linalgSvd", [a], { fullMatrices }), a.shape, fullMatrices);
  return named([u, s, vh], ["U", "S", "Vh"]);
}

/**
 * The singular values of each matrix, descending (PyTorch's `linalg.svdvals`); their gradient is U·diag(g)·Vh.
 * @example cr.linalg.svdvals(cr.tensor([[3, 0], [0, -4]])) // [4, 3]
 */
export function svdvals(a: Tensor): Tensor {
  checkMatrices("linalg.svdvals", a, false);
  return unpackSvd(applyPrimitive("linalgSvd", [a], { fullMatrices: false }), a.shape, false)[1];
}
