// The linear-algebra kernels over batches of matrices `[*, m, n]` in host memory: each matrix widened to double,
// run through kernels.ts, and the results (several packed into one buffer where an op has several) written back
// in the input's dtype. The cpu backend runs these on its arrays (wasm on its heap's); other backends reach them
// through `onHost` (fallbacks.ts).
import type { ComputeDType as DType, TypedArray } from "../../dtype.js";
import { allocArray } from "../../dtype.js";
import { LinAlgError } from "../../errors.js";
import type { Shape } from "../../shape.js";
import { cholesky, householderQr, jacobiEigh, jacobiSvdTall, luInPlace, luSolve, triangularSolve } from "./kernels.js";

/** A batch of matrices: the count and each one's rows and columns. */
function dims(shape: Shape): { batch: number; rows: number; cols: number } {
  const rows = shape[shape.length - 2]!, cols = shape[shape.length - 1]!;
  const batch = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return { batch, rows, cols };
}

/** Matrix `i` of a batch as doubles. */
function matrix(x: TypedArray, i: number, size: number): Float64Array {
  return Float64Array.from(x.subarray(i * size, (i + 1) * size));
}

/** PyTorch's prefix for an error in one matrix of a batch. */
const where = (batched: boolean, i: number) => (batched ? `(Batch element ${i}): ` : "");

function singular(op: string, batched: boolean, i: number, info: number): LinAlgError {
  return new LinAlgError(`${op}: ${where(batched, i)}The solver failed because the input matrix is singular.`, batched ? i : null, info);
}

function notConverged(op: string, batched: boolean, i: number, what: string): LinAlgError {
  return new LinAlgError(`${op}: ${where(batched, i)}The algorithm failed to converge because the input matrix is ill-conditioned or has too many repeated ${what}.`, batched ? i : null);
}

/** X solving A X = B for each A `[*, n, n]` and B `[*, n, k]` (same batch); a singular A throws unless `check` is false. */
export function solve(a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, check: boolean, dtype: DType): TypedArray {
  const { batch, rows: n } = dims(aShape);
  const k = bShape[bShape.length - 1]!;
  const out = allocArray(dtype, batch * n * k);
  const perm = new Int32Array(n), x = new Float64Array(n * k);
  for (let i = 0; i < batch; i++) {
    const lu = matrix(a, i, n * n);
    const { info } = luInPlace(lu, n, perm);
    if (info > 0 && check) throw singular("linalg.solve", aShape.length > 2, i, info);
    luSolve(lu, n, perm, matrix(b, i, n * k), k, x);
    out.set(x, i * n * k);
  }
  return out;
}

/** X solving A X = B for triangular A `[*, n, n]` (`upper` or lower triangle read; `unit`: its diagonal taken as ones). */
export function solveTriangular(a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, upper: boolean, unit: boolean, dtype: DType): TypedArray {
  const { batch, rows: n } = dims(aShape);
  const k = bShape[bShape.length - 1]!;
  const out = allocArray(dtype, batch * n * k);
  const x = new Float64Array(n * k);
  for (let i = 0; i < batch; i++) {
    triangularSolve(matrix(a, i, n * n), n, matrix(b, i, n * k), k, upper, unit, x);
    out.set(x, i * n * k);
  }
  return out;
}

/** Each matrix's determinant `[*]`, or with `log` its sign and log |det| `[*, 2]`, from its LU. */
export function determinant(a: TypedArray, shape: Shape, log: boolean, dtype: DType): TypedArray {
  const { batch, rows: n } = dims(shape);
  const out = allocArray(dtype, batch * (log ? 2 : 1));
  const perm = new Int32Array(n);
  for (let i = 0; i < batch; i++) {
    const lu = matrix(a, i, n * n);
    const { sign } = luInPlace(lu, n, perm);
    let det = sign, s = sign, logAbs = 0;
    for (let j = 0; j < n; j++) {
      const d = lu[j * n + j]!;
      det *= d;
      s *= Math.sign(d);
      logAbs += Math.log(Math.abs(d));
    }
    if (log) {
      out[2 * i] = Number.isNaN(logAbs) ? NaN : s;
      out[2 * i + 1] = logAbs;
    } else out[i] = det;
  }
  return out;
}

