"""Writes src/ops/elementwise-examples.ts: the API reference's example for each public elementwise op of the
registry, with the result PyTorch gives for it. tools/generate.ts puts each into the op's JSDoc twice, as a
function (`cr.abs(cr.tensor([-1.5, 2])) // tensor([1.5, 2])`) and as a method
(`cr.tensor([-1.5, 2]).abs() // tensor([1.5, 2])`), and test/api-examples.test.ts runs both and checks the value.

    /usr/bin/python3 tools/gen_elementwise_examples.py && npm run build:generated

An operand is a list (a float32 tensor), ("int32", list) or ("bool", list), or a number. Results are written to
5 significant digits, within the 1e-4 relative tolerance the example test allows.
"""

import math
import os

import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT_PATH = os.path.join(ROOT, "src", "ops", "elementwise-examples.ts")
NAN, INF = float("nan"), float("inf")

# chainrule's name -> (PyTorch's function, operands).
EXAMPLES = {
    "add": (torch.add, [[1, 2], 1]),
    "sub": (torch.sub, [[5, 3], [1, 4]]),
    "mul": (torch.mul, [[1, 2], 3]),
    "div": (torch.div, [[1, 3], 2]),
    "pow": (torch.pow, [[1, 2, 3], 2]),
    "maximum": (torch.maximum, [[1, 5], [3, 2]]),
    "minimum": (torch.minimum, [[1, 5], [3, 2]]),
    "neg": (torch.neg, [[1, -2]]),
    "abs": (torch.abs, [[-1.5, 2]]),
    "sqrt": (torch.sqrt, [[4, 9]]),
    "exp": (torch.exp, [[0, 1]]),
    "log": (torch.log, [[1, 100]]),
    "log1p": (torch.log1p, [[0, 1]]),
    "expm1": (torch.expm1, [[0, 1]]),
    "sin": (torch.sin, [[0, 1]]),
    "cos": (torch.cos, [[0, 1]]),
    "tan": (torch.tan, [[0, 1]]),
    "tanh": (torch.tanh, [[0, 1]]),
    "sigmoid": (torch.sigmoid, [[0, 2]]),
    "relu": (torch.relu, [[-1, 2]]),
    "erf": (torch.erf, [[0, 1]]),
    "sign": (torch.sign, [[-2, 0, 3]]),
    "floor": (torch.floor, [[-1.5, 1.5]]),
    "ceil": (torch.ceil, [[-1.5, 1.5]]),
    "round": (torch.round, [[0.5, 1.5, 2.5]]),
    "gt": (torch.gt, [[1, 2, 3], 2]),
    "ge": (torch.ge, [[1, 2, 3], 2]),
    "lt": (torch.lt, [[1, 2, 3], 2]),
    "le": (torch.le, [[1, 2, 3], 2]),
    "eq": (torch.eq, [[1, 2, 3], 2]),
    "ne": (torch.ne, [[1, 2, 3], 2]),
    "logicalAnd": (torch.logical_and, [[0, 1, 2], [1, 0, 3]]),
    "logicalOr": (torch.logical_or, [[0, 1, 0], [0, 0, 3]]),
    "logicalNot": (torch.logical_not, [[0, 2]]),
    "logicalXor": (torch.logical_xor, [[0, 1, 2], [1, 0, 3]]),
    "isnan": (torch.isnan, [[1, NAN]]),
    "isinf": (torch.isinf, [[1, INF, -INF]]),
    "isfinite": (torch.isfinite, [[1, INF, NAN]]),
    "asin": (torch.asin, [[0, 1]]),
    "acos": (torch.acos, [[1, 0]]),
    "atan": (torch.atan, [[0, 1]]),
    "atan2": (torch.atan2, [[1, 1], [1, -1]]),
    "sinh": (torch.sinh, [[0, 1]]),
    "cosh": (torch.cosh, [[0, 1]]),
    "asinh": (torch.asinh, [[0, 1]]),
    "acosh": (torch.acosh, [[1, 2]]),
    "atanh": (torch.atanh, [[0, 0.5]]),
    "log2": (torch.log2, [[1, 8]]),
    "log10": (torch.log10, [[1, 1000]]),
    "exp2": (torch.exp2, [[0, 3]]),
    "trunc": (torch.trunc, [[-1.7, 1.7]]),
    "frac": (torch.frac, [[-1.5, 2.25]]),
    "reciprocal": (torch.reciprocal, [[2, 4]]),
    "rsqrt": (torch.rsqrt, [[4, 16]]),
    "square": (torch.square, [[-2, 3]]),
    "hypot": (torch.hypot, [[3, 5], [4, 12]]),
    "copysign": (torch.copysign, [[1, 2], [-0.0, 3]]),
    "logaddexp": (torch.logaddexp, [[0, 1000], [0, 1000]]),
    "lerp": (torch.lerp, [[0, 10], [10, 20], 0.25]),
    "fmod": (torch.fmod, [[-3, 3], 2]),
    "remainder": (torch.remainder, [[-3, 3], 2]),
    "floorDivide": (lambda a, b: torch.div(a, b, rounding_mode="floor"), [[-7, 7], 2]),
    "xlogy": (torch.xlogy, [[0, 2], [0, 3]]),
    "bitwiseAnd": (torch.bitwise_and, [("int32", [12, 5]), 10]),
    "bitwiseOr": (torch.bitwise_or, [("int32", [12, 5]), 10]),
    "bitwiseXor": (torch.bitwise_xor, [("int32", [12, 5]), 10]),
    "bitwiseNot": (torch.bitwise_not, [("int32", [0, 5])]),
    "bitwiseLeftShift": (torch.bitwise_left_shift, [("int32", [1, 3]), 2]),
    "bitwiseRightShift": (torch.bitwise_right_shift, [("int32", [-8, 8]), 2]),
}


