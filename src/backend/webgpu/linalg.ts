// Dense linear algebra on the GPU for batches of small matrices, the common case (a thread per matrix, working in
// its own slice of a scratch buffer): LU with partial pivoting (solve, det, slogdet), substitution, Cholesky,
// Householder QR, Jacobi eigenvalues and one-sided Jacobi SVD, the algorithms of ../linalg/kernels.ts in float32.
// Errors a matrix raises (singular, not positive-definite, not converging) cannot throw from a kernel: each is
// flagged, and the next read throws the cpu's LinAlgError, as CUDA reports a device-side error at the next
// synchronisation. Convergence tests are float32's: rotations stop at float32's rounding, not float64's.
import { LinAlgError } from "../../errors.js";
import { wgslHelpersFor } from "../../ops/wgsl-math.js";
import type { Shape } from "../../shape.js";
import type { TensorData } from "../backend.js";
import { ERR_DECL, FLAG } from "./indexing.js";
import { blockOfT, paramDecl, THREAD_MAIN, words } from "./kernel-util.js";
import { newBuf, takeBlock } from "./memory.js";
import type { GpuBuf } from "./memory.js";
import type { Binding } from "./queue.js";
import { dispatch, errorCheckOf, groupsFor, pipelineFor, releaseScratch } from "./queue.js";

function dims(shape: Shape): { batch: number; rows: number; cols: number } {
  const rows = shape[shape.length - 2]!, cols = shape[shape.length - 1]!;
  return { batch: shape.slice(0, -2).reduce((a, b) => a * b, 1), rows, cols };
}

// The cpu's messages (../linalg/batched.ts), for the batch element and LAPACK's info a kernel flags.
const where = (batched: boolean, i: number) => (batched ? `(Batch element ${i}): ` : "");
const singular = (op: string, batched: boolean) => (v: number, n: number) => {
  const i = Math.floor(v / (n + 1));
  return new LinAlgError(`${op}: ${where(batched, i)}The solver failed because the input matrix is singular.`, batched ? i : null, v % (n + 1));
};
const notPositiveDefinite = (batched: boolean) => (v: number, n: number) => {
  const i = Math.floor(v / (n + 1)), info = v % (n + 1);
  return new LinAlgError(
    `linalg.cholesky: ${where(batched, i)}The factorization could not be completed because the input is not positive-definite (the leading minor of order ${info} is not positive-definite).`,
    batched ? i : null, info,
  );
};
const notConverged = (op: string, batched: boolean, what: string) => (i: number) =>
  new LinAlgError(`${op}: ${where(batched, i)}The algorithm failed to converge because the input matrix is ill-conditioned or has too many repeated ${what}.`, batched ? i : null);

// Helpers every kernel may call: `wk` is the scratch buffer, matrices in it row-major at a base offset.
const LU = `
// PA = LU in place at wk[lb..] (n×n), the permutation at wk[pb..] as row numbers; returns (info, sign).
fn lu(lb: u32, pb: u32, n: u32) -> vec2f {
  var info = 0u;
  var sgn = 1.0;
  for (var i = 0u; i < n; i++) { wk[pb + i] = f32(i); }
  for (var k = 0u; k < n; k++) {
    var p = k;
    var best = abs(wk[lb + k * n + k]);
    for (var i = k + 1u; i < n; i++) { let v = abs(wk[lb + i * n + k]); if (v > best) { best = v; p = i; } }
    if (p != k) {
      for (var j = 0u; j < n; j++) { let t = wk[lb + k * n + j]; wk[lb + k * n + j] = wk[lb + p * n + j]; wk[lb + p * n + j] = t; }
      let t = wk[pb + k]; wk[pb + k] = wk[pb + p]; wk[pb + p] = t;
      sgn = -sgn;
    }
    let pivot = wk[lb + k * n + k];
    if (pivot == 0.0) { if (info == 0u) { info = k + 1u; } continue; }
    for (var i = k + 1u; i < n; i++) {
      let f = wk[lb + i * n + k] / pivot;
      wk[lb + i * n + k] = f;
      if (f == 0.0) { continue; }
      for (var j = k + 1u; j < n; j++) { wk[lb + i * n + j] -= f * wk[lb + k * n + j]; }
    }
  }
  return vec2f(f32(info), sgn);
}`;

