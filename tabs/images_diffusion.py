"""The Images tab's diffusion parts: the steps / guidance / sampler controls (shown only while the
diffusion model is picked) and the trajectory view under the large sample (the strip from noise
to digit, the denoising GIF and what the steps cost).

    controls(w, visible)          # in the controls column: w.sampling_steps, w.guidance, w.sampler
    views(w, visible)             # under the pictures: w.trajectory, w.denoising, w.costs
    wire(w)                       # the view follows every new large sample
    triggers(w)                   # the settings' events that redraw (the tab's Generate handler)

Handlers (plain functions, tests call them directly): ``show(model, n)`` and ``view(model, g)``.
The tab passes the three settings after the six sliders (``SETTINGS``) to its drawing handlers.
"""
from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gradio as gr

from playground import images as img
from playground.generation import Generation
from playground.images import diffusion as D
from playground.images import diffusion_draw
from tabs import a11y
from tabs.i18n import english, say, t

GIF_DIR = Path(tempfile.gettempdir()) / "playground-images"  # a place Gradio may serve from
SETTINGS = ("sampling_steps", "guidance", "sampler")  # the order the handlers take them in
GRID = 16  # the grid size while the diffusion model is picked (64 works too, in about 2 s)
PLAIN_GRID = 64
STRIP_LABEL = english("diffusion.strip")


def is_diffusion(model: str) -> bool:
    """Whether the tab's model value names the diffusion model (False for a missing one)."""
    try:
        return img.find(model).model_type == "diffusion"
    except ValueError:
        return False


def shown(model: str) -> tuple:
    """The diffusion controls and views: visible only for the diffusion model."""
    return _visible(is_diffusion(model))


def _visible(on: bool) -> tuple:
    return gr.update(visible=on), gr.update(visible=on)


def show(model: str, n: Any) -> tuple:
    """Another model picked: the diffusion controls and views shown only for diffusion, and the
    grid size moved to its quick default (16) there, back to 64 from that default elsewhere."""
    on = is_diffusion(model)
    try:
        n = float(n)
    except (TypeError, ValueError):
        n = None
    size = (gr.update(value=GRID) if on and (n is None or n > GRID)
            else gr.update(value=PLAIN_GRID) if not on and n == GRID else gr.skip())
    return (*_visible(on), size)


def costs(model: str, g: Generation) -> str:
    """The "what the steps cost" note: this draw's time per image, then the card's table of time
    and quality at each step count for this sampler (the row nearest the chosen steps marked)."""
    steps, sampler = g.params["sampling_steps"], g.params["sampler"]
    secs, n = g.media["seconds"], g.media["n_images"]
    lines = [say("diffusion.cost" if n > 1 else "diffusion.cost_one", n=n, steps=steps, sampler=sampler.upper(),
                 ms=1000 * secs, per=1000 * secs / n)]
    rows = diffusion_draw.step_costs(img.load(model).extra["path"], sampler)
    if rows:
        near = min(rows, key=lambda r: abs(r["steps"] - steps))["steps"]
        lines += ["", say("diffusion.table"),
                  "|---:|---:|---:|---:|"]
        for r in rows:
            mark = " ◀" if r["steps"] == near else ""
            lines.append(f"| {r['steps']}{mark} | {r['ms_per_image']:,.0f} | {r['asked_digit']:.1%} | "
                         f"{r['frechet']:.1f} |")
        lines += ["", say("diffusion.card")]
    return "\n".join(lines)


def view(model: str, g: Generation | None, gif_dir: str | Path | None = None) -> tuple:
    """The strip, the path of the denoising GIF and the cost note of the diffusion drawing ``g``;
    empty for another model's drawing (the views are hidden then). Not ``gr.skip()``: Gradio
    rebuilds a skipped output's whole component config, 3-4 ms of a slider move's 12 (measured)."""
    if g is None or "trajectory" not in g.media:
        return None, None, ""
    folder = Path(gif_dir or GIF_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"denoising-{g.params['seed']}-{uuid.uuid4().hex[:8]}.gif"
    path = diffusion_draw.gif(g.media["trajectory"], folder / name)
    return g.media["strip"], str(path), costs(model, g)


# ---------------------------------------------------------------- layout

def controls(w: SimpleNamespace, visible: bool) -> None:
    """The diffusion settings (inside the tab's controls column)."""
    with gr.Group(visible=visible) as w.diffusion_controls:
        gr.Markdown(t("diffusion.help"))
        w.sampling_steps = gr.Slider(1, D.MAX_STEPS, value=D.DEFAULT_STEPS, step=1, label=t("diffusion.steps"),
                                     info=t("diffusion.steps_info"))
        w.guidance = gr.Slider(0, D.MAX_GUIDANCE, value=D.DEFAULT_GUIDANCE, step=0.05, label=t("diffusion.guidance"),
                               info=t("diffusion.guidance_info"))
        w.sampler = gr.Radio([(t("diffusion.ddim"), "ddim"), (t("diffusion.ddpm"), "ddpm")],
                             value="ddim", label=t("diffusion.sampler"))
    w.diffusion_inputs = [w.sampling_steps, w.guidance, w.sampler]


def views(w: SimpleNamespace, visible: bool) -> None:
    """The trajectory strip, the denoising GIF and the cost note (under the large sample)."""
    with gr.Column(visible=visible) as w.diffusion_views:
        w.trajectory = a11y.picture("diffusion.strip", type="pil", format="png", elem_id="image-trajectory")
        with gr.Row():
            with gr.Column(scale=1, min_width=160):
                w.denoising = a11y.picture("diffusion.denoising", type="filepath", height=180,
                                       elem_id="image-denoising")
            with gr.Column(scale=2):
                w.costs = gr.Markdown(elem_id="image-costs")


def outputs(w: SimpleNamespace) -> list:
    """The components ``view`` fills."""
    return [w.trajectory, w.denoising, w.costs]


def wire(w: SimpleNamespace, drawings: list) -> list:
    """The view follows the large sample after each event in ``drawings`` that draws it (Generate,
    a link, ...); returns those view events. A slider move returns the view with its drawing
    instead, so a move is one request (a ``w.big.change`` listener sent a second one for every
    move, whatever the model)."""
    return [drawing.then(view, [w.model, w.state], outputs(w), api_visibility="private", concurrency_limit=16,
                         show_progress="hidden") for drawing in drawings]


def triggers(w: SimpleNamespace) -> list:
    """The settings' events that redraw the picture (added to the tab's Generate triggers)."""
    return [w.sampling_steps.release, w.guidance.release, w.sampler.input]
