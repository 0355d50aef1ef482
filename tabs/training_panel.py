"""The controls of a training run started in the page: Start, Stop, the run's curve and its status line.

    with gr.Accordion(t("images.dpo")):
        ...                                             # the run's own inputs, if any
        panel = training_panel.controls("images.dpo_start", "images.losses")
    training_panel.wire(panel, learn_from_votes, [model], model, api_name="learn_from_votes_images")

The handler streams (curve, status, update of ``selected``): the new version is selected when it
is saved. Stop cancels the run (nothing is saved); one run at a time per event.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import gradio as gr

from tabs import a11y
from tabs.i18n import t


@dataclass
class Panel:
    start: gr.Button
    stop: gr.Button
    curve: gr.Image
    status: gr.Markdown


def controls(start_key: str, curve_key: str) -> Panel:
    """Start and Stop side by side, the curve below, then the status line (inside the caller's layout)."""
    with gr.Row():
        start = gr.Button(t(start_key), variant="primary")
        stop = gr.Button(t("common.stop"))
    curve = a11y.picture(curve_key, type="pil", format="png", height=240)
    return Panel(start, stop, curve, gr.Markdown())


def wire(panel: Panel, fn: Callable, inputs: list, selected: gr.components.Component, api_name: str) -> None:
    """Start runs ``fn(*inputs)`` into (curve, status, ``selected``); Stop cancels it."""
    run = panel.start.click(fn, inputs, [panel.curve, panel.status, selected], api_name=api_name,
                            concurrency_limit=1)
    panel.stop.click(None, cancels=[run])
