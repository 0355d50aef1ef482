"""Paths and defaults shared by the whole playground.

The data dir holds everything the running app writes (fine-tuned models, the feedback
store, exports). It is chosen once: ``--data-dir`` / ``PLAYGROUND_DATA_DIR``, else ``/data``
when it exists and is writable (a Hugging Face Space with persistent storage), else
``./data`` next to the app.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"
MODELS = ASSETS / "models"

DEFAULT_TEXT_MODEL = MODELS / "text-shakespeare"

_data_dir: Path | None = None


def data_dir() -> Path:
    """The writable folder for everything the app stores (created on first use)."""
    global _data_dir
    if _data_dir is None:
        env = os.environ.get("PLAYGROUND_DATA_DIR")
        if env:
            _data_dir = Path(env)
        elif Path("/data").is_dir() and os.access("/data", os.W_OK):
            _data_dir = Path("/data/playground")
        else:
            _data_dir = ROOT / "data"
    _data_dir.mkdir(parents=True, exist_ok=True)
    return _data_dir


def set_data_dir(path: str | os.PathLike) -> Path:
    """Point the playground at another data dir (``--data-dir``)."""
    global _data_dir
    _data_dir = Path(path).expanduser().resolve()
    _data_dir.mkdir(parents=True, exist_ok=True)
    return _data_dir
