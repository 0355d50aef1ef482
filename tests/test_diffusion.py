"""The diffusion model: shapes, ranges, seeds, the trajectory, both samplers, guidance, training,
checkpoints and bad input (tiny seeded models, a few seconds in all)."""
from __future__ import annotations

import argparse
import json

import pytest
import torch

from playground.images import diffusion as D

TINY = D.DiffusionConfig(channels=[8, 16], groups=4, emb_dim=32)


@pytest.fixture(scope="module")
def model() -> D.UNet:
    """A tiny UNet with random (not zero-initialised) output layers, so guidance has an effect."""
    torch.manual_seed(0)
    m = D.UNet(TINY)
    with torch.no_grad():
        for name, p in m.named_parameters():
            if not p.any():
                p.copy_(0.05 * torch.randn(p.shape, generator=torch.Generator().manual_seed(len(name))))
    return m.eval()


def test_network_shape_and_schedule():
    m = D.UNet(TINY)
    assert m(torch.randn(3, 1, 28, 28), torch.rand(3), torch.tensor([0, 9, 10])).shape == (3, 1, 28, 28)
    a, s = D.alpha_sigma(torch.tensor([0.0, 0.5, 1.0]))
    assert torch.allclose(a ** 2 + s ** 2, torch.ones(3)) and a[0] == 1 and a[-1] == 0
    a, s = D.alpha_sigma(torch.tensor([0.0, 1.0]), "linear")
    assert a[0] == 1 and a[1] < 0.01


def test_sample_shapes_ranges_and_seeds(model):
    a = D.sample(model, [3, 7], steps=4, seed=5)
    assert a.images.shape == (2, 1, 28, 28) and a.images.min() >= -1 and a.images.max() <= 1
    assert torch.equal(a.images, D.sample(model, [3, 7], steps=4, seed=5).images)
    assert not torch.equal(a.images, D.sample(model, [3, 7], steps=4, seed=6).images)
    grid = D.sample(model, [3, 7], steps=4, seed=5, bf16=False).images
    single = D.sample(model, [3], steps=4, seed=5, bf16=False).images  # a grid's first image is the seed's image
    assert torch.allclose(single[0], grid[0], atol=1e-5)


def test_bfloat16_is_deterministic_and_close(model):
    a, b = (D.sample(model, [3, 7], steps=4, seed=5, bf16=True).images for _ in range(2))
    assert torch.equal(a, b)
    assert (a - D.sample(model, [3, 7], steps=4, seed=5, bf16=False).images).abs().mean() < 0.05


def test_given_noise_and_interpolation(model):
    start, _ = D.start_noise(11, 2, 28)
    by_seed = D.sample(model, [2, 5], steps=3, seed=11).images
    assert torch.equal(D.sample(model, [2, 5], steps=3, seed=0, noise=start).images, by_seed)
    a, b = start[0], start[1]
    assert torch.allclose(D.slerp(a, b, 0.0), a, atol=1e-5) and torch.allclose(D.slerp(a, b, 1.0), b, atol=1e-5)
    mid = D.slerp(a, b, 0.5)
    assert 0.8 < mid.norm() / a.norm() < 1.2
    with pytest.raises(ValueError, match="starting noise must be 2 finite 28x28 images"):
        D.sample(model, [2, 5], noise=start[:1])


def test_trajectory_runs_from_noise_to_the_digit(model):
    traj = D.sample(model, [1], steps=10, frames=6, seed=2)
    assert [f.step for f in traj.frames] == [0, 2, 4, 6, 8, 10]
    ts = [f.t for f in traj.frames]
    assert ts[0] == 1.0 and ts[-1] == 0.0 and ts == sorted(ts, reverse=True)
    start, _ = D.start_noise(2, 1, 28)
    assert torch.equal(traj.frames[0].x, start)  # pure noise first
    assert torch.equal(traj.frames[-1].x, traj.images)  # the digit last
    assert all(f.x0.min() >= -1 and f.x0.max() <= 1 for f in traj.frames)
    assert [f.step for f in D.sample(model, [1], steps=10, frames=[10, 0, 5]).frames] == [0, 5, 10]
    assert D.sample(model, [1], steps=3).frames == []
    from playground.images import diffusion_draw

    pic = diffusion_draw.strip(traj, frames=6, scale=2)  # x_t above the x0 guesses, six steps
    assert pic.size == (2 * (6 * 29 + 1), 2 * (2 * 29 + 1))


def test_ddpm_and_ddim_both_work(model):
    ddim = D.sample(model, [4], steps=5, sampler="ddim", seed=1).images
    ddpm = D.sample(model, [4], steps=5, sampler="ddpm", seed=1).images
    assert torch.isfinite(ddpm).all() and not torch.equal(ddim, ddpm)
    assert torch.equal(ddpm, D.sample(model, [4], steps=5, sampler="ddpm", seed=1).images)


def test_guidance_changes_the_output(model):
    imgs = [D.sample(model, [8], steps=4, guidance=g, seed=3).images for g in (0.0, 1.0, 3.0)]
    assert not torch.allclose(imgs[0], imgs[1]) and not torch.allclose(imgs[1], imgs[2])
    any_digit = D.sample(model, [None], steps=4, guidance=3.0, seed=3).images
    assert torch.allclose(any_digit, imgs[0], atol=1e-6)  # no digit asked: the unconditional model


@pytest.mark.parametrize("prediction,schedule", [("eps", "cosine"), ("v", "linear"), ("eps", "linear")])
def test_other_objectives_sample(prediction, schedule):
    m = D.UNet(D.DiffusionConfig(channels=[8, 16], groups=4, emb_dim=32, prediction=prediction, schedule=schedule))
    x = D.sample(m.eval(), [0, 5], steps=3, sampler="ddpm").images
    assert torch.isfinite(x).all() and x.abs().max() <= 1


