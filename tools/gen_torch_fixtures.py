"""Writes test/fixtures/torch-ops.json: PyTorch's forward values and gradients for every tensor op chainrule has.

Rerun from the repository root with Debian's Python, which has torch installed:

    /usr/bin/python3 tools/gen_torch_fixtures.py

Each case records the op name and its JSON args, the inputs (shape, flat data, dtype, requiresGrad),
the forward output, a seeded random gradOutput of the output's shape, and the gradient of every input
that requires grad (null for the others), computed with torch.autograd.grad(out, inputs, grad_outputs).
Every case reseeds torch from a hash of its name, so adding or removing a case leaves the others as
they were. Floats are written with full precision (Python's repr of the exact double; a float32 value
is written as the double it widens to), so test/torch-fixtures.test.ts rebuilds the inputs exactly.
Inputs keep away from non-differentiable points: relu/abs/leaky_relu/clamp inputs stay clear of the
kinks, log/sqrt/pow bases are positive, divisors are away from zero, and max/min/maximum/minimum
inputs are all distinct so there are no ties.
"""

import json
import os
import zlib

import torch
import torch.nn.functional as F

F32 = torch.float32
F64 = torch.float64
DTYPES = (F32, F64)
DTYPE_NAME = {F32: "float32", F64: "float64", torch.int64: "int32", torch.int32: "int32", torch.bool: "bool"}

OUT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "torch-ops.json")

cases = []
names = set()


# ---- input generators (all draw from the global generator, reseeded per case) ----


def randn(shape, dt, scale=1.0):
    return (torch.randn(shape, dtype=F64) * scale).to(dt)


def uniform(shape, dt, lo, hi):
    return (torch.rand(shape, dtype=F64) * (hi - lo) + lo).to(dt)


def away_from_zero(shape, dt, margin=0.1):
    """Values with |x| >= margin, both signs: clear of the kinks of relu/abs/leaky_relu and of division by zero."""
    x = torch.randn(shape, dtype=F64)
    return (torch.sign(x + (x == 0).double()) * (margin + x.abs())).to(dt)


def distinct(shapes, dt):
    """Tensors whose elements are all distinct (also across tensors), at least ~0.15 apart: no ties anywhere."""
    sizes = [int(torch.Size(s).numel()) for s in shapes]
    total = sum(sizes)
    vals = (torch.randperm(total).double() - total / 2) * 0.25 + (torch.rand(total, dtype=F64) - 0.5) * 0.1
    out, at = [], 0
    for s, n in zip(shapes, sizes):
        out.append(vals[at:at + n].reshape(s).to(dt))
        at += n
    return out


def with_ties(shape, dt):
    """Values on a coarse grid (multiples of 0.5 in [-1, 1]), so comparisons see equal elements."""
    return (torch.randint(-2, 3, shape).double() * 0.5).to(dt)


def clamp_input(shape, dt, lo, hi, margin=0.05):
    """Values spread over [lo - 1, hi + 1], none within `margin` of the clamp bounds."""
    lo_b = -1.5 if lo is None else lo
    hi_b = 1.5 if hi is None else hi
    x = uniform(shape, F64, lo_b - 1.0, hi_b + 1.0)
    for b in (lo, hi):
        if b is not None:
            near = (x - b).abs() < margin
            x = torch.where(near, x + 3 * margin * torch.sign(x - b + 1e-12), x)
    return x.to(dt)


# ---- recording ----


def encode(t):
    t = t.detach()
    if t.dtype == torch.bool:
        data = [bool(v) for v in t.reshape(-1).tolist()]
    elif t.dtype in (torch.int64, torch.int32):
        data = [int(v) for v in t.reshape(-1).tolist()]
    else:
        data = [float(v) for v in t.reshape(-1).tolist()]
    return {"shape": list(t.shape), "dtype": DTYPE_NAME[t.dtype], "data": data}


def seed_for(name):
    return zlib.crc32(name.encode("utf-8"))


