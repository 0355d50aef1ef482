"""Small pieces every family trainer's command line shares (the run budget, the reproducing command).

    add_run_arguments(p, minutes=30, steps=20000, lr=2e-3, batch_size=128)
    command("diffusion", args)   # "python -m playground.train diffusion --data ... --out ..."
"""
from __future__ import annotations

import argparse
import shlex

import torch

SKIP = ("what",)


def add_run_arguments(p: argparse.ArgumentParser, *, minutes: float, steps: int, lr: float, batch_size: int) -> None:
    """--data --out --max-minutes --max-steps --lr --batch-size --warmup --threads --seed --init."""
    p.add_argument("--data", default=None, help="the mnist-10k.npz file (default: the bundled copy in assets/data)")
    p.add_argument("--out", required=True, help="checkpoint folder to write")
    p.add_argument("--max-minutes", type=float, default=minutes, help="wall-clock budget (the schedule ends there)")
    p.add_argument("--max-steps", type=int, default=steps, help="optimisation steps (whichever limit comes first)")
    p.add_argument("--lr", type=float, default=lr)
    p.add_argument("--batch-size", type=int, default=batch_size)
    p.add_argument("--warmup", type=int, default=200, help="learning-rate warm-up steps")
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--init", default=None, help="continue from this checkpoint folder instead of from scratch")


def command(family: str, args: argparse.Namespace) -> str:
    """The command line that reproduces this run, rebuilt from the parsed arguments."""
    parts = ["python -m playground.train", family]
    for key, value in vars(args).items():
        if key in SKIP or value is None or value is False:
            continue
        flag = "--" + key.replace("_", "-")
        parts.append(flag if value is True else f"{flag} {shlex.quote(str(value))}")
    return " ".join(parts)


def setup(args: argparse.Namespace) -> torch.Generator:
    """Threads and seeds for a run: the global seed (initial weights) and a Generator for batches."""
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    return torch.Generator().manual_seed(args.seed)
