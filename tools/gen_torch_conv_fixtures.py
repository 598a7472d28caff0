"""Writes test/fixtures/torch-conv.json: PyTorch's values and gradients for convolution in 1-D and 3-D, the
transposed convolutions, pooling in 1-D, 2-D and 3-D (ceil_mode, count_include_pad, adaptive, max_unpool),
interpolate, pixel_shuffle and fold/unfold, read by test/conv-fixtures.test.ts.

Rerun from the repository root with Debian's Python, which has torch installed:

    /usr/bin/python3 tools/gen_torch_conv_fixtures.py

Each case records the op and its args (chainrule's names, camelCase), the inputs, the output (and, for max
pooling, the indices), a seeded random gradOutput and the gradient of every input that requires grad. Each case
reseeds torch from a hash of its name. Floats are written with full precision; NaN and infinities as strings.
Max pooling inputs are distinct (no ties) where gradients are recorded; tied and NaN inputs are recorded
forward-only, to check which winner PyTorch picks.
"""

import os

import torch
import torch.nn.functional as F

from torch_fixture_io import DTYPE_NAME, F32, F64, Recorder, seed_of, write_fixture

OUT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "torch-conv.json")

fixture = Recorder(with_indices=True)
# Inputs are drawn before their case reseeds torch, so the first case's come from this seed (torch's own initial
# seed differs from run to run here); each later case's from the state its predecessor left.
torch.manual_seed(seed_of("torch-conv"))
record = fixture.record


def randn(shape, dt):
    return torch.randn(shape, dtype=F64).to(dt)


def distinct(shape, dt):
    """All elements distinct and ~0.25 apart: max pooling has a unique winner in every window."""
    n = int(torch.Size(shape).numel())
    vals = (torch.randperm(n).double() - n / 2) * 0.25 + (torch.rand(n, dtype=F64) - 0.5) * 0.1
    return vals.reshape(shape).to(dt)


def ties(shape, dt, nan=0.0):
    """Values on a coarse grid (ties everywhere), with a share `nan` of NaN."""
    x = torch.randint(-2, 3, shape).double() * 0.5
    if nan > 0:
        x = torch.where(torch.rand(shape, dtype=F64) < nan, torch.tensor(float("nan"), dtype=F64), x)
    return x.to(dt)


def conv_case(tag, dt, op, x_shape, w_shape, bias, kw, fn):
    args = dict(kw)
    inputs = [(randn(x_shape, dt), True), (randn(w_shape, dt) * 0.5, True)]
    if bias:
        inputs.append((randn([w_shape[0] if "Transpose" not in op else w_shape[1] * kw.get("groups", 1)], dt), True))
    torch_kw = {{"outputPadding": "output_padding"}.get(k, k): v for k, v in kw.items()}
    record(f"{op}/{tag}/{DTYPE_NAME[dt]}", op, args, inputs, lambda *t: fn(*t, **torch_kw))


# ---- convolutions ----

for dt in (F32, F64):
    conv_case("k3_s2_p1_groups2", dt, "conv1d", [2, 4, 9], [6, 2, 3], True, {"stride": 2, "padding": 1, "groups": 2}, F.conv1d)
    conv_case("same_k4_d2", dt, "conv1d", [2, 3, 8], [2, 3, 4], False, {"padding": "same", "dilation": 2}, F.conv1d)
    conv_case("unbatched", dt, "conv1d", [3, 7], [4, 3, 2], True, {}, F.conv1d)
    conv_case("mixed", dt, "conv3d", [2, 2, 5, 6, 5], [4, 2, 3, 2, 3], True, {"stride": [2, 1, 2], "padding": [1, 0, 1], "dilation": [1, 2, 1]}, F.conv3d)
    conv_case("groups_same", dt, "conv3d", [1, 4, 4, 3, 4], [2, 2, 2, 3, 2], True, {"padding": "same", "groups": 2}, F.conv3d)
    conv_case("unbatched", dt, "conv3d", [2, 3, 3, 3], [3, 2, 2, 2, 2], False, {"stride": 2, "padding": 1}, F.conv3d)
    conv_case("s2_p1_op1", dt, "convTranspose1d", [2, 4, 5], [4, 3, 3], True, {"stride": 2, "padding": 1, "outputPadding": 1}, F.conv_transpose1d)
    conv_case("groups_dilation", dt, "convTranspose1d", [2, 4, 6], [4, 2, 3], True, {"groups": 2, "dilation": 2, "stride": 3}, F.conv_transpose1d)
    conv_case("mixed", dt, "convTranspose2d", [2, 4, 4, 5], [4, 3, 3, 2], True, {"stride": [2, 3], "padding": [1, 0], "outputPadding": [1, 2]}, F.conv_transpose2d)
    conv_case("op_over_stride", dt, "convTranspose2d", [1, 2, 4, 4], [2, 3, 3, 3], False, {"stride": 1, "dilation": 2, "outputPadding": 1}, F.conv_transpose2d)
    conv_case("groups", dt, "convTranspose2d", [2, 6, 3, 3], [6, 1, 2, 2], True, {"groups": 3, "stride": 2}, F.conv_transpose2d)
    conv_case("unbatched", dt, "convTranspose2d", [3, 4, 4], [3, 2, 3, 3], True, {"padding": 1}, F.conv_transpose2d)
    conv_case("mixed", dt, "convTranspose3d", [1, 2, 3, 4, 3], [2, 3, 2, 3, 2], True, {"stride": 2, "padding": [0, 1, 0], "outputPadding": [1, 0, 1]}, F.conv_transpose3d)


