"""Writes test/fixtures/torch-shape.json: PyTorch's values and gradients for the reductions, scans, sorting, shape,
indexing and scatter ops (issue 23) and the edge semantics of issue 22, read by test/torch-shape-fixtures.test.ts.

Rerun from the repository root with Debian's Python, which has torch installed:

    /usr/bin/python3 tools/gen_torch_shape_fixtures.py

Each case has an op name (the test's table maps it to chainrule's call), JSON args, inputs (shape, dtype, flat
data, requiresGrad), every output (an op may return several: values and indices, pieces of a split), a seeded
random gradient for each floating output, and the gradient of each input that requires grad (zeros where an
input does not reach the outputs). Floats are written exactly ("NaN", "Infinity", "-Infinity", "-0" as strings).
Cases with ties where PyTorch does not fix which of equal elements it reports (topk, kthvalue, median along a dim)
are marked `valuesOnly`: the values are compared, and each index must point at an element equal to its value.
Every case reseeds torch from a hash of its name, so adding a case leaves the others as they were.
"""

import os

import torch
import torch.nn.functional as F

from torch_fixture_io import DTYPE_NAME, F32, F64, encode, number, seed_of, write_fixture

I64, BOOL = torch.int64, torch.bool
OUT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "torch-shape.json")
NAN, INF = float("nan"), float("inf")

cases = []
names = set()


def seed_for(name):
    torch.manual_seed(seed_of(name))


def outputs_of(result):
    if isinstance(result, torch.Tensor):
        return [result]
    return [t for t in result]


def case(name, op, fn, inputs, args=None, grad=True, values_only=False):
    """`inputs`: tensors (floating ones require grad when `grad`); `fn(*inputs)` gives a tensor or a tuple."""
    assert name not in names, name
    names.add(name)
    seed_for(name)
    leaves = [t.detach().clone().requires_grad_(grad and t.is_floating_point()) for t in inputs]
    outs = outputs_of(fn(*leaves))
    entry = {
        "name": name, "op": op, "args": args or {},
        "inputs": [dict(encode(t), requiresGrad=t.requires_grad) for t in leaves],
        "outputs": [encode(o) for o in outs],
        "gradOutputs": None, "grads": None, "valuesOnly": values_only,
    }
    diff = [o for o in outs if o.is_floating_point() and o.requires_grad]
    needs = [t for t in leaves if t.requires_grad]
    if grad and diff and needs and not values_only:
        seed_for(name + "/grad")
        gouts = [torch.randn(o.shape, dtype=F64).to(o.dtype) for o in diff]
        gs = torch.autograd.grad(diff, needs, gouts, allow_unused=True)
        it = iter(gs)
        by_id = {id(o): g for o, g in zip(diff, gouts)}
        entry["gradOutputs"] = [encode(by_id[id(o)]) if id(o) in by_id else None for o in outs]
        grads = []
        for t in leaves:
            if t.requires_grad:
                g = next(it)
                grads.append(encode(torch.zeros_like(t) if g is None else g))
            else:
                grads.append(None)
        entry["grads"] = grads
    cases.append(entry)


def both(name, op, fn, make, args=None, **kw):
    """The case in float32 and float64, inputs from `make(dtype)`."""
    for dt in (F32, F64):
        seed_for(name + str(dt))
        case(f"{name} {DTYPE_NAME[dt]}", op, fn, make(dt), args, **kw)


def randn(*shape, dt=F64):
    return torch.randn(shape, dtype=F64).to(dt)


def distinct(*shape, dt=F64):
    n = int(torch.Size(shape).numel())
    return ((torch.randperm(n).double() - n / 2) * 0.25 + (torch.rand(n, dtype=F64) - 0.5) * 0.1).reshape(shape).to(dt)


def ties(*shape, dt=F64, k=3):
    return torch.randint(0, k, shape).to(dt)


def t(data, dt=F64):
    return torch.tensor(data, dtype=dt)


def ints(data):
    return torch.tensor(data, dtype=I64)


# ---- reductions ----

ZEROS = [[1.5, 0.0, 2.0, -1.0], [0.0, 3.0, 0.0, 2.0], [0.5, -2.0, 1.5, 3.0]]
both("prod all", "prod", lambda x: x.prod(), lambda dt: [randn(2, 3, dt=dt)])
both("prod dim 1", "prod", lambda x: x.prod(1), lambda dt: [randn(3, 4, dt=dt)], {"dim": 1})
both("prod dim 0 keepdim", "prod", lambda x: x.prod(0, keepdim=True), lambda dt: [randn(3, 4, dt=dt)], {"dim": 0, "keepdim": True})
both("prod with zeros (one and two in a row)", "prod", lambda x: x.prod(1), lambda dt: [t(ZEROS, dt)], {"dim": 1})
both("prod all with one zero", "prod", lambda x: x.prod(), lambda dt: [t([2.0, 0.0, -3.0, 0.5], dt)])
both("prod with infinity", "prod", lambda x: x.prod(1), lambda dt: [t([[INF, 2.0], [1.0, -3.0]], dt)], {"dim": 1})
case("prod over an empty dim", "prod", lambda x: x.prod(0), [torch.zeros(0, 3, dtype=F64)], {"dim": 0})
case("prod of int32", "prod", lambda x: x.prod(1), [ints([[1, 2, 3], [-2, 5, 0]])], {"dim": 1})
case("prod with dtype float64", "prod", lambda x: x.prod(1, dtype=F64), [randn(2, 3, dt=F32)], {"dim": 1, "dtype": "float64"})
case("sum with dtype float64", "sum", lambda x: x.sum(1, dtype=F64), [randn(2, 3, dt=F32)], {"dim": 1, "dtype": "float64"})
case("sum of int32 as float64", "sum", lambda x: x.sum(dtype=F64), [ints([[1, 2], [3, 4]])], {"dtype": "float64"})

