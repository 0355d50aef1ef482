"""One score, three renderings: a WAV (additive synthesis), a piano-roll PNG, a MIDI file.

    write_wav(score, "out.wav", tempo=90); write_png(score, "roll.png"); write_midi(score, "out.mid")
    write_png(score, "roll.png", marks=find_parallels(score.pitches)[0])   # parallels outlined in red
    score = read_midi("upload.mid")       # back to a four-voice grid (or a melody)

``synthesize`` needs no external synthesiser: each note is a few harmonics under an ADSR
envelope, voices are mixed and the whole is normalised (``playground.music.sound`` prefers
FluidSynth and falls back to it).
"""
from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from playground.music.notes import REST, STEPS_PER_BEAT, VOICES, Score
from playground.music.voice_leading import Parallel

SAMPLE_RATE = 22050
COLOURS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd")  # soprano red, alto blue, tenor green, bass purple
MARK = "#e00000"  # parallel fifths/octaves: a red band and label; their notes outlined in black (the soprano is red)
MAX_MIDI_BYTES = 1_000_000
MAX_MIDI_NOTES = 20_000
MAX_MIDI_STEPS = 64 * 16  # 64 bars


def step_seconds(tempo: float) -> float:
    """Length of one 16th-note step at ``tempo`` quarter notes per minute."""
    return 60.0 / tempo / STEPS_PER_BEAT


def synthesize(score: Score, tempo: float, sr: int = SAMPLE_RATE) -> np.ndarray:
    """Mono float32 audio in [-1, 1]: harmonics under an ADSR envelope for every note."""
    dt = step_seconds(tempo)
    release = 0.12
    n = int((len(score) * dt + release + 0.05) * sr)
    audio = np.zeros(n, dtype=np.float64)
    for v, notes in enumerate(score.events()):
        gain = 1.0 if v == 0 else 0.7  # the tune on top
        for pitch, start, steps in notes:
            dur = steps * dt
            t = np.arange(int((dur + release) * sr)) / sr
            f0 = 440.0 * 2 ** ((pitch - 69) / 12)
            phase = ((f0 * t) % 1.0 * len(_WAVETABLE)).astype(np.int64)
            a = int(start * dt * sr)
            seg = (gain * _WAVETABLE[phase] * adsr(t, dur, release))[: n - a]
            audio[a: a + len(seg)] += seg
    peak = np.abs(audio).max()
    return (audio / peak * 0.9 if peak > 0 else audio).astype(np.float32)


def _wavetable(size: int = 4096) -> np.ndarray:
    """One period of a soft, organ-like tone: six harmonics (the 6th of F#6 is still < 11 kHz)."""
    x = np.arange(size) / size
    amps = [1.0, 0.5, 0.3, 0.18, 0.1, 0.05]
    return sum(a * np.sin(2 * np.pi * (k + 1) * x) for k, a in enumerate(amps))


_WAVETABLE = _wavetable()


def adsr(t: np.ndarray, dur: float, release: float, attack: float = 0.015, decay: float = 0.08,
         sustain: float = 0.65) -> np.ndarray:
    """Envelope: ramp up, fall to ``sustain``, hold until ``dur``, fade out over ``release``."""
    attack = min(attack, dur / 2)
    env = np.where(t < attack, t / attack, sustain + (1 - sustain) * np.exp(-(t - attack) / decay))
    end_level = sustain + (1 - sustain) * np.exp(-max(dur - attack, 0) / decay)
    return np.where(t < dur, env, end_level * np.clip(1 - (t - dur) / release, 0, 1))


