"""The Images tab: builds with no arguments, its top-level handlers run end to end on tiny models,
every drawing honours "More like what I liked", bad input becomes gr.Error, a missing checkpoint
is explained, and the app serves it over HTTP."""
from __future__ import annotations

from pathlib import Path

import gradio as gr
import numpy as np
import pytest
import torch
from PIL import Image

import playground.images as img
from playground import feedback
from playground.generation import Generation
from playground.images import catalog, explanations
from playground.images.gan import GANConfig, Generator
from playground.images.vae import VAE, VAEConfig
from tabs import i18n as ui_i18n
from tabs import images


SLIDERS = [0.0] * 6
API = {"sample", "move", "new_noise", "pick_model", "reset_sliders", "interpolate", "watch_learn"}


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """Tab label -> folder (a string, as the model radio passes it) of three tiny models."""
    root = tmp_path_factory.mktemp("tab-models")
    torch.manual_seed(0)
    catalog.save(Generator(GANConfig(g_ch=8, d_ch=8)), root / "gan")
    catalog.save(Generator(GANConfig(n_classes=10, g_ch=8, d_ch=8)), root / "cgan")
    catalog.save(VAE(VAEConfig(ch=8)), root / "vae")
    return {"GAN": str(root / "gan"), "Conditional GAN": str(root / "cgan"), "VAE": str(root / "vae")}


@pytest.fixture(scope="module")
def liked(tmp_path_factory):
    """A tiny GAN with 8 ratings in the app's store: liked when the first noise number is high."""
    folder = tmp_path_factory.mktemp("liked") / "liked-gan"
    torch.manual_seed(1)
    catalog.save(Generator(GANConfig(g_ch=8, d_ch=8)), folder)
    m = img.load(str(folder))
    for i, z in enumerate(np.random.default_rng(0).standard_normal((8, GANConfig().z_dim))):
        z[0] = 2.0 if i % 2 else -2.0
        g = Generation("image", m.name, m.hash, {"seed": i}, {"latent": z.tolist(), "label": None})
        feedback.default_store().record(g, 5 if i % 2 else 1, "", session="test-rater")
    return str(folder)


def _demo(models=None):
    with gr.Blocks() as demo:
        images.build(models)
    return demo


def test_build_without_arguments_lists_the_bundled_models():
    demo = _demo()
    assert API <= {getattr(f, "api_name", None) for f in demo.fns.values()}
    radio = next(b for b in demo.blocks.values() if isinstance(b, gr.Radio) and b.label == "Model")
    assert [label for label, _ in radio.choices][:3] == ["GAN", "Conditional GAN", "VAE"]
    assert [value for _, value in radio.choices][:3] == ["gan-digits", "cgan-digits", "vae-digits"]


def test_the_events_call_the_top_level_handlers(models):
    fns = {getattr(f, "api_name", None): f.fn for f in _demo(models).fns.values()}
    fns["move"] = fns["move"].__wrapped__  # wrapped by tabs.inline (Gradio's processing without thread hops)
    assert all(fns[name] is getattr(images, "move_on_loop" if name == "move" else name) for name in API)


def test_after_a_drawing_the_picture_catches_up_with_a_slider_moved_meanwhile(models):
    """``catch_up`` runs after every drawing (and its view): the sliders the page holds now, if
    they are not the drawing's, redraw the picture as a move does; otherwise nothing changes."""
    import asyncio

    gan = models["GAN"]
    big, grid, info, g = images.sample(gan, 3, images.ANY, 4, False, 0.0, *SLIDERS)
    settings = (20, 1.35, "ddim")
    assert asyncio.run(images.catch_up(gan, 3, images.ANY, False, 0.0, *SLIDERS, *settings, g)) == (gr.skip(),) * 6
    assert asyncio.run(images.catch_up(gan, 3, images.ANY, False, 0.0, *SLIDERS, *settings, None)) == (gr.skip(),) * 6
    # the page's first drawing gives no slider values (all at 0): sliders at 0 leave it as it is
    *_, first = images.sample(gan, 0, images.ANY, 4, False, 0.0)
    assert first.params["amounts"] == []
    zeros = [0] * img.N_SLIDERS
    assert asyncio.run(images.catch_up(gan, 0, images.ANY, False, 0.0, *zeros, *settings, first)) == (gr.skip(),) * 6
    moved = [2.0] + SLIDERS[1:]  # the page's first slider moved while the drawing was queued
    out = asyncio.run(images.catch_up(gan, 3, images.ANY, False, 0.0, *moved, *settings, g))
    assert out[0].tobytes() == images.move(gan, 3, images.ANY, False, 0.0, *moved)[0].tobytes() != big.tobytes()
    assert out[2].params["amounts"] == moved and len(out) == 6
    demo = _demo(models)
    deps = [d for d in demo.fns.values() if getattr(d.fn, "__wrapped__", None) is images.catch_up]
    generate = next(d for d in demo.fns.values() if d.api_name == "sample")
    assert len(deps) >= 6 and all(d.queue is False and d.api_visibility == "private" for d in deps)  # one per drawing
    (view,) = [d for d in demo.fns.values() if d.trigger_after == generate._id]  # Generate, its view, catch_up
    assert any(d.trigger_after == view._id for d in deps)


