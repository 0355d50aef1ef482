"""A voice-leading check of a four-voice chorale, in the terms a music class uses.

    rep = report(grid)              # grid: (T, 4) MIDI pitches on the 16th-note grid, -1 = rest
    rep.key, rep.in_key, rep.parallel_rate, rep.crossing_rate
    rep.summary()                   # plain-words lines
    rep.parallels                   # [Parallel(step, upper, lower, kind)]: marks for a piano roll

- **Key**: Krumhansl-Schmuckler key finding (Krumhansl-Kessler profiles correlated with the
  duration-weighted pitch-class histogram). A note is "in the key" when its pitch class is in
  the major scale, or for a minor key in natural minor plus the raised 6th and 7th degrees
  (melodic and harmonic minor), as taught.
- **Parallel fifths and octaves** (unisons included): two voices that both move, in the same
  direction, from one perfect fifth (octave) to another. The rate divides by the number of
  pairs of voices that both move between two steps.
- **Ranges**: the usual SATB ranges (soprano C4-G5, alto G3-D5, tenor C3-G4, bass E2-C4).
- **Crossings**: a lower voice above the voice written above it; the rate is per 16th step.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.music.notes import STEPS_PER_BEAT, VOICES, infer_onsets, midi_to_note

MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
MINOR_SCALE = (0, 2, 3, 5, 7, 8, 9, 10, 11)  # natural minor + raised 6th and 7th
MAJOR_NAMES = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
MINOR_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B")
RANGES = ((60, 79), (55, 74), (48, 67), (40, 60))  # soprano C4-G5, alto G3-D5, tenor C3-G4, bass E2-C4
STEPS_PER_BAR = 4 * STEPS_PER_BEAT


@dataclass(frozen=True)
class Key:
    """A key: tonic pitch class (0 = C) and mode ("major" or "minor")."""

    tonic: int
    mode: str

    @property
    def name(self) -> str:
        names = MAJOR_NAMES if self.mode == "major" else MINOR_NAMES
        return f"{names[self.tonic]} {self.mode}"

    @property
    def pitch_classes(self) -> frozenset[int]:
        """The pitch classes that count as in this key."""
        scale = MAJOR_SCALE if self.mode == "major" else MINOR_SCALE
        return frozenset((self.tonic + s) % 12 for s in scale)

    def contains(self, pitches: np.ndarray) -> np.ndarray:
        """Elementwise: is each (sounding) pitch in the key?"""
        return np.isin(np.asarray(pitches) % 12, sorted(self.pitch_classes))


def find_key(pitches: np.ndarray, final_bonus: float = 0.0) -> Key:
    """The best-correlating of the 24 major/minor keys for any array of pitches (-1 ignored).

    Every sounding 16th step counts once, so long notes weigh more (duration weighting).
    ``final_bonus`` is added to the correlation of the keys whose tonic is the last note.
    """
    p = np.asarray(pitches).ravel()
    p = p[p >= 0]
    if not len(p):
        raise ValueError("There are no notes to find a key from.")
    hist = np.bincount(p % 12, minlength=12).astype(float)
    best, key = -np.inf, Key(0, "major")
    for mode, profile in (("major", MAJOR_PROFILE), ("minor", MINOR_PROFILE)):
        for tonic in range(12):
            r = np.corrcoef(hist, np.roll(profile, tonic))[0, 1] if hist.std() > 0 else 0.0
            r += final_bonus * (tonic == p[-1] % 12)
            if r > best + 1e-12:
                best, key = r, Key(tonic, mode)
    return key


def melody_key(melody: np.ndarray) -> Key:
    """The key of a single line: Krumhansl-Schmuckler, nudged toward the key its last note is the
    tonic of (short tunes end on the tonic; their notes alone often fit a neighbouring key as well)."""
    return find_key(np.asarray(melody).ravel(), final_bonus=0.1)


@dataclass(frozen=True)
class Parallel:
    """Parallel motion arriving at ``step`` (from ``step - 1``) between voices ``upper`` and ``lower``."""

    step: int
    upper: int
    lower: int
    kind: str  # "fifths" or "octaves" (unisons included)


def parallel_kind(a_i, b_i, a_j, b_j) -> np.ndarray:
    """Elementwise, for voice i moving a_i -> b_i and voice j moving a_j -> b_j (broadcast):
    7 for parallel fifths, 0 for parallel octaves/unisons, -1 for anything else."""
    a_i, b_i, a_j, b_j = np.broadcast_arrays(*(np.asarray(x) for x in (a_i, b_i, a_j, b_j)))
    both = (a_i >= 0) & (b_i >= 0) & (a_j >= 0) & (b_j >= 0) & (a_i != b_i) & (a_j != b_j)
    same_way = np.sign(b_i - a_i) == np.sign(b_j - a_j)
    before, after = np.abs(a_i - a_j) % 12, np.abs(b_i - b_j) % 12
    hit = both & same_way & (before == after) & ((after == 7) | (after == 0))
    return np.where(hit, after, -1)


def find_parallels(grid: np.ndarray) -> tuple[list[Parallel], int]:
    """Parallel fifths/octaves between every pair of voices, and the number of pairs that both moved."""
    g = np.asarray(grid)
    if len(g) < 2:
        return [], 0
    a, b = g[:-1], g[1:]
    moved = (a >= 0) & (b >= 0) & (a != b)  # (T-1, V)
    out, pairs = [], 0
    V = g.shape[1]
    for i in range(V):
        for j in range(i + 1, V):
            pairs += int((moved[:, i] & moved[:, j]).sum())
            kind = parallel_kind(a[:, i], b[:, i], a[:, j], b[:, j])
            out += [Parallel(int(t) + 1, i, j, "fifths" if kind[t] == 7 else "octaves")
                    for t in np.flatnonzero(kind >= 0)]
    return sorted(out, key=lambda p: (p.step, p.upper, p.lower)), pairs


def find_crossings(grid: np.ndarray) -> list[tuple[int, int, int]]:
    """``(step, upper, lower)`` wherever a voice sounds above the voice written above it."""
    g = np.asarray(grid)
    out = []
    for v in range(g.shape[1] - 1):
        up, lo = g[:, v], g[:, v + 1]
        out += [(int(t), v, v + 1) for t in np.flatnonzero((up >= 0) & (lo >= 0) & (lo > up))]
    return sorted(out)


def note_starts(grid: np.ndarray) -> list[np.ndarray]:
    """The pitch of every note per voice (a new note wherever the pitch changes)."""
    g = np.asarray(grid)
    on = infer_onsets(g)
    return [g[on[:, v], v] for v in range(g.shape[1])]


@dataclass
class Report:
    """The voice-leading facts of one four-voice grid (see the module doc)."""

    key: Key
    steps: int
    notes: list[int]  # notes per voice
    in_key_notes: list[int]  # notes in the key per voice
    parallels: list[Parallel]
    moving_pairs: int
    out_of_range: list[list[tuple[int, int]]]  # per voice: (step, pitch) of each note outside its range
    crossings: list[tuple[int, int, int]]
    crossing_steps: int = 0

    @property
    def in_key(self) -> float:
        """Share of all notes in the key."""
        return sum(self.in_key_notes) / max(1, sum(self.notes))

    def in_key_of(self, voices: tuple[int, ...]) -> float:
        """Share of notes in the key, counting only ``voices`` (e.g. (1, 2, 3) for A, T, B)."""
        return sum(self.in_key_notes[v] for v in voices) / max(1, sum(self.notes[v] for v in voices))

    def count(self, kind: str) -> int:
        """Number of parallel ``"fifths"`` or ``"octaves"``."""
        return sum(p.kind == kind for p in self.parallels)

    @property
    def parallel_rate(self) -> float:
        """Parallel fifths + octaves per pair of voices that both move."""
        return len(self.parallels) / max(1, self.moving_pairs)

    @property
    def crossing_rate(self) -> float:
        """Share of 16th steps with at least one crossing."""
        return self.crossing_steps / max(1, self.steps)

    @property
    def out_of_range_total(self) -> int:
        return sum(len(v) for v in self.out_of_range)

    def summary(self) -> list[str]:
        """Plain-words lines for a music class."""
        return summary_lines(self)


def report(grid: np.ndarray, key: Key | None = None) -> Report:
    """Check a (T, 4) grid of MIDI pitches (-1 = rest); ``key`` defaults to the one found in all voices."""
    g = np.asarray(grid, dtype=np.int64)
    if g.ndim != 2 or g.shape[1] != len(VOICES):
        raise ValueError(f"A voice-leading report needs a (steps, 4) grid, not {g.shape}.")
    key = key or find_key(g)
    starts = note_starts(g)
    on = infer_onsets(g)
    out_of_range = []
    for v, (lo, hi) in enumerate(RANGES):
        steps = np.flatnonzero(on[:, v] & ((g[:, v] < lo) | (g[:, v] > hi)))
        out_of_range.append([(int(t), int(g[t, v])) for t in steps])
    parallels, pairs = find_parallels(g)
    crossings = find_crossings(g)
    return Report(key=key, steps=len(g), notes=[len(s) for s in starts],
                  in_key_notes=[int(key.contains(s).sum()) for s in starts], parallels=parallels,
                  moving_pairs=pairs, out_of_range=out_of_range, crossings=crossings,
                  crossing_steps=len({t for t, _, _ in crossings}))


def where(step: int) -> str:
    """``step`` on the 16th grid as "bar 2 beat 3" (or "bar 2 beat 3.5" between beats)."""
    bar, rest = divmod(step, STEPS_PER_BAR)
    beat = 1 + rest / STEPS_PER_BEAT
    return f"bar {bar + 1} beat {beat:g}"


def _places(steps: list[int], most: int = 4) -> str:
    shown = ", ".join(where(s) for s in steps[:most])
    return shown + (f" and {len(steps) - most} more" if len(steps) > most else "")


def _parallel_lines(rep: Report) -> list[str]:
    if not rep.parallels:
        return [f"No parallel fifths or octaves ({rep.moving_pairs} times two voices moved together)."]
    lines = [f"{rep.count('fifths')} parallel fifths and {rep.count('octaves')} parallel octaves or unisons, "
             f"out of {rep.moving_pairs} times two voices moved together ({100 * rep.parallel_rate:.1f} %)."]
    for kind in ("fifths", "octaves"):
        for (u, lo) in sorted({(p.upper, p.lower) for p in rep.parallels if p.kind == kind}):
            steps = [p.step for p in rep.parallels if p.kind == kind and (p.upper, p.lower) == (u, lo)]
            lines.append(f"Parallel {kind} between the {VOICES[u]} and the {VOICES[lo]}: {_places(steps)}.")
    return lines


def _range_lines(rep: Report) -> list[str]:
    lines = []
    for v, notes in enumerate(rep.out_of_range):
        if notes:
            lo, hi = RANGES[v]
            worst = ", ".join(sorted({midi_to_note(p) for _, p in notes}))
            lines.append(f"The {VOICES[v]} leaves its range ({midi_to_note(lo)}-{midi_to_note(hi)}) "
                         f"{len(notes)} time{'s' * (len(notes) != 1)}: {worst}.")
    return lines or ["Every voice stays within its usual range."]


def _crossing_lines(rep: Report) -> list[str]:
    if not rep.crossings:
        return ["No voices cross."]
    lines = []
    for v in range(len(VOICES) - 1):
        steps = [t for t, u, _ in rep.crossings if u == v]
        starts = [t for t in steps if t - 1 not in steps]  # one mention per stretch of crossing
        if starts:
            lines.append(f"The {VOICES[v + 1]} goes above the {VOICES[v]} at {_places(starts)}.")
    return lines


def summary_lines(rep: Report) -> list[str]:
    """The report as short sentences: key, notes in key, parallels, ranges, crossings."""
    per_voice = ", ".join(f"{VOICES[v]} {100 * rep.in_key_notes[v] / max(1, rep.notes[v]):.0f} %"
                          for v in range(len(VOICES)) if rep.notes[v])
    lines = [f"Key: {rep.key.name}.",
             f"{100 * rep.in_key:.0f} % of the notes belong to {rep.key.name} ({per_voice})."]
    return lines + _parallel_lines(rep) + _range_lines(rep) + _crossing_lines(rep)
