"""Every downloadable file says it was generated, by which model, seed and time."""
from __future__ import annotations

import json
import wave

import numpy as np
from PIL import Image

from playground import provenance
from playground.generation import Generation

GEN = Generation("image", "gan-digits", "abc123def456", {"seed": 7, "n": 1}, {"latent": [0.0]})


def test_png_carries_a_text_chunk(tmp_path):
    path = tmp_path / "x.png"
    Image.new("L", (8, 8)).save(path, pnginfo=provenance.png_info(GEN))
    facts = json.loads(Image.open(path).text["provenance"])
    assert facts["ai_generated"] and facts["model_hash"] == "abc123def456" and facts["seed"] == 7


def test_wav_carries_an_info_comment_and_still_plays(tmp_path):
    path = tmp_path / "x.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(22050)
        w.writeframes((np.sin(np.arange(2205) / 5) * 3000).astype("<i2").tobytes())
    provenance.add_to_wav(path, GEN)
    assert json.loads(provenance.read_wav_comment(path))["model"] == "gan-digits"
    with wave.open(str(path)) as w:  # the audio is untouched
        assert w.getnframes() == 2205


def test_midi_carries_a_text_event(tmp_path):
    import pretty_midi

    pm = pretty_midi.PrettyMIDI()
    inst = pretty_midi.Instrument(0)
    inst.notes.append(pretty_midi.Note(80, 60, 0, 1))
    pm.instruments.append(inst)
    provenance.add_to_midi(pm, GEN)
    pm.write(str(tmp_path / "x.mid"))
    back = pretty_midi.PrettyMIDI(str(tmp_path / "x.mid"))
    assert any(json.loads(t.text)["seed"] == 7 for t in back.text_events)
