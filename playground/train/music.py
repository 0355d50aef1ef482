"""Train the four-voice chorale model (continues and harmonises) on the JSB chorales.

    python -m playground.train music --data ../shared/data/jsb-chorales --out assets/models/music-bach
    python -m playground.train music --data ../shared/data/jsb-chorales --out runs/music-roll \
        --format roll --max-minutes 8     # the quarter-note piano roll: frame-level NLL as in the papers

``--format voices`` (default) reads Jsb16thSeparated.json (S, A, T, B on a 16th-note grid);
``--format roll`` reads jsb-chorales-quarter.json, the piano roll of Boulanger-Lewandowski et
al. (2012). Both use that paper's train/valid/test split, train on random transpositions of
the training split and keep the weights with the best validation NLL. The run writes the
checkpoint (float16 safetensors + config.json), metrics.json (exact test NLL of the saved
weights plus trivial baselines in the same units), a model card, and for ``voices`` the
test-split chorale openings the tab offers as seeds.
"""
from __future__ import annotations

import argparse
import json
import platform
import shlex
import sys
from dataclasses import asdict
from pathlib import Path

import torch
from tqdm import tqdm

from playground.music.baselines import baseline_nll, roll_baseline_nll
from playground.music.card import write_card
from playground.music.data import load_split, pitch_span
from playground.music.model import ChoraleLSTM, MusicConfig
from playground.music.train_loop import MusicTrainConfig, evaluate, iter_train

OPENING_BARS = 4


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", required=True, help="the jsb-chorales folder (Jsb16thSeparated.json, jsb-chorales-quarter.json)")
    p.add_argument("--out", required=True, help="checkpoint folder to write")
    p.add_argument("--format", choices=("voices", "roll"), default="voices",
                   help="voices: S/A/T/B on the 16th grid (the app's model); roll: quarter-note piano roll")
    p.add_argument("--stride", type=int, default=1, help="voices only: keep every n-th 16th step (4 = quarter notes)")
    p.add_argument("--hidden", type=int, default=MusicConfig.hidden)
    p.add_argument("--layers", type=int, default=MusicConfig.layers)
    p.add_argument("--emb", type=int, default=MusicConfig.emb)
    p.add_argument("--dropout", type=float, default=MusicConfig.dropout)
    p.add_argument("--no-head-prev", dest="head_prev", action="store_false",
                   help="heads do not see the previous step directly (slower to learn to hold notes)")
    p.add_argument("--max-minutes", type=float, default=MusicTrainConfig.max_minutes)
    p.add_argument("--max-iters", type=int, default=MusicTrainConfig.max_iters)
    p.add_argument("--batch-size", type=int, default=MusicTrainConfig.batch_size)
    p.add_argument("--crop", type=int, default=MusicTrainConfig.crop)
    p.add_argument("--lr", type=float, default=MusicTrainConfig.lr)
    p.add_argument("--transpose", type=int, default=MusicTrainConfig.transpose)
    p.add_argument("--eval-interval", type=int, default=MusicTrainConfig.eval_interval)
    p.add_argument("--threads", type=int, default=MusicTrainConfig.threads)
    p.add_argument("--seed", type=int, default=MusicTrainConfig.seed)


def make_config(args: argparse.Namespace, train: list, others: list) -> MusicConfig:
    """Model shape for the data format; the vocabulary covers training pitches +- transposition."""
    lo, hi = pitch_span(train)
    lo, hi = lo - args.transpose, hi + args.transpose
    olo, ohi = pitch_span(others)
    lo, hi = min(lo, olo), max(hi, ohi)  # never happens on JSB; keeps the test NLL finite if it did
    kw = dict(hidden=args.hidden, layers=args.layers, emb=args.emb, dropout=args.dropout, pitch_min=lo, pitch_max=hi,
              head_prev=args.head_prev)
    if args.format == "roll":
        return MusicConfig(**kw, steps_per_beat=1, steps_per_bar=4, ordered=True, voice_ranges=[[lo, hi]] * 4)
    spb = 4 // args.stride
    ranges = [[max(a, lo), min(b, hi)] for a, b in MusicConfig().voice_ranges]  # inside the vocabulary
    return MusicConfig(**kw, steps_per_beat=spb, steps_per_bar=4 * spb, voice_ranges=ranges)


def main(args: argparse.Namespace) -> None:
    roll = args.format == "roll"
    stride = 1 if roll else args.stride
    train, valid, test = (load_split(args.data, s, stride, fmt=args.format) for s in ("train", "valid", "test"))
    cfg = make_config(args, train, valid + test)
    tcfg = MusicTrainConfig(max_minutes=args.max_minutes, max_iters=args.max_iters, batch_size=args.batch_size,
                            crop=args.crop, lr=args.lr, eval_interval=args.eval_interval, transpose=args.transpose,
                            threads=args.threads, seed=args.seed, cond_prob=0.0 if roll else MusicTrainConfig.cond_prob)
    bar = tqdm(total=1000, desc=f"music ({args.format})", unit="‰")
    result = None
    for ev in iter_train(train, valid, cfg, tcfg):
        if ev.get("done"):
            result = ev
            break
        bar.n = int(1000 * ev["progress"])
        bar.set_postfix(step=ev["step"], loss=f"{ev['train_loss'] or 0:.3f}",
                        **({"val": f"{ev['val_nll']:.3f}"} if "val_nll" in ev else {}))
        bar.refresh()
    bar.close()
    out = Path(args.out)
    result["model"].save_pretrained(out)
    model = ChoraleLSTM.from_pretrained(out)  # score the float16 weights that ship, not the float32 ones
    metrics = {
        "format": args.format,
        "grid": "quarter" if roll else {1: "16th", 2: "8th", 4: "quarter"}.get(stride, f"stride {stride}"),
        "test": evaluate(model, test),
        "valid": evaluate(model, valid),
        "baselines_test": baseline_nll(train, test, cfg.pitch_min, cfg.vocab),
        "train_minutes": round(result["elapsed_s"] / 60, 2),
        "steps": result["steps"],
        "params": sum(p.numel() for p in model.parameters()),
        "weights_bytes": (out / "model.safetensors").stat().st_size,
        "history": result["history"],
        "train_config": asdict(tcfg),
        "machine": f"{platform.processor() or platform.machine()}, torch {torch.__version__}, {tcfg.threads} threads",
    }
    if roll:
        metrics["roll_baselines_test"] = roll_baseline_nll(train, test)
    else:
        metrics["test_harmonise"] = evaluate(model, test, harmonise=True)
        openings = [c[: OPENING_BARS * cfg.steps_per_bar].tolist() for c in test]
        (out / "openings.json").write_text(json.dumps(openings, separators=(",", ":")))
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    command = "python -m playground.train " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    write_card(out, metrics, command)
    t = metrics["test"]
    print(f"test NLL: {t['nll_per_note']:.4f} nats/note, {t['nll_per_frame']:.4f} nats/frame; "
          f"baselines {metrics['baselines_test']} {metrics.get('roll_baselines_test', '')}; saved to {out}")
