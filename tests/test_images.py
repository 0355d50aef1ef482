"""Images: tiny seeded GAN / conditional GAN / VAE for shapes, seeds, sliders, interpolation,
bad input, checkpoints, metrics and the bench (no bundled generator needed, except where said)."""
from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import torch

import playground.images as images
from playground.generation import checkpoint_hash
from playground.images import benchmark, catalog, data, draw, metrics, render
from playground.images.gan import Discriminator, GANConfig, Generator
from playground.images.params import N_SLIDERS, Params
from playground.images.sampling import latent
from playground.images.vae import VAE, VAEConfig



@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Three tiny random models, loaded: {"gan", "cgan", "vae"} -> contract.Loaded."""
    root = tmp_path_factory.mktemp("tiny-images")
    torch.manual_seed(0)
    models = {"gan": Generator(GANConfig(g_ch=8, d_ch=8)), "cgan": Generator(GANConfig(n_classes=10, g_ch=8, d_ch=8)),
              "vae": VAE(VAEConfig(ch=8))}
    return {k: images.load(str(catalog.save(m, root / k))) for k, m in models.items()}


def _px(img) -> np.ndarray:
    return np.asarray(img, dtype=np.int16)


def _label(kind: str) -> int | None:
    return 7 if kind == "cgan" else None


def test_data_is_the_one_mnist_split():
    tr, te = data.load("train"), data.load("test")
    assert tr.x.shape == (8500, 1, 28, 28) and te.x.shape == (1500, 1, 28, 28)
    assert tr.x.min() == -1 and tr.x.max() == 1
    assert not set(tr.indices) & set(te.indices)  # never train on a test digit
    gen = torch.Generator().manual_seed(0)
    x, y = next(data.minibatches(tr, 32, gen))
    assert x.shape == (32, 1, 28, 28) and y.shape == (32,)
    with pytest.raises(ValueError, match="Could not read"):
        data.load("train", __file__)


@pytest.mark.parametrize("cond", [0, 10])
def test_model_shapes_and_ranges(cond):
    torch.manual_seed(0)
    z, y = torch.randn(5, GANConfig().z_dim), torch.arange(5)
    yc = y if cond else None
    g = Generator(GANConfig(n_classes=cond, g_ch=8, d_ch=8))
    x = g(z, yc)
    assert x.shape == (5, 1, 28, 28) and x.min() >= -1 and x.max() <= 1
    assert Discriminator(GANConfig(n_classes=cond, g_ch=8, d_ch=8))(x, yc).shape == (5,)
    v = VAE(VAEConfig(n_classes=cond, ch=8))
    xv = v.decode(torch.randn(5, v.z_dim), yc)
    assert xv.shape == (5, 1, 28, 28) and xv.min() >= -1 and xv.max() <= 1
    rec, kl = v.elbo(data.load("test").x[:5], yc)
    assert rec.shape == kl.shape == (5,) and (rec <= 0).all() and (kl >= 0).all()


def test_noise_rows_are_seeds():
    assert torch.equal(latent.noise(5, 16, 3)[1], latent.noise(6, 16)[0])
    assert not torch.equal(latent.noise(5, 16)[0], latent.noise(6, 16)[0])


@pytest.mark.parametrize("kind", ["gan", "cgan", "vae"])
def test_seed_determinism(tiny, kind):
    m, label = tiny[kind], _label(kind)
    a, b = (images.generate(m, Params(seed=3, n=16, label=label)) for _ in range(2))
    c = images.generate(m, Params(seed=4, n=16, label=label))
    assert np.array_equal(_px(a.media["image"]), _px(b.media["image"]))
    assert np.array_equal(_px(a.media["grid"]), _px(b.media["grid"]))
    assert a.output["latent"] == b.output["latent"] != c.output["latent"]
    assert a.modality == "image" and a.params["seed"] == 3 and len(a.model_hash) == 12
    assert a.media["image"].size == (252, 252)  # 28 x 9
    assert a.output["label"] == label and a.media["images"].shape == (17, 1, 28, 28)
    # the fast slider path draws the same picture as the full sample
    assert np.array_equal(_px(images.edit(m, Params(seed=3, label=label)).media["image"]), _px(a.media["image"]))


def test_each_slider_moves_along_its_direction(tiny):
    for kind in ("gan", "vae"):
        m = tiny[kind]
        dirs = m.extra["directions"]
        base = images.edit(m, Params(seed=3))
        for i in range(N_SLIDERS):
            amounts = [0.0] * N_SLIDERS
            amounts[i] = 3.0
            moved = images.edit(m, Params(seed=3, amounts=amounts))
            step = torch.tensor(moved.output["latent"]) - torch.tensor(base.output["latent"])
            # the latent moved 3 standard deviations along direction i ...
            assert torch.allclose(step, 3 * dirs.spread[i] * dirs.vectors[i], atol=1e-4)
            with torch.inference_mode():  # ... and the decoded image changed with it
                a, b = (m.module.decode(torch.tensor([g.output["latent"]])) for g in (base, moved))
            assert (a - b).abs().max() > 0, (kind, i)


@pytest.mark.parametrize("name", [i.name for i in images.models()])
def test_each_slider_visibly_changes_a_bundled_model(name):
    m = images.load(name)
    label = 7 if images.conditional(m) else None
    base = _px(images.edit(m, Params(seed=3, label=label)).media["image"])
    for i in range(N_SLIDERS):
        amounts = [0.0] * N_SLIDERS
        amounts[i] = 3.0
        moved = _px(images.edit(m, Params(seed=3, label=label, amounts=amounts)).media["image"])
        assert np.abs(moved - base).mean() > 2, (name, i)  # grey levels of 0..255, on average


def test_slerp():
    a, b = latent.noise(1, 16)[0], latent.noise(2, 16)[0]
    path = latent.slerp(a, b, torch.linspace(0, 1, 7))
    assert path.shape == (7, 16)
    assert torch.equal(path[0], a) and torch.allclose(path[-1], b, atol=1e-6)
    # between two vectors of equal norm it stays on the sphere (a straight line would dip inside)
    b = b / b.norm() * a.norm()
    norms = latent.slerp(a, b, torch.linspace(0, 1, 7)).norm(dim=1)
    assert torch.allclose(norms, a.norm().expand(7), rtol=1e-4)
    assert torch.allclose(latent.slerp(a, a, 0.5), a)  # parallel: no division by zero


@pytest.mark.parametrize("kind", ["gan", "cgan", "vae"])
def test_interpolation_endpoints_are_the_two_samples(tiny, kind):
    m = tiny[kind]
    g = images.interpolate(m, Params(seed=3), 9, steps=6)
    frames = g.media["frames"]
    assert len(frames) == 6 and g.media["strip"].size == ((6 * 29 + 1) * 2, 30 * 2)
    first, last = images.generate(m, Params(seed=3, n=1)), images.generate(m, Params(seed=9, n=1))
    assert g.output["latents"][0] == first.output["latent"]
    assert np.allclose(g.output["latents"][-1], last.output["latent"], atol=1e-5)
    assert np.abs(_px(frames[0]) - _px(first.media["image"])).max() <= 1
    assert np.abs(_px(frames[-1]) - _px(last.media["image"])).max() <= 1
    assert render.gif(frames)[:4] == b"GIF8"
    assert g.params["seed"] == 3 and g.params["seed_b"] == 9 and g.params["steps"] == 6


def test_conditional_morph_between_digits(tiny):
    m = tiny["cgan"]
    g = images.interpolate(m, Params(seed=3, label=1), 3, steps=5, label_b=8)
    for frame, digit in ((g.media["frames"][0], 1), (g.media["frames"][-1], 8)):
        alone = images.generate(m, Params(seed=3, n=1, label=digit)).media["image"]
        assert np.abs(_px(frame) - _px(alone)).max() <= 1


@pytest.mark.parametrize("call, message", [
    (lambda m: images.edit(m, Params(amounts=[99.0])), "between -4 and 4"),
    (lambda m: images.edit(m, Params(amounts=[float("nan")])), "slider value must be a number"),
    (lambda m: images.edit(m, Params(amounts=[0.0] * 7)), "only 6 sliders"),
    (lambda m: images.edit(m, Params(amounts=["x"])), "slider value must be a number"),
    (lambda m: images.generate(m, Params(n=10_000)), "grid size must be between 1 and 256"),
    (lambda m: images.generate(m, Params(n=0)), "grid size must be between 1 and 256"),
    (lambda m: images.generate(m, Params(seed=-1)), "seed must be between"),
    (lambda m: images.generate(m, Params(seed="abc")), "seed must be a whole number"),
    (lambda m: images.generate(m, Params(seed=float("inf"))), "seed must be a whole number"),
    (lambda m: images.generate(m, Params(label=12)), "digit must be between 0 and 9"),
    (lambda m: images.interpolate(m, Params(), 1, steps=1), "between 2 and 64"),
    (lambda m: images.interpolate(m, Params(), 1, steps=1000), "between 2 and 64"),
    (lambda m: images.interpolate(m, Params(), 1, label_b=10), "second digit must be between 0 and 9"),
])
def test_bad_input_is_a_plain_value_error(tiny, call, message):
    with pytest.raises(ValueError, match=message):
        call(tiny["cgan"])


def test_an_unconditional_model_cannot_be_asked_for_a_digit(tiny):
    for call in (lambda: images.generate(tiny["gan"], Params(label=3)),
                 lambda: images.edit(tiny["vae"], Params(label="3")),
                 lambda: images.interpolate(tiny["gan"], Params(), 1, label_b=3)):
        with pytest.raises(ValueError, match=draw.UNCONDITIONAL):
            call()
    assert images.generate(tiny["gan"], Params(label="any", n=1)).output["label"] is None


def test_unknown_missing_and_corrupt_checkpoints(tmp_path):
    with pytest.raises(ValueError, match="Unknown image model 'StyleGAN9'"):
        images.load("StyleGAN9")
    with pytest.raises(ValueError, match="No image model found.*playground.train"):
        catalog.load_folder(tmp_path / "nothing")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "config.json").write_text(json.dumps({"kind": "Generator", "z_dim": 16}))  # the legacy key still loads
    (bad / "model.safetensors").write_bytes(b"\x00garbage" * 10)
    with pytest.raises(ValueError, match="could not be read"):
        catalog.load_folder(bad)
    (bad / "config.json").write_text("{not json")
    with pytest.raises(ValueError, match="could not be read"):
        catalog.load_folder(bad)
    (bad / "config.json").write_text(json.dumps({"model_type": "gpt2"}))
    with pytest.raises(ValueError, match="not an image generator"):
        catalog.load_folder(bad)


@pytest.mark.parametrize("n, nrow", [(1, 8), (2, 8), (5, 2), (17, 4), (64, 8), (9, 16)])
def test_tile_lays_images_out_as_torchvision_make_grid(n, nrow):
    """``render.tile`` gives torchvision's ``make_grid`` picture bit for bit (without importing it)."""
    from torchvision.utils import make_grid

    x = torch.rand(n, 1, 28, 28, generator=torch.Generator().manual_seed(n)) * 2 - 1
    assert torch.equal(render.tile(x, nrow), make_grid(x, nrow=nrow, padding=1, pad_value=-1.0)[:1])