def write_wav(score: Score, path: str | Path, tempo: float) -> Path:
    """16-bit mono WAV of the score."""
    pcm = (synthesize(score, tempo) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(pcm.tobytes())
    return Path(path)


def _mark_parallels(ax, score: Score, marks: list[Parallel]) -> None:
    """A red band where each parallel arrives; the two voices' notes into it and out of it outlined
    in red; "P5" / "P8" above."""
    from matplotlib.patches import Rectangle

    events = score.events()
    outlined = set()
    for k, m in enumerate(marks):
        ax.axvspan((m.step - 0.5) / 16, (m.step + 0.5) / 16, color=MARK, alpha=0.15, zorder=1, lw=0,
                   label="parallel 5ths/8ves" if k == 0 else None)
        for v in (m.upper, m.lower):
            for pitch, s, n in events[v]:
                if s <= m.step - 1 < s + n or s <= m.step < s + n:
                    outlined.add((pitch, s, n))
        ax.annotate("P5" if m.kind == "fifths" else "P8", (m.step / 16, score.pitches[m.step, m.upper] + 1.0),
                    color=MARK, fontsize=8, fontweight="bold", ha="center", zorder=4)
    for pitch, s, n in outlined:
        ax.add_patch(Rectangle((s / 16, pitch - 0.55), n / 16 - 0.012, 1.1, fill=False, edgecolor="black", lw=1.8,
                               zorder=3))


def write_png(score: Score, path: str | Path, title: str = "", seed_steps: int = 0,
              marks: list[Parallel] | None = None) -> Path:
    """Piano roll, one colour per voice; bar lines; the seed part shaded; ``marks`` (parallel
    fifths/octaves) outlined in red and labelled P5 / P8."""
    from matplotlib.figure import Figure  # no pyplot: safe in server threads

    T = len(score)
    fig = Figure(figsize=(min(14, max(6, 3 + T / 24)), 4.2), dpi=100)
    ax = fig.add_subplot()
    if seed_steps:
        ax.axvspan(0, seed_steps / 16, color="0.92", zorder=0, label="seed")
    from matplotlib.collections import PolyCollection

    for v, notes in enumerate(score.events()):
        rects = [[(s / 16, p - 0.4), ((s + n) / 16 - 0.012, p - 0.4), ((s + n) / 16 - 0.012, p + 0.4),
                  (s / 16, p + 0.4)] for p, s, n in notes]
        ax.add_collection(PolyCollection(rects, facecolors=COLOURS[v], edgecolors="none", zorder=2))
        ax.plot([], [], color=COLOURS[v], lw=6, label=VOICES[v])
    for b in range(0, T // 16 + 1):
        ax.axvline(b, color="0.8", lw=0.6, zorder=1)
    _mark_parallels(ax, score, marks or [])
    sounding = score.pitches[score.pitches != REST]
    lo, hi = (int(sounding.min()), int(sounding.max())) if len(sounding) else (48, 72)
    ax.set_ylim(lo - 2, hi + 7)  # headroom for the legend above the top voice
    ax.set_xlim(0, max(T, 1) / 16)
    every = max(1, T // 16 // 16)
    ticks = list(range(0, T // 16 + 1, every))
    ax.set_xticks([t + 0.5 for t in ticks if t < T / 16], [str(t + 1) for t in ticks if t < T / 16])  # mid-bar
    ax.set_xlabel("bar (as in the report: bar 1 is the first)")
    ax.set_ylabel("MIDI pitch (60 = C4)")
    ax.set_title(title or "piano roll")
    ax.legend(loc="upper right", fontsize=8, ncol=5 if T > 64 else 3)
    fig.tight_layout(rect=(0, 0, 1, 0.94))  # room above the title for the image label of the page
    fig.savefig(str(path), pil_kwargs={"compress_level": 1})
    return Path(path)


def midi_object(score: Score, tempo: float, programs: list[int] | None = None):
    """A ``pretty_midi.PrettyMIDI`` with one track per voice (General MIDI ``programs``; default
    choir, flute on top); the tune a little louder."""
    import pretty_midi

    programs = programs or [73, 52, 52, 52]
    pm = pretty_midi.PrettyMIDI(initial_tempo=float(tempo))
    dt = step_seconds(tempo)
    for v, notes in enumerate(score.events()):
        inst = pretty_midi.Instrument(program=programs[v], name=VOICES[v])
        for pitch, start, steps in notes:
            inst.notes.append(pretty_midi.Note(velocity=90 if v == 0 else 72, pitch=pitch,
                                               start=start * dt, end=(start + steps) * dt))
        pm.instruments.append(inst)
    return pm


def write_midi(score: Score, path: str | Path, tempo: float, programs: list[int] | None = None) -> Path:
    """A four-track MIDI file (soprano, alto, tenor, bass) at ``tempo``."""
    midi_object(score, tempo, programs).write(str(path))
    return Path(path)


def read_midi(path: str | Path) -> tuple[Score, bool]:
    """A MIDI upload as a score on the 16th-note grid, and whether it has four voices.

    Four or more melodic tracks become soprano/alto/tenor/bass (highest average pitch
    first); anything else must be one line (a melody: one note at a time, drums ignored).
    """
    import pretty_midi

    p = Path(path)
    if not p.is_file():
        raise ValueError("The MIDI upload could not be found; upload it again.")
    if p.stat().st_size > MAX_MIDI_BYTES:
        raise ValueError("The MIDI file is too large (over 1 MB); upload a short piece.")
    try:
        pm = pretty_midi.PrettyMIDI(str(p))
    except Exception:
        raise ValueError("This file could not be read as MIDI; upload a standard .mid file.") from None
    tracks = [i for i in pm.instruments if not i.is_drum and i.notes]
    n_notes = sum(len(i.notes) for i in tracks)
    if n_notes == 0:
        raise ValueError("The MIDI file has no notes.")
    if n_notes > MAX_MIDI_NOTES:
        raise ValueError("The MIDI file has too many notes; upload a short piece (under 64 bars).")
    per_step = pm.resolution / STEPS_PER_BEAT  # ticks per 16th note

    def grid(notes) -> list[tuple[int, int, int]]:
        out = []
        for nt in notes:
            s = round(pm.time_to_tick(nt.start) / per_step)
            e = max(s + 1, round(pm.time_to_tick(nt.end) / per_step))
            out.append((nt.pitch, s, e))
        return out

    cells = [grid(i.notes) for i in tracks]
    T = max(e for c in cells for _, _, e in c)
    if T > MAX_MIDI_STEPS:
        raise ValueError("The MIDI file is longer than 64 bars; upload a shorter piece.")
    four = len(tracks) >= 4
    if four:
        order = np.argsort([-np.mean([n.pitch for n in i.notes]) for i in tracks])[:4]
        cells = [cells[k] for k in order]
    else:
        cells = [sorted((n for c in cells for n in c), key=lambda n: (n[1], n[2]))]
        check_one_line(cells[0])
    pitches = np.full((T, len(VOICES)), REST, dtype=np.int64)
    onsets = np.zeros((T, len(VOICES)), dtype=bool)
    for v, notes in enumerate(cells):
        for pitch, s, e in sorted(notes, key=lambda n: n[0]):  # higher notes overwrite: skyline
            pitches[s:e, v] = pitch
            onsets[s, v] = True
            onsets[s + 1:e, v] = False
    return Score(pitches, onsets), four


def check_one_line(notes: list[tuple[int, int, int]]) -> None:
    """ValueError where two notes (pitch, start, end on the 16th grid), sorted by start, overlap."""
    from playground.music.voice_leading import where

    for (_, s0, e0), (_, s1, _) in zip(notes, notes[1:]):
        if s1 < e0:
            raise ValueError(f"The MIDI file plays several notes at once ({where(s1)}); upload a melody "
                             "(one note at a time) or four tracks for soprano, alto, tenor and bass.")
