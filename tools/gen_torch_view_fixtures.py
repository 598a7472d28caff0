#!/usr/bin/env python3
"""Writes test/fixtures/torch-views.json: sequences of view ops, in-place ops and backward run in PyTorch, with the
values (and requires_grad) of every named tensor after each step, the errors PyTorch raises, and the leaves'
gradients. test/views.test.ts replays each sequence in chainrule (cpu and wasm) and compares.

A step is [out, target, method, *args]; out is None for in-place ops and backward. Arguments: numbers and lists as
they are, {"ref": name} a named tensor, {"t": nested} a float64 constant, {"slice": [start, stop, step]} and None
and "..." inside index().  Run: /usr/bin/python3 tools/gen_torch_view_fixtures.py
"""
import json
import os

import torch

torch.set_default_dtype(torch.float64)


def arg(a, env):
    if isinstance(a, dict) and "ref" in a:
        return env[a["ref"]]
    if isinstance(a, dict) and "t" in a:
        return torch.tensor(a["t"], dtype=torch.float64)
    return a


def index_item(i):
    if isinstance(i, dict) and "slice" in i:
        return slice(*i["slice"])
    if i == "...":
        return Ellipsis
    if isinstance(i, list):
        return torch.tensor(i)
    return i


def call(t, method, args, env):
    a = [arg(x, env) for x in args]
    if method == "leaf":
        return torch.tensor(a[0], dtype=torch.float64, requires_grad=True)
    if method == "const":
        return torch.tensor(a[0], dtype=torch.float64)
    if method == "slice":
        d, start, end, step = a
        return t[(slice(None),) * d + (slice(start, end, step),)]
    if method == "permute":
        return t.permute(*a[0])
    if method == "expand":
        return t.expand(*a[0])
    if method == "t":
        return t.t()
    if method == "mT":
        return t.mT
    if method == "diagonal":
        o = a[0]
        return torch.diagonal(t, o.get("offset", 0), o.get("dim1", 0), o.get("dim2", 1))
    if method in ("split", "chunk"):
        return getattr(t, method)(a[0], a[1])[a[2]]
    if method == "unbind":
        return t.unbind(a[0])[a[1]]
    if method == "asStrided":
        return t.as_strided(a[0], a[1], a[2])
    if method == "index":
        return t[tuple(index_item(i) for i in args)]
    if method == "backward":
        t.backward()
        return None
    if method == "clamp_":
        return t.clamp_(a[0], a[1])
    return getattr(t, {"swapaxes": "swapaxes"}.get(method, method))(*a)


def error_kind(message):
    for key, kind in [
        ("view of a leaf Variable", "view-of-leaf"),
        ("a leaf Variable that requires grad", "leaf"),
        ("modified by an inplace operation", "version"),
        ("more than one element of the written-to tensor", "overlap"),
        ("returns multiple views", "multi-view"),
        ("created in no_grad mode", "no-grad-view"),
    ]:
        if key in message:
            return kind
    raise RuntimeError("unexpected error: " + message)


def run(steps):
    # A view made under no_grad of a base that requires grad reports requires_grad=True with no grad_fn in PyTorch
    # 1.13 (a leaf-like state chainrule does not copy: there such a view needs no grad); its flag is not compared.
    env, record, unflagged = {}, [], set()
    for step in steps:
        out, target, method, *args = step
        entry = {}
        try:
            if method == "nograd":
                with torch.no_grad():
                    result = call(env[target], args[0], args[1:], env)
            else:
                result = call(env.get(target), method, args, env)
            if out is not None:
                env[out] = result
                if method == "nograd":
                    unflagged.add(out)
        except RuntimeError as e:
            entry["error"] = error_kind(str(e))
        entry["values"] = {n: t.detach().tolist() for n, t in env.items()}
        entry["requiresGrad"] = {n: t.requires_grad for n, t in env.items() if n not in unflagged}
        if method == "backward" and "error" not in entry:
            entry["grads"] = {n: (None if t.grad is None else t.grad.tolist()) for n, t in env.items() if t.is_leaf and t.requires_grad}
        record.append(entry)
    return record


W34 = [[0.5, -1.0, 2.0, 1.5], [3.0, 0.25, -2.0, 1.0], [-0.5, 1.0, 0.75, 2.5]]
A34 = [[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0]]