def test_slider_directions_are_stored_beside_the_weights(tmp_path, monkeypatch):
    """A checkpoint's first load finds its slider directions and saves them beside the weights
    (bit for bit, outside the checkpoint's hash); later loads read them instead of finding them
    again; changed weights, a corrupt file or a read-only folder make the load find them anew."""
    torch.manual_seed(1)
    folder = catalog.save(Generator(GANConfig(g_ch=8, d_ch=8)), tmp_path / "gan")
    found, real = [], catalog.FAMILIES["gan"].directions
    monkeypatch.setitem(catalog.FAMILIES, "gan", dataclasses.replace(
        catalog.FAMILIES["gan"], directions=lambda *a: found.append(1) or real(*a)))
    first = catalog.load_folder(folder)
    assert found == [1] and (folder / catalog.DIRECTIONS).is_file()
    again = catalog.load_folder(folder)
    assert found == [1] and again.hash == first.hash == checkpoint_hash(folder / "model.safetensors")
    for f in ("vectors", "spread", "explained"):
        assert torch.equal(getattr(again.extra["directions"], f), getattr(first.extra["directions"], f))
    (folder / catalog.DIRECTIONS).write_text("{broken")
    catalog.load_folder(folder)
    assert found == [1, 1]
    torch.manual_seed(2)
    catalog.save(Generator(GANConfig(g_ch=8, d_ch=8)), folder)  # retrained in place: other weights
    assert catalog.stored_directions(folder, checkpoint_hash(folder)) is None
    catalog.load_folder(folder)
    assert found == [1, 1, 1]
    (folder / catalog.DIRECTIONS).unlink()

    def read_only(self, target):
        raise PermissionError(f"read-only: {self}")
    monkeypatch.setattr(type(folder), "replace", read_only)  # a read-only folder: loads, keeps nothing
    assert catalog.load_folder(folder).extra["directions"].vectors.shape[0] == N_SLIDERS
    assert found == [1, 1, 1, 1] and sorted(p.name for p in folder.iterdir()) == ["config.json", "model.safetensors"]


