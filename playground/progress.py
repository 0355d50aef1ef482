"""Quality over time: how each lineage of model versions fares in ratings and blind votes.

    parents = {v.name: v.parent for v in lineage.versions("text")}
    p = progress(store, "text", parents)       # {"rating": [...], "strength": [...], "vs_parent": [...]}
    p["vs_parent"][0]                          # {"model": "liked-1", "parent": "text-shakespeare", "rate": 0.7, ...}

Times are bucketed like the dashboard's (per hour while everything lies within two days, else per
day, UTC). ``rating`` is each version's mean rating in each bucket; ``strength`` is the
Bradley-Terry strength fitted on every vote up to the end of each bucket (cumulative), so the
line shows what the leaderboard said at that time. ``vs_parent`` is each version's win rate in
blind votes against its own parent (ties and "both bad" count half).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone
from typing import Iterable, Mapping

from playground import arena, votes
from playground.feedback import FeedbackStore

BACK = {"model_a": "a", "model_b": "b", "tie": "tie", "tie (bothbad)": "both_bad"}  # Arena label -> outcome


def bucket_format(times: Iterable[float]) -> str:
    """strftime format of a bucket: per hour when ``times`` span at most two days, else per day."""
    ts = list(times)
    return "%Y-%m-%d %H:00" if not ts or max(ts) - min(ts) <= 2 * 86400 else "%Y-%m-%d"


def _bucket(ts: float, fmt: str) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime(fmt)


def lineage_of(parents: Mapping[str, str | None]) -> dict[str, str]:
    """Each version's lineage: the root of its parent chain (a version with an unknown parent is a root)."""
    out = {}
    for name in parents:
        seen, v = {name}, name
        while parents.get(v) in parents and parents[v] not in seen:  # a cycle stops at the repeat
            v = parents[v]
            seen.add(v)
        out[name] = v
    return out


def rating_over_time(rows: Iterable[Mapping], fmt: str) -> list[dict]:
    """Mean rating of each model per time bucket: ``{time, model, mean, count}``, oldest first."""
    cells: dict[tuple[str, str], list[int]] = defaultdict(list)
    for r in rows:
        cells[(_bucket(r["updated"], fmt), r["model"])].append(int(r["rating"]))
    return [{"time": t, "model": m, "mean": round(sum(v) / len(v), 3), "count": len(v)}
            for (t, m), v in sorted(cells.items())]


def strength_over_time(battles: list[Mapping], fmt: str) -> list[dict]:
    """Bradley-Terry strength of each model on the votes up to each time bucket:
    ``{time, model, strength, votes}`` (votes: that model's games so far), oldest first."""
    out: list[dict] = []
    done: list[tuple[str, str, str]] = []
    games: dict[str, int] = defaultdict(int)
    by_time: dict[str, list[Mapping]] = defaultdict(list)
    for b in battles:
        by_time[_bucket(b["tstamp"], fmt)].append(b)
    for t in sorted(by_time):
        for b in by_time[t]:
            done.append((b["model_a"], b["model_b"], BACK[b["winner"]]))
            games[b["model_a"]] += 1
            games[b["model_b"]] += 1
        out += [{"time": t, "model": m, "strength": round(s, 3), "votes": games[m]}
                for m, s in sorted(arena.bradley_terry(done).items())]
    return out


def vs_parent(battles: list[Mapping], parents: Mapping[str, str | None]) -> list[dict]:
    """Each version's blind-vote record against its parent: ``{model, parent, wins, games, rate}``
    (ties and "both bad" count half a win), for every version with at least one such vote."""
    tally: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0])
    for b in battles:
        a, c, o = b["model_a"], b["model_b"], BACK[b["winner"]]
        for child, parent, won in ((a, c, "a"), (c, a, "b")):
            if parents.get(child) == parent:
                cell = tally[(child, parent)]
                cell[0] += 1.0 if o == won else 0.0 if o in ("a", "b") else 0.5
                cell[1] += 1
    return [{"model": m, "parent": p, "wins": w, "games": n, "rate": round(w / n, 3)}
            for (m, p), (w, n) in sorted(tally.items())]


def progress(store: FeedbackStore, modality: str, parents: Mapping[str, str | None]) -> dict:
    """Ratings and votes of ``modality`` over time, per version, grouped by lineage.

    Returns ``rating`` and ``strength`` rows (each with ``lineage``), ``vs_parent`` rows, the
    number of ``ratings`` and ``votes``, and the bucket ``format``."""
    rows = store.rated(modality)
    fights = votes.battles(store, modality)
    fmt = bucket_format([r["updated"] for r in rows] + [b["tstamp"] for b in fights])
    names = dict(parents)
    for m in {r["model"] for r in rows} | {b[k] for b in fights for k in ("model_a", "model_b")}:
        names.setdefault(m, None)
    root = lineage_of(names)
    rating = [{**r, "lineage": root[r["model"]]} for r in rating_over_time(rows, fmt)]
    strength = [{**r, "lineage": root[r["model"]]} for r in strength_over_time(fights, fmt)]
    return {"rating": rating, "strength": strength, "vs_parent": vs_parent(fights, names),
            "ratings": len(rows), "votes": len(fights), "format": fmt}
