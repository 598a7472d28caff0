"""Writes test/fixtures/torch-attention.json: PyTorch's numbers for chainrule's attention and transformer layers.

Rerun from the repository root with Debian's Python, which has torch installed:

    /usr/bin/python3 tools/gen_torch_attention_fixtures.py

Three kinds of case:

* "sdpa": scaled dot-product attention. The torch here (1.13) predates F.scaled_dot_product_attention,
  so the reference is its documented formula, written out below in torch: softmax(q kᵀ · scale + bias) v,
  bias from a bool mask (true = take part), a float mask, or the causal mask ones(L, S).tril(); rows
  whose scores are all -inf give 0 as PyTorch >= 2.5's _safe_softmax does (the softmax there sees finite
  values, so the gradients of those rows are 0, as _safe_softmax's). Grouped-query attention repeats
  key/value heads with repeat_interleave. Recorded: inputs, output, a random gradOutput and the gradients.
* "module": torch.nn.MultiheadAttention, TransformerEncoderLayer, TransformerEncoder,
  TransformerDecoderLayer, TransformerDecoder and Transformer built in torch 1.13 with PyTorch's
  argument names, parameters randomised, dropout 0: the state_dict (the test loads it strictly, which
  proves the names and shapes), the inputs, the outputs, and the gradients of inputs and parameters.
  No query row is fully masked here (torch 1.13 gives NaN there; chainrule gives 0, tested apart).

float64 values are written with Python's repr (exact), float32 with 9 significant digits.
"""

import json
import math
import os
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F

F32 = torch.float32
F64 = torch.float64
OUT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "torch-attention.json")

cases = []


def enc(t):
    t = t.detach()
    flat = t.reshape(-1).tolist()
    if t.dtype == F32:
        data, dtype = [float("%.9g" % v) for v in flat], "float32"
    elif t.dtype == F64:
        data, dtype = flat, "float64"
    elif t.dtype == torch.bool:
        data, dtype = [bool(v) for v in flat], "bool"
    else:
        raise ValueError(t.dtype)
    for v in data:
        if isinstance(v, float) and math.isnan(v):
            raise ValueError("NaN in a fixture")
    # -inf (masks) is written as a string, which JSON has no number for.
    data = [("-inf" if v == -math.inf else v) if isinstance(v, float) else v for v in data]
    return {"shape": list(t.shape), "dtype": dtype, "data": data}


def seed(name):
    torch.manual_seed(zlib.crc32(name.encode()))


def randn(shape, dt=F64, scale=1.0):
    return (torch.randn(shape, dtype=F64) * scale).to(dt)


def bool_mask(shape, p_keep=0.6, keep_one_per_row=True):
    m = torch.rand(shape) < p_keep
    if keep_one_per_row:  # some key in every row takes part
        idx = torch.randint(0, shape[-1], shape[:-1]).unsqueeze(-1)
        m.scatter_(-1, idx, True)
    return m


# ---- scaled dot-product attention, by its formula ----


def sdpa_ref(q, k, v, attn_mask=None, is_causal=False, scale=None, enable_gqa=False):
    L, S = q.size(-2), k.size(-2)
    s = 1 / math.sqrt(q.size(-1)) if scale is None else scale
    if enable_gqa:
        n = q.size(-3) // k.size(-3)
        k = k.repeat_interleave(n, dim=-3)
        v = v.repeat_interleave(n, dim=-3)
    scores = q @ k.transpose(-2, -1) * s
    bias = torch.zeros(L, S, dtype=q.dtype)
    if is_causal:
        bias = bias.masked_fill(~torch.ones(L, S, dtype=torch.bool).tril(), -math.inf)
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            bias = bias.masked_fill(~attn_mask, -math.inf)
        else:
            bias = attn_mask + bias
    biased = scores + bias
    empty = torch.isneginf(biased).all(-1, keepdim=True)
    w = torch.softmax(torch.where(empty, scores, biased), -1)
    w = torch.where(empty, torch.zeros((), dtype=q.dtype), w)
    return w @ v


