"""Note names, typed melodies, the four-voice score grid and its tokens.

    >>> parse_melody("C4 E4:0.5 G4:2 R C5")   # durations in quarter-note beats, R = rest
    >>> Score.from_melody(...).events()       # notes per voice: [pitch, start_step, n_steps]

A score is a 16th-note grid of four voices (soprano, alto, tenor, bass); ``-1`` is silence.
The grid cannot tell a held note from a repeated one (nor can the JSB data), so a score
also carries ``onsets``: where a voice starts a new note even if the pitch is unchanged.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

VOICES = ("soprano", "alto", "tenor", "bass")
REST = -1
STEPS_PER_BEAT = 4  # 16th-note grid
MAX_MELODY_STEPS = 64 * 16  # 64 bars of 4/4

_NOTE = re.compile(r"^([A-Ga-g])([#b♯♭]{0,2})(-?\d+)$")
_STEPS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


def note_to_midi(name: str) -> int:
    """MIDI number of a note name such as ``C4`` (60), ``F#3`` or ``Bb5``."""
    m = _NOTE.match(name.strip())
    if not m:
        raise ValueError(f"'{name}' is not a note name; write notes like C4, F#3 or Bb5 (R for a rest).")
    letter, accidentals, octave = m.groups()
    pitch = 12 * (int(octave) + 1) + _STEPS[letter.upper()]
    pitch += sum(1 if a in "#♯" else -1 for a in accidentals)
    if not 0 <= pitch <= 127:
        raise ValueError(f"'{name}' is outside the MIDI range (C-1 to G9).")
    return pitch


def midi_to_note(pitch: int) -> str:
    """Note name of a MIDI number (60 -> ``C4``); ``-1`` -> ``R``."""
    if pitch < 0:
        return "R"
    return f"{_NAMES[pitch % 12]}{pitch // 12 - 1}"


def parse_melody(text: str) -> list[tuple[int, int]]:
    """``"C4 E4:0.5 R:1 G4:2"`` -> ``[(pitch, n_steps), ...]`` (pitch -1 = rest).

    Durations are in quarter-note beats (default 1) and are rounded to the 16th-note grid.
    """
    tokens = text.replace(",", " ").split()
    if not tokens:
        raise ValueError("The seed is empty: type a few notes such as 'C4 E4 G4 C5'.")
    out, total = [], 0
    for tok in tokens:
        name, _, dur = tok.partition(":")
        try:
            beats = float(dur) if dur else 1.0
        except ValueError:
            raise ValueError(f"'{tok}' has an unreadable duration; write e.g. C4:2 for two beats.") from None
        if not (0.25 <= beats <= 16) or beats != beats:
            raise ValueError(f"'{tok}': a duration must be between 0.25 and 16 beats.")
        steps = max(1, round(beats * STEPS_PER_BEAT))
        pitch = REST if name.upper() in ("R", "-") else note_to_midi(name)
        out.append((pitch, steps))
        total += steps
        if total > MAX_MELODY_STEPS:
            raise ValueError("The melody is too long: keep it under 64 bars.")
    if all(p == REST for p, _ in out):
        raise ValueError("The seed has only rests: add at least one note.")
    return out


@dataclass
class Score:
    """Four voices on a 16th-note grid: ``pitches`` (T, 4) int, ``onsets`` (T, 4) bool."""

    pitches: np.ndarray
    onsets: np.ndarray

    def __post_init__(self) -> None:
        self.pitches = np.asarray(self.pitches, dtype=np.int64).reshape(-1, len(VOICES))
        if self.onsets is None:
            self.onsets = infer_onsets(self.pitches)
        self.onsets = np.asarray(self.onsets, dtype=bool).reshape(self.pitches.shape)

    def __len__(self) -> int:
        return len(self.pitches)

    @classmethod
    def from_grid(cls, pitches) -> "Score":
        """A score whose notes start wherever a voice's pitch changes."""
        return cls(np.asarray(pitches), None)

    @classmethod
    def from_melody(cls, melody: list[tuple[int, int]]) -> "Score":
        """Soprano from ``parse_melody`` output; the lower voices are silent."""
        steps = sum(n for _, n in melody)
        pitches = np.full((steps, len(VOICES)), REST, dtype=np.int64)
        onsets = np.zeros((steps, len(VOICES)), dtype=bool)
        t = 0
        for pitch, n in melody:
            pitches[t:t + n, 0] = pitch
            onsets[t, 0] = pitch != REST
            t += n
        return cls(pitches, onsets)

    @classmethod
    def from_events(cls, voices: list[list[list[int]]], steps: int = 0) -> "Score":
        """The score of ``events()`` output (at least ``steps`` long): a stored output, rendered again."""
        T = max([steps] + [s + n for notes in voices for _, s, n in notes])
        pitches = np.full((T, len(VOICES)), REST, dtype=np.int64)
        onsets = np.zeros((T, len(VOICES)), dtype=bool)
        for v, notes in enumerate(voices):
            for pitch, start, n in notes:
                pitches[start:start + n, v] = pitch
                onsets[start, v] = True
        return cls(pitches, onsets)

    def concat(self, other: "Score") -> "Score":
        """This score followed by ``other``."""
        return Score(np.concatenate([self.pitches, other.pitches]), np.concatenate([self.onsets, other.onsets]))

    def events(self) -> list[list[list[int]]]:
        """Notes per voice as ``[pitch, start_step, n_steps]`` (plain ints, rests left out)."""
        voices = []
        for v in range(len(VOICES)):
            notes, col, on = [], self.pitches[:, v], self.onsets[:, v]
            t = 0
            while t < len(col):
                if col[t] == REST:
                    t += 1
                    continue
                end = t + 1
                while end < len(col) and col[end] == col[t] and not on[end]:
                    end += 1
                notes.append([int(col[t]), t, end - t])
                t = end
            voices.append(notes)
        return voices


def infer_onsets(pitches: np.ndarray) -> np.ndarray:
    """A note starts where a voice sounds and its pitch differs from the step before."""
    prev = np.vstack([np.full((1, pitches.shape[1]), REST), pitches[:-1]])
    return (pitches != REST) & (pitches != prev)


def to_tokens(pitches: np.ndarray, pitch_min: int) -> np.ndarray:
    """Pitches -> token ids: 0 = rest, ``k`` = pitch ``pitch_min + k - 1``."""
    pitches = np.asarray(pitches)
    return np.where(pitches < 0, 0, pitches - pitch_min + 1).astype(np.int64)


def from_tokens(tokens: np.ndarray, pitch_min: int) -> np.ndarray:
    """Token ids -> pitches (inverse of ``to_tokens``)."""
    tokens = np.asarray(tokens)
    return np.where(tokens == 0, REST, tokens + pitch_min - 1).astype(np.int64)
