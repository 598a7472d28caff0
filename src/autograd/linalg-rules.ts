// The derivative rules of cr.linalg's primitives, PyTorch's formulas (FunctionsManual.cpp) in differentiable tensor
// ops, so higher derivatives come for free. Decompositions with several results produce them packed into one
// tensor (see the backend methods); the rules unpack the gradient the same way. Where PyTorch's gradient is
// undefined (repeated eigen- or singular values, a singular matrix) they do what it does, noted at each rule.
import { AutogradError } from "../errors.js";
import { isGradEnabled } from "./grad-mode.js";
import { cat } from "../tensor/movement.js";
import { where } from "../tensor/elementwise.js";
import { constantLike, diagEmbed, diagonal, eyeLike, mT, triangle } from "../tensor/matrix-helpers.js";
import type { Tensor } from "../tensor/tensor.js";
import type { StructuralParams } from "../ops/structural.js";
import { applyPrimitive } from "./dispatch.js";
import type { Rule } from "./rule.js";

type P<K extends keyof StructuralParams> = Rule<StructuralParams[K]>;

const batchOf = (shape: readonly number[]) => shape.slice(0, -2);

/** X solving A X = B (checked: a singular A throws), and X solving X A = B. */
const solveLeft = (a: Tensor, b: Tensor, check = true) => applyPrimitive("linalgSolve", [a, b], { check });
/** X solving A X = B for triangular A. */
const solveTri = (a: Tensor, b: Tensor, upper: boolean, unitriangular = false) => applyPrimitive("linalgSolveTriangular", [a, b], { upper, unitriangular });
/** X solving X A = B for triangular A: Aᵀ Xᵀ = Bᵀ, Aᵀ's triangle the other one. */
const solveTriRight = (a: Tensor, b: Tensor, upper: boolean) => mT(solveTri(mT(a), mT(b), !upper));

/** `x / e`, but 0 where `x` is 0: the limit PyTorch's shortcuts take where a whole gradient is absent. */
const divideSafe = (x: Tensor, e: Tensor) => where(x.eq(0), 0, x.div(e));

/** The machine epsilon of a floating dtype. */
const epsOf = (t: Tensor) => (t.dtype === "float32" ? 1.1920928955078125e-7 : 2.220446049250313e-16);

/**
 * PyTorch's masked_fmap: `f1` on the batch elements where `mask` (one flag per matrix) holds, `f2` on the others,
 * each computing only its own, put back together in order. The flags are read here, as PyTorch's indexing does.
 */
function maskedMap(mask: Tensor, f1: (...xs: Tensor[]) => Tensor, f2: (...xs: Tensor[]) => Tensor, ...xs: Tensor[]): Tensor {
  if (!mask.readsSynchronously) {
    // A GPU's flags cannot be read here without waiting: both forms computed on every matrix, each taking its own.
    const a = f1(...xs), b = f2(...xs);
    return where(mask.reshape([...mask.shape, ...new Array<number>(a.ndim - mask.ndim).fill(1)]), a, b);
  }
  const flags = Array.from(mask.toTypedArray(), Boolean);
  if (flags.every((f) => f)) return f1(...xs);
  if (!flags.some((f) => f)) return f2(...xs);
  const batch = flags.length;
  const flat = xs.map((x) => x.reshape([batch, ...x.shape.slice(mask.ndim)]));
  const pick = (want: boolean) => constantLike(xs[0]!, flags.flatMap((f, i) => (f === want ? [i] : [])), [flags.filter((f) => f === want).length], "int32");
  const [on, off] = [pick(true), pick(false)];
  const a = f1(...flat.map((x) => x.indexSelect(0, on)));
  const b = f2(...flat.map((x) => x.indexSelect(0, off)));
  const out = zerosLike(a, [batch, ...a.shape.slice(1)]).indexAdd(0, on, a).indexAdd(0, off, b);
  return out.reshape([...mask.shape, ...a.shape.slice(1)]);
}

