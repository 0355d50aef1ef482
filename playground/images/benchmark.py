"""Images benchmark: server-side latency of the tab's work, and the quality table.

    python -m playground.images.benchmark            # full: 200 slider moves, 1,000 samples per model
    python -m playground.images.benchmark --quick    # fewer repeats, 200 samples per model
    python -m playground.images.benchmark --watch    # "watch it learn": 90 s of GAN and VAE training

``run(quick)`` (the package's ``bench``) is what ``python -m playground.bench`` aggregates.
Latencies are measured on warm models (loading and the slider directions are a one-off per
process) and include encoding the picture to PNG, which Gradio would otherwise do after the
handler. Timing and percentiles: ``playground.timing``.
"""
from __future__ import annotations

import argparse
import io
import os

import numpy as np
import torch

from playground import timing
from playground.images import catalog, draw, learn, metrics
from playground.images.params import N_SLIDERS, Params

TAB = "Images"
GOALS_MS = {"slider move": 30.0, "64-image grid": 200.0}  # p95, from the issue
DIFFUSION_GOALS_MS = {"slider move": 300.0, "64-image grid": 2000.0}


def _png(img) -> int:
    buf = io.BytesIO()
    img.save(buf, format="png")
    return buf.tell()


def latency_rows(names: dict[str, str], quick: bool = False) -> list[dict]:
    """Slider move, 64-image grid and a 12-step interpolation for each model (label -> name) that
    loads; the diffusion model is timed with its own goals (one image with its trajectory strip,
    64 images at the default 20 steps) and fewer repeats, as each draw runs the network 20 times."""
    rows = []
    for label, name in names.items():
        try:
            m = catalog.load(name)
        except ValueError as e:
            rows.append(timing.row(f"{label}: skipped", tab=TAB, note=str(e)))
            continue
        diffusion = m.config.get("model_type") == "diffusion"
        goals = DIFFUSION_GOALS_MS if diffusion else GOALS_MS
        moves, grids = ((5, 2) if quick else (20, 5)) if diffusion else ((30, 10) if quick else (200, 50))
        digit = 7 if catalog.conditional(m) else None
        rng = np.random.default_rng(0)

        def move(i: int) -> None:
            amounts = rng.uniform(-3, 3, N_SLIDERS).round(1).tolist()
            g = draw.edit(m, Params(seed=i % 100, label=digit, amounts=amounts))
            _png(g.media["image"])
            if "strip" in g.media:
                _png(g.media["strip"])

        def grid(i: int) -> None:
            g = draw.sample(m, Params(seed=i, n=64, label=digit))
            _png(g.media["grid"])
            _png(g.media["image"])

        def strip(i: int) -> None:
            _png(draw.interpolate(m, Params(seed=i, label=digit), i + 1, steps=12).media["strip"])

        what = "one image + its trajectory strip" if diffusion else "edit() + 256x256 PNG"
        rows += [timing.row(f"slider move ({label})", timing.timed(move, moves), goals["slider move"],
                            tab=TAB, note=f"{what}, one request"),
                 timing.row(f"64-image grid ({label})", timing.timed(grid, grids), goals["64-image grid"],
                            tab=TAB, note="sample(n=64) + grid and large PNG"
                            + (" (20 DDIM steps, guidance 1.5)" if diffusion else "")),
                 timing.row(f"interpolation 12 steps ({label})", timing.timed(strip, grids),
                            tab=TAB, note="slerp + strip PNG (no GIF)")]
    return rows


def quality_rows(names: dict[str, str], n: int = 1000) -> list[dict]:
    """The quality table as rows: real test / real train references, then each model."""
    rows, table = [], metrics.real_rows()
    for label, name in names.items():
        try:
            table[label] = metrics.evaluate(catalog.load(name).module, n)
        except ValueError as e:
            rows.append(timing.row(f"quality {label}: skipped", tab=TAB, note=str(e)))
    for label, r in table.items():
        note = (f"recognised (conf >= {metrics.CONFIDENCE}) {r['recognised']:.3f}; classes "
                f"{r['min_class']:.3f}..{r['max_class']:.3f}; Frechet to real test {r['frechet_test']:.2f}")
        if r.get("asked_digit") is not None:
            note += f"; asked digit {r['asked_digit']:.3f}"
        if "elbo_nats" in r:
            note += f"; test ELBO {r['elbo_nats']:.1f} nats"
        rows.append(timing.row(f"quality {label}", tab=TAB, note=note, **r))
    return rows


def watch_rows(seconds: float = 90.0, every: float = 5.0) -> list[dict]:
    """"Watch it learn" as the tab runs it: a fresh GAN and VAE for ``seconds`` each; the share of
    the live grid (16 fixed noise vectors) the judge recognises at the end, and along the way from
    10 s on (an untrained model's identical blobs fool the judge: it calls them all one digit)."""
    rows = []
    for kind in ("gan", "vae"):
        shares, last = [], None
        for snap in learn.watch(kind, seconds, every=every):
            if snap.seconds >= 10 and snap.recognised is not None:
                shares.append(f"{snap.seconds:.0f}s:{snap.recognised:.2f}")
            last = snap
        met = last.recognised is not None and last.recognised >= 0.5
        rows.append(timing.row(f"watch it learn, {kind.upper()}, {seconds:g} s", tab=TAB, steps=last.step,
                               recognised_at_end=last.recognised, along_the_way=" ".join(shares[::3]),
                               goal=f">= 50 % recognised after {seconds:g} s: " + ("met" if met else "NOT met"),
                               load_avg=round(os.getloadavg()[0], 1)))
    return rows


def run(quick: bool = False, threads: int | None = None) -> list[dict]:
    """All Images rows for ``python -m playground.bench``: every image model of ``catalog.models()``."""
    if threads:
        torch.set_num_threads(threads)
    names = {label: info.name for label, info in catalog.labelled(catalog.models()).items()}
    return latency_rows(names, quick) + quality_rows(names, 200 if quick else 1000)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    p.add_argument("--watch", action="store_true", help="only the 'watch it learn' rows (90 s per model)")
    args = p.parse_args(argv)
    if args.watch:
        print(timing.table(f"{TAB}: watch it learn", watch_rows()))
        return
    rows = run(args.quick, args.threads)
    print(f"torch threads: {torch.get_num_threads()}\n")
    print(timing.table(TAB, [{k: v for k, v in r.items() if k in ("action", "p50_ms", "p95_ms", "n", "goal")}
                             for r in rows if "p50_ms" in r]))
    table = {r["action"].removeprefix("quality "): r for r in rows if "recognised" in r}
    print(metrics.format_rows(table))
    for label, r in table.items():
        print(f"{label} histogram: " + " ".join(f"{v:.3f}" for v in r["histogram"]))


if __name__ == "__main__":
    main()
