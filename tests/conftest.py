"""Shared test set-up: offline Hub, a throw-away data dir, few torch threads."""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pytest  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def _data_dir(tmp_path_factory):
    """Everything the app writes during tests goes to a temporary data dir."""
    from playground import config

    path = tmp_path_factory.mktemp("playground-data")
    os.environ["PLAYGROUND_DATA_DIR"] = str(path)
    config.set_data_dir(path)
    yield path