/** One kernel's run: its inputs, output size, scratch words (none: no scratch binding), parameters and check. */
function run(body: string, inputs: TensorData[], outSize: number, scratchWords: number, params: number[], batch: number, check: { words: Binding } | null = null): GpuBuf {
  const out = newBuf("float32", outSize);
  if (batch === 0 || outSize === 0) return out;
  const scratch = scratchWords > 0 ? takeBlock(scratchWords * 4) : null;
  const bindings: Binding[] = [...inputs.map(blockOfT), out.block!, ...(scratch !== null ? [scratch] : []), ...(check !== null ? [check.words] : [])];
  let at = inputs.length + 1;
  const decls = [
    ...inputs.map((_, k) => `@group(0) @binding(${k}) var<storage, read> ${String.fromCharCode(97 + k)}: array<f32>;`),
    `@group(0) @binding(${inputs.length}) var<storage, read_write> out: array<f32>;`,
    ...(scratch !== null ? [`@group(0) @binding(${at++}) var<storage, read_write> wk: array<f32>;`] : []),
    ...(check !== null ? [ERR_DECL(at++), FLAG] : []),
    paramDecl(at, params.length + 1),
  ].join("\n");
  const code = [decls, body].join("\n");
  dispatch(pipelineFor([...wgslHelpersFor(code), code].join("\n")), bindings, words([batch, ...params]), groupsFor(batch));
  if (scratch !== null) releaseScratch(scratch);
  return out;
}

/** X solving A X = B by LU with partial pivoting; a singular A is flagged when `check` is set. */
export function linalgSolveGpu(a: TensorData, b: TensorData, check: boolean): GpuBuf {
  const { batch, rows: n } = dims(a.shape);
  const k = b.shape[b.shape.length - 1]!;
  const id = errorCheckOf((v) => singular("linalg.solve", a.shape.length > 2)(v, n));
  const body = `${LU}
${THREAD_MAIN}
  if (i >= u(0u)) { return; }
  let n = u(1u); let k = u(2u);
  let lb = i * (n * n + n); let pb = lb + n * n;
  for (var x = 0u; x < n * n; x++) { wk[lb + x] = a[i * n * n + x]; }
  let r = lu(lb, pb, n);
  if (r.x > 0.0 && u(3u) != 0u) { flag(u(4u), i32(i * (n + 1u) + u32(r.x))); }
  let ob = i * n * k;
  for (var row = 0u; row < n; row++) { for (var c = 0u; c < k; c++) { out[ob + row * k + c] = b[ob + u32(wk[pb + row]) * k + c]; } }
  for (var row = 1u; row < n; row++) {
    for (var j = 0u; j < row; j++) {
      let f = wk[lb + row * n + j];
      if (f != 0.0) { for (var c = 0u; c < k; c++) { out[ob + row * k + c] -= f * out[ob + j * k + c]; } }
    }
  }
  for (var s0 = 0u; s0 < n; s0++) {
    let row = n - 1u - s0;
    for (var j = row + 1u; j < n; j++) {
      let f = wk[lb + row * n + j];
      if (f != 0.0) { for (var c = 0u; c < k; c++) { out[ob + row * k + c] -= f * out[ob + j * k + c]; } }
    }
    let d = wk[lb + row * n + row];
    for (var c = 0u; c < k; c++) { out[ob + row * k + c] = out[ob + row * k + c] / d; }
  }
}`;
  return run(body, [a, b], batch * n * k, batch * (n * n + n), [n, k, Number(check), id.id], batch, id);
}