def test_short_training_run_loss_falls():
    from playground.images import mnist

    torch.manual_seed(0)
    m, g = D.UNet(TINY), torch.Generator().manual_seed(0)
    x, y = mnist.load("train").x[:256], mnist.load("train").y[:256]
    opt = torch.optim.AdamW(m.parameters(), lr=5e-3)
    losses = []
    for i in range(30):
        idx = torch.randint(0, 256, (32,), generator=g)
        loss = D.loss(m, x[idx], y[idx], g)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert sum(losses[-8:]) / 8 < 0.8 * sum(losses[:8]) / 8, losses


def test_trainer_writes_checkpoint_card_and_grid(tmp_path):
    from playground.card import read_card
    from playground.train import diffusion as trainer

    p = argparse.ArgumentParser()
    trainer.add_arguments(p)
    out = tmp_path / "tiny"
    args = p.parse_args(["--out", str(out), "--max-steps", "6", "--channels", "8,16", "--batch-size", "16",
                         "--warmup", "2", "--judge", str(tmp_path / "no-judge"), "--threads", "1"])
    trainer.main(args)
    assert {"config.json", "model.safetensors", "card.json", "README.md", "samples.png"} <= {f.name for f in out.iterdir()}
    assert json.loads((out / "config.json").read_text())["model_type"] == "diffusion"
    card = read_card(out)
    assert card["steps"] == 6 and card["command"].startswith("python -m playground.train diffusion")
    assert "test_loss" in card["history"][-1] and "test split 1,500 held out" in card["data"]
    m = D.load(str(out))
    assert m.config.channels == [8, 16] and D.sample(m, [2], steps=2).images.shape == (1, 1, 28, 28)
    again = p.parse_args(["--init", str(out), "--out", str(out), "--max-steps", "3", "--batch-size", "16",
                          "--judge", str(tmp_path / "no-judge"), "--threads", "1"])
    trainer.main(again)  # continue training: the card counts both runs and shows both commands
    card = read_card(out)
    assert card["steps"] == 9 and len(card["command"].splitlines()) == 2 and card["parent"] == str(out)
    assert [h["step"] for h in card["history"]] == [6, 9]


def test_save_load_round_trip_in_float16(tmp_path, model):
    from playground.checkpoint import save_pretrained

    save_pretrained(model, tmp_path / "m", D.MODEL_TYPE, dtype=torch.float16)
    again = D.load.__wrapped__(str(tmp_path / "m"))
    a, b = (D.sample(m, [6], steps=3, seed=9).images for m in (model, again))
    assert (a - b).abs().max() < 0.05


def test_missing_or_corrupt_checkpoint(tmp_path, model):
    from playground.checkpoint import save_pretrained

    with pytest.raises(ValueError, match="No model found"):
        D.load.__wrapped__(str(tmp_path / "nothing"))
    save_pretrained(model, tmp_path / "bad", D.MODEL_TYPE)
    (tmp_path / "bad" / "model.safetensors").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="could not be read"):
        D.load.__wrapped__(str(tmp_path / "bad"))
    (tmp_path / "bad" / "config.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        D.load.__wrapped__(str(tmp_path / "bad"))


@pytest.mark.parametrize("kw,message", [
    ({"steps": 0}, "The number of steps must be between 1 and 250."),
    ({"steps": 251}, "The number of steps must be between 1 and 250."),
    ({"steps": 2.5}, "The number of steps must be a whole number."),
    ({"steps": "many"}, "The number of steps must be a whole number."),
    ({"guidance": -1}, "The guidance scale must be between 0 and 10."),
    ({"guidance": float("nan")}, "The guidance scale must be a number."),
    ({"seed": -1}, "The seed must be between 0 and 2,147,483,647."),
    ({"seed": 2**31}, "The seed must be between 0 and 2,147,483,647."),
    ({"sampler": "euler"}, "Unknown sampler 'euler': use one of ddim, ddpm."),
    ({"digits": [10]}, "The digit must be between 0 and 9."),
    ({"digits": [3.5]}, "The digit must be a whole number."),
    ({"digits": []}, "Ask for at least one image"),
    ({"frames": 99}, "The number of frames must be between 0 and 5."),
])
def test_bad_input_gets_a_plain_sentence(model, kw, message):
    args = {"digits": [1], "steps": 4, **kw}
    with pytest.raises(ValueError) as e:
        D.sample(model, **args)
    assert str(e.value).startswith(message)


def test_strings_from_the_api_are_converted(model):
    a = D.sample(model, ["3"], steps="3", guidance="2", seed="4").images
    assert torch.equal(a, D.sample(model, [3], steps=3, guidance=2.0, seed=4).images)


def test_bundled_model_draws_the_asked_digit():
    from playground.images import judge as J

    if not (D.DEFAULT_PATH / "model.safetensors").exists() or not (J.DEFAULT_PATH / "model.safetensors").exists():
        pytest.skip("no trained diffusion model or judge in assets/models")
    model = D.load()
    traj = D.sample(model, list(range(10)) * 2, steps=D.DEFAULT_STEPS, seed=123, frames=3)
    probs, _ = J.judge(traj.images)
    assert (probs.argmax(1) == torch.arange(20) % 10).float().mean() >= 0.9
    first_guess, _ = J.judge(traj.frames[0].x0)  # the blurry first guess is less sure than the digit
    assert first_guess.max(1).values.mean() < probs.max(1).values.mean()
