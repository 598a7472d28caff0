"""Writes test/fixtures/torch-optim.json: PyTorch's optimizer, scheduler and gradient-clipping numbers for chainrule's optim.

Rerun from the repository root with Debian's Python, which has torch installed:

    /usr/bin/python3 tools/gen_torch_optim_fixtures.py

Every optimizer case trains the same tiny least-squares model, a weight W [2, 3] and a bias b [2] with
loss = ((X @ W.T + b - Y) ** 2).mean(), for 20 steps (zero_grad, backward, step, then the scheduler's
step), and records the parameters, every group's lr (and, for OneCycleLR, its momentum or beta1)
after each step. A case is described in chainrule's camelCase names; this script maps them to torch's
keyword arguments, so test/optim.test.ts builds the very same optimizer from the same description.
Some cases also record torch's optimizer state_dict() after step 10 (tensors as shape/dtype/data), so
the test can check that chainrule's stateDict() uses the same structure and keys and that torch's
dict loads into chainrule. Clip cases record torch.nn.utils.clip_grad_norm_/clip_grad_value_ on
given gradients. Floats are written with full precision (a float32 value as the double it widens to).
Optimizers use torch's single-tensor code path (foreach=False), the one chainrule follows.
"""

import json
import math
import os
import re

import torch

F32 = torch.float32
F64 = torch.float64
DTYPE_NAME = {F32: "float32", F64: "float64"}
DTYPES = {"float32": F32, "float64": F64}
STEPS = 20
STATE_AT = 10

OUT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "torch-optim.json")


def snake(name):
    """chainrule's camelCase option name as torch's keyword (tMax -> T_max, the one irregular name)."""
    if name == "tMax":
        return "T_max"
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def encode_tensor(t):
    return {"shape": list(t.shape), "dtype": DTYPE_NAME.get(t.dtype, str(t.dtype)), "data": flat(t)}