def js_number(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    if v == 0:
        return "-0" if math.copysign(1, v) < 0 else "0"
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.5g}"


def operand(a):
    """(the torch value, the JavaScript source) of one operand."""
    if isinstance(a, tuple):
        dtype, values = a
        t = torch.tensor(values, dtype={"int32": torch.int32, "bool": torch.bool}[dtype])
        return t, f'cr.tensor([{", ".join(js_number(v) for v in values)}], {{ dtype: "{dtype}" }})'
    if isinstance(a, list):
        return torch.tensor(a, dtype=torch.float32), f'cr.tensor([{", ".join(js_number(float(v)) for v in a)}])'
    return a, js_number(a)


def result(t):
    values = ", ".join(js_number(v) for v in t.tolist())
    suffix = {torch.bool: ", bool", torch.int32: ", int32", torch.int64: ", int32"}.get(t.dtype, "")
    return f"tensor([{values}]){suffix}"


def main():
    lines = [
        "// Generated by tools/gen_elementwise_examples.py with PyTorch's results: do not edit. The API reference's example",
        "// of each public elementwise op: its operands as JavaScript and the value it gives; tools/generate.ts writes it into",
        "// the op's function and method JSDoc, and test/api-examples.test.ts checks it.",
        'import type { ElementwiseOp } from "./elementwise.js";',
        "",
        "/** An op's example: the operands (the first one is the tensor a method is called on) and the result. */",
        "export interface ElementwiseExample {",
        "  readonly args: readonly string[];",
        "  readonly result: string;",
        "}",
        "",
        "export const ELEMENTWISE_EXAMPLES: Partial<Record<ElementwiseOp, ElementwiseExample>> = {",
    ]
    for name, (fn, args) in EXAMPLES.items():
        pairs = [operand(a) for a in args]
        out = fn(*[p[0] for p in pairs])
        js_args = ", ".join(f'"{p[1]}"' if '"' not in p[1] else "'" + p[1] + "'" for p in pairs)
        lines.append(f'  {name}: {{ args: [{js_args}], result: "{result(out)}" }},')
    lines += ["};", ""]
    with open(OUT_PATH, "w") as f:
        f.write("\n".join(lines))
    print(f"wrote {os.path.relpath(OUT_PATH, ROOT)}: {len(EXAMPLES)} ops")


if __name__ == "__main__":
    main()
