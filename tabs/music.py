"""Music tab: continue a seed with the Bach chorale LSTM, or harmonise a melody with the Coconet
harmoniser; audio, piano roll (parallels marked), MIDI, a voice-leading report, next-note chart.

    with gr.Blocks():
        music.build()                      # or build("path/to/lstm", harmoniser="path/to/coconet")

``compose`` is one call into ``playground.music`` (validated ``Params``, ``generate``,
``save_output``); its ValueErrors become gr.Error. ``probe`` draws the next-note chart.
``tabs.music_view`` turns an output into text; ``build`` only lays out and wires.
"""
from __future__ import annotations

import functools
import tempfile
from pathlib import Path
from types import SimpleNamespace

import gradio as gr

from playground import contract, music, preference
from playground.generation import Generation
from playground.music.notes import VOICES
from tabs import a11y, explanations, links, music_learn, music_step, rating
from tabs.common import user_errors
from tabs.music_view import beats, describe, next_note_chart, note_list, report_markdown
from tabs.charts import probability_bars
from tabs.i18n import example_table, say, sentence, t

SOURCES = [(t("music.typed"), "notes"), (t("music.chorale_opening"), "chorale"), (t("music.midi_upload"), "midi")]
MODES = [(t("music.continue"), "continue"), (t("music.harmonise"), "harmonise")]
EXAMPLES = [  # (notes, mode, temperature)
    ["G4 G4 D5 D5 E5 E5 D5:2 C5 C5 B4 B4 A4 A4 G4:2", "continue", 0.9],
    ["E5 D5 C5 D5 E5 E5 E5:2 D5 D5 D5:2 E5 G5 G5:2", "harmonise", 0.7],
    ["C5 C5 G5 G5 A5 A5 G5:2 F5 F5 E5 E5 D5 D5 C5:2", "harmonise", 0.7],
    ["G4:2 G4 F#4 E4 D4 G4 A4 B4:2 B4 B4 A4 G4 C5 B4 A4:2", "harmonise", 0.7],
    ["A4 B4 C5:1.5 B4:0.5 A4 G#4 A4:2", "continue", 0.9],
]
LINKED = ["source", "notes", "chorale", "midi", "mode", "temperature", "bars", "tempo", "seed", "candidates",
          "key_lock", "steps", "instrument"]  # compose()'s parameters
TEMPERATURE = {"continue": 0.9, "harmonise": 0.7}  # the Coconet sampler's default is lower (harmony_eval)


def _out_dir() -> Path:
    return Path(tempfile.gettempdir()) / "playground-music"  # a place Gradio may serve from


def model_for(mode: str, model: str | Path, harmoniser: str | Path) -> str | Path:
    """Harmonise with the Coconet harmoniser when it is installed; everything else with the LSTM."""
    return harmoniser if mode == "harmonise" and not music.missing_message(harmoniser) else model


@user_errors
def compose(source: str, notes: str | None, chorale: int | None, midi: str | None, mode: str, temperature: float,
            bars: float, tempo: float, seed: float | None, candidates: float = 1, key_lock: bool = False,
            steps: float = 32, instrument: str = "choir", model: str | Path = music.DEFAULT_MODEL,
            harmoniser: str | Path = music.HARMONISER) -> tuple[str, str, str, str, str, str, Generation]:
    """One click: K candidates (the reranker keeps the best of K), the winner as WAV, piano roll, MIDI,
    its summary, voice-leading report and note list."""
    params = music.Params(mode=mode, source=source, notes=notes, chorale=chorale, midi=midi, bars=bars,
                          temperature=temperature, tempo=tempo, seed=0 if seed is None else seed,
                          key_lock=key_lock, steps=steps, instrument=instrument)
    k = contract.whole(candidates or 1, "number of candidates")
    loaded = music.load(model_for(params.mode, model, harmoniser))
    g, note = preference.best_of(k, lambda i: music.generate(loaded, params.replace(seed=params.seed + i)), "music")
    mid, wav, png = music.save_output(g, _out_dir() / f"music-{g.id[:12]}.mid")
    summary = describe(g) + (f"\n\n{note}" if note else "")
    return str(wav), str(png), str(mid), summary, report_markdown(g), note_list(g), g


@user_errors
def probe(g: Generation | None, voice: str, beat: float, harmoniser: str | Path = music.HARMONISER) -> str:
    """The next-note chart for ``voice`` at ``beat`` of the last output (an empty chart before one)."""
    return next_note_chart(g, voice, beat, harmoniser)


def renew(g: Generation | None, voice: str, beat: float, harmoniser: str | Path = music.HARMONISER):
    """A new output: the chart again, and the beat slider's end moved to the output's last beat."""
    last = beats(g)
    beat = min(float(beat or 1), last)
    try:
        chart = next_note_chart(g, voice, beat, harmoniser)
    except ValueError as e:  # e.g. notes outside the harmoniser's range: say so in the chart's place
        chart = probability_bars([], title=say("music.chart_title"), empty=sentence(str(e)), header=say("chart.note"))
    return chart, gr.Slider(maximum=max(last, 1.25), value=beat)


def show(source: str):
    """Show the input of the chosen seed source only."""
    return (gr.update(visible=source == "notes"), gr.update(visible=source == "chorale"),
            gr.update(visible=source == "midi"))


def show_mode(mode: str):
    """Bars for continuing; key lock and Gibbs steps for harmonising."""
    return gr.update(visible=mode == "continue"), gr.update(visible=mode == "harmonise"), \
        gr.update(visible=mode == "harmonise")


