"""Music: a Bach chorale model that continues and harmonises your notes (``playground.contract``).

    from playground import music
    model = music.load("music-bach")                     # cached; music.models() lists the checkpoints
    g = music.generate(model, music.Params(mode="harmonise", notes="E5 D5 C5:2 D5 E5", seed=3))
    g.output["voices"]["bass"]                           # [[pitch, start_step, n_steps], ...] (16th grid)
    music.save_output(g, Path("out.mid"))                # out.mid, out.wav (synthesised), out.png (piano roll)

Harmonisation and the seeds (typed notes, a test chorale's opening, a MIDI upload) are
ordinary functions of ``playground.music.compose``. Inside the package: ``notes`` (note names,
the score grid), ``model`` (the LSTM), ``sample``, ``render`` (WAV, PNG, MIDI), ``catalog``
(checkpoints by config.json's model_type), ``train_loop``, ``card``, ``measure`` (latency,
test NLL), ``feedback`` (what the reranker learns from).
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import torch

from playground.contract import Loaded
from playground.generation import Generation
from playground.music.catalog import (DEFAULT_MODEL, clear_cache, family_config, load, missing_message, models,
                                      opening_labels, openings)
from playground.music.compose import fit_octaves, seed_score
from playground.music.feedback import features, fit_reranker
from playground.music.model import ABOUT
from playground.music.notes import VOICES, Score
from playground.music.params import MAX_BARS, MODES, SOURCES, Params
from playground.music.render import write_midi, write_png, write_wav

NAME = "music"

__all__ = ["NAME", "Params", "models", "load", "generate", "explain", "features", "learn_from_feedback", "bench",
           "save_output", "clear_cache", "missing_message", "openings", "opening_labels", "DEFAULT_MODEL", "ABOUT",
           "MODES", "SOURCES", "MAX_BARS"]


def generate(model: Loaded, params: Params | dict) -> Generation:
    """Compose from the seed in ``params`` with ``model`` (from ``load``); no files (see ``save_output``).

    Same model, params and seed give the same notes (a ``torch.Generator`` per call).
    """
    p = params if isinstance(params, Params) else Params.from_dict(params)
    family, cfg = model.extra["family"], model.extra["settings"]
    if not family.generates(cfg):
        raise ValueError("This checkpoint is not a 16th-note four-voice model (it is only for evaluation).")
    score, four = seed_score(p, model.extra["openings"])
    if p.source == "midi" and not four:  # uploads keep their notes; an octave shift is harmless
        score = fit_octaves(score, *cfg.voice_ranges[0])
    result = family.compose(model.module, p.mode, score, four, p.bars, p.temperature,
                            torch.Generator().manual_seed(p.seed))
    output = {"grid": "16th", "seed_steps": len(score) if p.mode == "continue" else 0,
              "voices": dict(zip(VOICES, result.events()))}
    g = Generation(modality=NAME, model=model.name, model_hash=model.hash, params=p.record(), output=output)
    g.media["score"] = result
    return g


def save_output(generation: Generation, out: Path) -> list[Path]:
    """Write the MIDI file ``out`` (a .mid path, or a folder) and a WAV and piano-roll PNG beside it."""
    out = Path(out)
    if out.is_dir():
        out = out / f"music-{generation.id[:12]}.mid"
    out.parent.mkdir(parents=True, exist_ok=True)
    p, seed_steps = generation.params, generation.output.get("seed_steps", 0)
    score = generation.media.get("score")
    if score is None:  # a stored output: render its notes again
        score = Score.from_events(list(generation.output["voices"].values()))
    title = f"{p['mode']} · {p['source']} · seed {p['seed']} · T={p['temperature']:g}"
    return [write_midi(score, out, p["tempo"]), write_wav(score, out.with_suffix(".wav"), p["tempo"]),
            write_png(score, out.with_suffix(".png"), title, seed_steps)]


def explain(model: Loaded | str | Path = DEFAULT_MODEL) -> str:
    """Plain words about the model for the tab (a name or folder works too: only config.json is read)."""
    family, cfg = (model.extra["family"], model.extra["settings"]) if isinstance(model, Loaded) else family_config(model)
    return family.explain(cfg)


def learn_from_feedback(model: Loaded | None, rows: list[dict]) -> Iterator[dict]:
    """Fit the reranker that ``best_of`` uses to rated music ``rows``; progress events, the last
    with ``done=True`` and the fitted ``reranker`` (the model's weights stay as they are)."""
    yield from fit_reranker(rows)


def bench(quick: bool = False, model: str | Path = DEFAULT_MODEL) -> list[dict]:
    """Latency rows of one click of the tab: compose 8 bars / harmonise 8 bars, + WAV, PNG, MIDI."""
    from playground.music.measure import latency_rows

    return latency_rows(quick, model)
