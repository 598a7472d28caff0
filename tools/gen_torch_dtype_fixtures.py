"""PyTorch reference values for chainrule's storage dtypes (int8, uint8, int16, int64, float16, bfloat16).

Writes test/fixtures/torch-dtypes-extra.json, read by test/dtypes-extra.test.ts:
- promote: torch.promote_types for every ordered pair of the ten dtypes;
- resultType: torch.result_type of a dim tensor with a Python scalar and with a zero-dim tensor;
- cases: an op on inputs of a dtype and PyTorch's result (dtype and values): wraparound of integer arithmetic,
  division, remainder, bitwise ops and shifts on every integer dtype, casts (int to narrower int wraps; float to
  int only in range, where C++ defines it), rounding to float16/bfloat16 (ties, subnormals, overflow), and a few
  ops per dtype (add, mul, matmul, sum, max, sort, indexing).
Run with /usr/bin/python3 (PyTorch 1.13). Deterministic: inputs are fixed lists or a seeded generator.
"""
import json
import math
import os

import torch

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64"]
INTS = ["uint8", "int8", "int16", "int32", "int64"]
HALVES = ["float16", "bfloat16"]
T = {name: getattr(torch, name) for name in DTYPES}
NAME = {v: k for k, v in T.items()}


def enc(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
    return v


def tensor_json(t):
    flat = t.detach().reshape(-1)
    if t.dtype in (torch.float16, torch.bfloat16):
        flat = flat.float()
    return {"shape": list(t.shape), "dtype": NAME[t.dtype], "data": [enc(v) for v in flat.tolist()]}


cases = []


def case(op, inputs, result, **params):
    cases.append({"op": op, "inputs": [tensor_json(x) if isinstance(x, torch.Tensor) else enc(x) for x in inputs],
                  "params": params, "result": tensor_json(result)})


def try_case(op, inputs, fn, **params):
    """A case where PyTorch 1.13's CPU has the kernel for the dtype (it lacks several for float16)."""
    try:
        result = fn()
    except RuntimeError:
        return
    case(op, inputs, result, **params)


def int_values(dt):
    info = torch.iinfo(T[dt])
    lo, hi = max(info.min, -1000), min(info.max, 1000)
    return [info.min, info.min + 1, lo, -7, -1, 0, 1, 7, 100, hi, info.max - 1, info.max]


def main():
    promote = {f"{a},{b}": NAME[torch.promote_types(T[a], T[b])] for a in DTYPES for b in DTYPES}
    result_type = []
    for a in DTYPES:
        x = torch.zeros(2, dtype=T[a])
        for s in (3, 2.5, True):
            # A bool tensor with an int scalar gives int64 in PyTorch; chainrule's default integer is int32.
            if a == "bool" and type(s) is int:
                continue
            result_type.append({"tensor": a, "scalar": s, "want": NAME[torch.result_type(x, s)]})
        for b in DTYPES:
            result_type.append({"tensor": a, "zeroDim": b, "want": NAME[torch.result_type(x, torch.zeros((), dtype=T[b]))]})

    for dt in INTS:
        v = torch.tensor(int_values(dt), dtype=T[dt])
        w = torch.tensor([3, -2, 5, 1, -3, 7, 2, 9, -5, 4, 6, 11], dtype=T[dt]) if dt != "uint8" else \
            torch.tensor([3, 2, 5, 1, 3, 7, 2, 9, 5, 4, 6, 11], dtype=T[dt])
        if dt == "int64":  # chainrule's int64 is exact within ±2^53: keep its cases there
            v = torch.tensor([-(2**51), -(2**40) - 3, -1000, -7, -1, 0, 1, 7, 100, 1000, 2**40 + 3, 2**51], dtype=torch.int64)
        for op in ("add", "sub", "mul"):
            if dt == "int64" and op == "mul":
                continue
            case(op, [v, w], getattr(torch, op)(v, w))
        case("add", [v, 100], v + 100)
        case("mul", [v, 3], v * 3)
        small = v if dt != "int64" else torch.tensor([-1000, -7, -1, 0, 1, 7, 100, 1000, 123456, -123456, 2**31 - 1, -(2**31)], dtype=torch.int64)
        case("floorDivide", [small, w], torch.floor_divide(small, w))
        case("remainder", [small, w], torch.remainder(small, w))
        case("div", [small, w], torch.div(small, w))
        case("neg", [small], torch.neg(small))
        case("abs", [small], torch.abs(small))
        for op, torch_op in (("bitwiseAnd", torch.bitwise_and), ("bitwiseOr", torch.bitwise_or), ("bitwiseXor", torch.bitwise_xor)):
            case(op, [small, w], torch_op(small, w))
        case("bitwiseNot", [small], torch.bitwise_not(small))
        bits = torch.iinfo(T[dt]).bits
        # int64 left shifts stay within ±2^53 (chainrule's int64 range); the narrower ones shift past their width.
        top = [40, 12] if dt == "int64" else [bits - 2, bits - 1]
        counts = torch.tensor([0, 1, 2, 3, *top, 1, 4, 5, 0, 2, 3], dtype=T[dt])
        case("bitwiseLeftShift", [small, counts], torch.bitwise_left_shift(small, counts))
        if dt == "int64":  # shifts of values past 32 bits (computed as exact multiplications and floor divisions)
            big = torch.tensor([2**40 + 5, -(2**40) - 3, 7, -1, 2**45, -(2**45) + 1], dtype=torch.int64)
            c6 = torch.tensor([3, 2, 40, 45, 1, 7], dtype=torch.int64)
            case("bitwiseLeftShift", [big, c6], torch.bitwise_left_shift(big, c6))
            case("bitwiseRightShift", [big, c6], torch.bitwise_right_shift(big, c6))
        case("bitwiseRightShift", [small, counts], torch.bitwise_right_shift(small, counts))
        case("lt", [small, w], torch.lt(small, w))
        case("eq", [small, small], torch.eq(small, small))
        case("maximum", [small, w], torch.maximum(small, w))
        case("sum", [small], torch.sum(small))
        case("max", [small], torch.max(small))
        s = torch.sort(small)
        case("sortValues", [small], s.values)
        case("index", [small, torch.tensor([3, 0, 11, 3])], small[torch.tensor([3, 0, 11, 3])])
        # Casts: int32 into a narrower integer wraps (modular); floats in range truncate toward zero.
        wide = torch.tensor([-70000, -32769, -129, -128, -1, 0, 127, 128, 255, 256, 300, 70000], dtype=torch.int32)
        case("to", [wide], wide.to(T[dt]), dtype=dt)
        info = torch.iinfo(T[dt])
        floats = torch.tensor([0.5, 1.9, -0.7, 2.5, 99.99, float(min(info.max, 2**24)) - 0.5], dtype=torch.float32)
        if dt == "uint8":
            floats = floats.abs()
        if dt == "int8":
            floats = torch.tensor([0.5, 1.9, -0.7, 2.5, 99.99, -127.9])
        case("to", [floats], floats.to(T[dt]), dtype=dt)

    g = torch.Generator().manual_seed(0)
    # Rounding into the halves: ties (to even), the subnormals, overflow, NaN and the infinities.
    f16 = [1 + 2**-11, 1 + 3 * 2**-11, 2048 + 1, 2048 + 3, 65504, 65519.99, 65520, 1e5, 2**-24, 2**-25, 3 * 2**-25,
           2**-26, 5e-8, 6e-5, 6.1e-5, -1 - 2**-11, -0.0, float("nan"), float("inf"), float("-inf"), 0.1, 1 / 3]
    bf16 = [1 + 2**-8, 1 + 3 * 2**-8, 256 + 1, 256 + 3, 3.3895e38, 3.3962e38, 3.4e38, 1e-38, 2**-133, 2**-134, 3 * 2**-134,
            -1 - 2**-8, -0.0, float("nan"), float("inf"), float("-inf"), 0.1, 1 / 3, 1e30]
    for dt, vals in (("float16", f16), ("bfloat16", bf16)):
        x = torch.tensor(vals, dtype=torch.float32)
        case("to", [x], x.to(T[dt]), dtype=dt)
        xd = torch.tensor(vals, dtype=torch.float64)
        case("to", [xd], xd.to(T[dt]), dtype=dt)
        a = (torch.randn(12, generator=g) * 10).to(T[dt])
        b = (torch.randn(12, generator=g) * 10).to(T[dt])
        for op in ("add", "sub", "mul", "div"):
            try_case(op, [a, b], lambda: getattr(torch, op)(a, b))
        case("mul", [a, 1.0004], a * 1.0004)
        case("add", [a, 0.3], a + 0.3)
        try_case("exp", [a / 4], lambda: torch.exp(a / 4))
        try_case("sqrt", [a.abs()], lambda: torch.sqrt(a.abs()))
        try_case("sum", [a], lambda: torch.sum(a))
        try_case("max", [a], lambda: torch.max(a))
        try_case("sortValues", [a], lambda: torch.sort(a).values)
        case("index", [a, torch.tensor([3, 0, 11, 3])], a[torch.tensor([3, 0, 11, 3])])
        m1 = torch.randn(3, 4, generator=g).to(T[dt])
        m2 = torch.randn(4, 2, generator=g).to(T[dt])
        try:
            mm = torch.matmul(m1, m2)
        except RuntimeError:
            mm = torch.matmul(m1.float(), m2.float()).to(T[dt])  # PyTorch 1.13 has no CPU float16 matmul: float32, rounded
        case("matmul", [m1, m2], mm)
        # Promotion in arithmetic: the halves with each other, with integers and with float32.
        case("add", [a, a.to(T["bfloat16" if dt == "float16" else "float16"])], a + a.to(T["bfloat16" if dt == "float16" else "float16"]))
        i16 = torch.arange(12, dtype=torch.int16)
        case("add", [i16, a], i16 + a)
        # Gradients of a half leaf are halves.
        leaf = a.detach().clone().requires_grad_(True)
        try:
            (leaf * leaf).sum().backward()
            case("gradOfSquareSum", [a], leaf.grad)
        except RuntimeError:
            pass
    u8 = torch.tensor([0, 100, 200, 255], dtype=torch.uint8)
    i8 = torch.tensor([-128, -1, 0, 127], dtype=torch.int8)
    case("add", [u8, i8], u8 + i8)
    case("add", [torch.tensor([True, False, True, True]), u8], torch.tensor([True, False, True, True]) + u8)
    case("mul", [u8, 2.5], u8 * 2.5)

    out = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "torch-dtypes-extra.json")
    with open(out, "w") as f:
        json.dump({"torch": torch.__version__, "promote": promote, "resultType": result_type, "cases": cases}, f, indent=0)
    print(f"wrote {out}: {len(promote)} pairs, {len(result_type)} result types, {len(cases)} cases")


if __name__ == "__main__":
    main()
