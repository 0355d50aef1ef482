"""The Images package's side of the one contract: Params convert and validate, models() reads its
facts from each config.json, explain() follows those facts, save_output writes native 28x28 PNGs,
features / learn_from_feedback learn from rated latents."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

import playground.images as images
from playground import registry
from playground.images import catalog, explanations, liking
from playground.images.gan import GANConfig, Generator
from playground.images.params import Params
from playground.images.vae import VAE, VAEConfig



@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A models root with a tiny GAN, a tiny conditional VAE, a legacy-"kind" GAN and a non-image model."""
    root = tmp_path_factory.mktemp("image-models")
    torch.manual_seed(0)
    catalog.save(Generator(GANConfig(g_ch=8, d_ch=8, aux_classes=10, n_codes=10)), root / "b-gan")
    catalog.save(VAE(VAEConfig(ch=8, n_classes=10)), root / "a-cvae")
    legacy = catalog.save(Generator(GANConfig(n_classes=10, g_ch=8, d_ch=8)), root / "c-legacy")
    cfg = json.loads((legacy / "config.json").read_text())
    cfg["kind"] = "Generator"
    del cfg["model_type"]
    (legacy / "config.json").write_text(json.dumps(cfg))
    (root / "text").mkdir()
    (root / "text" / "config.json").write_text(json.dumps({"model_type": "gpt2"}))
    return root


def test_the_registry_finds_the_images_package():
    assert registry.get("image") is images and images.NAME == "image"


def test_params_convert_every_field():
    p = Params(seed="3", n=64.0, label="7", amounts="1.5, 0, -2", like=1, smooth="true")
    assert p == Params(seed=3, n=64, label=7, amounts=[1.5, 0.0, -2.0], like=1.0, smooth=True)
    assert isinstance(p.seed, int) and isinstance(p.n, int) and isinstance(p.like, float)
    assert Params(label="any").label is None and Params(label=None).label is None and Params(label="").label is None
    assert Params(amounts="[1, 2]").amounts == [1.0, 2.0] and Params(amounts=(0.5,)).amounts == [0.5]
    assert Params.from_dict({"seed_a": 5, "seed_b": 6, "steps": 3}).seed == 5  # old interpolation records
    assert Params.from_dict(Params(seed=9, n=4).to_dict()) == Params(seed=9, n=4)


@pytest.mark.parametrize("field, value, message", [
    ("n", 3.5, "grid size must be a whole number"), ("n", 257, "grid size must be between 1 and 256"),
    ("label", 3.5, "digit must be a whole number"), ("label", -1, "digit must be between 0 and 9"),
    ("amounts", [5], "between -4 and 4"), ("amounts", "1, x", "slider value must be a number"),
    ("amounts", [0] * 7, "only 6 sliders"), ("amounts", {"a": 1}, "list of numbers"),
    ("like", 3.5, "between 0 and 3"), ("like", "lots", "must be a number"),
    ("smooth", "maybe", "true or false"), ("seed", 2**31, "seed must be between 0 and 2,147,483,647"),
])
def test_params_reject_bad_values_with_a_sentence(field, value, message):
    with pytest.raises(ValueError, match=message):
        Params(**{field: value})


def test_models_read_their_facts_from_config_json(folder):
    infos = images.models(folder)
    assert [i.name for i in infos] == ["b-gan", "c-legacy", "a-cvae"]  # GANs, plain first, then VAEs
    gan, legacy, cvae = infos
    assert (gan.model_type, gan.facts["conditional"], gan.facts["label"], gan.facts["z_dim"]) == ("gan", False, "GAN", 32)
    assert (legacy.model_type, legacy.facts["label"]) == ("gan", "Conditional GAN")  # "kind" still read
    assert (cvae.model_type, cvae.facts["conditional"], cvae.facts["label"]) == ("vae", True, "Conditional VAE")
    assert list(catalog.labelled(infos + [catalog.describe(folder / "b-gan", "again")])) == [
        "GAN (b-gan)", "Conditional GAN", "Conditional VAE", "GAN (again)"]


