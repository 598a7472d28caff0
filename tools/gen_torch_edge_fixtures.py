#!/usr/bin/env python3
"""Writes test/fixtures/torch-edges.json: the edge semantics issue 22 found differing from PyTorch (linspace with one
step, int32 overflow at creation, bce at p = 0 and 1, cross entropy with infinite logits, empty reductions, var/std
corrections, where's condition), as PyTorch 1.13 gives them. test/edge-semantics.test.ts computes each case by name
in chainrule on cpu and wasm. Non-finite numbers are written as the strings "nan", "inf" and "-inf".
Run: /usr/bin/python3 tools/gen_torch_edge_fixtures.py
"""
import json
import math
import os

import torch
import torch.nn.functional as F

D = torch.float64


def enc(x):
    if isinstance(x, list):
        return [enc(v) for v in x]
    if isinstance(x, bool):
        return x
    if isinstance(x, (int, float)):
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return x
    raise TypeError(type(x))


def value(t):
    return {"shape": list(t.shape), "value": enc(t.detach().tolist())}


def with_grads(out, *leaves):
    out.sum().backward()
    return {**value(out), "grads": [enc(l.grad.tolist()) for l in leaves]}


def leaf(v):
    return torch.tensor(v, dtype=D, requires_grad=True)


def bce(p, y, reduction):
    p, y = leaf(p), leaf(y)
    return with_grads(F.binary_cross_entropy(p, y, reduction=reduction), p, y)


def ce(z, t):
    z = leaf(z)
    return with_grads(F.cross_entropy(z, torch.tensor(t), reduction="sum"), z)


def raises(fn):
    try:
        fn()
    except RuntimeError as e:
        return {"error": str(e).splitlines()[0]}
    raise AssertionError("expected an error")


def std_at_constant():
    x = leaf([2.0, 2.0, 2.0])
    return with_grads(x.std(), x)


CASES = {
    "linspace(5, 10, 1)": lambda: value(torch.linspace(5, 10, 1, dtype=D)),
    "linspace(5, 10, 0)": lambda: value(torch.linspace(5, 10, 0, dtype=D)),
    "linspace(5, 10, 2)": lambda: value(torch.linspace(5, 10, 2, dtype=D)),
    "linspace(-1, 2, 7)": lambda: value(torch.linspace(-1, 2, 7, dtype=D)),
    "tensor([3e9], int32)": lambda: raises(lambda: torch.tensor([3e9], dtype=torch.int32)),
    "tensor([-2147483649], int32)": lambda: raises(lambda: torch.tensor([-2147483649.0], dtype=torch.int32)),
    "full([2], 3e9, int32)": lambda: raises(lambda: torch.full([2], 3e9, dtype=torch.int32)),
    "tensor(int32 extremes)": lambda: value(torch.tensor([2147483647, -2147483648], dtype=torch.int32)),
    "bceLoss at p = 0 and 1, sum": lambda: bce([0.0, 0.3, 1.0, 0.0, 1.0], [1.0, 0.4, 0.0, 0.0, 1.0], "sum"),
    "bceLoss at p = 0 and 1, mean": lambda: bce([0.0, 0.3, 1.0, 0.0], [1.0, 0.4, 0.0, 0.0], "mean"),
    "bceLoss at p = 0 and 1, none": lambda: bce([0.0, 1e-30, 1.0], [1.0, 1.0, 0.5], "none"),
    "crossEntropy logits [inf, 0], target 0": lambda: ce([[math.inf, 0.0]], [0]),
    "crossEntropy logits [inf, 0], target 1": lambda: ce([[math.inf, 0.0]], [1]),
    "crossEntropy logits [-inf, 0], target 1": lambda: ce([[-math.inf, 0.0]], [1]),
    "crossEntropy logits [inf, inf], target 0": lambda: ce([[math.inf, math.inf]], [0]),
    "crossEntropy logits [-inf, -inf], target 0": lambda: ce([[-math.inf, -math.inf]], [0]),
    "logSoftmax rows with infinities": lambda: value(torch.tensor([[math.inf, 0.0], [-math.inf, 0.0], [-math.inf, -math.inf], [math.inf, -math.inf]], dtype=D).log_softmax(1)),
    "zeros([0, 3]).max(1)": lambda: value(torch.zeros([0, 3], dtype=D).max(1).values),
    "zeros([0, 3]).min(1)": lambda: value(torch.zeros([0, 3], dtype=D).min(1).values),
    "zeros([0, 3]).softmax(1)": lambda: value(torch.zeros([0, 3], dtype=D).softmax(1)),
    "zeros([3, 0]).softmax(1)": lambda: value(torch.zeros([3, 0], dtype=D).softmax(1)),
    "zeros([3, 0]).logsumexp(1)": lambda: value(torch.zeros([3, 0], dtype=D).logsumexp(1)),
    "zeros([0, 3]).logsumexp(1)": lambda: value(torch.zeros([0, 3], dtype=D).logsumexp(1)),
    "zeros([0, 3]).var()": lambda: value(torch.zeros([0, 3], dtype=D).var()),
    "zeros([3, 0]).var(1)": lambda: value(torch.zeros([3, 0], dtype=D).var(1)),
    "[1, 2].var(correction 5)": lambda: value(torch.var(torch.tensor([1.0, 2.0], dtype=D), dim=0, correction=5)),
    "[1, 2].std(correction 2)": lambda: value(torch.std(torch.tensor([1.0, 2.0], dtype=D), dim=0, correction=2)),
    "std gradient at a constant input": std_at_constant,
    "where with a float condition": lambda: raises(lambda: torch.where(torch.tensor([1.0, 0.0]), torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0]))),
}


def main():
    out = {name: fn() for name, fn in CASES.items()}
    path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "torch-edges.json")
    with open(path, "w") as f:
        json.dump({"torch": torch.__version__, "cases": out}, f, indent=1)
        f.write("\n")
    print(f"wrote {len(out)} cases to {os.path.normpath(path)}")


if __name__ == "__main__":
    main()
