"""Step mode: the learner writes the melody one note at a time; the models propose the next soprano
note and the harmoniser follows with alto, tenor and bass.

    lstm, coco = music.load("music-bach"), music.load("music-coconet")
    s = step(lstm, coco, "C5 C5 G5", key_lock=True, seed=0)
    s.candidates                     # [("G5", 0.41), ("A5", 0.19), ...]: the next note, most likely first
    s.generation                     # the harmonisation of "C5 C5 G5": the record Harmonise mode makes
    extend("C5 C5 G5", "G5")         # "C5 C5 G5 G5"  (one beat; extend(..., beats=2) -> "G5:2")
    undo("C5 C5 G5 G5")              # "C5 C5 G5"

Which model proposes the next note: the LSTM (``music-bach``). Its joint distribution factorises
in time, then soprano, alto, tenor, bass inside a step, so p(soprano at the next step | every
note of all four voices before it) is exactly one of its factors, the one it was trained on;
its test NLL under that order is 0.417 nats per note against 0.596 for the Coconet harmoniser's
chronological conditionals (which it learns as one mask pattern among many). The LSTM reads the
melody so far *and* the harmony just written under it, so the chart answers "given what the
choir sang so far, where would Bach's soprano go next?". The harmony comes from the Coconet
harmoniser, which hears the whole melody so far: exactly ``music.generate`` in harmonise mode
(same seed, same notes), so a step's output is reproducible and renders like any other output.
When the melody grows, the harmoniser may revise its last chords, since it now knows where the
tune went.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from playground.contract import Loaded
from playground.generation import Generation
from playground.music.harmony import MELODY_RANGE, grid_of
from playground.music.model import ChoraleLSTM
from playground.music.notes import REST, STEPS_PER_BEAT, midi_to_note, parse_melody, to_tokens
from playground.music.params import Params
from playground.music.voice_leading import melody_key

TOP = 8  # candidates shown
LENGTHS = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0)  # note lengths (beats) the tab offers


@dataclass
class Step:
    """One step: the melody so far, the candidates for the next note, and the harmonised output."""

    melody: str  # the melody so far in the typed syntax, normalised ("C5 D5:2 E5")
    candidates: list[tuple[str, float]]  # (note name, probability), most likely first
    key: str  # the melody's key, e.g. "C major" (what key lock keeps to)
    generation: Generation  # the harmonisation of ``melody`` (music.generate, harmonise mode)


def normalise(melody: str) -> str:
    """The melody checked (ValueError naming the first bad note) and written one space apart."""
    if not str(melody or "").strip():
        raise ValueError("Type a first note (for example C5) to start the melody.")
    parse_melody(melody)
    return " ".join(str(melody).replace(",", " ").split())


def extend(melody: str, note: str, beats: float = 1.0) -> str:
    """``melody`` with ``note`` (a name such as ``F#5``, or ``F#5:2`` with its own length) appended;
    ``beats`` is the length when the note gives none. ValueError for a bad note or length."""
    note = str(note or "").strip()
    if not note or len(note.split()) != 1:
        raise ValueError("Pick one of the proposed notes, or type one note such as E5 or E5:2.")
    try:
        beats = float(beats)
    except (TypeError, ValueError):
        raise ValueError("The note length must be a number of beats, e.g. 1 or 0.5.") from None
    token = note if ":" in note else (note if beats == 1 else f"{note}:{beats:g}")
    (pitch, _), = parse_melody(token)  # names a bad note or length
    if pitch != REST and not MELODY_RANGE[0] <= pitch <= MELODY_RANGE[1]:
        raise ValueError(f"{midi_to_note(pitch)} is outside the soprano range ({midi_to_note(MELODY_RANGE[0])} to "
                         f"{midi_to_note(MELODY_RANGE[1])}); move it by an octave.")
    return normalise(f"{melody or ''} {token}")


def undo(melody: str) -> str:
    """``melody`` without its last note (ValueError when only one note is left)."""
    tokens = str(melody or "").replace(",", " ").split()
    if len(tokens) <= 1:
        raise ValueError("Only the first note is left: type a different one to start again.")
    return normalise(" ".join(tokens[:-1]))


@torch.inference_mode()
def next_candidates(model: ChoraleLSTM, grid: np.ndarray, *, key_lock: bool = False, temperature: float = 1.0,
                    top: int = TOP) -> list[tuple[int, float]]:
    """The LSTM's distribution of the soprano at the step after ``grid`` (T, 4), given all of it.

    Returns the ``top`` most likely soprano pitches inside the melody range as (MIDI pitch,
    probability), most likely first. Probabilities are softmax(logits / ``temperature``) over the
    model's whole vocabulary, so rests and notes outside the range are simply not listed and the
    listed ones sum to at most 1. ``key_lock``: only notes of the melody's key, renormalised over
    them (what a sampler with key lock would choose from).
    """
    cfg = model.cfg
    grid = np.asarray(grid, dtype=np.int64)
    if grid.ndim != 2 or grid.shape[1] != cfg.n_voices or not len(grid):
        raise ValueError(f"The score must be a non-empty (steps, {cfg.n_voices}) grid of pitches.")
    sounding = grid[grid != REST]
    if len(sounding) and (sounding.min() < cfg.pitch_min or sounding.max() > cfg.pitch_max):
        raise ValueError(f"Some notes are outside the model's range ({midi_to_note(cfg.pitch_min)} to "
                         f"{midi_to_note(cfg.pitch_max)}).")
    T = len(grid)
    tokens = torch.from_numpy(to_tokens(np.vstack([grid, np.full((1, cfg.n_voices), REST)]), cfg.pitch_min))[None]
    positions = (torch.arange(T + 1) % cfg.steps_per_bar)[None]
    logits = model(tokens, positions)[0, T, 0].float() / max(float(temperature), 1e-3)  # soprano at step T
    probs = torch.softmax(logits, -1)
    pitches = np.arange(cfg.vocab) + cfg.pitch_min - 1  # token k -> pitch (token 0 = rest)
    ok = (pitches >= MELODY_RANGE[0]) & (pitches <= MELODY_RANGE[1])
    ok[0] = False
    if key_lock:
        ok &= melody_key(grid[:, 0]).contains(pitches)
        probs = torch.where(torch.from_numpy(ok), probs, torch.zeros_like(probs))
        probs = probs / probs.sum().clamp(min=1e-12)
    probs = torch.where(torch.from_numpy(ok), probs, torch.zeros_like(probs))
    best = torch.argsort(probs, descending=True, stable=True)[:top]
    return [(int(pitches[k]), float(probs[k])) for k in best if probs[k] > 0]


def harmonise(harmoniser: Loaded, melody: str, *, key_lock: bool = False, seed: int = 0,
              temperature: float = 0.7, steps: int = 32, tempo: float = 90.0,
              instrument: str = "choir") -> Generation:
    """The harmoniser's alto, tenor and bass under ``melody``: ``music.generate`` in harmonise mode."""
    from playground import music  # the package imports this module's siblings; import at call time

    params = Params(mode="harmonise", source="notes", notes=normalise(melody), key_lock=key_lock, seed=seed,
                    temperature=temperature, steps=steps, tempo=tempo, instrument=instrument)
    return music.generate(harmoniser, params)


def step(lstm: Loaded, harmoniser: Loaded, melody: str, *, key_lock: bool = False, seed: int = 0,
         temperature: float = 0.7, steps: int = 32, tempo: float = 90.0, instrument: str = "choir",
         top: int = TOP) -> Step:
    """Harmonise the melody so far, then ask the LSTM for the next soprano note given all four voices.

    Same melody, settings and seed give the same harmony and the same candidates.
    """
    if not isinstance(lstm.module, ChoraleLSTM) or not lstm.module.cfg.generates:
        raise ValueError("The next-note proposals come from the chorale LSTM (music-bach); it is not installed.")
    melody = normalise(melody)
    g = harmonise(harmoniser, melody, key_lock=key_lock, seed=seed, temperature=temperature, steps=steps,
                  tempo=tempo, instrument=instrument)
    grid = grid_of(g)
    items = next_candidates(lstm.module, grid, key_lock=key_lock, temperature=temperature, top=top)
    return Step(melody, [(midi_to_note(p), q) for p, q in items], melody_key(grid[:, 0]).name, g)


def draw(candidates: list[tuple[str, float]], seed: int, position: int) -> str:
    """The model's own pick among ``candidates``: drawn in proportion to their probabilities, seeded by
    ``seed`` and the note's ``position`` in the melody (so each step draws afresh, reproducibly)."""
    if not candidates:
        raise ValueError("There are no proposed notes to pick from yet.")
    weights = torch.tensor([max(float(p), 0.0) for _, p in candidates]) + 1e-12
    gen = torch.Generator().manual_seed(int(seed) * 1009 + int(position))
    return candidates[int(torch.multinomial(weights, 1, generator=gen))][0]


def note_count(melody: str) -> int:
    """How many notes (and rests) the melody has."""
    return len(str(melody or "").replace(",", " ").split())


def melody_beats(melody: str) -> float:
    """The melody's length in beats."""
    return sum(n for _, n in parse_melody(melody)) / STEPS_PER_BEAT


__all__ = ["Step", "step", "extend", "undo", "draw", "normalise", "next_candidates", "harmonise", "note_count",
           "melody_beats", "LENGTHS", "TOP"]
