"""The Music tab builds with no arguments and its compose event runs end to end (tiny model)."""
from __future__ import annotations

import functools
import json

import gradio as gr
import pytest
import torch

from playground.music.model import ChoraleLSTM, MusicConfig
from tabs import music


@pytest.fixture()
def tiny_dir(tmp_path):
    torch.manual_seed(0)
    ChoraleLSTM(MusicConfig(hidden=16, emb=8, cond_hidden=8, layers=1)).save_pretrained(tmp_path)
    (tmp_path / "openings.json").write_text(json.dumps([[[72, 67, 64, 48]] * 32]))
    return tmp_path


def test_build_without_arguments():
    with gr.Blocks() as demo:
        music.build()
    assert any(getattr(fn, "api_name", None) == "music_compose" for fn in demo.fns.values())


def test_compose_event_and_errors(tiny_dir):
    fn = functools.partial(music.compose, model=str(tiny_dir))  # the top-level handler, as the tab wires it
    wav, png, mid, summary, report, notes, g = fn("notes", "C5 D5 E5", 0, None, "continue", 1.0, 1, 100, 3)
    assert wav.endswith(".wav") and png.endswith(".png") and mid.endswith(".mid")
    assert g.modality == "music" and "Continue" in summary and "Voice-leading report" in report
    assert notes.startswith("Soprano: C5 D5 E5")
    with pytest.raises(gr.Error, match="not a note name"):
        fn("notes", "C5 X9", 0, None, "continue", 1.0, 1, 100, 3)


def test_missing_model_shows_how_to_train(tmp_path):
    with gr.Blocks() as demo:
        music.build(tmp_path / "not-here")
    texts = [getattr(b, "value", "") for b in demo.blocks.values() if isinstance(b, gr.Markdown)]
    assert any("python -m playground.train music" in str(t) for t in texts)
    with pytest.raises(gr.Error, match="not installed"):
        music.compose("notes", "C5 D5 E5", 0, None, "continue", 1.0, 1, 100, 3, model=str(tmp_path / "not-here"))


def test_handler_is_top_level_and_validates_once(tiny_dir):
    """``compose`` is a plain function: the seed range is the one of every modality."""
    wav, png, mid, summary, _, _, g = music.compose("notes", "C5 D5", None, None, "harmonise", "1", 2.0, "90",
                                                    2**31 - 1, model=tiny_dir)
    assert g.params["seed"] == 2**31 - 1 and g.params["bars"] == 2 and "Harmonise" in summary
    with pytest.raises(gr.Error, match="seed must be between 0 and 2,147,483,647"):
        music.compose("notes", "C5 D5", None, None, "continue", 1.0, 1, 90, 2**31, model=tiny_dir)
    with pytest.raises(gr.Error, match="length in bars must be a whole number"):
        music.compose("notes", "C5 D5", None, None, "continue", 1.0, 1.5, 90, 0, model=tiny_dir)


def test_the_tab_offers_only_generating_models():
    from playground import music as pm

    offered = [m.name for m in pm.models() if m.facts["generates"]]
    assert "music-bach" in offered and "music-bach-roll" not in offered
    with gr.Blocks() as demo:
        music.build()
    texts = " ".join(str(getattr(b, "value", "")) for b in demo.blocks.values() if isinstance(b, gr.Markdown))
    assert '"music.about.lstm"' in texts and '"music.about.harmoniser"' in texts  # the notes, translated
