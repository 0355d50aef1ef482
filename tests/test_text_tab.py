"""The Text tab's handlers, called directly as Gradio calls them (bundled model, a few tokens)."""
from __future__ import annotations

import gradio as gr
import pytest

from playground import config
from playground import text as tx
from tabs import text as tab

MODEL = str(config.DEFAULT_TEXT_MODEL)


def _last(handler_output):
    *_, last = handler_output
    return last


def test_generate_converts_whole_numbers_and_rejects_a_fractional_length():
    for length in ("3", 3.0, 3):
        text, _, stats, gen = _last(tab.generate(MODEL, "ROMEO:", length, 0.8, 0, 1.0, 5))
        assert len(text) == 3 and "3 tokens" in stats and gen.params["length"] == 3
    with pytest.raises(gr.Error, match="The length must be a whole number."):
        _last(tab.generate(MODEL, "ROMEO:", 3.5, 0.8, 0, 1.0, 5))
    with pytest.raises(gr.Error, match="temperature"):
        _last(tab.generate(MODEL, "ROMEO:", 3, 0, 0, 1.0, 5))
    with pytest.raises(gr.Error, match="limit is 20,000"):
        _last(tab.generate(MODEL, "x" * 20_001, 3, 0.8, 0, 1.0, 5))


def test_generate_matches_the_library_and_falls_back_from_an_offline_hub_id():
    text, _, notice, gen = _last(tab.generate("distilgpt2", "ROMEO:", 10, 0.8, 0, 1.0, 5))
    assert "cannot be downloaded" in notice and "bundled model" in notice
    same = tx.generate(tx.load(MODEL), tx.Params(prompt="ROMEO:", length=10, temperature=0.8, seed=5))
    assert text == same.output == gen.output and gen.model == "text-shakespeare"


def test_step_mode_handlers():
    chart, choices, note = tab.peek(MODEL, "JULIET:\nMy ", 1.0, 0, 1.0)
    assert 'class="prob-chart"' in chart and choices["choices"]
    first_id = choices["choices"][0][1]
    text, _, _, note, position = tab.add_token(MODEL, "JULIET:\nMy ", first_id, 7, 0, 1.0, 0, 1.0)
    assert text.startswith("JULIET:\nMy ") and len(text) == len("JULIET:\nMy ") + 1 and position == 1
    assert "you picked" in note
    drawn = tab.sample_token(MODEL, "JULIET:\nMy ", 7, 0, 1.0, 0, 1.0)
    assert drawn == tab.sample_token(MODEL, "JULIET:\nMy ", 7, 0, 1.0, 0, 1.0) and "sampler drew" in drawn[3]
    with pytest.raises(gr.Error, match="seed"):
        tab.sample_token(MODEL, "JULIET:", -1, 0, 1.0, 0, 1.0)


def test_about_choices_and_errors_of_the_training_handlers():
    assert "text-shakespeare" in tab.about(MODEL) and "1.437" in tab.about(MODEL)
    assert tab.about("/nowhere/model").startswith("⚠️")
    assert (("text-shakespeare", MODEL) in tab._choices()) and tab._choices("distilgpt2")[-1] == ("distilgpt2", "distilgpt2")
    assert 0 <= tab.new_seed() <= 2**31 - 1
    with pytest.raises(gr.Error, match="Upload a .txt file first."):
        _last(tab.finetune(None, MODEL, 10, 0))
    with pytest.raises(gr.Error, match="Not enough highly rated text"):
        _last(tab.learn_from_feedback(MODEL))


def test_build_wires_top_level_handlers_and_loads_no_model():
    tx.clear_cache()
    with gr.Blocks() as demo:
        tab.build(MODEL)
    assert not tx.loaded()
    named = {d.api_name: d.fn for d in demo.fns.values() if d.api_name}
    for api in ("generate", "next_token", "add_token", "sample_token", "finetune", "learn_from_feedback", "rate"):
        assert api in named, api
        assert "<locals>" not in named[api].__qualname__ and "<lambda>" not in named[api].__qualname__
