"""What the PyTorch fixture generators in tools/ share: how a tensor is written into a fixture, how a case is seeded
from its name, one recorded case of values and gradients, and the fixture file itself. Imported by the generators
(run from the repository root with Debian's Python: `/usr/bin/python3 tools/gen_torch_<kind>_fixtures.py`), which
find it next to themselves on Python's path.

Two spellings of the numbers JSON cannot hold are in use, each read by its fixtures' test:
- `encode` (JavaScript's names): "NaN", "Infinity", "-Infinity" and "-0"; bools and integers as they are.
- `encode_short` (test/helpers/fixture.ts): "nan", "inf", "-inf"; integer tensors as ints, others as floats.
"""

import json
import math
import zlib

import torch

F32 = torch.float32
F64 = torch.float64
# Integer tensors are int32 in chainrule, whatever PyTorch made them.
DTYPE_NAME = {F32: "float32", F64: "float64", torch.int64: "int32", torch.int32: "int32", torch.bool: "bool"}


def seed_of(name):
    """The seed a case reseeds torch with: a hash of its name, so cases do not shift each other."""
    return zlib.crc32(name.encode("utf-8"))


def number(v):
    """A number as JSON, with JavaScript's names for the ones JSON cannot hold."""
    if isinstance(v, (bool, int)):
        return v
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    if v == 0 and math.copysign(1.0, v) < 0:
        return "-0"
    return float(v)


def encode(t):
    """A tensor as {shape, dtype, data}, its numbers spelled by `number`."""
    t = t.detach()
    return {"shape": list(t.shape), "dtype": DTYPE_NAME[t.dtype], "data": [number(v) for v in t.reshape(-1).tolist()]}


def number_short(v):
    """A float as JSON, with "nan", "inf" and "-inf" for the ones JSON cannot hold."""
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def encode_short(t):
    """A tensor as {shape, dtype, data}: integer tensors' elements as ints, the others' as floats (`number_short`)."""
    t = t.detach()
    if t.dtype in (torch.int64, torch.int32):
        data = [int(v) for v in t.reshape(-1).tolist()]
    else:
        data = [number_short(float(v)) for v in t.reshape(-1).tolist()]
    return {"shape": list(t.shape), "dtype": DTYPE_NAME[t.dtype], "data": data}


class Recorder:
    """The cases of one fixture file, each with a unique name, as test/helpers/fixture.ts reads them."""

    def __init__(self, with_indices=False):
        # Whether each case has an "indices" entry (max pooling's second result; null for the other ops).
        self.with_indices = with_indices
        self.cases = []
        self.names = set()

    def record(self, name, op, args, inputs, fn, grads=True):
        """One case: `inputs` are (tensor, requires_grad) pairs; `fn(*tensors)` returns the output, or (output,
        indices) where the cases have indices. Records the inputs, the output, and for a floating output a seeded
        random gradOutput and the gradient of every input that requires grad."""
        assert name not in self.names, name
        self.names.add(name)
        torch.manual_seed(seed_of(name))
        ts = []
        for t, rg in inputs:
            t = t.detach().clone()
            if rg:
                t.requires_grad_(True)
            ts.append(t)
        result = fn(*ts)
        out, indices = result if self.with_indices and isinstance(result, tuple) else (result, None)
        case = {"name": name, "op": op, "args": args, "inputs": [dict(encode_short(t), requiresGrad=t.requires_grad) for t in ts],
                "output": encode_short(out)}
        if self.with_indices:
            case["indices"] = None if indices is None else encode_short(indices)
        case["gradOutput"] = None
        case["grads"] = None
        needs = [t for t in ts if t.requires_grad]
        if grads and needs and out.is_floating_point():
            g = torch.randn(out.shape, dtype=F64).to(out.dtype)
            got = iter(torch.autograd.grad(out, needs, grad_outputs=g))
            case["gradOutput"] = encode_short(g)
            case["grads"] = [encode_short(next(got)) if t.requires_grad else None for t in ts]
        self.cases.append(case)


def write_fixture(path, cases, newline=False):
    """Writes the fixture: the torch version and the cases, compact; `newline` ends the file with one."""
    with open(path, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
        if newline:
            f.write("\n")
    print(f"wrote {len(cases)} cases to {path}")