def record(name, op, args, make_inputs, fn, grads=None):
    """Adds one case. `make_inputs()` returns (tensor, requires_grad) pairs; `fn(*tensors)` is torch's op.

    `grads` forces differentiation on (True) or off (False); by default a case is differentiated when
    its output is floating point and some input requires grad.
    """
    assert name not in names, name
    names.add(name)
    torch.manual_seed(seed_for(name))
    pairs = make_inputs()
    inputs = []
    for t, rg in pairs:
        t = t.detach().clone()
        if rg:
            t.requires_grad_(True)
        inputs.append(t)
    out = fn(*inputs)
    needs = [t for t in inputs if t.requires_grad]
    differentiable = out.is_floating_point() and len(needs) > 0 if grads is None else grads
    case = {
        "name": name,
        "op": op,
        "args": args,
        "dtype": DTYPE_NAME[out.dtype] if out.is_floating_point() else DTYPE_NAME[inputs[0].dtype],
        "inputs": [dict(encode(t), requiresGrad=t.requires_grad) for t in inputs],
        "output": encode(out),
        "gradOutput": None,
        "grads": None,
    }
    if differentiable:
        g_out = torch.randn(out.shape, dtype=F64).to(out.dtype)
        got = torch.autograd.grad(out, needs, grad_outputs=g_out)
        it = iter(got)
        case["gradOutput"] = encode(g_out)
        case["grads"] = [encode(next(it)) if t.requires_grad else None for t in inputs]
    cases.append(case)


def dt_name(dt):
    return DTYPE_NAME[dt]


# ---- elementwise binary arithmetic ----

BROADCAST_SHAPES = [
    ("2x3_3", [2, 3], [3]),
    ("2x1x4_3x1", [2, 1, 4], [3, 1]),
    ("scalar_2x3", [], [2, 3]),
]

BINARY = {
    "add": torch.add,
    "sub": torch.sub,
    "mul": torch.mul,
    "div": torch.div,
}

for op, fn in BINARY.items():
    for dt in DTYPES:
        shapes = list(BROADCAST_SHAPES)
        if op == "add":
            shapes = [("same_2x3", [2, 3], [2, 3])] + shapes
        for tag, sa, sb in shapes:
            def mk(sa=sa, sb=sb, dt=dt, op=op):
                b = away_from_zero(sb, dt, 0.5) if op == "div" else randn(sb, dt)
                return [(randn(sa, dt), True), (b, True)]
            record(f"{op}/{tag}/{dt_name(dt)}", op, {}, mk, fn)
        # Second operand a plain number.
        scalar = {"add": 2.5, "sub": -1.25, "mul": -1.5, "div": 3.0}[op]
        record(f"{op}/number_other/{dt_name(dt)}", op, {"other": scalar},
               lambda dt=dt: [(randn([2, 3], dt), True)], lambda a, fn=fn, s=scalar: fn(a, s))

# One operand that does not require grad: its gradient is null.
for dt in DTYPES:
    record(f"sub/b_no_grad/{dt_name(dt)}", "sub", {},
           lambda dt=dt: [(randn([2, 3], dt), True), (randn([3], dt), False)], torch.sub)
    record(f"div/a_no_grad/{dt_name(dt)}", "div", {},
           lambda dt=dt: [(randn([3, 1], dt), False), (away_from_zero([2], dt, 0.5), True)], torch.div)

# Type promotion: float32 with float64 gives float64; each gradient comes back in its input's dtype.
record("add/promote_float32_float64/float64", "add", {},
       lambda: [(randn([2, 3], F32), True), (randn([3], F64), True)], torch.add)
record("mul/promote_float64_float32/float64", "mul", {},
       lambda: [(randn([2, 1], F64), True), (randn([2, 3], F32), True)], torch.mul)

# pow: positive bases; tensor exponent (gradient log(base) * out), number exponents.
for dt in DTYPES:
    record(f"pow/tensor_2x3_3/{dt_name(dt)}", "pow", {},
           lambda dt=dt: [(uniform([2, 3], dt, 0.5, 2.5), True), (randn([3], dt), True)], torch.pow)
    record(f"pow/scalar_base_2x3/{dt_name(dt)}", "pow", {},
           lambda dt=dt: [(uniform([], dt, 0.5, 2.5), True), (randn([2, 3], dt), True)], torch.pow)
    for tag, e in (("number_2", 2.0), ("number_0.5", 0.5), ("number_-1.5", -1.5)):
        record(f"pow/{tag}/{dt_name(dt)}", "pow", {"exponent": e},
               lambda dt=dt: [(uniform([2, 3], dt, 0.5, 2.5), True)], lambda a, e=e: torch.pow(a, e))

# ---- elementwise unary ----

