"""tabs.inline: Gradio's own preprocessing and postprocessing, in the handler's thread, per session."""
from __future__ import annotations

import threading
from pathlib import Path

import gradio as gr
import pytest
from PIL import Image

from tabs.inline import inline


def test_an_inline_event_processes_as_gradio_does_without_thread_hops():
    from gradio_client import Client

    threads = []

    async def draw(amount: float, like: bool):
        threads.append(threading.current_thread())
        return Image.new("L", (20, 10), int(amount * 20)), f"{amount!r} {like!r}", {"amount": amount}

    with gr.Blocks() as demo:
        amount = gr.Slider(0, 10, step=0.01, value=1, precision=1)
        like = gr.Checkbox()
        picture, note, state = gr.Image(type="pil", format="png"), gr.Markdown(), gr.State()
        amount.input(**inline(draw, [amount, like], [picture, note, state]), api_name="draw")
        gr.Button().click(lambda: gr.Slider(maximum=20), None, amount, api_name="widen")
    demo.queue().launch(prevent_thread_lock=True, quiet=True)
    try:
        client = Client(demo.local_url, verbose=False)
        path, text = client.predict(3.46, True, api_name="/draw")
        assert text == "3.5 True"  # the slider's preprocess rounded to its precision; the checkbox is a bool
        assert Image.open(path).size == (20, 10) and Image.open(path).getpixel((0, 0)) == 70  # a PNG from Gradio's cache
        with pytest.raises(Exception, match="greater than maximum value 10"):  # bounds checked as Gradio does
            client.predict(15, False, api_name="/draw")
        client.predict(api_name="/widen")  # this session's slider now goes to 20 (its own copy of it)
        assert client.predict(15, False, api_name="/draw")[1] == "15 False"
        other = Client(demo.local_url, verbose=False)  # another session keeps the page's slider
        with pytest.raises(Exception, match="greater than maximum value 10"):
            other.predict(15, False, api_name="/draw")
        assert all(t is threads[0] for t in threads)  # every call ran in the server's event loop thread
        assert threads[0] is not threading.main_thread() and Path(path).is_file()
    finally:
        demo.close()


def test_inline_refuses_inputs_with_files():
    with gr.Blocks():
        with pytest.raises(TypeError, match="without files"):
            inline(lambda x: x, [gr.Image()], [gr.Image()])
