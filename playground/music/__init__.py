"""Music: a Bach chorale model that continues and harmonises your notes (``playground.contract``).

    from playground import music
    model = music.load("music-bach")                     # cached; music.models() lists the checkpoints
    g = music.generate(model, music.Params(mode="continue", notes="E5 D5 C5:2 D5 E5", seed=3))
    g.output["voices"]["bass"]                           # [[pitch, start_step, n_steps], ...] (16th grid)
    h = music.generate(music.load("music-coconet"), music.Params(mode="harmonise", notes="C5 G5 A5 G5:2",
                                                                 key_lock=True, seed=3))
    music.voice_report(h).summary()                      # key, notes in key, parallels, ranges, crossings
    music.save_output(g, Path("out.mid"))                # out.mid, out.wav (FluidSynth or built-in), out.png

Two model families (``catalog.FAMILIES``): the LSTM (``model``, ``sample``, ``compose``) continues
and harmonises left to right; the Coconet harmoniser (``coconet``, ``harmony``) fills in alto,
tenor and bass given the whole melody. Inside the package also: ``notes`` (note names, the
score grid), ``render`` (piano roll, MIDI), ``sound`` (FluidSynth audio), ``voice_leading``
(the report), ``train_loop``, ``card``, ``measure`` (latency, test NLL), ``feedback``, ``step`` (the
step mode: the LSTM proposes the next soprano note, the harmoniser follows).
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import torch

from playground.contract import Loaded
from playground.generation import Generation
from playground.music import sound
from playground.music.catalog import (DEFAULT_MODEL, HARMONISER, clear_cache, family_config, load, missing_message,
                                      models, opening_labels, openings)
from playground.music.compose import seed_score
from playground.music.feedback import features, fit_reranker
from playground.music.harmony import grid_of, next_notes, voice_report
from playground.music.model import ABOUT
from playground.music.notes import VOICES, Score
from playground.music.params import INSTRUMENTS, MAX_BARS, MAX_GIBBS_STEPS, MODES, SOURCES, Params
from playground.music.render import write_midi, write_png
from playground.music.voice_leading import find_parallels

NAME = "music"

__all__ = ["NAME", "Params", "models", "load", "generate", "explain", "features", "learn_from_feedback", "bench",
           "save_output", "clear_cache", "missing_message", "openings", "opening_labels", "DEFAULT_MODEL", "ABOUT",
           "MODES", "SOURCES", "MAX_BARS", "HARMONISER", "INSTRUMENTS", "MAX_GIBBS_STEPS", "voice_report",
           "next_notes", "grid_of"]


def generate(model: Loaded, params: Params | dict) -> Generation:
    """Compose from the seed in ``params`` with ``model`` (from ``load``); no files (see ``save_output``).

    Same model, params and seed give the same notes (a ``torch.Generator`` per call).
    """
    p = params if isinstance(params, Params) else Params.from_dict(params)
    family, cfg = model.extra["family"], model.extra["settings"]
    if not family.generates(cfg):
        raise ValueError("This checkpoint is not a 16th-note four-voice model (it is only for evaluation).")
    score, four = seed_score(p, model.extra["openings"])
    result = family.compose(model.module, p, score, four, torch.Generator().manual_seed(p.seed))
    output = {"grid": "16th", "seed_steps": len(score) if p.mode == "continue" else 0,
              "voices": dict(zip(VOICES, result.events()))}
    g = Generation(modality=NAME, model=model.name, model_hash=model.hash, params=p.record(), output=output)
    g.media["score"] = result
    return g


def save_output(generation: Generation, out: Path) -> list[Path]:
    """Write the MIDI file ``out`` (a .mid path, or a folder) and a WAV and piano-roll PNG beside it.

    The piano roll outlines parallel fifths/octaves in red; ``generation.media["sound"]`` says which
    synthesiser played the WAV (FluidSynth, or the built-in one and why)."""
    out = Path(out)
    if out.is_dir():
        out = out / f"music-{generation.id[:12]}.mid"
    out.parent.mkdir(parents=True, exist_ok=True)
    p, seed_steps = generation.params, generation.output.get("seed_steps", 0)
    score = generation.media.get("score")
    if score is None:  # a stored output: render its notes again
        score = Score.from_events(list(generation.output["voices"].values()))
    title = f"{p['mode']} · {p['source']} · seed {p['seed']} · T={p['temperature']:g}"
    if p["mode"] == "harmonise" and generation.model != Path(DEFAULT_MODEL).name:
        title += f" · {p.get('steps', 32)} Gibbs steps" + (" · key lock" if p.get("key_lock") else "")
    instrument = p.get("instrument") or "choir"
    wav, generation.media["sound"] = sound.write(score, out.with_suffix(".wav"), p["tempo"], instrument)
    programs = [sound.PROGRAMS.get(instrument, 52)] * 4
    return [write_midi(score, out, p["tempo"], programs), wav,
            write_png(score, out.with_suffix(".png"), title, seed_steps, marks=find_parallels(score.pitches)[0])]


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
