"""Learning from feedback, the RL Tuner way: the chorale LSTM composes, a reward judges, policy
gradient shifts it (``playground.train.music_rl``), a KL penalty keeps it close to its parent.

    r = reward(store.rated("music"))         # the raters' scorer (>= 5 usable ratings) + the rules
    r([grid], seed_steps=64)["reward"]       # one number per (T, 4) grid of MIDI pitches
    for ev in learn_by_rl(music.load("music-bach"), rows): ...   # a new version under the data dir
    rule_violations([g.output for g in gens])   # {"out_of_key": .., "parallels": .., ...}

The rules are the voice-leading report's (``voice_leading``), counted on the composed bars only:
the share of notes outside the key found in the whole piece, parallel fifths and octaves per pair
of voices that both move, the share of 16th steps with a voice crossing, and the share of notes
outside the classroom SATB ranges. The reward is ``w_rater`` x the predicted rating minus
``w_rules`` x the sum of those four shares.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np
import torch

from playground.contract import Loaded
from playground.music.feedback import features
from playground.music.model import MODEL_TYPE, ChoraleLSTM
from playground.music.notes import VOICES, Score, from_tokens, to_tokens
from playground.music.voice_leading import find_key, report

MIN_RATINGS = 5  # fewer usable ratings: the rules alone
RULES = ("out_of_key", "parallels", "crossings", "out_of_range")


def grid_and_seed(output: Any) -> tuple[np.ndarray, int]:
    """A (T, 4) pitch grid and its seed length from a grid or a stored music output (``Generation.output``)."""
    if isinstance(output, dict):
        g = Score.from_events([output["voices"].get(v, []) for v in VOICES]).pitches
        return g, int(output.get("seed_steps", 0))
    return np.asarray(output), 0


def violations(grid: np.ndarray, seed_steps: int = 0) -> dict[str, float]:
    """The four rule shares of the bars after ``seed_steps`` (see the module doc)."""
    g = np.asarray(grid)
    key = find_key(g) if (g >= 0).any() else None
    part = g[max(0, seed_steps - 1):]  # the step before: the first move into the new bars counts
    if key is None or not (part >= 0).any():
        return dict.fromkeys(RULES, 0.0)
    rep = report(part, key=key)
    notes = max(1, sum(rep.notes))
    return {"out_of_key": 1 - rep.in_key, "parallels": rep.parallel_rate, "crossings": rep.crossing_rate,
            "out_of_range": rep.out_of_range_total / notes}


def rule_violations(outputs: Sequence[Any]) -> dict[str, float]:
    """The mean of each rule share over ``outputs`` (grids or stored music outputs)."""
    rows = [violations(*grid_and_seed(o)) for o in outputs]
    return {k: float(np.mean([r[k] for r in rows])) if rows else 0.0 for k in RULES}


def output_of(grid: np.ndarray, seed_steps: int) -> dict:
    """A grid as the stored output the raters' scorer reads."""
    return {"grid": "16th", "seed_steps": seed_steps, "voices": dict(zip(VOICES, Score.from_grid(grid).events()))}


@dataclass
class Reward:
    """``w_rater`` x the scorer's predicted rating (when there is one) - ``w_rules`` x the rule shares."""

    scorer: Any = None  # a fitted ``preference.Reranker``, or None: the rules alone
    ratings: int = 0  # how many ratings the scorer learned from
    w_rater: float = 1.0
    w_rules: float = 2.0  # measured on music-bach: 4 bought fewer broken rules but lost the rater's votes

    @property
    def parts(self) -> list[str]:
        return (["rater"] if self.scorer is not None else []) + ["rules"]

    def __call__(self, grids: Sequence[np.ndarray], seed_steps: int) -> dict[str, np.ndarray]:
        v = [violations(g, seed_steps) for g in grids]
        rules = -np.array([sum(r.values()) for r in v])
        out = {"rules": rules, "reward": self.w_rules * rules}
        if self.scorer is not None:
            rated = np.asarray(self.scorer.score([output_of(g, seed_steps) for g in grids]), dtype=np.float64)
            out["rated"], out["reward"] = rated, out["reward"] + self.w_rater * rated
        return out