def sdpa_case(name, q, k, v, dt=F64, **opts):
    q, k, v = (t.to(dt).requires_grad_(True) for t in (q, k, v))
    mask = opts.get("attn_mask")
    mask_grad = mask is not None and mask.dtype != torch.bool and mask.requires_grad
    out = sdpa_ref(q, k, v, **opts)
    g = randn(out.shape, dt)
    wrt = [q, k, v] + ([mask] if mask_grad else [])
    grads = torch.autograd.grad(out, wrt, g)
    case = {
        "kind": "sdpa", "name": name, "dtype": "float64" if dt == F64 else "float32",
        "q": enc(q), "k": enc(k), "v": enc(v), "output": enc(out), "gradOutput": enc(g),
        "grads": [enc(x) for x in grads[:3]],
        "isCausal": bool(opts.get("is_causal", False)),
        "scale": opts.get("scale"),
        "enableGqa": bool(opts.get("enable_gqa", False)),
        "attnMask": enc(mask) if mask is not None else None,
        "maskGrad": enc(grads[3]) if mask_grad else None,
    }
    cases.append(case)


def sdpa_cases():
    specs = [
        ("basic", [2, 3, 5, 8], [2, 3, 7, 8], [2, 3, 7, 6], {}),
        ("3d", [4, 5, 8], [4, 6, 8], [4, 6, 8], {}),
        ("2d", [5, 4], [6, 4], [6, 3], {}),
        ("broadcast_batch", [2, 3, 5, 8], [3, 7, 8], [3, 7, 8], {}),
        ("causal_square", [2, 2, 6, 4], [2, 2, 6, 4], [2, 2, 6, 4], {"is_causal": True}),
        ("causal_L_lt_S", [1, 2, 4, 4], [1, 2, 7, 4], [1, 2, 7, 5], {"is_causal": True}),
        ("causal_L_gt_S", [1, 2, 7, 4], [1, 2, 4, 4], [1, 2, 4, 5], {"is_causal": True}),
        ("scale", [2, 2, 5, 4], [2, 2, 6, 4], [2, 2, 6, 4], {"scale": 0.3}),
        # The fused kernels' edges: T not a multiple of their 64-key tile, T = 1, head dims 1 and 64.
        ("tile_tail_causal", [2, 2, 70, 5], [2, 2, 70, 5], [2, 2, 70, 3], {"is_causal": True}),
        ("tile_tail_L_lt_S", [1, 1, 3, 4], [1, 1, 131, 4], [1, 1, 131, 2], {}),
        ("T1", [3, 1, 4], [3, 1, 4], [3, 1, 2], {}),
        ("T1_causal", [2, 2, 1, 3], [2, 2, 1, 3], [2, 2, 1, 3], {"is_causal": True}),
        ("head_dim_1", [2, 6, 1], [2, 7, 1], [2, 7, 1], {"is_causal": True}),
        ("head_dim_64", [1, 2, 9, 64], [1, 2, 9, 64], [1, 2, 9, 64], {}),
    ]
    for tag, qs, ks, vs, opts in specs:
        name = f"sdpa/{tag}"
        seed(name)
        sdpa_case(name, randn(qs), randn(ks), randn(vs), **opts)
    seed("sdpa/bool_mask_2d")
    sdpa_case("sdpa/bool_mask_2d", randn([2, 3, 5, 8]), randn([2, 3, 7, 8]), randn([2, 3, 7, 8]), attn_mask=bool_mask([5, 7]))
    seed("sdpa/bool_mask_broadcast_heads")
    sdpa_case("sdpa/bool_mask_broadcast_heads", randn([2, 3, 5, 8]), randn([2, 3, 7, 8]), randn([2, 3, 7, 8]), attn_mask=bool_mask([2, 1, 5, 7]))
    seed("sdpa/bool_mask_empty_rows")
    m = bool_mask([2, 1, 5, 7])
    m[0, 0, 1, :] = False
    m[1, 0, 4, :] = False
    sdpa_case("sdpa/bool_mask_empty_rows", randn([2, 3, 5, 8]), randn([2, 3, 7, 8]), randn([2, 3, 7, 8]), attn_mask=m)
    seed("sdpa/float_mask")
    fm = randn([2, 3, 5, 7]).masked_fill(~bool_mask([2, 3, 5, 7]), -math.inf)
    sdpa_case("sdpa/float_mask", randn([2, 3, 5, 8]), randn([2, 3, 7, 8]), randn([2, 3, 7, 8]), attn_mask=fm)
    seed("sdpa/float_mask_grad")
    sdpa_case("sdpa/float_mask_grad", randn([2, 2, 4, 4]), randn([2, 2, 6, 4]), randn([2, 2, 6, 4]), attn_mask=randn([4, 6]).requires_grad_(True))
    seed("sdpa/float_mask_empty_rows")
    fm = randn([5, 7])
    fm[2, :] = -math.inf
    sdpa_case("sdpa/float_mask_empty_rows", randn([2, 5, 8]), randn([2, 7, 8]), randn([2, 7, 8]), attn_mask=fm)
    seed("sdpa/gqa")
    sdpa_case("sdpa/gqa", randn([2, 4, 5, 8]), randn([2, 2, 6, 8]), randn([2, 2, 6, 8]), enable_gqa=True, is_causal=True)
    seed("sdpa/float32")
    sdpa_case("sdpa/float32", randn([1, 2, 12, 8]), randn([1, 2, 12, 8]), randn([1, 2, 12, 8]), dt=F32, is_causal=True)
    seed("sdpa/float32_tile_tail")
    sdpa_case("sdpa/float32_tile_tail", randn([1, 1, 67, 32]), randn([1, 1, 67, 32]), randn([1, 1, 67, 32]), dt=F32, is_causal=True)


