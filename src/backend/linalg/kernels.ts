// Dense linear algebra on one row-major matrix of doubles at a time: LU with partial pivoting, substitution,
// Cholesky, Householder QR (LAPACK's reflector and sign conventions), Jacobi eigenvalues of a symmetric matrix and
// one-sided Jacobi SVD. The batched drivers (batched.ts) call these for each matrix of a batch; float32 tensors are
// widened to double first, so every algorithm here runs in float64.

/**
 * LU factorisation PA = LU in place (L's unit diagonal implied), the row of largest magnitude pivoting each column
 * (the first of ties, as LAPACK's getrf). `perm[i]` is the row of A that became row i. Returns the 1-based column of
 * the first exactly zero pivot (0 if none: LAPACK's info; the factorisation goes on past it) and the permutation's sign.
 */
export function luInPlace(a: Float64Array, n: number, perm: Int32Array): { info: number; sign: number } {
  let info = 0, sign = 1;
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let k = 0; k < n; k++) {
    let p = k, best = Math.abs(a[k * n + k]!);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(a[i * n + k]!);
      if (v > best) [best, p] = [v, i];
    }
    if (p !== k) {
      for (let j = 0; j < n; j++) [a[k * n + j], a[p * n + j]] = [a[p * n + j]!, a[k * n + j]!];
      [perm[k], perm[p]] = [perm[p]!, perm[k]!];
      sign = -sign;
    }
    const pivot = a[k * n + k]!;
    if (pivot === 0) {
      if (info === 0) info = k + 1;
      continue;
    }
    for (let i = k + 1; i < n; i++) {
      const f = (a[i * n + k]! /= pivot);
      if (f === 0) continue;
      for (let j = k + 1; j < n; j++) a[i * n + j]! -= f * a[k * n + j]!;
    }
  }
  return { info, sign };
}

/** Solves A X = B from A's LU (luInPlace), B `n×k` row-major, into `x` (`n×k`): permute, then forward and back substitution. */
export function luSolve(lu: Float64Array, n: number, perm: Int32Array, b: Float64Array, k: number, x: Float64Array): void {
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) x[i * k + c] = b[perm[i]! * k + c]!;
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const f = lu[i * n + j]!;
      if (f !== 0) for (let c = 0; c < k; c++) x[i * k + c]! -= f * x[j * k + c]!;
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let j = i + 1; j < n; j++) {
      const f = lu[i * n + j]!;
      if (f !== 0) for (let c = 0; c < k; c++) x[i * k + c]! -= f * x[j * k + c]!;
    }
    const d = lu[i * n + i]!;
    for (let c = 0; c < k; c++) x[i * k + c]! /= d;
  }
}

/**
 * Solves A X = B for triangular A (`upper`, or lower; a unit diagonal assumed with `unit`), B `n×k`, into `x`.
 * A zero on the diagonal gives infinities or NaN, as PyTorch's solve_triangular (no check).
 */
export function triangularSolve(a: Float64Array, n: number, b: Float64Array, k: number, upper: boolean, unit: boolean, x: Float64Array): void {
  x.set(b.subarray(0, n * k));
  for (let s = 0; s < n; s++) {
    const i = upper ? n - 1 - s : s;
    const from = upper ? i + 1 : 0, to = upper ? n : i;
    for (let j = from; j < to; j++) {
      const f = a[i * n + j]!;
      if (f !== 0) for (let c = 0; c < k; c++) x[i * k + c]! -= f * x[j * k + c]!;
    }
    if (!unit) {
      const d = a[i * n + i]!;
      for (let c = 0; c < k; c++) x[i * k + c]! /= d;
    }
  }
}

/**
 * The lower Cholesky factor L (A = L Lᵀ) from A's lower triangle, into `l` (upper part zero). Returns 0, or the
 * order of the first leading minor that is not positive-definite (LAPACK's potrf info).
 */
export function cholesky(a: Float64Array, n: number, l: Float64Array): number {
  l.fill(0, 0, n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= l[j * n + k]! * l[j * n + k]!;
    if (!(d > 0)) return j + 1;
    const root = Math.sqrt(d);
    l[j * n + j] = root;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = s / root;
    }
  }
  return 0;
}

