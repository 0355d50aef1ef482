"""Music benchmark: latency of the tab's work (rows for ``python -m playground.bench``) and test NLL.

    python -m playground.music.bench                 # latency rows, then test NLL vs baselines
    python -m playground.music.bench --quick --no-nll

``run(quick)`` times exactly what one click of the Music tab does: sample the notes, render
the WAV, the piano-roll PNG and the MIDI file. It uses the process's torch thread setting
(the app's), so it does not disturb other benches.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path

import numpy as np
import torch

from playground import config
from playground.music.baselines import baseline_nll, roll_baseline_nll
from playground.music.data import load_split
from playground.music.generate import DEFAULT_MODEL, generate, load_model, missing_message, openings, temp_dir
from playground.music.model import ChoraleLSTM
from playground.music.train_loop import evaluate

DEFAULT_DATA = config.ROOT.parent / "shared" / "data" / "jsb-chorales"
MELODY = "G4 G4 D5 D5 E5 E5 D5:2 C5 C5 B4 B4 A4 A4 G4:2 " * 2  # 8 bars


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


def _times(fn, repeats: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds (this process) of ``repeats`` calls after one warm-up."""
    fn(-1)  # warm-up: model load, matplotlib import
    wall, cpu = [], []
    for i in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        fn(i)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return wall, cpu


def _row(action: str, times: tuple[list[float], list[float]], note: str) -> dict:
    ms, cpu = np.asarray(times[0]) * 1000, np.asarray(times[1]) * 1000
    return {"tab": "Music", "action": action, "p50_ms": round(float(np.percentile(ms, 50)), 1),
            "p95_ms": round(float(np.percentile(ms, 95)), 1), "n": len(ms),
            "note": f"{note}; CPU time p50 {np.percentile(cpu, 50):.0f} ms (wall minus waiting for a busy CPU)"}


def run(quick: bool = False, model_dir: str | Path = DEFAULT_MODEL) -> list[dict]:
    """Latency rows: compose 8 bars (continue a chorale opening; harmonise an 8-bar melody) + renders."""
    missing = missing_message(model_dir)
    if missing:
        return [{"tab": "Music", "action": "compose 8 bars + WAV + piano roll + MIDI", "p50_ms": None,
                 "p95_ms": None, "n": 0, "note": f"skipped: {missing}"}]
    repeats = 3 if quick else 20
    out = temp_dir()
    note = f"{torch.get_num_threads()} torch threads, load average {os.getloadavg()[0]:.1f}; goal < 1000 ms"
    try:
        load_model(str(model_dir))
        n_open = max(1, len(openings(str(model_dir))))

        def cont(i: int) -> None:
            generate("continue", source="chorale", chorale=max(i, 0) % n_open, bars=8, seed=i + 1,
                     model_dir=model_dir, out_dir=out)

        def harm(i: int) -> None:
            generate("harmonise", source="notes", notes=MELODY, seed=i + 1, model_dir=model_dir, out_dir=out)

        rows = [_row("compose 8 bars after a 4-bar chorale opening + WAV + piano roll + MIDI", _times(cont, repeats), note),
                _row("harmonise an 8-bar melody (alto, tenor, bass) + WAV + piano roll + MIDI", _times(harm, repeats), note)]
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return rows


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=str(DEFAULT_DATA))
    p.add_argument("--model", default=str(DEFAULT_MODEL))
    p.add_argument("--quick", action="store_true")
    p.add_argument("--no-nll", action="store_true")
    p.add_argument("--threads", type=int, help="torch threads (default: torch's own choice, as in the app)")
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    if not ChoraleLSTM.from_pretrained(a.model).cfg.ordered:
        for r in run(a.quick, a.model):
            print(f"{r['action']:78s} p50 {r['p50_ms']} ms  p95 {r['p95_ms']} ms  (n={r['n']}; {r['note']})")
    if not a.no_nll and Path(a.data).exists():
        print(json.dumps(eval_test_nll(a.model, a.data), indent=2))
