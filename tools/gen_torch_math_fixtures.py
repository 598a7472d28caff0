"""Writes test/fixtures/torch-math.json: PyTorch's results for the hand-written forms of issue 23's math ops, which
the registry's fixture (gen_torch_elementwise_fixtures.py) cannot reach by itself: div's rounding modes on floats
and integers, nanToNum's dtype-dependent defaults and options, isclose/allclose's tolerances and NaN rule, lerp's
number weight, the integer forms of remainder/fmod/floorDivide, bitwise ops with numbers and mixed int/bool, and the
result dtypes of square, reciprocal, exp2 and trunc on integers.

    /usr/bin/python3 tools/gen_torch_math_fixtures.py

Each case is a name (test/math-ops.test.ts maps it to the chainrule call), its tensor inputs, PyTorch's output and,
where `grad` is set, the gradient of sum(output * gradOutput) for every floating input. int64 results are written
as int32 (chainrule's integer dtype).
"""

import os

import torch

from torch_fixture_io import F32, F64, encode, seed_of, write_fixture

OUT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "torch-math.json")
I32 = torch.int32
NAMES = {F32: "float32", F64: "float64"}
INF, NAN = float("inf"), float("nan")


def enc(t):
    """A tensor (or a predicate's bool) as a fixture value."""
    if isinstance(t, bool):
        return {"shape": [], "dtype": "bool", "data": [t]}
    return encode(t)


cases = []


def case(name, fn, *inputs, grad=False):
    torch.manual_seed(seed_of(name))
    xs = [x.detach().clone().requires_grad_(grad and x.is_floating_point()) for x in inputs]
    out = fn(*xs)
    c = {"name": name, "inputs": [enc(x) for x in inputs]}
    if isinstance(out, bool):
        c["value"] = out
    else:
        c["output"] = enc(out)
    if grad:
        g = torch.randn(out.shape, dtype=F64).to(out.dtype)
        leaves = [x for x in xs if x.requires_grad]
        got = torch.autograd.grad(out, leaves, grad_outputs=g, allow_unused=True)
        c["gradOutput"] = enc(g)
        c["grads"] = [enc(torch.zeros_like(x) if gi is None else gi) for x, gi in zip(leaves, got)]
    cases.append(c)


def t(values, dt):
    return torch.tensor(values, dtype=dt)


A = [-7.5, 7.5, -7.0, 7.0, 0.0, -0.0, INF, -INF, NAN, 5.0, 1.0, -1.0, 0.5]
B = [2.0, -2.0, 0.0, 0.0, 3.0, 3.0, 2.0, 2.0, 1.0, -INF, -INF, INF, -0.0]
IA = [-7, 7, -7, 7, 0, 9, -9, 2147483647, -2147483647, 1]
IB = [2, -2, -2, 2, 3, 4, 4, 2, 3, -1]