def _seed_inputs(labels: list[str]) -> list[gr.components.Component]:
    source = gr.Radio(SOURCES, value="notes", label=t("music.source"))
    notes = gr.Textbox(value=EXAMPLES[0][0], label=t("music.notes"), info=t("music.notes_help"), elem_id="music-notes")
    chorale = gr.Dropdown([(label, i) for i, label in enumerate(labels)], value=0 if labels else None,
                          label=t("music.chorale"), visible=False)
    midi = gr.File(label=t("music.midi"), file_types=[".mid", ".midi"],
                   type="filepath", visible=False)
    return [source, notes, chorale, midi]


def _settings() -> list[gr.components.Component]:
    mode = gr.Radio(MODES, value="continue", label=t("music.mode"))
    with gr.Row():
        temperature = gr.Slider(0.1, 2.0, value=TEMPERATURE["continue"], step=0.05, label=t("common.temperature"),
                                info=t("music.temperature_info"))
        bars = gr.Slider(1, music.MAX_BARS, value=8, step=1, label=t("music.bars"))
    with gr.Row():
        tempo = gr.Slider(40, 200, value=90, step=1, label=t("music.tempo"))
        seed = gr.Number(value=0, precision=0, minimum=0, maximum=contract.SEED_MAX, label=t("common.seed"))
    candidates = gr.Slider(1, 4, value=1, step=1, label=t("common.candidates"), info=t("music.candidates_info"))
    with gr.Row():
        key_lock = gr.Checkbox(False, label=t("music.key_lock"), visible=False, info=t("music.key_lock_info"))
        steps = gr.Slider(1, music.MAX_GIBBS_STEPS, value=32, step=1, label=t("music.gibbs"), visible=False,
                          info=t("music.gibbs_info"))
    instrument = gr.Radio([(t(f"music.{i}"), i) for i in music.INSTRUMENTS], value="choir", label=t("music.sound"),
                          info=t("music.sound_info"))
    return [mode, temperature, bars, tempo, seed, candidates, key_lock, steps, instrument]


def _outputs(state: gr.State) -> list[gr.components.Component]:
    audio = gr.Audio(label=t("music.audio"), type="filepath", interactive=False, elem_id="music-audio")
    roll = a11y.picture("music.roll", type="filepath", format="png", interactive=False, elem_id="music-roll")
    midi_out = gr.File(label=t("music.midi_out"), interactive=False)
    summary = gr.Markdown()
    report = gr.Markdown(elem_id="music-report")
    notes_out = gr.Textbox(label=t("music.notes_out"), lines=4, interactive=False,
                           buttons=["copy"], elem_id="music-notes-out")
    return [audio, roll, midi_out, summary, report, notes_out]


def _probe(state: gr.State, harmoniser: str) -> None:
    """The next-note chart: a voice, a beat, and the harmoniser's probabilities there."""
    with gr.Accordion(t("music.probe"), open=True):
        with gr.Row():
            voice = gr.Radio([(t(f"voice.{v}"), v.capitalize()) for v in VOICES], value="Alto", label=t("music.voice"))
            beat = gr.Slider(1, 16, value=1, step=0.25, label=t("music.beat"), min_width=240, elem_id="music-beat",
                             info=t("music.beat_info"))
        chart = gr.HTML(t("chart.empty.music"),
                        elem_id="music-probs")
    look = functools.partial(probe, harmoniser=harmoniser)
    gr.on([voice.input, beat.input], look, [state, voice, beat], chart, api_name="music_next_notes",
          concurrency_limit=8, trigger_mode="always_last")  # dragging the beat: only the last position
    state.change(functools.partial(renew, harmoniser=harmoniser), [state, voice, beat], [chart, beat],
                 api_visibility="private", concurrency_limit=8)


def build(model: str | Path = music.DEFAULT_MODEL, harmoniser: str | Path = music.HARMONISER) -> None:
    """The Music tab inside the current Blocks (the models load on the first click)."""
    state = gr.State(None)
    missing = music.missing_message(model)
    gr.Markdown(t("music.intro"))
    gr.Markdown(t("music.about.lstm") if missing else explanations.music(model))
    if not music.missing_message(harmoniser):
        gr.Markdown(explanations.music(harmoniser))
    if missing:
        gr.Markdown(f"⚠️ {missing}")
    with gr.Row():
        with gr.Column():
            source, notes, chorale, midi = _seed_inputs([] if missing else music.opening_labels(model))
            settings = _settings()
            button = gr.Button(t("music.compose"), variant="primary")
            example_table(EXAMPLES, [notes, settings[0], settings[1]], "music.examples")
        with gr.Column():
            outputs = _outputs(state)
            _probe(state, str(harmoniser))
            rating.build(state)
    mode, temperature, bars, key_lock, steps = settings[0], settings[1], settings[2], settings[6], settings[7]
    source.change(show, source, [notes, chorale, midi], api_visibility="private", queue=False)
    mode.change(show_mode, mode, [bars, key_lock, steps], api_visibility="private", queue=False)
    mode.input(TEMPERATURE.get, mode, temperature, api_visibility="private", queue=False)
    run = functools.partial(compose, model=str(model), harmoniser=str(harmoniser))
    inputs = [source, notes, chorale, midi, *settings]
    gr.on([button.click, notes.submit], run, inputs, [*outputs, state], api_name="music_compose", concurrency_limit=4)
    links.build("music", state, run, dict(zip(LINKED, inputs)), [*outputs, state])
    music_step.build(model, harmoniser)  # step mode: the melody note by note (tabs/music_step.py)
    learn = SimpleNamespace()  # the RL Tuner: learn from feedback (tabs/music_learn.py)
    music_learn.build(learn, model)
    music_learn.wire(learn)