both("cumsum dim 1", "cumsum", lambda x: x.cumsum(1), lambda dt: [randn(3, 5, dt=dt)], {"dim": 1})
both("cumsum dim 0 of 3-D", "cumsum", lambda x: x.cumsum(0), lambda dt: [randn(4, 2, 3, dt=dt)], {"dim": 0})
case("cumsum of int32", "cumsum", lambda x: x.cumsum(0), [ints([3, -1, 4, 1, -5])], {"dim": 0})
case("cumsum of bool", "cumsum", lambda x: x.cumsum(0), [t([True, False, True, True], BOOL)], {"dim": 0})
case("cumsum with dtype float64", "cumsum", lambda x: x.cumsum(-1, dtype=F64), [randn(2, 4, dt=F32)], {"dim": -1, "dtype": "float64"})
case("cumsum with infinities and NaN", "cumsum", lambda x: x.cumsum(0), [t([1.0, INF, -INF, 2.0, NAN, 3.0])], {"dim": 0})
case("cumsum over an empty dim", "cumsum", lambda x: x.cumsum(1), [torch.zeros(2, 0, dtype=F64)], {"dim": 1})
case("cumsum of a zero-dim tensor", "cumsum", lambda x: x.cumsum(0), [t(2.5)], {"dim": 0})
both("cumprod dim 1", "cumprod", lambda x: x.cumprod(1), lambda dt: [randn(3, 5, dt=dt)], {"dim": 1})
both("cumprod with zeros", "cumprod", lambda x: x.cumprod(1), lambda dt: [t(ZEROS, dt)], {"dim": 1})
both("cumprod with zeros along dim 0", "cumprod", lambda x: x.cumprod(0), lambda dt: [t([[0.0, 2.0], [3.0, 0.0], [0.0, 1.5], [2.0, -1.0]], dt)], {"dim": 0})
case("cumprod of int32", "cumprod", lambda x: x.cumprod(0), [ints([2, -3, 1, 4])], {"dim": 0})
both("logcumsumexp", "logcumsumexp", lambda x: x.logcumsumexp(1), lambda dt: [randn(3, 6, dt=dt)], {"dim": 1})
both("logcumsumexp of large values", "logcumsumexp", lambda x: x.logcumsumexp(0), lambda dt: [t([100.0, 101.0, -50.0, 99.0, 300.0], dt)], {"dim": 0})
case("logcumsumexp with infinities", "logcumsumexp", lambda x: x.logcumsumexp(0), [t([-INF, 0.0, -INF, INF, 1.0])], {"dim": 0}, grad=False)
case("logcumsumexp with NaN", "logcumsumexp", lambda x: x.logcumsumexp(0), [t([0.0, NAN, 1.0])], {"dim": 0}, grad=False)
for op in ("cummax", "cummin"):
    both(f"{op} with ties", op, lambda x, op=op: getattr(x, op)(1), lambda dt: [ties(3, 7, dt=dt)], {"dim": 1})
    case(f"{op} with NaN", op, lambda x, op=op: getattr(x, op)(0), [t([1.0, 3.0, 3.0, NAN, 2.0, NAN, 5.0])], {"dim": 0})
    case(f"{op} of int32 along 0", op, lambda x, op=op: getattr(x, op)(0), [ints([[3, 1], [1, 4], [3, 0]])], {"dim": 0})
    case(f"{op} of bool", op, lambda x, op=op: getattr(x, op)(0), [t([True, False, True], BOOL)], {"dim": 0})

