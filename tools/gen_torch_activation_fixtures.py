"""Writes test/fixtures/torch-activations.json: PyTorch's values and gradients for the activations of issue 23, in
their functional forms (torch.nn.functional.elu, ...) and as modules (torch.nn.ELU, ...).

    /usr/bin/python3 tools/gen_torch_activation_fixtures.py

Every function case names the F function, its arguments after the input (PyTorch's keyword names), the dtype,
the inputs (the first is the activation's input; prelu's weight follows), the output, a seeded gradOutput and the
gradient of every floating input. Inputs hold the points PyTorch defines the gradient at by convention (elu's and
relu6's 0, hardtanh's bounds, hardswish's and hardsigmoid's +-3), large magnitudes (logsigmoid, mish, softsign must
not overflow), and a forward-only case of NaN and infinities. Module cases name the torch.nn class and its
constructor arguments, and hold the module's state_dict as PyTorch initialises it (PReLU's weight is a constant),
so the test checks chainrule's defaults as well as the values. Numbers JSON cannot hold are strings ("NaN",
"Infinity", "-Infinity"). Every case reseeds torch from its name.
"""

import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_fixture_io import F32, F64, seed_of, write_fixture

OUT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "torch-activations.json")
DTYPE_NAME = {F32: "float32", F64: "float64"}


# Not torch_fixture_io's `encode`: these fixtures keep float32 values to 9 significant digits (enough to round-trip)
# and -0 as a plain number, as test/activations.test.ts reads them.
def number(v):
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def enc(t):
    t = t.detach()
    flat = t.reshape(-1).tolist()
    data = [number(float("%.9g" % v) if t.dtype == F32 else v) for v in flat]
    return {"shape": list(t.shape), "dtype": DTYPE_NAME[t.dtype], "data": data}


def seed(name):
    torch.manual_seed(seed_of(name))


# Where each activation's gradient is a convention: the inputs include these exactly.
BREAKPOINTS = [-3.0, -1.0, 0.0, 1.0, 3.0, 6.0, -6.0, 0.5, -0.5, 2.0]
LARGE = [-1000.0, -100.0, -30.0, 30.0, 100.0, 1000.0]
SPECIAL = [float("nan"), float("inf"), float("-inf"), -0.0, 0.0, 1e-30, -1e-30]


def activation_input(dt, shape):
    x = torch.randn(shape, dtype=F64) * 3
    flat = x.reshape(-1)
    points = BREAKPOINTS + LARGE
    flat[: len(points)] = torch.tensor(points[: flat.numel()], dtype=F64)
    return x.to(dt)


cases = []


def elementwise_grad(fn, kwargs, x, g):
    """The gradient of a pointwise `fn` at each element alone. At x = 3, torch 1.13's vectorised hardswish_backward
    gives 1 but its scalar kernel (and the CUDA one, and derivatives.yaml's formula) 3/2: one element at a time
    always takes the scalar kernel, PyTorch's definition."""
    out = torch.empty_like(x)
    for i in range(x.numel()):
        xi = x.reshape(-1)[i : i + 1].detach().clone().requires_grad_(True)
        (gi,) = torch.autograd.grad(getattr(F, fn)(xi, **kwargs), [xi], grad_outputs=g.reshape(-1)[i : i + 1])
        out.reshape(-1)[i] = gi[0]
    return out


def function_case(name, fn, kwargs, inputs, dt, grads=True, pointwise=False):
    """fn(*inputs, **kwargs) against PyTorch; `inputs` are float64 tensors, converted to dt."""
    full = f"{name}/{DTYPE_NAME[dt]}"
    seed(full)
    xs = [x.to(dt).detach().requires_grad_(grads) for x in inputs]
    out = getattr(F, fn)(*xs, **kwargs)
    case = {"name": full, "fn": fn, "kwargs": {k: number(v) if isinstance(v, float) else v for k, v in kwargs.items()}, "dtype": DTYPE_NAME[dt], "inputs": [enc(x) for x in xs], "output": enc(out)}
    if grads:
        g = torch.randn(out.shape, dtype=F64).to(dt)
        got = [elementwise_grad(fn, kwargs, xs[0], g)] if pointwise else torch.autograd.grad(out, xs, grad_outputs=g, allow_unused=True)
        case["gradOutput"] = enc(g)
        case["grads"] = [None if gi is None else enc(gi) for gi in got]
    cases.append(case)


POINTWISE = [
    ("elu", {}), ("elu", {"alpha": 0.5}), ("celu", {}), ("celu", {"alpha": 2.0}), ("selu", {}),
    ("hardtanh", {}), ("hardtanh", {"min_val": -2.0, "max_val": 3.0}), ("relu6", {}), ("hardswish", {}),
    ("hardsigmoid", {}), ("mish", {}), ("softsign", {}), ("logsigmoid", {}),
]


