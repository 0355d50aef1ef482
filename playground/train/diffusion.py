"""Train the class-conditional diffusion model (a compact UNet) on the MNIST train split.

    python -m playground.train diffusion --data ../shared/data/mnist/mnist-10k.npz \
        --out assets/models/diffusion-mnist --max-minutes 35
    python -m playground.train diffusion --init assets/models/diffusion-mnist --out ... --lr 5e-4

Each step noises a batch of training digits to random levels and teaches the network to undo
it (v-prediction, cosine schedule); 10 % of the digits are hidden ("no digit") so one network
also learns the unconditional model that classifier-free guidance needs. The checkpoint holds
the exponential moving average (EMA) of the weights in float16; its card has the judge's
verdict on 1,000 samples and the steps-vs-quality table.
"""
from __future__ import annotations

import argparse
import contextlib
import copy
import time
from pathlib import Path

import torch

from playground.card import Card, read_card, write_card
from playground.checkpoint import save_pretrained
from playground.images import diffusion as D
from playground.images import diffusion_metrics as metrics
from playground.images import judge as J
from playground.images import mnist
from playground.train.cli import add_run_arguments, command, setup
from playground.train.loop import LoopConfig, train

BODY = ("A small class-conditional denoising diffusion model: a two-level UNet on 28x28 digits "
        "folded to 14x14x4 (ResBlocks with time and digit FiLM, self-attention at 7x7), trained with "
        "the v-prediction objective on the cosine noise schedule and 10 % label dropout for "
        "classifier-free guidance. Weights: the EMA of training, stored in float16. Metrics: 1,000 "
        "samples (100 per digit, DDIM, the default steps and guidance) judged by `mnist-judge`; the "
        "Frechet distance is to the real test split in the judge's feature space.\n\n"
        "![samples](samples.png)")


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_run_arguments(p, minutes=35, steps=200_000, lr=2e-3, batch_size=128)
    d = D.DiffusionConfig()
    p.add_argument("--channels", default=",".join(map(str, d.channels)), help="UNet widths per resolution")
    p.add_argument("--blocks", type=int, default=d.blocks, help="residual blocks per resolution")
    p.add_argument("--no-attention", action="store_true", help="no self-attention at the lowest resolution")
    p.add_argument("--prediction", choices=("v", "eps"), default=d.prediction)
    p.add_argument("--schedule", choices=("cosine", "linear"), default=d.schedule)
    p.add_argument("--label-dropout", type=float, default=0.1, help="share of digits hidden (for guidance)")
    p.add_argument("--ema", type=float, default=0.999, help="decay of the weights' moving average")
    p.add_argument("--bf16", action="store_true", help="bfloat16 autocast (about 1.6x faster on CPUs with AVX-512 BF16)")
    p.add_argument("--eval-interval", type=int, default=1000, help="steps between evaluations")
    p.add_argument("--eval-samples", type=int, default=200, help="samples judged at each evaluation")
    p.add_argument("--judge", default=None, help="the judge checkpoint for the evaluations (default: mnist-judge)")


def build(args: argparse.Namespace) -> D.UNet:
    """A fresh UNet from the arguments, or the one in ``--init``."""
    if args.init:
        return D.load.__wrapped__(args.init).train()
    cfg = D.DiffusionConfig(channels=[int(c) for c in args.channels.split(",")], blocks=args.blocks,
                            attention=not args.no_attention, prediction=args.prediction, schedule=args.schedule)
    return D.UNet(cfg)


def ema_update(ema: torch.nn.Module, model: torch.nn.Module, decay: float) -> None:
    """ema <- decay * ema + (1 - decay) * model, for every parameter and buffer."""
    with torch.no_grad():
        for e, m in zip(ema.state_dict().values(), model.state_dict().values()):
            e.lerp_(m, 1.0 - decay)


