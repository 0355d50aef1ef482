"""Step mode (playground.music.step and tabs/music_step.py): the next-note candidates of the bundled
LSTM, the Coconet harmony of the melody so far, growing and undoing the melody, bad input."""
from __future__ import annotations

import time

import gradio as gr
import numpy as np
import pytest
import torch

from playground import music
from playground.music import step as st
from playground.music.notes import parse_melody

START = "C5 C5 G5 G5"


@pytest.fixture(scope="module")
def models():
    return music.load(music.DEFAULT_MODEL), music.load(music.HARMONISER)


def soprano_of(g) -> list[tuple[int, int]]:
    """The output's soprano as (pitch, n_steps) notes, the form parse_melody gives."""
    return [(p, n) for p, _, n in g.output["voices"]["soprano"]]


@pytest.mark.parametrize("key_lock", [False, True])
def test_candidates_are_sorted_probabilities(models, key_lock):
    s = st.step(*models, START, key_lock=key_lock, seed=1)
    probs = [p for _, p in s.candidates]
    assert 1 <= len(probs) <= st.TOP
    assert probs == sorted(probs, reverse=True)
    assert all(0 < p <= 1 for p in probs) and sum(probs) <= 1 + 1e-6
    assert all(parse_melody(name)[0][0] >= 55 for name, _ in s.candidates)  # soprano range, no rests
    if key_lock:  # only notes of the melody's key
        assert all("#" not in name and "b" not in name for name, _ in s.candidates) and s.key == "C major"


def test_candidates_are_the_lstm_factor(models):
    """The chart is the LSTM's p(soprano at step T | all four voices before T), read off one forward pass."""
    lstm = models[0].module
    grid = music.grid_of(st.step(*models, START, seed=2).generation)
    items = st.next_candidates(lstm, grid, temperature=1.0, top=100)
    cfg = lstm.cfg
    tokens = torch.from_numpy(np.vstack([grid, [[72, 64, 55, 48]]]) - cfg.pitch_min + 1)[None]
    with torch.inference_mode():
        p = torch.softmax(lstm(tokens, (torch.arange(len(grid) + 1) % cfg.steps_per_bar)[None])[0, -1, 0], -1)
    for pitch, q in items[:3]:  # the next step's own notes (here a C major chord) do not leak in
        assert q == pytest.approx(float(p[pitch - cfg.pitch_min + 1]), rel=1e-5)


def test_picking_grows_the_melody_by_one_note_and_keeps_it(models):
    s = st.step(*models, START, seed=3)
    assert soprano_of(s.generation) == parse_melody(START)
    pick = s.candidates[0][0]
    longer = st.extend(s.melody, pick, beats=2)
    assert st.note_count(longer) == st.note_count(START) + 1 and longer.endswith(f"{pick}:2")
    s2 = st.step(*models, longer, seed=3)
    assert soprano_of(s2.generation) == parse_melody(longer)  # the melody stays exactly as picked
    assert s2.generation.params["mode"] == "harmonise" and s2.generation.params["notes"] == longer
    assert len(music.grid_of(s2.generation)) == len(music.grid_of(s.generation)) + 8
    assert st.undo(longer) == START


def test_same_seed_same_step(models):
    a, b = st.step(*models, START, seed=7, key_lock=True), st.step(*models, START, seed=7, key_lock=True)
    assert a.candidates == b.candidates and a.generation.output == b.generation.output
    other = st.step(*models, START, seed=8, key_lock=True)
    assert other.generation.output["voices"]["soprano"] == a.generation.output["voices"]["soprano"]


def test_draw_is_seeded_and_picks_a_candidate():
    items = [("C5", 0.5), ("D5", 0.3), ("E5", 0.2)]
    assert st.draw(items, 1, 4) == st.draw(items, 1, 4) and st.draw(items, 1, 4) in {"C5", "D5", "E5"}
    assert {st.draw(items, 1, n) for n in range(30)} == {"C5", "D5", "E5"}


@pytest.mark.parametrize("call, message", [
    (lambda: st.extend(START, "X9"), "not a note name"),
    (lambda: st.extend(START, "C5 D5"), "one note"),
    (lambda: st.extend(START, ""), "Pick one of the proposed notes"),
    (lambda: st.extend(START, "C3"), "outside the soprano range"),
    (lambda: st.extend(START, "C5", beats=40), "between 0.25 and 16 beats"),
    (lambda: st.extend(START, "C5", beats="long"), "number of beats"),
    (lambda: st.undo("C5"), "Only the first note is left"),
    (lambda: st.normalise("  "), "Type a first note"),
    (lambda: st.draw([], 0, 0), "no proposed notes"),
])
def test_bad_input_says_what_to_do(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_bad_melody_and_missing_lstm(models):
    with pytest.raises(ValueError, match="outside the soprano range"):
        st.step(*models, "C5 C3")
    with pytest.raises(ValueError, match="chorale LSTM"):
        st.step(models[1], models[1], START)


def test_one_step_is_fast(models):
    """Harmonise + candidates for 4 bars well under a second with one torch thread (the tab adds audio)."""
    st.step(*models, START, seed=0)
    t0 = time.perf_counter()
    st.step(*models, "C5 C5 G5 G5 A5 A5 G5:2 F5 F5 E5 E5 D5 D5 C5:2", seed=0)
    assert time.perf_counter() - t0 < 1.0


def test_tab_handlers(models):
    from tabs import music_step as tab

    out = tab.show_step(START, False, 0, 0.7, 90)
    melody, chart, pick, audio, roll, report, notes_out, status, typed, g = out
    assert melody == START and 'class="prob-chart"' in chart and audio.endswith(".wav") and roll.endswith(".png")
    assert "Voice-leading report" in report and notes_out.startswith("Soprano: C5 C5 G5 G5") and typed == ""
    assert g.params["notes"] == START and "4 notes" in status
    choice = pick["choices"][0][1]
    out2 = tab.add_note(START, choice, "", 1, False, 0, 0.7, 90)
    assert out2[0] == f"{START} {choice}" and out2[-1].params["notes"] == out2[0]
    assert tab.undo_note(out2[0], False, 0, 0.7, 90)[0] == START
    drawn = tab.draw_note(START, 0.5, False, 0, 0.7, 90)
    assert drawn[0].startswith(START + " ") and drawn[0].endswith(":0.5") and st.note_count(drawn[0]) == 5
    assert tab.draw_note(START, 0.5, False, 0, 0.7, 90)[0] == drawn[0]  # seeded
    typed = tab.add_note(START, None, "E5:2", 1, False, 0, 0.7, 90)
    assert typed[0] == f"{START} E5:2"
    with pytest.raises(gr.Error, match="not a note name"):
        tab.add_note(START, None, "H5", 1, False, 0, 0.7, 90)
    with gr.Blocks() as demo:
        tab.build()
    assert any(getattr(fn, "api_name", None) == "music_step" for fn in demo.fns.values())