/** Each element of `s` `[*, n]` replaced by the product of the others (PyTorch's prod_safe_zeros_backward): exact with zeros. */
function productOfOthers(s: Tensor): Tensor {
  const n = s.shape[s.ndim - 1]!;
  const ones = constantLike(s, new Float64Array(s.numel() / Math.max(n, 1)).fill(1), [...s.shape.slice(0, -1), 1]);
  const before: Tensor[] = [ones], after: Tensor[] = [ones];
  for (let i = 1; i < n; i++) before.push(before[i - 1]!.mul(s.narrow(-1, i - 1, 1)));
  for (let i = 1; i < n; i++) after.push(after[i - 1]!.mul(s.narrow(-1, n - i, 1)));
  return cat(before.map((b, i) => b.mul(after[n - 1 - i]!)), -1);
}

/** Zeros of `shape` on `like`'s backend, in its dtype. */
const zerosLike = (like: Tensor, shape: readonly number[]) => constantLike(like, new Float64Array(shape.reduce((x, y) => x * y, 1)), shape);

/** The trace of each matrix `[*, n, n]` → `[*]`. */
const traceOf = (x: Tensor) => diagonal(x).sum(-1);

// ---- solves ----

// X = A⁻¹B: dX = A⁻¹(dB − dA X); so gB = A⁻ᵀ G and gA = −gB Xᵀ (PyTorch's linalg_solve_backward).
export const linalgSolve: P<"linalgSolve"> = {
  forward: (backend, [a, b], { check }) => ({ buf: backend.linalgSolve(a!, b!, check), shape: b!.shape, dtype: b!.dtype }),
  vjp: (g, { inputs: [a], output: x, params: { check }, needsInputGrad: [na] }) => {
    const gb = solveLeft(mT(a!), g, check);
    return [na ? gb.matmul(mT(x)).neg() : null, gb];
  },
  jvp: ([ta, tb], { inputs: [a], output: x, params }) => {
    const rhs = ta === null || ta === undefined ? tb! : tb === null || tb === undefined ? ta.matmul(x).neg() : tb.sub(ta.matmul(x));
    return applyPrimitive("linalgSolve", [a!, rhs], params);
  },
};

// Triangular A: the same formulas, A's gradient projected onto its triangle (PyTorch's solve_triangular backward).
export const linalgSolveTriangular: P<"linalgSolveTriangular"> = {
  forward: (backend, [a, b], { upper, unitriangular }) => ({ buf: backend.linalgSolveTriangular(a!, b!, upper, unitriangular), shape: b!.shape, dtype: b!.dtype }),
  vjp: (g, { inputs: [a], output: x, params: { upper, unitriangular }, needsInputGrad: [na] }) => {
    const gb = solveTri(mT(a!), g, !upper, unitriangular);
    const ga = na ? triangle(gb.matmul(mT(x)).neg(), upper, upper ? Number(unitriangular) : -Number(unitriangular)) : null;
    return [ga, gb];
  },
  jvp: ([ta, tb], { inputs: [a], output: x, params: { upper, unitriangular } }) => {
    const proj = ta === null || ta === undefined ? null : triangle(ta, upper, upper ? Number(unitriangular) : -Number(unitriangular)).matmul(x);
    const rhs = proj === null ? tb! : tb === null || tb === undefined ? proj.neg() : tb.sub(proj);
    return solveTri(a!, rhs, upper, unitriangular);
  },
};

// ---- determinants ----

