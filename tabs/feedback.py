"""The Feedback dashboard: counts and mean ratings, plots, latest comments, exports.

When the app runs with an admin secret (``--admin-secret`` / ``PLAYGROUND_ADMIN_SECRET``),
the raw comments and the exports need it; the aggregate figures stay public.
"""
from __future__ import annotations

import hmac
import tempfile
import time
from pathlib import Path

import gradio as gr
import pandas as pd
from gradio.context import Context

from playground import feedback

COMMENT_COLUMNS = ["time", "modality", "model", "rating", "comment"]


def _allowed(secret: str | None, given: str | None) -> bool:
    return not secret or hmac.compare_digest(secret.encode(), (given or "").encode())


def _store(store: feedback.FeedbackStore | None) -> feedback.FeedbackStore:
    try:
        return store or feedback.default_store()
    except ValueError as e:  # e.g. a corrupt database file
        raise gr.Error(str(e)) from None


def summary(store: feedback.FeedbackStore | None = None):
    """(headline, per-model table, histogram frame, over-time frame) for the dashboard."""
    s = _store(store).stats()
    if not s["total"]:
        head = "No ratings yet. Rate an output in any tab, then press Refresh."
    else:
        parts = ", ".join(f"{m['modality']} {m['count']} (mean {m['mean']:.2f})" for m in s["by_modality"])
        head = f"**{s['total']} rating{'s' if s['total'] != 1 else ''}**, mean **{s['mean']:.2f}**/5. By modality: {parts}."
    table = pd.DataFrame(s["by_model"], columns=["modality", "model", "count", "mean"])
    hist = pd.DataFrame({"rating": [str(r) for r in s["histogram"]], "count": list(s["histogram"].values())})
    over = pd.DataFrame(s["over_time"], columns=["time", "count", "mean"])  # time: "2026-11-25 18:00" (UTC)
    return head, table, hist, over


def comments(n: int = 50, secret: str | None = None, given: str | None = None,
             store: feedback.FeedbackStore | None = None) -> pd.DataFrame:
    """The latest comments as a plain-text table (needs the admin secret when one is set)."""
    if not _allowed(secret, given):
        raise gr.Error("Enter the admin password to see the comments.")
    rows = _store(store).latest_comments(n)
    return pd.DataFrame(rows, columns=COMMENT_COLUMNS)


def export(kind: str, secret: str | None = None, given: str | None = None,
           store: feedback.FeedbackStore | None = None) -> str:
    """Write every rating as ``kind`` ("csv" or "jsonl") to a temporary file and return its path."""
    if not _allowed(secret, given):
        raise gr.Error("Enter the admin password to export the ratings.")
    store = _store(store)
    out = Path(tempfile.mkdtemp(prefix="playground-export-")) / f"ratings-{time.strftime('%Y%m%d-%H%M%S')}.{kind}"
    return str(store.export_csv(out) if kind == "csv" else store.export_jsonl(out))


INTRO = (
    "Every output in this app can be rated from 1 to 5 with an optional comment (the box under it). "
    "This page shows what people thought: how many ratings each model got and their average, how the "
    "ratings spread and change over time, and the latest comments. The ratings also teach the models: "
    "the Images tab can steer toward what was liked, Text and Music can pick the best of several "
    "candidates, and the text model can be fine-tuned on its best-rated outputs. "
    "Export everything as CSV or JSON Lines to study it yourself."
)


def build(admin_secret: str | None = None) -> None:
    """The dashboard tab body; ``admin_secret`` guards comments and exports when set."""
    gr.Markdown(INTRO + (" The comments and exports need the admin password." if admin_secret else ""))
    head = gr.Markdown()
    refresh = gr.Button("Refresh", variant="primary")
    table = gr.Dataframe(label="Ratings per model", interactive=False)
    with gr.Row():
        hist = gr.BarPlot(x="rating", y="count", title="Rating histogram", label="Rating histogram",
                          sort=None)
        over = gr.BarPlot(x="time", y="count", title="Ratings over time (UTC; hover for the mean)",
                          label="Ratings over time", tooltip="all", sort="x", y_lim=[0, None])
    password = gr.Textbox(label="Admin password", type="password", visible=bool(admin_secret),
                          info="Needed for the comments and the exports.")
    notes = gr.Dataframe(label="Latest comments", headers=COMMENT_COLUMNS, interactive=False,
                         wrap=True, datatype=["str", "str", "str", "number", "str"])
    with gr.Row():
        csv_btn = gr.Button("Export CSV")
        jsonl_btn = gr.Button("Export JSONL")
    download = gr.File(label="Download", interactive=False)

    # refresh on the button and whenever the Feedback tab is opened
    parent = Context.block
    triggers = [refresh.click] + ([parent.select] if isinstance(parent, gr.Tab) else [])
    gr.on(triggers, summary, None, [head, table, hist, over], api_name="feedback_summary",
          concurrency_limit=8)

    def latest(given: str = "") -> pd.DataFrame:
        if admin_secret and not given:  # nothing to show until the password is typed
            return pd.DataFrame(columns=COMMENT_COLUMNS)
        return comments(50, admin_secret, given)

    gr.on(triggers + [password.submit], latest, password, notes, api_name="feedback_comments")
    csv_btn.click(lambda given="": export("csv", admin_secret, given), password, download, api_name="export_csv")
    jsonl_btn.click(lambda given="": export("jsonl", admin_secret, given), password, download,
                    api_name="export_jsonl")
