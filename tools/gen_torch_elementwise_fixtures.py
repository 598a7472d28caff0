"""Writes test/fixtures/torch-elementwise.json: PyTorch's values, gradients and tangents for every elementwise op of
chainrule's registry (src/ops/elementwise.ts). The op list comes from the registry itself (tools/list-ops.ts), so an
op added there needs no change here: rerun this, and the fixture has its cases.

    /usr/bin/python3 tools/gen_torch_elementwise_fixtures.py

Per op and floating dtype: a broadcast case with the op's forward value, the gradient of every floating input for a
seeded cotangent (torch.autograd.grad) and the tangent for seeded input tangents (forward-mode AD, where torch has
it); a case of special values (NaN, ±Infinity, ±0, and for two operands ties); an empty tensor. Inputs come from each
op's test domain, kept away from the points it is not differentiable at. Numbers JSON cannot hold are strings:
"NaN", "Infinity", "-Infinity", "-0". Every case reseeds torch from its name, so cases do not shift each other.
"""

import json
import os
import subprocess

import torch
import torch.autograd.forward_ad as fwAD

from torch_fixture_io import DTYPE_NAME, F32, F64, encode, seed_of, write_fixture

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT_PATH = os.path.join(ROOT, "test", "fixtures", "torch-elementwise.json")


