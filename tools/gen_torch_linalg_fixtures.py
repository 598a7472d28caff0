"""Writes test/fixtures/torch-linalg.json: PyTorch's values and gradients for torch.linalg's solves and
decompositions, einsum, outer, kron, trace, cdist, cosine_similarity and pairwise_distance, read by
test/linalg-fixtures.test.ts.

Rerun from the repository root with Debian's Python, which has torch installed:

    /usr/bin/python3 tools/gen_torch_linalg_fixtures.py

Each case records the op and its args (chainrule's names), the inputs, one output tensor, a seeded random
gradOutput and the gradient of every input that requires grad. Decompositions with several results are recorded
as one tensor the test builds the same way: eigh's values then its vectors, svd's U, S and Vh flattened and
joined, qr's Q and R flattened and joined. Eigen- and singular vectors are defined up to sign, so both sides flip
each vector (each pair u_k, v_k together) to make its largest entry positive before comparing; the flip is a
constant factor, so gradients pass through it unchanged. Each case reseeds torch from a hash of its name.
"""

import math
import os

import torch
import torch.nn.functional as F

from torch_fixture_io import DTYPE_NAME, F32, F64, Recorder, seed_of, write_fixture

OUT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "torch-linalg.json")

fixture = Recorder()
# Inputs are drawn before their case reseeds torch, so the first case's come from this seed (torch's own initial
# seed differs from run to run here); each later case's from the state its predecessor left.
torch.manual_seed(seed_of("torch-linalg"))
record = fixture.record


def randn(shape, dt):
    return torch.randn(shape, dtype=F64).to(dt)


def well_conditioned(shape, dt):
    """Random matrices with a dominant diagonal: far from singular."""
    n = shape[-1]
    return (torch.randn(shape, dtype=F64) + 2 * math.sqrt(n) * torch.eye(n, dtype=F64)).to(dt)


def spd(shape, dt):
    x = torch.randn(shape, dtype=F64)
    return (x @ x.mT + shape[-1] * torch.eye(shape[-1], dtype=F64)).to(dt)


def symmetric(shape, dt):
    """Symmetric, with eigenvalues well apart (so eigenvector gradients are tame)."""
    n = shape[-1]
    q, _ = torch.linalg.qr(torch.randn(shape, dtype=F64))
    values = torch.arange(n, dtype=F64) * 1.5 - n / 2 + 0.3 * torch.rand(shape[:-1], dtype=F64)
    return (q @ torch.diag_embed(values) @ q.mT).to(dt)


def sign_fix(vectors):
    """Flips each column so that its largest-magnitude entry is positive (the first of ties)."""
    idx = vectors.detach().abs().argmax(-2, keepdim=True)
    s = torch.sign(torch.gather(vectors.detach(), -2, idx))
    s = torch.where(s == 0, torch.ones_like(s), s)
    return vectors * s, s


def flat_join(batch_dims, *ts):
    return torch.cat([t.reshape(*t.shape[:batch_dims], -1) for t in ts], -1)


DTS = (F32, F64)

# ---- solves and inverses ----

for dt in DTS:
    d = DTYPE_NAME[dt]
    record(f"solve/matrix/{d}", "solve", {}, [(well_conditioned([3, 3], dt), True), (randn([3, 2], dt), True)], torch.linalg.solve)
    record(f"solve/batched_vector/{d}", "solve", {}, [(well_conditioned([2, 3, 3], dt), True), (randn([2, 3], dt), True)], torch.linalg.solve)
    record(f"solve/broadcast/{d}", "solve", {}, [(well_conditioned([3, 3], dt), True), (randn([2, 3, 4], dt), True)], torch.linalg.solve)
    record(f"solve/right/{d}", "solve", {"left": False}, [(well_conditioned([3, 3], dt), True), (randn([2, 3], dt), True)],
           lambda a, b: torch.linalg.solve(a, b, left=False))
    for upper in (False, True):
        for unit in (False, True):
            for left in (True, False):
                tag = f"{'upper' if upper else 'lower'}{'_unit' if unit else ''}{'' if left else '_right'}"
                b_shape = [2, 3, 2] if left else [2, 2, 3]
                record(f"solveTriangular/{tag}/{d}", "solveTriangular", {"upper": upper, "unitriangular": unit, "left": left},
                       [(well_conditioned([2, 3, 3], dt), True), (randn(b_shape, dt), True)],
                       lambda a, b, upper=upper, unit=unit, left=left: torch.linalg.solve_triangular(a, b, upper=upper, left=left, unitriangular=unit))
    record(f"inv/matrix/{d}", "inv", {}, [(well_conditioned([4, 4], dt), True)], torch.linalg.inv)
    record(f"inv/batched/{d}", "inv", {}, [(well_conditioned([2, 3, 3], dt), True)], torch.linalg.inv)
    record(f"det/matrix/{d}", "det", {}, [(randn([3, 3], dt), True)], torch.linalg.det)
    record(f"det/batched/{d}", "det", {}, [(randn([2, 2, 4, 4], dt), True)], torch.linalg.det)
    record(f"det/one/{d}", "det", {}, [(randn([1, 1], dt), True)], torch.linalg.det)
    record(f"slogdet/batched/{d}", "slogdet", {}, [(randn([3, 3, 3], dt), True)], lambda a: torch.stack(torch.linalg.slogdet(a), -1))