// d det = det·tr(A⁻¹ dA), so gA = g·det·A⁻ᵀ. As PyTorch's linalg_det_backward: for a first derivative the
// perturbed LU gives 0 where det is 0 (what g·det·A⁻ᵀ tends to through the LU's perturbation); when the gradient
// is itself differentiated, nearly singular matrices (|det| < 100·eps) take the adjugate from the SVD,
// adj(A)ᵀ = U·diag(Π_{j≠i} σ_j)·Vh·det(U)·det(Vh), which is smooth there.
export const linalgDet: P<"linalgDet"> = {
  forward: (backend, [a]) => ({ buf: backend.linalgDet(a!), shape: batchOf(a!.shape), dtype: a!.dtype }),
  vjp: (g, { inputs: [a], output: det }) => {
    const d = g.mul(det);
    const nonsingular = (A: Tensor, D: Tensor) => solveLeft(mT(A), diagEmbed(D.unsqueeze(-1).expand([...D.shape, A.shape[A.ndim - 1]!])));
    if (a!.numel() === 0) return [a!.mul(0)];
    if (!isGradEnabled()) {
      const zero = det.eq(0).unsqueeze(-1).unsqueeze(-1);
      const n = a!.shape[a!.ndim - 1]!;
      const solved = solveLeft(mT(a!), diagEmbed(d.unsqueeze(-1).expand([...d.shape, n])), false);
      return [where(zero, 0, solved)];
    }
    const singular = (A: Tensor, _D: Tensor, G: Tensor) => {
      const [u, s, vh] = unpackSvd(applyPrimitive("linalgSvd", [A], { fullMatrices: false }), A.shape, false);
      const alpha = applyPrimitive("linalgDet", [u], {}).mul(applyPrimitive("linalgDet", [vh], {})).mul(G);
      const D = productOfOthers(s).mul(alpha.unsqueeze(-1));
      return u.mul(D.unsqueeze(-2)).matmul(vh);
    };
    if (det.ndim === 0) return [det.abs().item() < 100 * epsOf(det) ? singular(a!, d, g) : nonsingular(a!, d)];
    return [maskedMap(det.abs().lt(100 * epsOf(det)), (A, D, G) => singular(A!, D!, G!), (A, D) => nonsingular(A!, D!), a!, d, g)];
  },
  // PyTorch's linalg_det_jvp: det·tr(A⁻¹ dA), 0 where det is 0.
  jvp: ([t], { inputs: [a], output: det }) => {
    const tr = traceOf(solveLeft(a!, t!, false));
    return where(det.eq(0), 0, tr.mul(det));
  },
};

// log|det| has derivative tr(A⁻¹ dA) (the sign none, for real A): gA = g·A⁻ᵀ, with a checked solve when the
// gradient is differentiated again and an unchecked one (infinities for a singular A) otherwise, as PyTorch.
export const linalgSlogdet: P<"linalgSlogdet"> = {
  forward: (backend, [a]) => ({ buf: backend.linalgSlogdet(a!), shape: [...batchOf(a!.shape), 2], dtype: a!.dtype }),
  vjp: (g, { inputs: [a] }) => {
    const gl = g.select(-1, 1);
    const n = a!.shape[a!.ndim - 1]!;
    return [solveLeft(mT(a!), diagEmbed(gl.unsqueeze(-1).expand([...gl.shape, n])), isGradEnabled())];
  },
  jvp: ([t], { inputs: [a] }) => {
    const tr = traceOf(solveLeft(a!, t!, false));
    return cat([tr.mul(0).unsqueeze(-1), tr.unsqueeze(-1)], -1);
  },
};

// ---- Cholesky ----

// A = L Lᵀ (Murray 2016; PyTorch's cholesky_backward): gA = L⁻ᵀ Φ(Lᵀ gL) L⁻¹, Φ(X) = tril(X) symmetrised with its
// diagonal halved. Tangent: dL = L·π(L⁻¹ dA L⁻ᵀ), π(X) = tril(X) − diag(X)/2.
export const linalgCholesky: P<"linalgCholesky"> = {
  forward: (backend, [a]) => ({ buf: backend.linalgCholesky(a!), shape: a!.shape, dtype: a!.dtype }),
  vjp: (g, { output: l }) => {
    let ga = triangle(mT(l).matmul(g), false);
    ga = ga.add(mT(triangle(ga, false, -1))).mul(0.5);
    ga = solveTri(mT(l), ga, true);
    return [solveTriRight(l, ga, false)];
  },
  jvp: ([t], { output: l }) => {
    let dl = solveTri(l, t!, false);
    dl = solveTriRight(mT(l), dl, true);
    dl = triangle(dl, false).sub(diagEmbed(diagonal(dl).mul(0.5)));
    return l.matmul(dl);
  },
  saves: "output",
};

// ---- QR ----

/** Q `[*, m, q]` and R `[*, q, n]` out of a packed QR result. */
export function unpackQr(packed: Tensor, shape: readonly number[], complete: boolean): [Tensor, Tensor] {
  const [m, n] = shape.slice(-2) as [number, number];
  const q = complete ? m : Math.min(m, n);
  const batch = batchOf(shape);
  return [packed.narrow(-1, 0, m * q).reshape([...batch, m, q]), packed.narrow(-1, m * q, q * n).reshape([...batch, q, n])];
}

