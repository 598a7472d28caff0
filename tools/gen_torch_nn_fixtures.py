"""Writes test/fixtures/torch-nn.json: PyTorch's outputs and gradients for every cr.nn module and loss.

Rerun from the repository root with Debian's Python, which has torch installed:

    /usr/bin/python3 tools/gen_torch_nn_fixtures.py

Each case names a torch.nn module, its constructor arguments (PyTorch's names), whether it runs in
training mode, its state_dict (parameters AND buffers, under PyTorch's names: the test loads it into
the chainrule module with loadStateDict, strict, which also proves the names match), the inputs,
the forward output, a seeded random gradOutput, and the gradients with respect to the inputs and to
every parameter; `stateAfter` holds the buffers after the forward pass (BatchNorm's running
statistics). Every case reseeds torch from a hash of its name, so adding a case leaves the others as
they were. float32 values are written with 9 significant digits (enough to rebuild the same float32),
float64 values with Python's repr (exact); int64 indices are written as integers (chainrule's int32).
Parameters are randomised (not PyTorch's default init, which chainrule does not reproduce bit for bit)
and inputs keep clear of the kinks of relu/abs, of pooling ties and of Huber's delta.
"""

import json
import math
import os
import warnings
import zlib

import torch
import torch.nn as nn

F32 = torch.float32
F64 = torch.float64
OUT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "torch-nn.json")

cases = []
names = set()
warnings.filterwarnings("ignore", message="Using padding='same'")  # PyTorch's note on even kernels: expected here


def enc(t):
    """A tensor as the fixture stores it: shape, dtype and row-major flat data."""
    t = t.detach()
    flat = t.reshape(-1).tolist()
    if t.dtype == F32:
        data, dtype = [float("%.9g" % v) for v in flat], "float32"
    elif t.dtype == F64:
        data, dtype = flat, "float64"
    elif t.dtype in (torch.int64, torch.int32):
        data, dtype = [int(v) for v in flat], "int32"
    elif t.dtype == torch.bool:
        data, dtype = [bool(v) for v in flat], "bool"
    else:
        raise ValueError(t.dtype)
    for v in data:
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError("non-finite value in fixture")
    return {"shape": list(t.shape), "dtype": dtype, "data": data}


def seed(name):
    torch.manual_seed(zlib.crc32(name.encode()))


def randn(shape, dt, scale=1.0):
    return (torch.randn(shape, dtype=F64) * scale).to(dt)


def away(shape, dt, margin=0.1):
    """Values with |x| >= margin: clear of the kinks of relu, leaky relu, abs."""
    x = torch.randn(shape, dtype=F64)
    return (torch.sign(x + (x == 0).double()) * (margin + x.abs())).to(dt)


def distinct(shape, dt):
    """All elements distinct and ~0.2 apart: max pooling has a unique winner in every window."""
    n = int(torch.Size(shape).numel())
    vals = (torch.randperm(n).double() - n / 2) * 0.2 + (torch.rand(n, dtype=F64) - 0.5) * 0.05
    return vals.reshape(shape).to(dt)


