"""The generators as MCP tools for AI assistants (``python app.py --mcp``); built only then.

    with gr.Blocks() as demo:
        ...                                  # the tabs
        mcp_tools.build(text_model)          # four endpoints, no visible widget
    mcp_tools.only_tools_in_api(demo)        # the UI's own events stay callable but unlisted
    demo.launch(mcp_server=True)             # Streamable HTTP at /gradio_api/mcp/

Each tool is a thin function over ``playground/``; Gradio turns its name, docstring and ``Args:``
into the tool's description. Inputs and outputs are invisible components, so an image or a MIDI
file reaches the assistant as a served file (Gradio inlines images as base64).
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import gradio as gr

from playground import config, images, music
from playground import text as tx
from tabs.common import user_errors
from tabs.music import model_for
from tabs.music_view import note_list

TOOLS = ("continue_text", "draw_digit", "harmonise_melody", "continue_chorale")
DIGIT_MODELS = ("cgan-digits", "cvae-digits", "diffusion-mnist")  # the models that draw a chosen digit
_TEXT_MODEL = [str(config.DEFAULT_TEXT_MODEL)]


@user_errors
def continue_text(prompt: str, length: int = 200, temperature: float = 0.8, seed: int = 0) -> str:
    """Continue a text with the playground's small language model (trained on Shakespeare's plays,
    so it writes play-like English, character by character). The same inputs give the same text.

    Args:
        prompt: the text to continue, e.g. "ROMEO:" (may be empty).
        length: how many new tokens to write (characters, for the bundled model), 1-1000.
        temperature: randomness above 0 and at most 5; 0.7-1.0 reads best.
        seed: 0 to 2147483647; the same seed gives the same continuation.

    Returns:
        the prompt followed by the new text.
    """
    params = tx.Params(prompt=prompt or "", length=length, temperature=temperature, seed=seed)
    try:
        model = tx.load(_TEXT_MODEL[0])
    except ValueError:  # a Hub id offline: the bundled model, as the Text tab does
        model = tx.load(config.DEFAULT_TEXT_MODEL)
    return params.prompt + tx.generate(model, params).output


@user_errors
def draw_digit(digit: int = 7, seed: int = 0, model: str = "cgan-digits"):
    """Draw a handwritten digit (28x28, like the MNIST data set, shown enlarged) with one of the
    playground's image models. The same digit, seed and model give the same picture.

    Args:
        digit: the digit to draw, 0-9.
        seed: 0 to 2147483647; the noise the picture starts from.
        model: cgan-digits (a conditional GAN, fast), cvae-digits (a conditional VAE) or diffusion-mnist (slower).

    Returns:
        the picture as a PNG image.
    """
    loaded = images.load(model)
    return images.generate(loaded, images.Params(seed=seed, n=1, label=digit)).media["image"]


def _compose(mode: str, notes: str, seed, **settings) -> tuple[str, str, str]:
    params = music.Params(mode=mode, source="notes", notes=notes, seed=seed, **settings)
    g = music.generate(music.load(model_for(mode, music.DEFAULT_MODEL, music.HARMONISER)), params)
    out = Path(tempfile.gettempdir()) / "playground-music"
    mid, wav, _ = music.save_output(g, out / f"music-{g.id[:12]}.mid")
    return note_list(g), str(mid), str(wav)


@user_errors
def harmonise_melody(notes: str, seed: int = 0, key_lock: bool = True, steps: int = 32) -> tuple[str, str, str]:
    """Harmonise a melody in the style of Bach's four-part chorales: the melody stays the soprano and a
    model (Coconet) writes alto, tenor and bass under it.

    Args:
        notes: the melody as note names, a length in beats after a colon, R a rest: "G4 G4 D5 D5 E5 E5 D5:2".
        seed: 0 to 2147483647; the same seed gives the same harmony.
        key_lock: keep the added voices in the melody's key.
        steps: Gibbs sampling passes of the harmoniser, 1-128 (more: slower, often smoother).

    Returns:
        the four voices as note names (soprano, alto, tenor, bass), a MIDI file, a WAV recording.
    """
    return _compose("harmonise", notes, seed, key_lock=key_lock, steps=steps)


@user_errors
def continue_chorale(notes: str, bars: int = 4, temperature: float = 1.0, seed: int = 0) -> tuple[str, str, str]:
    """Continue a melody as a four-voice Bach-style chorale: an LSTM trained on Bach's chorales harmonises
    the given notes and then writes new bars in all four voices.

    Args:
        notes: the opening melody as note names, a length in beats after a colon, R a rest: "C5 D5 E5:2".
        bars: how many bars to add, 1-32.
        temperature: 0.05-3; lower is safer, higher more adventurous.
        seed: 0 to 2147483647; the same seed gives the same music.

    Returns:
        the four voices as note names (soprano, alto, tenor, bass), a MIDI file, a WAV recording.
    """
    return _compose("continue", notes, seed, bars=bars, temperature=temperature)


def build(text_model: str | None = None) -> None:
    """Register the tools inside the current ``gr.Blocks``; nothing is shown on the page."""
    _TEXT_MODEL[0] = str(text_model or config.DEFAULT_TEXT_MODEL)
    with gr.Column(visible=False):
        go = gr.Button(visible=False)
        text, flag = gr.Textbox, gr.Checkbox

        def whole(value: int) -> gr.Number:
            return gr.Number(value, precision=0)

        go.click(continue_text, [text(), whole(200), gr.Number(0.8), whole(0)], text(), api_name="continue_text")
        go.click(draw_digit, [whole(7), whole(0), gr.Dropdown(list(DIGIT_MODELS), value=DIGIT_MODELS[0])],
                 gr.Image(type="pil", format="png"), api_name="draw_digit")
        # queue=False: Gradio 6.31's MCP server returns a queued event's several outputs as one text (the
        # list's repr); unqueued, each output is its own content item (the notes, the MIDI URL, the WAV URL)
        music_out = [text(), gr.File(), gr.File()]
        go.click(harmonise_melody, [text(), whole(0), flag(True), whole(32)], music_out, api_name="harmonise_melody",
                 queue=False)
        go.click(continue_chorale, [text(), whole(4), gr.Number(1.0), whole(0)], music_out,
                 api_name="continue_chorale", queue=False)


def only_tools_in_api(demo: gr.Blocks) -> None:
    """List only ``TOOLS`` as API endpoints (and so as MCP tools); the page's own events (40, many with
    state) stay callable, unlisted, so the UI and existing API clients work as before."""
    for fn in demo.fns.values():
        if fn.api_visibility == "public" and fn.api_name not in TOOLS:
            fn.api_visibility = "undocumented"
