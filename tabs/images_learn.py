"""The Images tab's "Learn from votes": Diffusion-DPO of the chosen diffusion model, in the page.

    images_learn.build(w)    # inside the tab: an accordion with Start, Stop, the loss curve, a status line
    images_learn.wire(w)     # after w.model exists: the new version is selected when it is saved

The pairs come from the blind votes and the rating gaps in the feedback store
(``playground.images.liking.learn_by_dpo``); one training runs at a time in the app.
"""
from __future__ import annotations

from types import SimpleNamespace

import gradio as gr

import playground.images as img
from playground import feedback, lineage, votes
from playground.images import learn, liking, plots
from tabs import training_panel
from tabs.common import user_errors
from tabs.i18n import label as shown_name, say, t


@user_errors
def learn_from_votes(model: str, progress=gr.Progress()):
    """Diffusion-DPO of ``model`` on the image votes and rating gaps; streams the loss curve and a
    status line, then selects the new version."""
    m = img.load(model)
    store = feedback.default_store()
    rows = lineage.lineage_rows(store.rated("image"), m.name)
    history: list[dict[str, float]] = []
    with learn.one_training():
        for ev in liking.learn_by_dpo(m, rows, votes.battles(store, "image")):
            progress(ev["progress"])
            if ev.get("losses") and not ev.get("done"):
                history.append({"dpo loss": ev["losses"]["dpo_loss"], "favours preferred": ev["losses"]["implicit_acc"]})
            curve = plots.loss_curve(history, "report") if history else None
            if ev.get("done"):
                new = img.find(ev["out_dir"])
                choices = [(shown_name(k), i.name) for k, i in img.labelled(img.models()).items()]
                yield curve, say("images.dpo_saved", name=new.name, pairs=ev["pairs"], steps=ev["step"],
                                 seconds=ev["elapsed_s"]), gr.update(choices=choices, value=new.name)
            elif ev.get("losses"):
                yield curve, say("images.dpo_step", step=ev["step"], loss=ev["losses"]["dpo_loss"],
                                 acc=ev["losses"]["implicit_acc"], seconds=ev["elapsed_s"]), gr.skip()


def build(w: SimpleNamespace) -> None:
    """The accordion (shown for every model; a GAN or VAE gets a message saying what it learns instead)."""
    with gr.Accordion(t("images.dpo"), open=False):
        gr.Markdown(t("images.dpo_help"))
        w.dpo = training_panel.controls("images.dpo_start", "images.losses")


def wire(w: SimpleNamespace) -> None:
    training_panel.wire(w.dpo, learn_from_votes, [w.model], w.model, api_name="learn_from_votes_images")
