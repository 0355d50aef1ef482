"""Composing with a chorale model: the seed as a score, then continue or harmonise it (no files).

    score, four = seed_score(params, openings)       # a melody (four=False) or four voices
    result = compose(model, "continue", score, four, bars=8, temperature=1.0,
                     generator=torch.Generator().manual_seed(1))

Continue: a four-voice seed (a chorale opening or a four-track MIDI) is extended by ``bars``
bars; a melody seed (typed notes or a one-line MIDI) is first harmonised, then extended.
Harmonise: the melody stays exactly as given; the model writes alto, tenor and bass.
"""
from __future__ import annotations

import numpy as np
import torch

from playground.music.model import ChoraleLSTM
from playground.music.notes import REST, VOICES, Score, from_tokens, midi_to_note, parse_melody, to_tokens
from playground.music.params import Params
from playground.music.render import read_midi
from playground.music.sample import continue_tokens, harmonise_tokens


def check_range(score: Score, voices: range, ranges: list, what: str) -> None:
    """ValueError naming the first note of ``voices`` outside its range [lo, hi]."""
    for v in voices:
        lo, hi = ranges[v]
        col = score.pitches[:, v]
        sounding = col[col != REST]
        if len(sounding) and (sounding.min() < lo or sounding.max() > hi):
            bad = int(sounding.min() if sounding.min() < lo else sounding.max())
            raise ValueError(f"{midi_to_note(bad)} in the {what} is outside the {VOICES[v]} range "
                             f"({midi_to_note(lo)} to {midi_to_note(hi)}); move it by an octave.")


def fit_octaves(score: Score, lo: int, hi: int) -> Score:
    """Shift a melody (voice 0) by whole octaves into [lo, hi] if it fits at all."""
    col = score.pitches[:, 0]
    s = col[col != REST]
    for shift in sorted(range(-48, 49, 12), key=abs):
        if lo <= s.min() + shift and s.max() + shift <= hi:
            p = score.pitches.copy()
            p[:, 0] = np.where(col == REST, REST, col + shift)
            return Score(p, score.onsets)
    return score  # the range check names the offending note


def seed_score(params: Params, openings: list[np.ndarray]) -> tuple[Score, bool]:
    """The seed as a score and whether all four voices are given (else only the melody)."""
    if params.source == "notes":
        return Score.from_melody(parse_melody(params.notes)), False
    if params.source == "chorale":
        if not openings:
            raise ValueError("No chorale openings are bundled with this model.")
        if not params.chorale < len(openings):
            raise ValueError(f"Pick a chorale between 1 and {len(openings)}.")
        return Score.from_grid(openings[params.chorale]), True
    return read_midi(params.midi)


def harmonise(model: ChoraleLSTM, melody: Score, temperature: float, generator: torch.Generator) -> Score:
    """Alto, tenor and bass under the soprano of ``melody``, whose notes (and onsets) stay as given."""
    cfg = model.cfg
    check_range(melody, range(1), cfg.voice_ranges, "melody")
    sop = torch.from_numpy(to_tokens(melody.pitches[:, 0], cfg.pitch_min))
    grid = from_tokens(harmonise_tokens(model, sop, temperature, generator).numpy(), cfg.pitch_min)
    onsets = np.logical_or(melody.onsets, Score.from_grid(grid).onsets)
    onsets[:, 0] = melody.onsets[:, 0]
    return Score(grid, onsets)


def compose(model: ChoraleLSTM, mode: str, score: Score, four: bool, bars: int, temperature: float,
            generator: torch.Generator) -> Score:
    """Continue or harmonise ``score``; pure sampling, no files."""
    cfg = model.cfg
    if mode == "harmonise":
        melody = score if not four else Score(np.where(np.arange(4) == 0, score.pitches, REST), score.onsets)
        return harmonise(model, melody, temperature, generator)
    if four:
        check_range(score, range(4), [[cfg.pitch_min, cfg.pitch_max]] * 4, "seed")
    else:  # a melody: harmonise it first, then continue
        score = harmonise(model, score, temperature, generator)
    prefix = torch.from_numpy(to_tokens(score.pitches, cfg.pitch_min))
    grid = from_tokens(continue_tokens(model, prefix, bars * cfg.steps_per_bar, temperature, generator).numpy(),
                       cfg.pitch_min)
    return score.concat(Score.from_grid(grid[len(score):]))


def compose_params(model: ChoraleLSTM, p: Params, score: Score, four: bool, generator: torch.Generator) -> Score:
    """The LSTM family's entry in ``catalog.FAMILIES``: :func:`compose` with the settings in ``p``
    (a one-line MIDI upload first moved into the soprano range by octaves)."""
    if p.source == "midi" and not four:
        score = fit_octaves(score, *model.cfg.voice_ranges[0])
    return compose(model, p.mode, score, four, p.bars, p.temperature, generator)
