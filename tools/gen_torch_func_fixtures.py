"""Writes test/fixtures/torch-func.json: torch.func (functorch) transforms of small functions, in float64.

Rerun from the repository root with Debian's Python, which has torch 1.13 and functorch installed:

    /usr/bin/python3 tools/gen_torch_func_fixtures.py

Each case names a function that test/func.test.ts defines identically with chainrule, a transform
(grad, jvp, vjp, jacrev, jacfwd, hessian, hvp), its inputs, and torch's results flattened to a list
of tensors. Every case reseeds torch from a hash of its name, so cases are independent. Floats are
written with full precision (Python's repr of the double).
"""

import json
import os
import zlib

import torch
from functorch import grad, hessian, jacfwd, jacrev, jvp, vjp

F64 = torch.float64
OUT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "torch-func.json")

# The functions, by name; test/func.test.ts has the same table.
FUNCS = {
    "sinTimesX": lambda x: (torch.sin(x) * x).sum(),
    "tanhLinear": lambda x, w: torch.tanh(w @ x),
    "softmax": lambda x: torch.softmax(x, -1),
    "logsumexp": lambda x: torch.logsumexp(x, 0),
    "expCos": lambda x: torch.exp(x) * torch.cos(x),
    "matmul": lambda a, b: a @ b,
    "mlpLoss": lambda w1, w2, x: (torch.tanh(x @ w1) @ w2).pow(2).mean(),
    "quartic": lambda x: (x.pow(4) - 2 * x.pow(2) + x).sum(),
    "gelu": lambda x: torch.nn.functional.gelu(x),
    "normalize": lambda x: x / x.norm(),
}

cases = []


def enc(t):
    t = t.detach().to(F64).contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.flatten().tolist()]}


def case(name, fn, transform, shapes, argnums=0, extra=None):
    torch.manual_seed(zlib.crc32(name.encode()))
    inputs = [torch.randn(s, dtype=F64) for s in shapes]
    f = FUNCS[fn]
    torch_argnums = tuple(argnums) if isinstance(argnums, list) else argnums
    rec = {"name": name, "fn": fn, "transform": transform, "argnums": argnums, "inputs": [enc(x) for x in inputs]}
    if transform == "grad":
        out = grad(f, argnums=torch_argnums)(*inputs)
    elif transform == "jacrev":
        out = jacrev(f, argnums=torch_argnums)(*inputs)
    elif transform == "jacfwd":
        out = jacfwd(f, argnums=torch_argnums)(*inputs)
    elif transform == "hessian":
        out = hessian(f, argnums=torch_argnums)(*inputs)
    elif transform == "jvp":
        tangents = [torch.randn(s, dtype=F64) for s in shapes]
        rec["tangents"] = [enc(t) for t in tangents]
        out = jvp(f, tuple(inputs), tuple(tangents))
    elif transform == "vjp":
        y, vjp_fn = vjp(f, *inputs)
        cot = torch.randn(y.shape, dtype=F64)
        rec["cotangent"] = enc(cot)
        out = (y, *vjp_fn(cot))
    elif transform == "hvp":
        tangents = [torch.randn(s, dtype=F64) for s in shapes]
        rec["tangents"] = [enc(t) for t in tangents]
        out = torch.autograd.functional.hvp(f, tuple(inputs), tuple(tangents))
        out = (out[0], *out[1])
    else:
        raise ValueError(transform)
    flat = []

    def walk(o):
        if isinstance(o, torch.Tensor):
            flat.append(enc(o))
        else:
            for p in o:
                walk(p)

    walk(out)
    rec["outputs"] = flat
    cases.append(rec)


case("grad sinTimesX", "sinTimesX", "grad", [[5]])
case("grad mlpLoss w.r.t. weights", "mlpLoss", "grad", [[3, 4], [4, 2], [6, 3]], argnums=[0, 1])
case("jacrev tanhLinear both args", "tanhLinear", "jacrev", [[3], [4, 3]], argnums=[0, 1])
case("jacfwd tanhLinear both args", "tanhLinear", "jacfwd", [[3], [4, 3]], argnums=[0, 1])
case("jacrev softmax", "softmax", "jacrev", [[5]])
case("jacfwd softmax", "softmax", "jacfwd", [[2, 3]])
case("jacfwd gelu", "gelu", "jacfwd", [[4]])
case("jacrev normalize", "normalize", "jacrev", [[4]])
case("hessian logsumexp", "logsumexp", "hessian", [[4]])
case("hessian quartic", "quartic", "hessian", [[3]])
case("hessian mlpLoss w.r.t. w2", "mlpLoss", "hessian", [[3, 2], [2, 2], [5, 3]], argnums=1)
case("jvp expCos", "expCos", "jvp", [[6]])
case("jvp tanhLinear", "tanhLinear", "jvp", [[3], [2, 3]])
case("jvp softmax", "softmax", "jvp", [[2, 4]])
case("vjp matmul", "matmul", "vjp", [[2, 3], [3, 4]])
case("vjp tanhLinear", "tanhLinear", "vjp", [[3], [4, 3]])
case("hvp quartic", "quartic", "hvp", [[4]])
case("hvp mlpLoss", "mlpLoss", "hvp", [[3, 2], [2, 2], [4, 3]])

with open(OUT_PATH, "w") as fh:
    json.dump({"torch": torch.__version__, "cases": cases}, fh, indent=None, separators=(",", ":"))
    fh.write("\n")
print(f"wrote {len(cases)} cases to {OUT_PATH}")