def add_function_cases():
    for dt in (F32, F64):
        for fn, kwargs in POINTWISE:
            label = fn + "".join(f"/{k}={v}" for k, v in kwargs.items())
            seed(label)
            function_case(label, fn, kwargs, [activation_input(F64, [4, 5])], dt, pointwise=True)
            function_case(label + "/special", fn, kwargs, [torch.tensor(SPECIAL, dtype=F64)], dt, grads=False)
            function_case(label + "/empty", fn, kwargs, [torch.zeros([0, 3], dtype=F64)], dt, grads=False)
        for dim, shape in ((0, [3, 4]), (1, [3, 4]), (-1, [2, 3, 4])):
            seed(f"softmin{dim}")
            function_case(f"softmin/dim={dim}", "softmin", {"dim": dim}, [torch.randn(shape, dtype=F64) * 2], dt)
        for dim, shape in ((-1, [3, 4]), (0, [4, 3]), (1, [2, 6, 2])):
            seed(f"glu{dim}")
            function_case(f"glu/dim={dim}", "glu", {"dim": dim}, [torch.randn(shape, dtype=F64)], dt)
        for label, shape, wshape in (("channels", [2, 3, 4], [3]), ("shared", [2, 3], [1]), ("1d", [5], [1]), ("image", [2, 2, 3, 3], [2])):
            seed("prelu" + label)
            x = torch.randn(shape, dtype=F64)
            x.reshape(-1)[0] = 0.0  # the gradient at 0 is the slope's, as PyTorch's
            function_case(f"prelu/{label}", "prelu", {}, [x, torch.rand(wshape, dtype=F64) * 0.5], dt)
        for label, kwargs in (("default", {}), ("p1-dim0", {"p": 1.0, "dim": 0}), ("p3-last", {"p": 3.0, "dim": -1}),
                              ("inf", {"p": float("inf"), "dim": 1}), ("eps", {"eps": 0.5})):
            seed("normalize" + label)
            x = torch.randn([3, 4], dtype=F64)
            function_case(f"normalize/{label}", "normalize", kwargs, [x], dt)
        # A zero row: the norm's gradient there is 0 (not NaN), so the result's gradient is 1/eps.
        function_case("normalize/zero-row", "normalize", {}, [torch.tensor([[0.0, 0.0, 0.0], [1.0, -2.0, 2.0]], dtype=F64)], dt)


def module_case(name, module, args, shape, dt):
    full = f"{name}/{DTYPE_NAME[dt]}"
    seed(full)
    m = module(dt)
    x = (torch.randn(shape, dtype=F64) * 3).to(dt).requires_grad_(True)
    out = m(x)
    g = torch.randn(out.shape, dtype=F64).to(dt)
    params = dict(m.named_parameters())
    got = torch.autograd.grad(out, [x, *params.values()], grad_outputs=g)
    cases.append({
        "name": full, "module": type(m).__name__, "args": args, "dtype": DTYPE_NAME[dt],
        "state": {k: enc(v) for k, v in m.state_dict().items()},
        "inputs": [enc(x)], "output": enc(out), "gradOutput": enc(g),
        "grads": [enc(got[0])], "paramGrads": {k: enc(gk) for k, gk in zip(params, got[1:])},
    })


def add_module_cases():
    for dt in (F32, F64):
        module_case("ELU", lambda dt: nn.ELU(), {}, [3, 4], dt)
        module_case("ELU/alpha", lambda dt: nn.ELU(alpha=0.3), {"alpha": 0.3}, [3, 4], dt)
        module_case("CELU", lambda dt: nn.CELU(alpha=1.5), {"alpha": 1.5}, [3, 4], dt)
        module_case("SELU", lambda dt: nn.SELU(), {}, [3, 4], dt)
        module_case("Hardtanh", lambda dt: nn.Hardtanh(-0.5, 0.5), {"min_val": -0.5, "max_val": 0.5}, [3, 4], dt)
        module_case("ReLU6", lambda dt: nn.ReLU6(), {}, [3, 4], dt)
        module_case("Hardswish", lambda dt: nn.Hardswish(), {}, [3, 4], dt)
        module_case("Hardsigmoid", lambda dt: nn.Hardsigmoid(), {}, [3, 4], dt)
        module_case("Mish", lambda dt: nn.Mish(), {}, [3, 4], dt)
        module_case("Softsign", lambda dt: nn.Softsign(), {}, [3, 4], dt)
        module_case("LogSigmoid", lambda dt: nn.LogSigmoid(), {}, [3, 4], dt)
        module_case("Softmin", lambda dt: nn.Softmin(dim=1), {"dim": 1}, [3, 4], dt)
        module_case("GLU", lambda dt: nn.GLU(dim=1), {"dim": 1}, [3, 4], dt)
        module_case("PReLU", lambda dt: nn.PReLU(dtype=dt), {}, [2, 3, 4], dt)
        module_case("PReLU/channels", lambda dt: nn.PReLU(num_parameters=3, init=0.1, dtype=dt), {"num_parameters": 3, "init": 0.1}, [2, 3, 4], dt)


def main():
    add_function_cases()
    add_module_cases()
    write_fixture(OUT_PATH, cases, newline=True)


if __name__ == "__main__":
    main()
