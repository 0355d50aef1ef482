"""One score, three renderings: a WAV (additive synthesis), a piano-roll PNG, a MIDI file.

    write_wav(score, "out.wav", tempo=90); write_png(score, "roll.png"); write_midi(score, "out.mid")
    score = read_midi("upload.mid")       # back to a four-voice grid (or a melody)

Nothing here needs an external synthesiser: each note is a few harmonics under an ADSR
envelope, voices are mixed and the whole is normalised.
"""
from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from playground.music.notes import REST, STEPS_PER_BEAT, VOICES, Score

SAMPLE_RATE = 22050
COLOURS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd")  # soprano red, alto blue, tenor green, bass purple
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


def write_png(score: Score, path: str | Path, title: str = "", seed_steps: int = 0) -> Path:
    """Piano roll, one colour per voice; bar lines; the seed part shaded."""
    from matplotlib.figure import Figure  # no pyplot: safe in server threads

    T = len(score)
    fig = Figure(figsize=(min(14, 3 + T / 24), 4.2), dpi=100)
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
    sounding = score.pitches[score.pitches != REST]
    lo, hi = (int(sounding.min()), int(sounding.max())) if len(sounding) else (48, 72)
    ax.set_ylim(lo - 2, hi + 7)  # headroom for the legend above the top voice
    ax.set_xlim(0, max(T, 1) / 16)
    ax.set_xlabel("bar")
    ax.set_ylabel("MIDI pitch (60 = C4)")
    ax.set_title(title or "piano roll")
    ax.legend(loc="upper right", fontsize=8, ncol=5)
    fig.tight_layout()
    fig.savefig(str(path), pil_kwargs={"compress_level": 1})
    return Path(path)


def write_midi(score: Score, path: str | Path, tempo: float) -> Path:
    """A four-track MIDI file (soprano, alto, tenor, bass) at ``tempo``."""
    import pretty_midi

    pm = pretty_midi.PrettyMIDI(initial_tempo=float(tempo))
    dt = step_seconds(tempo)
    for v, notes in enumerate(score.events()):
        inst = pretty_midi.Instrument(program=52 if v else 73, name=VOICES[v])  # choir, flute on top
        for pitch, start, steps in notes:
            inst.notes.append(pretty_midi.Note(velocity=90 if v == 0 else 72, pitch=pitch,
                                               start=start * dt, end=(start + steps) * dt))
        pm.instruments.append(inst)
    pm.write(str(path))
    return Path(path)


def read_midi(path: str | Path) -> tuple[Score, bool]:
    """A MIDI upload as a score on the 16th-note grid, and whether it has four voices.

    Four or more melodic tracks become soprano/alto/tenor/bass (highest average pitch
    first); anything else becomes a melody: the highest note sounding at each step.
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
        cells = [[n for c in cells for n in c]]
    pitches = np.full((T, len(VOICES)), REST, dtype=np.int64)
    onsets = np.zeros((T, len(VOICES)), dtype=bool)
    for v, notes in enumerate(cells):
        for pitch, s, e in sorted(notes, key=lambda n: n[0]):  # higher notes overwrite: skyline
            pitches[s:e, v] = pitch
            onsets[s, v] = True
            onsets[s + 1:e, v] = False
    return Score(pitches, onsets), four