def view_cases(name, shape_data, weight, view):
    """For one view op: in-place through the view then backward through the base; in-place on the base then the view
    read and differentiated; and the same without autograd."""
    method, *vargs = view
    k = ["k", None, "leaf", 1.5]
    return [
        (f"{name}: in-place on the view, backward through the base", [
            ["a", None, "leaf", shape_data], k, ["b", "a", "mul", 1.0], ["v", "b", method, *vargs],
            [None, "v", "mul_", 3.0], [None, "v", "add_", {"ref": "k"}],
            ["l", "b", "mul", {"t": weight}], ["s", "l", "sum"], [None, "s", "backward"],
        ]),
        (f"{name}: in-place on the base, the view sees it and differentiates through it", [
            ["a", None, "leaf", shape_data], k, ["b", "a", "mul", 1.0], ["v", "b", method, *vargs],
            [None, "b", "mul_", {"ref": "k"}], ["p", "v", "pow", 2], ["s", "p", "sum"], [None, "s", "backward"],
        ]),
        (f"{name}: without autograd, writes go both ways", [
            ["b", None, "const", shape_data], ["v", "b", method, *vargs],
            [None, "v", "mul_", 10.0], [None, "b", "add_", 1.0], [None, "v", "sub_", 0.5], [None, "v", "fill_", 7.0],
        ]),
    ]


CASES = []
CASES += view_cases("narrow", A34, W34, ["narrow", 1, 1, 2])
CASES += view_cases("select", A34, W34, ["select", 0, 1])
CASES += view_cases("slice with step", A34, W34, ["slice", 1, 0, 4, 2])
CASES += view_cases("reshape", A34, W34, ["reshape", [4, 3]])
CASES += view_cases("view", A34, W34, ["view", [2, 6]])
CASES += view_cases("transpose", A34, W34, ["transpose", 0, 1])
CASES += view_cases("t", A34, W34, ["t"])
CASES += view_cases("mT", A34, W34, ["mT"])
CASES += view_cases("permute", [[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], [[7.0, 8.0], [9.0, 10.0], [11.0, 12.0]]],
                    [[[1.0, -1.0], [2.0, 0.5], [0.0, 3.0]], [[-2.0, 1.0], [1.5, 1.0], [0.25, -1.0]]], ["permute", [2, 0, 1]])
CASES += view_cases("squeeze", [[[1.0, 2.0]], [[3.0, 4.0]], [[5.0, 6.0]]], [[[1.0, -1.0]], [[2.0, 0.5]], [[0.0, 3.0]]], ["squeeze", 1])
CASES += view_cases("unsqueeze", A34, W34, ["unsqueeze", 1])
CASES += view_cases("diagonal", [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], [[1.0, -1.0, 2.0], [0.5, 3.0, -2.0], [1.5, 0.25, 1.0]],
                    ["diagonal", {"offset": 1}])
