"""Images training on the one loop: trainer steps, the learning-rate schedule, the CLI (checkpoint,
card, samples), the categorical code, seeding and "watch it learn" (tiny models, a few seconds)."""
from __future__ import annotations

import json
import threading

import numpy as np
import pytest
import torch

import playground.images as images
from playground.images import data, learn
from playground.images.data import DigitsSplit
from playground.images.gan import GANConfig, Generator
from playground.images.sampling import latent
from playground.images.vae import VAEConfig
from playground.train.loop import LoopConfig, train



@pytest.fixture(scope="module")
def small_data():
    tr = data.load("train")
    return DigitsSplit(tr.x[:256], tr.y[:256], tr.indices[:256])


def _epoch(t: learn._Trainer) -> dict[str, float]:
    """Mean losses over one pass of ``t``'s data."""
    steps = [t.step() for _ in range(t.steps_per_epoch)]
    return {k: float(np.mean([s[k] for s in steps])) for k in steps[0]}


def test_vae_training_loss_falls(small_data):
    t = learn.VAETrainer(VAEConfig(ch=8), small_data, seed=0, batch_size=32)
    first = _epoch(t)
    for _ in range(3):
        last = _epoch(t)
    assert set(first) == {"neg_elbo", "recon", "kl"}
    assert last["neg_elbo"] < first["neg_elbo"] - 5
    assert t.steps == 4 * t.steps_per_epoch


@pytest.mark.parametrize("cond", [0, 10])
def test_gan_trains_on_the_loop_with_the_hold_then_decay_schedule(small_data, cond):
    t = learn.GANTrainer(GANConfig(n_classes=cond, g_ch=8, d_ch=8), small_data, seed=0, batch_size=32)
    before = [p.clone() for p in t.model.parameters()]
    total = 2 * t.steps_per_epoch
    cfg = LoopConfig(max_steps=total, max_minutes=5, schedule="wsd", decay_from=0.5, min_lr_ratio=0.0,
                     log_interval=1, keep_best=False)
    lrs = []
    for ev in train(t.step, t.optimizers(), cfg):
        lrs.append(t.opt_g.param_groups[0]["lr"])
    assert ev["done"] and ev["step"] == total == t.steps
    assert set(ev["losses"]) == {"d_loss", "g_loss"} and all(np.isfinite(list(ev["losses"].values())))
    assert any(not torch.equal(p, q) for p, q in zip(before, t.model.parameters()))  # EMA moved
    base = t.opt_g.param_groups[0]["base_lr"]
    assert lrs[total // 2 - 1] == base  # held for the first half ...
    assert 0 < lrs[-1] <= base * 2 / total + 1e-12  # ... then decayed linearly toward 0
    assert t.opt_d.param_groups[0]["lr"] == lrs[-1]  # both players on the same schedule


def test_categorical_code_is_read_off_the_noise():
    torch.manual_seed(0)
    g = Generator(GANConfig(g_ch=8, d_ch=8, n_codes=10))
    z = latent.noise(3, GANConfig().z_dim, 200)
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
    first = _epoch(t)
    for _ in range(7):
        last = _epoch(t)
    assert {"d_cls", "d_info", "g_info", "g_entropy", "g_spread"} <= set(first)
    assert last["d_info"] < first["d_info"] - 0.3  # the discriminator learns to tell the codes apart
    assert not torch.equal(q_before, t.D.q.weight)


def test_training_is_seeded(small_data):
    runs = [learn.GANTrainer(GANConfig(g_ch=8, d_ch=8), small_data, seed=1, batch_size=32) for _ in range(2)]
    for t in runs:
        _epoch(t)
    z = latent.noise(0, GANConfig().z_dim, 4)
    assert torch.equal(runs[0].model(z), runs[1].model(z))


@pytest.mark.parametrize("family, extra", [("vae", []), ("gan", ["--conditional"]),
                                           ("gan", ["--aux-weight", "1", "--codes", "10"])])
def test_cli_trains_saves_and_loads(tmp_path, family, extra):
    from playground.train.__main__ import main

    out = tmp_path / family
    main([family, "--out", str(out), "--epochs", "2", "--width", "8", "--threads", "1", "--no-eval",
          "--sample-every", "1", "--log-dir", str(tmp_path / "log"), "--train-size", "320", *extra])
    for f in ("config.json", "model.safetensors", "README.md", "card.json", "samples.png", "loss_curve.png"):
        assert (out / f).is_file(), f
    spe = 320 // 64
    assert (tmp_path / "log" / f"samples_step{2 * spe:06d}.png").is_file()
    readme, card = (out / "README.md").read_text(), json.loads((out / "card.json").read_text())
    assert f"python -m playground.train {family}" in readme and "--width 8" in readme
    assert card["model_type"] == family and card["steps"] == 2 * spe and card["config"]["loop"]["schedule"] == "wsd"
    assert set(card["metrics"]["final_losses"]) >= ({"neg_elbo"} if family == "vae" else {"d_loss", "g_loss"})
    info = images.find(str(out))
    assert info.model_type == family and info.facts["conditional"] == ("--conditional" in extra)
    if "--codes" in extra:
        assert info.facts["n_codes"] == 10 and "categorical code" in readme


def test_cli_unreadable_data_message(tmp_path):
    from playground.train.__main__ import main

    bad = tmp_path / "not-mnist.npz"
    bad.write_text("hello")
    with pytest.raises(SystemExit, match="Could not read"):
        main(["gan", "--data", str(bad), "--out", str(tmp_path / "x")])


def test_watch_it_learn_streams_and_stops(small_data):
    snaps = list(learn.watch("vae", 1.2, every=0.3, data=small_data))
    assert len(snaps) >= 3
    assert snaps[0].step == 0 and snaps[-1].step > 0 and snaps[-1].history
    assert snaps[-1].grid.shape == (16, 1, 28, 28)
    stop = threading.Event()
    run = learn.watch("gan", 60, every=0.0, data=small_data, stop=stop)
    next(run), next(run)
    stop.set()  # the Stop button: the loop ends at its next step and says so
    rest = list(run)
    assert len(rest) <= 2 and rest[-1].seconds < 30
    with pytest.raises(ValueError, match="gan' or 'vae"):
        next(learn.watch("diffusion"))
    with pytest.raises(ValueError, match="1 to 120 seconds"):
        next(learn.watch("gan", 10_000))


def test_two_trainings_at_once_get_a_clear_message(small_data):
    first = learn.watch("vae", 30, every=0.0, data=small_data)
    next(first)  # training now
    with pytest.raises(ValueError, match="Another model is training"):
        next(learn.watch("gan", 5, data=small_data))
    first.close()  # Stop: the next run may start
    snaps = list(learn.watch("vae", 1, every=0.5, data=small_data))
    assert snaps[-1].step > 0 and snaps[-1].grid.shape == (16, 1, 28, 28)
