"""Writes test/fixtures/torch-api.json: the public names of PyTorch's `torch` functions, `torch.Tensor` methods and
properties, and `torch.nn.functional` functions, as the installed torch (1.13) has them. tools/torch-coverage.ts
(`npm run coverage:torch`) prints how many of them chainrule has, per namespace, under camelCase names.

    /usr/bin/python3 tools/list_torch_api.py

Each name carries its kind (function, method, property) and whether it belongs to one backend or storage format
(CUDA, cuDNN, MKL-DNN, quantized, sparse, ...): those are listed but counted apart, since chainrule's backends
reach them differently or not at all.
"""

import json
import os
import types

import torch
import torch.nn.functional as F

OUT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "torch-api.json")

# Names of one device, library or tensor format rather than of the tensor vocabulary.
SPECIFIC = (
    "cuda", "is_cuda", "cudnn", "miopen", "mkldnn", "to_mkldnn", "fbgemm", "quantize", "quantized", "dequantize", "q_",
    "qscheme", "int_repr", "fake_quantize", "choose_qparams", "sparse", "to_sparse", "is_sparse", "coalesce", "indices",
    "values", "crow_indices", "col_indices", "ccol_indices", "row_indices", "is_coalesced", "dense_dim", "sparse_dim",
    "sparse_mask", "to_dense", "vulkan", "is_vulkan", "xnnpack", "mps", "is_mps", "ipu", "is_ipu", "xpu", "is_xpu",
    "hpu", "ort", "is_ort", "is_meta", "is_quantized", "nested", "is_nested", "pin_memory", "is_pinned", "share_memory",
    "is_shared", "storage", "untyped_storage", "_", "native_", "names", "rename", "refine_names", "align", "has_names",
    "unflatten_dense_tensors", "data_ptr", "record_stream", "map_", "map2_",
    "apply_", "conv_tbc", "batch_norm_", "cudnn_", "is_inference", "from_dlpack", "to_dlpack", "dlpack", "__",
)

# Helpers torch.nn.functional imports for itself, not part of its API.
NOT_FUNCTIONAL = {"boolean_dispatch", "handle_torch_function", "has_torch_function", "has_torch_function_unary", "has_torch_function_variadic"}


def specific(name):
    return any(name == p or name.startswith(p) for p in SPECIFIC)


def entry(name, kind):
    return {"name": name, "kind": kind, "specific": specific(name)}


def is_function(obj):
    return isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)) or type(obj).__name__ == "builtin_function_or_method"


def torch_functions():
    return [entry(n, "function") for n in sorted(dir(torch)) if not n.startswith("_") and is_function(getattr(torch, n))]


def tensor_members():
    out = []
    for n in sorted(dir(torch.Tensor)):
        if n.startswith("_"):
            continue
        kind = "property" if type(getattr(torch.Tensor, n)).__name__ == "getset_descriptor" or isinstance(getattr(torch.Tensor, n), property) else "method"
        out.append(entry(n, kind))
    return out


def functional():
    return [entry(n, "function") for n in sorted(dir(F)) if not n.startswith("_") and n not in NOT_FUNCTIONAL and is_function(getattr(F, n))]


def main():
    api = {"torch": torch.__version__, "namespaces": {"torch": torch_functions(), "torch.Tensor": tensor_members(), "torch.nn.functional": functional()}}
    with open(OUT_PATH, "w") as f:
        json.dump(api, f, indent=0, separators=(",", ":"))
        f.write("\n")
    print(", ".join(f"{k}: {len(v)} names" for k, v in api["namespaces"].items()), f"-> {OUT_PATH}")


if __name__ == "__main__":
    main()