/** The lower Cholesky factor of each matrix (its lower triangle read); one that is not positive-definite throws. */
export function choleskyBatched(a: TypedArray, shape: Shape, dtype: DType): TypedArray {
  const { batch, rows: n } = dims(shape);
  const out = allocArray(dtype, batch * n * n);
  const l = new Float64Array(n * n);
  for (let i = 0; i < batch; i++) {
    const info = cholesky(matrix(a, i, n * n), n, l);
    if (info > 0) {
      const batched = shape.length > 2;
      throw new LinAlgError(
        `linalg.cholesky: ${where(batched, i)}The factorization could not be completed because the input is not positive-definite (the leading minor of order ${info} is not positive-definite).`,
        batched ? i : null, info,
      );
    }
    out.set(l, i * n * n);
  }
  return out;
}

/** Q `[m, q]` then R `[q, n]` of each matrix, packed: q = min(m, n), or m with `complete`. */
export function qr(a: TypedArray, shape: Shape, complete: boolean, dtype: DType): TypedArray {
  const { batch, rows: m, cols: n } = dims(shape);
  const q = complete ? m : Math.min(m, n);
  const per = m * q + q * n;
  const out = allocArray(dtype, batch * per);
  const qm = new Float64Array(m * q), r = new Float64Array(q * n);
  for (let i = 0; i < batch; i++) {
    householderQr(matrix(a, i, m * n), m, n, q, qm, r);
    out.set(qm, i * per);
    out.set(r, i * per + m * q);
  }
  return out;
}

/** Each symmetric matrix's eigenvalues (ascending) then its eigenvectors as columns, packed `[n + 1, n]` (the `upper` or lower triangle read). */
export function eigh(a: TypedArray, shape: Shape, upper: boolean, dtype: DType): TypedArray {
  const { batch, rows: n } = dims(shape);
  const out = allocArray(dtype, batch * (n + 1) * n);
  const values = new Float64Array(n), vectors = new Float64Array(n * n);
  for (let i = 0; i < batch; i++) {
    const m = matrix(a, i, n * n);
    // The chosen triangle mirrored onto the other.
    for (let r = 0; r < n; r++) for (let c = 0; c < r; c++) {
      if (upper) m[r * n + c] = m[c * n + r]!;
      else m[c * n + r] = m[r * n + c]!;
    }
    if (!m.every(Number.isFinite) || !jacobiEigh(m, n, values, vectors)) throw notConverged("linalg.eigh", shape.length > 2, i, "eigenvalues");
    out.set(values, i * (n + 1) * n);
    out.set(vectors, i * (n + 1) * n + n);
  }
  return out;
}

/**
 * Each matrix's U `[m, p]`, S `[k]` (descending) and Vh `[q, n]`, packed: p = q = k = min(m, n), or with `full`
 * p = m and q = n.
 */
export function svd(a: TypedArray, shape: Shape, full: boolean, dtype: DType): TypedArray {
  const { batch, rows: m, cols: n } = dims(shape);
  const k = Math.min(m, n), p = full ? m : k, q = full ? n : k;
  const per = m * p + k + q * n;
  const out = allocArray(dtype, batch * per);
  for (let i = 0; i < batch; i++) {
    const x = matrix(a, i, m * n);
    if (!x.every(Number.isFinite)) throw notConverged("linalg.svd", shape.length > 2, i, "singular values");
    const base = i * per;
    const s = new Float64Array(k);
    if (m >= n) {
      // A = U S Vᵀ directly: U [m, p], V [n, n].
      const u = new Float64Array(m * p), v = new Float64Array(n * n);
      if (!jacobiSvdTall(x, m, n, p, u, s, v)) throw notConverged("linalg.svd", shape.length > 2, i, "singular values");
      out.set(u, base);
      for (let r = 0; r < q; r++) for (let c = 0; c < n; c++) out[base + m * p + k + r * n + c] = v[c * n + r]!;
    } else {
      // Aᵀ = U' S V'ᵀ, so A = V' S U'ᵀ: U = V' [m, m], Vh = U'ᵀ.
      const t = new Float64Array(n * m);
      for (let r = 0; r < m; r++) for (let c = 0; c < n; c++) t[c * m + r] = x[r * n + c]!;
      const u2 = new Float64Array(n * q), v2 = new Float64Array(m * m);
      if (!jacobiSvdTall(t, n, m, q, u2, s, v2)) throw notConverged("linalg.svd", shape.length > 2, i, "singular values");
      out.set(v2, base);
      for (let r = 0; r < q; r++) for (let c = 0; c < n; c++) out[base + m * p + k + r * n + c] = u2[c * q + r]!;
    }
    out.set(s, base + m * p);
  }
  return out;
}