def reward(rows: list[dict], w_rater: float = 1.0, w_rules: float = 2.0) -> Reward:
    """The reward from stored music ratings: the raters' scorer over melody features when at least
    ``MIN_RATINGS`` usable, differing ratings exist, else the rules alone."""
    from playground.preference import Reranker

    usable = [r for r in rows if r.get("rating") is not None and isinstance(r.get("output"), dict)
              and "voices" in r["output"]]
    if len(usable) < MIN_RATINGS:
        return Reward(None, 0, w_rater, w_rules)
    try:
        return Reward(Reranker(features).fit_rows(usable), len(usable), w_rater, w_rules)
    except ValueError:  # every rating the same: nothing to learn from them yet
        return Reward(None, 0, w_rater, w_rules)


def measure(model: ChoraleLSTM, r: Reward, openings: list[np.ndarray], n: int = 32, bars: int = 2,
            seed: int = 1234) -> dict[str, float]:
    """Rule shares, mean reward and mean predicted rating of ``n`` fresh continuations drawn with
    a fixed seed (the same openings and draws for every model: a fair before/after)."""
    from playground.train.music_rl import sample_batch

    T0 = min((len(o) for o in openings), default=0)
    prefix = (torch.stack([torch.from_numpy(to_tokens(openings[i % len(openings)][:T0], model.cfg.pitch_min))
                           for i in range(n)]) if T0 else None)
    tokens = sample_batch(model, prefix, bars * model.cfg.steps_per_bar, torch.Generator().manual_seed(seed), batch=n)
    grids = list(from_tokens(tokens.numpy(), model.cfg.pitch_min))
    parts = r(grids, T0)
    rows = [violations(g, T0) for g in grids]
    out = {k: float(np.mean([v[k] for v in rows])) for k in RULES}
    out["reward"] = float(np.mean(parts["reward"]))
    if "rated" in parts:
        out["rated"] = float(np.mean(parts["rated"]))
    return out


def learn_by_rl(model: Loaded | str | Path, rows: list[dict], out_dir=None, cfg=None, stop=None,
                r: Reward | None = None) -> Iterator[dict]:
    """RL Tuner of the chorale LSTM ``model`` (loaded, or a folder) on ``reward(rows)``: a new version
    under the data dir; yields the loop's events (the first: ``before``; the last: done, ``out_dir``,
    ``before``, ``after``, ``ratings``)."""
    from playground.lineage import new_version_dir
    from playground.music.catalog import DEFAULT_MODEL, folder, openings
    from playground.train.music_rl import MusicRLConfig, rl_tune

    path = model.extra.get("path") if isinstance(model, Loaded) else (folder(model) if model else None)
    if not path or not Path(path).is_dir():
        raise ValueError("The RL Tuner needs a chorale model saved in a folder (none was given or found).")
    fam = model.extra.get("family") if isinstance(model, Loaded) else None
    if fam is not None and fam.model_type != MODEL_TYPE:
        raise ValueError(f"The RL Tuner fine-tunes the chorale LSTM ({MODEL_TYPE}); {Path(path).name} is a "
                         f"{fam.model_type}.")
    cfg = cfg or MusicRLConfig()
    r = r or reward(rows)
    seeds = openings(path) or openings(DEFAULT_MODEL)
    name = Path(path).name
    for ev in rl_tune(path, r, Path(out_dir) if out_dir else new_version_dir(name), cfg, stop, seeds,
                      learned_from={"ratings": r.ratings, "reward": r.parts, "w_rater": r.w_rater,
                                    "w_rules": r.w_rules, "beta": cfg.beta},
                      evaluate=lambda m: measure(m, r, seeds, bars=cfg.bars)):
        yield {**ev, "ratings": r.ratings, "reward_parts": r.parts}