both("varMean over dim 1", "varMean", lambda x: torch.var_mean(x, 1), lambda dt: [randn(3, 5, dt=dt)], {"dim": 1})
both("stdMean over all, correction 0", "stdMean", lambda x: torch.std_mean(x, None, correction=0), lambda dt: [randn(3, 4, dt=dt)], {"correction": 0})
case("varMean keepdim correction 2", "varMean", lambda x: torch.var_mean(x, [0, 2], correction=2, keepdim=True), [randn(3, 2, 4)], {"dim": [0, 2], "correction": 2, "keepdim": True})
case("var with the correction past the count is +inf", "var", lambda x: torch.var(x, None, correction=5), [t([1.0, 2.0])], {"correction": 5})
case("var of an empty tensor is NaN", "var", lambda x: torch.var(x, None), [torch.zeros(0, 3, dtype=F64)], {})
case("var over an empty dim is NaN", "var", lambda x: torch.var(x, 0), [torch.zeros(0, 3, dtype=F64)], {"dim": 0})
case("std over an empty dim is NaN", "std", lambda x: torch.std(x, 1), [torch.zeros(2, 0, dtype=F64)], {"dim": 1})
case("std of a constant input (gradient 0)", "std", lambda x: torch.std(x, None), [t([1.5, 1.5, 1.5])], {})
case("std along a dim with a constant row", "std", lambda x: torch.std(x, 1), [t([[2.0, 2.0, 2.0], [1.0, 2.0, 4.0]])], {"dim": 1})
case("max along dim 1 of an empty tensor", "maxDim", lambda x: torch.max(x, 1), [torch.zeros(0, 3, dtype=F64)], {"dim": 1})
case("min along dim 1 of an empty tensor", "minDim", lambda x: torch.min(x, 1), [torch.zeros(0, 3, dtype=F64)], {"dim": 1})
case("softmax along dim 1 of an empty tensor", "softmax", lambda x: torch.softmax(x, 1), [torch.zeros(0, 3, dtype=F64)], {"dim": 1})
case("softmax along the empty dim", "softmax", lambda x: torch.softmax(x, 0), [torch.zeros(0, 3, dtype=F64)], {"dim": 0})
case("logsumexp along dim 1 of an empty tensor", "logsumexp", lambda x: torch.logsumexp(x, 1), [torch.zeros(0, 3, dtype=F64)], {"dim": 1})
case("logsumexp over an empty dim is -inf", "logsumexp", lambda x: torch.logsumexp(x, 0), [torch.zeros(0, 3, dtype=F64)], {"dim": 0})
case("max of all with NaN (gradient to the NaNs)", "maxAll", lambda x: x.max(), [t([NAN, 1.0, NAN, 3.0])])
case("min of all with ties", "minAll", lambda x: x.min(), [t([2.0, -1.0, 4.0, -1.0])])
case("countNonzero", "countNonzero", lambda x: torch.count_nonzero(x, 1), [t([[0.0, 1.0, NAN], [0.0, 0.0, -0.0]])], {"dim": 1})
case("countNonzero all", "countNonzero", lambda x: torch.count_nonzero(x), [ints([[0, 3], [2, 0]])])
both("median of all", "median", lambda x: x.median(), lambda dt: [distinct(3, 5, dt=dt)])
case("median of all with ties (gradient shared)", "median", lambda x: x.median(), [t([2.0, 1.0, 2.0, 1.0, 2.0, 3.0, 1.0, 2.0])])
case("median of all with NaN", "median", lambda x: x.median(), [t([1.0, NAN, 0.0, NAN])])
both("median along dim 1", "median", lambda x: x.median(1), lambda dt: [distinct(3, 6, dt=dt)], {"dim": 1})
case("median along dim 0 keepdim", "median", lambda x: x.median(0, keepdim=True), [distinct(5, 3)], {"dim": 0, "keepdim": True})
case("median along dim with NaN (the first NaN)", "median", lambda x: x.median(1), [t([[1.0, NAN, 0.0, NAN], [2.0, 1.0, 3.0, 0.0]])], {"dim": 1})
case("median along dim with ties", "median", lambda x: x.median(1), [ties(4, 7)], {"dim": 1}, values_only=True)
case("median of int32 along dim", "median", lambda x: x.median(0), [ints([1, 5, 2])], {"dim": 0})
both("aminmax", "aminmax", lambda x: torch.aminmax(x), lambda dt: [distinct(3, 4, dt=dt)], grad=False)
case("aminmax along dim with ties", "aminmax", lambda x: torch.aminmax(x, dim=1, keepdim=True), [t([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])], {"dim": 1, "keepdim": True}, grad=False)

# ---- norms ----

for ord_ in (2, 1, INF, -INF, 0, 3, 0.5, -1):
    both(f"vectorNorm ord {ord_} over dim 1", "vectorNorm", lambda x, o=ord_: torch.linalg.vector_norm(x, o, 1), lambda dt: [distinct(3, 4, dt=dt)], {"ord": number(ord_), "dim": 1})
both("vectorNorm of all", "vectorNorm", lambda x: torch.linalg.vector_norm(x), lambda dt: [randn(2, 3, 2, dt=dt)], {})
case("vectorNorm keepdim over dims", "vectorNorm", lambda x: torch.linalg.vector_norm(x, 3, [0, 2], keepdim=True), [randn(2, 3, 2)], {"ord": 3, "dim": [0, 2], "keepdim": True})
case("vectorNorm of a zero row (gradient 0)", "vectorNorm", lambda x: torch.linalg.vector_norm(x, 2, 1), [t([[0.0, 0.0, 0.0], [3.0, 0.0, -4.0]])], {"ord": 2, "dim": 1})
case("vectorNorm 1.5 of a zero row", "vectorNorm", lambda x: torch.linalg.vector_norm(x, 1.5, 1), [t([[0.0, 0.0], [1.0, -2.0]])], {"ord": 1.5, "dim": 1})
case("vectorNorm inf with ties (gradient shared)", "vectorNorm", lambda x: torch.linalg.vector_norm(x, INF, 1), [t([[1.0, -3.0, 3.0], [2.0, 0.5, -1.0]])], {"ord": "Infinity", "dim": 1})
case("vectorNorm with dtype float64", "vectorNorm", lambda x: torch.linalg.vector_norm(x, 2, 0, dtype=F64), [randn(3, dt=F32)], {"ord": 2, "dim": 0, "dtype": "float64"})
case("vectorNorm of an empty tensor", "vectorNorm", lambda x: torch.linalg.vector_norm(x), [torch.zeros(0, dtype=F64)], {})
for ord_ in ("fro", 1, -1, INF, -INF):
    both(f"matrixNorm {ord_}", "matrixNorm", lambda x, o=ord_: torch.linalg.matrix_norm(x, o), lambda dt: [distinct(2, 3, 4, dt=dt)], {"ord": number(ord_) if ord_ != "fro" else "fro"})
