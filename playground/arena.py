"""Blind A/B comparisons between model versions, ranked with Bradley-Terry (as Chatbot Arena does).

    strengths = bradley_terry(votes)                 # {"v1": 0.0, "v2": 0.62, ...} (log-strength, mean 0)
    board = leaderboard(votes, resamples=200, seed=0)  # rows with a 95 % bootstrap interval each

A vote is ``(a, b, outcome)`` with outcome "a", "b", "tie" or "both_bad"; a tie and "both bad"
count half a win for each side. Strengths are maximum-likelihood log-strengths, P(a beats b) =
sigmoid(s_a - s_b), fitted by Hunter's (2004) MM iterations on the table of pairwise wins, so
10,000 votes cost the same as 100 once counted. The bootstrap resamples the votes (multinomially
over the distinct (a, b, outcome) cells) and refits.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

OUTCOMES = ("a", "b", "tie", "both_bad")


@dataclass(frozen=True)
class Vote:
    a: str
    b: str
    outcome: str


def _cells(votes: Iterable[Vote | Sequence[str]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Models, distinct cells (i, j, outcome index) and their counts."""
    counts: dict[tuple[str, str, int], int] = {}
    for v in votes:
        a, b, o = (v.a, v.b, v.outcome) if isinstance(v, Vote) else v
        if o not in OUTCOMES:
            raise ValueError(f"Unknown vote outcome '{o}': use one of {', '.join(OUTCOMES)}.")
        if a == b:
            raise ValueError("A vote compares two different versions.")
        key = (str(a), str(b), OUTCOMES.index(o))
        counts[key] = counts.get(key, 0) + 1
    models = sorted({str(m) for a, b, _ in counts for m in (a, b)})
    index = {m: i for i, m in enumerate(models)}
    cells = np.array([(index[a], index[b], o) for a, b, o in counts], dtype=np.int64).reshape(-1, 3)
    return models, cells, np.array(list(counts.values()), dtype=np.float64)


def _wins(cells: np.ndarray, n: np.ndarray, k: int) -> np.ndarray:
    """W[i, j]: how often i beat j (ties half each)."""
    w = np.zeros((k, k))
    i, j, o = cells.T
    np.add.at(w, (i, j), n * np.select([o == 0, o == 1], [1.0, 0.0], 0.5))
    np.add.at(w, (j, i), n * np.select([o == 0, o == 1], [0.0, 1.0], 0.5))
    return w


def _fit(w: np.ndarray, iters: int = 200, prior: float = 0.1) -> np.ndarray:
    """MM iterations for Bradley-Terry; ``prior`` adds a tiny tie with every other model, so a
    version that never lost (or never won) still gets a finite strength."""
    k = len(w)
    w = w + prior * (1 - np.eye(k)) * 0.5
    games = w + w.T
    wins = w.sum(1)
    p = np.ones(k)
    for _ in range(iters):
        denom = (games / (p[:, None] + p[None, :])).sum(1)
        new = wins / np.maximum(denom, 1e-300)
        new /= np.exp(np.log(new).mean())
        if np.max(np.abs(new - p)) < 1e-9:
            p = new
            break
        p = new
    s = np.log(p)
    return s - s.mean()


def bradley_terry(votes: Iterable[Vote | Sequence[str]]) -> dict[str, float]:
    """Maximum-likelihood log-strengths (mean 0) of every version in ``votes``."""
    models, cells, n = _cells(votes)
    if not models:
        return {}
    return dict(zip(models, _fit(_wins(cells, n, len(models))).tolist()))


def leaderboard(votes: Iterable[Vote | Sequence[str]], resamples: int = 200, seed: int = 0) -> list[dict]:
    """Versions ranked by strength: strength, 95 % bootstrap interval, votes, wins, win rate."""
    models, cells, n = _cells(votes)
    if not models:
        return []
    k = len(models)
    w = _wins(cells, n, k)
    s = _fit(w)
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(int(n.sum()), n / n.sum(), size=resamples)
    boot = np.array([_fit(_wins(cells, d.astype(np.float64), k)) for d in draws]) if resamples else s[None]
    lo, hi = np.percentile(boot, [2.5, 97.5], axis=0)
    games = (w + w.T).sum(1)
    rows = [{"model": m, "strength": round(float(s[i]), 3), "low": round(float(lo[i]), 3),
             "high": round(float(hi[i]), 3), "votes": int(games[i]), "wins": float(w[i].sum()),
             "win_rate": round(float(w[i].sum() / games[i]), 3) if games[i] else None}
            for i, m in enumerate(models)]
    return sorted(rows, key=lambda r: -r["strength"])


def difference_interval(votes: Sequence[Vote | Sequence[str]], a: str, b: str, resamples: int = 200,
                        seed: int = 0) -> tuple[float, float, float]:
    """Strength of ``a`` minus ``b`` and its 95 % bootstrap interval."""
    models, cells, n = _cells(votes)
    for name in (a, b):
        if name not in models:
            raise ValueError(f"No vote names the version '{str(name)[:60]}'.")
    i, j = models.index(a), models.index(b)
    rng = np.random.default_rng(seed)
    diff = [(s := _fit(_wins(cells, d.astype(np.float64), len(models))))[i] - s[j]
            for d in rng.multinomial(int(n.sum()), n / n.sum(), size=resamples)]
    s = _fit(_wins(cells, n, len(models)))
    lo, hi = np.percentile(diff, [2.5, 97.5])
    return float(s[i] - s[j]), float(lo), float(hi)