/** X solving A X = B by substitution, A triangular (`upper` or lower read; ones on its diagonal with `unit`). */
export function linalgSolveTriangularGpu(a: TensorData, b: TensorData, upper: boolean, unit: boolean): GpuBuf {
  const { batch, rows: n } = dims(a.shape);
  const k = b.shape[b.shape.length - 1]!;
  const body = `${THREAD_MAIN}
  if (i >= u(0u)) { return; }
  let n = u(1u); let k = u(2u); let upper = u(3u) != 0u; let unit = u(4u) != 0u;
  let ab = i * n * n; let ob = i * n * k;
  for (var x = 0u; x < n * k; x++) { out[ob + x] = b[ob + x]; }
  for (var s0 = 0u; s0 < n; s0++) {
    let row = select(s0, n - 1u - s0, upper);
    let lo = select(0u, row + 1u, upper); let hi = select(row, n, upper);
    for (var j = lo; j < hi; j++) {
      let f = a[ab + row * n + j];
      if (f != 0.0) { for (var c = 0u; c < k; c++) { out[ob + row * k + c] -= f * out[ob + j * k + c]; } }
    }
    if (!unit) {
      let d = a[ab + row * n + row];
      for (var c = 0u; c < k; c++) { out[ob + row * k + c] = out[ob + row * k + c] / d; }
    }
  }
}`;
  return run(body, [a, b], batch * n * k, 0, [n, k, Number(upper), Number(unit)], batch);
}

/** Each matrix's determinant `[*]`, or with `log` its sign and log |det| `[*, 2]`, from its LU. */
export function linalgDeterminantGpu(a: TensorData, log: boolean): GpuBuf {
  const { batch, rows: n } = dims(a.shape);
  const body = `${LU}
${THREAD_MAIN}
  if (i >= u(0u)) { return; }
  let n = u(1u);
  let lb = i * (n * n + n); let pb = lb + n * n;
  for (var x = 0u; x < n * n; x++) { wk[lb + x] = a[i * n * n + x]; }
  let r = lu(lb, pb, n);
  var det = r.y; var sg = r.y; var logAbs = 0.0;
  for (var j = 0u; j < n; j++) {
    let d = wk[lb + j * n + j];
    det = det * d;
    sg = sg * sign(d);
    logAbs += cr_log(abs(d));
  }
  ${log ? "out[2u * i] = select(sg, logAbs, cr_isnan(logAbs));\n  out[2u * i + 1u] = logAbs;" : "out[i] = det;"}
}`;
  return run(body, [a], batch * (log ? 2 : 1), batch * (n * n + n), [n], batch);
}

/** The lower Cholesky factor of each matrix (its lower triangle read); one not positive-definite is flagged. */
export function linalgCholeskyGpu(a: TensorData): GpuBuf {
  const { batch, rows: n } = dims(a.shape);
  const check = errorCheckOf((v) => notPositiveDefinite(a.shape.length > 2)(v, n));
  const body = `${THREAD_MAIN}
  if (i >= u(0u)) { return; }
  let n = u(1u);
  let b0 = i * n * n;
  for (var x = 0u; x < n * n; x++) { out[b0 + x] = 0.0; }
  for (var j = 0u; j < n; j++) {
    var d = a[b0 + j * n + j];
    for (var q = 0u; q < j; q++) { d -= out[b0 + j * n + q] * out[b0 + j * n + q]; }
    if (!(d > 0.0) || cr_isnan(d)) { flag(u(2u), i32(i * (n + 1u) + j + 1u)); return; }
    let root = sqrt(d);
    out[b0 + j * n + j] = root;
    for (var r = j + 1u; r < n; r++) {
      var t = a[b0 + r * n + j];
      for (var q = 0u; q < j; q++) { t -= out[b0 + r * n + q] * out[b0 + j * n + q]; }
      out[b0 + r * n + j] = t / root;
    }
  }
}`;
  return run(body, [a], batch * n * n, 0, [n, check.id], batch, check);
}

