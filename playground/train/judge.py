"""Train the judge of 28x28 digits (a small CNN) on the MNIST train split only.

    python -m playground.train judge --out assets/models/mnist-judge

Random shifts of up to two pixels keep it from memorising the 8,500 training digits. The card
reports its test accuracy, the share of real test digits it recognises (confidence >= 0.9)
and the Frechet distance of real train vs real test digits in its feature space.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from playground.card import Card, write_card
from playground.checkpoint import save_pretrained
from playground.images import judge as J
from playground.images import mnist
from playground.train.cli import add_run_arguments, command, setup
from playground.train.loop import LoopConfig, train

BODY = ("The judge of the image metrics: a small CNN (two 3x3 conv blocks at 28x28 and at 14x14 "
        "with batch norm, then a 128-unit layer whose activations are the feature space of the Frechet "
        "distance). Trained on the MNIST train split only, with random shifts of up to two pixels; the "
        "test split is used for the numbers below and nothing else.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_run_arguments(p, minutes=15, steps=1500, lr=3e-3, batch_size=128)
    p.add_argument("--shift", type=int, default=2, help="random shift in pixels (augmentation)")


def fit(model: J.Judge, tr: mnist.Split, args: argparse.Namespace, gen: torch.Generator) -> dict:
    """Train ``model`` in place on ``tr``; the loop's last event."""
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=5e-4)
    rows = mnist.batches(len(tr.y), args.batch_size, gen)

    def step() -> dict[str, float]:
        idx = next(rows)
        loss = F.cross_entropy(model(mnist.shift(tr.x[idx], args.shift, gen)), tr.y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return {"loss": loss.item()}

    loop = LoopConfig(max_steps=args.max_steps, max_minutes=args.max_minutes, warmup_steps=args.warmup,
                      schedule="cosine", min_lr_ratio=0.01, log_interval=50, keep_best=False)
    model.train()
    last = {}
    for last in train(step, [opt], loop, bar="judge"):
        pass
    return last


def judge_metrics(model: J.Judge, data: str | Path, out: Path) -> dict:
    """The card's numbers: accuracy, real test recognised, real train vs test Frechet (all and 1,000)."""
    rows = J.real_rows(model, data)
    return {"test_accuracy": rows["real test"]["asked_digit"],
            "train_accuracy": rows["real train"]["asked_digit"],
            "recognised_real_test": rows["real test"]["recognised"],
            "frechet_real_train_vs_test": rows["real train"]["frechet_test"],
            "frechet_real_train_1000_vs_test": rows["real train (1,000)"]["frechet_test"],
            "weights_bytes": (out / "model.safetensors").stat().st_size}


def main(args: argparse.Namespace) -> dict:
    gen = setup(args)
    data = args.data or mnist.DEFAULT_PATH
    model = J.Judge(J.JudgeConfig()) if not args.init else J.load(args.init)
    t0 = time.time()
    last = fit(model, mnist.load("train", data), args, gen)
    seconds = time.time() - t0
    out = Path(args.out)
    save_pretrained(model.eval(), out, J.MODEL_TYPE)
    model = J.load.__wrapped__(str(out))  # score the saved weights
    metrics = judge_metrics(model, data, out)
    card = Card(model=out.name, model_type=J.MODEL_TYPE, command=command("judge", args), data=mnist.describe(data),
                parameters=sum(p.numel() for p in model.parameters()), train_seconds=round(seconds, 1),
                steps=last.get("step", 0), metrics=metrics, config={**vars(args), "split": mnist.split_record(data)},
                parent=args.init)
    write_card(out, card, BODY)
    print({k: round(v, 4) for k, v in metrics.items()})
    return metrics