const packMatrices = (parts: readonly Tensor[], batch: readonly number[]) => cat(parts.map((p) => p.reshape([...batch, -1])), -1);

// PyTorch's linalg_qr_backward and linalg_qr_jvp, for m ≥ n and m < n (complete mode with m > n, and mode "r",
// are not differentiable, as in PyTorch).
export const linalgQr: P<"linalgQr"> = {
  forward: (backend, [a], { mode }) => {
    const [m, n] = a!.shape.slice(-2) as [number, number];
    const q = mode === "complete" ? m : Math.min(m, n);
    return { buf: backend.linalgQr(a!, mode === "complete"), shape: [...batchOf(a!.shape), m * q + q * n], dtype: a!.dtype };
  },
  vjp: (g, { inputs: [a], output, params: { mode } }) => {
    const shape = a!.shape;
    const [m, n] = shape.slice(-2) as [number, number];
    checkQrDifferentiable(mode, m, n);
    const [Q, R] = unpackQr(output, shape, mode === "complete");
    const [gQ, gR] = unpackQr(g, shape, mode === "complete");
    let gA = gR.matmul(mT(R)).sub(mT(Q).matmul(gQ));
    if (m >= n) {
      const upper = triangle(gA, true);
      // syminvadj: X + Xᵀ with the diagonal halved, for upper-triangular X.
      gA = Q.matmul(upper.add(mT(triangle(upper, true, 1)))).add(gQ);
      return [solveTriRight(mT(R), gA, false)]; // X Rᵀ = gA
    }
    const skew = gA.neg();
    gA = Q.matmul(triangle(skew.sub(mT(skew)), false));
    gA = solveTriRight(mT(R.narrow(-1, 0, m)), gA, false); // X R₁ᵀ = gA
    gA = cat([gA, zerosLike(gA, [...batchOf(shape), m, n - m])], -1);
    return [gA.add(Q.matmul(gR))];
  },
  jvp: ([t], { inputs: [a], output, params: { mode } }) => {
    const shape = a!.shape;
    const [m, n] = shape.slice(-2) as [number, number];
    checkQrDifferentiable(mode, m, n);
    const [Q, R] = unpackQr(output, shape, mode === "complete");
    if (m >= n) {
      const dARinv = mT(solveTri(mT(R), mT(t!), false));
      const sym = mT(Q).matmul(dARinv);
      const s = sym.add(mT(sym));
      const dR0 = triangle(s, true).sub(diagEmbed(diagonal(s).mul(0.5)));
      const dQ = dARinv.sub(Q.matmul(dR0));
      return packMatrices([dQ, dR0.matmul(R)], batchOf(shape));
    }
    const QHdA = mT(Q).matmul(t!);
    const x = mT(solveTri(mT(R.narrow(-1, 0, m)), mT(QHdA.narrow(-1, 0, m)), false));
    const lower = triangle(x, false, -1);
    const dQ0 = lower.sub(mT(lower));
    const dR = QHdA.sub(dQ0.matmul(R));
    return packMatrices([Q.matmul(dQ0), dR], batchOf(shape));
  },
};

function checkQrDifferentiable(mode: string, m: number, n: number): void {
  if (mode === "r") {
    throw new AutogradError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.");
  }
  if (mode === "complete" && m > n) throw new AutogradError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.");
}

// ---- eigh ----

/** The eigenvalues `[*, n]` and eigenvectors `[*, n, n]` out of a packed eigh result `[*, n + 1, n]`. */
export function unpackEigh(packed: Tensor): [Tensor, Tensor] {
  const n = packed.shape[packed.ndim - 1]!;
  return [packed.select(-2, 0), packed.narrow(-2, 1, n)];
}

