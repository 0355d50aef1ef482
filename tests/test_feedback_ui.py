"""The rating widget and the Feedback dashboard: handlers, admin secret, and a live app over HTTP."""
from __future__ import annotations

import csv
import json
import socket

import gradio as gr
import pytest

from playground import feedback
from playground.feedback import FeedbackStore
from playground.generation import Generation
from tabs import i18n as ui_i18n
from tabs import feedback as dashboard
from tabs import rating


class FakeRequest:
    session_hash = "browser-session-1"


@pytest.fixture
def store(tmp_path):
    s = FeedbackStore(f"sqlite:///{tmp_path / 'ui.db'}")
    feedback.set_default_store(s)
    yield s
    feedback.set_default_store(None)


def gen(output="hello") -> Generation:
    return Generation("text", "text-shakespeare", "abc", {"seed": 3, "prompt": "To be"}, output)


def test_submit_confirms_then_updates(store):
    g = gen()
    assert rating.submit(None, 4, "", FakeRequest()) == rating.NOTHING_YET
    assert rating.submit(g, 4, "nice", FakeRequest()).startswith("Saved: 4/5")
    assert rating.submit(g, 2, "", FakeRequest()).startswith("Updated: 2/5")
    assert store.count() == 1
    assert store.rated("text")[0]["session"] == feedback.hash_session("browser-session-1")


@pytest.mark.parametrize("bad, message", [(None, "Pick a rating"), (9, "1 to 5")])
def test_submit_bad_input_is_a_gradio_error(store, bad, message):
    with pytest.raises(gr.Error, match=message):
        rating.submit(gen(), bad, "", FakeRequest())
    with pytest.raises(gr.Error, match="too long"):
        rating.submit(gen(), 3, "x" * 1_000_000, FakeRequest())


def test_dashboard_summary_and_comments_are_plain_text(store):
    head, table, hist, over = dashboard.summary()
    assert "No ratings yet" in head and table.empty
    rating.submit(gen(), 5, "<script>alert(1)</script>", FakeRequest())
    rating.submit(gen("other"), 3, "", FakeRequest())
    head, table, hist, over = dashboard.summary()
    assert "2 ratings" in head and table.to_dict("records") == [
        {"modality": "text", "model": "text-shakespeare", "count": 2, "mean": 4.0}]
    assert hist["count"].tolist() == [0, 0, 1, 0, 1] and over["count"].sum() == 2
    notes = dashboard.comments(10)
    assert notes["comment"].tolist() == ["<script>alert(1)</script>"]


def test_admin_secret_guards_comments_and_exports(store):
    rating.submit(gen(), 5, "secret opinion", FakeRequest())
    for call in (lambda p: dashboard.comments(10, "s3cret", p), lambda p: dashboard.export("csv", "s3cret", p)):
        for wrong in ("", "S3CRET", None):
            with pytest.raises(gr.Error, match="admin password"):
                call(wrong)
    assert dashboard.comments(10, "s3cret", "s3cret")["comment"].tolist() == ["secret opinion"]
    with open(dashboard.export("csv", "s3cret", "s3cret"), newline="", encoding="utf-8") as f:
        assert next(csv.DictReader(f))["comment"] == "secret opinion"
    lines = open(dashboard.export("jsonl", "s3cret", "s3cret"), encoding="utf-8").read().splitlines()
    assert json.loads(lines[0])["rating"] == 5


def test_blocks_build_with_two_tabs_sharing_the_widget(store):
    with gr.Blocks() as demo:
        for name in ("A", "B"):
            with gr.Tab(name):
                rating.build(gr.State(None))
        with gr.Tab("Feedback"):
            dashboard.build("s3cret")
    notes = [b for b in demo.blocks.values() if isinstance(b, gr.Dataframe) and b.label == "Latest comments"]
    assert notes[0].datatype == ["str", "str", "str", "number", "str"]  # plain text cells, never html/markdown
    names = {fn.api_name for fn in demo.fns.values()}
    assert {"rate", "rate_1", "feedback_summary", "feedback_comments", "export_csv", "export_jsonl"} <= names


def test_live_app_over_http(store):
    """A real server: the rating endpoint without an output says so; summary and export work."""
    from gradio_client import Client

    with gr.Blocks() as demo:
        state = gr.State(None)
        rating.build(state)
        with gr.Tab("Feedback"):
            dashboard.build(None)
    store.record(gen(), 4, "via store", session="s")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    demo.queue().launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True,
                        i18n=ui_i18n.i18n())  # labels are i18n keys: the page needs the table
    try:
        client = Client(demo.local_url, verbose=False)
        assert client.predict(4, "", api_name="/rate") == rating.NOTHING_YET
        head = client.predict(api_name="/feedback_summary")[0]
        assert "1 rating" in head
        path = client.predict("", api_name="/export_jsonl")
        assert json.loads(open(path, encoding="utf-8").readline())["comment"] == "via store"
    finally:
        demo.close()