/** Householder QR with LAPACK's signs: Q `[m, q]` then R `[q, n]` packed per matrix, q = min(m, n) or m (`complete`). */
export function linalgQrGpu(a: TensorData, complete: boolean): GpuBuf {
  const { batch, rows: m, cols: n } = dims(a.shape);
  const q = complete ? m : Math.min(m, n);
  const per = m * q + q * n;
  const body = `${THREAD_MAIN}
  if (i >= u(0u)) { return; }
  let m = u(1u); let n = u(2u); let q = u(3u); let kk = min(m, n);
  let wb = i * (m * n + kk); let tb = wb + m * n;
  for (var x = 0u; x < m * n; x++) { wk[wb + x] = a[i * m * n + x]; }
  for (var j = 0u; j < kk; j++) {
    wk[tb + j] = 0.0;
    let alpha = wk[wb + j * n + j];
    var xnorm = 0.0;
    for (var r = j + 1u; r < m; r++) { xnorm = cr_hypot(xnorm, wk[wb + r * n + j]); }
    if (xnorm == 0.0) { continue; }
    let beta = -select(-1.0, 1.0, alpha >= 0.0) * cr_hypot(alpha, xnorm);
    wk[tb + j] = (beta - alpha) / beta;
    let sc = 1.0 / (alpha - beta);
    for (var r = j + 1u; r < m; r++) { wk[wb + r * n + j] *= sc; }
    wk[wb + j * n + j] = beta;
    for (var c = j + 1u; c < n; c++) {
      var dot = wk[wb + j * n + c];
      for (var r = j + 1u; r < m; r++) { dot += wk[wb + r * n + j] * wk[wb + r * n + c]; }
      let f = wk[tb + j] * dot;
      wk[wb + j * n + c] -= f;
      for (var r = j + 1u; r < m; r++) { wk[wb + r * n + c] -= f * wk[wb + r * n + j]; }
    }
  }
  let qb = i * (m * q + q * n); let rb = qb + m * q;
  for (var x = 0u; x < q * n; x++) { out[rb + x] = 0.0; }
  for (var r = 0u; r < min(q, m); r++) { for (var c = r; c < n; c++) { out[rb + r * n + c] = wk[wb + r * n + c]; } }
  for (var x = 0u; x < m * q; x++) { out[qb + x] = 0.0; }
  for (var r = 0u; r < min(m, q); r++) { out[qb + r * q + r] = 1.0; }
  for (var s0 = 0u; s0 < kk; s0++) {
    let j = kk - 1u - s0;
    let tau = wk[tb + j];
    if (tau == 0.0) { continue; }
    for (var c = 0u; c < q; c++) {
      var dot = out[qb + j * q + c];
      for (var r = j + 1u; r < m; r++) { dot += wk[wb + r * n + j] * out[qb + r * q + c]; }
      let f = tau * dot;
      out[qb + j * q + c] -= f;
      for (var r = j + 1u; r < m; r++) { out[qb + r * q + c] -= f * wk[wb + r * n + j]; }
    }
  }
}`;
  return run(body, [a], batch * per, batch * (m * n + Math.min(m, n)), [m, n, q], batch);
}

// Cyclic Jacobi on the symmetric n×n matrix at wk[ab..], rotations accumulated in wk[vb..]; returns whether the
// off-diagonal fell to float32's rounding. Squared Frobenius norms: (off-diagonal, whole).
// A Jacobi rotation's update of two columns, i and j, of the rows×n matrix at `at` in the scratch: the eigh and SVD
// sweeps rotate their working matrix and the accumulated eigen/singular vectors this way.
const ROTATE_COLS = `
fn rotateCols(at: u32, rows: u32, n: u32, i: u32, j: u32, c: f32, s: f32) {
  for (var k = 0u; k < rows; k++) {
    let x = wk[at + k * n + i]; let y = wk[at + k * n + j];
    wk[at + k * n + i] = c * x - s * y;
    wk[at + k * n + j] = s * x + c * y;
  }
}`;