CASES += view_cases("diagonal below, dims swapped", A34, W34, ["diagonal", {"offset": -1, "dim1": 1, "dim2": 0}])
CASES += view_cases("Tensor.unfold", [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [0.5, -1.0, 2.0, 1.5, 3.0, 0.25], ["unfold", 0, 2, 2])
CASES += view_cases("movedim", A34, W34, ["movedim", 0, 1])
CASES += view_cases("swapaxes", A34, W34, ["swapaxes", 0, 1])
CASES += view_cases("flatten", A34, W34, ["flatten"])
CASES += view_cases("unflatten", A34, W34, ["unflatten", 1, [2, 2]])
CASES += view_cases("asStrided", A34, W34, ["asStrided", [2, 2], [4, 1], 1])
CASES += view_cases("index with ints and slices", A34, W34, ["index", 1, {"slice": [1, 3, None]}])
CASES += view_cases("index with None and ...", A34, W34, ["index", "...", None, 2])
CASES += view_cases("index with a step", A34, W34, ["index", {"slice": [None, None, 2]}, {"slice": [1, None, 2]}])

CASES += [
    ("chain: narrow, t, select; in-place on the last view", [
        ["a", None, "leaf", A34], ["k", None, "leaf", 2.0], ["b", "a", "mul", 1.0],
        ["v1", "b", "narrow", 1, 1, 3], ["v2", "v1", "t"], ["v3", "v2", "select", 0, 1],
        [None, "v3", "mul_", {"ref": "k"}], ["l", "b", "mul", {"t": W34}], ["s", "l", "sum"], ["s2", "v1", "sum"],
        ["s3", "s", "add", {"ref": "s2"}], [None, "s3", "backward"],
    ]),
    ("chain: transpose then reshape (a copy), the copy is not written through", [
        ["b", None, "const", A34], ["v1", "b", "transpose", 0, 1], ["v2", "v1", "reshape", [12]],
        [None, "v2", "fill_", 0.0], [None, "v1", "add_", 100.0],
    ]),
    ("chain: narrow then view (a view of a view)", [
        ["a", None, "leaf", A34], ["b", "a", "mul", 1.0], ["v1", "b", "narrow", 0, 1, 2], ["v2", "v1", "view", [2, 2, 2]],
        [None, "v2", "mul_", -2.0], ["l", "b", "mul", {"t": W34}], ["s", "l", "sum"], [None, "s", "backward"],
    ]),
    ("two views, in-place on one, the other sees it and its gradient is regenerated", [
        ["a", None, "leaf", A34], ["b", "a", "mul", 1.0], ["v1", "b", "select", 1, 2], ["v2", "b", "narrow", 0, 1, 1],
        [None, "v1", "mul_", 5.0], ["p", "v2", "pow", 2], ["s", "p", "sum"], [None, "s", "backward"],
    ]),
    ("copy_ into a view of a tensor that needs no grad (building a tensor from pieces)", [
        ["x", None, "leaf", [1.0, -2.0, 3.0, 0.5]], ["h", None, "const", [[0.0] * 4] * 3], ["v", "h", "select", 0, 1],
        ["e", "x", "exp"], [None, "v", "copy_", {"ref": "e"}], ["l", "h", "mul", {"t": W34}], ["s", "l", "sum"], [None, "s", "backward"],
    ]),
    ("repeated in-place through views, then backward", [
        ["a", None, "leaf", A34], ["b", "a", "mul", 1.0], ["v1", "b", "select", 0, 0], [None, "v1", "mul_", 2.0],
        ["v2", "b", "select", 1, 0], [None, "v2", "mul_", 3.0], ["v3", "b", "narrow", 1, 2, 2], [None, "v3", "clamp_", 4.0, 10.0],
        ["l", "b", "mul", {"t": W34}], ["s", "l", "sum"], [None, "s", "backward"],
    ]),
    ("advanced indexing copies", [
        ["b", None, "const", A34], ["v", "b", "index", [0, 2]], [None, "v", "fill_", 0.0],
    ]),
    ("error: in-place on a view of a leaf that requires grad", [
        ["a", None, "leaf", A34], ["v", "a", "narrow", 0, 0, 1], [None, "v", "mul_", 2.0],
    ]),
    ("a view of a leaf modified in place under noGrad", [
        ["a", None, "leaf", A34], ["v", "a", "narrow", 0, 0, 1], [None, "v", "nograd", "mul_", 2.0], ["p", "v", "pow", 2],
        ["s", "p", "sum"], [None, "s", "backward"],
    ]),
    ("error: writing through expand", [
        ["b", None, "const", [[1.0, 2.0, 3.0]]], ["v", "b", "expand", [2, 3]], [None, "v", "add_", 1.0],
        [None, "b", "mul_", 2.0],
    ]),
    ("error: in-place on an output of split while the base's gradient is recorded", [
        ["a", None, "leaf", A34], ["b", "a", "mul", 1.0], ["v", "b", "split", 2, 1, 0], [None, "v", "mul_", 2.0],
    ]),
    ("error: in-place on an output of chunk while the base's gradient is recorded", [
        ["a", None, "leaf", A34], ["b", "a", "mul", 1.0], ["v", "b", "chunk", 3, 0, 2], [None, "v", "mul_", 2.0],
    ]),
    ("error: in-place on an output of unbind while the base's gradient is recorded", [
        ["a", None, "leaf", A34], ["b", "a", "mul", 1.0], ["v", "b", "unbind", 0, 1], [None, "v", "mul_", 2.0],
    ]),
    ("split, chunk and unbind outputs are views: written through without autograd", [
        ["b", None, "const", A34], ["v1", "b", "split", 2, 1, 1], ["v2", "b", "chunk", 3, 0, 0], ["v3", "b", "unbind", 1, 0],
        [None, "v1", "mul_", 10.0], [None, "v2", "add_", 1.0], [None, "v3", "fill_", -1.0], [None, "b", "mul_", 2.0],
    ]),
    ("error: a view saved for backward, then its base modified in place", [
        ["a", None, "leaf", A34], ["b", "a", "mul", 1.0], ["v", "b", "narrow", 0, 1, 2], ["p", "v", "pow", 2],
        [None, "b", "add_", 1.0], ["s", "p", "sum"], [None, "s", "backward"],
    ]),
    ("error: a view made under noGrad, modified in place while recording", [
        ["a", None, "leaf", A34], ["b", "a", "mul", 1.0], ["v", "b", "nograd", "narrow", 0, 0, 2], [None, "v", "mul_", 2.0],
        [None, "v", "nograd", "mul_", 2.0],
    ]),
    ("detach() of a view shares its memory: writes reach the base, and the version moves", [
        ["a", None, "leaf", A34], ["b", "a", "mul", 1.0], ["v", "b", "narrow", 1, 1, 2], ["d", "v", "detach"],
        ["p", "b", "pow", 2], [None, "d", "mul_", 10.0], [None, "b", "nograd", "add_", 1.0], ["s", "p", "sum"], [None, "s", "backward"],
    ]),
    ("error: a base saved for backward, then modified through a view", [
        ["a", None, "leaf", A34], ["b", "a", "mul", 1.0], ["p", "b", "pow", 2], ["v", "b", "select", 0, 0],
        [None, "v", "mul_", 3.0], ["s", "p", "sum"], [None, "s", "backward"],
    ]),
]


def main():
    out = [{"name": name, "steps": steps, "expected": run(steps)} for name, steps in CASES]
    path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "torch-views.json")
    with open(path, "w") as f:
        json.dump({"torch": torch.__version__, "cases": out}, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(out)} cases to {os.path.normpath(path)}")


if __name__ == "__main__":
    main()