# ---- max pooling ----

def pool_kw(kw):
    return {{"ceilMode": "ceil_mode", "countIncludePad": "count_include_pad", "divisorOverride": "divisor_override"}.get(k, k): v for k, v in kw.items()}


MAX_POOLS = [
    ("maxPool1d", F.max_pool1d, "k3_s2_p1_ceil", [2, 3, 11], 3, {"stride": 2, "padding": 1, "ceilMode": True}),
    ("maxPool1d", F.max_pool1d, "k2_d2", [2, 2, 9], 2, {"stride": 1, "dilation": 2}),
    ("maxPool1d", F.max_pool1d, "k2_ceil_unbatched", [3, 7], 2, {"ceilMode": True}),
    ("maxPool2d", F.max_pool2d, "k3_s2_p1_ceil", [2, 2, 7, 8], 3, {"stride": 2, "padding": 1, "ceilMode": True}),
    ("maxPool2d", F.max_pool2d, "k2_ceil_odd", [1, 3, 5, 7], 2, {"ceilMode": True}),
    ("maxPool2d", F.max_pool2d, "asymmetric_ceil", [2, 2, 6, 9], [2, 3], {"stride": [2, 2], "padding": [1, 1], "dilation": [2, 1], "ceilMode": True}),
    ("maxPool3d", F.max_pool3d, "mixed", [2, 2, 5, 6, 7], [2, 3, 2], {"stride": [2, 2, 1], "padding": [1, 1, 0], "dilation": [1, 1, 2]}),
    ("maxPool3d", F.max_pool3d, "ceil", [1, 2, 5, 5, 6], 2, {"ceilMode": True}),
    ("maxPool3d", F.max_pool3d, "unbatched", [2, 4, 4, 4], 3, {"stride": 2, "padding": 1}),
]
for op, fn, tag, shape, k, kw in MAX_POOLS:
    for dt in (F32, F64):
        record(f"{op}/{tag}/{DTYPE_NAME[dt]}", op, {"kernelSize": k, **kw}, [(distinct(shape, dt), True)],
               lambda x, fn=fn, k=k, kw=kw: fn(x, k, return_indices=True, **pool_kw(kw)))
    record(f"{op}/{tag}/ties_nan", op, {"kernelSize": k, **kw}, [(ties(shape, F32, 0.1), False)],
           lambda x, fn=fn, k=k, kw=kw: fn(x, k, return_indices=True, **pool_kw(kw)), grads=False)

# ---- average pooling ----

AVG_POOLS = [
    ("avgPool1d", F.avg_pool1d, "k3_s2_p1_ceil", [2, 3, 10], 3, {"stride": 2, "padding": 1, "ceilMode": True}),
    ("avgPool1d", F.avg_pool1d, "k3_s2_p1_ceil_nopad", [2, 3, 10], 3, {"stride": 2, "padding": 1, "ceilMode": True, "countIncludePad": False}),
    ("avgPool1d", F.avg_pool1d, "k4_unbatched", [3, 9], 4, {"stride": 3}),
    ("avgPool2d", F.avg_pool2d, "k3_s2_p1_ceil", [2, 2, 7, 8], 3, {"stride": 2, "padding": 1, "ceilMode": True}),
    ("avgPool2d", F.avg_pool2d, "k3_s2_p1_ceil_nopad", [2, 2, 7, 8], 3, {"stride": 2, "padding": 1, "ceilMode": True, "countIncludePad": False}),
    ("avgPool2d", F.avg_pool2d, "ceil_divisor", [1, 2, 5, 5], 2, {"ceilMode": True, "divisorOverride": 3}),
    ("avgPool3d", F.avg_pool3d, "mixed_ceil_nopad", [1, 2, 5, 6, 7], [3, 2, 3], {"stride": 2, "padding": [1, 1, 0], "ceilMode": True, "countIncludePad": False}),
    ("avgPool3d", F.avg_pool3d, "pad", [2, 2, 4, 5, 4], 3, {"stride": [1, 2, 2], "padding": 1}),
    ("avgPool3d", F.avg_pool3d, "divisor", [1, 2, 4, 4, 4], 2, {"divisorOverride": 5}),
]
for op, fn, tag, shape, k, kw in AVG_POOLS:
    for dt in (F32, F64):
        record(f"{op}/{tag}/{DTYPE_NAME[dt]}", op, {"kernelSize": k, **kw}, [(randn(shape, dt), True)],
               lambda x, fn=fn, k=k, kw=kw: fn(x, k, **pool_kw(kw)))

