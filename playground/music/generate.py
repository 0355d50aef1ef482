"""The music generator behind the tab: seed in, one ``Generation`` (notes + WAV + PNG + MIDI) out.

    g = generate("continue", source="notes", notes="C4 E4 G4 C5", bars=8, seed=1)
    g = generate("harmonise", source="chorale", chorale=3, seed=1)
    g.output["voices"]["bass"]    # [[pitch, start_step, n_steps], ...] on the 16th-note grid
    g.media["wav"], g.media["png"], g.media["midi"]

Continue: a four-voice seed (a chorale opening or a four-track MIDI) is extended by ``bars``
bars; a melody seed (typed notes or a one-line MIDI) is first harmonised, then extended.
Harmonise: the melody stays exactly as given; the model writes alto, tenor and bass.
"""
from __future__ import annotations

import json
import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from playground import config
from playground.generation import Generation, checkpoint_hash
from playground.music.model import ChoraleLSTM
from playground.music.notes import REST, VOICES, Score, from_tokens, midi_to_note, parse_melody, to_tokens
from playground.music.render import read_midi, write_midi, write_png, write_wav
from playground.music.sample import continue_tokens, harmonise_tokens

DEFAULT_MODEL = config.MODELS / "music-bach"
OPENINGS = "openings.json"  # first bars of each test-split chorale, saved with the checkpoint
MODES = ("continue", "harmonise")
SOURCES = ("notes", "chorale", "midi")
MAX_BARS = 32


TRAIN_COMMAND = "python -m playground.train music --data ../shared/data/jsb-chorales --out assets/models/music-bach"


def missing_message(path: str | Path = DEFAULT_MODEL) -> str | None:
    """None when a checkpoint is at ``path``, else a plain sentence saying how to make one."""
    p = Path(path)
    if (p / "config.json").is_file() and (p / "model.safetensors").is_file():
        return None
    return f"The music model is not installed (nothing at {p}). Train it with: {TRAIN_COMMAND}"


@lru_cache(maxsize=4)
def load_model(path: str | Path = DEFAULT_MODEL) -> ChoraleLSTM:
    """The chorale model at ``path``, loaded once per process (ValueError if it is missing)."""
    msg = missing_message(path)
    if msg:
        raise ValueError(msg)
    return ChoraleLSTM.from_pretrained(path)


@lru_cache(maxsize=4)
def openings(path: str | Path = DEFAULT_MODEL) -> list[np.ndarray]:
    """Opening bars of the test-split chorales stored next to the model ((T, 4) arrays)."""
    p = Path(path) / OPENINGS
    return [np.asarray(o, dtype=np.int64) for o in json.loads(p.read_text())] if p.is_file() else []


def opening_labels(path: str | Path = DEFAULT_MODEL) -> list[str]:
    """Human labels for ``openings``: 'Test chorale 3: G4 G4 D5 B4 ...'."""
    labels = []
    for i, o in enumerate(openings(path)):
        tune = [p for p in Score.from_grid(o).events()[0]][:5]
        labels.append(f"Test chorale {i + 1}: " + " ".join(midi_to_note(p) for p, _, _ in tune) + " ...")
    return labels


def _check_range(score: Score, voices: range, ranges: list, what: str) -> None:
    for v in voices:
        lo, hi = ranges[v]
        col = score.pitches[:, v]
        sounding = col[col != REST]
        if len(sounding) and (sounding.min() < lo or sounding.max() > hi):
            bad = int(sounding.min() if sounding.min() < lo else sounding.max())
            raise ValueError(f"{midi_to_note(bad)} in the {what} is outside the {VOICES[v]} range "
                             f"({midi_to_note(lo)} to {midi_to_note(hi)}); move it by an octave.")


def _fit_octaves(score: Score, lo: int, hi: int) -> Score:
    """Shift a melody (voice 0) by whole octaves into [lo, hi] if it fits at all."""
    col = score.pitches[:, 0]
    s = col[col != REST]
    for shift in sorted(range(-48, 49, 12), key=abs):
        if lo <= s.min() + shift and s.max() + shift <= hi:
            p = score.pitches.copy()
            p[:, 0] = np.where(col == REST, REST, col + shift)
            return Score(p, score.onsets)
    return score  # the range check names the offending note


def seed_score(source: str, notes: str = "", chorale: int = 0, midi_path: str | None = None,
               model_dir: str | Path = DEFAULT_MODEL) -> tuple[Score, bool]:
    """The seed as a score and whether all four voices are given (else only the melody)."""
    if source == "notes":
        return Score.from_melody(parse_melody(notes or "")), False
    if source == "chorale":
        ops = openings(model_dir)
        if not ops:
            raise ValueError("No chorale openings are bundled with this model.")
        if not 0 <= int(chorale) < len(ops):
            raise ValueError(f"Pick a chorale between 1 and {len(ops)}.")
        return Score.from_grid(ops[int(chorale)]), True
    if source == "midi":
        if not midi_path:
            raise ValueError("Upload a MIDI file first.")
        return read_midi(midi_path)
    raise ValueError(f"Unknown seed source '{source}'; use one of {', '.join(SOURCES)}.")


