"""The 28x28 judge and the diffusion metrics built on it (tiny or bundled models, fast)."""
from __future__ import annotations

import pytest
import torch

from playground.images import diffusion as D
from playground.images import diffusion_metrics as M
from playground.images import judge as J
from playground.images import mnist


def test_frechet_distance_scales_and_is_zero_for_the_same_set():
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(500, 8, generator=g), torch.randn(500, 8, generator=g)
    scale = float(a.var(0).sum())  # tolerances relative to the features' scale
    assert J.frechet_distance(a, a) <= 1e-6 * scale
    assert J.frechet_distance(a, b) < 0.2 * scale
    assert J.frechet_distance(a, b + 3) == pytest.approx(8 * 9, rel=0.1)  # mean shift of 3 in 8 dims


def test_recognised_share_and_histogram():
    probs = torch.tensor([[0.95] + [0.05 / 9] * 9, [0.5, 0.5] + [0.0] * 8, [0.0] * 9 + [1.0]])
    assert J.recognised_share(probs) == pytest.approx(2 / 3)
    assert J.class_histogram(probs) == pytest.approx([2 / 3] + [0.0] * 8 + [1 / 3])


def test_image_stats_with_a_tiny_judge():
    torch.manual_seed(0)
    judge = J.Judge(J.JudgeConfig(ch=4, features=16)).eval()
    te = mnist.load("test")
    row = J.image_stats(te.x[:100], te.y[:100], judge, J.judge(te.x, judge)[1])
    assert {"recognised", "histogram", "frechet_test", "asked_digit", "min_class", "max_class"} <= set(row)
    assert len(row["histogram"]) == 10 and abs(sum(row["histogram"]) - 1) < 1e-3 and row["frechet_test"] >= 0


def test_bundled_judge_is_accurate_on_the_test_split():
    if not (J.DEFAULT_PATH / "model.safetensors").exists():
        pytest.skip("no trained judge in assets/models/mnist-judge")
    te = mnist.load("test")
    probs, feats = J.judge(te.x)
    assert feats.shape == (1500, J.JudgeConfig().features)
    assert (probs.argmax(1) == te.y).float().mean() > 0.97


def test_judge_checkpoint_errors(tmp_path):
    with pytest.raises(ValueError, match="No model found"):
        J.load.__wrapped__(str(tmp_path))


def test_tiny_diffusion_metrics():
    torch.manual_seed(0)
    model = D.UNet(D.DiffusionConfig(channels=[8, 16], groups=4, emb_dim=32)).eval()
    judge = J.Judge(J.JudgeConfig(ch=4, features=16)).eval()
    row = M.evaluate(model, 20, judge, J.judge(mnist.load("test").x[:200], judge)[1], steps=2)
    assert row["n"] == 20 and 0 <= row["asked_digit"] <= 1
    # the tab's strip: at most steps + 1 frames, x_t above the guesses, 3x
    assert M.one_image(model, steps=2).size == (3 * (3 * 29 + 1), 3 * (2 * 29 + 1))
    rows = M.steps_table(model, counts=(1, 2), n=10, repeats=1, judge_model=judge)
    assert [r["action"] for r in rows] == ["1 DDIM steps", "2 DDIM steps"] and all("p50_ms" in r for r in rows)
