"""Train the Coconet-style harmoniser (fills in any voices given the rest) on the JSB chorales.

    python -m playground.train coconet --data ../shared/data/jsb-chorales --out assets/models/music-coconet

Reads Jsb16thSeparated.json (S, A, T, B on a 16th-note grid) with the train/valid/test split
of Boulanger-Lewandowski et al. (2012); trains on random 8-bar windows of the training split,
each transposed by a random shift, with Coconet's random masks; keeps the weights with the
best validation loss (fixed seeded masks). Then scores the float16 weights it saved: the exact
chronological NLL of the four voices on the test split (the Music Transformer paper's
"Coconet chronological" measure) and of alto, tenor and bass given Bach's soprano.
"""
from __future__ import annotations

import argparse
import shlex
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from playground.card import Card, read_card, write_card
from playground.checkpoint import save_pretrained
from playground.music.coconet import (MODEL_TYPE, Coconet, CoconetConfig, card_body, likelihoods, load,
                                      masked_loss, masked_nll, training_mask)
from playground.music.data import load_split, pitch_span, transpose
from playground.music.notes import to_tokens
from playground.train.loop import LoopConfig, train, optimise


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", required=True, help="the jsb-chorales folder (Jsb16thSeparated.json)")
    p.add_argument("--out", required=True, help="checkpoint folder to write")
    p.add_argument("--channels", type=int, default=CoconetConfig.channels)
    p.add_argument("--dilations", default="1,2,4,8,16,32", help="one residual block per dilation")
    p.add_argument("--dropout", type=float, default=CoconetConfig.dropout)
    p.add_argument("--max-minutes", type=float, default=35.0)
    p.add_argument("--max-steps", type=int, default=100_000)
    p.add_argument("--batch-size", type=int, default=24)
    p.add_argument("--crop", type=int, default=128, help="16th steps per training window (128 = 8 bars)")
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--transpose", type=int, default=6, help="random shift in [-n, n] semitones")
    p.add_argument("--eval-interval", type=int, default=250)
    p.add_argument("--threads", type=int, default=1,
                   help="torch threads; on a shared CPU one thread trains faster than two (no spin-waiting)")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--init", help="start from this checkpoint's weights (and shape) instead of scratch")
    p.add_argument("--warmup", type=int, default=200, help="warm-up steps of the learning rate")
    p.add_argument("--no-nll", dest="nll", action="store_false", help="skip the (slow, exact) test NLLs")


def make_config(args: argparse.Namespace, train: list[np.ndarray]) -> CoconetConfig:
    """The network shape; pitches and voice ranges cover the training data +- the transposition."""
    lo, hi = pitch_span(train)
    ranges = []
    for v in range(4):
        notes = np.concatenate([c[:, v] for c in train])
        notes = notes[notes >= 0]
        ranges.append([int(notes.min()) - args.transpose, int(notes.max()) + args.transpose])
    return CoconetConfig(pitch_min=lo - args.transpose, pitch_max=hi + args.transpose, channels=args.channels,
                         dilations=[int(d) for d in args.dilations.split(",")], dropout=args.dropout,
                         voice_ranges=ranges)