UNARY = {
    "neg": (torch.neg, lambda s, dt: randn(s, dt)),
    "abs": (torch.abs, lambda s, dt: away_from_zero(s, dt)),
    "sqrt": (torch.sqrt, lambda s, dt: uniform(s, dt, 0.2, 3.0)),
    "exp": (torch.exp, lambda s, dt: randn(s, dt)),
    "log": (torch.log, lambda s, dt: uniform(s, dt, 0.2, 3.0)),
    "log1p": (torch.log1p, lambda s, dt: uniform(s, dt, -0.5, 3.0)),
    "expm1": (torch.expm1, lambda s, dt: randn(s, dt)),
    "erf": (torch.erf, lambda s, dt: randn(s, dt, 1.5)),
    "softplus": (torch.nn.functional.softplus, lambda s, dt: randn(s, dt, 8.0)),
    "silu": (torch.nn.functional.silu, lambda s, dt: randn(s, dt, 2.0)),
    "sin": (torch.sin, lambda s, dt: randn(s, dt, 2.0)),
    "cos": (torch.cos, lambda s, dt: randn(s, dt, 2.0)),
    "tanh": (torch.tanh, lambda s, dt: randn(s, dt, 1.5)),
    "sigmoid": (torch.sigmoid, lambda s, dt: randn(s, dt, 2.0)),
    "relu": (torch.relu, lambda s, dt: away_from_zero(s, dt)),
}

for op, (fn, gen) in UNARY.items():
    for dt, shape in ((F32, [2, 3]), (F64, [3, 2])):
        record(f"{op}/{'x'.join(map(str, shape))}/{dt_name(dt)}", op, {},
               lambda gen=gen, shape=shape, dt=dt: [(gen(shape, dt), True)], fn)
for op in ("exp", "tanh", "relu"):
    fn, gen = UNARY[op]
    record(f"{op}/scalar/float64", op, {}, lambda gen=gen: [(gen([], F64), True)], fn)

# relu's gradient as a function of its own (double backward): d/dv is the mask, d/dx is zero.
for dt in DTYPES:
    record(f"reluGrad/2x3/{dt_name(dt)}", "reluGrad", {},
           lambda dt=dt: [(away_from_zero([2, 3], dt), True), (randn([2, 3], dt), True)],
           lambda x, v: torch.autograd.grad(torch.relu(x), x, v, create_graph=True)[0])

# The loss's own kernels differentiated again: log_softmax's gradient (_log_softmax_backward_data) as a function
# of the incoming gradient and the input, along the last dim and a middle one; and cross entropy's gradient
# (nll_loss_backward, then that) as a function of the logits, with one target ignored.
for dt in DTYPES:
    for tag, shape, dim in (("2x5/dim1", [2, 5], 1), ("2x3x4/dim1", [2, 3, 4], 1)):
        record(f"logSoftmaxGrad/{tag}/{dt_name(dt)}", "logSoftmaxGrad", {"dim": dim},
               lambda dt=dt, shape=shape: [(randn(shape, dt, 1.5), True), (randn(shape, dt), True)],
               lambda x, v, dim=dim: torch.autograd.grad(F.log_softmax(x, dim), x, v, create_graph=True)[0])
    for reduction in ("mean", "sum"):
        target = [2, -100, 0, 3, 1]
        record(f"crossEntropyGrad/5x4/{reduction}/{dt_name(dt)}", "crossEntropyGrad", {"target": target, "reduction": reduction},
               lambda dt=dt: [(randn([5, 4], dt, 1.5), True)],
               lambda x, target=target, reduction=reduction:
                   torch.autograd.grad(F.cross_entropy(x, torch.tensor(target), reduction=reduction), x, create_graph=True)[0])

