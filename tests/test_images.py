"""Images: tiny seeded GAN / conditional GAN / VAE for shapes, seeds, sliders, interpolation,
bad input, checkpoints, training smoke tests, metrics and the bench (no bundled generator needed)."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from playground.images import bench, data, generate, learn, metrics, render
from playground.images.data import DigitsSplit
from playground.images.gan import Discriminator, GANConfig, Generator
from playground.images.sampling import latent
from playground.images.vae import VAE, VAEConfig


def _save(model, path):
    model.save_pretrained(path)
    return str(path)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Folders of three tiny random models: {"gan", "cgan", "vae"} -> path."""
    root = tmp_path_factory.mktemp("tiny-images")
    torch.manual_seed(0)
    return {"gan": _save(Generator(GANConfig(g_ch=8, d_ch=8)), root / "gan"),
            "cgan": _save(Generator(GANConfig(n_classes=10, g_ch=8, d_ch=8)), root / "cgan"),
            "vae": _save(VAE(VAEConfig(ch=8)), root / "vae")}


@pytest.fixture(scope="module")
def small_data():
    tr = data.load("train")
    return DigitsSplit(tr.x[:256], tr.y[:256])


def _px(img) -> np.ndarray:
    return np.asarray(img, dtype=np.int16)


def test_data_split_and_levels():
    tr, te = data.load("train"), data.load("test")
    assert tr.x.shape == (1437, 1, 8, 8) and te.x.shape == (360, 1, 8, 8)
    assert tr.x.min() == -1 and tr.x.max() == 1
    assert torch.equal(data.to_unit(data.to_levels(te.x)), te.x)  # 17 grey levels round-trip
    with pytest.raises(ValueError, match="offline"):
        data.load_dataset("mnist")


@pytest.mark.parametrize("cond", [0, 10])
def test_model_shapes_and_ranges(cond):
    torch.manual_seed(0)
    z, y = torch.randn(5, 16), torch.arange(5)
    yc = y if cond else None
    g = Generator(GANConfig(n_classes=cond, g_ch=8, d_ch=8))
    x = g(z, yc)
    assert x.shape == (5, 1, 8, 8) and x.min() >= -1 and x.max() <= 1
    assert Discriminator(GANConfig(n_classes=cond, g_ch=8, d_ch=8))(x, yc).shape == (5,)
    v = VAE(VAEConfig(n_classes=cond, ch=8))
    xv = v.decode(torch.randn(5, 8), yc)
    assert xv.shape == (5, 1, 8, 8) and xv.min() >= -1 and xv.max() <= 1
    rec, kl = v.elbo(data.load("test").x[:5], yc)
    assert rec.shape == kl.shape == (5,) and (rec <= 0).all() and (kl >= 0).all()


def test_noise_rows_are_seeds():
    assert torch.equal(latent.noise(5, 16, 3)[1], latent.noise(6, 16)[0])
    assert not torch.equal(latent.noise(5, 16)[0], latent.noise(6, 16)[0])


@pytest.mark.parametrize("kind", ["gan", "cgan", "vae"])
def test_seed_determinism(tiny, kind):
    a = generate.sample(tiny[kind], 3, n=16, label=7)
    b = generate.sample(tiny[kind], 3, n=16, label=7)
    c = generate.sample(tiny[kind], 4, n=16, label=7)
    assert np.array_equal(_px(a.media["image"]), _px(b.media["image"]))
    assert np.array_equal(_px(a.media["grid"]), _px(b.media["grid"]))
    assert a.output["latent"] == b.output["latent"] != c.output["latent"]
    assert a.modality == "image" and a.params["seed"] == 3 and len(a.model_hash) == 12
    assert a.media["image"].size == (256, 256) and a.media["grid"].size == (8 * 9 * 8 + 8, 2 * 9 * 8 + 8)
    assert a.output["label"] == (7 if kind == "cgan" else None)
    # the fast slider path draws the same picture as the full sample
    assert np.array_equal(_px(generate.edit(tiny[kind], 3, [], label=7).media["image"]), _px(a.media["image"]))


