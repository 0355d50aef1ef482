"""Music tab: continue or harmonise a seed with the Bach chorale model; audio, piano roll, MIDI.

    with gr.Blocks():
        music.build()                      # or build("path/to/checkpoint")

``compose`` is one call into ``playground.music`` (validated ``Params``, ``generate``,
``save_output``); its ValueErrors become gr.Error. ``build`` only lays out and wires.
"""
from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import gradio as gr

from playground import contract, music, preference
from playground.generation import Generation
from playground.music.notes import VOICES
from tabs import links, rating
from tabs.common import user_errors

SOURCES = [("Typed notes", "notes"), ("Chorale opening (test split)", "chorale"), ("MIDI upload", "midi")]
MODES = [("Continue: compose more bars", "continue"),
         ("Harmonise: your melody on top, the model writes alto, tenor, bass", "harmonise")]
NOTES_HELP = ("Note names with octave, C4 = middle C; optional length in beats after a colon "
              "(C4:2 = half note, E4:0.5 = eighth); R is a rest. The melody is the soprano (G3 to C6).")
EXAMPLES = [  # (notes, mode)
    ["G4 G4 D5 D5 E5 E5 D5:2 C5 C5 B4 B4 A4 A4 G4:2", "continue"],
    ["E5 D5 C5 D5 E5 E5 E5:2 D5 D5 D5:2 E5 G5 G5:2", "harmonise"],
    ["C5 C5 G5 G5 A5 A5 G5:2 F5 F5 E5 E5 D5 D5 C5:2", "harmonise"],
    ["A4 B4 C5:1.5 B4:0.5 A4 G#4 A4:2", "continue"],
]
LINKED = ["source", "notes", "chorale", "midi", "mode", "temperature", "bars", "tempo", "seed", "candidates"]  # compose()


def _out_dir() -> Path:
    return Path(tempfile.gettempdir()) / "playground-music"  # a place Gradio may serve from


def describe(g: Generation) -> str:
    """One paragraph under the outputs: what was made, from which model and seed."""
    voices = g.output["voices"]
    bars = max((s + n for notes in voices.values() for _, s, n in notes), default=0) / 16
    counts = ", ".join(f"{len(voices[v])} {v}" for v in VOICES)
    return (f"**{g.params['mode'].capitalize()}**, {bars:g} bars at {g.params['tempo']:g} bpm: {counts} notes "
            f"(model `{g.model}` {g.model_hash}, seed {g.params['seed']}, temperature {g.params['temperature']:g}). "
            "Same inputs and seed give the same notes.")


@user_errors
def compose(source: str, notes: str | None, chorale: int | None, midi: str | None, mode: str, temperature: float,
            bars: float, tempo: float, seed: float | None, candidates: float = 1,
            model: str | Path = music.DEFAULT_MODEL) -> tuple[str, str, str, str, Generation]:
    """One click: K candidates (the reranker keeps the best of K), the winner as WAV, piano roll and MIDI."""
    params = music.Params(mode=mode, source=source, notes=notes, chorale=chorale, midi=midi, bars=bars,
                          temperature=temperature, tempo=tempo, seed=0 if seed is None else seed)
    k = contract.whole(candidates or 1, "number of candidates")
    loaded = music.load(model)
    g, note = preference.best_of(k, lambda i: music.generate(loaded, params.replace(seed=params.seed + i)), "music")
    mid, wav, png = music.save_output(g, _out_dir() / f"music-{g.id[:12]}.mid")
    return str(wav), str(png), str(mid), describe(g) + (f"\n\n{note}" if note else ""), g


def show(source: str):
    """Show the input of the chosen seed source only."""
    return (gr.update(visible=source == "notes"), gr.update(visible=source == "chorale"),
            gr.update(visible=source == "midi"))


def _seed_inputs(labels: list[str]) -> list[gr.components.Component]:
    source = gr.Radio(SOURCES, value="notes", label="Seed")
    notes = gr.Textbox(value=EXAMPLES[0][0], label="Notes", info=NOTES_HELP)
    chorale = gr.Dropdown([(label, i) for i, label in enumerate(labels)], value=0 if labels else None,
                          label="Chorale opening (first 4 bars)", visible=False)
    midi = gr.File(label="MIDI file (a melody, or four tracks S/A/T/B)", file_types=[".mid", ".midi"],
                   type="filepath", visible=False)
    return [source, notes, chorale, midi]


def _settings() -> list[gr.components.Component]:
    mode = gr.Radio(MODES, value="continue", label="Mode")
    with gr.Row():
        temperature = gr.Slider(0.1, 2.0, value=0.9, step=0.05, label="Temperature",
                                info="lower = safer, higher = more adventurous")
        bars = gr.Slider(1, music.MAX_BARS, value=8, step=1, label="Bars to add (continue)")
    with gr.Row():
        tempo = gr.Slider(40, 200, value=90, step=1, label="Tempo (quarter notes per minute)")
        seed = gr.Number(value=0, precision=0, minimum=0, maximum=contract.SEED_MAX, label="Seed")
    candidates = gr.Slider(1, 4, value=1, step=1, label="Candidates (best of K)",
                           info="K > 1: compose K versions and keep the one a scorer fitted to your ratings likes best")
    return [mode, temperature, bars, tempo, seed, candidates]


def _outputs(state: gr.State) -> list[gr.components.Component]:
    audio = gr.Audio(label="Audio", type="filepath", interactive=False, elem_id="music-audio")
    roll = gr.Image(label="Piano roll", type="filepath", format="png", interactive=False, elem_id="music-roll")
    midi_out = gr.File(label="MIDI download", interactive=False)
    summary = gr.Markdown()
    rating.build(state)
    return [audio, roll, midi_out, summary]


def build(model: str | Path = music.DEFAULT_MODEL) -> None:
    """The Music tab inside the current Blocks (the model loads on the first click)."""
    state = gr.State(None)
    missing = music.missing_message(model)
    gr.Markdown(music.ABOUT if missing else music.explain(model))
    if missing:
        gr.Markdown(f"⚠️ {missing}")
    with gr.Row():
        with gr.Column():
            source, notes, chorale, midi = _seed_inputs([] if missing else music.opening_labels(model))
            settings = _settings()
            button = gr.Button("Compose", variant="primary")
            gr.Examples(EXAMPLES, [notes, settings[0]], label="Example melodies")
        with gr.Column():
            outputs = _outputs(state)
    source.change(show, source, [notes, chorale, midi], api_visibility="private", queue=False)
    run, inputs = functools.partial(compose, model=str(model)), [source, notes, chorale, midi, *settings]
    gr.on([button.click, notes.submit], run, inputs, [*outputs, state], api_name="music_compose", concurrency_limit=4)
    links.build("music", state, run, dict(zip(LINKED, inputs)), [*outputs, state])
