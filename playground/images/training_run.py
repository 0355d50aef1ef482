"""The command-line training loop shared by ``python -m playground.train gan`` and ``... vae``.

Runs epochs with a tqdm bar until ``--epochs`` or ``--max-minutes``, writes a sample grid and
the loss curve every ``--sample-every`` epochs to ``--log-dir`` (default ``runs/<name>``),
then saves the model, its final grid and loss curve, measures its quality and writes the
model card (README.md) next to the weights.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import platform
import shlex
import signal
import threading
import time
from pathlib import Path

import torch
from tqdm import tqdm

from playground.config import ROOT
from playground.images import metrics, plots, render
from playground.images.sampling import latent


def add_common_arguments(p: argparse.ArgumentParser, epochs: int, lr: float) -> None:
    """Arguments every image family takes."""
    p.add_argument("--dataset", default="digits", help="digits (bundled, offline); mnist/fashion-mnist need internet")
    p.add_argument("--out", required=True, help="model folder to write (config.json, model.safetensors, README.md)")
    p.add_argument("--conditional", action="store_true", help="train a class-conditional model (ask for a digit)")
    p.add_argument("--z-dim", type=int, default=None, help="latent size (default: the config's)")
    p.add_argument("--width", type=int, default=None, help="channels of the first layers (default: the config's)")
    p.add_argument("--epochs", type=int, default=epochs)
    p.add_argument("--max-minutes", type=float, default=10.0, help="stop after this long whatever --epochs says")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=lr)
    p.add_argument("--decay-from", type=float, default=0.5,
                   help="share of --epochs after which the learning rate decays linearly to 0 (1 = never)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    p.add_argument("--sample-every", type=int, default=50, help="epochs between sample grids in --log-dir")
    p.add_argument("--log-dir", default=None, help="default: runs/<out folder name>")
    p.add_argument("--no-eval", action="store_true", help="skip the quality metrics (tests)")


def run(trainer, args: argparse.Namespace, family: str, how_it_works: str) -> dict:
    """Train, save, evaluate and write the model card; returns the metrics row.

    Ctrl-C (SIGINT) or SIGTERM stops training early and still saves what has been learned so far."""
    torch.set_num_threads(args.threads)
    out = Path(args.out)
    log = Path(args.log_dir) if args.log_dir else ROOT / "runs" / out.name
    log.mkdir(parents=True, exist_ok=True)
    model = trainer.model
    fixed_z = latent.noise(0, model.z_dim, 64)
    fixed_y = torch.arange(64) % model.n_classes if model.n_classes else None
    history: list[dict[str, float]] = []
    t0 = time.time()
    bar = tqdm(range(1, args.epochs + 1), desc=f"train {family}", unit="epoch")
    with _stop_on_signals():
        try:
            for epoch in bar:
                history.append(trainer.epoch())
                bar.set_postfix({k: f"{v:.3f}" for k, v in history[-1].items()})
                last = epoch == args.epochs or time.time() - t0 > args.max_minutes * 60
                with torch.inference_mode():
                    grid = render.grid(model.decode(fixed_z, fixed_y))
                grid.save(log / "samples_latest.png")  # every epoch (cheap); numbered copies below
                if epoch % args.sample_every == 0 or last:
                    grid.save(log / f"samples_epoch{epoch:05d}.png")
                    plots.loss_curve(history).save(log / "loss_curve.png")
                    if not args.no_eval:
                        bar.write(f"epoch {epoch} ({(time.time() - t0) / 60:.1f} min): {_monitor(model)}")
                if last:
                    break
        except KeyboardInterrupt:
            bar.write("interrupted: saving the model as it is now")
    bar.close()
    if not history:
        raise SystemExit("No epoch finished: nothing saved.")
    minutes = (time.time() - t0) / 60
    model.eval().save_pretrained(out)
    with torch.inference_mode():
        render.grid(model.decode(fixed_z, fixed_y)).save(out / "samples.png")
    plots.loss_curve(history).save(out / "loss_curve.png")
    row = {} if args.no_eval else metrics.evaluate(model)
    card = _card(family, args, len(history), minutes, history[-1], row, how_it_works)
    (out / "README.md").write_text(card)
    (out / "metrics.json").write_text(json.dumps({"epochs": len(history), "minutes": round(minutes, 2),
                                                  "final_losses": history[-1], **row}, indent=2) + "\n")
    print(f"saved {out} after {len(history)} epochs in {minutes:.1f} min")
    if row:
        print(metrics.format_rows({out.name: row}))
    return row


def _interrupt(signum, frame):
    raise KeyboardInterrupt


@contextlib.contextmanager
def _stop_on_signals():
    """SIGINT / SIGTERM -> KeyboardInterrupt while training (a background job starts with SIGINT
    ignored); the previous handlers come back afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def _monitor(model: torch.nn.Module, n: int = 500) -> str:
    """A progress line: recognised share and class spread of n samples (seeds apart from the eval's)."""
    x, y = metrics.samples(model, n, seed=2_000_000)
    probs, _ = metrics.judge(x)
    hist = metrics.class_histogram(probs)
    line = f"recognised {metrics.recognised_share(probs):.3f}, classes {min(hist):.3f}..{max(hist):.3f}"
    if y is not None:
        line += f", asked {(probs.argmax(1) == y).float().mean().item():.3f}"
    return line


def _command(family: str, args: argparse.Namespace) -> str:
    """The command line that reproduces this run (from the parsed arguments)."""
    parts = ["python -m playground.train", family]
    for key, value in vars(args).items():
        if key in ("what", "log_dir", "no_eval") or value is None or value is False:
            continue
        flag = "--" + key.replace("_", "-")
        parts.append(flag if value is True else f"{flag} {shlex.quote(str(value))}")
    return " ".join(parts)


def _card(family: str, args, epochs: int, minutes: float, losses: dict, row: dict, how: str) -> str:
    cmd = _command(family, args)
    lines = [f"# {Path(args.out).name}", "", how, "",
             "## Data", "scikit-learn's bundled handwritten digits (`sklearn.datasets.load_digits`), 8x8, 17 grey levels, "
             "scaled to [-1, 1]; the fixed stratified split of `playground/images/data.py`: 1,437 train, 360 test "
             "(test never seen in training).", "",
             "## Training", f"    {cmd}", "",
             f"{epochs} epochs (batch {args.batch_size}, lr {args.lr}, seed {args.seed}) in {minutes:.1f} min on "
             f"{args.threads} CPU thread{'s' if args.threads != 1 else ''} ({platform.processor() or platform.machine()}). Final losses: "
             + ", ".join(f"{k} {v:.3f}" for k, v in losses.items()) + ".", "",
             "![samples](samples.png) ![loss curve](loss_curve.png)", ""]
    if row:
        real = metrics.real_rows()
        lines += ["## Quality (1,000 seeded samples, judged by `assets/models/digits-classifier`)", "", "```",
                  metrics.format_rows({**real, Path(args.out).name: row}), "```", "",
                  "Class histogram (share judged as 0..9): " + " ".join(f"{v:.3f}" for v in row["histogram"]), "",
                  "Recognised = the classifier's top probability >= 0.9. Frechet = Frechet distance of the "
                  "classifier's 64-d features to the real test split (real train vs real test is the floor). "
                  "`python -m playground.images.metrics` recomputes the table.", ""]
    return "\n".join(lines)
