"""Train the char-gpt model in PyTorch with `pnpm gpt train`'s recipe, to compare the two.

Same text (Debian's fortunes in name order, or --text FILE), same vocabulary (the characters sorted
by code point), same split (the first 90% of the tokens train, the last 10% validate), same model
(torch_gpt.py), initialisation (N(0, 0.02), residual projections N(0, 0.02/sqrt(2 layers)), biases
0), optimizer (AdamW, betas 0.9/0.99, weight decay on matrices only, gradient norm clipped to 1)
and schedule (linear warm-up from lr/100, then cosine down to lr/10). Only the random numbers
differ: PyTorch draws its own initial weights and batches.

    python3 torch_train.py --steps 600 --compare runs/gpt-.../model.safetensors

prints one JSON line: the validation loss of the PyTorch model, and with --compare that of the tg
checkpoint, both on the same --eval-batches batches of validation windows (--steps 0 only
evaluates the checkpoint).
"""

import argparse
import json
import math
import os
import sys
import time
import warnings

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_gpt import Gpt, load_model  # noqa: E402

FORTUNES = "/usr/share/games/fortunes"


def read_text(path, limit):
    """The training text, as `gpt train` reads it."""
    if path is None:
        names = sorted(n for n in os.listdir(FORTUNES) if "." not in n and not os.path.islink(os.path.join(FORTUNES, n)))
        names = [n for n in names if os.path.isfile(os.path.join(FORTUNES, n))]
        text = "".join(open(os.path.join(FORTUNES, n), encoding="utf-8").read() for n in names)
    else:
        text = open(path, encoding="utf-8").read()
    return text if limit is None else text[:limit]


def init_weights(model, layers):
    """GPT-2's initialisation, as model.ts's initWeights."""
    residual = 0.02 / math.sqrt(2 * layers)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias"):
                p.zero_()
            elif ".ln" in name or name.startswith("lnF"):
                continue
            else:
                std = residual if name.endswith("out_proj.weight") or name.endswith("mlp.2.weight") else 0.02
                p.normal_(0, std)


def batch(data, context, size, generator):
    """`size` random windows of `data` and the same shifted by one."""
    starts = torch.randint(0, len(data) - context, (size,), generator=generator)
    x = torch.stack([data[s : s + context] for s in starts])
    y = torch.stack([data[s + 1 : s + 1 + context] for s in starts])
    return x, y


def loss_of(model, x, y):
    return F.cross_entropy(model(x).reshape(-1, model.wte.weight.shape[0]), y.reshape(-1))


def estimate(model, windows):
    model.eval()
    with torch.no_grad():
        value = sum(loss_of(model, x, y).item() for x, y in windows) / len(windows)
    model.train()
    return value


def train_model(a, vocab_size, train, windows):
    """Trains a fresh model with the recipe of `gpt train`; its speed and validation loss."""
    model = Gpt(vocab_size, a.context, a.layers, a.heads, a.width)
    init_weights(model, a.layers)
    params = dict(model.named_parameters())
    decay = [p for p in params.values() if p.dim() >= 2]
    no_decay = [p for p in params.values() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": a.weight_decay}, {"params": no_decay, "weight_decay": 0.0}], lr=a.lr, betas=(0.9, 0.99)
    )
    warm = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.01, total_iters=a.warmup)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=a.steps - a.warmup, eta_min=a.lr / 10)
    sched = torch.optim.lr_scheduler.SequentialLR(opt, [warm, cosine], milestones=[a.warmup])
    generator = torch.Generator().manual_seed(a.seed + 1)
    started = time.perf_counter()
    for _ in range(a.steps):
        x, y = batch(train, a.context, a.batch_size, generator)
        loss = loss_of(model, x, y)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
    seconds = time.perf_counter() - started
    return {
        "trainSeconds": round(seconds, 1),
        "tokensPerSecond": round(a.steps * a.batch_size * a.context / seconds),
        "lastTrainLoss": round(loss.item(), 4),
        "torchValLoss": round(estimate(model, windows), 4),
    }


def main():
    p = argparse.ArgumentParser()
    for name, default, kind in [
        ("steps", 600, int), ("batch-size", 16, int), ("lr", 2e-3, float), ("weight-decay", 0.1, float),
        ("warmup", 50, int), ("layers", 4, int), ("heads", 4, int), ("width", 128, int), ("context", 128, int),
        ("seed", 0, int), ("eval-batches", 50, int), ("limit", None, int), ("text", None, str), ("compare", None, str),
    ]:
        p.add_argument("--" + name, default=default, type=kind)
    a = p.parse_args()
    torch.set_num_threads(1)
    # SequentialLR in torch 1.13 passes an epoch to its schedulers and warns about it
    warnings.filterwarnings("ignore", message="The epoch parameter")
    torch.manual_seed(a.seed)
    text = read_text(a.text, a.limit)
    vocabulary = sorted(set(text))
    ids = {c: i for i, c in enumerate(vocabulary)}
    tokens = torch.tensor([ids[c] for c in text], dtype=torch.long)
    cut = round(len(tokens) * 0.9)
    train, val = tokens[:cut], tokens[cut:]

    val_generator = torch.Generator().manual_seed(a.seed + 2)
    windows = [batch(val, a.context, a.batch_size, val_generator) for _ in range(a.eval_batches)]
    result = {"steps": a.steps, "evalWindows": a.eval_batches * a.batch_size}
    if a.steps > 0:
        result.update(train_model(a, len(vocabulary), train, windows))
    if a.compare is not None:
        tg_model, tg_vocabulary = load_model(a.compare)
        assert tg_vocabulary == vocabulary, "the checkpoint's vocabulary is not this text's"
        result["tgValLoss"] = round(estimate(tg_model, windows), 4)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
