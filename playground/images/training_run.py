"""The command-line run shared by ``python -m playground.train gan`` and ``... vae``.

The one training loop (``playground.train.loop``) with a tqdm bar runs ``--epochs`` (counted as
steps: epochs x batches per epoch) or until ``--max-minutes``; the learning rate holds, then
decays linearly to 0 from ``--decay-from`` of the run. Every epoch writes ``samples_latest.png``
to ``--log-dir`` (default ``runs/<name>``), every ``--sample-every`` epochs a numbered grid, the
loss curve and a quality line; at the end the checkpoint, its grid, loss curve, quality metrics
and model card (card.json + README.md) go to ``--out``. Ctrl-C or SIGTERM stops early and still
saves (a second one aborts).
"""
from __future__ import annotations

import argparse
import contextlib
import shlex
import signal
import threading
from dataclasses import asdict
from pathlib import Path

import torch
from PIL import Image
from tqdm import tqdm

from playground.card import Card, write_card
from playground.config import ROOT
from playground.images import catalog, data, metrics, plots, render
from playground.images.explanations import explain_config
from playground.images.sampling import latent
from playground.train.loop import LoopConfig, train


def add_common_arguments(p: argparse.ArgumentParser, epochs: int, lr: float) -> None:
    """Arguments every image family takes."""
    p.add_argument("--data", default=None,
                   help="the MNIST .npz (default: the bundled assets/data/mnist-10k.npz; ../shared/data/mnist/ has the same file)")
    p.add_argument("--out", required=True, help="model folder to write (config.json, model.safetensors, card)")
    p.add_argument("--train-size", type=int, default=None,
                   help="train on only the first N digits of the train split (quick tries and tests)")
    p.add_argument("--conditional", action="store_true", help="train a class-conditional model (ask for a digit)")
    p.add_argument("--z-dim", type=int, default=None, help="latent size (default: the config's)")
    p.add_argument("--width", type=int, default=None, help="channels of the first layers (default: the config's)")
    p.add_argument("--epochs", type=int, default=epochs, help="passes over the data (the run is epochs x batches steps)")
    p.add_argument("--max-minutes", type=float, default=10.0, help="stop after this long whatever --epochs says")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=lr)
    p.add_argument("--decay-from", type=float, default=0.5,
                   help="share of the run after which the learning rate decays linearly to 0 (1 = never)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    p.add_argument("--sample-every", type=int, default=50, help="epochs between sample grids in --log-dir")
    p.add_argument("--log-dir", default=None, help="default: runs/<out folder name>")
    p.add_argument("--no-eval", action="store_true", help="skip the quality metrics (tests)")


def dataset(path: str | None, size: int | None = None) -> data.DigitsSplit:
    """The training split of the MNIST file ``--data``, or its first ``size`` digits (SystemExit
    with the reason when the file is unreadable)."""
    try:
        tr = data.load("train", path)
    except (ValueError, OSError) as e:
        raise SystemExit(str(e)) from None
    return tr if not size else data.DigitsSplit(tr.x[:size], tr.y[:size], tr.indices[:size])


def loop_config(args: argparse.Namespace, steps_per_epoch: int) -> LoopConfig:
    """The loop settings of a run: one progress event per epoch, evaluations every --sample-every."""
    return LoopConfig(max_steps=args.epochs * steps_per_epoch, max_minutes=args.max_minutes, schedule="wsd",
                      decay_from=min(1.0, args.decay_from), min_lr_ratio=0.0, log_interval=steps_per_epoch,
                      eval_interval=0 if args.no_eval else args.sample_every * steps_per_epoch, keep_best=False)


class _Log:
    """What a run writes while it trains: sample grids of fixed noise and the loss curve."""

    def __init__(self, model: torch.nn.Module, folder: Path, every: int):
        self.model, self.folder, self.every = model, folder, every
        self.z = latent.noise(0, model.z_dim, 64)
        self.y = torch.arange(64) % model.n_classes if model.n_classes else None
        self.history: list[dict[str, float]] = []  # smoothed losses, one per epoch
        folder.mkdir(parents=True, exist_ok=True)

    def grid(self) -> Image.Image:
        """The 64 fixed noise vectors drawn by the model as it is now."""
        with torch.inference_mode():
            return render.grid(self.model.decode(self.z, self.y))

    def on(self, ev: dict) -> None:
        """Handle one event of the training loop: an evaluation, an epoch's progress, or the end."""
        done = ev.get("done", False)
        if "eval" in ev and not done:
            line = ", ".join(f"{k} {v:.3f}" for k, v in ev["eval"].items())
            tqdm.write(f"step {ev['step']} ({ev['elapsed_s'] / 60:.1f} min): {line}")
            return
        if not done:
            self.history.append(ev["losses"])
        grid = self.grid()
        grid.save(self.folder / "samples_latest.png")  # every epoch (cheap); numbered copies below
        if ev["step"] % self.every == 0 or done:
            grid.save(self.folder / f"samples_step{ev['step']:06d}.png")
            plots.loss_curve(self.history).save(self.folder / "loss_curve.png")


def run(trainer, args: argparse.Namespace, family: str) -> dict:
    """Train, save, evaluate and write the model card; returns the quality row ({} with --no-eval)."""
    torch.set_num_threads(args.threads)
    out = Path(args.out)
    spe = trainer.steps_per_epoch
    cfg = loop_config(args, spe)
    log = _Log(trainer.model, Path(args.log_dir) if args.log_dir else ROOT / "runs" / out.name,
               args.sample_every * spe)
    evaluate = None if args.no_eval else (lambda: _monitor(trainer.model))
    stop = threading.Event()
    with _stop_on_signals(stop):
        for ev in train(trainer.step, trainer.optimizers(), cfg, evaluate=evaluate, stop=stop, bar=f"train {family}"):
            log.on(ev)
    if stop.is_set():
        print("interrupted: saving the model as it is now")
    if not ev["step"]:
        raise SystemExit("No training step finished: nothing saved.")
    return _save(trainer.model, args, family, ev, log, cfg)


def _save(model: torch.nn.Module, args: argparse.Namespace, family: str, last: dict, log: _Log,
          cfg: LoopConfig) -> dict:
    out = Path(args.out)
    catalog.save(model.eval(), out)
    log.grid().save(out / "samples.png")
    plots.loss_curve(log.history).save(out / "loss_curve.png")
    row = {} if args.no_eval else metrics.evaluate(model)
    settings = {k: v for k, v in vars(args).items() if k != "what"}
    card = Card(model=out.name, model_type=family, command=_command(family, args), data=data.describe(args.data),
                parameters=sum(p.numel() for p in model.parameters()), train_seconds=round(last["elapsed_s"], 1),
                steps=last["step"], metrics={**row, "final_losses": last["losses"]},
                config={**settings, "loop": asdict(cfg)}, history=last["history"])
    write_card(out, card, body=_body(out.name, {"model_type": family, **asdict(model.config)}, row))
    print(f"saved {out} after {last['step']:,} of {cfg.max_steps:,} steps in {last['elapsed_s'] / 60:.1f} min")
    if row:
        print(metrics.format_rows({out.name: row}))
    return row


def _body(name: str, config: dict, row: dict) -> str:
    """The model card's prose: how it works, the data, pictures and the quality table."""
    lines = [explain_config(config), "", "## Data", data.describe(), "",
             "![samples](samples.png) ![loss curve](loss_curve.png)", ""]
    if row:
        lines += ["## Quality (1,000 seeded samples, judged by `assets/models/mnist-judge`)", "", "```",
                  metrics.format_rows({**metrics.real_rows(), name: row}), "```", "",
                  "Class histogram (share judged as 0..9): " + " ".join(f"{v:.3f}" for v in row["histogram"]), "",
                  "Recognised = the judge's top probability >= 0.9. Frechet = Frechet distance of the "
                  "judge's 128-d features to the real test split (1,000 real train digits is the floor). "
                  "`python -m playground.images.metrics` recomputes the table."]
    return "\n".join(lines)


@contextlib.contextmanager
def _stop_on_signals(stop: threading.Event):
    """SIGINT / SIGTERM set ``stop`` while training (a second one aborts); the previous handlers
    come back afterwards. A background job starts with SIGINT ignored, hence the explicit handler."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    old = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, h in old.items():
            signal.signal(sig, h)


def _monitor(model: torch.nn.Module, n: int = 500) -> dict[str, float]:
    """Recognised share and class spread of n samples (seeds apart from the final evaluation's)."""
    x, y = metrics.samples(model, n, seed=2_000_000)
    probs, _ = metrics.judge(x)
    hist = metrics.class_histogram(probs)
    row = {"recognised": metrics.recognised_share(probs), "min_class": min(hist), "max_class": max(hist)}
    if y is not None:
        row["asked"] = (probs.argmax(1) == y).float().mean().item()
    return row


def _command(family: str, args: argparse.Namespace) -> str:
    """The command line that reproduces this run (from the parsed arguments)."""
    parts = ["python -m playground.train", family]
    for key, value in vars(args).items():
        if key in ("what", "log_dir", "no_eval") or value is None or value is False:
            continue
        flag = "--" + key.replace("_", "-")
        parts.append(flag if value is True else f"{flag} {shlex.quote(str(value))}")
    return " ".join(parts)
