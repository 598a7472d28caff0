// cr.linalg's solves and decompositions, einsum, outer, kron, trace and the distances against PyTorch: values and
// gradients (test/fixtures/torch-linalg.json, from tools/gen_torch_linalg_fixtures.py). Decompositions are compared
// packed into one tensor as the generator packs them, eigen- and singular vectors with their signs normalised.
import { readFileSync } from "node:fs";
import * as cr from "chainrule";
import { assertMatches, testRecordedCases } from "./helpers/fixture.js";
import type { Encoded, RecordedCase } from "./helpers/fixture.js";

type Tensor = cr.Tensor;
const F = cr.nn.functional;

type Arg = number | string | boolean | number[][] | number[];
type Case = RecordedCase<Arg>;

const fixture = JSON.parse(readFileSync(new URL("./fixtures/torch-linalg.json", import.meta.url), "utf8")) as { torch: string; cases: Case[] };


// float32: PyTorch's LAPACK works in float32 while chainrule's kernels work in float64, so results differ by
// PyTorch's own rounding, a few ulps times the conditioning of these (well-conditioned) inputs.
function assertClose(got: Tensor, want: Encoded, what: string): void {
  const [rtol, atol] = want.dtype === "float64" ? [1e-8, 1e-9] : [5e-4, 5e-5];
  assertMatches(got, want, what, rtol, atol);
}

/** Each column of `v` flipped so its largest-magnitude entry is positive, and the flips (constants). */
function signFix(v: Tensor): [Tensor, Tensor] {
  const d = v.detach();
  const s = d.gather(v.ndim - 2, d.abs().argmax(-2, true)).sign();
  const flips = cr.where(s.eq(0), 1, s);
  return [v.mul(flips), flips];
}

const flatJoin = (batchDims: number, ...ts: Tensor[]) => cr.cat(ts.map((t) => t.reshape([...t.shape.slice(0, batchDims), -1])), -1);
const pValue = (v: Arg | undefined) => (v === "inf" ? Infinity : (v as number | undefined));

type Op = (xs: Tensor[], a: Readonly<Record<string, Arg>>) => Tensor;
const OPS: Readonly<Record<string, Op>> = {
  solve: ([a, b], o) => cr.linalg.solve(a!, b!, { left: o.left as boolean | undefined }),
  solveTriangular: ([a, b], o) => cr.linalg.solveTriangular(a!, b!, { upper: o.upper as boolean, unitriangular: o.unitriangular as boolean, left: o.left as boolean }),
  inv: ([a]) => cr.linalg.inv(a!),
  det: ([a]) => cr.linalg.det(a!),
  slogdet: ([a]) => cr.stack(cr.linalg.slogdet(a!), -1),
  cholesky: ([a], o) => cr.linalg.cholesky(a!, { upper: o.upper as boolean }),
  qr: ([a], o) => {
    const mode = o.mode as cr.linalg.QrMode;
    const { Q, R } = cr.linalg.qr(a!, { mode });
    return mode === "r" ? R : flatJoin(a!.ndim - 2, Q, R);
  },
  eigh: ([a], o) => {
    const [values, vectors] = cr.linalg.eigh(a!, { UPLO: o.UPLO as "L" | "U" });
    return cr.cat([values.unsqueeze(-2), signFix(vectors)[0]], -2);
  },
  eigvalsh: ([a]) => cr.linalg.eigvalsh(a!),
  svd: ([a], o) => {
    const [u, s, vh] = cr.linalg.svd(a!, { fullMatrices: o.fullMatrices as boolean });
    const k = s.shape[s.ndim - 1]!;
    const [uk, flips] = signFix(u.narrow(-1, 0, k));
    return flatJoin(a!.ndim - 2, uk, s, vh.narrow(-2, 0, k).mul(flips.transpose(-2, -1)));
  },
  svdvals: ([a]) => cr.linalg.svdvals(a!),
  einsum: (xs, o) => cr.einsum(o.equation as string, ...xs),
  einsumSublist: ([a, b], o) => {
    const [sa, sb] = o.sublists as number[][];
    return cr.einsum(a!, sa!, b!, sb!, o.output as number[]);
  },
  outer: ([a, b]) => cr.outer(a!, b!),
  kron: ([a, b]) => cr.kron(a!, b!),
  trace: ([a]) => cr.trace(a!),
  cdist: ([a, b], o) => cr.cdist(a!, b!, { p: pValue(o.p) }),
  cosineSimilarity: ([a, b], o) => F.cosineSimilarity(a!, b!, { dim: o.dim as number }),
  pairwiseDistance: ([a, b], o) => F.pairwiseDistance(a!, b!, { p: pValue(o.p), keepdim: o.keepdim as boolean | undefined }),
};

testRecordedCases(fixture, OPS, assertClose);
