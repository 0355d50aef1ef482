"""The one rating widget placed under every output (1-5, optional comment, submit).

``build(generation_state)`` lays it out inside the current Blocks context; the state holds
the last ``playground.generation.Generation`` of that tab. The browser session is stored
only as an anonymous hash (``gr.Request.session_hash`` hashed by the store); no IP address.
"""
from __future__ import annotations

import gradio as gr

from playground import feedback
from playground.generation import Generation
from tabs.i18n import english, say, sentence, t

CHOICES = [(t("rating.poor"), 1), ("2", 2), ("3", 3), ("4", 4), (t("rating.great"), 5)]
NOTHING_YET = english("rating.nothing")


def submit(generation: Generation | None, rating: int | None, comment: str,
           request: gr.Request | None = None) -> str:
    """Store the rating; returns the confirmation line (raises gr.Error for bad input)."""
    if generation is None:
        return say("rating.nothing")
    session = getattr(request, "session_hash", None) if request is not None else None
    try:
        row = feedback.default_store().record(generation, rating, comment, session=session)
    except ValueError as e:
        raise gr.Error(sentence(str(e))) from None
    key = ("rating.updated" if row["updated_existing"] else "rating.saved") + ("_comment" if row["comment"] else "")
    modality = say(f"modality.{row['modality']}") if row["modality"] in ("text", "image", "music") else row["modality"]
    return say(key, rating=row["rating"], modality=modality, model=row["model"])


def build(generation: gr.State, redraws: list | None = None) -> None:
    """Rating controls for the ``Generation`` held in ``generation``; ``redraws``: events of
    the tab whose new output comes back outside the queue (the page fires no change event for a
    state set that way), which start a fresh rating too."""
    with gr.Group():
        with gr.Row():
            rating = gr.Radio(CHOICES, label=t("rating.label"), scale=2)
            comment = gr.Textbox(label=t("rating.comment"), max_length=feedback.MAX_COMMENT,
                                 placeholder=t("rating.placeholder"), lines=1, max_lines=4, scale=3)
            send = gr.Button(t("rating.submit"), variant="secondary", scale=1)
        gr.Markdown(t("rating.stored"), elem_classes=["rating-note"])
        status = gr.Markdown()
    gr.on([send.click, comment.submit], submit, [generation, rating, comment], status,
          api_name="rate", concurrency_limit=16)
    # a new output starts a fresh rating, in the page itself (no request)
    gr.on([generation.change, *(redraws or [])], None, None, [rating, comment, status], js="() => [null, '', '']")