for dt in DTYPES:
    record(f"leakyRelu/default/{dt_name(dt)}", "leakyRelu", {},
           lambda dt=dt: [(away_from_zero([2, 3], dt), True)], F.leaky_relu)
    record(f"leakyRelu/slope_0.2/{dt_name(dt)}", "leakyRelu", {"negativeSlope": 0.2},
           lambda dt=dt: [(away_from_zero([2, 3], dt), True)], lambda a: F.leaky_relu(a, 0.2))
    for approx in ("none", "tanh"):
        record(f"gelu/{approx}/{dt_name(dt)}", "gelu", {"approximate": approx},
               lambda dt=dt: [(randn([2, 4], dt, 2.0), True)], lambda a, approx=approx: F.gelu(a, approximate=approx))
    for tag, lo, hi in (("min_max", -0.5, 0.75), ("min_only", -0.25, None), ("max_only", None, 0.3)):
        args = {"min": lo, "max": hi}
        record(f"clamp/{tag}/{dt_name(dt)}", "clamp", args,
               lambda dt=dt, lo=lo, hi=hi: [(clamp_input([3, 4], dt, lo, hi), True)],
               lambda a, lo=lo, hi=hi: torch.clamp(a, lo, hi))

# ---- maximum / minimum (all values distinct, so no ties) ----

for op, fn in (("maximum", torch.maximum), ("minimum", torch.minimum)):
    for dt in DTYPES:
        for tag, sa, sb in (("same_2x3", [2, 3], [2, 3]), ("2x3_3", [2, 3], [3]), ("3x1_scalar", [3, 1], [])):
            record(f"{op}/{tag}/{dt_name(dt)}", op, {},
                   lambda sa=sa, sb=sb, dt=dt: [(t, True) for t in distinct([sa, sb], dt)], fn)

# ---- comparisons (forward only, bool results; inputs on a coarse grid so equal elements occur) ----

COMPARE = {"gt": torch.gt, "ge": torch.ge, "lt": torch.lt, "le": torch.le, "eq": torch.eq, "ne": torch.ne}
for op, fn in COMPARE.items():
    for dt, sa, sb, tag in ((F32, [2, 3], [3], "2x3_3"), (F64, [3, 1], [4], "3x1_4")):
        record(f"{op}/{tag}/{dt_name(dt)}", op, {},
               lambda sa=sa, sb=sb, dt=dt: [(with_ties(sa, dt), False), (with_ties(sb, dt), False)], fn)

# ---- where ----

for dt in DTYPES:
    record(f"where/2x3_2x3_3/{dt_name(dt)}", "where", {},
           lambda dt=dt: [(torch.rand([2, 3]) < 0.5, False), (randn([2, 3], dt), True), (randn([3], dt), True)],
           torch.where)
    record(f"where/2x1_scalar_1x3/{dt_name(dt)}", "where", {},
           lambda dt=dt: [(torch.tensor([[True], [False]]), False), (randn([], dt), True), (randn([1, 3], dt), True)],
           torch.where)

# ---- matmul ----

MATMUL_SHAPES = [
    ("1d_1d", [4], [4]),
    ("2d_1d", [3, 4], [4]),
    ("1d_2d", [4], [4, 2]),
    ("2d_2d", [3, 4], [4, 2]),
    ("3d_2d", [2, 3, 4], [4, 2]),
    ("batch_broadcast", [2, 1, 3, 4], [3, 4, 2]),
    ("2d_3d", [3, 4], [5, 4, 2]),  # a weight applied to every item of a batch, as a convolution's
    ("4d_2d", [2, 3, 5, 4], [4, 2]),
]
for dt in DTYPES:
    for tag, sa, sb in MATMUL_SHAPES:
        record(f"matmul/{tag}/{dt_name(dt)}", "matmul", {},
               lambda sa=sa, sb=sb, dt=dt: [(randn(sa, dt), True), (randn(sb, dt), True)], torch.matmul)

# addmm: a bias row (one kernel in chainrule), and scaled forms with a 2-D or column input (composites).
for dt in DTYPES:
    for tag, si, args in (
        ("bias_row", [2], {}),
        ("matrix_beta_alpha", [3, 2], {"beta": 0.5, "alpha": -2.0}),
        ("column_beta0", [3, 1], {"beta": 0.0, "alpha": 1.5}),
    ):
        record(f"addmm/{tag}/{dt_name(dt)}", "addmm", args,
               lambda si=si, dt=dt: [(randn(si, dt), True), (randn([3, 4], dt), True), (randn([4, 2], dt), True)],
               lambda c, a, b, args=args: torch.addmm(c, a, b, **args))

# ---- reductions ----


def reduction(op, variants, fn, gen=randn):
    """variants: (tag, shape, args); fn(x, args) runs torch's op."""
    for dt in DTYPES:
        for tag, shape, args in variants:
            record(f"{op}/{tag}/{dt_name(dt)}", op, args,
                   lambda shape=shape, dt=dt: [(gen(shape, dt), True)], lambda a, args=args: fn(a, args))