def evaluator(ema: D.UNet, args: argparse.Namespace, data: str | Path):
    """``evaluate()`` for the loop: test loss at fixed noise and, with a judge, the asked-digit share."""
    te = mnist.load("test", data)
    try:
        judge = J.load(str(args.judge or J.DEFAULT_PATH))
    except ValueError:
        judge = None

    def evaluate() -> dict[str, float]:
        ema.eval()
        with torch.inference_mode():
            out = {"test_loss": D.loss(ema, te.x, te.y, torch.Generator().manual_seed(0), 0.0).item()}
        if judge is not None and args.eval_samples:
            row = metrics.evaluate(ema, n=args.eval_samples, judge_model=judge, seed=metrics.EVAL_SEED + 10**6)
            out.update(asked_digit=row["asked_digit"], recognised=row["recognised"], frechet=row["frechet_test"])
        return out

    return evaluate


def fit(model: D.UNet, ema: D.UNet, args: argparse.Namespace, gen: torch.Generator, data: str | Path) -> dict:
    """Train ``model`` (and its average ``ema``) in place; the loop's last event."""
    tr = mnist.load("train", data)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0, betas=(0.9, 0.99))
    rows = mnist.batches(len(tr.y), args.batch_size, gen)
    n = [0]

    def step() -> dict[str, float]:
        idx = next(rows)
        ctx = torch.autocast("cpu", dtype=torch.bfloat16) if args.bf16 else contextlib.nullcontext()
        with ctx:
            loss = D.loss(model, tr.x[idx], tr.y[idx], gen, args.label_dropout)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        n[0] += 1
        ema_update(ema, model, min(args.ema, (1 + n[0]) / (10 + n[0])))
        return {"loss": loss.item()}

    loop = LoopConfig(max_steps=args.max_steps, max_minutes=args.max_minutes, warmup_steps=args.warmup,
                      schedule="cosine", min_lr_ratio=0.05, eval_interval=args.eval_interval, log_interval=50,
                      keep_best=False)
    model.train()
    last: dict = {}
    for last in train(step, [opt], loop, evaluate=evaluator(ema, args, data), bar="diffusion"):
        if "eval" in last:
            print(f"\nstep {last['step']}: " + ", ".join(f"{k} {v:.4f}" for k, v in last["eval"].items()), flush=True)
    return last


def lineage(args: argparse.Namespace, last: dict, seconds: float) -> dict:
    """Command(s), steps, time and history of the whole run, counting the checkpoint ``--init`` came from."""
    parent = read_card(args.init) if args.init else {}
    offset = parent.get("steps", 0)
    history = parent.get("history", []) + [{**h, "step": h["step"] + offset} for h in last.get("history", [])]
    commands = [c for c in (parent.get("command", ""), command("diffusion", args)) if c]
    return {"command": "\n".join(commands), "steps": offset + last.get("step", 0), "history": history,
            "train_seconds": round(parent.get("train_seconds", 0.0) + seconds, 1)}


def main(args: argparse.Namespace) -> dict:
    gen = setup(args)
    data = args.data or mnist.DEFAULT_PATH
    model = build(args)
    ema = copy.deepcopy(model).eval()
    t0 = time.time()
    last = fit(model, ema, args, gen, data)
    seconds = time.time() - t0
    out, run = Path(args.out), lineage(args, last, seconds)  # read the parent's card before overwriting it
    save_pretrained(ema, out, D.MODEL_TYPE, dtype=torch.float16)
    saved = D.load.__wrapped__(str(out))  # judge the float16 weights that ship
    J.load.cache_clear()  # with the judge on disk now (it may have been retrained meanwhile)
    result = metrics.card_metrics(saved, judge_path=args.judge or J.DEFAULT_PATH, data=data)
    result["weights_bytes"] = (out / "model.safetensors").stat().st_size
    metrics.save_grid(saved, out / "samples.png")
    card = Card(model=out.name, model_type=D.MODEL_TYPE, data=mnist.describe(data),
                parameters=sum(p.numel() for p in saved.parameters()), metrics=result,
                config={**vars(args), "model": vars(saved.config), "split": mnist.split_record(data)},
                parent=args.init, **run)
    write_card(out, card, BODY)
    print({k: v for k, v in result.items() if not isinstance(v, (list, dict))})
    return result
