"""Blind A/B comparison and the leaderboard (inside the Feedback tab).

Two versions of one modality answer the same conditions; the visitor votes A, B, tie or both
bad without knowing which is which; the names are revealed after the vote. The leaderboard
ranks the versions by Bradley-Terry strength with bootstrap 95 % intervals.
"""
from __future__ import annotations

import random
import tempfile
from pathlib import Path

import gradio as gr
import pandas as pd

from playground import compare, feedback, registry, votes
from tabs.common import user_errors

MODALITIES = [("Text", "text"), ("Images", "image"), ("Music", "music")]
STORED = ("Your vote is stored with both outputs, their settings and an anonymous session id (no IP "
          "address); it may be exported for research and to train the models.")
CONDITION_HELP = {"text": "Prompt both versions continue", "image": "Digit both versions draw (0-9, empty = any)",
                  "music": "Melody both versions harmonise (note names, e.g. C5 D5 E5:2)"}


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
            "Which is better? Vote below; the versions are revealed after your vote.")


@user_errors
def cast(pair_id: str | None, outcome: str, request: gr.Request | None = None) -> str:
    """Store the vote and reveal the two versions."""
    if not pair_id:
        raise ValueError("Press Compare first to get a pair to vote on.")
    r = votes.vote(feedback.default_store(), pair_id, outcome, getattr(request, "session_hash", None))
    said = {"a": "A is better", "b": "B is better", "tie": "a tie", "both_bad": "both bad"}[outcome]
    return (f"Thanks: you said **{said}**. A was `{r['model_a']}` ({r['hash_a']}), "
            f"B was `{r['model_b']}` ({r['hash_b']}).")


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
        return (gr.Textbox(label=f"Output {name}", lines=6, interactive=False),
                gr.Image(label=f"Image {name}", type="pil", visible=False, height=200),
                gr.Audio(label=f"Audio {name}", type="filepath", visible=False))


def build() -> None:
    """The comparison, the vote buttons and the leaderboard."""
    pair_id = gr.State(None)
    with gr.Row():
        modality = gr.Radio(MODALITIES, value="text", label="Compare versions of")
        condition = gr.Textbox(label=CONDITION_HELP["text"], value="ROMEO:\n")
        go = gr.Button("Compare", variant="primary")
    with gr.Row():
        a, b = _side("A"), _side("B")
    status = gr.Markdown()
    gr.Markdown(STORED)
    with gr.Row():
        buttons = {o: gr.Button(label) for o, label in
                   (("a", "A is better"), ("b", "B is better"), ("tie", "Tie"), ("both_bad", "Both bad"))}
    table = gr.Dataframe(label="Leaderboard (Bradley-Terry strength, 95 % bootstrap interval)", interactive=False)
    modality.change(_visible, modality, [*a, *b, condition], api_visibility="private", queue=False)
    go.click(new_pair, [modality, condition], [pair_id, *a, *b, status], api_name="compare")
    for outcome, btn in buttons.items():
        btn.click(cast, [pair_id, gr.State(outcome)], status, api_name=f"vote_{outcome}").then(
            board, modality, table, api_visibility="private")
    modality.change(board, modality, table, api_visibility="private")
