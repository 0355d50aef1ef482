"""Feedback timings for ``python -m playground.bench feedback``: ratings, votes, dashboard,
exports, the Bradley-Terry leaderboard and the learning hooks.

Everything runs on a throw-away SQLite store in a temporary folder (the app's own store is
never touched), filled with synthetic ratings of all three modalities and synthetic votes.
"""
from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from playground import arena, exports, preference, votes
from playground import feedback as tables
from playground.feedback import FeedbackStore, to_json
from playground.generation import Generation
from playground.timing import in_threads, row, timed


def _generation(i: int, rng: np.random.Generator, model: str | None = None) -> Generation:
    kind = i % 3
    if kind == 0:
        return Generation("text", model or "text-shakespeare", "h", {"prompt": "ROMEO:", "seed": i},
                          " ".join(rng.choice(["love", "night", "king", "sword", "rose", "thee"], 12)))
    if kind == 1:
        return Generation("image", "gan-digits", "h", {"seed": i},
                          {"latent": rng.standard_normal(16).round(4).tolist(), "label": None})
    notes = [[int(p), 4 * j, 4] for j, p in enumerate(rng.integers(55, 80, 16))]
    return Generation("music", "music-bach", "h", {"seed": i}, {"voices": {"soprano": notes}})


def _fill(store: FeedbackStore, n: int, rng: np.random.Generator) -> dict:
    times = []
    for i in range(n):
        g = _generation(i, rng)
        t0 = time.perf_counter()
        store.record(g, 1 + int(rng.integers(0, 5)), "fine" if i % 7 == 0 else "", session=f"s{i % 50}")
        times.append(time.perf_counter() - t0)
    return row("submit a rating (SQLite WAL, one writer)", times, note=f"{n} ratings")


def _concurrent(store: FeedbackStore, threads: int, per: int) -> dict:
    lat: list[float] = []
    lock = threading.Lock()

    def work(t: int) -> None:
        mine = timed(lambda i: store.record({"id": f"c{t}-{i}", "modality": "text", "model": "m", "output": "x"},
                                            3, "", session=f"c{t}"), per, warmup=0)
        with lock:
            lat.extend(mine)

    rate = threads * per / in_threads(work, threads)
    return row(f"submit a rating, {threads} concurrent writers", lat, note=f"{rate:.0f} ratings/s overall")


def _votes(store: FeedbackStore, n: int, rng: np.random.Generator) -> dict:
    pairs = [votes.show_pair(store, _generation(3 * i, rng, "v1"), _generation(3 * i, rng, "v2"), f"v{i % 500}")
             for i in range(n)]
    outcomes = rng.choice(list(arena.OUTCOMES), n, p=[0.45, 0.35, 0.1, 0.1])
    times = timed(lambda i: votes.vote(store, pairs[i], str(outcomes[i]), f"v{i % 500}"), n, warmup=0)
    return row("store a vote (checks: pair shown, once, rate limit)", times, goal_ms=5, goal_at="p50", note=f"{n} votes")


def _leaderboard(n: int, reps: int) -> dict:
    rng = np.random.default_rng(1)
    names = [f"v{i}" for i in range(6)]
    vs = [(*rng.choice(names, 2, replace=False), rng.choice(arena.OUTCOMES)) for _ in range(n)]
    return row(f"Bradley-Terry + 200 bootstrap resamples, {n:,} votes",
               timed(lambda _: arena.leaderboard(vs, resamples=200), reps), goal_ms=300)


