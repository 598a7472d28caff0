"""Writes the GPT interop fixtures: nanoGPT-layout checkpoints written by PyTorch, and PyTorch's reading of one written by chainrule.

Rerun from the repository root with Debian's Python, which has torch installed (node runs the chainrule side):

    /usr/bin/python3 tools/gen_torch_gpt_fixtures.py

PyTorch -> chainrule: a GPT in nanoGPT's module layout (written out below: token and position embeddings,
pre-norm blocks of causal self-attention with c_attn/c_proj and an MLP with c_fc/GELU/c_proj, ln_f, and
lm_head tied to wte), initialised at random, saved as safetensors under nanoGPT's state-dict names:
  test/fixtures/torch-gpt-f64.safetensors  float64, biases, both tied keys, plus the causal-mask buffers
                                           `transformer.h.{i}.attn.bias` that nanoGPT keeps on torch < 2;
  test/fixtures/torch-gpt-f32.safetensors  float32, bias=False, only `transformer.wte.weight` of the tied pair.
For each, test/fixtures/torch-gpt.json holds a fixed input, targets (some -1, ignored), the logits, the loss
and the gradient of every parameter.

chainrule -> PyTorch: tools/write_gpt_checkpoint.ts trains a tiny cr.models.GPT for a few steps and writes
test/fixtures/chainrule-gpt.safetensors; this script loads that file into the torch model with
load_state_dict(strict=True) and records torch's logits and loss on a fixed input, so the test can check
that PyTorch reads chainrule's checkpoint as chainrule means it.

The safetensors files are written and read by tools/safetensors_struct.py (the reference layout).
"""

import json
import math
import os
import subprocess
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_struct import deserialize, encode_values, serialize  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FIXTURES = os.path.join(ROOT, "test", "fixtures")


class LayerNorm(nn.Module):
    """LayerNorm with an optional bias (torch 1.13's nn.LayerNorm always has one)."""

    def __init__(self, n, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n))
        self.bias = nn.Parameter(torch.zeros(n)) if bias else None

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, 1e-5)


class SelfAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.n_head, self.n_embd = cfg["nHead"], cfg["nEmbd"]
        self.c_attn = nn.Linear(self.n_embd, 3 * self.n_embd, bias=cfg["bias"])
        self.c_proj = nn.Linear(self.n_embd, self.n_embd, bias=cfg["bias"])
        n = cfg["blockSize"]
        # Not in the state dict, as in nanoGPT on torch >= 2 (on torch < 2 nanoGPT saves it; see `mask_buffers`).
        self.register_buffer("mask", torch.tril(torch.ones(n, n, dtype=torch.bool)), persistent=False)

    def forward(self, x):
        B, T, C = x.shape
        h = self.n_head
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, h, C // h).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(C // h)
        att = att.masked_fill(~self.mask[:T, :T], float("-inf")).softmax(-1)
        return self.c_proj((att @ v).transpose(1, 2).reshape(B, T, C))


class Mlp(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.c_fc = nn.Linear(cfg["nEmbd"], 4 * cfg["nEmbd"], bias=cfg["bias"])
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * cfg["nEmbd"], cfg["nEmbd"], bias=cfg["bias"])

    def forward(self, x):
        return self.c_proj(self.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.ln_1 = LayerNorm(cfg["nEmbd"], cfg["bias"])
        self.attn = SelfAttention(cfg)
        self.ln_2 = LayerNorm(cfg["nEmbd"], cfg["bias"])
        self.mlp = Mlp(cfg)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Gpt(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(cfg["vocabSize"], cfg["nEmbd"]),
            wpe=nn.Embedding(cfg["blockSize"], cfg["nEmbd"]),
            drop=nn.Dropout(0.0),
            h=nn.ModuleList([Block(cfg) for _ in range(cfg["nLayer"])]),
            ln_f=LayerNorm(cfg["nEmbd"], cfg["bias"]),
        ))
        self.lm_head = nn.Linear(cfg["nEmbd"], cfg["vocabSize"], bias=False)
        self.transformer.wte.weight = self.lm_head.weight

    def forward(self, idx, targets=None):
        t = idx.shape[1]
        x = self.transformer.wte(idx) + self.transformer.wpe(torch.arange(t))
        for block in self.transformer.h:
            x = block(x)
        logits = self.lm_head(self.transformer.ln_f(x))
        loss = None if targets is None else F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
        return logits, loss