# ---- modules ----


def randomize(module, dt):
    with torch.no_grad():
        for name, p in module.named_parameters():
            base = 1.0 if p.dim() == 1 and "norm" in name and name.endswith("weight") else 0.0
            p.copy_(torch.randn(p.shape, dtype=F64) * 0.4 + base)
    return module.to(dt)


def module_case(name, module, ctor, inputs, kwargs=None, dt=F64, forward_kwargs_json=None):
    """Runs `module(*inputs, **kwargs)` (tensors in kwargs are masks) and records everything."""
    seed(name + "/params")
    randomize(module, dt)
    module.train()
    kwargs = kwargs or {}
    state = {k: enc(v) for k, v in module.state_dict().items()}
    result = module(*inputs, **kwargs)
    outs = list(result) if isinstance(result, tuple) else [result]
    outs = [o for o in outs if o is not None]
    gouts = [randn(o.shape, dt) for o in outs]
    params = list(module.named_parameters())
    diff_inputs = [x for x in inputs if x.requires_grad]
    grads = torch.autograd.grad(outs, diff_inputs + [p for _, p in params], gouts, allow_unused=True)
    input_grads, i = [], 0
    for x in inputs:
        if x.requires_grad:
            input_grads.append(enc(grads[i] if grads[i] is not None else torch.zeros_like(x)))
            i += 1
        else:
            input_grads.append(None)
    param_grads = {n: enc(g if g is not None else torch.zeros_like(p)) for (n, p), g in zip(params, grads[len(diff_inputs):])}
    cases.append({
        "kind": "module", "name": name, **ctor, "dtype": "float64" if dt == F64 else "float32",
        "state": state,
        "inputs": [enc(x) for x in inputs],
        "forward": {k: (enc(v) if torch.is_tensor(v) else v) for k, v in kwargs.items()},
        "outputs": [enc(o) for o in outs],
        "returnsWeights": isinstance(result, tuple) and result[1] is not None,
        "gradOutputs": [enc(g) for g in gouts],
        "grads": input_grads,
        "paramGrads": param_grads,
    })


def ctor(module, *args, **kwargs):
    return {"module": module, "args": list(args), "kwargs": kwargs}


def x(shape, dt=F64):
    return randn(shape, dt).requires_grad_(True)