case("matrixNorm 1 over dims 0, 2 keepdim", "matrixNorm", lambda x: torch.linalg.matrix_norm(x, 1, (0, 2), keepdim=True), [distinct(3, 2, 4)], {"ord": 1, "dim": [0, 2], "keepdim": True})
case("matrixNorm inf with tied rows", "matrixNorm", lambda x: torch.linalg.matrix_norm(x, INF), [t([[1.0, -2.0], [3.0, 0.0]])], {"ord": "Infinity"})
both("norm default (fro)", "norm", lambda x: torch.norm(x), lambda dt: [randn(3, 4, dt=dt)], {})
case("norm p=1 over dim 0", "norm", lambda x: torch.norm(x, 1, 0), [randn(3, 4)], {"p": 1, "dim": 0})
case("norm p=inf keepdim", "norm", lambda x: torch.norm(x, INF, 1, keepdim=True), [distinct(3, 4)], {"p": "Infinity", "dim": 1, "keepdim": True})

# ---- sorting and selection ----

SPECIAL = [3.0, NAN, -0.0, 1.0, 0.0, INF, -INF, 1.0, NAN, -2.0, 1.0]
for desc in (False, True):
    d = " descending" if desc else ""
    both(f"sort{d}", "sort", lambda x, desc=desc: torch.sort(x, dim=1, descending=desc, stable=True), lambda dt: [distinct(3, 6, dt=dt)], {"dim": 1, "descending": desc})
    case(f"sort stable{d} with ties, NaN, ±0 and infinities", "sort", lambda x, desc=desc: torch.sort(x, dim=0, descending=desc, stable=True), [t(SPECIAL)], {"dim": 0, "descending": desc, "stable": True}, grad=False)
    case(f"sort stable{d} with ties along dim 0", "sort", lambda x, desc=desc: torch.sort(x, dim=0, descending=desc, stable=True), [ties(7, 3)], {"dim": 0, "descending": desc, "stable": True})
    case(f"argsort stable{d} of int32 with ties", "argsort", lambda x, desc=desc: torch.argsort(x, dim=1, descending=desc, stable=True), [torch.randint(0, 4, (3, 8))], {"dim": 1, "descending": desc, "stable": True})
case("sort of a zero-dim tensor", "sort", lambda x: torch.sort(x), [t(2.0)], {})
case("msort", "msort", lambda x: torch.msort(x), [distinct(4, 3)], {})
both("topk", "topk", lambda x: torch.topk(x, 3, 1), lambda dt: [distinct(3, 6, dt=dt)], {"k": 3, "dim": 1})
case("topk smallest along dim 0", "topk", lambda x: torch.topk(x, 2, 0, largest=False), [distinct(5, 3)], {"k": 2, "dim": 0, "largest": False})
case("topk with NaN (largest)", "topk", lambda x: torch.topk(x, 2), [t([1.0, NAN, 0.0, NAN, -1.0])], {"k": 2}, grad=False)
case("topk with ties", "topk", lambda x: torch.topk(x, 3), [t([2.0, 1.0, 2.0, 1.0, 2.0, 3.0, 1.0])], {"k": 3}, values_only=True)
case("topk of k 0", "topk", lambda x: torch.topk(x, 0), [randn(4)], {"k": 0})
both("kthvalue", "kthvalue", lambda x: torch.kthvalue(x, 2, 1), lambda dt: [distinct(3, 5, dt=dt)], {"k": 2, "dim": 1})
case("kthvalue keepdim along dim 0", "kthvalue", lambda x: torch.kthvalue(x, 3, 0, keepdim=True), [distinct(4, 2)], {"k": 3, "dim": 0, "keepdim": True})
case("kthvalue with ties", "kthvalue", lambda x: torch.kthvalue(x, 4), [t([2.0, 1.0, 2.0, 1.0, 2.0, 3.0, 1.0])], {"k": 4}, values_only=True)
case("unique", "unique", lambda x: torch.unique(x, sorted=True), [ints([3, 1, 2, 3, 1, 5])], {}, grad=False)
case("unique of floats with inverse and counts", "unique", lambda x: torch.unique(x, sorted=True, return_inverse=True, return_counts=True), [t([[1.5, -2.0, 1.5], [0.0, -0.0, INF]])], {"returnInverse": True, "returnCounts": True}, grad=False)
case("unique with counts", "unique", lambda x: torch.unique(x, return_counts=True), [ints([4, 4, 4, 1])], {"returnCounts": True}, grad=False)
case("unique rows (dim 0) with inverse", "unique", lambda x: torch.unique(x, dim=0, return_inverse=True, return_counts=True), [ints([[1, 2], [0, 5], [1, 2], [0, 1]])], {"dim": 0, "returnInverse": True, "returnCounts": True}, grad=False)
case("unique columns (dim 1)", "unique", lambda x: torch.unique(x, dim=1), [ints([[1, 0, 1], [2, 5, 2]])], {"dim": 1}, grad=False)
case("unique of bool", "unique", lambda x: torch.unique(x), [t([True, False, True], BOOL)], {}, grad=False)
case("unique of an empty tensor", "unique", lambda x: torch.unique(x, return_counts=True), [torch.zeros(0, dtype=F64)], {"returnCounts": True}, grad=False)