def enc(t):
    t = t.detach()
    return {"shape": list(t.shape), "dtype": {torch.float32: "float32", torch.float64: "float64"}.get(t.dtype, "int32"), "data": encode_values(t)}


def mask_buffers(cfg):
    n = cfg["blockSize"]
    return {f"transformer.h.{i}.attn.bias": torch.tril(torch.ones(n, n)).view(1, 1, n, n) for i in range(cfg["nLayer"])}


def fixed_batch(cfg, seed):
    g = torch.Generator().manual_seed(seed)
    idx = torch.randint(0, cfg["vocabSize"], (2, cfg["blockSize"]), generator=g)
    targets = torch.randint(0, cfg["vocabSize"], (2, cfg["blockSize"]), generator=g)
    targets[0, 2] = -1
    targets[1, 5] = -1
    return idx, targets


def from_torch(tag, cfg, dtype, keys, with_masks, seed):
    torch.manual_seed(seed)
    model = Gpt(cfg)
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.randn(p.shape) * (0.3 if p.dim() > 1 else 0.2) + (1.0 if name.endswith("ln_1.weight") or name.endswith("ln_2.weight") or name.endswith("ln_f.weight") else 0.0))
    model = model.to(dtype)
    sd = model.state_dict()
    tensors = {k: v for k, v in sd.items() if k in keys(sd)}
    if with_masks:
        tensors.update({k: v.to(dtype) for k, v in mask_buffers(cfg).items()})
    path = os.path.join(FIXTURES, f"torch-gpt-{tag}.safetensors")
    with open(path, "wb") as f:
        f.write(serialize(tensors, {"format": "pt"}))
    idx, targets = fixed_batch(cfg, seed + 1)
    logits, loss = model(idx, targets)
    named = list(model.named_parameters())
    grads = torch.autograd.grad(loss, [p for _, p in named])
    return {
        "file": os.path.basename(path), "config": cfg, "dtype": {torch.float32: "float32", torch.float64: "float64"}[dtype],
        "keys": sorted(tensors.keys()),
        "idx": enc(idx), "targets": enc(targets), "logits": enc(logits), "loss": loss.item(),
        "grads": {n: enc(g) for (n, _), g in zip(named, grads)},
    }


def from_chainrule():
    path = os.path.join(FIXTURES, "chainrule-gpt.safetensors")
    subprocess.run(["node", "--conditions=chainrule-source", "--import", "tsx", "tools/write_gpt_checkpoint.ts", path], cwd=ROOT, check=True)
    with open(path, "rb") as f:
        tensors, metadata = deserialize(f.read())
    cfg = json.loads(metadata["chainrule.gpt"])
    model = Gpt(cfg)
    model.load_state_dict(tensors, strict=True)
    assert model.lm_head.weight is model.transformer.wte.weight, "the tie survives loading"
    idx, targets = fixed_batch(cfg, 7)
    with torch.no_grad():
        logits, loss = model(idx, targets)
    return {"file": os.path.basename(path), "config": cfg, "idx": enc(idx), "targets": enc(targets), "logits": enc(logits), "loss": loss.item()}


def main():
    both = lambda sd: set(sd.keys())  # noqa: E731
    wte_only = lambda sd: set(sd.keys()) - {"lm_head.weight"}  # noqa: E731
    cfg64 = {"vocabSize": 13, "blockSize": 8, "nLayer": 2, "nHead": 2, "nEmbd": 16, "dropout": 0.0, "bias": True}
    cfg32 = {"vocabSize": 11, "blockSize": 6, "nLayer": 3, "nHead": 4, "nEmbd": 16, "dropout": 0.0, "bias": False}
    fixture = {
        "torch": torch.__version__,
        "fromTorch": [
            from_torch("f64", cfg64, torch.float64, both, True, 11),
            from_torch("f32", cfg32, torch.float32, wte_only, False, 22),
        ],
        "fromChainrule": from_chainrule(),
    }
    out = os.path.join(FIXTURES, "torch-gpt.json")
    with open(out, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
    print(f"wrote {os.path.relpath(out)} ({os.path.getsize(out) // 1024} KiB) and the three .safetensors files")


if __name__ == "__main__":
    main()
