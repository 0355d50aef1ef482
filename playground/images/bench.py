"""Images benchmark: server-side latency of the tab's work, and the quality table.

    python -m playground.images.bench            # full: 200 slider moves, 1,000 samples per model
    python -m playground.images.bench --quick    # fewer repeats, 200 samples per model

``run(quick) -> list[dict]`` is what ``python -m playground.bench`` aggregates. Latencies are
measured on warm models (loading and the slider directions are a one-off per process) and
include encoding the picture to PNG, which Gradio would otherwise do after the handler.
"""
from __future__ import annotations

import argparse
import io
import time

import numpy as np
import torch

from playground.images import generate, metrics

TAB = "Images"
GOALS = {"slider move": 30.0, "64-image grid": 200.0}  # ms, from the issue


def _png(img) -> int:
    buf = io.BytesIO()
    img.save(buf, format="png")
    return buf.tell()


def _timed(fn, repeats: int) -> list[float]:
    fn(0)  # warm-up
    times = []
    for i in range(repeats):
        t0 = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def _row(action: str, times: list[float], note: str) -> dict:
    p50, p95 = float(np.percentile(times, 50)), float(np.percentile(times, 95))
    goal = GOALS.get(action.split(" (")[0])
    if goal:
        note += f"; goal < {goal:g} ms: {'met' if p95 < goal else 'NOT met'} at p95"
    return {"tab": TAB, "action": action, "p50_ms": round(p50, 2), "p95_ms": round(p95, 2), "n": len(times),
            "note": note}


def latency_rows(names: list[str], quick: bool = False) -> list[dict]:
    """Slider move, 64-image grid and a 12-step interpolation for each model that loads."""
    rows = []
    moves, grids = (30, 10) if quick else (200, 50)
    for name in names:
        try:
            generate.load(name)
        except ValueError as e:
            rows.append({"tab": TAB, "action": f"{name}: skipped", "p50_ms": None, "p95_ms": None, "n": 0,
                         "note": str(e)})
            continue
        label = 7 if generate.load(name).conditional else None
        rng = np.random.default_rng(0)

        def move(i: int) -> None:
            amounts = rng.uniform(-3, 3, generate.N_SLIDERS).round(1).tolist()
            _png(generate.edit(name, i % 100, amounts, label=label).media["image"])

        def grid(i: int) -> None:
            g = generate.sample(name, i, n=64, label=label)
            _png(g.media["grid"])
            _png(g.media["image"])

        def interp(i: int) -> None:
            g = generate.interpolate(name, i, i + 1, steps=12, label=label)
            _png(g.media["strip"])

        rows.append(_row(f"slider move ({name})", _timed(move, moves), "edit() + 256x256 PNG, one request"))
        rows.append(_row(f"64-image grid ({name})", _timed(grid, grids), "sample(n=64) + grid and large PNG"))
        rows.append(_row(f"interpolation 12 steps ({name})", _timed(interp, grids), "slerp + strip PNG (no GIF)"))
    return rows


def quality_rows(names: list[str], n: int = 1000) -> list[dict]:
    """The quality table as rows: real test / real train references, then each model."""
    rows = []
    table = metrics.real_rows()
    for name in names:
        try:
            table[name] = metrics.evaluate(generate.load(name).model, n)
        except ValueError as e:
            table[name] = None
            rows.append({"tab": TAB, "action": f"quality {name}: skipped", "note": str(e)})
    for name, r in table.items():
        if r is None:
            continue
        note = (f"recognised (conf >= {metrics.CONFIDENCE}) {r['recognised']:.3f}; classes "
                f"{r['min_class']:.3f}..{r['max_class']:.3f}; Frechet to real test {r['frechet_test']:.2f}")
        if "asked_class" in r:
            note += f"; asked digit {r['asked_class']:.3f}"
        if "elbo_nats" in r:
            note += f"; test ELBO {r['elbo_nats']:.1f} nats"
        rows.append({"tab": TAB, "action": f"quality {name}", "p50_ms": None, "p95_ms": None, "n": r["n"],
                     "note": note, **{k: v for k, v in r.items() if k != "n"}})
    return rows


def run(quick: bool = False, threads: int | None = None) -> list[dict]:
    """All Images rows for ``python -m playground.bench``."""
    if threads:
        torch.set_num_threads(threads)
    names = list(generate.BUNDLED)
    return latency_rows(names, quick) + quality_rows(names, 200 if quick else 1000)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    args = p.parse_args(argv)
    rows = run(args.quick, args.threads)
    print(f"torch threads: {torch.get_num_threads()}")
    for r in rows:
        if r.get("p50_ms") is not None:
            print(f"{r['action']:<42} p50 {r['p50_ms']:8.2f} ms  p95 {r['p95_ms']:8.2f} ms  n={r['n']}  {r['note']}")
    table = {r["action"].removeprefix("quality "): r for r in rows if r["action"].startswith("quality ") and "recognised" in r}
    print()
    print(metrics.format_rows(table))
    for name, r in table.items():
        print(f"{name} histogram: " + " ".join(f"{v:.3f}" for v in r["histogram"]))


if __name__ == "__main__":
    main()