def test_a_slider_move_skips_the_queue_and_a_loaded_decoder_runs_on_the_loop(models, monkeypatch):
    """The move event is a plain POST (queue=False), and an API client that joins the queue meets no
    concurrency limit either (as the POST does). ``move_on_loop`` gives ``move``'s drawing; it
    runs a loaded GAN on the event loop and a first load in a worker thread (never on the loop)."""
    import asyncio
    import threading

    (dep,) = [f for f in _demo(models).fns.values() if f.api_name == "move"]
    assert dep.queue is False and dep.concurrency_limit is None
    assert dep.preprocess is False and dep.postprocess is False  # tabs.inline does both, in the loop's thread
    gan, args = models["GAN"], (4, images.ANY, False, 0.0, 1.5, 0, 0, 0, 0, -1.0)
    threads = []
    real = images.move
    monkeypatch.setattr(images, "move", lambda *a: threads.append(threading.current_thread()) or real(*a))
    catalog.clear_cache()
    assert not img.load.holds(gan)
    first = asyncio.run(images.move_on_loop(gan, *args))  # not loaded yet: in a worker thread
    assert img.load.holds(gan) and threads[-1] is not threading.main_thread()
    again = asyncio.run(images.move_on_loop(gan, *args))  # loaded: on the loop (this thread)
    assert threads[-1] is threading.main_thread()
    assert first[0].tobytes() == again[0].tobytes() == real(gan, *args)[0].tobytes()
    assert first[2].params == again[2].params


def test_handlers_end_to_end(models):
    cgan, vae, gan = models["Conditional GAN"], models["VAE"], models["GAN"]
    big, grid, info, g = images.sample(cgan, 5, "7", 16, False, 0.0, *SLIDERS)
    assert isinstance(big, Image.Image) and isinstance(grid, Image.Image)
    assert isinstance(g, Generation) and g.output["label"] == 7 and "seed 5" in info
    moved, info2, g2 = images.move(cgan, 5, "7", False, 0.0, 2.0, 0, 0, 0, 0, -1.5)
    assert g2.params["amounts"][0] == 2.0 and moved.size == big.size
    out = images.pick_model(vae, 5, "7", 16, False, 0.0)  # the hidden digit of the cGAN is ignored
    assert out[2] == explanations.explain_config(catalog.read_config(vae)) and out[3:9] == tuple(SLIDERS)
    assert out[-1].output["label"] is None and out[0]["visible"] is False
    assert images.pick_model(cgan, 5, "7", 16, False, 0.0)[0]["visible"] is True
    seed, *_ = images.new_noise(gan, images.ANY, 4, True, 0.0, *SLIDERS)
    assert 0 <= seed <= images.NEW_SEED_MAX
    strip, gif, g3 = images.interpolate(gan, 1, 2, images.ANY, images.ANY, 5, False, 0.0, *SLIDERS)
    assert Path(gif).read_bytes()[:4] == b"GIF8" and g3.params["steps"] == 5
    assert images.reset_sliders(gan, 1, images.ANY, 4, False, 0.0)[:6] == tuple(SLIDERS)


