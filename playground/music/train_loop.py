"""Training and exact evaluation of the chorale model (no I/O beyond the model itself).

    for ev in iter_train(train, valid, MusicConfig(), MusicTrainConfig(max_minutes=5)): ...
    evaluate(model, test)["nll_per_note"]

Training runs on the one loop of ``playground.train.loop`` (schedule, budget, best state).

Test NLL is exact: one teacher-forced pass per chorale, no transposition, every voice of
every 16th-note step scored (rests included), in nats.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Iterator

import numpy as np
import torch

from playground.music.data import transpose
from playground.music.model import ChoraleLSTM, MusicConfig, nll
from playground.music.notes import to_tokens
from playground.train.loop import LoopConfig, optimise
from playground.train.loop import train as train_loop

WARMUP_STEPS = 100


@dataclass
class MusicTrainConfig:
    """Everything that shapes a training run (saved into the model card)."""

    crop: int = 256  # steps per training window (16 bars)
    batch_size: int = 16
    lr: float = 2e-3
    min_lr: float = 1e-4
    weight_decay: float = 0.01
    max_iters: int = 100_000
    max_minutes: float = 9.0  # whichever limit comes first ends the cosine schedule (after 100 warm-up steps)
    eval_interval: int = 200
    transpose: int = 6  # random shift in [-transpose, +transpose] semitones
    cond_prob: float = 0.5  # rows that see the whole soprano line (the harmoniser)
    threads: int = 2
    seed: int = 1234

    def loop(self) -> LoopConfig:
        """The shared loop's settings: cosine from ``lr`` to ``min_lr`` after a 100-step warm-up."""
        return LoopConfig(max_steps=self.max_iters, max_minutes=self.max_minutes, warmup_steps=WARMUP_STEPS,
                          schedule="cosine", min_lr_ratio=self.min_lr / self.lr, eval_interval=self.eval_interval,
                          log_interval=10, smoothing=0.95, keep_best=True)


def _window(c: np.ndarray, crop: int, rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """A random beat-aligned window of at most ``crop`` steps and its start step."""
    if len(c) <= crop:
        return c, 0
    start = int(rng.integers(0, (len(c) - crop) // 4 + 1)) * 4
    return c[start:start + crop], start


def make_batch(chorales: list[np.ndarray], cfg: MusicConfig, tcfg: MusicTrainConfig,
               rng: np.random.Generator) -> dict[str, torch.Tensor]:
    """Random transposed windows, padded: tokens, positions, mask, use_cond."""
    rows = []
    for i in rng.integers(0, len(chorales), tcfg.batch_size):
        w, start = _window(chorales[i], tcfg.crop, rng)
        sounding = w[w >= 0]
        shift = 0
        if len(sounding):  # any shift that keeps every note inside the vocabulary
            lo = max(-tcfg.transpose, cfg.pitch_min - int(sounding.min()))
            hi = min(tcfg.transpose, cfg.pitch_max - int(sounding.max()))
            shift = int(rng.integers(lo, hi + 1)) if lo <= hi else 0
        rows.append((transpose(w, shift), start))
    return pad_batch(rows, cfg, use_cond=torch.from_numpy(rng.random(len(rows)) < tcfg.cond_prob))


def pad_batch(rows: list[tuple[np.ndarray, int]], cfg: MusicConfig,
              use_cond: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
    """Pad (chorale, start_step) pairs to one batch: tokens, positions, mask, lengths, use_cond."""
    T = max(len(w) for w, _ in rows)
    B = len(rows)
    tokens = torch.zeros(B, T, cfg.n_voices, dtype=torch.long)
    mask = torch.zeros(B, T, cfg.n_voices)
    positions = torch.zeros(B, T, dtype=torch.long)
    for b, (w, start) in enumerate(rows):
        tokens[b, : len(w)] = torch.from_numpy(to_tokens(w, cfg.pitch_min))
        mask[b, : len(w)] = 1
        positions[b] = (torch.arange(T) + start) % cfg.steps_per_bar
    if use_cond is None:
        use_cond = torch.zeros(B, dtype=torch.bool)
    lengths = torch.tensor([len(w) for w, _ in rows])
    return {"tokens": tokens, "positions": positions, "mask": mask, "lengths": lengths, "use_cond": use_cond}


def batch_loss(model: ChoraleLSTM, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """Summed NLL and the number of scored notes (the soprano is not scored where it is given)."""
    logits = model(batch["tokens"], batch["positions"], batch["tokens"][..., 0], batch["use_cond"], batch["lengths"])
    mask = batch["mask"].clone()
    mask[batch["use_cond"], :, 0] = 0
    return nll(logits, batch["tokens"], mask), mask.sum()


@torch.inference_mode()
def evaluate(model: ChoraleLSTM, chorales: list[np.ndarray], harmonise: bool = False,
             batch_size: int = 16) -> dict[str, float]:
    """Exact NLL in nats: per note (voice-step) and per frame (step, all four voices).

    ``harmonise=True`` scores alto/tenor/bass given the whole soprano line instead.
    """
    model.eval()
    total, notes, frames = 0.0, 0.0, 0
    chorales = sorted(chorales, key=len)  # similar lengths share a batch: little padding
    for i in range(0, len(chorales), batch_size):
        rows = [(c, 0) for c in chorales[i:i + batch_size]]
        batch = pad_batch(rows, model.cfg, use_cond=torch.full((len(rows),), harmonise))
        s, n = batch_loss(model, batch)
        total += float(s)
        notes += float(n)
        frames += sum(len(c) for c, _ in rows)
    return {"nll_per_note": total / notes, "nll_per_frame": total / frames, "notes": notes, "frames": frames}


def iter_train(train: list[np.ndarray], valid: list[np.ndarray], cfg: MusicConfig, tcfg: MusicTrainConfig,
               stop: threading.Event | None = None, bar: str | None = None) -> Iterator[dict]:
    """Train a fresh model with ``playground.train.loop``; yields its progress events.

    Losses are ``train_loss`` (nats per note, smoothed), evaluations ``val_nll`` (nats per note
    on ``valid``). The last event has ``done=True``, the best ``model`` (restored) and ``history``.
    """
    if tcfg.threads:
        torch.set_num_threads(tcfg.threads)
    torch.manual_seed(tcfg.seed)
    rng = np.random.default_rng(tcfg.seed)
    model = ChoraleLSTM(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=tcfg.lr, weight_decay=tcfg.weight_decay)

    def step() -> dict[str, float]:
        model.train()
        s, n = batch_loss(model, make_batch(train, cfg, tcfg, rng))
        return {"train_loss": optimise(s / n, [opt], model)}

    def val() -> dict[str, float]:
        return {"val_nll": evaluate(model, valid)["nll_per_note"] if valid else float("nan")}

    for ev in train_loop(step, [opt], tcfg.loop(), evaluate=val, model=model, best_key="val_nll", stop=stop, bar=bar):
        if ev.get("done"):
            model.eval()
            ev["model"] = model
        yield ev