def _bulk(store: FeedbackStore, n: int, rng: np.random.Generator) -> None:
    """``n`` ratings and ``n`` votes (with their pairs) in one transaction each: the export benches' data."""
    now = time.time()
    gens = [_generation(i, rng) for i in range(n)]
    rated = [{"generation_id": f"bulk-{i}", "session": f"b{i % 50}", "modality": g.modality, "model": g.model,
              "model_hash": g.model_hash, "params": to_json(g.params), "output": to_json(g.output),
              "rating": int(rng.integers(1, 6)), "comment": "", "created": now, "updated": now}
             for i, g in enumerate(gens)]
    shown = [{"id": f"bulk{i}", "session": f"b{i % 500}", "modality": "text", "model_a": "v1", "hash_a": "h1",
              "model_b": "v2", "hash_b": "h2", "params": to_json(gens[3 * (i % (n // 3))].params),
              "output_a": to_json(gens[3 * (i % (n // 3))].output), "output_b": to_json("other text"), "created": now}
             for i in range(n)]
    cast = [{"pair_id": f"bulk{i}", "session": f"b{i % 500}", "outcome": str(o), "created": now}
            for i, o in enumerate(rng.choice(list(arena.OUTCOMES), n))]
    with store.transaction(write=True) as conn:
        conn.execute(tables.ratings.insert(), rated)
        conn.execute(tables.pairs.insert(), shown)
        conn.execute(tables.votes.insert(), cast)


def _exports(tmp: str, n: int, rng: np.random.Generator) -> list[dict]:
    """Every export over a store of ``n`` ratings and ``n`` votes."""
    store = FeedbackStore(f"sqlite:///{Path(tmp) / 'exports.db'}")
    _bulk(store, n, rng)
    out = [row(f"export {kind} ({n:,} ratings)", timed(lambda _: fn(Path(tmp) / f"x.{kind}"), 3), goal_ms=1000)
           for kind, fn in (("JSONL", store.export_jsonl), ("CSV", store.export_csv))]
    out += [row(f"export {name} ({n:,} ratings, {n:,} votes)", timed(lambda _: fn(store, Path(tmp) / "x.jsonl"), 3),
                goal_ms=1000)
            for name, fn in (("KTO", exports.export_kto), ("DPO pairs", exports.export_dpo),
                             ("Arena battles", exports.export_battles))]
    store.close()
    return out


def _refit(fit) -> list[float]:
    def once(_):
        preference.clear_cache()
        fit()
    return timed(once, 3, warmup=0)


def _learning(store: FeedbackStore, rng: np.random.Generator, reps: int) -> list[dict]:
    rows = [row("learn the image preference direction", _refit(lambda: preference.latent_preference("gan-digits", store)),
                note=f"{store.fingerprint('image', 'gan-digits')[0]} rated latents"),
            row("fit the text reranker", _refit(lambda: preference.reranker("text", store=store)),
                note=f"{store.fingerprint('text')[0]} rated texts"),
            row("fit the music reranker", _refit(lambda: preference.reranker("music", store=store)),
                note=f"{store.fingerprint('music')[0]} rated melodies")]
    cands = [_generation(0, rng) for _ in range(4)]
    preference.reranker("text", store=store)  # warm cache: what a tab pays per request
    rows.append(row("rerank 4 text candidates (fitted, cached)",
                    timed(lambda _: preference.best_of(4, lambda i: cands[i], "text", store=store), reps),
                    note="scoring only; generating the candidates is the tab's cost"))
    preference.clear_cache()
    return rows


def run(quick: bool = False) -> list[dict]:
    """Latency rows (p50/p95 ms) of the feedback store, votes, exports and learning hooks."""
    rng = np.random.default_rng(0)
    n_fill, reps = (2_000, 5) if quick else (10_000, 20)
    with tempfile.TemporaryDirectory(prefix="feedback-bench-") as tmp:
        store = FeedbackStore(f"sqlite:///{Path(tmp) / 'bench.db'}")
        rows = [_fill(store, n_fill, rng), _concurrent(store, 8, 50 if quick else 200),
                _votes(store, 500 if quick else 2_000, rng), _leaderboard(10_000, 3 if quick else 10)]
        rows.append(row("dashboard refresh (stats + 50 latest comments)",
                        timed(lambda _: (store.stats(), store.latest_comments(50)), reps),
                        note=f"{store.count()} ratings stored"))
        rows += _exports(tmp, 10_000, rng) + _learning(store, rng, reps)
        store.close()
    return rows


if __name__ == "__main__":
    from playground.timing import table

    print(table("Feedback", run(quick=True)))
