"""The one helper every tab uses to turn the playground's ValueErrors into ``gr.Error``.

    @user_errors
    def sample(model, seed): ...          # a ValueError("The seed must be ...") shows as a toast

The toast is in the language of the request (``tabs.i18n.sentence``: English unchanged).

Works for plain functions and generators (streaming handlers); the signature Gradio reads
stays the wrapped function's.
"""
from __future__ import annotations

import functools
import inspect
from typing import Callable, TypeVar

import gradio as gr

from tabs.i18n import sentence

F = TypeVar("F", bound=Callable)


def user_errors(fn: F) -> F:
    """Re-raise ``ValueError`` from ``fn`` as ``gr.Error`` with the same sentence (translated)."""
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def gen_wrapper(*args, **kwargs):
            try:
                yield from fn(*args, **kwargs)
            except ValueError as e:
                raise gr.Error(sentence(str(e))) from None
        return gen_wrapper  # type: ignore[return-value]

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ValueError as e:
            raise gr.Error(sentence(str(e))) from None
    return wrapper  # type: ignore[return-value]
