"""Loads a safetensors file written by chainrule into PyTorch and checks it: the chainrule -> PyTorch proof.

    node --conditions=chainrule-source --import tsx tools/write_safetensors_sample.ts /tmp/cr.safetensors
    /usr/bin/python3 tools/check_safetensors_in_torch.py /tmp/cr.safetensors [/tmp/cr.json]

Reads FILE (with safetensors.torch.load_file where that package is installed, else with
tools/safetensors_struct.py, which applies the reference reader's checks), prints every tensor, and
checks that writing the same tensors again from PyTorch gives the very same bytes. With EXPECTED
(the JSON that write_safetensors_sample.ts writes beside the file) it also checks every value
exactly, and loads the `layers.*` tensors into a torch.nn.Sequential MLP with load_state_dict
(strict) and compares its forward pass with the output chainrule computed. Exits non-zero on any
mismatch.
"""

import json
import math
import sys

import torch
import torch.nn as nn

from safetensors_struct import deserialize, encode_values, serialize

TORCH_DTYPE = {"float32": torch.float32, "float64": torch.float64, "int32": torch.int32, "bool": torch.bool}


def same(a, b):
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b and (not isinstance(a, float) or math.copysign(1, a) == math.copysign(1, b))


def main(path, expected_path=None):
    with open(path, "rb") as f:
        blob = f.read()
    tensors, metadata = deserialize(blob)
    try:
        import safetensors.torch

        official = safetensors.torch.load_file(path)
        assert official.keys() == tensors.keys()
        for k in official:
            assert torch.equal(official[k], tensors[k]), k
        print("safetensors.torch.load_file: same tensors")
    except ImportError:
        print("(safetensors package not installed: read with tools/safetensors_struct.py)")
    print(f"{path}: {len(tensors)} tensors, metadata {metadata}")
    for name, t in tensors.items():
        print(f"  {name}: {t.dtype} {list(t.shape)}")
    assert serialize(tensors, metadata) == blob, "PyTorch writes different bytes for the same tensors"
    print("rewritten from PyTorch: byte-identical")

    if expected_path is None:
        return
    with open(expected_path, encoding="utf-8") as f:
        expected = json.load(f)
    assert metadata == expected["metadata"], f"metadata {metadata} != {expected['metadata']}"
    assert sorted(tensors) == sorted(expected["tensors"]), f"names {sorted(tensors)} != {sorted(expected['tensors'])}"
    for name, want in expected["tensors"].items():
        t = tensors[name]
        assert t.dtype == TORCH_DTYPE[want["dtype"]], f"{name}: dtype {t.dtype}, expected {want['dtype']}"
        assert list(t.shape) == want["shape"], f"{name}: shape {list(t.shape)}, expected {want['shape']}"
        got = encode_values(t)
        assert len(got) == len(want["data"]) and all(same(a, b) for a, b in zip(got, want["data"])), f"{name}: values differ"
    print(f"all {len(tensors)} tensors match chainrule's values exactly")

    mlp = expected.get("mlp")
    if mlp is not None:
        sizes = mlp["sizes"]
        mods = []
        for i in range(len(sizes) - 1):
            mods += [nn.Linear(sizes[i], sizes[i + 1])] + ([nn.ReLU()] if i < len(sizes) - 2 else [])
        net = nn.Sequential(*mods)
        state = {k[len("layers."):]: v for k, v in tensors.items() if k.startswith("layers.")}
        net.load_state_dict(state, strict=True)
        x = torch.tensor(mlp["input"], dtype=torch.float32).reshape(mlp["inputShape"])
        with torch.no_grad():
            y = net(x)
        want = torch.tensor(mlp["output"], dtype=torch.float32).reshape(mlp["outputShape"])
        err = (y - want).abs().max().item()
        assert err < 1e-5, f"forward pass differs from chainrule's by {err}"
        print(f"nn.Sequential{tuple(sizes)}.load_state_dict(strict=True) and forward: max |torch - chainrule| = {err:.3g}")
    print("OK")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(*sys.argv[1:])
