"""Writes test/fixtures/torch-schedulers.json: torch's learning-rate sequences for LambdaLR, SequentialLR and LinearLR.

Rerun from the repository root with Debian's Python, which has torch installed:

    /usr/bin/python3 tools/gen_torch_scheduler_fixtures.py

Each case builds an SGD optimizer (one or two param groups), the schedulers it names (lambdas by name,
the test has the same functions), and records every group's lr after construction and after each of
`steps` scheduler steps, plus the scheduler's state_dict after `stateAt` steps (keys torch keeps only for
its own bookkeeping are dropped). torch 1.13's SequentialLR is the reference: it resets the lrs, undoes
the children's first steps, restarts the first child, and moves a child to its step 0 (by its closed
form) when its milestone comes.
"""

import json
import math
import os

import torch
from torch.optim import SGD
from torch.optim import lr_scheduler as S

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "torch-schedulers.json")
TORCH_ONLY = {"verbose", "_get_lr_called_within_step", "lr_lambdas"}

LAMBDAS = {
    "warmup5": lambda e: min(1.0, (e + 1) / 5),
    "pow095": lambda e: 0.95 ** e,
    "every3": lambda e: e // 3,
    "inv_sqrt": lambda e: 1 / math.sqrt(max(e, 1)),
}


def make(spec, opt):
    kind = spec["type"]
    if kind == "LambdaLR":
        fns = spec["lambdas"]
        return S.LambdaLR(opt, [LAMBDAS[f] for f in fns] if isinstance(fns, list) else LAMBDAS[fns])
    if kind == "SequentialLR":
        children = [make(c, opt) for c in spec["schedulers"]]
        return S.SequentialLR(opt, children, milestones=spec["milestones"])
    kw = {k: v for k, v in spec.items() if k != "type"}
    rename = {"startFactor": "start_factor", "endFactor": "end_factor", "totalIters": "total_iters", "tMax": "T_max", "etaMin": "eta_min", "stepSize": "step_size"}
    return getattr(S, kind)(opt, **{rename.get(k, k): v for k, v in kw.items()})


def clean(d):
    if isinstance(d, dict):
        return {k: clean(v) for k, v in d.items() if k not in TORCH_ONLY}
    if isinstance(d, list):
        return [clean(v) for v in d]
    return d


cases = []


def case(name, spec, lrs=(0.1,), steps=20, state_at=7):
    params = [torch.zeros(2, requires_grad=True) for _ in lrs]
    opt = SGD([{"params": [p], "lr": lr} for p, lr in zip(params, lrs)], lr=lrs[0])
    sched = make(spec, opt)
    seq = [[g["lr"] for g in opt.param_groups]]
    last = [sched.get_last_lr()]
    state = None
    for t in range(steps):
        opt.step()
        sched.step()
        seq.append([g["lr"] for g in opt.param_groups])
        last.append(sched.get_last_lr())
        if t + 1 == state_at:
            state = clean(sched.state_dict())
    cases.append({"name": name, "spec": spec, "lrs": list(lrs), "steps": steps, "lr": seq, "lastLr": last, "stateAt": state_at, "state": state})


def main():
    case("LambdaLR/warmup", {"type": "LambdaLR", "lambdas": "warmup5"}, steps=10)
    case("LambdaLR/per_group", {"type": "LambdaLR", "lambdas": ["pow095", "every3"]}, lrs=(0.1, 0.02), steps=12)
    case("LambdaLR/inv_sqrt", {"type": "LambdaLR", "lambdas": "inv_sqrt"}, lrs=(1.0,), steps=10)
    case("LinearLR/warmup_from_half", {"type": "LinearLR", "startFactor": 0.5, "totalIters": 3}, steps=6)
    case("LinearLR/to_zero", {"type": "LinearLR", "startFactor": 1.0, "endFactor": 0.0, "totalIters": 6}, steps=8)
    warm_cos = {"type": "SequentialLR", "milestones": [5], "schedulers": [
        {"type": "LinearLR", "startFactor": 0.1, "totalIters": 5},
        {"type": "CosineAnnealingLR", "tMax": 10, "etaMin": 0.001}]}
    case("SequentialLR/linear_warmup_cosine", warm_cos, lrs=(1e-3,), steps=20)
    case("SequentialLR/two_groups", {"type": "SequentialLR", "milestones": [4], "schedulers": [
        {"type": "LinearLR", "startFactor": 0.01, "endFactor": 1.0, "totalIters": 4},
        {"type": "CosineAnnealingLR", "tMax": 8}]}, lrs=(0.1, 0.05), steps=16)
    case("SequentialLR/three", {"type": "SequentialLR", "milestones": [3, 8], "schedulers": [
        {"type": "LinearLR", "startFactor": 0.25, "totalIters": 3},
        {"type": "StepLR", "stepSize": 2, "gamma": 0.5},
        {"type": "ExponentialLR", "gamma": 0.9}]}, steps=14, state_at=9)
    case("SequentialLR/lambda_then_cosine", {"type": "SequentialLR", "milestones": [5], "schedulers": [
        {"type": "LambdaLR", "lambdas": "warmup5"},
        {"type": "CosineAnnealingLR", "tMax": 6, "etaMin": 0.0001}]}, steps=12)
    with open(OUT, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f, indent=None, separators=(",", ":"))
    print(f"wrote {len(cases)} cases to {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