def main():
    for dt in (F32, F64):
        n = NAMES[dt]
        for mode in ("trunc", "floor"):
            case(f"div/{mode}/{n}", lambda a, b, m=mode: torch.div(a, b, rounding_mode=m), t(A, dt), t(B, dt))
            case(f"div/{mode}/grad/{n}", lambda a, b, m=mode: torch.div(a, b, rounding_mode=m), t([1.5, -2.5], dt), t([0.7, 2.0], dt), grad=True)
        case(f"remainder/specials/{n}", torch.remainder, t(A, dt), t(B, dt))
        case(f"fmod/specials/{n}", torch.fmod, t(A, dt), t(B, dt))
        case(f"floorDivide/specials/{n}", torch.floor_divide, t(A, dt), t(B, dt))
        case(f"nanToNum/default/{n}", torch.nan_to_num, t([NAN, INF, -INF, 1.5, -0.0], dt), grad=True)
        case(f"nanToNum/options/{n}", lambda x: torch.nan_to_num(x, nan=1.0, posinf=2.0, neginf=-3.0), t([NAN, INF, -INF, 1.5], dt), grad=True)
        case(f"nanToNum/posinf-only/{n}", lambda x: torch.nan_to_num(x, posinf=7.0), t([NAN, INF, -INF], dt))
        x = t([1.0, 1.0, NAN, INF, INF, -INF, 1e-9, 0.0, 100.0, 1.0], dt)
        y = t([1.000001, 1.1, NAN, INF, -INF, -INF, 2e-9, 1e-8, 100.001, NAN], dt)
        case(f"isclose/default/{n}", torch.isclose, x, y)
        case(f"isclose/equalNan/{n}", lambda a, b: torch.isclose(a, b, equal_nan=True), x, y)
        case(f"isclose/tolerances/{n}", lambda a, b: torch.isclose(a, b, rtol=1e-2, atol=1e-3), x, y)
        case(f"isclose/zero-tolerances/{n}", lambda a, b: torch.isclose(a, b, rtol=0.0, atol=0.0), x, y)
        case(f"isclose/broadcast/{n}", torch.isclose, t([[1.0, 2.0, 3.0], [1.0, 2.00001, 3.1]], dt), t([1.0, 2.0, 3.0], dt))
        case(f"allclose/true/{n}", lambda a, b: torch.allclose(a, b), t([1.0, 2.0], dt), t([1.000001, 2.000001], dt))
        case(f"allclose/false/{n}", lambda a, b: torch.allclose(a, b), t([1.0, 2.0], dt), t([1.0, 2.1], dt))
        case(f"allclose/nan/{n}", lambda a, b: torch.allclose(a, b, equal_nan=True), t([1.0, NAN], dt), t([1.0, NAN], dt))
        case(f"lerp/number-weight/{n}", lambda a, b: torch.lerp(a, b, 0.75), t([[0.0, 1.0, -2.0], [3.0, 4.0, 5.0]], dt), t([10.0, -1.0, 2.0], dt), grad=True)
        case(f"lerp/weights/{n}", torch.lerp, t([0.0, 1.0, -2.0, 3.0], dt), t([10.0, -1.0, 2.0, 3.5], dt), t([0.0, 1.0, 0.5, -0.25], dt), grad=True)
    case("div/none/int32", torch.div, t(IA, I32), t(IB, I32))
    case("div/trunc/int32", lambda a, b: torch.div(a, b, rounding_mode="trunc"), t(IA, I32), t(IB, I32))
    case("div/floor/int32", lambda a, b: torch.div(a, b, rounding_mode="floor"), t(IA, I32), t(IB, I32))
    case("div/floor/int32-by-float", lambda a: torch.div(a, 2.5, rounding_mode="floor"), t(IA, I32))
    case("remainder/int32", torch.remainder, t(IA, I32), t(IB, I32))
    case("remainder/int32-by-number", lambda a: torch.remainder(a, 3), t(IA, I32))
    case("fmod/int32", torch.fmod, t(IA, I32), t(IB, I32))
    case("floorDivide/int32", torch.floor_divide, t(IA, I32), t(IB, I32))
    case("nanToNum/int32", torch.nan_to_num, t([1, -2, 3], I32))
    case("isclose/int32", lambda a, b: torch.isclose(a, b, rtol=0.1, atol=0.0), t([1, 10, 100, -5], I32), t([1, 11, 120, -5], I32))
    case("isclose/bool", torch.isclose, t([True, False, True], torch.bool), t([True, True, False], torch.bool))
    case("bitwiseAnd/int32-number", lambda a: torch.bitwise_and(a, 6), t(IA, I32))
    case("bitwiseOr/int32-bool", torch.bitwise_or, t(IA, I32), t([True, False] * 5, torch.bool))
    case("bitwiseXor/bool", torch.bitwise_xor, t([True, True, False, False], torch.bool), t([True, False, True, False], torch.bool))
    case("bitwiseAnd/bool-number", lambda a: torch.bitwise_and(a, 3), t([True, False, True], torch.bool))
    case("bitwiseNot/int32", torch.bitwise_not, t(IA, I32))
    case("bitwiseNot/bool", torch.bitwise_not, t([True, False], torch.bool))
    case("bitwiseLeftShift/int32-number", lambda a: torch.bitwise_left_shift(a, 3), t(IA, I32))
    case("bitwiseRightShift/int32-number", lambda a: torch.bitwise_right_shift(a, 2), t(IA, I32))
    case("logicalXor/float32", torch.logical_xor, t([0.0, 1.5, NAN, -0.0], F32), t([0.0, 0.0, 1.0, 2.0], F32))
    case("square/int32", torch.square, t([-3, 4], I32))
    case("square/bool", torch.square, t([True, False], torch.bool))
    case("reciprocal/int32", torch.reciprocal, t([2, -4, 0], I32))
    case("rsqrt/int32", torch.rsqrt, t([4, 1], I32))
    case("exp2/int32", torch.exp2, t([3, -1], I32))
    case("trunc/int32", torch.trunc, t([3, -1], I32))
    case("atan2/int32", torch.atan2, t([1, -1], I32), t([1, 1], I32))
    case("xlogy/int32-number", lambda a: torch.xlogy(a, 2.0), t([0, 3], I32))
    write_fixture(OUT_PATH, cases, newline=True)


if __name__ == "__main__":
    main()
