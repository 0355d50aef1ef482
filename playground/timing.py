"""One way to time things and one percentile, for every benchmark row.

    times = timed(lambda i: model.sample(seed=i), repeats=50)      # seconds, after one warm-up call
    row("slider move", times, goal_ms=30)                          # {"action", "p50_ms", "p95_ms", "n", ...}
    print(table("Images", rows))                                   # one narrow Markdown table per section
"""
from __future__ import annotations

import time
from typing import Any, Callable

import numpy as np


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation (numpy's default); NaN when empty."""
    return float(np.percentile(values, q)) if len(values) else float("nan")


def timed(fn: Callable[[int], Any], repeats: int, warmup: int = 1) -> list[float]:
    """Wall-clock seconds of ``fn(i)`` for i in 0..repeats-1, after ``warmup`` untimed calls."""
    for i in range(warmup):
        fn(i)
    out = []
    for i in range(repeats):
        t0 = time.perf_counter()
        fn(i)
        out.append(time.perf_counter() - t0)
    return out


def row(action: str, times_s: list[float] | None = None, goal_ms: float | None = None, goal_at: str = "p95",
        **extra: Any) -> dict:
    """One benchmark row: p50/p95 in ms of ``times_s``, the goal and whether ``goal_at`` meets it."""
    r: dict[str, Any] = {"action": action}
    if times_s:
        r.update(p50_ms=round(1000 * percentile(times_s, 50), 2), p95_ms=round(1000 * percentile(times_s, 95), 2),
                 n=len(times_s))
    if goal_ms is not None:
        r["goal"] = f"< {goal_ms:g} ms {goal_at}: " + ("met" if times_s and r[f"{goal_at}_ms"] < goal_ms else "NOT met")
    r.update(extra)
    return r


def table(title: str, rows: list[dict]) -> str:
    """A Markdown section: ``### title`` and a table whose columns are the keys these rows use."""
    keys: list[str] = []
    for r in rows:
        keys += [k for k in r if k not in keys and k != "section"]
    lines = [f"### {title}", "", "| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(_cell(r.get(k)) for k in keys) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}" if abs(v) >= 0.1 else f"{v:.3f}"
    return "" if v is None else str(v)


def in_threads(fn: Callable[[int], Any], threads: int) -> float:
    """Run ``fn(t)`` for t in 0..threads-1 in parallel threads; returns the wall-clock seconds."""
    import threading

    t0 = time.perf_counter()
    pool = [threading.Thread(target=fn, args=(t,)) for t in range(threads)]
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    return time.perf_counter() - t0