def encode_value(v):
    if isinstance(v, torch.Tensor):
        return encode_tensor(v)
    if isinstance(v, dict):
        return {str(k): encode_value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [encode_value(x) for x in v]
    return v


# ---- the shared model and data ----

torch.manual_seed(20240611)
DATA64 = {
    "W": torch.randn(2, 3, dtype=F64) * 0.5,
    "b": torch.randn(2, dtype=F64) * 0.5,
    "X": torch.randn(10, 3, dtype=F64),
    "Y": torch.randn(10, 2, dtype=F64),
}
DATA = {name: {k: v.to(dt) for k, v in DATA64.items()} for name, dt in DTYPES.items()}


def loss_fn(W, b, X, Y):
    return (X @ W.T + b - Y).pow(2).mean()


# ---- building torch objects from a case description ----

OPTIMIZERS = {
    "SGD": torch.optim.SGD,
    "Adam": torch.optim.Adam,
    "AdamW": torch.optim.AdamW,
    "RMSprop": torch.optim.RMSprop,
    "Adagrad": torch.optim.Adagrad,
}


def torch_kwargs(options):
    out = {}
    for k, v in options.items():
        out[snake(k)] = tuple(v) if k == "betas" else v
    return out


def make_optimizer(case, params):
    cls = OPTIMIZERS[case["optimizer"]]
    kwargs = torch_kwargs(case["options"])
    kwargs["foreach"] = False
    groups = case.get("groups")
    if groups is None:
        return cls(params, **kwargs)
    return cls([dict(torch_kwargs(g["options"]), params=[params[i] for i in g["params"]]) for g in groups], **kwargs)


def make_scheduler(case, opt):
    s = case.get("scheduler")
    if s is None:
        return None
    kind = s["type"]
    kw = {snake(k): v for k, v in s.items() if k != "type"}
    return getattr(torch.optim.lr_scheduler, kind)(opt, **kw)


def group_momentum(g):
    if "betas" in g:
        return g["betas"][0]
    return g.get("momentum")


# ---- cases ----

optim_cases = []
clip_cases = []
names = set()


def optim_case(name, optimizer, options, dtype="float64", groups=None, scheduler=None, state_dict=False, pre=None):
    assert name not in names, name
    names.add(name)
    case = {"name": name, "dtype": dtype, "optimizer": optimizer, "options": options}
    if groups is not None:
        case["groups"] = groups
    if scheduler is not None:
        case["scheduler"] = scheduler
    if pre is not None:
        case["groupExtras"] = pre
    d = DATA[dtype]
    W = d["W"].clone().requires_grad_(True)
    b = d["b"].clone().requires_grad_(True)
    params = [W, b]
    opt = make_optimizer(case, params)
    if pre is not None:  # extra keys set on the groups before the scheduler is made (resuming with last_epoch)
        for g, extra in zip(opt.param_groups, pre):
            g.update({snake(k): v for k, v in extra.items()})
    sched = make_scheduler(case, opt)
    case["initialLr"] = [g["lr"] for g in opt.param_groups]
    steps = []
    for t in range(1, STEPS + 1):
        opt.zero_grad()
        loss_fn(W, b, d["X"], d["Y"]).backward()
        opt.step()
        if sched is not None:
            sched.step()
        rec = {"params": [flat(W), flat(b)], "lr": [g["lr"] for g in opt.param_groups]}
        if sched is not None:
            assert sched.get_last_lr() == rec["lr"]
            if scheduler["type"] == "OneCycleLR" and scheduler.get("cycleMomentum", True):
                rec["momentum"] = [group_momentum(g) for g in opt.param_groups]
        steps.append(rec)
        if state_dict and t == STATE_AT:
            case["stateDict"] = encode_value(opt.state_dict())
    case["steps"] = steps
    optim_cases.append(case)


# Optimizers, float64.
optim_case("sgd/plain", "SGD", {"lr": 0.1}, state_dict=True)
optim_case("sgd/momentum_nesterov_weightDecay", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weightDecay": 0.01}, state_dict=True)
optim_case("sgd/momentum_dampening", "SGD", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3})
optim_case("sgd/maximize_momentum_weightDecay", "SGD", {"lr": 0.02, "momentum": 0.5, "weightDecay": 0.1, "maximize": True})
optim_case("sgd/groups", "SGD", {"lr": 0.01, "momentum": 0.9},
           groups=[{"params": [0], "options": {"lr": 0.1}}, {"params": [1], "options": {}}], state_dict=True)
optim_case("adam/defaults", "Adam", {})
optim_case("adam/lr", "Adam", {"lr": 0.05})
optim_case("adam/amsgrad_weightDecay_betas", "Adam", {"lr": 0.05, "betas": [0.8, 0.95], "weightDecay": 0.1, "amsgrad": True, "eps": 1e-6}, state_dict=True)
optim_case("adam/maximize", "Adam", {"lr": 0.02, "maximize": True})
optim_case("adamw/defaults_lr", "AdamW", {"lr": 0.05}, state_dict=True)
optim_case("adamw/amsgrad_weightDecay", "AdamW", {"lr": 0.05, "weightDecay": 0.1, "amsgrad": True})
optim_case("rmsprop/defaults", "RMSprop", {})
optim_case("rmsprop/centered_momentum_weightDecay", "RMSprop",
           {"lr": 0.01, "alpha": 0.9, "momentum": 0.9, "centered": True, "weightDecay": 0.05}, state_dict=True)
optim_case("rmsprop/momentum", "RMSprop", {"lr": 0.005, "momentum": 0.5})
optim_case("adagrad/defaults", "Adagrad", {})
optim_case("adagrad/lrDecay_weightDecay_initialAccumulatorValue", "Adagrad",
           {"lr": 0.1, "lrDecay": 0.05, "weightDecay": 0.01, "initialAccumulatorValue": 0.1}, state_dict=True)

# Optimizers, float32.
optim_case("sgd/momentum_nesterov_weightDecay/float32", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weightDecay": 0.01}, dtype="float32")
optim_case("adam/amsgrad_weightDecay_betas/float32", "Adam", {"lr": 0.05, "betas": [0.8, 0.95], "weightDecay": 0.1, "amsgrad": True}, dtype="float32")

# Schedulers.
MOM = {"lr": 0.1, "momentum": 0.9}
optim_case("StepLR/stepSize3_gamma0.5", "SGD", MOM, scheduler={"type": "StepLR", "stepSize": 3, "gamma": 0.5})
optim_case("StepLR/defaults", "SGD", MOM, scheduler={"type": "StepLR", "stepSize": 5})
optim_case("ExponentialLR/adam", "Adam", {"lr": 0.05}, scheduler={"type": "ExponentialLR", "gamma": 0.9})
optim_case("CosineAnnealingLR/tMax6_etaMin", "SGD", MOM, scheduler={"type": "CosineAnnealingLR", "tMax": 6, "etaMin": 0.001})
optim_case("CosineAnnealingLR/groups", "SGD", {"lr": 0.1},
           groups=[{"params": [0], "options": {}}, {"params": [1], "options": {"lr": 0.02}}],
           scheduler={"type": "CosineAnnealingLR", "tMax": 20})
optim_case("CosineAnnealingLR/resume_lastEpoch", "SGD", MOM, pre=[{"initialLr": 0.2}],
           scheduler={"type": "CosineAnnealingLR", "tMax": 15, "lastEpoch": 4})
optim_case("OneCycleLR/sgd_totalSteps", "SGD", {"lr": 0.1, "momentum": 0.9},
           scheduler={"type": "OneCycleLR", "maxLr": 0.5, "totalSteps": 20}, state_dict=True)
optim_case("OneCycleLR/adam_groups_threePhase_linear", "Adam", {"lr": 0.01},
           groups=[{"params": [0], "options": {}}, {"params": [1], "options": {}}],
           scheduler={"type": "OneCycleLR", "maxLr": [0.1, 0.05], "epochs": 4, "stepsPerEpoch": 5, "pctStart": 0.25,
                      "annealStrategy": "linear", "threePhase": True, "baseMomentum": 0.8, "maxMomentum": 0.9})
optim_case("OneCycleLR/adagrad_noMomentum", "Adagrad", {"lr": 0.1},
           scheduler={"type": "OneCycleLR", "maxLr": 0.3, "totalSteps": 25, "cycleMomentum": False, "divFactor": 10.0,
                      "finalDivFactor": 100.0, "pctStart": 0.4})
optim_case("LinearLR/defaults", "SGD", MOM, scheduler={"type": "LinearLR"})
optim_case("LinearLR/decay", "RMSprop", {"lr": 0.01}, scheduler={"type": "LinearLR", "startFactor": 1.0, "endFactor": 0.1, "totalIters": 12})


# Gradient clipping: torch's clip on fixed gradients of W [2, 3] and b [2].
def clip_case(name, dtype, fn, args, scale=1.0):
    assert name not in names, name
    names.add(name)
    dt = DTYPES[dtype]
    torch.manual_seed(len(clip_cases) + 7)
    grads = [(torch.randn(2, 3, dtype=F64) * scale).to(dt), (torch.randn(2, dtype=F64) * scale).to(dt)]
    params = [torch.zeros(2, 3, dtype=dt, requires_grad=True), torch.zeros(2, dtype=dt, requires_grad=True)]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    case = {"name": name, "dtype": dtype, "fn": fn, "args": args, "grads": [flat(g) for g in grads]}
    if fn == "clipGradNorm_":
        norm_type = args["normType"]
        total = torch.nn.utils.clip_grad_norm_(params, args["maxNorm"], norm_type=math.inf if norm_type == "Infinity" else norm_type)
        case["totalNorm"] = float(total)
        case["totalNormDtype"] = DTYPE_NAME[total.dtype]
    else:
        torch.nn.utils.clip_grad_value_(params, args["clipValue"])
    case["clipped"] = [flat(p.grad) for p in params]
    clip_cases.append(case)


clip_case("norm/2", "float64", "clipGradNorm_", {"maxNorm": 1.0, "normType": 2})
clip_case("norm/2_noClip", "float64", "clipGradNorm_", {"maxNorm": 100.0, "normType": 2})
clip_case("norm/1", "float64", "clipGradNorm_", {"maxNorm": 0.5, "normType": 1})
clip_case("norm/3", "float64", "clipGradNorm_", {"maxNorm": 0.7, "normType": 3})
clip_case("norm/2.5", "float64", "clipGradNorm_", {"maxNorm": 0.7, "normType": 2.5})
clip_case("norm/inf", "float64", "clipGradNorm_", {"maxNorm": 0.3, "normType": "Infinity"})
clip_case("norm/0", "float64", "clipGradNorm_", {"maxNorm": 2.0, "normType": 0})
clip_case("norm/2/float32", "float32", "clipGradNorm_", {"maxNorm": 1.0, "normType": 2})
clip_case("norm/inf/float32", "float32", "clipGradNorm_", {"maxNorm": 0.3, "normType": "Infinity"})
clip_case("value/0.4", "float64", "clipGradValue_", {"clipValue": 0.4})
clip_case("value/0.1/float32", "float32", "clipGradValue_", {"clipValue": 0.1})


# ---- write ----


def main():
    os.makedirs(os.path.dirname(OUT_PATH), exist_ok=True)
    data = {name: {k: {"shape": list(v.shape), "data": flat(v)} for k, v in d.items()} for name, d in DATA.items()}
    parts = [
        '{"generator":"tools/gen_torch_optim_fixtures.py"',
        '"rerun":"/usr/bin/python3 tools/gen_torch_optim_fixtures.py"',
        '"torch":' + json.dumps(torch.__version__.split("+")[0]),
        '"steps":%d' % STEPS,
        '"stateAt":%d' % STATE_AT,
        '"data":' + json.dumps(data, separators=(",", ":"), allow_nan=False),
        '"optimCases":[\n' + ",\n".join(json.dumps(c, separators=(",", ":"), allow_nan=False) for c in optim_cases) + "\n]",
        '"clipCases":[\n' + ",\n".join(json.dumps(c, separators=(",", ":"), allow_nan=False) for c in clip_cases) + "\n]}\n",
    ]
    with open(OUT_PATH, "w", encoding="utf-8") as f:
        f.write(",".join(parts))
    print(f"wrote {len(optim_cases)} optimizer/scheduler cases and {len(clip_cases)} clip cases "
          f"to {os.path.relpath(OUT_PATH)} ({os.path.getsize(OUT_PATH)} bytes)")


main()
