"""A placeholder tab that says plainly what is not built yet."""
from __future__ import annotations

import gradio as gr


def build(name: str, what: str) -> None:
    """A tab body that says ``name`` is coming soon and what it will do."""
    gr.Markdown(f"### {name}: coming soon\n\n{what}\n\nThis tab is not built yet.")