def dim_kw(args):
    d = args.get("dim")
    return tuple(d) if isinstance(d, list) else d


reduction("sum", [
    ("all", [2, 3], {}),
    ("scalar", [], {}),
    ("dim1", [2, 3, 2], {"dim": 1}),
    ("dims_0_2_keepdim", [2, 3, 2], {"dim": [0, 2], "keepdim": True}),
    ("dim-1_keepdim", [3, 4], {"dim": -1, "keepdim": True}),
], lambda a, args: a.sum() if "dim" not in args else a.sum(dim_kw(args), keepdim=args.get("keepdim", False)))

reduction("mean", [
    ("all", [2, 3], {}),
    ("dim0", [3, 4], {"dim": 0}),
    ("dims_-1_0_keepdim", [2, 3, 2], {"dim": [-1, 0], "keepdim": True}),
], lambda a, args: a.mean() if "dim" not in args else a.mean(dim_kw(args), keepdim=args.get("keepdim", False)))

for op in ("max", "min"):
    reduction(op, [
        ("all", [3, 4], {}),
        ("dim1", [3, 4], {"dim": 1}),
        ("dim0_keepdim", [2, 3, 2], {"dim": 0, "keepdim": True}),
    ], lambda a, args, op=op: getattr(a, op)() if "dim" not in args
        else getattr(a, op)(args["dim"], keepdim=args.get("keepdim", False)).values,
        gen=lambda s, dt: distinct([s], dt)[0])

for op in ("argmax", "argmin"):
    for dt, tag, shape, args in (
        (F32, "all", [3, 4], {}),
        (F64, "dim1", [3, 4], {"dim": 1}),
        (F32, "dim0_keepdim", [2, 3, 2], {"dim": 0, "keepdim": True}),
        (F64, "dim-1", [2, 3, 4], {"dim": -1}),
    ):
        record(f"{op}/{tag}/{dt_name(dt)}", op, args,
               lambda shape=shape, dt=dt: [(distinct([shape], dt)[0], False)],
               lambda a, args=args, op=op: getattr(torch, op)(a) if "dim" not in args
               else getattr(torch, op)(a, args["dim"], keepdim=args.get("keepdim", False)))

reduction("logsumexp", [
    ("dim1", [3, 4], {"dim": 1}),
    ("dims_0_1_keepdim", [2, 3, 2], {"dim": [0, 1], "keepdim": True}),
    ("dim-1_3d", [2, 2, 3], {"dim": -1}),
], lambda a, args: torch.logsumexp(a, dim_kw(args), keepdim=args.get("keepdim", False)))
# Values near 1000 overflow a naive exp in both dtypes: the result must still be finite.
reduction("logsumexp", [("large_values", [2, 3], {"dim": 1})],
          lambda a, args: torch.logsumexp(a, args["dim"]), gen=lambda s, dt: randn(s, dt) + 1000.0)

VAR_VARIANTS = [
    ("all", [3, 4], {}),
    ("dim1", [3, 4], {"dim": 1}),
    ("dims_0_1_correction0_keepdim", [2, 3, 2], {"dim": [0, 1], "correction": 0, "keepdim": True}),
    ("dim0_correction2", [5, 2], {"dim": 0, "correction": 2}),
]
for op in ("var", "std"):
    reduction(op, VAR_VARIANTS, lambda a, args, op=op: getattr(torch, op)(
        a, dim=dim_kw(args), correction=args.get("correction", 1), keepdim=args.get("keepdim", False)))

for op, fn in (("softmax", torch.softmax), ("logSoftmax", torch.log_softmax)):
    reduction(op, [
        ("dim1", [3, 4], {"dim": 1}),
        ("dim0_3d", [3, 2, 2], {"dim": 0}),
        ("dim-1", [2, 5], {"dim": -1}),
    ], lambda a, args, fn=fn: fn(a, args["dim"]))
    reduction(op, [("large_values", [2, 3], {"dim": 1})], lambda a, args, fn=fn: fn(a, args["dim"]),
              gen=lambda s, dt: randn(s, dt, 3.0) + 1000.0)

# ---- shape ops (variants alternate float32 / float64; each op gets both) ----