def test_each_slider_moves_along_its_direction(tiny):
    for kind in ("gan", "vae"):
        m = generate.load(tiny[kind])
        base = generate.edit(tiny[kind], 3, [])
        for i in range(generate.N_SLIDERS):
            amounts = [0.0] * generate.N_SLIDERS
            amounts[i] = 3.0
            moved = generate.edit(tiny[kind], 3, amounts)
            step = torch.tensor(moved.output["latent"]) - torch.tensor(base.output["latent"])
            # the latent moved 3 standard deviations along direction i ...
            assert torch.allclose(step, 3 * m.directions.spread[i] * m.directions.vectors[i], atol=1e-4)
            with torch.inference_mode():  # ... and the decoded image changed with it
                a, b = (m.model.decode(torch.tensor([g.output["latent"]])) for g in (base, moved))
            assert (a - b).abs().max() > 0, (kind, i)


@pytest.mark.parametrize("name", list(generate.BUNDLED))
def test_each_slider_visibly_changes_a_bundled_model(name):
    if name in generate.missing([name]):
        pytest.skip(f"{name} checkpoint not trained")
    label = 7 if generate.load(name).conditional else None
    base = _px(generate.edit(name, 3, [], label=label).media["image"])
    for i in range(generate.N_SLIDERS):
        amounts = [0.0] * generate.N_SLIDERS
        amounts[i] = 3.0
        moved = _px(generate.edit(name, 3, amounts, label=label).media["image"])
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
    g = generate.interpolate(tiny[kind], 3, 9, steps=6)
    frames = g.media["frames"]
    assert len(frames) == 6 and g.media["strip"].size == (6 * 9 * 8 + 8, 9 * 8 + 8)
    first, last = generate.sample(tiny[kind], 3, n=1), generate.sample(tiny[kind], 9, n=1)
    assert g.output["latents"][0] == first.output["latent"]
    assert np.allclose(g.output["latents"][-1], last.output["latent"], atol=1e-5)
    assert np.abs(_px(frames[0]) - _px(first.media["image"])).max() <= 1
    assert np.abs(_px(frames[-1]) - _px(last.media["image"])).max() <= 1
    gif = render.gif(frames)
    assert gif[:4] == b"GIF8"


def test_conditional_morph_between_digits(tiny):
    g = generate.interpolate(tiny["cgan"], 3, 3, steps=5, label=1, label_b=8)
    assert np.abs(_px(g.media["frames"][0]) - _px(generate.sample(tiny["cgan"], 3, n=1, label=1).media["image"])).max() <= 1
    assert np.abs(_px(g.media["frames"][-1]) - _px(generate.sample(tiny["cgan"], 3, n=1, label=8).media["image"])).max() <= 1


@pytest.mark.parametrize("call, message", [
    (lambda p: generate.edit(p, 0, [99.0]), "between -4 and 4"),
    (lambda p: generate.edit(p, 0, [float("nan")]), "between -4 and 4"),
    (lambda p: generate.edit(p, 0, [0.0] * 7), "only 6 sliders"),
    (lambda p: generate.edit(p, 0, ["x"]), "must be numbers"),
    (lambda p: generate.sample(p, 0, n=10_000), "1 to 256 images"),
    (lambda p: generate.sample(p, 0, n=0), "1 to 256 images"),
    (lambda p: generate.sample(p, -1), "seed must be between"),
    (lambda p: generate.sample(p, "abc"), "seed must be a whole number"),
    (lambda p: generate.sample(p, float("inf")), "seed must be a whole number"),
    (lambda p: generate.sample(p, 0, label=12), "digit must be between 0 and 9"),
    (lambda p: generate.interpolate(p, 0, 1, steps=1), "2 to 64"),
    (lambda p: generate.interpolate(p, 0, 1, steps=1000), "2 to 64"),
])
def test_bad_input_is_a_plain_value_error(tiny, call, message):
    with pytest.raises(ValueError, match=message):
        call(tiny["cgan"])


