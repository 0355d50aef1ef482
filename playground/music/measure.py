"""Music measurements: latency of one click of the tab, and exact test NLL against trivial baselines.

    python -m playground.music.measure --quick --no-nll              # latency rows (as in playground.bench)
    python -m playground.music.measure --model assets/models/music-bach-roll   # test NLL, its own units

``latency_rows(quick)`` times exactly what one click of the Music tab does: sample the notes,
render the WAV, the piano-roll PNG and the MIDI file (``generate`` + ``save_output``). It uses
the process's torch thread setting (the app's), so it does not disturb other benches.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable

import torch

from playground import config
from playground.contract import Loaded
from playground.music import DEFAULT_MODEL, Params, generate, load, missing_message, save_output
from playground.music.baselines import baseline_nll, roll_baseline_nll
from playground.music.data import load_split
from playground.music.model import ChoraleLSTM
from playground.music.params import DEFAULT_NOTES
from playground.music.train_loop import evaluate
from playground.timing import percentile, row, table, timed

DEFAULT_DATA = config.ROOT.parent / "shared" / "data" / "jsb-chorales"
MELODY = (DEFAULT_NOTES + " ") * 2  # 8 bars
GOAL_MS = 1000
CONTINUE = "compose 8 bars after a 4-bar chorale opening + WAV + piano roll + MIDI"
HARMONISE = "harmonise an 8-bar melody (alto, tenor, bass) + WAV + piano roll + MIDI"


def eval_test_nll(model_dir: str | Path = DEFAULT_MODEL, data: str | Path = DEFAULT_DATA) -> dict:
    """Exact test-split NLL of a checkpoint and the trivial baselines, in the checkpoint's units."""
    model = ChoraleLSTM.from_pretrained(model_dir)
    cfg = model.cfg
    fmt = "roll" if cfg.ordered else "voices"
    stride = 1 if cfg.ordered else 4 // cfg.steps_per_beat
    train, test = load_split(data, "train", stride, fmt), load_split(data, "test", stride, fmt)
    out = {"format": fmt, "test": evaluate(model, test), "baselines": baseline_nll(train, test, cfg.pitch_min, cfg.vocab)}
    if cfg.ordered:
        out["roll_baselines"] = roll_baseline_nll(train, test)
    else:
        out["test_harmonise"] = evaluate(model, test, harmonise=True)
    return out


def click_row(action: str, model: Loaded, params: Callable[[int], Params], repeats: int, out: Path) -> dict:
    """One latency row: ``generate`` + ``save_output`` for ``params(i)``, wall and CPU time (this process)."""
    cpu: list[float] = []

    def click(i: int) -> None:
        c0 = time.process_time()
        save_output(generate(model, params(i)), out / "bench.mid")
        cpu.append(time.process_time() - c0)

    wall = timed(click, repeats, warmup=1)
    return row(action, wall, goal_ms=GOAL_MS, cpu_p50_ms=round(1000 * percentile(cpu[1:], 50)),
               threads=torch.get_num_threads(), load_avg=round(os.getloadavg()[0], 1))


def latency_rows(quick: bool = False, model: str | Path = DEFAULT_MODEL) -> list[dict]:
    """Continue a chorale opening by 8 bars; harmonise an 8-bar melody (3 repeats if ``quick``, else 20)."""
    missing = missing_message(model)
    if missing:
        return [row("compose 8 bars + WAV + piano roll + MIDI", None, note=f"skipped: {missing}")]
    m = load(model)
    n_open = max(1, len(m.extra["openings"]))
    repeats = 3 if quick else 20
    out = Path(tempfile.mkdtemp(prefix="music-"))
    try:
        return [click_row(CONTINUE, m, lambda i: Params(source="chorale", chorale=i % n_open, seed=i + 1), repeats, out),
                click_row(HARMONISE, m, lambda i: Params(mode="harmonise", notes=MELODY, seed=i + 1), repeats, out)]
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    """CLI: latency rows (a generating checkpoint only), then the test NLL when the data is there."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=str(DEFAULT_DATA))
    p.add_argument("--model", default=str(DEFAULT_MODEL))
    p.add_argument("--quick", action="store_true")
    p.add_argument("--no-nll", action="store_true")
    p.add_argument("--threads", type=int, help="torch threads (default: torch's own choice, as in the app)")
    a = p.parse_args(argv)
    if a.threads:
        torch.set_num_threads(a.threads)
    if ChoraleLSTM.from_pretrained(a.model).cfg.generates:
        print(table("Music", latency_rows(a.quick, a.model)))
    if not a.no_nll and Path(a.data).exists():
        print(json.dumps(eval_test_nll(a.model, a.data), indent=2))


if __name__ == "__main__":
    main()
