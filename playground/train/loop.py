"""The one training loop: learning-rate schedule, step/time budget, evaluation, best state,
progress events for the UI and a tqdm bar for the terminal. Every model family uses it.

    loop = LoopConfig(max_steps=3000, max_minutes=29, warmup_steps=100, schedule="cosine",
                      eval_interval=500)
    for ev in train(step, [opt], loop, evaluate=val_loss, model=model):
        ...   # {"step", "progress", "elapsed_s", "lr_factor", "losses", ["eval"], ["done"]}

``step()`` runs one optimisation step and returns its losses (floats); ``evaluate()`` returns
metrics (lower ``best_key`` is better). Each optimiser group's learning rate is its starting
lr times the schedule's factor. The last event has ``done=True``, the best evaluation and the
history; with ``model`` given, the model holds its best state by then.
"""
from __future__ import annotations

import copy
import math
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterator

import torch

SCHEDULES = ("cosine", "wsd", "constant")


@dataclass
class LoopConfig:
    """How long to train and how the learning rate moves (saved into the model card)."""

    max_steps: int = 1000
    max_minutes: float = 10.0  # the schedule ends at whichever limit comes first
    warmup_steps: int = 0
    schedule: str = "cosine"  # "cosine" to min_lr_ratio; "wsd": hold, then linear decay; "constant"
    min_lr_ratio: float = 0.1  # final lr / starting lr
    decay_from: float = 0.7  # "wsd": share of training at the full lr before the linear decay
    eval_interval: int = 0  # steps between evaluations (0: only at the end)
    log_interval: int = 10  # steps between progress events
    smoothing: float = 0.9  # exponential smoothing of the reported training losses
    keep_best: bool = True  # restore the best-evaluated state at the end


def lr_factor(cfg: LoopConfig, step: int, progress: float) -> float:
    """The multiplier on every group's starting lr at ``step`` (``progress`` 0-1 of the budget)."""
    if step < cfg.warmup_steps:
        return (step + 1) / cfg.warmup_steps
    p, lo = min(1.0, max(0.0, progress)), cfg.min_lr_ratio
    if cfg.schedule == "constant":
        return 1.0
    if cfg.schedule == "wsd":
        if p <= cfg.decay_from:
            return 1.0
        return lo + (1 - lo) * (1 - p) / max(1e-9, 1 - cfg.decay_from)
    if cfg.schedule == "cosine":
        return lo + 0.5 * (1 - lo) * (1 + math.cos(math.pi * p))
    raise ValueError(f"Unknown schedule '{cfg.schedule}': use one of {', '.join(SCHEDULES)}.")


def train(step: Callable[[], dict[str, float]], optimizers: list[torch.optim.Optimizer], cfg: LoopConfig, *,
          evaluate: Callable[[], dict[str, float]] | None = None, model: torch.nn.Module | None = None,
          best_key: str | None = None, stop: threading.Event | None = None,
          bar: str | None = None) -> Iterator[dict]:
    """Run ``step`` until the budget (steps or minutes) is spent or ``stop`` is set; see the module doc.

    ``bar`` names a tqdm progress bar for the terminal (None: no bar, as in the app).
    """
    for opt in optimizers:
        for g in opt.param_groups:
            g.setdefault("base_lr", g["lr"])
    pbar = _bar(bar)
    t0, n, smooth = time.time(), 0, {}
    best, best_state, history = math.inf, None, []
    last_eval: dict[str, float] = {}
    try:
        while True:
            elapsed = time.time() - t0
            progress = max(n / max(1, cfg.max_steps), elapsed / max(1e-9, cfg.max_minutes * 60))
            done = progress >= 1.0 or (stop is not None and stop.is_set())
            ev = {"step": n, "progress": min(1.0, progress), "elapsed_s": elapsed, "losses": dict(smooth)}
            if evaluate is not None and ((cfg.eval_interval and n and n % cfg.eval_interval == 0) or done):
                last_eval = evaluate()
                key = best_key or next(iter(last_eval), None)
                score = last_eval.get(key, math.nan) if key else math.nan
                if model is not None and cfg.keep_best and (best_state is None or score < best):
                    best, best_state = score, copy.deepcopy(model.state_dict())
                elif not math.isnan(score):
                    best = min(best, score)
                history.append({"step": n, "elapsed_s": round(elapsed, 1), **smooth, **last_eval})
                ev["eval"] = dict(last_eval)
                if not done:
                    yield ev
            if done:
                break
            factor = lr_factor(cfg, n, progress)
            for opt in optimizers:
                for g in opt.param_groups:
                    g["lr"] = g["base_lr"] * factor
            losses = step()
            a = cfg.smoothing
            smooth = {k: v if k not in smooth else a * smooth[k] + (1 - a) * v for k, v in losses.items()}
            n += 1
            if pbar is not None:
                pbar.n = int(1000 * min(1.0, progress))
                pbar.set_postfix({k: f"{v:.3f}" for k, v in list(smooth.items())[:4]}, refresh=False)
                pbar.refresh()
            if n % max(1, cfg.log_interval) == 0:
                yield {"step": n, "progress": min(1.0, progress), "elapsed_s": time.time() - t0,
                       "lr_factor": factor, "losses": dict(smooth)}
    finally:
        if pbar is not None:
            pbar.n = 1000 if n and progress >= 1.0 else pbar.n
            pbar.close()
    if model is not None and best_state is not None:
        model.load_state_dict(best_state)
    yield {"step": n, "progress": 1.0, "elapsed_s": time.time() - t0, "losses": dict(smooth),
           "eval": dict(last_eval), "best": best, "history": history, "done": True}


def _bar(desc: str | None):
    if not desc:
        return None
    from tqdm import tqdm

    return tqdm(total=1000, unit="‰", desc=desc)


def optimise(loss: torch.Tensor, optimizers: list[torch.optim.Optimizer], model: torch.nn.Module,
             clip: float = 1.0) -> float:
    """One optimisation step: zero the gradients, back-propagate ``loss``, clip, step; returns the loss."""
    for opt in optimizers:
        opt.zero_grad(set_to_none=True)
    loss.backward()
    if clip:
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
    for opt in optimizers:
        opt.step()
    return loss.item()
