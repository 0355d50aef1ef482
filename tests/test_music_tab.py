"""The Music tab builds with no arguments and its compose event runs end to end (tiny model)."""
from __future__ import annotations

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
    with gr.Blocks() as demo:
        music.build(tiny_dir)
    fn = next(f.fn for f in demo.fns.values() if getattr(f, "api_name", None) == "music_compose")
    wav, png, mid, summary, g = fn("notes", "C5 D5 E5", 0, None, "continue", 1.0, 1, 100, 3)
    assert wav.endswith(".wav") and png.endswith(".png") and mid.endswith(".mid")
    assert g.modality == "music" and "Continue" in summary
    with pytest.raises(gr.Error, match="not a note name"):
        fn("notes", "C5 X9", 0, None, "continue", 1.0, 1, 100, 3)


def test_missing_model_shows_how_to_train(tmp_path):
    with gr.Blocks() as demo:
        music.build(tmp_path / "not-here")
    texts = [getattr(b, "value", "") for b in demo.blocks.values() if isinstance(b, gr.Markdown)]
    assert any("python -m playground.train music" in str(t) for t in texts)
    fn = next(f.fn for f in demo.fns.values() if getattr(f, "api_name", None) == "music_compose")
    with pytest.raises(gr.Error, match="not installed"):
        fn("notes", "C5 D5 E5", 0, None, "continue", 1.0, 1, 100, 3)