def make_batch(chorales: list[np.ndarray], cfg: CoconetConfig, args: argparse.Namespace,
               rng: np.random.Generator, gen: torch.Generator) -> tuple[torch.Tensor, ...]:
    """Random beat-aligned windows, each transposed and masked: tokens, mask, valid (B, crop[, V])."""
    B, T, V = args.batch_size, args.crop, cfg.n_voices
    tokens = torch.zeros(B, T, V, dtype=torch.long)
    valid = torch.zeros(B, T, dtype=torch.bool)
    for b, i in enumerate(rng.integers(0, len(chorales), B)):
        c = chorales[i]
        start = int(rng.integers(0, max(0, len(c) - T) // cfg.steps_per_beat + 1)) * cfg.steps_per_beat
        w = c[start:start + T]
        s = w[w >= 0]
        lo, hi = max(-args.transpose, cfg.pitch_min - s.min()), min(args.transpose, cfg.pitch_max - s.max())
        tokens[b, : len(w)] = torch.from_numpy(to_tokens(transpose(w, int(rng.integers(lo, hi + 1))), cfg.pitch_min))
        valid[b, : len(w)] = True
    mask = torch.stack([training_mask(T, V, gen) for _ in range(B)])
    return tokens, mask, valid


def fit(model: Coconet, train_set: list[np.ndarray], valid_set: list[np.ndarray], args: argparse.Namespace,
        loop: LoopConfig) -> dict:
    """Run the one training loop; returns its last event (best evaluation, history, step count)."""
    rng, gen = np.random.default_rng(args.seed), torch.Generator().manual_seed(args.seed)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)

    def step() -> dict[str, float]:
        model.train()
        tokens, mask, valid = make_batch(train_set, model.config, args, rng, gen)
        loss = masked_nll(model(tokens, mask, valid), tokens, mask, valid)
        return {"loss": optimise(loss, [opt], model)}

    def evaluate() -> dict[str, float]:
        model.eval()
        return {"val_masked_nll": masked_loss(model, valid_set)}

    last = {}
    for ev in train(step, [opt], loop, evaluate=evaluate, model=model, bar="coconet"):
        last = ev
        if "eval" in ev:
            print(f"\nstep {ev['step']}: {ev['eval']}, train {ev['losses']}", flush=True)
    model.eval()
    return last


def main(args: argparse.Namespace) -> dict:
    """Train, save (float16), score the saved weights and write the model card; returns the metrics."""
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    train_set, valid_set, test_set = (load_split(args.data, s) for s in ("train", "valid", "test"))
    model = load(args.init).train() if args.init else Coconet(make_config(args, train_set))
    loop = LoopConfig(max_steps=args.max_steps, max_minutes=args.max_minutes, warmup_steps=args.warmup,
                      schedule="cosine", min_lr_ratio=0.05, eval_interval=args.eval_interval, log_interval=50)
    done = fit(model, train_set, valid_set, args, loop)
    out = Path(args.out)
    save_pretrained(model, out, MODEL_TYPE, dtype=torch.float16)
    shipped = load(out)  # score the float16 weights that ship, not the float32 ones
    metrics = {"val_masked_nll": masked_loss(shipped, valid_set), "test_masked_nll": masked_loss(shipped, test_set)}
    if args.nll:
        metrics.update(likelihoods(shipped, test_set))
    metrics["weights_bytes"] = (out / "model.safetensors").stat().st_size
    parent = read_card(args.init) if args.init else {}
    metrics["total_train_minutes"] = round((done["elapsed_s"] + parent.get("train_seconds", 0)) / 60, 1)
    card = Card(
        model=out.name, model_type=MODEL_TYPE,
        command=command(),
        data=f"{args.data} (Jsb16thSeparated.json: train split, {len(train_set)} chorales, 16th-note grid, "
             f"random transposition +-{args.transpose}); scored on the test split ({len(test_set)} chorales)",
        parameters=sum(p.numel() for p in model.parameters()), train_seconds=round(done["elapsed_s"], 1),
        steps=done["step"], metrics=metrics,
        config={**vars(args), "loop": asdict(loop),
                "parent_run": {k: parent.get(k) for k in ("command", "train_seconds", "steps")}},
        history=done.get("history", []), parent=args.init)
    write_card(out, card, body=card_body(asdict(card)))
    print({k: round(v, 4) if isinstance(v, float) else v for k, v in metrics.items()})
    return metrics


def command() -> str:
    """The command line of this run, as ``python -m playground.train coconet ...``."""
    argv = sys.argv[1:]
    argv = argv[1:] if argv[:1] == ["coconet"] else argv
    return "python -m playground.train coconet " + " ".join(shlex.quote(a) for a in argv)


if __name__ == "__main__":  # python -m playground.train.coconet ... (same flags)
    parser = argparse.ArgumentParser(description=__doc__)
    add_arguments(parser)
    main(parser.parse_args())