// PyTorch's linalg_eig_backward for Hermitian A: gA = V (diag(gL) + skew(Vᵀ gV)/2 ⊘ E) Vᵀ, E_ij = λ_j − λ_i. With
// repeated eigenvalues the eigenvectors' gradient is not finite, as PyTorch's. A matrix whose eigenvectors get no
// gradient (gV all zero: unused, or eigvalsh) takes PyTorch's shortcut V diag(gL) Vᵀ, finite at repeated values.
export const linalgEigh: P<"linalgEigh"> = {
  forward: (backend, [a], { upper }) => {
    const n = a!.shape[a!.shape.length - 1]!;
    return { buf: backend.linalgEigh(a!, upper), shape: [...batchOf(a!.shape), n + 1, n], dtype: a!.dtype };
  },
  vjp: (g, { output }) => {
    const [l, v] = unpackEigh(output);
    const [gl, gv] = unpackEigh(g);
    const n = l.shape[l.ndim - 1]!;
    const valuesOnly = (V: Tensor, _L: Tensor, GL: Tensor) => V.mul(GL.unsqueeze(-2)).matmul(mT(V));
    const full = (V: Tensor, Lv: Tensor, GL: Tensor, GV: Tensor) => {
      const vgv = mT(V).matmul(GV);
      const skew = vgv.sub(mT(vgv)).mul(0.5);
      const e = Lv.unsqueeze(-2).sub(Lv.unsqueeze(-1)).add(eyeLike(Lv, n));
      return V.matmul(skew.div(e).add(diagEmbed(GL))).matmul(mT(V));
    };
    if (gv.numel() === 0) return [valuesOnly(v, l, gl)];
    return [maskedMap(gv.abs().amax([-2, -1]).eq(0), (V, Lv, GL) => valuesOnly(V!, Lv!, GL!), (V, Lv, GL, GV) => full(V!, Lv!, GL!, GV!), v, l, gl, gv)];
  },
  // dλ = diag(Vᵀ dA V); dV = V ((Vᵀ dA V) ⊘ E with a zero diagonal).
  jvp: ([t], { output }) => {
    const [l, v] = unpackEigh(output);
    const n = l.shape[l.ndim - 1]!;
    const dp = mT(v).matmul(t!).matmul(v);
    const eye = eyeLike(l, n);
    const e = l.unsqueeze(-2).sub(l.unsqueeze(-1)).add(eye);
    const dv = v.matmul(dp.div(e).mul(eye.neg().add(1)));
    return cat([diagonal(dp).unsqueeze(-2), dv], -2);
  },
  saves: "output",
};

// ---- SVD ----

/** U `[*, m, p]`, S `[*, k]` and Vh `[*, q, n]` out of a packed SVD result of a `[*, m, n]` input. */
export function unpackSvd(packed: Tensor, shape: readonly number[], full: boolean): [Tensor, Tensor, Tensor] {
  const [m, n] = shape.slice(-2) as [number, number];
  const k = Math.min(m, n), p = full ? m : k, q = full ? n : k;
  const batch = batchOf(shape);
  return [
    packed.narrow(-1, 0, m * p).reshape([...batch, m, p]),
    packed.narrow(-1, m * p, k),
    packed.narrow(-1, m * p + k, q * n).reshape([...batch, q, n]),
  ];
}