/**
 * Householder QR of the `m×n` matrix `a` (overwritten): Q `m×q` into `qOut` and R `q×n` into `rOut`, q = min(m, n)
 * (reduced) or m (complete). Reflectors as LAPACK's dlarfg: β = −sign(α)·‖(α, x)‖, none where x is already 0, so
 * R's diagonal has LAPACK's signs.
 */
export function householderQr(a: Float64Array, m: number, n: number, q: number, qOut: Float64Array, rOut: Float64Array): void {
  const k = Math.min(m, n);
  const tau = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const alpha = a[j * n + j]!;
    let xnorm = 0;
    for (let i = j + 1; i < m; i++) xnorm = Math.hypot(xnorm, a[i * n + j]!);
    if (xnorm === 0) continue; // H = I
    const beta = -(alpha >= 0 ? 1 : -1) * Math.hypot(alpha, xnorm);
    tau[j] = (beta - alpha) / beta;
    const scale = 1 / (alpha - beta);
    for (let i = j + 1; i < m; i++) a[i * n + j]! *= scale;
    a[j * n + j] = beta;
    // Apply H = I − τ v vᵀ (v = [1, a[j+1.., j]]) to the columns right of j.
    for (let c = j + 1; c < n; c++) {
      let dot = a[j * n + c]!;
      for (let i = j + 1; i < m; i++) dot += a[i * n + j]! * a[i * n + c]!;
      const f = tau[j]! * dot;
      a[j * n + c]! -= f;
      for (let i = j + 1; i < m; i++) a[i * n + c]! -= f * a[i * n + j]!;
    }
  }
  rOut.fill(0, 0, q * n);
  for (let i = 0; i < Math.min(q, m); i++) for (let c = i; c < n; c++) rOut[i * n + c] = a[i * n + c]!;
  // Q = H_0 H_1 … H_{k−1} applied to the first q columns of the identity, the last reflector first.
  qOut.fill(0, 0, m * q);
  for (let i = 0; i < Math.min(m, q); i++) qOut[i * q + i] = 1;
  for (let j = k - 1; j >= 0; j--) {
    if (tau[j] === 0) continue;
    for (let c = 0; c < q; c++) {
      let dot = qOut[j * q + c]!;
      for (let i = j + 1; i < m; i++) dot += a[i * n + j]! * qOut[i * q + c]!;
      const f = tau[j]! * dot;
      qOut[j * q + c]! -= f;
      for (let i = j + 1; i < m; i++) qOut[i * q + c]! -= f * a[i * n + j]!;
    }
  }
}

const MAX_SWEEPS = 100;

/**
 * Eigenvalues (ascending, into `values`) and eigenvectors (the columns of `vectors`, `n×n`) of the symmetric `n×n`
 * matrix `a` (overwritten; both triangles must hold it), by cyclic Jacobi rotations. Returns false if the rotations
 * did not converge.
 */
export function jacobiEigh(a: Float64Array, n: number, values: Float64Array, vectors: Float64Array): boolean {
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  // The off-diagonal's and the whole matrix's squared Frobenius norms.
  const norms = () => {
    let off = 0, total = 0;
    for (let p = 0; p < n; p++) {
      for (let q = 0; q < n; q++) {
        const x = a[p * n + q]! * a[p * n + q]!;
        total += x;
        if (p !== q) off += x;
      }
    }
    return { off, total };
  };
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    // Done when the rotations have zeroed the off-diagonal, or left only rounding (far below 1e-16 relative).
    const { off, total } = norms();
    if (off === 0 || off <= total * 1e-34 || !Number.isFinite(total)) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (apq === 0) continue;
        const app = a[p * n + p]!, aqq = a[q * n + q]!;
        // Negligible against both diagonal entries: zero it without a rotation.
        if (sweep > 3 && Math.abs(app) + 100 * Math.abs(apq) === Math.abs(app) && Math.abs(aqq) + 100 * Math.abs(apq) === Math.abs(aqq)) {
          a[p * n + q] = a[q * n + p] = 0;
          continue;
        }
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!, akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!, aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        a[p * n + q] = a[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!, vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const { off, total } = norms();
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[x * n + x]! - a[y * n + y]!);
  order.forEach((from, to) => {
    values[to] = a[from * n + from]!;
    for (let k = 0; k < n; k++) vectors[k * n + to] = v[k * n + from]!;
  });
  return off <= total * 1e-24;
}