const JACOBI_EIGH = `${ROTATE_COLS}
fn eighNorms(ab: u32, n: u32) -> vec2f {
  var off = 0.0; var total = 0.0;
  for (var p = 0u; p < n; p++) { for (var q = 0u; q < n; q++) { let x = wk[ab + p * n + q] * wk[ab + p * n + q]; total += x; if (p != q) { off += x; } } }
  return vec2f(off, total);
}
fn jacobiEigh(ab: u32, vb: u32, n: u32) -> bool {
  for (var x = 0u; x < n * n; x++) { wk[vb + x] = 0.0; }
  for (var x = 0u; x < n; x++) { wk[vb + x * n + x] = 1.0; }
  for (var sweep = 0u; sweep < 100u; sweep++) {
    let nm = eighNorms(ab, n);
    if (nm.x == 0.0 || nm.x <= nm.y * 1e-12 || !cr_isfinite(nm.y)) { break; }
    for (var p = 0u; p + 1u < n; p++) {
      for (var q = p + 1u; q < n; q++) {
        let apq = wk[ab + p * n + q];
        if (apq == 0.0) { continue; }
        let app = wk[ab + p * n + p]; let aqq = wk[ab + q * n + q];
        if (sweep > 3u && abs(app) + 100.0 * abs(apq) == abs(app) && abs(aqq) + 100.0 * abs(apq) == abs(aqq)) {
          wk[ab + p * n + q] = 0.0; wk[ab + q * n + p] = 0.0;
          continue;
        }
        let theta = (aqq - app) / (2.0 * apq);
        let t = select(-1.0, 1.0, theta >= 0.0) / (abs(theta) + sqrt(theta * theta + 1.0));
        let c = 1.0 / sqrt(t * t + 1.0); let s = t * c;
        rotateCols(ab, n, n, p, q, c, s);
        for (var k = 0u; k < n; k++) {
          let apk = wk[ab + p * n + k]; let aqk = wk[ab + q * n + k];
          wk[ab + p * n + k] = c * apk - s * aqk;
          wk[ab + q * n + k] = s * apk + c * aqk;
        }
        wk[ab + p * n + q] = 0.0; wk[ab + q * n + p] = 0.0;
        rotateCols(vb, n, n, p, q, c, s);
      }
    }
  }
  let nm = eighNorms(ab, n);
  return nm.x <= nm.y * 1e-10;
}`;

/** Eigenvalues (ascending) then eigenvectors (columns) of each symmetric matrix, packed `[n + 1, n]`. */
export function linalgEighGpu(a: TensorData, upper: boolean): GpuBuf {
  const { batch, rows: n } = dims(a.shape);
  const check = errorCheckOf(notConverged("linalg.eigh", a.shape.length > 2, "eigenvalues"));
  const body = `${JACOBI_EIGH}
${THREAD_MAIN}
  if (i >= u(0u)) { return; }
  let n = u(1u); let upper = u(2u) != 0u;
  let ab = i * (2u * n * n + n); let vb = ab + n * n; let used = vb + n * n;
  var finite = true;
  for (var r = 0u; r < n; r++) {
    for (var c = 0u; c < n; c++) {
      // The chosen triangle, mirrored onto the other.
      let src = select(select(c * n + r, r * n + c, r >= c), select(r * n + c, c * n + r, r >= c), upper);
      let x = a[i * n * n + src];
      finite = finite && cr_isfinite(x);
      wk[ab + r * n + c] = x;
    }
  }
  if (!finite || !jacobiEigh(ab, vb, n)) { flag(u(3u), i32(i)); }
  // Ascending, ties in index order (a stable sort).
  let ob = i * (n + 1u) * n;
  for (var x = 0u; x < n; x++) { wk[used + x] = 0.0; }
  for (var to = 0u; to < n; to++) {
    var pick = n;
    for (var x = 0u; x < n; x++) {
      if (wk[used + x] != 0.0) { continue; }
      if (pick == n || wk[ab + x * n + x] < wk[ab + pick * n + pick]) { pick = x; }
    }
    wk[used + pick] = 1.0;
    out[ob + to] = wk[ab + pick * n + pick];
    for (var k = 0u; k < n; k++) { out[ob + n + k * n + to] = wk[vb + k * n + pick]; }
  }
}`;
  return run(body, [a], batch * (n + 1) * n, batch * (2 * n * n + n), [n, Number(upper), check.id], batch, check);
}