def shape_op(op, variants, fn):
    """variants: (tag, input shapes, args); fn(tensors, args) runs torch's op."""
    for i, (tag, shapes, args) in enumerate(variants):
        dts = DTYPES if len(variants) == 1 else (DTYPES[i % 2],)
        for dt in dts:
            record(f"{op}/{tag}/{dt_name(dt)}", op, args,
                   lambda shapes=shapes, dt=dt: [(randn(s, dt), True) for s in shapes],
                   lambda *ts, args=args: fn(list(ts), args))


shape_op("reshape", [
    ("2x3x2_to_3x4", [[2, 3, 2]], {"shape": [3, 4]}),
    ("infer_-1", [[2, 3, 2]], {"shape": [-1, 6]}),
    ("to_scalar", [[1, 1]], {"shape": []}),
], lambda ts, a: ts[0].reshape(a["shape"]))
shape_op("view", [
    ("2x6_to_3x2x2", [[2, 6]], {"shape": [3, 2, 2]}),
    ("infer_-1", [[4, 3]], {"shape": [2, -1]}),
], lambda ts, a: ts[0].view(a["shape"]))
shape_op("transpose", [
    ("0_1", [[2, 3]], {"dim0": 0, "dim1": 1}),
    ("neg_dims_3d", [[2, 3, 4]], {"dim0": -1, "dim1": 0}),
], lambda ts, a: ts[0].transpose(a["dim0"], a["dim1"]))
shape_op("permute", [
    ("2_0_1", [[2, 3, 4]], {"dims": [2, 0, 1]}),
    ("neg_dims", [[2, 3, 4]], {"dims": [-2, -1, -3]}),
], lambda ts, a: ts[0].permute(a["dims"]))
shape_op("squeeze", [
    ("all", [[1, 3, 1, 2]], {}),
    ("dim2", [[1, 3, 1, 2]], {"dim": 2}),
    ("dim_not_1_is_noop", [[2, 3]], {"dim": 0}),
    ("dim-1", [[3, 1]], {"dim": -1}),
], lambda ts, a: ts[0].squeeze() if "dim" not in a else ts[0].squeeze(a["dim"]))
shape_op("unsqueeze", [
    ("dim0", [[2, 3]], {"dim": 0}),
    ("dim-1", [[2, 3]], {"dim": -1}),
    ("scalar", [[]], {"dim": 0}),
], lambda ts, a: ts[0].unsqueeze(a["dim"]))
shape_op("expand", [
    ("3x1_to_2x3x4", [[3, 1]], {"shape": [2, 3, 4]}),
    ("keep_-1", [[1, 4]], {"shape": [3, -1]}),
    ("scalar_to_2x2", [[]], {"shape": [2, 2]}),
], lambda ts, a: ts[0].expand(a["shape"]))
shape_op("flatten", [
    ("default", [[2, 3, 2]], {}),
    ("1_2", [[2, 3, 2, 2]], {"startDim": 1, "endDim": 2}),
    ("from_-2", [[2, 2, 3]], {"startDim": -2}),
], lambda ts, a: ts[0].flatten(a.get("startDim", 0), a.get("endDim", -1)))
shape_op("cat", [
    ("dim0", [[2, 3], [1, 3]], {"dim": 0}),
    ("dim-1_three", [[2, 1], [2, 3], [2, 2]], {"dim": -1}),
    ("default_dim", [[1, 2], [2, 2]], {}),
], lambda ts, a: torch.cat(ts, a.get("dim", 0)))
shape_op("stack", [
    ("dim0", [[2, 3], [2, 3]], {"dim": 0}),
    ("dim-1_three", [[3], [3], [3]], {"dim": -1}),
    ("dim1", [[2, 2], [2, 2]], {"dim": 1}),
], lambda ts, a: torch.stack(ts, a.get("dim", 0)))


def py_slice(t, a):
    idx = [slice(None)] * t.dim()
    idx[a["dim"]] = slice(a.get("start"), a.get("end"), a.get("step", 1))
    return t[tuple(idx)]