def test_unknown_missing_and_corrupt_checkpoints(tmp_path, tiny):
    with pytest.raises(ValueError, match="Unknown image model"):
        generate.load("StyleGAN9")
    with pytest.raises(ValueError, match="No image model found"):
        generate.load_folder(tmp_path / "nothing")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "config.json").write_text(json.dumps({"kind": "Generator", "z_dim": 16}))
    (bad / "model.safetensors").write_bytes(b"\x00garbage" * 10)
    with pytest.raises(ValueError, match="could not be read"):
        generate.load_folder(bad)
    (bad / "config.json").write_text("{not json")
    with pytest.raises(ValueError, match="could not be read"):
        generate.load_folder(bad)
    assert set(generate.missing([tiny["gan"], str(tmp_path / "nothing")])) == {str(tmp_path / "nothing")}
    assert "playground.train" in generate.missing([str(tmp_path / "nothing")])[str(tmp_path / "nothing")]


def test_save_and_load_round_trip(tiny):
    m = generate.load_folder(tiny["cgan"]).model
    assert isinstance(m, Generator) and m.n_classes == 10 and m.config.g_ch == 8
    v = generate.load_folder(tiny["vae"]).model
    assert isinstance(v, VAE) and v.z_dim == 8


def test_vae_training_loss_falls(small_data):
    t = learn.VAETrainer(VAEConfig(ch=8), small_data, seed=0, batch_size=32)
    first = t.epoch()
    for _ in range(3):
        last = t.epoch()
    assert set(first) == {"neg_elbo", "recon", "kl"}
    assert last["neg_elbo"] < first["neg_elbo"] - 5
    assert t.steps == 4 * t.steps_per_epoch


@pytest.mark.parametrize("cond", [0, 10])
def test_gan_training_one_epoch_moves(small_data, cond):
    t = learn.GANTrainer(GANConfig(n_classes=cond, g_ch=8, d_ch=8), small_data, seed=0, batch_size=32)
    before = [p.clone() for p in t.model.parameters()]
    t.decay_lr(2 * t.steps_per_epoch)
    a, b = t.epoch(), t.epoch()
    assert set(a) == {"d_loss", "g_loss"} and all(np.isfinite(list(a.values())))
    assert a != b  # the losses move
    assert any(not torch.equal(p, q) for p, q in zip(before, t.model.parameters()))  # EMA moved
    assert t.opt_g.param_groups[0]["lr"] == 0.0  # the linear decay reached zero at the end


def test_categorical_code_is_read_off_the_noise():
    torch.manual_seed(0)
    g = Generator(GANConfig(g_ch=8, d_ch=8, n_codes=10))
    z = latent.noise(3, 16, 200)
    codes = g.code(z)
    assert torch.equal(codes, z[:, :10].argmax(1)) and len(codes.unique()) == 10
    # the one-hot code reaches the generator: the same noise with another code draws another image
    z2 = z.clone()
    z2[0, (codes[0] + 1) % 10] = z2[0, :10].max() + 1.0
    with torch.inference_mode():
        assert not torch.allclose(g(z[:1]), g(z2[:1]))
        assert torch.equal(g(z[:4]), g(z[:4]))  # still a pure function of the noise
    with pytest.raises(ValueError, match="n_codes"):
        Generator(GANConfig(n_classes=10, n_codes=10))


def test_gan_with_code_trains_its_info_head(small_data):
    cfg = GANConfig(g_ch=8, d_ch=8, aux_classes=10, n_codes=10)
    t = learn.GANTrainer(cfg, small_data, seed=0, batch_size=32, aux_weight=1.0, info_weight=1.0, lr=1e-3)
    q_before = t.D.q.weight.clone()
    first = t.epoch()
    for _ in range(7):
        last = t.epoch()
    assert {"d_cls", "d_info", "g_info", "g_entropy", "g_spread"} <= set(first)
    assert last["d_info"] < first["d_info"] - 0.3  # the discriminator learns to tell the codes apart
    assert not torch.equal(q_before, t.D.q.weight)


def test_gan_how_it_works_names_each_trick():
    from playground.train.gan import AUX_NOTE, CODE_NOTE, HOW_IT_WORKS, how_it_works

    assert how_it_works({}) == HOW_IT_WORKS
    text = how_it_works({"aux_classes": 10, "n_codes": 10})
    assert AUX_NOTE in text and CODE_NOTE in text