def test_the_bundled_models_and_their_cards():
    infos = {i.name: i for i in images.models()}
    assert {"gan-digits", "cgan-digits", "vae-digits"} <= set(infos)
    assert infos["cgan-digits"].facts["conditional"] and not infos["gan-digits"].facts["conditional"]
    for name in ("gan-digits", "cgan-digits", "vae-digits", "mnist-judge", "diffusion-mnist"):
        path = catalog.MODELS / name
        card = json.loads((path / "card.json").read_text())
        assert json.loads((path / "config.json").read_text())["model_type"] == card["model_type"]
        assert card["command"].startswith("python -m playground.") and card["metrics"]
    gan = json.loads((catalog.MODELS / "gan-digits" / "card.json").read_text())
    assert "MNIST" in gan["data"] and gan["metrics"]["recognised"] > 0.9


def test_explain_follows_the_config_not_the_name(folder):
    infos = {i.name: i for i in images.models(folder)}
    text = images.explain(infos["b-gan"])
    assert explanations.AUX_NOTE in text and explanations.CODE_NOTE in text
    assert explanations.CONDITIONAL_GAN in images.explain(infos["c-legacy"])
    assert "squeeze each digit into 8 numbers" in images.explain(infos["a-cvae"])
    assert explanations.CONDITIONAL_VAE in images.explain(infos["a-cvae"])
    plain = explanations.explain_config({"model_type": "gan", "z_dim": 16})
    assert plain == explanations.GAN.format(z_dim=16) and "16 random numbers" in plain
    assert images.explain(images.load(str(folder / "b-gan"))) == text
    assert explanations.explain_config({"model_type": "flow"}) == ""


def test_save_output_writes_one_native_png_per_image(folder, tmp_path):
    m = images.load(str(folder / "a-cvae"))
    g = images.generate(m, Params(seed=5, n=3, label=2, amounts=[1.0]))
    files = images.save_output(g, tmp_path / "pngs")
    assert [f.name for f in files] == ["sample-seed5.png", "seed5.png", "seed6.png", "seed7.png"]
    for f in files:
        with Image.open(f) as im:
            assert im.size == (28, 28) and "provenance" in im.info
    # the native pixels are the upscaled picture's pixels, one per 9x9 block (252 = 28 x 9)
    big = np.asarray(g.media["image"])[::9, ::9]
    with Image.open(files[0]) as im:
        assert np.array_equal(np.asarray(im), big)
    strip = images.interpolate(m, Params(seed=1, label=0), 2, steps=3, label_b=9)
    assert [f.name for f in images.save_output(strip, tmp_path / "strip")] == ["step00.png", "step01.png", "step02.png"]


def test_features_are_the_latents_of_each_output():
    f = images.features([{"latent": [1, 2], "label": None}, [3, 4], {"latents": [[1, 0], [0, 1], [2, 2]]}])
    assert [x.shape for x in f] == [(1, 2), (1, 2), (3, 2)]
    with pytest.raises(ValueError, match="no latent"):
        liking.latents({"label": 3})


def test_learn_from_feedback_fits_the_preference_direction(folder):
    m = images.load(str(folder / "b-gan"))
    rng = np.random.default_rng(0)
    z = rng.standard_normal((200, m.module.z_dim))
    rows = [{"model": m.name, "output": {"latent": v.tolist()}, "rating": 5 if v[0] > 0 else 1} for v in z]
    rows += [{"model": "someone-else", "output": {"latent": [9.0] * m.module.z_dim}, "rating": 5},
             {"model": m.name, "output": {"latent": [1.0, 2.0]}, "rating": 5}]  # skipped: other model / size
    events = list(images.learn_from_feedback(m, rows))
    assert events[0]["progress"] == 0 and events[-1]["done"] and events[-1]["ratings"] == 200
    assert events[-1]["direction"][0] > 0.9  # ratings rise with the first latent number
    with pytest.raises(ValueError, match="Rate at least two"):
        list(images.learn_from_feedback(m, rows[:1]))