// One-sided Jacobi SVD of the M×N matrix (M ≥ N) at wk[wb..]: V (N×N) at wk[vb..], U (M×P) at wk[ub..], the
// singular values at wk[sb..] (descending), with N words at wk[nb..] and M at wk[eb..] to work in.
const JACOBI_SVD = `${ROTATE_COLS}
fn completeBasis(ub: u32, m: u32, cols: u32, have: u32, eb: u32) {
  var next = have;
  for (var e = 0u; e < m && next < cols; e++) {
    for (var x = 0u; x < m; x++) { wk[eb + x] = select(0.0, 1.0, x == e); }
    for (var twice = 0u; twice < 2u; twice++) {
      for (var j = 0u; j < next; j++) {
        var dot = 0.0;
        for (var x = 0u; x < m; x++) { dot += wk[ub + x * cols + j] * wk[eb + x]; }
        for (var x = 0u; x < m; x++) { wk[eb + x] -= dot * wk[ub + x * cols + j]; }
      }
    }
    var norm = 0.0;
    for (var x = 0u; x < m; x++) { norm = cr_hypot(norm, wk[eb + x]); }
    if (norm < 1e-3) { continue; }
    for (var x = 0u; x < m; x++) { wk[ub + x * cols + next] = wk[eb + x] / norm; }
    next++;
  }
}
fn svdTall(wb: u32, m: u32, n: u32, p: u32, vb: u32, ub: u32, sb: u32, nb: u32, eb: u32) -> bool {
  for (var x = 0u; x < n * n; x++) { wk[vb + x] = 0.0; }
  for (var x = 0u; x < n; x++) { wk[vb + x * n + x] = 1.0; }
  var frob = 0.0;
  for (var x = 0u; x < m * n; x++) { frob += wk[wb + x] * wk[wb + x]; }
  let negligible = frob * 1e-12;
  let tol = 2.4e-7 * f32(m);
  var converged = n <= 1u;
  for (var sweep = 0u; sweep < 100u && !converged; sweep++) {
    converged = true;
    for (var i = 0u; i + 1u < n; i++) {
      for (var j = i + 1u; j < n; j++) {
        var alpha = 0.0; var beta = 0.0; var gamma = 0.0;
        for (var k = 0u; k < m; k++) {
          let x = wk[wb + k * n + i]; let y = wk[wb + k * n + j];
          alpha += x * x; beta += y * y; gamma += x * y;
        }
        if (gamma == 0.0 || abs(gamma) <= tol * sqrt(alpha * beta) || min(alpha, beta) <= negligible) { continue; }
        converged = false;
        let zeta = (beta - alpha) / (2.0 * gamma);
        let t = select(-1.0, 1.0, zeta >= 0.0) / (abs(zeta) + sqrt(1.0 + zeta * zeta));
        let c = 1.0 / sqrt(1.0 + t * t); let sn = c * t;
        rotateCols(wb, m, n, i, j, c, sn);
        rotateCols(vb, n, n, i, j, c, sn);
      }
    }
  }
  for (var j = 0u; j < n; j++) {
    var r = 0.0;
    for (var k = 0u; k < m; k++) { r = cr_hypot(r, wk[wb + k * n + j]); }
    wk[nb + j] = r;
  }
  for (var x = 0u; x < m * p; x++) { wk[ub + x] = 0.0; }
  // Descending, ties in index order (a stable sort); a used column's norm is set to −1. The columns of V are
  // reordered into W's place (free once U is taken from it).
  var rank = 0u;
  for (var to = 0u; to < n; to++) {
    var pick = 0u; var best = -1.0;
    for (var x = 0u; x < n; x++) { if (wk[nb + x] > best) { best = wk[nb + x]; pick = x; } }
    wk[nb + pick] = -1.0;
    wk[sb + to] = best;
    if (best * best > negligible) {
      for (var k = 0u; k < m; k++) { wk[ub + k * p + to] = wk[wb + k * n + pick] / best; }
      rank = to + 1u;
    }
    // V's column 'pick' to column 'to' of the sorted V, kept in eb's words by column (n ≤ m).
    for (var k = 0u; k < n; k++) { wk[eb + to * n + k] = wk[vb + k * n + pick]; }
  }
  for (var to = 0u; to < n; to++) { for (var k = 0u; k < n; k++) { wk[vb + k * n + to] = wk[eb + to * n + k]; } }
  if (rank < p) { completeBasis(ub, m, p, rank, eb); }
  return converged;
}`;

