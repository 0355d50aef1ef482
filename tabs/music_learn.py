"""The Music tab's "Learn from feedback (RL Tuner)": policy-gradient fine-tuning of the chorale LSTM
on the raters' scorer and the voice-leading rules, in the page.

    music_learn.build(w, model)    # inside the tab: an accordion with the version to start from,
                                   # Start, Stop, the reward/loss curve and a status line
    music_learn.wire(w)            # the new version is selected when it is saved

The reward comes from the music ratings of the model's lineage (``playground.music.rl``); one
training runs at a time in the app (``playground.images.learn.one_training``).
"""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import gradio as gr

from playground import feedback, lineage, music
from playground.images import learn
from playground.images.plots import loss_curve
from playground.music import rl
from playground.music.model import MODEL_TYPE
from tabs import training_panel
from tabs.common import user_errors
from tabs.i18n import say, t


def lstm_choices(model: str | Path = music.DEFAULT_MODEL) -> list[tuple[str, str]]:
    """The chorale LSTM versions that compose (the bundled one and those learned from feedback);
    ``model`` is offered too when it is a folder outside them."""
    found = [(m.name, m.name) for m in music.models() if m.model_type == MODEL_TYPE and m.facts["generates"]]
    name = Path(model).name
    return found if any(v == name for _, v in found) else [(name, str(model))] + found


def _figures(d: dict) -> dict:
    return {k: 100 * d.get(k, 0.0) for k in rl.RULES}


@user_errors
def learn_by_rl(model: str, progress=gr.Progress()):
    """RL Tuner of ``model`` on the ratings of its lineage; streams the curve and a status line, then
    selects the new version."""
    m = music.load(model)
    rows = lineage.lineage_rows(feedback.default_store().rated("music"), m.name)
    history: list[dict[str, float]] = []
    with learn.one_training():
        for ev in rl.learn_by_rl(m, rows):
            progress(ev["progress"])
            if ev.get("losses") and not ev.get("done"):
                history.append({"reward": ev["losses"]["reward"], "loss": ev["losses"]["loss"],
                                "KL (nats)": ev["losses"]["kl"]})
            curve = loss_curve(history, "step") if history else None
            if ev.get("done"):
                b, a = ev["before"], ev["after"]
                status = say("music.rl_saved", name=Path(ev["out_dir"]).name, ratings=ev["ratings"], steps=ev["step"],
                             seconds=ev["elapsed_s"], **{f"{k}_b": v for k, v in _figures(b).items()},
                             **{f"{k}_a": v for k, v in _figures(a).items()})
                if "rated" in a:
                    status += " " + say("music.rl_rated", before=b["rated"], after=a["rated"])
                new = Path(ev["out_dir"]).name
                yield curve, status, gr.update(choices=lstm_choices(model), value=new)
            elif ev["step"] == 0:
                yield None, say("music.rl_begin", ratings=ev["ratings"],
                                what=say("music.rl_with_rater" if ev["ratings"] else "music.rl_rules_only")), gr.skip()
            elif ev.get("losses"):
                yield curve, say("music.rl_step", step=ev["step"], reward=ev["losses"]["reward"], kl=ev["losses"]["kl"],
                                 seconds=ev["elapsed_s"]), gr.skip()


def build(w: SimpleNamespace, model: str | Path = music.DEFAULT_MODEL) -> None:
    """The accordion: which LSTM version to start from, Start, Stop, the curve, the status line."""
    with gr.Accordion(t("music.rl"), open=False):
        gr.Markdown(t("music.rl_help"))
        choices = lstm_choices(model)
        start = next((v for _, v in choices if v in (Path(model).name, str(model))), None)
        w.rl_model = gr.Dropdown(choices, value=start, label=t("music.rl_model"), info=t("music.rl_model_info"))
        w.rl = training_panel.controls("music.rl_start", "music.rl_curve")


def wire(w: SimpleNamespace) -> None:
    training_panel.wire(w.rl, learn_by_rl, [w.rl_model], w.rl_model, api_name="learn_by_rl_music")