def compose(model: ChoraleLSTM, mode: str, score: Score, four: bool, bars: int, temperature: float,
            generator: torch.Generator) -> Score:
    """Continue or harmonise ``score``; pure sampling, no files."""
    cfg = model.cfg
    if not four:  # a melody: keep it (and its note onsets), write the lower voices
        _check_range(score, range(1), cfg.voice_ranges, "melody")
        sop = torch.from_numpy(to_tokens(score.pitches[:, 0], cfg.pitch_min))
        grid = from_tokens(harmonise_tokens(model, sop, temperature, generator).numpy(), cfg.pitch_min)
        onsets = np.logical_or(score.onsets, Score.from_grid(grid).onsets)
        onsets[:, 0] = score.onsets[:, 0]
        score = Score(grid, onsets)
    elif mode == "harmonise":
        melody = Score(np.where(np.arange(4) == 0, score.pitches, REST), score.onsets)
        return compose(model, mode, melody, False, bars, temperature, generator)
    else:
        _check_range(score, range(4), [[cfg.pitch_min, cfg.pitch_max]] * 4, "seed")
    if mode == "harmonise":
        return score
    prefix = torch.from_numpy(to_tokens(score.pitches, cfg.pitch_min))
    grid = from_tokens(continue_tokens(model, prefix, bars * cfg.steps_per_bar, temperature, generator).numpy(),
                       cfg.pitch_min)
    return score.concat(Score.from_grid(grid[len(score):]))


def generate(mode: str = "continue", source: str = "notes", notes: str = "", chorale: int = 0,
             midi_path: str | None = None, bars: int = 8, temperature: float = 1.0, tempo: float = 90,
             seed: int = 0, model_dir: str | Path = DEFAULT_MODEL, model: ChoraleLSTM | None = None,
             out_dir: str | Path | None = None) -> Generation:
    """Compose from a seed and render WAV, piano roll and MIDI of the same notes."""
    if mode not in MODES:
        raise ValueError(f"Unknown mode '{mode}'; use 'continue' or 'harmonise'.")
    if not 1 <= int(bars) <= MAX_BARS:
        raise ValueError(f"Length must be between 1 and {MAX_BARS} bars.")
    if not 0.05 <= float(temperature) <= 3.0:
        raise ValueError("Temperature must be between 0.05 and 3.")
    if not 30 <= float(tempo) <= 240:
        raise ValueError("Tempo must be between 30 and 240 beats per minute.")
    if not 0 <= int(seed) < 2**63:
        raise ValueError("The seed must be a whole number between 0 and 2**63 - 1.")
    model = model or load_model(str(model_dir))
    if model.cfg.ordered or model.cfg.steps_per_beat != 4:
        raise ValueError("This checkpoint is not a 16th-note four-voice model (it is only for evaluation).")
    score, four = seed_score(source, notes, chorale, midi_path, model_dir)
    if source == "midi" and not four:  # uploads keep their notes; an octave shift is harmless
        score = _fit_octaves(score, *model.cfg.voice_ranges[0])
    gen = torch.Generator().manual_seed(int(seed))
    result = compose(model, mode, score, four, int(bars), float(temperature), gen)

    params = {"mode": mode, "source": source, "notes": notes if source == "notes" else "",
              "chorale": int(chorale) if source == "chorale" else None,
              "midi": Path(midi_path).name if source == "midi" and midi_path else None,
              "bars": int(bars), "temperature": float(temperature), "tempo": float(tempo), "seed": int(seed)}
    g = Generation(modality="music", model=Path(model_dir).name,
                   model_hash=checkpoint_hash(model_dir) if Path(model_dir).is_dir() else "unknown",
                   params=params,
                   output={"grid": "16th", "seed_steps": len(score) if mode == "continue" else 0,
                           "voices": dict(zip(VOICES, result.events()))})
    out = Path(out_dir) if out_dir else config.data_dir() / "outputs" / "music"
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"music-{g.id[:12]}"
    title = f"{mode} · {source} · seed {seed} · T={temperature:g}"
    g.media = {"wav": str(write_wav(result, stem.with_suffix(".wav"), tempo)),
               "png": str(write_png(result, stem.with_suffix(".png"), title, g.output["seed_steps"])),
               "midi": str(write_midi(result, stem.with_suffix(".mid"), tempo))}
    return g


def temp_dir() -> Path:
    """A scratch folder for outputs nobody needs to keep (tests, bench)."""
    return Path(tempfile.mkdtemp(prefix="music-"))