# ---- adaptive pooling ----

ADAPTIVE = [
    ("adaptiveAvgPool1d", F.adaptive_avg_pool1d, "10_to_4", [2, 3, 10], 4),
    ("adaptiveAvgPool1d", F.adaptive_avg_pool1d, "unbatched_7_to_3", [2, 7], 3),
    ("adaptiveAvgPool2d", F.adaptive_avg_pool2d, "7x9_to_3x4", [2, 3, 7, 9], [3, 4]),
    ("adaptiveAvgPool2d", F.adaptive_avg_pool2d, "keep_height", [1, 2, 5, 7], [None, 3]),
    ("adaptiveAvgPool2d", F.adaptive_avg_pool2d, "global", [2, 4, 5, 5], 1),
    ("adaptiveAvgPool2d", F.adaptive_avg_pool2d, "upsampling_bins", [1, 2, 3, 4], [5, 6]),
    ("adaptiveAvgPool3d", F.adaptive_avg_pool3d, "5x6x7_to_2x3x4", [1, 2, 5, 6, 7], [2, 3, 4]),
    ("adaptiveMaxPool1d", F.adaptive_max_pool1d, "10_to_4", [2, 3, 10], 4),
    ("adaptiveMaxPool2d", F.adaptive_max_pool2d, "7x9_to_3x4", [2, 3, 7, 9], [3, 4]),
    ("adaptiveMaxPool2d", F.adaptive_max_pool2d, "8x8_to_4", [2, 2, 8, 8], 4),
    ("adaptiveMaxPool2d", F.adaptive_max_pool2d, "unbatched_keep_width", [2, 5, 6], [2, None]),
    ("adaptiveMaxPool3d", F.adaptive_max_pool3d, "5x6x7_to_2x3x4", [1, 2, 5, 6, 7], [2, 3, 4]),
]
for op, fn, tag, shape, size in ADAPTIVE:
    is_max = "Max" in op
    for dt in (F32, F64):
        make = distinct if is_max else randn
        record(f"{op}/{tag}/{DTYPE_NAME[dt]}", op, {"outputSize": size}, [(make(shape, dt), True)],
               (lambda x, fn=fn, size=size: fn(x, size, return_indices=True)) if is_max else (lambda x, fn=fn, size=size: fn(x, size)))
    if is_max:
        record(f"{op}/{tag}/ties_nan", op, {"outputSize": size}, [(ties(shape, F32, 0.1), False)],
               lambda x, fn=fn, size=size: fn(x, size, return_indices=True), grads=False)

# ---- max unpooling: values put back at the winners of a pooling of another input ----

UNPOOLS = [
    ("maxUnpool1d", F.max_pool1d, F.max_unpool1d, "k2", [2, 3, 8], 2, {}, None),
    ("maxUnpool2d", F.max_pool2d, F.max_unpool2d, "k2_output_size", [2, 2, 5, 7], 2, {}, [5, 7]),
    ("maxUnpool2d", F.max_pool2d, F.max_unpool2d, "overlapping", [1, 2, 5, 5], 3, {"stride": 1}, None),
    ("maxUnpool2d", F.max_pool2d, F.max_unpool2d, "padded", [1, 2, 6, 6], 3, {"stride": 2, "padding": 1}, [1, 2, 6, 6]),
    ("maxUnpool3d", F.max_pool3d, F.max_unpool3d, "k2", [1, 2, 4, 4, 5], 2, {}, [4, 4, 5]),
]
for op, pool, unpool, tag, shape, k, kw, out_size in UNPOOLS:
    for dt in (F32, F64):
        name = f"{op}/{tag}/{DTYPE_NAME[dt]}"
        torch.manual_seed(seed_of("pool " + name))
        _, idx = pool(ties(shape, F64), k, return_indices=True, **kw)
        values_shape = list(idx.shape)
        args = {"kernelSize": k, **kw, "outputSize": out_size}
        record(name, op, args, [(randn(values_shape, dt), True), (idx, False)],
               lambda v, i, unpool=unpool, k=k, kw=kw, out_size=out_size: unpool(v, i, k, output_size=out_size, **kw))

# ---- interpolate ----

