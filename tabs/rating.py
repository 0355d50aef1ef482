"""The one rating widget placed under every output (1-5, optional comment, submit).

``build(generation_state)`` lays it out inside the current Blocks context; the state holds
the last ``playground.generation.Generation`` of that tab. The browser session is stored
only as an anonymous hash (``gr.Request.session_hash`` hashed by the store); no IP address.
"""
from __future__ import annotations

import gradio as gr

from playground import feedback
from playground.generation import Generation
from tabs.i18n import t

CHOICES = [("1 poor", 1), ("2", 2), ("3", 3), ("4", 4), ("5 great", 5)]
NOTHING_YET = "Nothing to rate yet: generate something first."
STORED = ("Your rating is stored with this output, its settings and an anonymous session id (no IP "
          "address); ratings may be exported for research and to train the models.")


def submit(generation: Generation | None, rating: int | None, comment: str,
           request: gr.Request | None = None) -> str:
    """Store the rating; returns the confirmation line (raises gr.Error for bad input)."""
    if generation is None:
        return NOTHING_YET
    session = getattr(request, "session_hash", None) if request is not None else None
    try:
        row = feedback.default_store().record(generation, rating, comment, session=session)
    except ValueError as e:
        raise gr.Error(str(e)) from None
    verb = "Updated" if row["updated_existing"] else "Saved"
    note = " with your comment" if row["comment"] else ""
    return f"{verb}: {row['rating']}/5 for this {row['modality']} output of `{row['model']}`{note}. Thank you!"


def build(generation: gr.State) -> None:
    """Rating controls for the ``Generation`` held in ``generation``."""
    with gr.Group():
        with gr.Row():
            rating = gr.Radio(CHOICES, label=t("rating.label"), scale=2)
            comment = gr.Textbox(label=t("rating.comment"), max_length=feedback.MAX_COMMENT,
                                 placeholder="What worked, what did not?", lines=1, max_lines=4, scale=3)
            send = gr.Button(t("rating.submit"), variant="secondary", scale=1)
        gr.Markdown(STORED, elem_classes=["rating-note"])
        status = gr.Markdown()
    gr.on([send.click, comment.submit], submit, [generation, rating, comment], status,
          api_name="rate", concurrency_limit=16)
    # a new output starts a fresh rating
    generation.change(lambda: (None, "", ""), None, [rating, comment, status], api_visibility="private", queue=False)
