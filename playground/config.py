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


def serve_settings() -> dict:
    """Set how this process runs many users' small inference calls (the app, and the benchmarks
    that time what the app does); returns what was set.

    - one torch thread per call (``PLAYGROUND_TORCH_THREADS``, default 1): on 2 cores, one thread
      each is ~2x faster per call than two threads fighting (418 vs 200 tokens/s with a core busy);
    - Python's thread switch interval 0.5 ms (``PLAYGROUND_SWITCH_INTERVAL_S``): thirty streams'
      threads and the event loop share one GIL with the text scheduler, which lets it go at every
      torch call; a waiting thread then asks for it back after 0.5 ms instead of 5 ms (measured:
      30 x 200 tokens through Gradio, full text 3.73 -> 3.38 s; one user alone 263 -> 299 tokens/s);
    - Gradio keeps one record per event, 10,000 by default, for its monitoring page (which the app
      does not open), and after every event rebuilds a pandas summary of all of them: 1.4-7 ms of
      CPU per event, and the server's memory grew ~37 KB per request (a bare Gradio app with a
      trivial generator grew the same). One record (``GRADIO_ANALYTICS_MAX_EVENTS``), summarised
      every million events (``GRADIO_ANALYTICS_CACHE_FREQUENCY``): 30 x 10 rounds of 200 tokens,
      growth 8-9 MB -> 1 MB. Set before the ``gr.Blocks`` is made (its queue reads them then).
    """
    import sys

    import torch

    threads = int(os.environ.get("PLAYGROUND_TORCH_THREADS", 1))
    switch = float(os.environ.get("PLAYGROUND_SWITCH_INTERVAL_S", 0.0005))
    torch.set_num_threads(threads)
    sys.setswitchinterval(switch)
    records = int(os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1"))
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000000")
    return {"torch_threads": threads, "switch_interval_s": switch, "gradio_event_records": records}


def settle_heap(collect: bool = False) -> None:
    """Take every object alive now (imported libraries, loaded models) out of Python's full
    garbage collections (``gc.freeze``); ``collect`` first frees what is already garbage.

    A full collection scans every tracked object holding the GIL: in the served app, after the
    text model loaded, each took 340-370 ms, and they came every few seconds under a class's load,
    stopping every stream and slider move at once. Called by ``app.py`` once the page is built and
    after each model load (the libraries a model needs are imported then); objects freed later
    by reference counting are freed as usual.
    """
    import gc

    if collect:
        gc.collect()
    gc.freeze()