/** U, S (descending) and Vh of each matrix, packed: p = q = k = min(m, n), or with `full` p = m and q = n. */
export function linalgSvdGpu(a: TensorData, full: boolean): GpuBuf {
  const { batch, rows: m, cols: n } = dims(a.shape);
  const k = Math.min(m, n), big = Math.max(m, n), p = full ? m : k, q = full ? n : k;
  const per = m * p + k + q * n;
  // Scratch per matrix: W (m·n), V (k·k), U (big·big at most), S (k), norms (k), and max(big, k·k) to work in.
  const scratch = m * n + k * k + big * big + 2 * k + Math.max(big, k * k);
  const check = errorCheckOf(notConverged("linalg.svd", a.shape.length > 2, "singular values"));
  const body = `${JACOBI_SVD}
${THREAD_MAIN}
  if (i >= u(0u)) { return; }
  let m = u(1u); let n = u(2u); let full = u(3u) != 0u;
  let k = min(m, n); let big = max(m, n);
  let p = select(k, m, full); let q = select(k, n, full);
  let wb = i * u(5u); let vb = wb + m * n; let ub = vb + k * k; let sb = ub + big * big; let nb = sb + k; let eb = nb + k;
  let ab = i * m * n;
  var finite = true;
  // Tall: W = A. Wide: W = Aᵀ (n×m), and A = V' S U'ᵀ.
  for (var r = 0u; r < m; r++) {
    for (var c = 0u; c < n; c++) {
      let x = a[ab + r * n + c];
      finite = finite && cr_isfinite(x);
      wk[wb + select(c * m + r, r * n + c, m >= n)] = x;
    }
  }
  let tall = m >= n;
  let cols = select(q, p, tall);
  let ok = svdTall(wb, big, k, cols, vb, ub, sb, nb, eb);
  if (!finite || !ok) { flag(u(4u), i32(i)); }
  let ob = i * (m * p + k + q * n);
  for (var x = 0u; x < k; x++) { out[ob + m * p + x] = wk[sb + x]; }
  let hb = ob + m * p + k;
  if (tall) {
    for (var x = 0u; x < m * p; x++) { out[ob + x] = wk[ub + x]; }
    for (var r = 0u; r < q; r++) { for (var c = 0u; c < n; c++) { out[hb + r * n + c] = wk[vb + c * n + r]; } }
  } else {
    for (var x = 0u; x < m * m; x++) { out[ob + x] = wk[vb + x]; }
    for (var r = 0u; r < q; r++) { for (var c = 0u; c < n; c++) { out[hb + r * n + c] = wk[ub + c * q + r]; } }
  }
}`;
  return run(body, [a], batch * per, batch * scratch, [m, n, Number(full), check.id, scratch], batch, check);
}
