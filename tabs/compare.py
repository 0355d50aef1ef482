"""Blind A/B comparison (inside the Feedback tab) and the leaderboard's data.

Two versions of one modality answer the same conditions; the visitor votes A, B, tie or both
bad without knowing which is which; the names are revealed after the vote. The leaderboard
(``board``; shown by ``tabs/feedback_charts.py``) ranks the versions by Bradley-Terry strength
with bootstrap 95 % intervals.
"""
from __future__ import annotations

import random
import tempfile
from pathlib import Path

import gradio as gr
import pandas as pd

from playground import compare, feedback, registry, votes
from tabs import a11y
from tabs.common import user_errors
from tabs.i18n import say, t

MODALITIES = [(t("tab.text"), "text"), (t("tab.images"), "image"), (t("tab.music"), "music")]
CONDITION_HELP = {"text": t("compare.text_help"), "image": t("compare.image_help"), "music": t("compare.music_help")}
SAID = {"a": "compare.a", "b": "compare.b", "tie": "compare.said_tie", "both_bad": "compare.said_both_bad"}
DEFAULT_PROMPT = "ROMEO:\n"  # model input (English)


def _show(gen) -> tuple:
    """(text, image, audio) for one side; only the one for its modality is filled."""
    if gen.modality == "text":
        return gen.output, None, None
    if gen.modality == "image":
        return None, gen.media["image"], None
    out = Path(tempfile.mkdtemp(prefix="playground-compare-")) / f"{gen.id[:8]}.mid"
    files = registry.get("music").save_output(gen, out)
    return None, None, next(str(f) for f in files if f.suffix == ".wav")


@user_errors
def new_pair(modality: str, condition: str, request: gr.Request | None = None):
    """Make a blind pair; returns the pair id, both sides' widgets and the status line."""
    key = {"text": "prompt", "image": "label", "music": "notes"}[modality]
    session = getattr(request, "session_hash", None)
    pair = compare.make_pair(modality, {key: condition}, session, random.randint(0, 2**31 - 1))
    return (pair.id, *_show(pair.a), *_show(pair.b),
            say("compare.which"))


@user_errors
def cast(pair_id: str | None, outcome: str, request: gr.Request | None = None) -> str:
    """Store the vote and reveal the two versions."""
    if not pair_id:
        raise ValueError("Press Compare first to get a pair to vote on.")
    r = votes.vote(feedback.default_store(), pair_id, outcome, getattr(request, "session_hash", None))
    return say("compare.thanks", said=say(SAID[outcome]), model_a=r["model_a"], hash_a=r["hash_a"],
               model_b=r["model_b"], hash_b=r["hash_b"])


def board(modality: str) -> pd.DataFrame:
    """The Bradley-Terry leaderboard of ``modality`` as a table."""
    rows = votes.leaderboard(feedback.default_store(), modality)
    cols = ["model", "strength", "low", "high", "votes", "win_rate"]
    return pd.DataFrame(rows, columns=cols + ["wins"])[cols]


def _visible(modality: str):
    """Show the widgets of ``modality`` on both sides, and name the condition box."""
    side = [gr.update(visible=modality == m) for m in ("text", "image", "music")]
    return (*side, *side, gr.update(label=CONDITION_HELP[modality], value=""))


def _side(name: str):
    with gr.Column():
        gr.Markdown(f"### {name}")
        return (gr.Textbox(label=t(f"compare.output.{name}"), lines=6, interactive=False),
                a11y.picture(f"compare.image.{name}", type="pil", visible=False, height=200),
                gr.Audio(label=t(f"compare.audio.{name}"), type="filepath", visible=False))


def build() -> tuple[gr.Radio, list]:
    """The comparison and the vote buttons; returns the modality radio and the vote events, so the
    Feedback tab's leaderboard (``tabs/feedback_charts.py``, from ``board``) refreshes after a vote."""
    pair_id = gr.State(None)
    with gr.Row():
        modality = gr.Radio(MODALITIES, value="text", label=t("compare.of"), elem_id="compare-of")
        condition = gr.Textbox(label=CONDITION_HELP["text"], value=DEFAULT_PROMPT)
        go = gr.Button(t("compare.go"), variant="primary")
    with gr.Row():
        a, b = _side("A"), _side("B")
    status = gr.Markdown()
    gr.Markdown(t("compare.stored"))
    with gr.Row():
        buttons = {o: gr.Button(t(f"compare.{o}")) for o in ("a", "b", "tie", "both_bad")}
    modality.change(_visible, modality, [*a, *b, condition], api_visibility="private", queue=False)
    go.click(new_pair, [modality, condition], [pair_id, *a, *b, status], api_name="compare")
    voted = [btn.click(cast, [pair_id, gr.State(outcome)], status, api_name=f"vote_{outcome}")
             for outcome, btn in buttons.items()]
    return modality, voted
