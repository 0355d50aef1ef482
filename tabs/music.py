"""Music tab: continue or harmonise a seed with the Bach chorale model; audio, piano roll, MIDI.

The handler is one call into ``playground.music.generate``; its ValueErrors become gr.Error.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import gradio as gr

from playground.music.generate import DEFAULT_MODEL, MAX_BARS, generate, missing_message, opening_labels
from playground.music.notes import VOICES
from playground import preference
from tabs import rating

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
INTRO = ("A small recurrent network (an LSTM) learned four-part harmony from 229 of Bach's chorales. "
         "Give it a start, a few notes you type, the opening of a chorale it never saw, or a MIDI file, "
         "and it writes what comes next one 16th note at a time, each voice choosing among the notes "
         "it thinks Bach would likely write. *Continue* adds bars; *harmonise* keeps your melody exactly "
         "and adds alto, tenor and bass below it. Temperature sets how adventurous the choices are.")


def _out_dir() -> Path:
    return Path(tempfile.gettempdir()) / "playground-music"  # a place Gradio may serve from


def _describe(g) -> str:
    voices = g.output["voices"]
    bars = max((s + n for notes in voices.values() for _, s, n in notes), default=0) / 16
    counts = ", ".join(f"{len(voices[v])} {v}" for v in VOICES)
    return (f"**{g.params['mode'].capitalize()}**, {bars:g} bars at {g.params['tempo']:g} bpm: {counts} notes "
            f"(model `{g.model}` {g.model_hash}, seed {g.params['seed']}, temperature {g.params['temperature']:g}). "
            "Same inputs and seed give the same notes.")


def build(model_dir: str | Path = DEFAULT_MODEL) -> None:
    """The Music tab inside the current Blocks (the model loads on the first click)."""
    state = gr.State(None)
    missing = missing_message(model_dir)
    labels = [] if missing else opening_labels(model_dir)

    def compose(source, notes, chorale, midi, mode, temperature, bars, tempo, seed, candidates=1):
        def make(i: int):
            return generate(mode=mode, source=source, notes=notes or "", chorale=int(chorale or 0), midi_path=midi,
                            bars=int(bars), temperature=float(temperature), tempo=float(tempo),
                            seed=int(seed or 0) + i, model_dir=model_dir, out_dir=_out_dir())

        try:
            g, note = preference.best_of(int(candidates or 1), make, "music")
        except (ValueError, TypeError) as e:
            raise gr.Error(str(e)) from None
        return g.media["wav"], g.media["png"], g.media["midi"], _describe(g) + (f"\n\n{note}" if note else ""), g

    def show(source):
        return (gr.update(visible=source == "notes"), gr.update(visible=source == "chorale"),
                gr.update(visible=source == "midi"))

    gr.Markdown(INTRO)
    if missing:
        gr.Markdown(f"⚠️ {missing}")
    with gr.Row():
        with gr.Column():
            source = gr.Radio(SOURCES, value="notes", label="Seed")
            notes = gr.Textbox(value=EXAMPLES[0][0], label="Notes", info=NOTES_HELP)
            chorale = gr.Dropdown([(label, i) for i, label in enumerate(labels)], value=0 if labels else None,
                                  label="Chorale opening (first 4 bars)", visible=False)
            midi = gr.File(label="MIDI file (a melody, or four tracks S/A/T/B)", file_types=[".mid", ".midi"],
                           type="filepath", visible=False)
            mode = gr.Radio(MODES, value="continue", label="Mode")
            with gr.Row():
                temperature = gr.Slider(0.1, 2.0, value=0.9, step=0.05, label="Temperature",
                                        info="lower = safer, higher = more adventurous")
                bars = gr.Slider(1, MAX_BARS, value=8, step=1, label="Bars to add (continue)")
            with gr.Row():
                tempo = gr.Slider(40, 200, value=90, step=1, label="Tempo (quarter notes per minute)")
                seed = gr.Number(value=0, precision=0, minimum=0, label="Seed")
            candidates = gr.Slider(1, 4, value=1, step=1, label="Candidates (best of K)",
                                   info="K > 1: compose K versions and keep the one a scorer fitted to your ratings likes best")
            button = gr.Button("Compose", variant="primary")
            gr.Examples(EXAMPLES, [notes, mode], label="Example melodies")
        with gr.Column():
            audio = gr.Audio(label="Audio", type="filepath", interactive=False, elem_id="music-audio")
            roll = gr.Image(label="Piano roll", type="filepath", format="png", interactive=False, elem_id="music-roll")
            midi_out = gr.File(label="MIDI download", interactive=False)
            summary = gr.Markdown()
            rating.build(state)

    source.change(show, source, [notes, chorale, midi], api_visibility="private", queue=False)
    gr.on([button.click, notes.submit], compose,
          [source, notes, chorale, midi, mode, temperature, bars, tempo, seed, candidates],
          [audio, roll, midi_out, summary, state], api_name="music_compose", concurrency_limit=4)
