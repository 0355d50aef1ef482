"""Harmonising with the Coconet model through the music contract, and what the tab shows about it.

    g = music.generate(music.load("music-coconet"), music.Params(mode="harmonise", notes="C5 D5 E5:2",
                                                                 key_lock=True, steps=32, seed=0))
    rep = voice_report(g)                         # voice_leading.Report: key, in key, parallels, ...
    items, chosen = next_notes(music.load("music-coconet"), grid_of(g), voice=1, step=8)

``compose`` is the Coconet family's entry in ``catalog.FAMILIES``: it takes the melody (typed,
a chorale's soprano, or a one-line MIDI moved into the soprano range by octaves), checks it,
and fills in alto, tenor and bass by annealed Gibbs sampling (``coconet.harmonise``).
"""
from __future__ import annotations

import numpy as np
import torch

from playground.contract import Loaded
from playground.generation import Generation
from playground.music import coconet
from playground.music.compose import check_range, fit_octaves
from playground.music.notes import REST, STEPS_PER_BEAT, Score, midi_to_note
from playground.music.params import Params
from playground.music.voice_leading import RANGES, Report, melody_key, report

MELODY_RANGE = (55, 84)  # G3-C6: the soprano range the tab promises (the LSTM's too)
MAX_BEATS = 64  # 16 bars of 4/4: Gibbs sampling over longer tunes gets slow for a shared CPU

ABOUT = """**Harmonise** uses a second model, in the style of **Coconet** (the model behind Google's
Bach Doodle): it hears your **whole melody at once** and fills in the alto, tenor and bass everywhere
together, then again and again erases a random part of its own notes and writes them anew given all
the rest (annealed Gibbs sampling). Because it knows where the tune is going, its chords fit the
melody's key. **Key lock** forbids notes outside that key. Under every result, a **voice-leading
report** checks what a music class checks (parallel fifths and octaves are marked on the piano
roll), and the **next-note chart** shows which notes the harmoniser weighed for one voice at one beat."""


def explain(cfg: coconet.CoconetConfig) -> str:
    """Plain words about the harmoniser for the tab."""
    return ABOUT


def melody_of(score: Score, four: bool, source: str) -> Score:
    """The soprano of ``score`` alone (a one-line MIDI moved into the soprano range by octaves), checked:
    ValueError for a melody that is too long or outside the soprano range."""
    if four:
        score = Score(np.where(np.arange(4) == 0, score.pitches, REST), score.onsets)
    elif source == "midi":
        score = fit_octaves(score, *MELODY_RANGE)
    beats = len(score) / STEPS_PER_BEAT
    if beats > MAX_BEATS:
        raise ValueError(f"The melody is {beats:g} beats long; the harmoniser takes up to {MAX_BEATS} beats "
                         f"({MAX_BEATS // 4} bars). Shorten it.")
    if not (score.pitches[:, 0] != REST).any():
        raise ValueError("The melody has only rests: add at least one note.")
    check_range(score, range(1), [MELODY_RANGE], "melody")
    return score


def compose(module: coconet.Coconet, p: Params, score: Score, four: bool, generator: torch.Generator) -> Score:
    """Harmonise: alto, tenor and bass under the melody of ``score`` (its notes and onsets stay as given).
    Continue: ``p.bars`` more bars after the seed, all four voices filled in by the same sampler
    (a melody seed is harmonised in the same pass)."""
    if p.mode == "harmonise":
        melody = melody_of(score, four, p.source)
        grid = coconet.harmonise(module, melody.pitches[:, 0], seed=p.seed, steps=p.steps, key_lock=p.key_lock,
                                 temperature=p.temperature)
        onsets = np.logical_or(melody.onsets, Score.from_grid(grid).onsets)  # the choir sings the tune's repeats
        onsets[:, 0] = melody.onsets[:, 0]
        return Score(grid, onsets & (grid != REST))
    seed = score if four else melody_of(score, False, p.source)
    T0, V = len(seed), seed.pitches.shape[1]
    grid = np.full((T0 + p.bars * 4 * STEPS_PER_BEAT, V), REST, dtype=np.int64)
    grid[:T0] = seed.pitches
    known = np.zeros(grid.shape, dtype=bool)
    known[:T0] = True if four else (np.arange(V) == 0) | (seed.pitches[:, :1] == REST)
    key = melody_key(seed.pitches[:, 0]) if p.key_lock else None
    grid = coconet.fill(module, grid, known, seed=p.seed, steps=p.steps, key=key, temperature=p.temperature,
                        guard=coconet.DEFAULT_GUARD, ranges=[list(r) for r in RANGES])
    onsets = Score.from_grid(grid).onsets
    onsets[:T0] = np.logical_or(seed.onsets, onsets[:T0]) if not four else seed.onsets
    onsets[:T0, 0] = seed.onsets[:, 0]
    return Score(grid, onsets & (grid != REST))


def grid_of(g: Generation) -> np.ndarray:
    """The (T, 4) pitch grid of an output (rendered again from its stored notes if need be)."""
    score = g.media.get("score")
    return (score if score is not None else Score.from_events(list(g.output["voices"].values()))).pitches


def voice_report(g: Generation) -> Report:
    """The voice-leading report of an output; a harmonisation is judged in its melody's key."""
    grid = grid_of(g)
    key = melody_key(grid[:, 0]) if g.params.get("mode") == "harmonise" and (grid[:, 0] >= 0).any() else None
    return report(grid, key)


def note_label(pitch: int) -> str:
    """A chart label: ``C5``, or ``rest``."""
    return "rest" if pitch == REST else midi_to_note(int(pitch))


def next_notes(model: Loaded | coconet.Coconet, grid: np.ndarray, voice: int, step: int,
               key_lock: bool = False) -> tuple[list[tuple[str, float]], str]:
    """The harmoniser's distribution for ``voice`` at ``step`` given every other note of ``grid``:
    [(note, probability)] most likely first, and the note the output has there."""
    module = model.module if isinstance(model, Loaded) else model
    if not isinstance(module, coconet.Coconet):
        raise ValueError("Next-note probabilities come from the Coconet harmoniser; it is not installed.")
    grid = np.asarray(grid)
    if not 0 <= step < len(grid):
        raise ValueError(f"Pick a beat between 1 and {len(grid) / STEPS_PER_BEAT + 0.75:g}.")
    probs = coconet.note_probabilities(module, grid, voice, step, key_lock=key_lock)
    return [(note_label(p), q) for p, q in probs], note_label(int(grid[step, voice]))