def registry():
    out = subprocess.run(["node", "--import", "tsx", "tools/list-ops.ts"], cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def torch_fn(op):
    expr = op["torch"]
    if "(" in expr:
        fn = lambda *args: eval(expr, {"torch": torch}, dict(zip("abc", args)))
    else:
        fn = torch
        for part in expr.split("."):
            fn = getattr(fn, part)
    params = op["parameters"]
    if not params:
        return fn
    # Parameters are numbers to torch (chainrule's fixture holds them as zero-dim tensors of the case's dtype).
    return lambda *args: fn(*[float(x) if i in params else x for i, x in enumerate(args)])


def dtypes_of(op):
    return (torch.int32, torch.bool) if op["integral"] else (F32, F64)


def draw(op, i, shape, dt):
    """Input i of `op`: from its domain, away from the points it is not differentiable at."""
    if op["kinds"][i] == "bool":
        return torch.rand(shape, dtype=F64) < 0.5
    if op["rule"] == "logical":
        return torch.rand(shape, dtype=F64) < 0.5
    lo, hi = op["domains"][i]
    if dt in (torch.int32, torch.bool):
        # Integer-only ops (bitwise): integers across the domain, or bools.
        return torch.randint(int(lo), int(hi) + 1, shape, dtype=torch.int32) if dt == torch.int32 else torch.rand(shape, dtype=F64) < 0.5
    if i in op["parameters"]:
        # A numeric parameter (elu's alpha): one value, which torch gets as a plain number.
        # Rounded to float32: torch reads some (celu's alpha) through float, which would blur float64 results.
        return (torch.rand([], dtype=F64) * (hi - lo) + lo).float().to(dt)
    x = torch.rand(shape, dtype=F64) * (hi - lo) + lo
    avoid = op["avoid"]
    if avoid == "zero":
        x = torch.where(x.abs() < 0.1, x + 0.3 * torch.sign(x + 1e-9), x)
    elif avoid == "integers":
        frac = x - torch.floor(x)
        x = torch.where((frac < 0.1) | (frac > 0.9), torch.floor(x) + 0.5, x)
    return x.to(dt)


def torch_differentiates(out, needs):
    """Whether torch has a derivative for `out` (1.13 has none for floor_divide; chainrule's is zero, as div's)."""
    leaves = [x for x in needs if x.requires_grad]
    try:
        torch.autograd.grad(out, leaves, grad_outputs=torch.zeros_like(out), retain_graph=True, allow_unused=True)
        return True
    except RuntimeError:
        return False


def regular_case(op, dt):
    name = f"{op['name']}/broadcast/{DTYPE_NAME[dt]}"
    torch.manual_seed(seed_of(name))
    arity = op["arity"]
    shapes = [[2, 3]] if arity == 1 else [[2, 3], [3]] if arity == 2 else [[2, 1], [3], [2, 3]]
    xs = [draw(op, i, s, dt) for i, s in enumerate(shapes)]
    if op["avoid"] == "ties" and arity == 2:
        xs[1] = torch.where((xs[0] - xs[1]).abs() < 0.05, xs[1] + 0.2, xs[1])
    fn = torch_fn(op)
    floating = [x.is_floating_point() and i not in op["parameters"] for i, x in enumerate(xs)]
    needs = [x.detach().clone().requires_grad_(f) for x, f in zip(xs, floating)]
    out = fn(*needs)
    case = {"name": name, "op": op["name"], "inputs": [encode(x) for x in xs], "output": encode(out)}
    if op["differentiable"] and out.is_floating_point() and torch_differentiates(out, needs):
        g = torch.randn(out.shape, dtype=F64).to(out.dtype)
        leaves = [x for x in needs if x.requires_grad]
        got = iter(torch.autograd.grad(out, leaves, grad_outputs=g, allow_unused=True))
        grads = []
        for x in needs:
            if not x.requires_grad:
                grads.append(None)
                continue
            gi = next(got)
            grads.append(encode(torch.zeros_like(x) if gi is None else gi))
        case["gradOutput"] = encode(g)
        case["grads"] = grads
        tangents = [torch.randn(x.shape, dtype=F64).to(x.dtype) if f else None for x, f in zip(xs, floating)]
        try:
            with fwAD.dual_level():
                duals = [fwAD.make_dual(x, t) if t is not None else x for x, t in zip(xs, tangents)]
                jvp = fwAD.unpack_dual(fn(*duals)).tangent
            if jvp is not None:
                case["tangents"] = [None if t is None else encode(t) for t in tangents]
                case["jvp"] = encode(jvp)
        except (RuntimeError, NotImplementedError):
            pass  # torch 1.13 lacks forward AD for a few ops; the reverse-mode values still check the rule
    return case


SPECIALS = [float("nan"), float("inf"), float("-inf"), 0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 1e-30]
# For integer-only ops: the int32 extremes, signs, and (for shift counts, domain [0, 31]) the counts' ends.
INT_SPECIALS = [0, -1, 1, 2147483647, -2147483648, 5, -7, 12, 255, -256]
COUNT_SPECIALS = [0, 1, 31, 30, 16, 2, 7, 8, 15, 24]


def special_case(op, dt):
    name = f"{op['name']}/specials/{DTYPE_NAME[dt]}"
    torch.manual_seed(seed_of(name))
    n = len(SPECIALS)
    xs = []
    for i in range(op["arity"]):
        if dt in (torch.int32, torch.bool):
            counts = op["domains"][i][1] <= 31
            values = [k % 3 == 0 for k in range(n)] if dt == torch.bool else COUNT_SPECIALS if counts else INT_SPECIALS if i == 0 else INT_SPECIALS[::-1]
            xs.append(torch.tensor(values, dtype=dt))
        elif i in op["parameters"]:
            lo, hi = op["domains"][i]
            xs.append(torch.tensor((lo + hi) / 2, dtype=dt))
        elif op["kinds"][i] == "bool" or op["rule"] == "logical":
            xs.append(torch.tensor([k % 2 == 0 for k in range(n)]))
        elif i == 0:
            xs.append(torch.tensor(SPECIALS, dtype=dt))
        else:
            # The same values in another order (NaN meets numbers, infinities meet each other), and ties.
            xs.append(torch.tensor(SPECIALS[3:] + SPECIALS[:3], dtype=dt) if i == 1 else torch.tensor(SPECIALS[::-1], dtype=dt))
    out = torch_fn(op)(*xs)
    return {"name": name, "op": op["name"], "inputs": [encode(x) for x in xs], "output": encode(out)}


def empty_case(op, dt):
    xs = [
        torch.tensor(sum(op["domains"][i]) / 2, dtype=dt) if i in op["parameters"]
        else torch.zeros([0, 3], dtype=torch.bool if op["kinds"][i] == "bool" or op["rule"] == "logical" else dt)
        for i in range(op["arity"])
    ]
    out = torch_fn(op)(*xs)
    return {"name": f"{op['name']}/empty/{DTYPE_NAME[dt]}", "op": op["name"], "inputs": [encode(x) for x in xs], "output": encode(out)}


def main():
    cases = []
    for op in registry():
        for dt in dtypes_of(op):
            for make in (regular_case, special_case, empty_case):
                try:
                    cases.append(make(op, dt))
                except RuntimeError as e:
                    # torch refuses the case (bool shifts; prelu's weight on a 1-D input): chainrule's own tests
                    # check those errors and shapes (test/math-ops.test.ts, test/activations.test.ts).
                    print(f"skipped {op['name']} {make.__name__} {DTYPE_NAME[dt]}: {str(e).splitlines()[0][:100]}")
    write_fixture(OUT_PATH, cases, newline=True)


if __name__ == "__main__":
    main()
