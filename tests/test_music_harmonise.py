"""Harmonise on the Music tab with the bundled Coconet harmoniser: the contract, the voice-leading
report, the next-note chart, MIDI uploads, FluidSynth (or the fallback) and bad input."""
from __future__ import annotations

import shutil
import wave

import gradio as gr
import numpy as np
import pretty_midi
import pytest

from playground import music
from playground.music import sound
from playground.music.notes import Score, parse_melody
from playground.music.render import read_midi
from tabs import music as tab
from tabs import music_view

TWINKLE = "C5 C5 G5 G5 A5 A5 G5:2 F5 F5 E5 E5 D5 D5 C5:2"


def harmonise(notes: str = TWINKLE, seed: int = 0, key_lock: bool = False, **kw):
    """The tab's handler, harmonising typed notes (positional as Gradio calls it)."""
    return tab.compose(kw.pop("source", "notes"), notes, None, kw.pop("midi", None), "harmonise", 0.7, 8, 90, seed, 1,
                       key_lock, 32, "choir", **kw)


def write_melody(path, pitches, chord_at: int | None = None) -> str:
    """A one-track MIDI melody (a second note sounding at index ``chord_at``: not one line)."""
    pm = pretty_midi.PrettyMIDI(initial_tempo=120)
    inst = pretty_midi.Instrument(0)
    inst.notes = [pretty_midi.Note(velocity=80, pitch=p, start=i * 0.5, end=i * 0.5 + 0.5) for i, p in enumerate(pitches)]
    if chord_at is not None:
        inst.notes.append(pretty_midi.Note(velocity=80, pitch=pitches[chord_at] - 4, start=chord_at * 0.5,
                                           end=chord_at * 0.5 + 0.5))
    pm.instruments.append(inst)
    pm.write(str(path))
    return str(path)


def test_twinkle_in_c_major_without_parallels():
    wav, png, mid, summary, report, notes, g = harmonise()
    assert g.model == "music-coconet" and g.params["mode"] == "harmonise"
    assert notes.splitlines()[0] == "Soprano: " + TWINKLE  # the melody stays exactly as typed
    rep = music.voice_report(g)
    assert rep.key.name == "C major" and rep.in_key >= 0.9 and not rep.parallels
    assert "Key: C major." in report and "No parallel fifths or octaves" in report
    assert "Gibbs steps" in summary and "Sound:" in summary


def test_key_lock_keeps_every_lower_voice_in_the_key():
    g = harmonise("G4 A4 B4 C5 D5 E5 F#5 G5:2", seed=3, key_lock=True)[-1]
    rep = music.voice_report(g)
    assert rep.key.name == "G major" and rep.in_key_of((1, 2, 3)) == 1.0 and g.params["key_lock"] is True


def test_contract_reproduces_from_stored_params():
    model = music.load(music.HARMONISER)
    p = music.Params(mode="harmonise", notes=TWINKLE, seed=11, steps=8, key_lock=True)
    a = music.generate(model, p)
    b = music.generate(music.load(a.model), music.Params.from_dict(a.params))  # stored record -> same chorale
    c = music.generate(model, p.replace(seed=12))
    assert a.output == b.output and a.output != c.output
    more = [music.generate(model, p.replace(mode="continue", bars=2, source="chorale")) for _ in range(2)]
    assert more[0].output == more[1].output  # the harmoniser can continue too (the tab uses the LSTM)
    assert max(s + n for s_n in more[0].output["voices"].values() for _, s, n in s_n) == 64 + 32


def test_next_note_chart_marks_the_chosen_note():
    g = harmonise()[-1]
    html = tab.probe(g, "Bass", 1)
    assert "<table" in html and "<caption" in html and ">Note</th>" in html and 'data-chosen="true"' in html
    assert "Bass at bar 1 beat 1" in html
    items, chosen = music.next_notes(music.load(music.HARMONISER), music.grid_of(g), 3, 0)
    assert abs(sum(p for _, p in items) - 1) < 0.05 and chosen in [n for n, _ in items]
    empty = tab.probe(None, "Alto", 1)
    assert "Compose or harmonise" in empty
    chart, slider = tab.renew(g, "Alto", 99)
    assert slider.maximum == music_view.beats(g) == 16.75 and "Alto at bar 4" in chart


def test_midi_upload_round_trip(tmp_path):
    tune = [60, 60, 67, 67, 69, 69, 67]
    path = write_melody(tmp_path / "tune.mid", [p - 12 for p in tune])  # below the soprano range: moved up
    wav, png, mid, summary, report, notes, g = harmonise(source="midi", midi=path)
    assert [n[0] for n in g.output["voices"]["soprano"]] == tune and g.params["midi"] == "tune.mid"
    score, four = read_midi(mid)
    assert four and score.events() == list(g.output["voices"].values())


def test_audio_is_fluidsynth_or_the_fallback_and_not_silent(tmp_path, monkeypatch):
    score = Score.from_melody(parse_melody("C5 E5 G5:2"))
    path, engine = sound.write(score, tmp_path / "a.wav", 120, "organ")
    if sound.fluidsynth_missing() is None:
        assert engine.startswith("FluidSynth")
    for p in (path, sound.write(score, tmp_path / "b.wav", 120)[0]):
        with wave.open(str(p)) as w:
            assert w.getframerate() == 22050
            audio = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        assert np.abs(audio).max() > 1000
    monkeypatch.setattr(sound, "fluidsynth_missing", lambda: "FluidSynth is not installed")
    audio, engine = sound.render(score, 120)
    assert engine == "the built-in synth: FluidSynth is not installed" and np.abs(audio).max() > 0.5


@pytest.mark.parametrize("notes, words", [
    ("", "empty"),
    ("C5 H5", "'H5' is not a note name"),
    ("C5 C7", r"C7 in the melody is outside the soprano range \(G3 to C6\)"),
    ("C5 " * 70, "70 beats long; the harmoniser takes up to 64 beats"),
    ("R R:2", "only rests"),
])
def test_bad_melodies_get_one_sentence(notes, words):
    with pytest.raises(gr.Error, match=words):
        harmonise(notes)


def test_bad_uploads_get_one_sentence(tmp_path):
    chords = write_melody(tmp_path / "chords.mid", [72, 74, 76], chord_at=1)
    silent = tmp_path / "silent.mid"
    pm = pretty_midi.PrettyMIDI()
    pm.instruments.append(pretty_midi.Instrument(0))
    pm.write(str(silent))
    text = tmp_path / "notes.mid"
    text.write_text("C5 D5 E5, not a MIDI file")
    for path, words in [(chords, r"several notes at once \(bar 1 beat 2\)"), (silent, "has no notes"),
                        (text, "could not be read as MIDI")]:
        with pytest.raises(gr.Error, match=words):
            harmonise(source="midi", midi=str(path))


def test_corrupt_harmoniser_checkpoint(tmp_path):
    bad = tmp_path / "music-coconet"
    bad.mkdir()
    shutil.copy(music.HARMONISER / "config.json", bad / "config.json")
    (bad / "model.safetensors").write_bytes(b"not weights")
    with pytest.raises(gr.Error, match="could not be read"):
        harmonise(harmoniser=bad)