INTERP = [
    ("nearest_scale2", [2, 3, 4, 5], {"scaleFactor": 2, "mode": "nearest"}),
    ("nearest_size", [1, 2, 3, 4], {"size": [5, 7], "mode": "nearest"}),
    ("nearest_scale_1_7", [1, 2, 5, 6], {"scaleFactor": 1.7, "mode": "nearest"}),
    ("nearest_down", [1, 2, 7, 9], {"size": [3, 4], "mode": "nearest"}),
    ("nearest_1d", [2, 3, 7], {"scaleFactor": 2.5, "mode": "nearest"}),
    ("nearest_3d", [1, 2, 3, 4, 3], {"size": [5, 6, 7], "mode": "nearest"}),
    ("nearest_exact_scale_1_7", [1, 2, 5, 6], {"scaleFactor": 1.7, "mode": "nearest-exact"}),
    ("nearest_exact_down", [1, 2, 7, 9], {"size": [3, 4], "mode": "nearest-exact"}),
    ("linear", [2, 3, 6], {"scaleFactor": 1.5, "mode": "linear"}),
    ("linear_align", [2, 3, 6], {"size": 11, "mode": "linear", "alignCorners": True}),
    ("bilinear_scale2", [2, 2, 4, 5], {"scaleFactor": 2, "mode": "bilinear"}),
    ("bilinear_align", [1, 2, 4, 5], {"size": [7, 9], "mode": "bilinear", "alignCorners": True}),
    ("bilinear_down", [1, 2, 9, 8], {"size": [4, 3], "mode": "bilinear"}),
    ("bilinear_scale_recompute", [1, 2, 5, 6], {"scaleFactor": [1.3, 2.1], "mode": "bilinear", "recomputeScaleFactor": True}),
    ("bilinear_scale_1_3", [1, 2, 5, 6], {"scaleFactor": [1.3, 2.1], "mode": "bilinear"}),
    ("bicubic_scale2", [1, 2, 4, 5], {"scaleFactor": 2, "mode": "bicubic"}),
    ("bicubic_align", [1, 2, 5, 4], {"size": [8, 9], "mode": "bicubic", "alignCorners": True}),
    ("bicubic_down", [1, 2, 9, 8], {"size": [4, 5], "mode": "bicubic"}),
    ("trilinear", [1, 2, 3, 4, 3], {"size": [5, 6, 4], "mode": "trilinear"}),
    ("trilinear_align", [1, 1, 3, 3, 4], {"scaleFactor": 2, "mode": "trilinear", "alignCorners": True}),
    ("area", [1, 2, 7, 9], {"size": [3, 4], "mode": "area"}),
    ("area_scale", [2, 3, 8], {"scaleFactor": 0.5, "mode": "area"}),
]


def interp_kw(kw):
    m = {"scaleFactor": "scale_factor", "alignCorners": "align_corners", "recomputeScaleFactor": "recompute_scale_factor"}
    return {m.get(k, k): v for k, v in kw.items()}


for tag, shape, kw in INTERP:
    for dt in (F32, F64):
        record(f"interpolate/{tag}/{DTYPE_NAME[dt]}", "interpolate", kw, [(randn(shape, dt), True)],
               lambda x, kw=kw: F.interpolate(x, **interp_kw(kw)))

# ---- pixel shuffle, fold and unfold ----

for dt in (F32, F64):
    record(f"pixelShuffle/r2/{DTYPE_NAME[dt]}", "pixelShuffle", {"factor": 2}, [(randn([2, 8, 3, 2], dt), True)], lambda x: F.pixel_shuffle(x, 2))
    record(f"pixelShuffle/r3_batch2/{DTYPE_NAME[dt]}", "pixelShuffle", {"factor": 3}, [(randn([2, 1, 9, 2, 2], dt), True)], lambda x: F.pixel_shuffle(x, 3))
    record(f"pixelUnshuffle/r2/{DTYPE_NAME[dt]}", "pixelUnshuffle", {"factor": 2}, [(randn([2, 3, 4, 6], dt), True)], lambda x: F.pixel_unshuffle(x, 2))
    record(f"unfold/unbatched/{DTYPE_NAME[dt]}", "unfold", {"kernelSize": [2, 3], "padding": 1, "stride": [1, 2]}, [(randn([2, 4, 5], dt), True)],
           lambda x: F.unfold(x, [2, 3], padding=1, stride=[1, 2]))
    record(f"fold/unbatched/{DTYPE_NAME[dt]}", "fold", {"outputSize": [4, 5], "kernelSize": 2, "dilation": [1, 2]}, [(randn([8, 9], dt), True)],
           lambda x: F.fold(x, [4, 5], 2, dilation=[1, 2]))

write_fixture(OUT_PATH, fixture.cases)