# ---- shape ----

X3 = lambda dt: [randn(2, 3, 4, dt=dt)]
both("pad constant asymmetric", "pad", lambda x: F.pad(x, (1, 2, 0, 1)), X3, {"pad": [1, 2, 0, 1]})
case("pad constant with a value and a crop", "pad", lambda x: F.pad(x, (-1, 2, 2, -1), value=-3.5), [randn(2, 3, 4)], {"pad": [-1, 2, 2, -1], "value": -3.5})
case("pad constant of three dims", "pad", lambda x: F.pad(x, (1, 0, 0, 1, 2, 1)), [randn(2, 3, 2)], {"pad": [1, 0, 0, 1, 2, 1]})
case("pad constant of int32", "pad", lambda x: F.pad(x, (1, 1), value=7), [ints([[1, 2], [3, 4]])], {"pad": [1, 1], "value": 7})
for mode in ("reflect", "replicate", "circular"):
    both(f"pad {mode} 1-D", "pad", lambda x, m=mode: F.pad(x, (2, 1), mode=m), lambda dt: [randn(2, 3, 4, dt=dt)], {"pad": [2, 1], "mode": mode})
    both(f"pad {mode} 2-D", "pad", lambda x, m=mode: F.pad(x, (1, 2, 2, 0), mode=m), lambda dt: [randn(1, 2, 3, 4, dt=dt)], {"pad": [1, 2, 2, 0], "mode": mode})
    case(f"pad {mode} 3-D", "pad", lambda x, m=mode: F.pad(x, (1, 0, 0, 1, 1, 1), mode=m), [randn(1, 1, 2, 3, 2)], {"pad": [1, 0, 0, 1, 1, 1], "mode": mode})
    case(f"pad {mode} with a crop", "pad", lambda x, m=mode: F.pad(x, (-2, 2), mode=m), [randn(1, 2, 5)], {"pad": [-2, 2], "mode": mode})
case("pad reflect of an unbatched 2-D input", "pad", lambda x: F.pad(x, (2, 2), mode="reflect"), [randn(2, 4)], {"pad": [2, 2], "mode": "reflect"})
case("pad replicate of an unbatched 3-D input", "pad", lambda x: F.pad(x, (1, 1, 2, 0), mode="replicate"), [randn(2, 3, 4)], {"pad": [1, 1, 2, 0], "mode": "replicate"})
case("pad circular a full wrap", "pad", lambda x: F.pad(x, (3, 0), mode="circular"), [randn(1, 2, 3)], {"pad": [3, 0], "mode": "circular"})

both("flip", "flip", lambda x: torch.flip(x, (0, 2)), X3, {"dims": [0, 2]})
case("flip one dim", "flip", lambda x: torch.flip(x, (1,)), [ints([[1, 2, 3], [4, 5, 6]])], {"dims": [1]})
case("roll with dims", "roll", lambda x: torch.roll(x, (1, -2), (0, 2)), [randn(2, 3, 4)], {"shifts": [1, -2], "dims": [0, 2]})
case("roll flattened", "roll", lambda x: torch.roll(x, 5), [randn(2, 3)], {"shifts": 5})
both("repeat", "repeat", lambda x: x.repeat(2, 1, 3), lambda dt: [randn(2, 3, dt=dt)], {"sizes": [2, 1, 3]})
case("repeat with zero", "repeat", lambda x: x.repeat(0, 2), [randn(2, 3)], {"sizes": [0, 2]})
case("tile with fewer dims", "tile", lambda x: torch.tile(x, (2,)), [randn(2, 3)], {"dims": [2]})
case("tile with more dims", "tile", lambda x: torch.tile(x, (2, 1, 2)), [randn(3, 2)], {"dims": [2, 1, 2]})
both("repeatInterleave int along dim", "repeatInterleave", lambda x: torch.repeat_interleave(x, 2, 1), lambda dt: [randn(2, 3, dt=dt)], {"repeats": 2, "dim": 1})
case("repeatInterleave flattened", "repeatInterleave", lambda x: torch.repeat_interleave(x, 3), [randn(2, 2)], {"repeats": 3})
case("repeatInterleave with counts", "repeatInterleaveTensor", lambda x, r: torch.repeat_interleave(x, r, 0), [randn(4, 2), ints([2, 0, 3, 1])], {"dim": 0})
case("repeatInterleave of counts alone", "repeatInterleaveCounts", lambda r: torch.repeat_interleave(r), [ints([2, 0, 1, 3])], {})
for k in (0, 1, -1):
    case(f"tril diagonal {k}", "tril", lambda x, k=k: torch.tril(x, k), [randn(2, 3, 4)], {"diagonal": k})
    case(f"triu diagonal {k}", "triu", lambda x, k=k: torch.triu(x, k), [randn(4, 3)], {"diagonal": k})
case("triu of bool", "triu", lambda x: torch.triu(x), [torch.ones(3, 3, dtype=BOOL)], {"diagonal": 0})
for k in (0, 2, -1):
    both(f"diag of a vector, offset {k}", "diag", lambda x, k=k: torch.diag(x, k), lambda dt: [randn(3, dt=dt)], {"diagonal": k})
    case(f"diag of a matrix, offset {k}", "diag", lambda x, k=k: torch.diag(x, k), [randn(3, 4)], {"diagonal": k})