shape_op("slice", [
    ("dim1_from_1", [[3, 5]], {"dim": 1, "start": 1}),
    ("dim0_step2", [[5, 2]], {"dim": 0, "start": 0, "end": 5, "step": 2}),
    ("negative_start_end", [[2, 6]], {"dim": -1, "start": -4, "end": -1}),
    ("end_past_size_step3", [[7, 2]], {"dim": 0, "start": 1, "end": 100, "step": 3}),
], lambda ts, a: py_slice(ts[0], a))
shape_op("narrow", [
    ("dim0", [[4, 3]], {"dim": 0, "start": 1, "length": 2}),
    ("dim1_negative_start", [[2, 5]], {"dim": 1, "start": -3, "length": 2}),
], lambda ts, a: torch.narrow(ts[0], a["dim"], a["start"], a["length"]))
shape_op("select", [
    ("dim1", [[3, 4]], {"dim": 1, "index": 2}),
    ("dim0_negative_index", [[3, 2, 2]], {"dim": 0, "index": -1}),
], lambda ts, a: torch.select(ts[0], a["dim"], a["index"]))

# gather / indexSelect: the index is an int32 input that does not require grad; repeated indices
# make the backward pass accumulate.
for dt, tag, xs, dim, index in (
    (F32, "dim1_repeats", [3, 4], 1, [[0, 0, 3], [2, 1, 2], [3, 3, 3]]),
    (F64, "dim0", [3, 2], 0, [[2, 0], [1, 1], [0, 2], [2, 2]]),
    (F64, "dim-1_3d", [2, 2, 3], -1, [[[2], [0]], [[1], [1]]]),
):
    record(f"gather/{tag}/{dt_name(dt)}", "gather", {"dim": dim},
           lambda xs=xs, dt=dt, index=index: [(randn(xs, dt), True), (torch.tensor(index), False)],
           lambda x, i, dim=dim: torch.gather(x, dim, i))
for dt, tag, xs, dim, index in (
    (F32, "dim0_repeats", [3, 2], 0, [2, 0, 2, 1]),
    (F64, "dim1", [2, 4], 1, [3, 1]),
    (F64, "dim-1_repeats_3d", [2, 2, 3], -1, [0, 0, 2]),
):
    record(f"indexSelect/{tag}/{dt_name(dt)}", "indexSelect", {"dim": dim},
           lambda xs=xs, dt=dt, index=index: [(randn(xs, dt), True), (torch.tensor(index), False)],
           lambda x, i, dim=dim: torch.index_select(x, dim, i))


# max pooling on tied inputs (a coarse grid): the winner is the first maximum in window order, for the
# values' gradient and for the indices (flat iy*W + ix within each plane, as return_indices gives them).
for dt, tag, shape, kernel, kw in (
    (F32, "k2", [2, 3, 6, 6], 2, {}),
    (F64, "k3_s2_p1", [1, 2, 7, 7], 3, {"stride": 2, "padding": 1}),
    (F32, "k2_s1_d2", [1, 2, 6, 5], 2, {"stride": 1, "dilation": 2}),
    (F64, "k2x3_s1x2_p1x0", [2, 1, 5, 8], [2, 3], {"stride": [1, 2], "padding": [1, 0]}),
):
    args = {"kernelSize": kernel, **kw}
    record(f"maxPool2d/ties_{tag}/{dt_name(dt)}", "maxPool2d", args,
           lambda shape=shape, dt=dt: [(with_ties(shape, dt), True)],
           lambda x, kernel=kernel, kw=kw: F.max_pool2d(x, kernel, **kw))
    record(f"maxPool2dIndices/ties_{tag}/{dt_name(dt)}", "maxPool2dIndices", args,
           lambda shape=shape, dt=dt: [(with_ties(shape, dt), False)],
           lambda x, kernel=kernel, kw=kw: F.max_pool2d(x, kernel, return_indices=True, **kw)[1])


# ---- write ----


def main():
    os.makedirs(os.path.dirname(OUT_PATH), exist_ok=True)
    lines = [json.dumps(c, separators=(",", ":"), allow_nan=False) for c in cases]
    header = json.dumps({
        "generator": "tools/gen_torch_fixtures.py",
        "rerun": "/usr/bin/python3 tools/gen_torch_fixtures.py",
        "torch": torch.__version__.split("+")[0],
    }, separators=(",", ":"))
    with open(OUT_PATH, "w", encoding="utf-8") as f:
        f.write(header[:-1] + ',"cases":[\n' + ",\n".join(lines) + "\n]}\n")
    print(f"wrote {len(cases)} cases to {os.path.relpath(OUT_PATH)} ({os.path.getsize(OUT_PATH)} bytes)")


main()