# An exactly singular matrix: det 0, and PyTorch's first derivative there is 0.
record("det/singular/float64", "det", {}, [(torch.tensor([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]], dtype=F64), True)], torch.linalg.det)
record("det/empty/float64", "det", {}, [(torch.zeros([0, 0], dtype=F64), False)], torch.linalg.det, grads=False)
record("slogdet/singular/float64", "slogdet", {}, [(torch.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=F64), False)],
       lambda a: torch.stack(torch.linalg.slogdet(a), -1), grads=False)

# ---- Cholesky and QR ----

for dt in DTS:
    d = DTYPE_NAME[dt]
    record(f"cholesky/lower/{d}", "cholesky", {"upper": False}, [(spd([4, 4], dt), True)], torch.linalg.cholesky)
    record(f"cholesky/upper_batched/{d}", "cholesky", {"upper": True}, [(spd([2, 3, 3], dt), True)], lambda a: torch.linalg.cholesky(a, upper=True))
    for tag, shape, mode in [("tall", [5, 3], "reduced"), ("wide", [3, 5], "reduced"), ("square_batched", [2, 3, 3], "reduced"),
                             ("wide_complete", [2, 4], "complete")]:
        record(f"qr/{tag}/{d}", "qr", {"mode": mode}, [(randn(shape, dt), True)],
               lambda a, mode=mode: flat_join(a.dim() - 2, *torch.linalg.qr(a, mode=mode)))
    record(f"qr/tall_complete/{d}", "qr", {"mode": "complete"}, [(randn([4, 2], dt), False)],
           lambda a: flat_join(0, *torch.linalg.qr(a, mode="complete")), grads=False)
    record(f"qr/r_only/{d}", "qr", {"mode": "r"}, [(randn([4, 3], dt), False)], lambda a: torch.linalg.qr(a, mode="r")[1], grads=False)

# ---- eigh and svd (vectors sign-normalised) ----


def eigh_packed(a, uplo="L"):
    values, vectors = torch.linalg.eigh(a, UPLO=uplo)
    vectors, _ = sign_fix(vectors)
    return torch.cat([values.unsqueeze(-2), vectors], -2)


def svd_packed(a, full):
    u, s, vh = torch.linalg.svd(a, full_matrices=full)
    k = s.shape[-1]
    u, vh = u[..., :k], vh[..., :k, :]
    u, sign = sign_fix(u)
    vh = vh * sign.mT
    return flat_join(a.dim() - 2, u, s, vh)


for dt in DTS:
    d = DTYPE_NAME[dt]
    record(f"eigh/lower/{d}", "eigh", {"UPLO": "L"}, [(symmetric([4, 4], dt), True)], eigh_packed)
    a = symmetric([2, 3, 3], dt)
    # Only the upper triangle is read: junk below it must not matter.
    a = torch.triu(a) + torch.tril(randn([2, 3, 3], dt), -1) * 5
    record(f"eigh/upper_batched/{d}", "eigh", {"UPLO": "U"}, [(a, True)], lambda a: eigh_packed(a, "U"))
    record(f"eigvalsh/lower/{d}", "eigvalsh", {}, [(symmetric([4, 4], dt), True)], torch.linalg.eigvalsh)
    for tag, shape in [("tall", [5, 3]), ("wide", [3, 5]), ("square_batched", [2, 4, 4])]:
        for full in (False, True):
            record(f"svd/{tag}{'_full' if full else ''}/{d}", "svd", {"fullMatrices": full}, [(randn(shape, dt), True)],
                   lambda a, full=full: svd_packed(a, full))
    record(f"svdvals/wide/{d}", "svdvals", {}, [(randn([2, 3, 5], dt), True)], torch.linalg.svdvals)

# Repeated eigenvalues: the eigenvalues' gradient (eigvalsh) is still finite.
record("eigvalsh/repeated/float64", "eigvalsh", {}, [(torch.eye(3, dtype=F64) * 2, True)], torch.linalg.eigvalsh)
record("svdvals/rank_deficient/float64", "svdvals", {}, [(torch.tensor([[1.0, 2.0], [2.0, 4.0], [0.0, 0.0]], dtype=F64), True)], torch.linalg.svdvals)

# ---- einsum and the products ----

