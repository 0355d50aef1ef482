"""Music tab, step mode: write the melody one note at a time. The chorale LSTM proposes the next
soprano note (a probability chart and a list to pick from), the Coconet harmoniser follows with
alto, tenor and bass, and the audio plays after every note.

    with gr.Blocks():
        music_step.build()                 # or build("path/to/lstm", harmoniser="path/to/coconet")

Handlers are one call into ``playground.music.step`` each and return the same outputs (``OUTPUTS``);
its ValueErrors become gr.Error. ``tabs/music.py`` places this inside the Music tab.
"""
from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import gradio as gr

from playground import contract, music
from playground.music import step as st
from playground.music.notes import STEPS_PER_BEAT
from tabs import a11y
from tabs.charts import probability_bars
from tabs.common import user_errors
from tabs.i18n import say, sentence, t
from tabs.music_view import describe, note_list, report_markdown

START = "C5 C5 G5 G5"
OUTPUTS = ["melody", "chart", "pick", "audio", "roll", "report", "notes_out", "status", "typed", "state"]


def _out_dir() -> Path:
    return Path(tempfile.gettempdir()) / "playground-music"  # a place Gradio may serve from


def _chart(s: st.Step, key_lock: bool) -> str:
    bar, step = divmod(round(st.melody_beats(s.melody) * STEPS_PER_BEAT), 4 * STEPS_PER_BEAT)
    place = say("music.where", bar=bar + 1, beat=f"{1 + step / STEPS_PER_BEAT:g}")
    title = say("music.step.chart_title", where=place) + (
        say("music.step.chart_key_lock", tonality=sentence(s.key)) if key_lock else "")
    return probability_bars(s.candidates, title=title, header=say("chart.note"))


@user_errors
def show_step(melody: str, key_lock: bool, seed: float | None, temperature: float, tempo: float = 90.0,
              model: str | Path = music.DEFAULT_MODEL, harmoniser: str | Path = music.HARMONISER) -> tuple:
    """Harmonise the melody so far and propose the next note: the outputs named in ``OUTPUTS``."""
    for path in (model, harmoniser):
        if music.missing_message(path):
            raise ValueError(music.missing_message(path))
    s = st.step(music.load(model), music.load(harmoniser), melody, key_lock=bool(key_lock),
                seed=contract.seed(0 if seed is None else seed), temperature=temperature, tempo=tempo)
    g = s.generation
    mid, wav, png = music.save_output(g, _out_dir() / f"music-{g.id[:12]}.mid")
    choices = [(f"{name}  ({'< 0.1%' if p < 0.0005 else f'{p:.1%}'})", name) for name, p in s.candidates]
    status = say("music.step.status", n=st.note_count(s.melody), beats=f"{st.melody_beats(s.melody):g}",
                 tonality=sentence(s.key)) + describe(g)
    return (s.melody, _chart(s, bool(key_lock)), gr.update(choices=choices, value=None), str(wav), str(png),
            report_markdown(g), note_list(g), status, "", g)


@user_errors
def add_note(melody: str, pick: str | None, typed: str | None, length: float, key_lock: bool, seed: float | None,
             temperature: float, tempo: float = 90.0, model: str | Path = music.DEFAULT_MODEL, harmoniser: str | Path = music.HARMONISER) -> tuple:
    """Append the typed note, else the picked one (``length`` beats), then harmonise and propose again."""
    note = (typed or "").strip() or (pick or "")
    return show_step(st.extend(melody, note, length), key_lock, seed, temperature, tempo, model, harmoniser)


@user_errors
def draw_note(melody: str, length: float, key_lock: bool, seed: float | None, temperature: float,
              tempo: float = 90.0, model: str | Path = music.DEFAULT_MODEL, harmoniser: str | Path = music.HARMONISER) -> tuple:
    """Let the model pick: one note drawn from its proposals (seeded by the seed and the note's position)."""
    seed = contract.seed(0 if seed is None else seed)
    s = st.step(music.load(model), music.load(harmoniser), melody, key_lock=bool(key_lock), seed=seed,
                temperature=temperature)
    note = st.draw(s.candidates, seed, st.note_count(s.melody))
    return show_step(st.extend(s.melody, note, length), key_lock, seed, temperature, tempo, model, harmoniser)