def randomize(module, dt):
    """Random parameters (and running statistics), so a wrong formula cannot hide behind ones and zeros."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            p.copy_(torch.randn(p.shape, dtype=F64) * 0.5 + (1.0 if name.endswith("weight") and p.dim() == 1 else 0.0))
        for name, b in module.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(torch.randn(b.shape, dtype=F64) * 0.3)
            elif name.endswith("running_var"):
                b.copy_(torch.rand(b.shape, dtype=F64) + 0.5)
    return module.to(dt)


def add_case(name, module, ctor, inputs, *, train=True, dt=F32, randomize_params=True, state_extra=None):
    """Runs `module` on `inputs` (tensors; floats that require grad get gradients) and records everything.

    ctor: {"module": class name, "args": [...], "kwargs": {...}} as the test rebuilds the chainrule module.
    """
    assert name not in names, name
    names.add(name)
    if randomize_params:
        randomize(module, dt)
    else:
        module.to(dt)
    if state_extra:
        with torch.no_grad():
            for k, v in state_extra.items():
                dict(module.named_buffers())[k].fill_(v)
    module.train(train)
    state = {k: enc(v) for k, v in module.state_dict().items()}
    out = module(*inputs)
    params = [(k, p) for k, p in module.named_parameters() if p.requires_grad]
    diff_inputs = [x for x in inputs if x.requires_grad]
    grad_out = randn(out.shape, out.dtype) if out.requires_grad else None
    wrt = diff_inputs + [p for _, p in params]
    grads = torch.autograd.grad(out, wrt, grad_out, allow_unused=True) if wrt else []
    input_grads, k = [], 0
    for x in inputs:
        if x.requires_grad:
            g = grads[k]
            input_grads.append(enc(g) if g is not None else enc(torch.zeros_like(x)))
            k += 1
        else:
            input_grads.append(None)
    param_grads = {}
    for (pname, p), g in zip(params, grads[len(diff_inputs):]):
        param_grads[pname] = enc(g if g is not None else torch.zeros_like(p))
    buffers_after = {k: enc(v) for k, v in module.state_dict().items() if k in dict(module.named_buffers())}
    cases.append({
        "name": name,
        **ctor,
        "dtype": "float64" if dt == F64 else "float32",
        "train": train,
        "state": state,
        "inputs": [dict(enc(x), requiresGrad=bool(x.requires_grad)) for x in inputs],
        "output": enc(out),
        "gradOutput": enc(grad_out) if grad_out is not None else None,
        "grads": input_grads,
        "paramGrads": param_grads,
        "stateAfter": buffers_after,
    })


def req(t):
    return t.requires_grad_(True)


def ctor(module, *args, **kwargs):
    return {"module": module, "args": list(args), "kwargs": kwargs}


def tensor_kw(t):
    """A tensor-valued constructor argument (a loss's weight), encoded like the inputs."""
    return dict(enc(t), tensor=True)


# ---- layers ----


def layers():
    for dt in (F32, F64):
        d = "float64" if dt == F64 else "float32"
        seed(f"Linear/2d/{d}")
        add_case(f"Linear/2d/{d}", nn.Linear(3, 5), ctor("Linear", 3, 5), [req(randn([4, 3], dt))], dt=dt)
    seed("Linear/no_bias")
    add_case("Linear/no_bias", nn.Linear(3, 5, bias=False), ctor("Linear", 3, 5, bias=False), [req(randn([4, 3], F32))])
    seed("Linear/3d_input")
    add_case("Linear/3d_input", nn.Linear(4, 2), ctor("Linear", 4, 2), [req(randn([2, 3, 4], F32))])
    seed("Linear/1d_input")
    add_case("Linear/1d_input", nn.Linear(3, 2), ctor("Linear", 3, 2), [req(randn([3], F32))])

    conv = [
        ("basic", (3, 4, 3), {}, [2, 3, 6, 6]),
        ("padding", (3, 4, 3), {"padding": 1}, [2, 3, 5, 5]),
        ("stride", (3, 2, 3), {"stride": 2, "padding": 1}, [2, 3, 7, 7]),
        ("dilation", (2, 3, 3), {"dilation": 2, "padding": 2}, [1, 2, 6, 6]),
        ("groups", (4, 6, 3), {"groups": 2, "padding": 1}, [2, 4, 5, 5]),
        ("rect_no_bias", (2, 3, (2, 3)), {"stride": (1, 2), "bias": False}, [2, 2, 5, 6]),
        ("same_even_kernel", (2, 3, 4), {"padding": "same"}, [1, 2, 5, 5]),
        ("same_dilated", (2, 2, 3), {"padding": "same", "dilation": 2}, [1, 2, 5, 6]),
        ("valid", (2, 3, 3), {"padding": "valid"}, [1, 2, 5, 5]),
        ("unbatched", (3, 2, 3), {"padding": 1}, [3, 4, 4]),
    ]
    for tag, args, kw, shape in conv:
        name = f"Conv2d/{tag}"
        seed(name)
        add_case(name, nn.Conv2d(*args, **kw), ctor("Conv2d", *args, **kw), [req(randn(shape, F32))])
    seed("Conv2d/float64")
    add_case("Conv2d/float64", nn.Conv2d(2, 3, 3, padding=1, groups=1), ctor("Conv2d", 2, 3, 3, padding=1), [req(randn([2, 2, 4, 4], F64))], dt=F64)

    pools = [
        ("MaxPool2d", "k2", (2,), {}, [2, 3, 6, 6]),
        ("MaxPool2d", "k3_s2_p1", (3,), {"stride": 2, "padding": 1}, [2, 2, 7, 7]),
        ("MaxPool2d", "k2_s1", (2,), {"stride": 1}, [1, 2, 4, 5]),
        ("MaxPool2d", "dilation", (2,), {"stride": 1, "dilation": 2}, [1, 2, 6, 6]),
        ("MaxPool2d", "unbatched", (2,), {}, [2, 4, 4]),
        ("AvgPool2d", "k2", (2,), {}, [2, 3, 6, 6]),
        ("AvgPool2d", "k3_s2_p1", (3,), {"stride": 2, "padding": 1}, [2, 2, 7, 7]),
        ("AvgPool2d", "no_count_pad", (3,), {"stride": 2, "padding": 1, "count_include_pad": False}, [2, 2, 7, 7]),
        ("AvgPool2d", "divisor", (2,), {"divisor_override": 3}, [1, 2, 4, 4]),
    ]
    for cls, tag, args, kw, shape in pools:
        name = f"{cls}/{tag}"
        seed(name)
        add_case(name, getattr(nn, cls)(*args, **kw), ctor(cls, *args, **kw), [req(distinct(shape, F32))])
    seed("AvgPool2d/float64")
    add_case("AvgPool2d/float64", nn.AvgPool2d(2, stride=1), ctor("AvgPool2d", 2, stride=1), [req(randn([1, 2, 3, 3], F64))], dt=F64)

    seed("Flatten/default")
    add_case("Flatten/default", nn.Flatten(), ctor("Flatten"), [req(randn([2, 3, 2, 2], F32))])
    seed("Flatten/0_1")
    add_case("Flatten/0_1", nn.Flatten(0, 1), ctor("Flatten", 0, 1), [req(randn([2, 3, 4], F32))])


def norms():
    bn = [
        ("BatchNorm1d", "train_2d", (4,), {}, [8, 4], True, None),
        ("BatchNorm1d", "train_3d", (3,), {}, [4, 3, 5], True, None),
        ("BatchNorm1d", "eval", (4,), {}, [6, 4], False, None),
        ("BatchNorm1d", "momentum_none", (4,), {"momentum": None}, [5, 4], True, {"num_batches_tracked": 2}),
        ("BatchNorm1d", "momentum_0.3", (4,), {"momentum": 0.3, "eps": 1e-3}, [5, 4], True, None),
        ("BatchNorm1d", "no_affine", (4,), {"affine": False}, [6, 4], True, None),
        ("BatchNorm1d", "no_tracking_train", (4,), {"track_running_stats": False}, [6, 4], True, None),
        ("BatchNorm1d", "no_tracking_eval", (4,), {"track_running_stats": False}, [6, 4], False, None),
        ("BatchNorm2d", "train", (3,), {}, [4, 3, 3, 3], True, None),
        ("BatchNorm2d", "eval", (3,), {}, [2, 3, 3, 3], False, None),
    ]
    for cls, tag, args, kw, shape, train, extra in bn:
        name = f"{cls}/{tag}"
        seed(name)
        add_case(name, getattr(nn, cls)(*args, **kw), ctor(cls, *args, **kw), [req(randn(shape, F32, 2.0) + 0.5)], train=train, state_extra=extra)
    for cls, shape in (("BatchNorm1d", [6, 3]), ("BatchNorm2d", [3, 2, 3, 3])):
        name = f"{cls}/train/float64"
        seed(name)
        add_case(name, getattr(nn, cls)(shape[1]), ctor(cls, shape[1]), [req(randn(shape, F64))], dt=F64)

    ln = [
        ("last_dim", (5,), {}, [3, 5], F32),
        ("two_dims", ([3, 4],), {}, [2, 3, 4], F32),
        ("no_affine", (4,), {"elementwise_affine": False}, [3, 4], F32),
        ("eps", (4,), {"eps": 1e-3}, [2, 4], F32),
        ("float64", (4,), {}, [3, 4], F64),
    ]
    for tag, args, kw, shape, dt in ln:
        name = f"LayerNorm/{tag}"
        seed(name)
        add_case(name, nn.LayerNorm(*args, **kw), ctor("LayerNorm", *args, **kw), [req(randn(shape, dt))], dt=dt)


def embeddings():
    emb = [
        ("basic", (10, 4), {}, [[1, 3, 3], [9, 0, 5]]),
        ("padding", (6, 3), {"padding_idx": 0}, [[0, 2, 0, 5], [1, 0, 2, 2]]),
        ("padding_negative", (6, 3), {"padding_idx": -1}, [5, 1, 5, 0]),
    ]
    for tag, args, kw, idx in emb:
        name = f"Embedding/{tag}"
        seed(name)
        add_case(name, nn.Embedding(*args, **kw), ctor("Embedding", *args, **kw), [torch.tensor(idx)], randomize_params=False)
    seed("Dropout/p0_train")
    add_case("Dropout/p0_train", nn.Dropout(0.0), ctor("Dropout", 0.0), [req(randn([3, 4], F32))])
    seed("Dropout/eval")
    add_case("Dropout/eval", nn.Dropout(0.5), ctor("Dropout", 0.5), [req(randn([3, 4], F32))], train=False)


def activations():
    acts = [
        ("ReLU", (), {}, True),
        ("LeakyReLU", (), {}, True),
        ("LeakyReLU", (0.2,), {}, True),
        ("Sigmoid", (), {}, False),
        ("Tanh", (), {}, False),
        ("GELU", (), {}, False),
        ("GELU", (), {"approximate": "tanh"}, False),
        ("SiLU", (), {}, False),
        ("Softplus", (), {}, False),
        ("LogSigmoid", (), {}, False),
        ("Softmax", (1,), {}, False),
        ("Softmax", (-1,), {}, False),
        ("LogSoftmax", (1,), {}, False),
        ("Identity", (), {}, False),
    ]
    for cls, args, kw, kink in acts:
        name = f"{cls}/" + ("_".join([str(a) for a in args] + [f"{k}={v}" for k, v in kw.items()]) or "default")
        seed(name)
        shape = [3, 4, 2] if cls in ("Softmax", "LogSoftmax") else [3, 4]
        x = away(shape, F32) if kink else randn(shape, F32, 2.0)
        add_case(name, getattr(nn, cls)(*args, **kw), ctor(cls, *args, **kw), [req(x)])


class Residual(nn.Module):
    """What cr.nn.Residual computes: x + inner(x), with the inner module stored as `inner`."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return x + self.inner(x)


class SmallCNN(nn.Module):
    """A nested model: its state dict has names like features.1.running_mean and classifier.1.weight."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(3 * 2 * 2, 3))

    def forward(self, x):
        return self.classifier(self.features(x))


def containers():
    seed("Sequential/mlp")
    mlp = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    add_case("Sequential/mlp", mlp, ctor("Sequential/mlp"), [req(randn([5, 3], F32))])
    seed("Residual/mlp")
    res = Residual(nn.Sequential(nn.Linear(4, 4), nn.Tanh()))
    add_case("Residual/mlp", res, ctor("Residual/mlp"), [req(randn([3, 4], F32))])
    for train in (True, False):
        name = f"SmallCNN/{'train' if train else 'eval'}"
        seed(name)
        add_case(name, SmallCNN(), ctor("SmallCNN"), [req(distinct([2, 1, 4, 4], F32))], train=train)


# ---- losses ----


def loss_case(name, cls, kw, inp, target, dt=F32, target_grad=True, input_grad=True):
    """A loss case: input requires grad; a float target too, where PyTorch can differentiate it."""
    kwargs = {k: (tensor_kw(v) if isinstance(v, torch.Tensor) else v) for k, v in kw.items()}
    module = getattr(nn, cls)(**kw)
    inputs = [inp.clone().requires_grad_(input_grad), target.clone()]
    if target_grad and target.is_floating_point():
        probe = target.clone().requires_grad_(True)
        try:
            torch.autograd.grad(getattr(nn, cls)(**kw)(inp.detach().clone(), probe).sum(), [probe])
            inputs[1] = probe
        except RuntimeError:
            pass
    add_case(name, module, ctor(cls, **kwargs), inputs, dt=dt, randomize_params=False)


def losses():
    for red in ("mean", "sum", "none"):
        for cls in ("MSELoss", "L1Loss"):
            name = f"{cls}/{red}"
            seed(name)
            x = randn([4, 3], F32)
            loss_case(name, cls, {"reduction": red}, x, x + away([4, 3], F32, 0.2))  # l1 stays clear of |0|
    for delta in (1.0, 0.5):
        for red in ("mean", "none"):
            name = f"HuberLoss/delta{delta}/{red}"
            seed(name)
            x = randn([4, 5], F32, 1.5)
            t = randn([4, 5], F32)
            d = (x - t).abs()
            x = torch.where((d - delta).abs() < 0.05, x + 0.2, x)  # keep clear of the switch point
            loss_case(name, "HuberLoss", {"reduction": red, "delta": delta}, x, t)

    for red in ("mean", "sum", "none"):
        name = f"BCELoss/{red}"
        seed(name)
        loss_case(name, "BCELoss", {"reduction": red}, torch.sigmoid(randn([4, 3], F32, 2.0)), torch.rand([4, 3]))
    seed("BCELoss/weight")
    loss_case("BCELoss/weight", "BCELoss", {"weight": torch.rand([3]) + 0.5}, torch.sigmoid(randn([4, 3], F32)), (torch.rand([4, 3]) > 0.5).float())
    seed("BCELoss/saturated")
    # Forward only: at exactly 0 and 1 PyTorch's fused backward divides by max(x(1-x), 1e-12), a composite cannot.
    loss_case("BCELoss/saturated", "BCELoss", {"reduction": "none"}, torch.tensor([[0.0, 1.0, 0.5], [1.0, 0.0, 1e-44]]),
              torch.tensor([[1.0, 0.0, 0.5], [1.0, 0.0, 1.0]]), target_grad=False, input_grad=False)

    for red in ("mean", "sum", "none"):
        name = f"BCEWithLogitsLoss/{red}"
        seed(name)
        loss_case(name, "BCEWithLogitsLoss", {"reduction": red}, randn([4, 3], F32, 2.0), torch.rand([4, 3]))
    seed("BCEWithLogitsLoss/weights")
    loss_case("BCEWithLogitsLoss/weights", "BCEWithLogitsLoss", {"weight": torch.rand([4, 1]) + 0.5, "pos_weight": torch.rand([3]) * 3},
              randn([4, 3], F32, 2.0), torch.rand([4, 3]))
    seed("BCEWithLogitsLoss/large_logits")
    loss_case("BCEWithLogitsLoss/large_logits", "BCEWithLogitsLoss", {"reduction": "none"},
              torch.tensor([[1000.0, -1000.0, 1000.0], [-1000.0, 0.0, 30.0]]), torch.tensor([[1.0, 0.0, 0.0], [1.0, 0.5, 0.25]]))

    def idx(shape, c, ignore=None, every=3):
        t = torch.randint(0, c, shape)
        if ignore is not None:
            flat = t.view(-1)
            flat[::every] = ignore
        return t

    ce = [
        ("indices/mean", {}, [5, 4], lambda: idx([5], 4)),
        ("indices/sum", {"reduction": "sum"}, [5, 4], lambda: idx([5], 4)),
        ("indices/none", {"reduction": "none"}, [5, 4], lambda: idx([5], 4)),
        ("weight", {"weight": torch.rand([4]) + 0.2}, [6, 4], lambda: idx([6], 4)),
        ("ignore_default", {}, [6, 4], lambda: idx([6], 4, -100)),
        ("ignore_custom/none", {"ignore_index": 2, "reduction": "none"}, [6, 4], lambda: idx([6], 4, 2)),
        ("weight_ignore", {"weight": torch.rand([4]) + 0.2, "ignore_index": 1}, [6, 4], lambda: idx([6], 4, 1)),
        ("label_smoothing", {"label_smoothing": 0.1}, [5, 4], lambda: idx([5], 4)),
        ("label_smoothing/weight_ignore", {"label_smoothing": 0.2, "weight": torch.rand([4]) + 0.2, "ignore_index": 0}, [6, 4], lambda: idx([6], 4, 0)),
        ("label_smoothing/sum", {"label_smoothing": 0.2, "reduction": "sum", "ignore_index": 3}, [6, 4], lambda: idx([6], 4, 3)),
        ("label_smoothing/none", {"label_smoothing": 0.3, "reduction": "none", "weight": torch.rand([4]) + 0.2}, [5, 4], lambda: idx([5], 4)),
        ("kdim", {}, [2, 3, 4, 2], lambda: idx([2, 4, 2], 3)),
        ("kdim/none_ignore", {"reduction": "none"}, [2, 3, 4], lambda: idx([2, 4], 3, -100)),
        ("unbatched", {}, [4], lambda: torch.tensor(2)),
        ("probs", {}, [4, 5], lambda: torch.softmax(torch.randn([4, 5]), 1)),
        ("probs/none", {"reduction": "none"}, [4, 5], lambda: torch.softmax(torch.randn([4, 5]), 1)),
        ("probs/smoothing_weight", {"label_smoothing": 0.1, "weight": torch.rand([5]) + 0.2, "reduction": "sum"}, [4, 5], lambda: torch.softmax(torch.randn([4, 5]), 1)),
        ("probs/kdim", {}, [2, 3, 4], lambda: torch.softmax(torch.randn([2, 3, 4]), 1)),
    ]
    for tag, kw, shape, target in ce:
        name = f"CrossEntropyLoss/{tag}"
        seed(name)
        loss_case(name, "CrossEntropyLoss", kw, randn(shape, F32, 1.5), target())
    seed("CrossEntropyLoss/large_logits")
    loss_case("CrossEntropyLoss/large_logits", "CrossEntropyLoss", {"reduction": "none"},
              torch.tensor([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0], [1000.0, 1000.0, -1000.0]]), torch.tensor([1, 1, 0]))
    seed("CrossEntropyLoss/float64")
    loss_case("CrossEntropyLoss/float64", "CrossEntropyLoss", {"label_smoothing": 0.1}, randn([5, 3], F64), idx([5], 3), dt=F64)

    nll = [
        ("mean", {}, [5, 4], lambda: idx([5], 4)),
        ("weight_ignore", {"weight": torch.rand([4]) + 0.2, "ignore_index": 1}, [6, 4], lambda: idx([6], 4, 1)),
        ("sum", {"reduction": "sum"}, [5, 4], lambda: idx([5], 4, -100)),
        ("kdim/none", {"reduction": "none", "weight": torch.rand([3]) + 0.2}, [2, 3, 4], lambda: idx([2, 4], 3)),
    ]
    for tag, kw, shape, target in nll:
        name = f"NLLLoss/{tag}"
        seed(name)
        loss_case(name, "NLLLoss", kw, torch.log_softmax(randn(shape, F32), 1), target())


def main():
    layers()
    norms()
    embeddings()
    activations()
    containers()
    losses()
    doc = {
        "generator": "tools/gen_torch_nn_fixtures.py",
        "rerun": "/usr/bin/python3 tools/gen_torch_nn_fixtures.py",
        "torch": torch.__version__,
        "cases": cases,
    }
    with open(OUT_PATH, "w") as f:
        f.write('{"generator":%s,"rerun":%s,"torch":%s,"cases":[\n' % tuple(json.dumps(doc[k]) for k in ("generator", "rerun", "torch")))
        f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in cases))
        f.write("\n]}\n")
    print(f"wrote {len(cases)} cases, {os.path.getsize(OUT_PATH)} bytes to {os.path.relpath(OUT_PATH)}")


if __name__ == "__main__":
    main()
