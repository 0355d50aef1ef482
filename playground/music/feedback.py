"""What the feedback loop learns from in a music output: pitch and rhythm statistics of the melody.

    x = features([g.output for g in generations])           # (N, 10) float array
    for ev in fit_reranker(rows): ...                        # the last event holds the fitted reranker

``best_of`` (``playground.preference``) composes K candidates and keeps the one a ridge
scorer over these features, fitted to the stored ratings, predicts to be liked best.
"""
from __future__ import annotations

import time
from typing import Any, Iterator, Sequence

import numpy as np

N_FEATURES = 10


def notes_of(output: Any, voice: str = "soprano") -> list[tuple[float, float, float]]:
    """``(pitch, start, duration)`` per note of one line of a stored music output.

    Accepts the Music tab's ``{"voices": {"soprano": [[pitch, start_step, n_steps], ...], ...}}``
    (``voice`` picks the line, default the top one), a list or ``{"notes": [...]}`` of
    ``[pitch, start, duration]`` sequences or of dicts with ``pitch``, ``start`` and ``end`` or
    ``duration``, or bare pitches (one unit each). Rests (pitch -1) are left out.
    """
    if isinstance(output, dict):
        output = output["voices"].get(voice, []) if "voices" in output else output.get("notes", [])
    notes = [_note(n, i) for i, n in enumerate(output or [])]
    return [n for n in notes if n[0] >= 0]


def _note(n: Any, i: int) -> tuple[float, float, float]:
    if isinstance(n, dict):
        start = float(n.get("start", i))
        return float(n["pitch"]), start, float(n["end"]) - start if "end" in n else float(n.get("duration", 1.0))
    if isinstance(n, (list, tuple)):
        return (float(n[0]), float(n[1]), float(n[2])) if len(n) >= 3 else (float(n[0]), float(i), 1.0)
    return float(n), float(i), 1.0


def melody_statistics(notes: list[tuple[float, float, float]]) -> np.ndarray:
    """Mean/std/min/max pitch, mean interval, share of steps (<= 2) and leaps (>= 7),
    mean/std duration and notes per time unit; zeros for an empty melody."""
    if not notes:
        return np.zeros(N_FEATURES)
    p = np.array([n[0] for n in notes])
    d = np.array([max(n[2], 0.0) for n in notes])
    span = max(n[1] + n[2] for n in notes) - min(n[1] for n in notes)
    moves = np.abs(np.diff(p)) if len(p) > 1 else np.zeros(1)
    return np.array([p.mean(), p.std(), p.min(), p.max(), moves.mean(), (moves <= 2).mean(),
                     (moves >= 7).mean(), d.mean(), d.std(), len(p) / max(span, 1e-6)])


def features(outputs: Sequence[Any]) -> np.ndarray:
    """(N, 10) melody statistics of stored music outputs (what the reranker learns from)."""
    return np.vstack([melody_statistics(notes_of(o)) for o in outputs]) if len(outputs) else np.zeros((0, N_FEATURES))


def fit_reranker(rows: list[dict]) -> Iterator[dict]:
    """Fit the ``best_of`` scorer to rated rows (``FeedbackStore.rated("music", ...)``).

    Yields a start event and a last one with ``done=True``, the ``reranker`` and how well it
    fits the ratings it saw (R², ``metrics``). ValueError while the ratings cannot teach it.
    """
    from playground.preference import Reranker  # late: preference reads this module's features

    t0 = time.time()
    yield {"step": 0, "progress": 0.0, "elapsed_s": 0.0, "losses": {}, "ratings": len(rows)}
    ranker = Reranker(features).fit_rows(rows)
    r2 = float(ranker.model.score(features([r["output"] for r in rows]), [r["rating"] for r in rows]))
    yield {"step": 1, "progress": 1.0, "elapsed_s": time.time() - t0, "losses": {}, "done": True,
           "reranker": ranker, "ratings": len(rows), "metrics": {"fit_r2": round(r2, 4)}}
