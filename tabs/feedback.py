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

from playground import exports, feedback, lineage
from tabs import compare
from tabs.i18n import t

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


EXPORTS = {  # kind -> (file name, writer)
    "csv": ("ratings.csv", lambda s, p: s.export_csv(p)),
    "jsonl": ("ratings.jsonl", lambda s, p: s.export_jsonl(p)),
    "kto": ("kto-unpaired-preferences.jsonl", exports.export_kto),
    "dpo": ("dpo-pairs.jsonl", exports.export_dpo),
    "battles": ("arena-battles.jsonl", exports.export_battles),
}


def export(kind: str, secret: str | None = None, given: str | None = None,
           store: feedback.FeedbackStore | None = None) -> str:
    """Write the ratings / votes as ``kind`` (see ``EXPORTS``) to a temporary file; returns its path."""
    if not _allowed(secret, given):
        raise gr.Error("Enter the admin password to export the ratings.")
    if kind not in EXPORTS:
        raise gr.Error(f"Unknown export '{kind}'.")
    name, write = EXPORTS[kind]
    out = Path(tempfile.mkdtemp(prefix="playground-export-")) / f"{time.strftime('%Y%m%d-%H%M%S')}-{name}"
    return str(write(_store(store), out))


def versions(modality: str) -> str:
    """The lineage of ``modality``'s model versions as an indented outline."""
    try:
        return lineage.tree(lineage.versions(modality)) or "No versions yet."
    except ValueError as e:
        raise gr.Error(str(e)) from None


INTRO = (
    "Every output in this app can be rated from 1 to 5 with an optional comment (the box under it). "
    "This page shows what people thought: how many ratings each model got and their average, how the "
    "ratings spread and change over time, and the latest comments. The ratings also teach the models: "
    "the Images tab can steer toward what was liked, Text and Music can pick the best of several "
    "candidates, and the text model can be fine-tuned on its best-rated outputs. "
    "Export everything as CSV or JSON Lines to study it yourself, or as the preference files training "
    "libraries read (KTO, DPO, Arena battles). Below, compare two model versions blind and see the "
    "Bradley-Terry leaderboard of your votes."
)


def latest(secret: str | None, given: str = "") -> pd.DataFrame:
    """The comments table: empty until the password is typed when a secret is set."""
    if secret and not given:
        return pd.DataFrame(columns=COMMENT_COLUMNS)
    return comments(50, secret, given)


def _charts():
    head = gr.Markdown()
    refresh = gr.Button(t("feedback.refresh"), variant="primary")
    table = gr.Dataframe(label=t("feedback.table"), interactive=False)
    with gr.Row():
        hist = gr.BarPlot(x="rating", y="count", title="Rating histogram", label="Rating histogram", sort=None)
        over = gr.BarPlot(x="time", y="count", title="Ratings over time (UTC; hover for the mean)",
                          label="Ratings over time", tooltip="all", sort="x", y_lim=[0, None])
    return refresh, [head, table, hist, over]


def _exports(admin_secret: str | None):
    password = gr.Textbox(label="Admin password", type="password", visible=bool(admin_secret),
                          info="Needed for the comments and the exports.")
    notes = gr.Dataframe(label=t("feedback.comments"), headers=COMMENT_COLUMNS, interactive=False,
                         wrap=True, datatype=["str", "str", "str", "number", "str"])
    with gr.Row():
        buttons = {kind: gr.Button(label, size="sm") for kind, label in (
            ("csv", "Export CSV"), ("jsonl", "Export JSONL"), ("kto", "KTO preferences (TRL)"),
            ("dpo", "DPO pairs (TRL)"), ("battles", "Arena battles"))}
    download = gr.File(label="Download", interactive=False)
    return password, notes, buttons, download


def _lineage():
    with gr.Row():
        which = gr.Radio(compare.MODALITIES, value="text", label="Versions of")
        show = gr.Button("Show lineage", size="sm")
    tree = gr.Markdown()
    gr.on([which.change, show.click], versions, which, tree, api_name="lineage")


def build(admin_secret: str | None = None) -> None:
    """The dashboard tab body; ``admin_secret`` guards comments and exports when set."""
    gr.Markdown(INTRO + (" The comments and exports need the admin password." if admin_secret else ""))
    secret = gr.State(admin_secret)
    refresh, charts = _charts()
    with gr.Accordion("Blind comparison (A/B) and leaderboard", open=False):
        compare.build()
    with gr.Accordion("Model versions (lineage)", open=False):
        _lineage()
    password, notes, buttons, download = _exports(admin_secret)
    parent = Context.block  # refresh on the button and whenever the Feedback tab is opened
    triggers = [refresh.click] + ([parent.select] if isinstance(parent, gr.Tab) else [])
    gr.on(triggers, summary, None, charts, api_name="feedback_summary", concurrency_limit=8)
    gr.on(triggers + [password.submit], latest, [secret, password], notes, api_name="feedback_comments")
    for kind, btn in buttons.items():
        btn.click(export, [gr.State(kind), secret, password], download, api_name=f"export_{kind}")
