"""The diffusion model in the Images tab: listed and loaded as an image family, its settings
validated in Params, reproducible (DDIM and DDPM), the trajectory from noise to digit, sliders,
interpolation, the tab's handlers, and "More like what I liked" measured with a simulated rater.

Small step counts keep it fast; run with ``-s`` to see the simulated rater's figures.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

import playground.images as img
from playground.feedback import FeedbackStore
from playground.generation import Generation
from playground.images import catalog, diffusion_draw, explanations
from playground.images.diffusion import DiffusionConfig
from playground.images.gan import GANConfig, Generator
from tabs import images, images_diffusion

NAME = "diffusion-mnist"
SLIDERS = [0.0] * img.N_SLIDERS
FAST = {"sampling_steps": 4}


@pytest.fixture(scope="module")
def m():
    return img.load(NAME)


def draw(m, **kw):
    return img.generate(m, img.Params(**{"n": 3, **FAST, **kw}))


def test_the_family_is_listed_and_loads(m):
    assert "diffusion" in catalog.FAMILIES
    info = {i.name: i for i in img.models()}[NAME]
    assert (info.model_type, info.facts["label"], info.facts["conditional"]) == ("diffusion", "Diffusion", True)
    assert isinstance(m.module, diffusion_draw.DiffusionImages) and img.conditional(m)
    assert (m.module.z_dim, m.module.n_classes) == (784, 10)
    assert m.extra["directions"].vectors.shape == (img.N_SLIDERS, 784)
    assert img.explain(m) == explanations.DIFFUSION.format(pixels=784) and "DDPM" in img.explain(info)


@pytest.mark.parametrize("field, value, message", [
    ("sampling_steps", 0, "number of sampling steps must be between 1 and 250"),
    ("sampling_steps", 251, "number of sampling steps must be between 1 and 250"),
    ("sampling_steps", 2.5, "number of sampling steps must be a whole number"),
    ("guidance", -0.5, "guidance scale must be between 0 and 10"),
    ("guidance", "lots", "guidance scale must be a number"),
    ("sampler", "euler", "Unknown sampler 'euler': use one of ddim, ddpm"),
    ("n", 257, "grid size must be between 1 and 256"), ("seed", -1, "seed must be between"),
])
def test_params_reject_bad_diffusion_settings(field, value, message):
    with pytest.raises(ValueError, match=message):
        img.Params(**{field: value})


def test_params_convert_the_diffusion_settings():
    p = img.Params(sampling_steps="50", guidance="2", sampler=" DDPM ")
    assert (p.sampling_steps, p.guidance, p.sampler) == (50, 2.0, "ddpm")
    assert img.Params.from_dict(p.to_dict()) == p
    assert (img.Params().sampling_steps, img.Params().sampler) == (20, "ddim")


def test_an_unconditional_model_refuses_a_digit(tmp_path):
    torch.manual_seed(0)
    tiny = diffusion_draw.DiffusionImages(DiffusionConfig(channels=[8, 16], n_classes=0))
    folder = catalog.save(tiny, tmp_path / "u")
    u = img.load(str(folder))
    assert not img.conditional(u) and img.generate(u, img.Params(n=2, sampling_steps=2)).output["label"] is None
    with pytest.raises(ValueError, match="unconditional"):
        img.generate(u, img.Params(n=2, label=3, sampling_steps=2))


@pytest.mark.parametrize("sampler", ["ddim", "ddpm"])
def test_same_inputs_same_image_and_the_grid_starts_with_the_large_sample(m, sampler):
    a, b = draw(m, seed=3, label=7, sampler=sampler), draw(m, seed=3, label=7, sampler=sampler)
    assert torch.equal(a.media["images"], b.media["images"]) and a.output == b.output
    x = a.media["images"]
    assert x.shape == (4, 1, 28, 28) and x.min() >= -1 and x.max() <= 1
    assert torch.allclose(x[0], x[1], atol=1e-5)  # the large sample (sliders at 0) is the grid's first
    assert (x[1] - x[2]).abs().max() > 0.5  # the next seed is another image
    one = img.edit(m, img.Params(seed=3, label=7, sampler=sampler, **FAST))
    assert torch.allclose(one.media["images"][0], x[0], atol=1e-5)  # a slider move at 0 draws it again
    assert (draw(m, seed=4, label=7, sampler=sampler).media["images"][0] - x[0]).abs().max() > 0.5
    assert len(a.output["latent"]) == 784 and all(v == round(v, 3) for v in a.output["latent"])


def test_ddpm_and_ddim_differ_and_any_digit_is_the_unconditional_model(m):
    ddim, ddpm = draw(m, seed=5, label=2), draw(m, seed=5, label=2, sampler="ddpm")
    assert (ddim.media["images"] - ddpm.media["images"]).abs().max() > 0.1
    anyd = draw(m, seed=5)
    assert anyd.output["label"] is None and anyd.media["trajectory"].digits == [None]


def test_the_trajectory_goes_from_noise_to_the_digit(m):
    g = img.edit(m, img.Params(seed=1, label=3, sampling_steps=6))
    traj = g.media["trajectory"]
    assert [f.step for f in traj.frames] == list(range(7)) and traj.frames[0].t == 1.0
    assert 0.8 < traj.frames[0].x.std() < 1.2  # pure noise
    assert torch.equal(traj.frames[-1].x, g.media["images"][:1]) and traj.frames[-1].t == 0.0
    assert (traj.frames[-1].x - traj.frames[0].x).abs().mean() > 0.5
    strip = g.media["strip"]
    assert isinstance(strip, Image.Image) and strip.width > 3 * strip.height  # 7 frames by 2 rows
    many = img.edit(m, img.Params(seed=1, label=3, sampling_steps=100)).media["trajectory"]
    assert len(many.frames) == diffusion_draw.GIF_FRAMES and many.frames[-1].step == 100


def test_sliders_move_the_digit_smoothly(m):
    plain = img.edit(m, img.Params(seed=2, label=4, **FAST)).media["images"]
    assert torch.equal(img.edit(m, img.Params(seed=2, label=4, amounts=SLIDERS, **FAST)).media["images"], plain)
    for k in range(img.N_SLIDERS):
        amounts = [0.0] * k + [0.5]
        small = img.edit(m, img.Params(seed=2, label=4, amounts=amounts, **FAST)).media["images"]
        big = img.edit(m, img.Params(seed=2, label=4, amounts=[0.0] * k + [3.0], **FAST)).media["images"]
        assert 0 < (small - plain).abs().mean() < (big - plain).abs().mean(), k  # more slider, more change


@pytest.mark.parametrize("sampler", ["ddim", "ddpm"])
def test_interpolation_ends_at_the_two_seeds_images(m, sampler):
    p = img.Params(seed=3, label=1, sampler=sampler, **FAST)
    g = img.interpolate(m, p, 8, steps=4, label_b=6)
    a = img.edit(m, p).media["images"][0]
    b = img.edit(m, p.replace(seed=8, label=6)).media["images"][0]
    x = g.media["images"]
    assert x.shape == (4, 1, 28, 28) and len(g.output["latents"]) == 4
    assert torch.allclose(x[0], a, atol=1e-3) and torch.allclose(x[-1], b, atol=1e-3)


def test_the_tab_shows_the_trajectory_for_diffusion(m, tmp_path):
    big, grid, info, g = images.sample(NAME, 3, "7", 4, False, 0.0, *SLIDERS, 5, 2.0, "ddpm")
    assert isinstance(big, Image.Image) and isinstance(grid, Image.Image) and "digit 7" in info
    assert (g.params["sampling_steps"], g.params["guidance"], g.params["sampler"]) == (5, 2.0, "ddpm")
    strip, gif, costs = images_diffusion.view(NAME, g, tmp_path)
    assert strip is g.media["strip"] and open(gif, "rb").read(4) == b"GIF8"
    with Image.open(gif) as anim:
        assert anim.n_frames == 6  # noise + 5 steps
    assert "5 DDPM steps" in costs and "ms per image" in costs
    moved, _, g2 = images.move(NAME, 3, "7", False, 0.0, 2.0, 0, 0, 0, 0, 0, 5, 2.0, "ddpm")
    assert images_diffusion.view(NAME, g2, tmp_path)[0] is g2.media["strip"]
    import asyncio
    import threading
    on: list = []  # the diffusion model's many steps never run on the server's event loop
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(images, "move", lambda *a: on.append(threading.current_thread()) or (moved, "", g2))
        out = asyncio.run(images.move_on_loop(NAME, 3, "7", False, 0.0, 2.0, 0, 0, 0, 0, 0, 5, 2.0, "ddpm"))
    assert on and on[0] is not threading.main_thread()
    assert out[3] is g2.media["strip"] and open(out[4], "rb").read(4) == b"GIF8"  # the move shows its view
    out = images.pick_model(NAME, 3, images.ANY, 4, False, 0.0, 3, 1.0, "ddim")
    assert out[0]["visible"] is True and out[-1].params["sampling_steps"] == 3 and out[-1].output["label"] is None
    strip_i, gif_i, gi = images.interpolate(NAME, 1, 2, "3", "3", 3, False, 0.0, *SLIDERS, 3, 1.5, "ddim")
    assert isinstance(strip_i, Image.Image) and gi.params["steps"] == 3
    with pytest.raises(Exception, match="number of sampling steps must be between 1 and 250"):
        images.sample(NAME, 3, "7", 4, False, 0.0, *SLIDERS, 0, 1.5, "ddim")


def test_the_diffusion_controls_are_hidden_for_a_gan(tmp_path):
    gan = catalog.save(Generator(GANConfig(g_ch=8, d_ch=8)), tmp_path / "gan")
    controls, views, n = images_diffusion.show(str(gan), 16)
    assert controls["visible"] is False and views["visible"] is False and n["value"] == 64
    controls, views, n = images_diffusion.show(NAME, 64)
    assert controls["visible"] is True and views["visible"] is True and n["value"] == images_diffusion.GRID
    *_, g = images.sample(str(gan), 3, images.ANY, 2, False, 0.0, *SLIDERS, 5, 2.0, "ddpm")  # settings ignored
    assert "trajectory" not in g.media and images_diffusion.view(str(gan), g, tmp_path) == (None, None, "")


@pytest.mark.slow
def test_more_like_what_i_liked_moves_toward_the_liked_digit(m, tmp_path):
    """A simulated rater likes the digit 3 among 120 'any digit' samples (judged by mnist-judge);
    the share of 3s in 1,000 fresh samples before and after 'More like what I liked' (strength 2)."""
    from playground.images import judge

    j, liked, steps = judge.load(), 3, 10
    store = FeedbackStore(f"sqlite:///{tmp_path / 'loop.db'}")

    def digits(z: torch.Tensor) -> np.ndarray:
        x = torch.cat([m.module.decode(z[i:i + 250], None, steps=steps, guidance=0.0) for i in range(0, len(z), 250)])
        return judge.judge(x, j)[0].argmax(1).numpy()

    rng = np.random.default_rng(5)
    rated = torch.as_tensor(rng.standard_normal((120, 784)), dtype=torch.float32)
    for i, (z, d) in enumerate(zip(rated, digits(rated))):
        r = int(rng.integers(4, 6)) if d == liked else int(rng.integers(1, 3))
        store.record(Generation("image", NAME, m.hash, {"seed": i}, {"latent": z.tolist(), "label": None}), r, "",
                     session="simulated-rater")
    fresh = torch.as_tensor(np.random.default_rng(6).standard_normal((1000, 784)), dtype=torch.float32)
    before = (digits(fresh) == liked).mean()
    after = (digits(diffusion_draw.toward_liked(NAME, fresh, 2.0, store)) == liked).mean()
    store.close()
    print(f"\n[loop] {NAME}, low-frequency direction (liked digit {liked}): {before:.1%} before -> {after:.1%} after")
    assert after > before + 0.08