both("diagonal offset 1 dims 0, 2", "diagonal", lambda x: torch.diagonal(x, 1, 0, 2), lambda dt: [randn(3, 2, 4, dt=dt)], {"offset": 1, "dim1": 0, "dim2": 2})
case("diagonal offset -1 of dims 2, 0", "diagonal", lambda x: torch.diagonal(x, -1, 2, 0), [randn(3, 2, 4)], {"offset": -1, "dim1": 2, "dim2": 0})
case("diagonal past the edge is empty", "diagonal", lambda x: torch.diagonal(x, 5), [randn(3, 4)], {"offset": 5})
both("diagEmbed", "diagEmbed", lambda x: torch.diag_embed(x), lambda dt: [randn(2, 3, dt=dt)], {})
case("diagEmbed offset 1 dims 0, 2", "diagEmbed", lambda x: torch.diag_embed(x, 1, 0, 2), [randn(2, 3)], {"offset": 1, "dim1": 0, "dim2": 2})
case("diagEmbed offset -2", "diagEmbed", lambda x: torch.diag_embed(x, -2), [randn(3)], {"offset": -2})
case("unflatten", "unflatten", lambda x: x.unflatten(1, (2, -1)), [randn(2, 6)], {"dim": 1, "sizes": [2, -1]})
case("split by size", "split", lambda x: torch.split(x, 2, 1), [randn(3, 5)], {"split": 2, "dim": 1})
case("split by sizes", "split", lambda x: torch.split(x, [1, 3, 0, 1], 1), [randn(3, 5)], {"split": [1, 3, 0, 1], "dim": 1})
case("chunk", "chunk", lambda x: torch.chunk(x, 3, 0), [randn(7, 2)], {"chunks": 3, "dim": 0})
case("chunk into fewer pieces", "chunk", lambda x: torch.chunk(x, 4, 0), [randn(6)], {"chunks": 4, "dim": 0})
case("chunk of an empty dim", "chunk", lambda x: torch.chunk(x, 3, 0), [torch.zeros(0, dtype=F64)], {"chunks": 3, "dim": 0})
case("tensorSplit by sections", "tensorSplit", lambda x: torch.tensor_split(x, 3, 1), [randn(2, 7)], {"split": 3, "dim": 1})
case("tensorSplit by indices", "tensorSplit", lambda x: torch.tensor_split(x, [1, 4, -1, 10], 0), [randn(6, 2)], {"split": [1, 4, -1, 10], "dim": 0})
case("meshgrid ij", "meshgrid", lambda a, b, c: torch.meshgrid(a, b, c, indexing="ij"), [randn(2), randn(3), randn(1)], {"indexing": "ij"})
case("meshgrid xy", "meshgrid", lambda a, b, c: torch.meshgrid(a, b, c, indexing="xy"), [randn(2), randn(3), randn(4)], {"indexing": "xy"})
case("movedim", "movedim", lambda x: torch.movedim(x, (0, 1), (2, 0)), [randn(2, 3, 4)], {"source": [0, 1], "destination": [2, 0]})
case("movedim one", "movedim", lambda x: torch.movedim(x, -1, 0), [randn(2, 3, 4)], {"source": -1, "destination": 0})
case("swapaxes", "swapaxes", lambda x: torch.swapaxes(x, 0, -1), [randn(2, 3, 4)], {"dim0": 0, "dim1": -1})
both("unfold (windows)", "unfold", lambda x: x.unfold(1, 3, 2), lambda dt: [randn(2, 7, 2, dt=dt)], {"dim": 1, "size": 3, "step": 2})
case("unfold overlapping", "unfold", lambda x: x.unfold(0, 2, 1), [randn(5)], {"dim": 0, "size": 2, "step": 1})
case("unfold of a zero-dim tensor", "unfold", lambda x: x.unfold(0, 1, 1), [t(5.0)], {"dim": 0, "size": 1, "step": 1})
both("take", "take", lambda x, i: torch.take(x, i), lambda dt: [randn(3, 4, dt=dt), ints([[0, -1], [5, 5]])], {})
both("takeAlongDim", "takeAlongDim", lambda x, i: torch.take_along_dim(x, i, 1), lambda dt: [randn(3, 4, dt=dt), ints([[0, 3], [1, 1], [2, 0]])], {"dim": 1})
case("takeAlongDim broadcast", "takeAlongDim", lambda x, i: torch.take_along_dim(x, i, 0), [randn(3, 4), ints([[2, 0, 1, 1]])], {"dim": 0})
case("takeAlongDim flattened", "takeAlongDim", lambda x, i: torch.take_along_dim(x, i), [randn(2, 3), ints([5, 0, 2])], {})
for fn, torch_fn in (("atleast1d", torch.atleast_1d), ("atleast2d", torch.atleast_2d), ("atleast3d", torch.atleast_3d)):
    for shape in ((), (3,), (2, 3)):
        case(f"{fn} of {list(shape)}", fn, lambda x, f=torch_fn: f(x), [randn(*shape)], {})

# ---- indexing ----


def to_torch(items, tensors):
    """The index items from JSON: ints, null, "...", {"slice": [start, stop, step]}, {"tensor": k} (index tensor k)."""
    out = []
    for it in items:
        if isinstance(it, dict) and "slice" in it:
            out.append(slice(*it["slice"]))
        elif isinstance(it, dict) and "tensor" in it:
            out.append(tensors[it["tensor"]])
        elif it == "...":
            out.append(Ellipsis)
        elif it == ":":
            out.append(slice(None))
        else:
            out.append(it)
    return tuple(out)