EINSUM = [
    ("matmul", "ij,jk->ik", [[3, 4], [4, 5]]),
    ("implicit_batch", "bij,bjk", [[2, 3, 4], [2, 4, 2]]),
    ("trace", "ii", [[4, 4]]),
    ("diagonal", "ii->i", [[3, 3]]),
    ("transpose_ellipsis", "...ij->...ji", [[2, 3, 4]]),
    ("ellipsis_summed", "...ij,jk->ik", [[2, 3, 4], [4, 5]]),
    ("broadcast_ones", "ij,ij->ij", [[1, 3], [2, 3]]),
    ("outer", "i,j->ij", [[3], [4]]),
    ("dot", "i,i", [[5], [5]]),
    ("bilinear", "bn,anm,bm->ba", [[2, 3], [4, 3, 5], [2, 5]]),
    ("chain4", "ab,bc,cd,de->ae", [[2, 6], [6, 3], [3, 7], [7, 2]]),
    ("repeated_and_sum", "iij,jk->k", [[3, 3, 2], [2, 4]]),
    ("uppercase", "Ba,ab", [[2, 3], [3, 4]]),
    ("attention", "bhqd,bhkd->bhqk", [[2, 2, 3, 4], [2, 2, 5, 4]]),
]
for tag, eq, shapes in EINSUM:
    for dt in DTS:
        record(f"einsum/{tag}/{DTYPE_NAME[dt]}", "einsum", {"equation": eq}, [(randn(s, dt), True) for s in shapes],
               lambda *xs, eq=eq: torch.einsum(eq, *xs))
record("einsum/sublist/float64", "einsumSublist", {"sublists": [[0, 1], [1, 2]], "output": [0, 2]},
       [(randn([2, 3], F64), True), (randn([3, 4], F64), True)], lambda a, b: torch.einsum(a, [0, 1], b, [1, 2], [0, 2]))

for dt in DTS:
    d = DTYPE_NAME[dt]
    record(f"outer/vectors/{d}", "outer", {}, [(randn([3], dt), True), (randn([4], dt), True)], torch.outer)
    record(f"kron/matrices/{d}", "kron", {}, [(randn([2, 3], dt), True), (randn([3, 2], dt), True)], torch.kron)
    record(f"kron/mixed_dims/{d}", "kron", {}, [(randn([2], dt), True), (randn([2, 3, 2], dt), True)], torch.kron)
    record(f"trace/rectangular/{d}", "trace", {}, [(randn([3, 5], dt), True)], torch.trace)

# ---- distances ----

for dt in DTS:
    d = DTYPE_NAME[dt]
    x1 = randn([2, 4, 3], dt)
    x2 = torch.cat([x1[:, :2], randn([2, 3, 3], dt)], 1)  # two rows shared: zero distances
    for p in (2.0, 1.0, 0.0, math.inf, 3.0, 0.5):
        tag = "inf" if p == math.inf else str(p).replace(".", "_")
        record(f"cdist/p{tag}/{d}", "cdist", {"p": "inf" if p == math.inf else p}, [(x1, True), (x2, True)], lambda a, b, p=p: torch.cdist(a, b, p=p))
    record(f"cdist/mm/{d}", "cdist", {"p": 2.0}, [(randn([30, 3], dt), True), (randn([5, 3], dt), True)], lambda a, b: torch.cdist(a, b))
    record(f"cdist/broadcast/{d}", "cdist", {"p": 2.0}, [(randn([2, 1, 3, 4], dt), True), (randn([3, 5, 4], dt), True)], lambda a, b: torch.cdist(a, b))
    record(f"cosineSimilarity/dim1/{d}", "cosineSimilarity", {"dim": 1}, [(randn([4, 5], dt), True), (randn([4, 5], dt), True)],
           lambda a, b: F.cosine_similarity(a, b, dim=1))
    record(f"cosineSimilarity/broadcast_last/{d}", "cosineSimilarity", {"dim": -1}, [(randn([2, 3, 4], dt), True), (randn([3, 4], dt), True)],
           lambda a, b: F.cosine_similarity(a, b, dim=-1))
    for p in (2.0, 1.0, math.inf):
        tag = "inf" if p == math.inf else str(int(p))
        record(f"pairwiseDistance/p{tag}/{d}", "pairwiseDistance", {"p": "inf" if p == math.inf else p}, [(randn([4, 5], dt), True), (randn([4, 5], dt), True)],
               lambda a, b, p=p: F.pairwise_distance(a, b, p=p))
    record(f"pairwiseDistance/keepdim_1d/{d}", "pairwiseDistance", {"p": 2.0, "keepdim": True}, [(randn([5], dt), True), (randn([5], dt), True)],
           lambda a, b: F.pairwise_distance(a, b, keepdim=True))
# A tiny vector: the norm is clamped to eps, and the gradient divides by the clamped norm (PyTorch's).
record("cosineSimilarity/tiny/float64", "cosineSimilarity", {"dim": 0},
       [(torch.tensor([3.0, 4.0], dtype=F64), True), (torch.tensor([1e-9, 0.0], dtype=F64), True)], lambda a, b: F.cosine_similarity(a, b, dim=0))

write_fixture(OUT_PATH, fixture.cases)
