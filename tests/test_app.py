"""The app builds, starts with --help, and serves the Text tab end to end over HTTP."""
from __future__ import annotations

import os
import subprocess
import sys

import gradio as gr
import pytest

import app
from playground import config


def test_help_runs():
    out = subprocess.run([sys.executable, str(config.ROOT / "app.py"), "--help"], capture_output=True,
                         text=True, timeout=120, cwd=config.ROOT)
    assert out.returncode == 0
    for flag in ("--host", "--port", "--share", "--text-model", "--data-dir"):
        assert flag in out.stdout


def test_the_app_starts_without_the_model_libraries(tmp_path):
    """Building the app imports neither transformers nor torchvision nor matplotlib: they load with
    the first model or chart (transformers alone added ~2 s to the start when the text batching
    module was imported eagerly)."""
    code = ("import sys, app; app.build_demo(app.parse_args(['--data-dir', sys.argv[1]])); "
            "print(sorted(m for m in ('transformers', 'torchvision', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True,
                         timeout=120, cwd=config.ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_app_builds_with_a_tab_per_modality_and_loads_no_model(tmp_path):
    from playground import text as tx

    tx.clear_cache()
    demo = app.build_demo(app.parse_args(["--data-dir", str(tmp_path)]))
    assert isinstance(demo, gr.Blocks)
    labels = [b.label for b in demo.blocks.values() if isinstance(b, gr.Tab)]
    for name in ("Text", "Images", "Music", "Feedback"):
        assert name in labels
    assert not tx.loaded()  # models load lazily, on first use


@pytest.mark.parametrize("env, threads, switch, records", [
    ({}, 1, 0.0005, 1),
    ({"PLAYGROUND_TORCH_THREADS": "2", "PLAYGROUND_SWITCH_INTERVAL_S": "0.002", "GRADIO_ANALYTICS_MAX_EVENTS": "50"},
     2, 0.002, 50)])
def test_serve_settings_set_the_process_as_the_app_runs(monkeypatch, env, threads, switch, records):
    """``python app.py`` and the text benchmark run with one torch thread and a 0.5 ms GIL switch
    interval, and the app's Gradio queue keeps one event record, unless the environment says otherwise."""
    import torch

    before = torch.get_num_threads(), sys.getswitchinterval()
    monkeypatch.setattr(os, "environ", {k: v for k, v in os.environ.items() if not k.startswith(
        ("PLAYGROUND_TORCH", "PLAYGROUND_SWITCH", "GRADIO_ANALYTICS_MAX", "GRADIO_ANALYTICS_CACHE"))} | env)
    try:
        assert config.serve_settings() == {"torch_threads": threads, "switch_interval_s": switch,
                                           "gradio_event_records": records}
        assert torch.get_num_threads() == threads and sys.getswitchinterval() == pytest.approx(switch)
        with gr.Blocks() as demo:
            gr.Markdown("x")
        queue = demo.queue()._queue
        assert queue.ANALYTICS_MAX_EVENTS == records and queue.ANAYLTICS_CACHE_FREQUENCY == 1_000_000
    finally:
        torch.set_num_threads(before[0])
        sys.setswitchinterval(before[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from playground.bench import ServedApp

    with ServedApp(data_dir=str(tmp_path_factory.mktemp("served"))) as running:
        yield running


def test_generate_end_to_end_through_gradio_client(served):
    from gradio_client import Client

    client = Client(served.url, verbose=False)
    model = str(config.DEFAULT_TEXT_MODEL)
    a = client.predict(model, "ROMEO:", 30, 0.8, 0, 1.0, 5, 1, api_name="/generate")
    b = client.predict(model, "ROMEO:", 30, 0.8, 0, 1.0, 5, 1, api_name="/generate")
    text_a, _, stats = a
    assert len(text_a) == 30 and text_a == b[0]
    assert "30 tokens" in stats
    peek = client.predict(model, "ROMEO", 1.0, 0, 1.0, api_name="/next_token")
    assert peek[0]["data"] if isinstance(peek[0], dict) and "data" in peek[0] else peek[0]


def test_bad_input_is_a_clear_message_not_a_crash(served):
    from gradio_client import Client

    client = Client(served.url, verbose=False)
    with pytest.raises(Exception, match="(?i)temperature|minimum value"):
        client.predict(str(config.DEFAULT_TEXT_MODEL), "ROMEO:", 30, 0.0, 0, 1.0, 5, 1, api_name="/generate")
    # a Hub id offline: warns and falls back to the bundled model, still generates
    text, _, notice = client.predict("distilgpt2", "ROMEO:", 10, 0.8, 0, 1.0, 5, 1, api_name="/generate")
    assert len(text) == 10 and "cannot be downloaded" in notice
    # the server is still up
    assert len(client.predict(str(config.DEFAULT_TEXT_MODEL), "", 5, 0.8, 0, 1.0, 1, 1, api_name="/generate")[0]) == 5


def test_a_class_generating_at_once_gets_the_texts_each_seed_gives_alone(served):
    """Eight pages press Generate together (continuous batching through Gradio, the prompts read
    together): every text is the one its seed gives when generated alone, streamed to its page."""
    from gradio_client import Client

    from playground.bench import _at_once

    model, n = str(config.DEFAULT_TEXT_MODEL), 8
    clients = [Client(served.url, verbose=False) for _ in range(n)]

    def together(client, i):
        job = client.submit(model, "ROMEO:", 120, 0.9, 0, 1.0, 100 + i, 1, api_name="/generate")
        return job.result()[0], len(job.outputs())
    results = _at_once(clients, together)
    alone = [clients[0].predict(model, "ROMEO:", 120, 0.9, 0, 1.0, 100 + i, 1, api_name="/generate")[0]
             for i in range(n)]
    assert [text for text, _ in results] == alone
    assert all(len(text) == 120 for text in alone) and len(set(alone)) == n
    assert all(updates >= 2 for _, updates in results)  # streamed, not one final answer
