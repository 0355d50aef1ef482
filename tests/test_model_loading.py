"""A class's first clicks at once load each model once (memory stays flat under load)."""
from __future__ import annotations

from playground.bench import _at_once as at_once
from playground.images import catalog as images
from playground.music import catalog as music


def _at_once(load, name: str, n: int = 12) -> list:
    """``load(name)`` from ``n`` threads released together (the load bench's helper)."""
    return at_once([name] * n, lambda name, _: load(name))


def test_an_image_model_is_loaded_once_by_many_first_calls(monkeypatch):
    images.clear_cache()
    calls, real = [], images.load_folder
    monkeypatch.setattr(images, "load_folder", lambda *a, **k: calls.append(a) or real(*a, **k))
    loaded = _at_once(images.load, "gan-digits")
    assert len(calls) == 1 and all(m is loaded[0] for m in loaded)
    images.clear_cache()


def test_a_music_model_is_loaded_once_by_many_first_calls(monkeypatch):
    music.clear_cache()
    calls, real = [], music.family_config
    monkeypatch.setattr(music, "family_config", lambda *a: calls.append(a) or real(*a))  # once per load
    loaded = _at_once(music.load, "music-bach")
    assert len(calls) == 1 and all(m is loaded[0] for m in loaded)
    music.clear_cache()
