"""Feedback timings for ``python -m playground.bench feedback``: rating, dashboard, export, learning.

    python -c "from playground import feedback_bench; print(*feedback_bench.run(), sep='\\n')"

Everything runs on a throw-away SQLite store in a temporary folder (the app's own store is
never touched), filled with synthetic ratings of all three modalities.
"""
from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from playground import preference
from playground.feedback import FeedbackStore
from playground.generation import Generation
from playground.timing import row, timed


def _row(action: str, times_s: list[float], note: str = "") -> dict:
    return row(action, times_s, note=note)


def _generation(i: int, rng: np.random.Generator) -> Generation:
    kind = i % 3
    if kind == 0:
        return Generation("text", "text-shakespeare", "h", {"prompt": "ROMEO:", "seed": i},
                          " ".join(rng.choice(["love", "night", "king", "sword", "rose", "thee"], 12)))
    if kind == 1:
        return Generation("image", "gan-digits", "h", {"seed": i},
                          {"latent": rng.standard_normal(16).round(4).tolist(), "label": None})
    notes = [[int(p), 4 * j, 4] for j, p in enumerate(rng.integers(55, 80, 16))]
    return Generation("music", "music-bach", "h", {"seed": i}, {"voices": {"soprano": notes}})


def run(quick: bool = False) -> list[dict]:
    """Latency rows (p50/p95 ms) of the feedback store and the learning hooks."""
    rng = np.random.default_rng(0)
    n_fill = 2_000 if quick else 10_000
    rows = []
    with tempfile.TemporaryDirectory(prefix="feedback-bench-") as tmp:
        store = FeedbackStore(f"sqlite:///{Path(tmp) / 'bench.db'}")
        gens = [_generation(i, rng) for i in range(n_fill)]
        times = []
        for i, g in enumerate(gens):
            t0 = time.perf_counter()
            store.record(g, 1 + int(rng.integers(0, 5)), "fine" if i % 7 == 0 else "", session=f"s{i % 50}")
            times.append(time.perf_counter() - t0)
        rows.append(_row("submit a rating (SQLite WAL, one writer)", times, f"{n_fill} ratings"))

        threads, per = 8, (50 if quick else 200)
        lat: list[float] = []
        lock = threading.Lock()

        def work(t: int) -> None:
            mine = []
            for i in range(per):
                t0 = time.perf_counter()
                store.record({"id": f"c{t}-{i}", "modality": "text", "model": "m", "output": "x"}, 3, "", session=f"c{t}")
                mine.append(time.perf_counter() - t0)
            with lock:
                lat.extend(mine)

        t0 = time.perf_counter()
        pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
        for th in pool:
            th.start()
        for th in pool:
            th.join()
        wall = time.perf_counter() - t0
        rows.append(_row(f"submit a rating, {threads} concurrent writers", lat,
                         f"{threads * per / wall:.0f} ratings/s overall"))

        reps = 5 if quick else 20
        total = store.count()
        rows.append(_row("dashboard refresh (stats + 50 latest comments)",
                         _time(lambda: (store.stats(), store.latest_comments(50)), reps), f"{total} ratings stored"))
        rows.append(_row("export JSONL (all ratings)", _time(lambda: store.export_jsonl(Path(tmp) / "r.jsonl"), 3),
                         f"{total} ratings"))
        rows.append(_row("export CSV (all ratings)", _time(lambda: store.export_csv(Path(tmp) / "r.csv"), 3),
                         f"{total} ratings"))

        def refit(modality: str, model: str | None, fit) -> list[float]:
            out = []
            for _ in range(3):
                preference.clear_cache()
                t0 = time.perf_counter()
                fit()
                out.append(time.perf_counter() - t0)
            return out

        n_img = store.fingerprint("image", "gan-digits")[0]
        rows.append(_row("learn the image preference direction",
                         refit("image", "gan-digits", lambda: preference.latent_preference("gan-digits", store)),
                         f"{n_img} rated latents"))
        n_txt = store.fingerprint("text")[0]
        rows.append(_row("fit the text reranker", refit("text", None, lambda: preference.reranker("text", store=store)),
                         f"{n_txt} rated texts"))
        n_mus = store.fingerprint("music")[0]
        rows.append(_row("fit the music reranker", refit("music", None, lambda: preference.reranker("music", store=store)),
                         f"{n_mus} rated melodies"))
        cands = [_generation(0, rng) for _ in range(4)]
        preference.reranker("text", store=store)  # warm cache: what a tab pays per request
        rows.append(_row("rerank 4 text candidates (fitted, cached)",
                         _time(lambda: preference.best_of(4, lambda i: cands[i], "text", store=store), reps),
                         "scoring only; generating the candidates is the tab's cost"))
        store.close()
        preference.clear_cache()
    return rows


def _time(fn, reps: int) -> list[float]:
    return timed(lambda _: fn(), reps, warmup=0)


if __name__ == "__main__":
    for r in run():
        print(r)