@user_errors
def undo_note(melody: str, key_lock: bool, seed: float | None, temperature: float, tempo: float = 90.0,
              model: str | Path = music.DEFAULT_MODEL, harmoniser: str | Path = music.HARMONISER) -> tuple:
    """Drop the last note and show the shorter melody's harmony and proposals."""
    return show_step(st.undo(melody), key_lock, seed, temperature, tempo, model, harmoniser)


def build(model: str | Path = music.DEFAULT_MODEL, harmoniser: str | Path = music.HARMONISER) -> None:
    """The step mode inside the current Blocks: an accordion of the Music tab."""
    state = gr.State(None)
    with gr.Accordion(t("music.step.title"), open=False, elem_id="music-step"):
        gr.Markdown(t("music.step.intro"))
        with gr.Row():
            with gr.Column():
                melody = gr.Textbox(value=START, label=t("music.step.melody"), elem_id="music-step-melody",
                                    info=t("music.step.melody_info"))
                with gr.Row():
                    key_lock = gr.Checkbox(True, label=t("music.key_lock"))
                    seed = gr.Number(value=0, precision=0, minimum=0, maximum=contract.SEED_MAX,
                                     label=t("common.seed"))
                    temperature = gr.Slider(0.1, 2.0, value=0.7, step=0.05, label=t("common.temperature"))
                show = gr.Button(t("music.step.show"), variant="primary")
                chart = gr.HTML(probability_bars([], title=say("music.step.chart_start", "en"),
                                                 empty=say("music.step.chart_empty", "en"), header="Note"),
                                elem_id="music-step-probs")
                pick = gr.Radio([], label=t("music.step.pick"), elem_id="music-step-pick")
                with gr.Row():
                    typed = gr.Textbox(label=t("music.step.typed"), placeholder=t("music.step.placeholder"), scale=2,
                                       elem_id="music-step-typed")
                    length = gr.Dropdown([(f"{b:g}", b) for b in st.LENGTHS], value=1.0,
                                         label=t("music.step.length"), scale=1)
                with gr.Row():
                    add = gr.Button(t("music.step.add"), variant="primary", elem_id="music-step-add")
                    draw = gr.Button(t("music.step.draw"))
                    undo = gr.Button(t("music.step.undo"), elem_id="music-step-undo")
            with gr.Column():
                audio = gr.Audio(label=t("music.audio"), type="filepath", interactive=False, autoplay=True,
                                 elem_id="music-step-audio")
                roll = a11y.picture("music.roll", type="filepath", format="png", interactive=False,
                                elem_id="music-step-roll")
                status = gr.Markdown(elem_id="music-step-status")
                report = gr.Markdown(elem_id="music-step-report")
                notes_out = gr.Textbox(label=t("music.notes_out"), lines=4, interactive=False,
                                       elem_id="music-step-notes-out")
    outs = [melody, chart, pick, audio, roll, report, notes_out, status, typed, state]
    models = dict(model=str(model), harmoniser=str(harmoniser))
    settings = [key_lock, seed, temperature]
    gr.on([show.click, melody.submit], functools.partial(show_step, **models), [melody, *settings], outs,
          api_name="music_step", concurrency_limit=4)
    gr.on([add.click, typed.submit], functools.partial(add_note, **models), [melody, pick, typed, length, *settings],
          outs, api_name="music_step_add", concurrency_limit=4)
    draw.click(functools.partial(draw_note, **models), [melody, length, *settings], outs,
               api_name="music_step_draw", concurrency_limit=4)
    undo.click(functools.partial(undo_note, **models), [melody, *settings], outs, api_name="music_step_undo",
               concurrency_limit=4)


__all__ = ["build", "show_step", "add_note", "draw_note", "undo_note", "OUTPUTS"]