def index_case(name, x, items, index_tensors=(), dts=(F64,)):
    for dt in dts:
        label = name if len(dts) == 1 else f"{name} {DTYPE_NAME[dt]}"
        xs = [x.to(dt) if x.is_floating_point() else x, *index_tensors]
        case(label, "index", lambda x, *ts, items=items: x[to_torch(items, ts)], xs, {"items": items})


X = torch.arange(120, dtype=F64).reshape(2, 3, 4, 5) / 7 - 5
index_case("index an integer and a slice with a step", X, [1, {"slice": [None, None, 2]}], dts=(F32, F64))
index_case("index negative integers and a slice", X, [-1, {"slice": [-2, None, None]}, -3])
index_case("index null and ellipsis", X, [None, "...", {"slice": [1, 4, 2]}, None])
index_case("index a clipped slice", X, [{"slice": [1, 10, 3]}, {"slice": [-10, 2, 1]}])
index_case("index an empty slice", X, [{"slice": [3, 1, 1]}])
index_case("index a tensor", X, [{"tensor": 0}], [ints([1, 0, 1])], dts=(F32, F64))
index_case("index two adjacent tensors (broadcast)", X, [":", {"tensor": 0}, {"tensor": 1}], [ints([[0], [2]]), ints([1, -1, 0])])
index_case("index two separated tensors (dims first)", X, [{"tensor": 0}, ":", {"tensor": 1}], [ints([0, 1]), ints([[3], [0]])])
index_case("index an integer then a tensor (ints as select)", X, [":", 0, ":", {"tensor": 0}], [ints([1, 2])])
index_case("index a tensor after null", X, [None, {"tensor": 0}, {"tensor": 1}], [ints([0, 1]), ints([2, 2])])
index_case("index repeated positions", X, [{"tensor": 0}], [ints([1, 1, 0, 1])])
index_case("index a bool mask over two dims", X, [{"tensor": 0}], [torch.tensor([[True, False, True], [False, False, True]])], dts=(F32, F64))
index_case("index a bool mask after a slice", X, [":", ":", {"tensor": 0}], [torch.tensor([True, False, False, True])])
index_case("index a mask and a tensor", X, [{"tensor": 0}, ":", {"tensor": 1}], [torch.tensor([False, True]), ints([3])])
index_case("index a list-like tensor with an ellipsis", X, ["...", {"tensor": 0}], [ints([[4, 0], [1, 1]])])
index_case("index an empty tensor index", X, [{"tensor": 0}], [torch.zeros(0, dtype=I64)])


def put(x, items, v, accumulate):
    """index_put where every item is a tensor; otherwise `x[items] = v` (or `+=`) on a clone, as PyTorch writes it."""
    if all(isinstance(i, torch.Tensor) for i in items):
        return x.index_put(items, v, accumulate=accumulate)
    y = x.clone()
    if accumulate:
        y[items] += v
    else:
        y[items] = v
    return y


def put_case(name, x, items, index_tensors, values, accumulate):
    case(name, "indexPut", lambda x, v, *ts, items=items: put(x, to_torch(items, ts), v, accumulate),
         [x, values, *index_tensors], {"items": items, "accumulate": accumulate})


put_case("indexPut tensors", randn(4, 3), [{"tensor": 0}, {"tensor": 1}], [ints([0, 2, 3]), ints([1, 1, 0])], randn(3), False)
put_case("indexPut rows broadcast", randn(4, 3), [{"tensor": 0}], [ints([3, 1])], randn(3), False)
put_case("indexPut accumulate with repeats", randn(4, 3), [{"tensor": 0}], [ints([1, 3, 1, 1])], randn(4, 3), True)
put_case("indexPut a mask", randn(3, 2), [{"tensor": 0}], [torch.tensor([[True, False], [False, False], [True, True]])], randn(3), False)
put_case("indexPut slices and an integer", randn(3, 4), [{"slice": [None, None, 2]}, 1], [], randn(2), False)
put_case("indexPut accumulate a mask", randn(2, 3), [{"tensor": 0}], [torch.tensor([True, False])], randn(1, 3), True)
both("maskedFill", "maskedFill", lambda x, m: x.masked_fill(m, -2.5), lambda dt: [randn(3, 4, dt=dt), torch.rand(3, 4) < 0.5], {"value": -2.5})
case("maskedFill a broadcast mask", "maskedFill", lambda x, m: x.masked_fill(m, INF), [randn(3, 4), torch.tensor([True, False, False, True])], {"value": "Infinity"})
case("maskedFill a tensor value (its gradient)", "maskedFillTensor", lambda x, m, v: x.masked_fill(m, v), [randn(3, 4), torch.rand(3, 4) < 0.5, t(1.5)], {})
both("maskedSelect", "maskedSelect", lambda x, m: torch.masked_select(x, m), lambda dt: [randn(3, 4, dt=dt), torch.rand(3, 4) < 0.5], {})
case("maskedSelect broadcast", "maskedSelect", lambda x, m: torch.masked_select(x, m), [randn(4), torch.tensor([[True], [False], [True]])], {})
case("maskedScatter", "maskedScatter", lambda x, m, s: x.masked_scatter(m, s), [randn(3, 4), torch.rand(3, 4) < 0.5, randn(13)], {})
case("maskedScatter broadcast mask", "maskedScatter", lambda x, m, s: x.masked_scatter(m, s), [randn(2, 3), torch.tensor([False, True, True]), randn(2, 3)], {})
case("nonzero", "nonzero", lambda x: torch.nonzero(x), [t([[0.0, 1.0, NAN], [-0.0, 0.0, 2.0]])], {})
case("nonzero of 3-D int32", "nonzero", lambda x: torch.nonzero(x), [torch.randint(0, 3, (2, 3, 2))], {})
case("nonzero as tuple", "nonzeroTuple", lambda x: torch.nonzero(x, as_tuple=True), [torch.randint(0, 2, (3, 4))], {})
case("nonzero of a zero-dim tensor", "nonzero", lambda x: torch.nonzero(x), [t(5.0)], {})
case("nonzero of all zeros", "nonzero", lambda x: torch.nonzero(x), [torch.zeros(2, 3)], {})
case("argwhere", "argwhere", lambda x: torch.argwhere(x), [torch.randint(0, 2, (3, 3))], {})