// PyTorch's svd_backward (real case): gA = U [(skew(UᵀgU) ⊘ E) S + S (skew(VᵀgV) ⊘ E) + diag(gS)] Vᵀ, E_jk =
// σ_k² − σ_j², plus (I − UUᵀ) gU S⁻¹ Vᵀ for m > n or U S⁻¹ gVᵀ (I − VVᵀ) for m < n; with full matrices the extra
// columns carry no gradient. Repeated singular values (or zero ones, for a rectangular A) give non-finite
// gradients, as PyTorch's, except for a matrix whose vectors get no gradient (PyTorch's svdvals shortcut).
export const linalgSvd: P<"linalgSvd"> = {
  forward: (backend, [a], { fullMatrices }) => {
    const [m, n] = a!.shape.slice(-2) as [number, number];
    const k = Math.min(m, n), p = fullMatrices ? m : k, q = fullMatrices ? n : k;
    return { buf: backend.linalgSvd(a!, fullMatrices), shape: [...batchOf(a!.shape), m * p + k + q * n], dtype: a!.dtype };
  },
  vjp: (g, { inputs: [a], output, params: { fullMatrices } }) => {
    const shape = a!.shape;
    const [m, n] = shape.slice(-2) as [number, number];
    const k = Math.min(m, n);
    // With full matrices the columns past k carry no gradient: only the first k of U and rows of Vh count.
    const first = ([x, y, z]: [Tensor, Tensor, Tensor]): [Tensor, Tensor, Tensor] => (fullMatrices ? [x.narrow(-1, 0, k), y, z.narrow(-2, 0, k)] : [x, y, z]);
    const [u, s, vh] = first(unpackSvd(output, shape, fullMatrices));
    const [gu, gs, gvh] = first(unpackSvd(g, shape, fullMatrices));
    const svals = (U: Tensor, GS: Tensor, VH: Tensor) => (m >= n ? U.matmul(GS.unsqueeze(-1).mul(VH)) : U.mul(GS.unsqueeze(-2)).matmul(VH));
    const full = (U: Tensor, S: Tensor, VH: Tensor, GU: Tensor, GS: Tensor, GVH: Tensor) => {
      const skew = (x: Tensor) => x.sub(mT(x));
      const uhgu = skew(mT(U).matmul(GU)), vhgv = skew(VH.matmul(mT(GVH)));
      const s2 = S.mul(S);
      const e = s2.unsqueeze(-2).sub(s2.unsqueeze(-1)).add(eyeLike(S, k));
      const inner = uhgu.mul(S.unsqueeze(-2)).add(S.unsqueeze(-1).mul(vhgv)).div(e).add(diagEmbed(GS));
      // The projections onto the complement of U's (V's) columns: only where that vector gets a gradient.
      if (m > n) {
        const gus = divideSafe(GU, S.unsqueeze(-2));
        return U.matmul(inner).add(gus).sub(U.matmul(mT(U).matmul(gus))).matmul(VH);
      }
      if (m < n) {
        const sgvh = divideSafe(GVH, S.unsqueeze(-1));
        return U.matmul(inner.matmul(VH).add(sgvh).sub(sgvh.matmul(mT(VH)).matmul(VH)));
      }
      return U.matmul(inner).matmul(VH);
    };
    if (gu.numel() + gvh.numel() === 0) return [svals(u, gs, vh)];
    // A matrix whose singular vectors get no gradient takes PyTorch's svdvals shortcut, U diag(gS) Vh.
    const unused = gu.abs().amax([-2, -1]).add(gvh.abs().amax([-2, -1])).eq(0);
    return [maskedMap(unused, (U, _S, VH, _GU, GS) => svals(U!, GS!, VH!), (U, S, VH, GU, GS, GVH) => full(U!, S!, VH!, GU!, GS!, GVH!), u, s, vh, gu, gs, gvh)];
  },
  // PyTorch's linalg_svd_jvp (real case), the full matrices' extra columns getting a zero tangent.
  jvp: ([t], { inputs: [a], output, params: { fullMatrices } }) => {
    const shape = a!.shape;
    const [m, n] = shape.slice(-2) as [number, number];
    const k = Math.min(m, n);
    const [uAll, s, vhAll] = unpackSvd(output, shape, fullMatrices);
    const [u, vh] = fullMatrices ? [uAll.narrow(-1, 0, k), vhAll.narrow(-2, 0, k)] : [uAll, vhAll];
    const v = mT(vh);
    let dp = mT(u).matmul(t!).matmul(v);
    const ds = diagonal(dp);
    dp = dp.sub(diagEmbed(ds));
    const s2 = s.mul(s);
    const e = s2.unsqueeze(-2).sub(s2.unsqueeze(-1)).add(eyeLike(s, k));
    const sym = (x: Tensor) => x.add(mT(x));
    let du = u.matmul(sym(dp.mul(s.unsqueeze(-2))).div(e));
    let dvh = sym(dp.mul(s.neg().unsqueeze(-1))).div(e).matmul(vh);
    const batch = batchOf(shape);
    if (m > n) {
      const avs = t!.matmul(v.div(s.unsqueeze(-2)));
      du = du.add(avs).sub(u.matmul(mT(u).matmul(avs)));
      if (fullMatrices) du = cat([du, zerosLike(du, [...batch, m, m - n])], -1);
    }
    if (m < n) {
      const uas = mT(u).div(s.unsqueeze(-1)).matmul(t!);
      dvh = dvh.add(uas).sub(uas.matmul(v).matmul(vh));
      if (fullMatrices) dvh = cat([dvh, zerosLike(dvh, [...batch, n - m, n])], -2);
    }
    return packMatrices([du, ds, dvh], batch);
  },
  saves: "both",
};
