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
from tabs import compare, feedback_charts, i18n
from tabs.i18n import lang_of, say, sentence, t

COMMENT_COLUMNS = ["time", "modality", "model", "rating", "comment"]


def _allowed(secret: str | None, given: str | None) -> bool:
    return not secret or hmac.compare_digest(secret.encode(), (given or "").encode())


def _store(store: feedback.FeedbackStore | None) -> feedback.FeedbackStore:
    try:
        return store or feedback.default_store()
    except ValueError as e:  # e.g. a corrupt database file
        raise gr.Error(sentence(str(e))) from None


def summary(store: feedback.FeedbackStore | None = None):
    """(headline, per-model table, histogram frame, over-time frame) for the dashboard."""
    s = _store(store).stats()
    if not s["total"]:
        head = say("feedback.none")
    else:
        parts = ", ".join(say("feedback.part", modality=_modality(m["modality"]), count=m["count"], mean=m["mean"])
                          for m in s["by_modality"])
        head = say("feedback.head" if s["total"] != 1 else "feedback.head_one", n=s["total"], mean=s["mean"],
                   parts=parts)
    table = pd.DataFrame(s["by_model"], columns=["modality", "model", "count", "mean"])
    hist = pd.DataFrame({"rating": [str(r) for r in s["histogram"]], "count": list(s["histogram"].values())})
    over = pd.DataFrame(s["over_time"], columns=["time", "count", "mean"])  # time: "2026-11-25 18:00" (UTC)
    if lang_of() != "en":  # the charts' axis titles in the reader's language (the columns stay English)
        table = table.rename(columns=_columns())
        axes = {"x_title": say("feedback.rating_axis"), "y_title": say("feedback.count_axis")}
        hist = gr.BarPlot(hist, **axes)
        over = gr.BarPlot(over, x_title=say("feedback.time_axis"), y_title=say("feedback.count_axis"))
    return head, table, hist, over


def _modality(name: str) -> str:
    """A modality's name ("text", "image", "music") in the reader's language."""
    return say(f"modality.{name}") if f"modality.{name}" in i18n.table() else name


def comments(n: int = 50, secret: str | None = None, given: str | None = None,
             store: feedback.FeedbackStore | None = None) -> pd.DataFrame:
    """The latest comments as a plain-text table (needs the admin secret when one is set)."""
    if not _allowed(secret, given):
        raise gr.Error(say("feedback.password_comments"))
    rows = _store(store).latest_comments(n)
    frame = pd.DataFrame(rows, columns=COMMENT_COLUMNS)
    return frame.rename(columns=_columns()) if lang_of() != "en" else frame


def _columns() -> dict[str, str]:
    """Table headings in the reader's language (``feedback.col.<name>``)."""
    return {c: say(f"feedback.col.{c}") for c in ("time", "modality", "model", "rating", "comment", "count", "mean")}


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
        raise gr.Error(say("feedback.password_export"))
    if kind not in EXPORTS:
        raise gr.Error(say("feedback.unknown_export", kind=kind))
    name, write = EXPORTS[kind]
    out = Path(tempfile.mkdtemp(prefix="playground-export-")) / f"{time.strftime('%Y%m%d-%H%M%S')}-{name}"
    return str(write(_store(store), out))


def versions(modality: str) -> str:
    """The lineage of ``modality``'s model versions as an indented outline."""
    try:
        return lineage.tree(lineage.versions(modality)) or say("feedback.no_versions")
    except ValueError as e:
        raise gr.Error(sentence(str(e))) from None


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
        hist = gr.BarPlot(x="rating", y="count", title=str(t("feedback.hist")), label=t("feedback.hist"), sort=None)
        over = gr.BarPlot(x="time", y="count", title=str(t("feedback.over_time")),
                          label=t("feedback.over_time_label"), tooltip="all", sort="x", y_lim=[0, None])
    return refresh, [head, table, hist, over]


def _exports(admin_secret: str | None):
    password = gr.Textbox(label=t("feedback.password"), type="password", visible=bool(admin_secret),
                          info=t("feedback.password_info"))
    notes = gr.Dataframe(label=t("feedback.comments"), headers=COMMENT_COLUMNS, interactive=False,
                         wrap=True, datatype=["str", "str", "str", "number", "str"])
    with gr.Row():
        buttons = {kind: gr.Button(t(f"feedback.export_{kind}"), size="sm") for kind in EXPORTS}
    download = gr.File(label=t("feedback.download"), interactive=False)
    return password, notes, buttons, download


def _lineage():
    with gr.Row():
        which = gr.Radio(compare.MODALITIES, value="text", label=t("feedback.versions_of"))
        show = gr.Button(t("feedback.show_lineage"), size="sm")
    tree = gr.Markdown()
    gr.on([which.change, show.click], versions, which, tree, api_name="lineage")


def build(admin_secret: str | None = None) -> None:
    """The dashboard tab body; ``admin_secret`` guards comments and exports when set."""
    gr.Markdown(t("feedback.intro"))
    if admin_secret:
        gr.Markdown(t("feedback.needs_password"))
    secret = gr.State(admin_secret)
    refresh, charts = _charts()
    with gr.Accordion(t("board.section"), open=True):
        which, board = feedback_charts.build()
    with gr.Accordion(t("feedback.compare"), open=False):
        compared, voted = compare.build()
    for event in voted:  # a vote shows its modality's leaderboard, with the vote in it
        event.then(feedback_charts.after_vote, compared, [which, *board], api_visibility="private")
    with gr.Accordion(t("feedback.lineage"), open=False):
        _lineage()
    password, notes, buttons, download = _exports(admin_secret)
    parent = Context.block  # refresh on the button and whenever the Feedback tab is opened
    triggers = [refresh.click] + ([parent.select] if isinstance(parent, gr.Tab) else [])
    gr.on(triggers, summary, None, charts, api_name="feedback_summary", concurrency_limit=8)
    gr.on(triggers, feedback_charts.leaderboard, which, board, api_visibility="private", concurrency_limit=4)
    gr.on(triggers + [password.submit], latest, [secret, password], notes, api_name="feedback_comments")
    for kind, btn in buttons.items():
        btn.click(export, [gr.State(kind), secret, password], download, api_name=f"export_{kind}")