# ---- scatter ----

both("scatter src", "scatter", lambda x, i, s: x.scatter(1, i, s), lambda dt: [randn(3, 5, dt=dt), ints([[0, 4], [2, 1], [3, 0]]), randn(3, 2, dt=dt)], {"dim": 1})
case("scatter a src larger than the index", "scatter", lambda x, i, s: x.scatter(1, i, s), [randn(3, 5), ints([[0, 4], [2, 1]]), randn(3, 4)], {"dim": 1}, grad=False)
case("scatter src along dim 0 (index smaller than the input)", "scatter", lambda x, i, s: x.scatter(0, i, s), [randn(4, 3), ints([[3, 0], [1, 2]]), randn(2, 2)], {"dim": 0})
case("scatter a value", "scatterValue", lambda x, i: x.scatter(1, i, -1.5), [randn(3, 4), ints([[0, 1], [3, 3], [2, 0]])], {"dim": 1, "value": -1.5})
for red in ("add", "multiply"):
    case(f"scatter with reduce {red}", "scatter", lambda x, i, s, r=red: x.scatter(0, i, s, reduce=r), [randn(3, 2), ints([[0, 1], [0, 1], [2, 1]]), randn(3, 2)], {"dim": 0, "reduce": red}, grad=False)
for red in ("sum", "prod", "mean", "amax", "amin"):
    for inc in (True, False):
        both(f"scatterReduce {red}{'' if inc else ' without self'}", "scatterReduce",
             lambda x, i, s, r=red, inc=inc: x.scatter_reduce(0, i, s, r, include_self=inc),
             lambda dt: [randn(4, 3, dt=dt), ints([[0, 1, 0], [2, 1, 0], [0, 3, 0], [2, 1, 1]]), randn(4, 3, dt=dt)],
             {"dim": 0, "reduce": red, "includeSelf": inc})
case("scatterReduce amax with ties (gradient shared)", "scatterReduce", lambda x, i, s: x.scatter_reduce(1, i, s, "amax"),
     [t([[1.0, 2.0, 0.0], [5.0, 0.0, 1.0]]), ints([[0, 0, 2], [1, 0, 0]]), t([[1.0, 1.0, 0.0], [3.0, 5.0, 2.0]])], {"dim": 1, "reduce": "amax", "includeSelf": True})
case("scatterReduce prod with zeros", "scatterReduce", lambda x, i, s: x.scatter_reduce(0, i, s, "prod"),
     [t([2.0, 0.0, 3.0]), ints([0, 0, 1, 2, 2]), t([0.0, 4.0, 5.0, 0.0, 0.0])], {"dim": 0, "reduce": "prod", "includeSelf": True})
case("scatterReduce mean of int32", "scatterReduce", lambda x, i, s: x.scatter_reduce(0, i, s, "mean"),
     [ints([1, -7, 3]), ints([1, 1, 0]), ints([2, 4, -6])], {"dim": 0, "reduce": "mean", "includeSelf": True})
case("scatterReduce amax with NaN", "scatterReduce", lambda x, i, s: x.scatter_reduce(0, i, s, "amax", include_self=False),
     [t([1.0, 2.0, 3.0]), ints([0, 0, 2]), t([NAN, 1.0, 5.0])], {"dim": 0, "reduce": "amax", "includeSelf": False}, grad=False)
both("indexCopy", "indexCopy", lambda x, i, s: x.index_copy(1, i, s), lambda dt: [randn(2, 5, dt=dt), ints([4, 0, 2]), randn(2, 3, dt=dt)], {"dim": 1})
both("indexFill", "indexFill", lambda x, i: x.index_fill(0, i, 2.5), lambda dt: [randn(4, 2, dt=dt), ints([3, 0])], {"dim": 0, "value": 2.5})
case("indexFill a negative index", "indexFill", lambda x, i: x.index_fill(1, i, -1.0), [randn(2, 3), ints([-1])], {"dim": 1, "value": -1})
case("indexFill a tensor value", "indexFillTensor", lambda x, i, v: x.index_fill(1, i, v), [randn(2, 3), ints([0, 2]), t(4.0)], {"dim": 1})


write_fixture(OUT_PATH, cases, newline=True)
