"""The Images tab: builds with no arguments, its events run end to end on tiny models, bad
input becomes gr.Error, a missing checkpoint is explained, and the app serves it over HTTP."""
from __future__ import annotations

from pathlib import Path

import gradio as gr
import pytest
import torch
from PIL import Image

from playground.generation import Generation
from playground.images.gan import GANConfig, Generator
from playground.images.vae import VAE, VAEConfig
from tabs import images

SLIDERS = [0.0] * 6


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("tab-models")
    torch.manual_seed(0)
    Generator(GANConfig(g_ch=8, d_ch=8)).save_pretrained(root / "gan")
    Generator(GANConfig(n_classes=10, g_ch=8, d_ch=8)).save_pretrained(root / "cgan")
    VAE(VAEConfig(ch=8)).save_pretrained(root / "vae")
    return {"GAN": root / "gan", "Conditional GAN": root / "cgan", "VAE": root / "vae"}


def _demo(models=None):
    with gr.Blocks() as demo:
        images.build(models)
    return demo


def _fn(demo, api_name):
    return next(f.fn for f in demo.fns.values() if getattr(f, "api_name", None) == api_name)


def test_build_without_arguments():
    demo = _demo()
    names = {getattr(f, "api_name", None) for f in demo.fns.values()}
    assert {"sample", "move", "new_noise", "pick_model", "reset_sliders", "interpolate", "watch_learn"} <= names


def test_events_end_to_end(models):
    demo = _demo(models)
    big, grid, info, g = _fn(demo, "sample")("Conditional GAN", 5, "7", 16, False, 0.0, *SLIDERS)
    assert isinstance(big, Image.Image) and isinstance(grid, Image.Image)
    assert isinstance(g, Generation) and g.output["label"] == 7 and "seed 5" in info
    moved, info2, g2 = _fn(demo, "move")("Conditional GAN", 5, "7", False, 0.0, 2.0, 0, 0, 0, 0, -1.5)
    assert g2.params["amounts"][0] == 2.0 and moved.size == big.size
    out = _fn(demo, "pick_model")("VAE", 5, "7", 16, False)
    assert out[2] == images.VAE_HOW and out[3:9] == tuple(SLIDERS) and out[-1].output["label"] is None
    seed, *_ = _fn(demo, "new_noise")("GAN", images.ANY, 4, True, *SLIDERS)
    assert 0 <= seed <= 99_999
    strip, gif, g3 = _fn(demo, "interpolate")("GAN", 1, 2, images.ANY, images.ANY, 5, False, *SLIDERS)
    assert Path(gif).read_bytes()[:4] == b"GIF8" and g3.params["steps"] == 5
    assert _fn(demo, "reset_sliders")("GAN", 1, images.ANY, 4, False)[:6] == tuple(SLIDERS)


def test_watch_it_learn_event_streams(models):
    frames = list(_fn(_demo(models), "watch_learn")("vae", 1))
    assert len(frames) >= 2 and frames[-1][2].startswith("step ")
    assert all(isinstance(x, Image.Image) for x in frames[-1][:2])


@pytest.mark.parametrize("args, message", [
    (("GAN", 0, images.ANY, False, 0.0, 9.0, 0, 0, 0, 0, 0), "between -4 and 4"),
    (("GAN", None, images.ANY, False, 0.0, *SLIDERS), "whole number"),
    (("Nope", 0, images.ANY, False, 0.0, *SLIDERS), "Unknown image model"),
    (("GAN", 0, images.ANY, False, 2.0, *SLIDERS), "Rate at least"),
    (("GAN", 0, images.ANY, False, 7.0, *SLIDERS), "between 0 and 3"),
])
def test_bad_input_becomes_gr_error(models, args, message):
    with pytest.raises(gr.Error, match=message):
        _fn(_demo(models), "move")(*args)


def test_missing_checkpoint_is_explained(tmp_path):
    demo = _demo({"GAN": tmp_path / "absent"})
    notes = [b.value for b in demo.blocks.values() if isinstance(b, gr.Markdown)]
    assert any("checkpoints are missing" in (v or "") and "playground.train" in v for v in notes)
    load = next(f.fn for f in demo.fns.values() if getattr(f, "fn", None) and f.fn.__name__ == "first")
    big, grid, info, state = load()
    assert big is None and state is None and "No image model found" in info
    with pytest.raises(gr.Error, match="No image model found"):
        _fn(demo, "sample")("GAN", 0, images.ANY, 8, False, 0.0, *SLIDERS)


def test_served_over_http(models):
    from gradio_client import Client

    demo = _demo(models)
    demo.queue().launch(prevent_thread_lock=True, server_port=None, quiet=True)
    try:
        client = Client(demo.local_url, verbose=False)
        big, info = client.predict("GAN", 3, images.ANY, False, 0.0, 1.0, 0, 0, 0, 0, 0, api_name="/move")
        assert Path(big).is_file() and "seed 3" in info
    finally:
        demo.close()
