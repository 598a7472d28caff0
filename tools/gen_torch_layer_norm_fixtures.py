"""Writes test/fixtures/torch-layer-norm.json: PyTorch's F.layer_norm, its output and the gradients of input, weight
and bias for a seeded random gradOutput, for chainrule's fused `layerNorm` primitive (test/layer-norm.test.ts).

Rerun from the repository root with Debian's Python, which has torch installed:

    /usr/bin/python3 tools/gen_torch_layer_norm_fixtures.py

Cases: one and two normalised dims, rows whose length is no multiple of 4 (the wasm kernel's scalar tail), each of
no affine / weight only / bias only / both, another eps, rows far from 0 (mean 1e4), a row with NaN and one with
+inf (both NaN rows), and the GPT's shape (rows of 128), in float32 and float64.
"""

import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_fixture_io import F32, F64, Recorder, seed_of, write_fixture  # noqa: E402

OUT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "torch-layer-norm.json")

rec = Recorder()


def case(tag, shape, normalized, affine, eps=1e-5, dt=F32, fill=None, grads=True):
    name = f"layerNorm/{tag}/{'f64' if dt == F64 else 'f32'}"
    torch.manual_seed(seed_of(name))
    x = torch.randn(shape, dtype=F64)
    if fill is not None:
        x = fill(x)
    x = x.to(dt)
    inputs = [(x, True)]
    w = b = None
    if affine in ("weight", "both"):
        w = torch.randn(normalized, dtype=F64).to(dt)
        inputs.append((w, True))
    if affine in ("bias", "both"):
        b = torch.randn(normalized, dtype=F64).to(dt)
        inputs.append((b, True))

    def fn(*ts):
        it = iter(ts[1:])
        wt = next(it) if w is not None else None
        bt = next(it) if b is not None else None
        return F.layer_norm(ts[0], normalized, wt, bt, eps)

    rec.record(name, "layerNorm", {"normalizedShape": list(normalized), "affine": affine, "eps": eps}, inputs, fn, grads=grads)


def far(x):
    return x + 1e4


def specials(x):
    x = x.clone()
    x[0, 1] = float("nan")
    x[1, 2] = float("inf")
    return x


for dt in (F32, F64):
    for affine in ("none", "weight", "bias", "both"):
        case(f"last_dim_7/{affine}", [3, 7], [7], affine, dt=dt)
    case("two_dims/both", [2, 3, 4], [3, 4], "both", dt=dt)
    case("eps/both", [4, 5], [5], "both", eps=0.1, dt=dt)
    case("far_from_zero/both", [3, 8], [8], "both", dt=dt, fill=far)
    case("gpt_rows/both", [2, 6, 128], [128], "both", dt=dt)
    case("one_element_rows/both", [4, 1], [1], "both", dt=dt)
    case("nan_inf/both", [3, 6], [6], "both", dt=dt, fill=specials, grads=False)

write_fixture(OUT_PATH, rec.cases, newline=True)