def test_the_bundled_slider_directions_are_what_the_app_finds():
    """The bundled image models ship their slider directions: they equal, bit for bit, what the
    app (one torch thread) finds from the weights."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for info in catalog.models(catalog.MODELS):
            m = catalog.load_folder(info.path)
            stored = catalog.stored_directions(m.extra["path"], m.hash)
            assert stored is not None, info.name
            fam = catalog.family(catalog.read_config(info.path))
            with torch.inference_mode():
                fresh = fam.directions(m.module, N_SLIDERS)
            for f in ("vectors", "spread", "explained"):
                assert torch.equal(getattr(stored, f), getattr(fresh, f)), (info.name, f)
    finally:
        torch.set_num_threads(threads)


def test_save_and_load_round_trip(tiny):
    folder = tiny["cgan"].extra["path"]
    assert json.loads((folder / "config.json").read_text())["model_type"] == "gan"
    m = catalog.load_folder(folder).module
    assert isinstance(m, Generator) and m.n_classes == 10 and m.config.g_ch == 8
    v = catalog.load_folder(tiny["vae"].extra["path"]).module
    assert isinstance(v, VAE) and v.z_dim == VAEConfig().z_dim
    with pytest.raises(TypeError, match="not an image generator"):
        catalog.save(torch.nn.Linear(2, 2), folder.parent / "linear")


def test_metrics_and_judge():
    te = data.load("test")
    probs, feats = metrics.judge(te.x)
    assert (probs.argmax(1) == te.y).float().mean() > 0.95  # the bundled judge is a good judge
    assert feats.shape == (1500, 128)
    assert abs(sum(metrics.class_histogram(probs)) - 1) < 1e-6
    # a distance is never negative; near zero means near zero relative to the features' own spread
    # (eigenvalue rounding leaves ~1e-6 absolute; the last bits of BLAS must not decide the test)
    scale = float(np.trace(np.cov(feats.double().numpy(), rowvar=False)))
    same = metrics.frechet_distance(feats, feats)
    assert 0.0 <= same <= 1e-6 * scale
    assert metrics.frechet_distance(feats, feats + 1) == pytest.approx(128, abs=1e-6 * scale)  # mean shift only


def test_evaluate_rows(tiny):
    v = metrics.evaluate(tiny["vae"].module, n=50)
    assert {"recognised", "histogram", "frechet_test", "elbo_nats", "bits_per_dim", "likelihood"} <= set(v)
    assert v["elbo_nats"] < 0 and v["frechet_test"] >= 0
    assert v["bits_per_dim"] == pytest.approx(-v["elbo_nats"] / (784 * np.log(2)))
    c = metrics.evaluate(tiny["cgan"].module, n=50)
    assert 0 <= c["asked_digit"] <= 1 and len(c["histogram"]) == 10
    assert "cgan" in metrics.format_rows({"cgan": c})


def test_bench_rows(tiny):
    rows = benchmark.latency_rows({"tiny GAN": str(tiny["gan"].extra["path"])}, quick=True)
    assert [r["action"] for r in rows] == ["slider move (tiny GAN)", "64-image grid (tiny GAN)",
                                           "interpolation 12 steps (tiny GAN)"]
    assert all(r["tab"] == "Images" and r["p50_ms"] > 0 and r["p95_ms"] >= r["p50_ms"] for r in rows)
    assert rows[0]["goal"].startswith("< 30 ms p95") and rows[1]["goal"].startswith("< 200 ms p95")
    skipped = benchmark.latency_rows({"gone": "/nonexistent/model"}, quick=True)
    assert "p50_ms" not in skipped[0] and "No image model found" in skipped[0]["note"]