/**
 * Extends the first `have` orthonormal columns of the `m×cols` matrix `u` to `cols` orthonormal columns: each new
 * one a unit vector orthogonalised (twice, for accuracy) against those before.
 */
function completeBasis(u: Float64Array, m: number, cols: number, have: number): void {
  let next = have;
  for (let e = 0; e < m && next < cols; e++) {
    const w = new Float64Array(m);
    w[e] = 1;
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < next; j++) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += u[i * cols + j]! * w[i]!;
        for (let i = 0; i < m; i++) w[i]! -= dot * u[i * cols + j]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm = Math.hypot(norm, w[i]!);
    if (norm < 1e-8) continue; // e lies in the span already
    for (let i = 0; i < m; i++) u[i * cols + next] = w[i]! / norm;
    next++;
  }
}

/**
 * SVD of the `m×n` matrix `a` with m ≥ n by one-sided Jacobi rotations of its columns: U `m×p` (p = n, or m for the
 * full basis), S (n, descending), V `n×n` (columns; not transposed). Returns false if the rotations did not converge.
 */
export function jacobiSvdTall(a: Float64Array, m: number, n: number, p: number, u: Float64Array, s: Float64Array, vOut: Float64Array): boolean {
  const w = Float64Array.from(a.subarray(0, m * n));
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  // A column whose norm is this small against the matrix's is zero up to rounding: it needs no rotation.
  let frob = 0;
  for (let i = 0; i < m * n; i++) frob += w[i]! * w[i]!;
  const negligible = frob * 1e-30;
  let converged = n <= 1;
  for (let sweep = 0; sweep < MAX_SWEEPS && !converged; sweep++) {
    converged = true;
    for (let i = 0; i < n - 1; i++) {
      for (let j = i + 1; j < n; j++) {
        let alpha = 0, beta = 0, gamma = 0;
        for (let k = 0; k < m; k++) {
          const x = w[k * n + i]!, y = w[k * n + j]!;
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta) || Math.min(alpha, beta) <= negligible) continue;
        converged = false;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t), sn = c * t;
        for (let k = 0; k < m; k++) {
          const x = w[k * n + i]!, y = w[k * n + j]!;
          w[k * n + i] = c * x - sn * y;
          w[k * n + j] = sn * x + c * y;
        }
        for (let k = 0; k < n; k++) {
          const x = v[k * n + i]!, y = v[k * n + j]!;
          v[k * n + i] = c * x - sn * y;
          v[k * n + j] = sn * x + c * y;
        }
      }
    }
  }
  const norms = Array.from({ length: n }, (_, j) => {
    let r = 0;
    for (let k = 0; k < m; k++) r = Math.hypot(r, w[k * n + j]!);
    return r;
  });
  const order = Array.from({ length: n }, (_, j) => j).sort((x, y) => norms[y]! - norms[x]!);
  u.fill(0, 0, m * p);
  let rank = 0;
  order.forEach((from, to) => {
    s[to] = norms[from]!;
    for (let k = 0; k < n; k++) vOut[k * n + to] = v[k * n + from]!;
    // A column the rotations left at rounding level has no direction of its own: U's column comes from the completion.
    if (norms[from]! * norms[from]! > negligible) {
      for (let k = 0; k < m; k++) u[k * p + to] = w[k * n + from]! / norms[from]!;
      rank = to + 1;
    }
  });
  // Columns of U for zero singular values, and the full basis's extra columns: any orthonormal completion.
  if (rank < p) {
    // Zero columns left between the kept ones would break the completion's order; they are all at the end (sorted).
    completeBasis(u, m, p, rank);
  }
  return converged;
}