def test_every_drawing_takes_more_like_what_i_liked(liked):
    """New noise, picking a model and Reset sliders used to draw without the slider (defect 4)."""
    def pair(call):  # the same handler at like=0 and like=2
        return call(0.0), call(2.0)

    draws = {
        "sample": pair(lambda like: images.sample(liked, 3, images.ANY, 4, False, like, *SLIDERS)[-1]),
        "move": pair(lambda like: images.move(liked, 3, images.ANY, False, like, *SLIDERS)[-1]),
        "reset_sliders": pair(lambda like: images.reset_sliders(liked, 3, images.ANY, 4, False, like)[-1]),
        "pick_model": pair(lambda like: images.pick_model(liked, 3, images.ANY, 4, False, like)[-1]),
        "new_noise": pair(lambda like: images.new_noise(liked, images.ANY, 4, False, like, *SLIDERS)[-1]),
        "interpolate": pair(lambda like: images.interpolate(liked, 3, 4, images.ANY, images.ANY, 3, False, like,
                                                            *SLIDERS)[-1]),
    }
    for name, (plain, toward) in draws.items():
        assert plain.params["like"] == 0.0 and toward.params["like"] == 2.0, name
        if name != "new_noise":  # (new noise draws a random seed each time)
            assert toward.output["latent"][0] > plain.output["latent"][0] + 1, name  # moved toward the liked side


def test_watch_it_learn_event_streams():
    frames = list(images.watch_learn("vae", 1))
    assert len(frames) >= 2 and frames[-1][2].startswith("step ")
    assert all(isinstance(x, Image.Image) for x in frames[-1][:2])
    with pytest.raises(gr.Error, match="1 to 120 seconds"):
        next(images.watch_learn("gan", 500))


@pytest.mark.parametrize("args, message", [
    (("GAN", 0, images.ANY, False, 0.0, 9.0, 0, 0, 0, 0, 0), "between -4 and 4"),
    (("GAN", None, images.ANY, False, 0.0, *SLIDERS), "whole number"),
    (("Nope", 0, images.ANY, False, 0.0, *SLIDERS), "Unknown image model"),
    (("GAN", 0, images.ANY, False, 2.0, *SLIDERS), "Rate at least"),
    (("GAN", 0, images.ANY, False, 7.0, *SLIDERS), "between 0 and 3"),
])
def test_bad_input_becomes_gr_error(models, args, message):
    model = models.get(args[0], args[0])
    with pytest.raises(gr.Error, match=message):
        images.move(model, *args[1:])


def test_missing_checkpoint_is_explained(tmp_path):
    absent = str(tmp_path / "absent")
    demo = _demo({"GAN": absent})
    notes = [b.value for b in demo.blocks.values() if isinstance(b, gr.Markdown)]
    assert any("checkpoints are missing" in (v or "") and "playground.train" in v for v in notes)
    big, grid, info, state = images.first(absent)
    assert big is None and state is None and "No image model found" in info
    with pytest.raises(gr.Error, match="No image model found"):
        images.sample(absent, 0, images.ANY, 8, False, 0.0, *SLIDERS)


def test_served_over_http(models):
    from gradio_client import Client

    demo = _demo(models)
    demo.queue().launch(prevent_thread_lock=True, server_port=None, quiet=True,
                        i18n=ui_i18n.i18n())  # labels are i18n keys: the page needs the table
    try:
        client = Client(demo.local_url, verbose=False)
        big, info, *diffusion = client.predict(models["GAN"], 3, images.ANY, False, 0.0, 1.0, 0, 0, 0, 0, 0,
                                               api_name="/move")  # then the diffusion views: empty for a GAN
        assert Path(big).is_file() and "seed 3" in info
        assert Image.open(big).size == (252, 252)  # postprocessed as Gradio does: a PNG in its cache
        # preprocessed as Gradio does: a slider's bounds are checked (tabs.inline), the message is Gradio's
        with pytest.raises(Exception, match="greater than maximum"):
            client.predict(models["GAN"], 3, images.ANY, False, 0.0, 99.0, 0, 0, 0, 0, 0, api_name="/move")
        again, info2, *_ = client.predict(models["GAN"], 3, images.ANY, False, 0.0, 1.0, 0, 0, 0, 0, 0,
                                          api_name="/move")
        assert Path(again).read_bytes() == Path(big).read_bytes() and info2 == info
    finally:
        demo.close()
