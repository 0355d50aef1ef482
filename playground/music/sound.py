"""Audio with a real synthesiser: FluidSynth and a General MIDI soundfont, else the built-in synth.

    audio, engine = render(score, tempo=90, instrument="organ")   # float32 mono at 22.05 kHz
    engine        # "FluidSynth (TimGM6mb.sf2, organ)" or "the built-in synth: FluidSynth is not installed ..."
    write(score, "out.wav", 90, "choir")                          # -> (path, engine)

FluidSynth comes from Debian's ``fluidsynth`` package (libfluidsynth) through PyPI's
``pyfluidsynth``, driven by ``pretty_midi``'s ``fluidsynth()``. The soundfont is Debian's
``timgm6mb-soundfont`` (6 MB) when installed, else the same TimGM6mb file that ships inside
``pretty_midi``. Anything missing or failing falls back to ``render.synthesize``.
"""
from __future__ import annotations

import importlib
import wave
from pathlib import Path

import numpy as np

from playground.music.notes import Score
from playground.music.render import SAMPLE_RATE, midi_object, synthesize

PROGRAMS = {"choir": 52, "organ": 19, "strings": 48}  # General MIDI: Choir Aahs, Church Organ, String Ensemble 1
SOUNDFONTS = ("/usr/share/sounds/sf2/TimGM6mb.sf2",)  # small (6 MB): loads in ~0.1 s per call


def soundfont() -> Path | None:
    """The first General MIDI soundfont found: Debian's, else the one bundled with pretty_midi."""
    import pretty_midi

    bundled = Path(pretty_midi.__file__).parent / "TimGM6mb.sf2"
    return next((Path(p) for p in (*SOUNDFONTS, bundled) if Path(p).is_file()), None)


def fluidsynth_missing() -> str | None:
    """None when FluidSynth can play, else what is missing, in one sentence."""
    try:
        importlib.import_module("fluidsynth")  # pyfluidsynth; loading it loads libfluidsynth
    except Exception:  # ImportError, or OSError when the C library is missing
        return "FluidSynth is not installed (Debian fluidsynth + PyPI pyfluidsynth)"
    if soundfont() is None:
        return "no General MIDI soundfont was found (Debian timgm6mb-soundfont)"
    return None


def render(score: Score, tempo: float, instrument: str = "choir", sr: int = SAMPLE_RATE) -> tuple[np.ndarray, str]:
    """Mono float32 audio in [-1, 1] and which synthesiser played it (a few words)."""
    missing = fluidsynth_missing()
    if missing is None:
        try:
            sf2 = soundfont()
            pm = midi_object(score, tempo, [PROGRAMS.get(instrument, 52)] * 4)
            audio = pm.fluidsynth(fs=sr, synthesizer=str(sf2), normalize=False)
            peak = float(np.abs(audio).max()) if len(audio) else 0.0
            if peak > 0:
                return (audio / peak * 0.9).astype(np.float32), f"FluidSynth ({sf2.name}, {instrument})"
            missing = "FluidSynth rendered silence"
        except Exception as e:  # a broken library or soundfont must not cost the user the music
            missing = f"FluidSynth failed ({type(e).__name__})"
    return synthesize(score, tempo, sr), f"the built-in synth: {missing}"


def write(score: Score, path: str | Path, tempo: float, instrument: str = "choir") -> tuple[Path, str]:
    """16-bit mono WAV of the score at 22.05 kHz, and which synthesiser played it."""
    audio, engine = render(score, tempo, instrument)
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(pcm.tobytes())
    return Path(path), engine
