"""A class's first clicks at once load each model once (memory stays flat under load), and a
loaded model stays out of Python's full garbage collections."""
from __future__ import annotations

from playground import config
from playground import text as tx
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


def test_settle_heap_keeps_what_is_alive_out_of_full_collections():
    """``config.settle_heap``: objects alive now leave the generations a full collection scans
    (each full pass over the served app's heap held the GIL 340-370 ms)."""
    import gc

    kept = [object()]
    try:
        config.settle_heap(collect=True)
        assert gc.get_freeze_count() > 0
        assert not any(o is kept for o in gc.get_objects(generation=2))
    finally:
        gc.unfreeze()
    assert any(o is kept for o in gc.get_objects(generation=2))


def test_each_new_model_load_settles_the_heap(monkeypatch):
    """A model's first load (text, image, music) settles the heap once; later calls do not."""
    calls = []
    monkeypatch.setattr(config, "settle_heap", lambda collect=False: calls.append(collect))
    images.clear_cache(), music.clear_cache(), tx.clear_cache()
    for load, name in ((images.load, "gan-digits"), (music.load, "music-bach"),
                       (tx.load, config.DEFAULT_TEXT_MODEL)):
        first, again = load(name), load(name)
        assert first is again
    assert calls == [False, False, False]