def test_training_is_seeded(small_data):
    runs = [learn.GANTrainer(GANConfig(g_ch=8, d_ch=8), small_data, seed=1, batch_size=32) for _ in range(2)]
    for t in runs:
        t.epoch()
    z = latent.noise(0, 16, 4)
    assert torch.equal(runs[0].model(z), runs[1].model(z))


@pytest.mark.parametrize("family, extra", [("vae", []), ("gan", ["--conditional"]),
                                           ("gan", ["--aux-weight", "1", "--codes", "10"])])
def test_cli_trains_saves_and_loads(tmp_path, family, extra):
    from playground.train.__main__ import main

    out = tmp_path / family
    main([family, "--out", str(out), "--epochs", "2", "--width", "8", "--threads", "1", "--no-eval",
          "--sample-every", "1", "--log-dir", str(tmp_path / "log"), *extra])
    for f in ("config.json", "model.safetensors", "README.md", "samples.png", "loss_curve.png", "metrics.json"):
        assert (out / f).is_file(), f
    assert (tmp_path / "log" / "samples_epoch00002.png").is_file()
    card = (out / "README.md").read_text()
    assert f"python -m playground.train {family}" in card and "--width 8" in card
    m = generate.load_folder(out)
    assert m.conditional == ("--conditional" in extra)
    if "--codes" in extra:
        assert m.model.config.n_codes == 10 and "categorical code" in card
    assert json.loads((out / "metrics.json").read_text())["epochs"] == 2


def test_cli_offline_dataset_message(tmp_path):
    from playground.train.__main__ import main

    with pytest.raises(SystemExit, match="offline"):
        main(["gan", "--dataset", "mnist", "--out", str(tmp_path / "x")])


def test_watch_it_learn_streams(small_data):
    snaps = list(learn.watch("vae", 1.2, every=0.3, data=small_data))
    assert len(snaps) >= 3
    assert snaps[0].step == 0 and snaps[-1].step > 0 and snaps[-1].history
    assert snaps[-1].grid.shape == (16, 1, 8, 8)
    with pytest.raises(ValueError, match="gan' or 'vae"):
        next(learn.watch("diffusion"))
    with pytest.raises(ValueError, match="1 to 120 seconds"):
        next(learn.watch("gan", 10_000))


def test_metrics_and_judge():
    te = data.load("test")
    probs, feats = metrics.judge(te.x)
    assert (probs.argmax(1) == te.y).float().mean() > 0.95  # the bundled judge is a good judge
    assert feats.shape == (360, 64)
    assert abs(sum(metrics.class_histogram(probs)) - 1) < 1e-6
    assert metrics.frechet_distance(feats, feats) == pytest.approx(0, abs=1e-6)
    assert metrics.frechet_distance(feats, feats + 1) == pytest.approx(64, rel=1e-6)  # mean shift only


def test_evaluate_rows(tiny):
    v = metrics.evaluate(generate.load_folder(tiny["vae"]).model, n=50)
    assert {"recognised", "histogram", "frechet_test", "elbo_nats", "bits_per_pixel"} <= set(v)
    assert v["elbo_nats"] < 0
    c = metrics.evaluate(generate.load_folder(tiny["cgan"]).model, n=50)
    assert 0 <= c["asked_class"] <= 1 and len(c["histogram"]) == 10
    assert "cgan" in metrics.format_rows({"cgan": c})


def test_bench_rows(tiny):
    rows = bench.latency_rows([tiny["gan"]], quick=True)
    assert [r["action"].split(" (")[0] for r in rows] == ["slider move", "64-image grid", "interpolation 12 steps"]
    assert all(r["tab"] == "Images" and r["p50_ms"] > 0 and r["p95_ms"] >= r["p50_ms"] for r in rows)
    skipped = bench.latency_rows(["/nonexistent/model"], quick=True)
    assert skipped[0]["p50_ms"] is None and "No image model found" in skipped[0]["note"]