def causal_float(n, dt=F64):
    return torch.triu(torch.full((n, n), -math.inf, dtype=dt), diagonal=1)


def mha_cases():
    E, H = 8, 2
    specs = [
        # name, ctor kwargs, (L, S, N), layout, forward kwargs builder
        ("self_seq_first", {}, "self", False, lambda L, S, N: {}),
        ("self_batch_first_no_weights", {"batch_first": True}, "self", True, lambda L, S, N: {"need_weights": False}),
        ("self_per_head_weights", {}, "self", False, lambda L, S, N: {"average_attn_weights": False}),
        ("cross", {}, "cross", False, lambda L, S, N: {}),
        ("kdim_vdim", {"kdim": 5, "vdim": 7}, "kv", False, lambda L, S, N: {}),
        ("no_bias", {"bias": False}, "self", False, lambda L, S, N: {}),
        ("bias_kv_zero_attn", {"add_bias_kv": True, "add_zero_attn": True, "batch_first": True}, "cross", True,
         lambda L, S, N: {"key_padding_mask": bool_mask([N, S], 0.7).logical_not(), "attn_mask": bool_mask([L, S], 0.7).logical_not()}),
        ("key_padding_bool", {}, "cross", False, lambda L, S, N: {"key_padding_mask": bool_mask([N, S], 0.6).logical_not()}),
        ("key_padding_float", {"batch_first": True}, "cross", True, lambda L, S, N: {"key_padding_mask": randn([N, S])}),
        ("attn_mask_bool_2d", {}, "cross", False, lambda L, S, N: {"attn_mask": bool_mask([L, S], 0.5).logical_not()}),
        ("attn_mask_float_3d", {"batch_first": True}, "cross", True, lambda L, S, N: {"attn_mask": randn([N * H, L, S])}),
        ("masks_bool_both", {}, "self", False,
         lambda L, S, N: {"attn_mask": bool_mask([L, S], 0.6).logical_not(), "key_padding_mask": bool_mask([N, S], 0.8).logical_not()}),
        ("causal_float_and_padding", {"batch_first": True}, "self", True,
         lambda L, S, N: {"attn_mask": causal_float(L), "key_padding_mask": torch.tensor([[False] * S, [False] * (S - 2) + [True] * 2])}),
    ]
    N = 2
    for tag, kw, kind, bf, fkw in specs:
        name = f"MultiheadAttention/{tag}"
        seed(name)
        L = 5
        S = 5 if kind == "self" else 6
        kd, vd = kw.get("kdim", E), kw.get("vdim", E)
        shape = (lambda n, f: [N, n, f]) if bf else (lambda n, f: [n, N, f])
        q = x(shape(L, E))
        inputs = [q]
        if kind != "self":
            inputs.append(x(shape(S, kd)))
        if kind == "kv":
            inputs.append(x(shape(S, vd)))
        module_case_mha(name, nn.MultiheadAttention(E, H, **kw), ctor("MultiheadAttention", E, H, **kw), inputs, kind, fkw(L, S, N))
    seed("MultiheadAttention/unbatched")
    module_case_mha("MultiheadAttention/unbatched", nn.MultiheadAttention(E, H), ctor("MultiheadAttention", E, H), [x([5, E]), x([6, E])], "cross",
                    {"key_padding_mask": torch.tensor([False, True, False, False, True, False])})
    seed("MultiheadAttention/float32")
    module_case_mha("MultiheadAttention/float32", nn.MultiheadAttention(16, 4, batch_first=True), ctor("MultiheadAttention", 16, 4, batch_first=True),
                    [x([3, 7, 16], F32)], "self", {}, dt=F32)


