"""Gradio's own preprocessing and postprocessing of an event, run where its handler runs.

    gr.on(triggers, **inline(move, inputs, outputs), api_name="move")

Gradio hands every input's ``preprocess`` and every output's ``postprocess`` to a worker thread
and back, one hop each: fourteen inputs and six outputs for an image slider move, which cost more
server CPU than the move's own drawing (a quarter to a third of the server's CPU for moves through
``gradio_client``'s queue route: README "Many users at once"). ``inline`` wires the event with
``preprocess=False, postprocess=False`` and calls the same methods itself, with the session's copy
of each component, as Gradio does. For inputs without files only (a slider, a number, a dropdown,
a checkbox, state).

Everything runs in the server's event loop: ``fn`` must be quick, or an ``async`` function that
hands long work to a thread (as the images tab's ``move_on_loop`` does for a first model load).
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

from gradio.context import LocalContext
from gradio.data_classes import GradioModel, GradioRootModel
from gradio.utils import is_prop_update


def inline(fn: Callable, inputs: list, outputs: list) -> dict:
    """``fn``, ``inputs``, ``outputs`` and the flags for ``gr.on``/``.click``: the handler gets
    the values Gradio's preprocessing gives (bounds checked, rounded) and its results are
    postprocessed as Gradio does, without the thread hops."""
    for block in inputs:
        if not block.stateful and getattr(block, "data_model", None) is not None:
            raise TypeError(f"inline() takes inputs without files, not {type(block).__name__}")

    @functools.wraps(fn)
    async def handler(*values: Any) -> Any:
        args = [v if block.stateful else _session(block).preprocess(v) for block, v in zip(inputs, values)]
        result = fn(*args)
        if inspect.isawaitable(result):
            result = await result
        many = isinstance(result, (tuple, list)) and len(outputs) > 1
        out = [_postprocess(block, v) for block, v in zip(outputs, result if many else [result])]
        return out if many else out[0]

    return {"fn": handler, "inputs": inputs, "outputs": outputs, "preprocess": False, "postprocess": False}


def _session(block: Any) -> Any:
    """This session's copy of ``block`` (its properties as the page last set them), as Gradio's
    own preprocessing uses it."""
    config = LocalContext.blocks_config.get(None)
    return config.blocks.get(block._id, block) if config is not None else block


def _postprocess(block: Any, value: Any) -> Any:
    if block.stateful or is_prop_update(value):
        return value  # state is stored as given; an update's properties are applied by Gradio
    out = _session(block).postprocess(value)
    return out.model_dump() if isinstance(out, (GradioModel, GradioRootModel)) else out
