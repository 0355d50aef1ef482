"""Train the four-voice chorale model (continues and harmonises) on the JSB chorales.

    python -m playground.train music --data ../shared/data/jsb-chorales --out assets/models/music-bach
    python -m playground.train music --data ../shared/data/jsb-chorales --out runs/music-roll \
        --format roll --max-minutes 8     # the quarter-note piano roll: frame-level NLL as in the papers

``--format voices`` (default) reads Jsb16thSeparated.json (S, A, T, B on a 16th-note grid);
``--format roll`` reads jsb-chorales-quarter.json, the piano roll of Boulanger-Lewandowski et
al. (2012). Both use that paper's train/valid/test split, train on random transpositions of
the training split and keep the weights with the best validation NLL. Training runs on the one
loop of ``playground.train.loop`` (cosine schedule after 100 warm-up steps, tqdm bar). The run
writes the checkpoint (float16 safetensors + config.json, ``playground.checkpoint``), the model
card (``card.json`` + README.md, ``playground.card``: exact test NLL of the saved weights plus
trivial baselines in the same units), and for ``voices`` the test-split chorale openings the
tab offers as seeds.
"""
from __future__ import annotations

import argparse
import json
import shlex
import sys
from dataclasses import asdict
from pathlib import Path

from playground.card import Card, write_card
from playground.music.baselines import baseline_nll, roll_baseline_nll
from playground.music.card import card_body, nll_metrics
from playground.music.data import FILES, load_split, pitch_span
from playground.music.model import MODEL_TYPE, ChoraleLSTM, MusicConfig
from playground.music.train_loop import MusicTrainConfig, evaluate, iter_train

OPENING_BARS = 4


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Command-line flags."""
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


def train_config(args: argparse.Namespace) -> MusicTrainConfig:
    """The training settings from the flags (the roll model never sees the melody condition)."""
    return MusicTrainConfig(max_minutes=args.max_minutes, max_iters=args.max_iters, batch_size=args.batch_size,
                            crop=args.crop, lr=args.lr, eval_interval=args.eval_interval, transpose=args.transpose,
                            threads=args.threads, seed=args.seed,
                            cond_prob=0.0 if args.format == "roll" else MusicTrainConfig.cond_prob)


def score(out: Path, fmt: str, splits: dict[str, list]) -> dict:
    """Card metrics of the float16 weights saved in ``out`` (not the float32 ones trained)."""
    model = ChoraleLSTM.from_pretrained(out)
    train, test, cfg = splits["train"], splits["test"], model.cfg
    base = baseline_nll(train, test, cfg.pitch_min, cfg.vocab)
    m = {**nll_metrics("test", evaluate(model, test)), **nll_metrics("valid", evaluate(model, splits["valid"]))}
    if fmt == "roll":
        roll = roll_baseline_nll(train, test)
        m.update(markov_test_nats_per_frame=roll["markov"], bernoulli_test_nats_per_frame=roll["bernoulli"])
    else:
        m.update(nll_metrics("harmonise_test", evaluate(model, test, harmonise=True)))
    m.update(unigram_test_nats_per_note=base["unigram"], bigram_test_nats_per_note=base["bigram"],
             weights_bytes=(out / "model.safetensors").stat().st_size)
    return m


def main(args: argparse.Namespace) -> None:
    """CLI entry, called by ``python -m playground.train music``."""
    fmt, stride = args.format, 1 if args.format == "roll" else args.stride
    splits = {s: load_split(args.data, s, stride, fmt=fmt) for s in ("train", "valid", "test")}
    cfg = make_config(args, splits["train"], splits["valid"] + splits["test"])
    tcfg = train_config(args)
    done = {}
    for ev in iter_train(splits["train"], splits["valid"], cfg, tcfg, bar=f"music ({fmt})"):
        done = ev
    out = Path(args.out)
    done["model"].save_pretrained(out)
    grid = "quarter" if fmt == "roll" else {1: "16th", 2: "8th", 4: "quarter"}.get(stride, f"stride {stride}")
    card = Card(model=out.name, model_type=MODEL_TYPE,
                command="python -m playground.train " + " ".join(shlex.quote(a) for a in sys.argv[1:]),
                data=f"{args.data} ({FILES[fmt]}, train split; valid picks the best weights; test scored)",
                parameters=sum(p.numel() for p in done["model"].parameters()), train_seconds=round(done["elapsed_s"], 1),
                steps=done["step"], metrics=score(out, fmt, splits), config={"format": fmt, "grid": grid, **asdict(tcfg)},
                history=done["history"])
    write_card(out, card, body=card_body(card))
    if fmt == "voices":
        openings = [c[: OPENING_BARS * cfg.steps_per_bar].tolist() for c in splits["test"]]
        (out / "openings.json").write_text(json.dumps(openings, separators=(",", ":")))
    m = card.metrics
    print(f"test NLL: {m['test_nats_per_note']:.4f} nats/note, {m['test_nats_per_frame']:.4f} nats/frame; saved to {out}")