def module_case_mha(name, module, c, inputs, kind, fk, dt=F64):
    """MultiheadAttention on inputs [q] (query = key = value, "self"), [q, k] (key = value, "cross") or [q, k, v] ("kv")."""

    class Wrapped(nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, *xs, **kw):
            q = xs[0]
            k = q if kind == "self" else xs[1]
            v = xs[2] if kind == "kv" else k
            return self.m(q, k, v, **kw)

    before = len(cases)
    module_case(name, Wrapped(module), c, inputs, fk, dt=dt)
    case = cases[before]
    # The wrapper's "m." prefix is not part of MultiheadAttention's own names.
    case["state"] = {k[2:]: v for k, v in case["state"].items()}
    case["paramGrads"] = {k[2:]: v for k, v in case["paramGrads"].items()}
    case["call"] = kind


def layer_cases():
    d, h, ff = 8, 2, 16
    specs = [
        ("post_norm_relu", {}, False),
        ("pre_norm_gelu_batch_first", {"norm_first": True, "activation": "gelu", "batch_first": True}, True),
    ]
    for tag, kw, bf in specs:
        name = f"TransformerEncoderLayer/{tag}"
        seed(name)
        src = x([2, 5, d] if bf else [5, 2, d])
        module_case(name, nn.TransformerEncoderLayer(d, h, dim_feedforward=ff, dropout=0.0, **kw),
                    ctor("TransformerEncoderLayer", d, h, dim_feedforward=ff, dropout=0.0, **kw), [src],
                    {"src_mask": causal_float(5), "src_key_padding_mask": torch.tensor([[False] * 5, [False, False, False, True, True]])})
    name = "TransformerEncoder/two_layers_norm"
    seed(name)
    enc_layer = nn.TransformerEncoderLayer(d, h, dim_feedforward=ff, dropout=0.0, batch_first=True)
    module_case(name, nn.TransformerEncoder(enc_layer, 2, norm=nn.LayerNorm(d), enable_nested_tensor=False),
                ctor("TransformerEncoder", d, h, dim_feedforward=ff, dropout=0.0, batch_first=True, num_layers=2, norm=True),
                [x([2, 6, d])], {"src_key_padding_mask": torch.tensor([[False] * 6, [False] * 4 + [True] * 2])})
    for tag, kw, bf in [("post_norm", {}, False), ("pre_norm_batch_first", {"norm_first": True, "batch_first": True}, True)]:
        name = f"TransformerDecoderLayer/{tag}"
        seed(name)
        tgt = x([2, 4, d] if bf else [4, 2, d])
        mem = x([2, 6, d] if bf else [6, 2, d])
        module_case(name, nn.TransformerDecoderLayer(d, h, dim_feedforward=ff, dropout=0.0, **kw),
                    ctor("TransformerDecoderLayer", d, h, dim_feedforward=ff, dropout=0.0, **kw), [tgt, mem],
                    {"tgt_mask": causal_float(4), "memory_key_padding_mask": torch.tensor([[False] * 6, [False] * 5 + [True]])})
    name = "TransformerDecoder/two_layers_norm"
    seed(name)
    module_case(name, nn.TransformerDecoder(nn.TransformerDecoderLayer(d, h, dim_feedforward=ff, dropout=0.0), 2, norm=nn.LayerNorm(d)),
                ctor("TransformerDecoder", d, h, dim_feedforward=ff, dropout=0.0, num_layers=2, norm=True),
                [x([4, 2, d]), x([6, 2, d])], {"tgt_mask": causal_float(4)})
    name = "Transformer/small"
    seed(name)
    kw = dict(d_model=d, nhead=h, num_encoder_layers=1, num_decoder_layers=2, dim_feedforward=ff, dropout=0.0)
    module_case(name, nn.Transformer(**kw), ctor("Transformer", **kw), [x([6, 2, d]), x([4, 2, d])],
                {"tgt_mask": causal_float(4), "src_key_padding_mask": torch.tensor([[False] * 6, [False] * 5 + [True]])})


def main():
    torch.set_default_dtype(F64)
    sdpa_cases()
    mha_cases()
    layer_cases()
    with open(OUT_PATH, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
    print(f"wrote {len(cases)} cases to {os.path.relpath(OUT_PATH)} ({os.path.getsize(OUT_PATH) // 1024} KiB)")


if __name__ == "__main__":
    main()
