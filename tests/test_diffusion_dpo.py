"""Diffusion-DPO: image preference pairs from votes and ratings, drawn again from the stored
latents; a short run on a tiny model saves a new version that joins the image models; and (slow)
the proof on the bundled diffusion model with a simulated rater who likes bold strokes."""
from __future__ import annotations

import shutil

import gradio as gr
import numpy as np
import pytest
import torch

import playground.images as images
from playground import arena, config, votes
from playground.card import read_card
from playground.feedback import FeedbackStore
from playground.images import catalog, judge, liking
from playground.images.diffusion import DiffusionConfig
from playground.images.diffusion_draw import DiffusionImages
from playground.images.params import Params
from playground.images import diffusion as D
from playground.train.diffusion_dpo import DiffusionDPOConfig, dpo_loss


def _ink(x: torch.Tensor) -> float:
    """How much ink an image (1, 28, 28) in [-1, 1] holds: the simulated rater's taste."""
    return float(((x + 1) / 2).mean())


@pytest.fixture()
def tiny_versions():
    """Two tiny random diffusion models saved where versions live (the data dir), removed after."""
    folders = []
    for i in range(2):
        torch.manual_seed(i)
        folders.append(catalog.save(DiffusionImages(DiffusionConfig(channels=[8, 16], groups=4, emb_dim=32)),
                                    config.data_dir() / "models" / f"tiny-dpo-test-{i}"))
    catalog.clear_cache()
    yield [f.name for f in folders]
    for f in config.data_dir().joinpath("models").glob("tiny-dpo-test-*"):
        shutil.rmtree(f)
    catalog.clear_cache()


def test_pairs_from_votes_and_ratings_then_a_new_version(tmp_path, tiny_versions):
    store = FeedbackStore(f"sqlite:///{tmp_path / 'feedback.db'}")
    a, b = (images.load(n) for n in tiny_versions)
    gens = [images.generate(a, Params(seed=s, n=1, label=3, sampling_steps=2)) for s in range(4)]
    for g, r in zip(gens, (5, 1, 4, 2)):
        store.record(g, r, session="rater")
    ga, gb = (images.generate(m, Params(seed=9, n=1, label=7, sampling_steps=2)) for m in (a, b))
    votes.vote(store, votes.show_pair(store, ga, gb, "rater"), "b", "rater")
    rows, fought = store.rated("image", a.name), votes.battles(store, "image")
    pairs = liking.preference_pairs(rows, fought)
    assert [p.digit for p in pairs] == [7, 3, 3]  # the vote, then 5 vs 1 and 4 vs 2 (gaps >= 2)
    assert torch.allclose(pairs[0].chosen, gb.media["images"][0], atol=2e-2)  # drawn again from the stored noise
    assert torch.allclose(pairs[1].chosen, gens[0].media["images"][0], atol=2e-2)
    assert torch.allclose(pairs[1].rejected, gens[1].media["images"][0], atol=2e-2)
    strict = liking.preference_pairs(rows, fought, min_gap=4)  # the vote and 5 vs 1 only
    assert len(strict) == 2 and torch.equal(strict[1].rejected, pairs[1].rejected)

    cfg = DiffusionDPOConfig(lr=1e-3, max_steps=15, batch_size=3, beta=500.0, label_dropout=0.0)
    events = list(liking.learn_by_dpo(a, rows, fought, cfg=cfg))
    last = events[-1]
    assert last["done"] and last["step"] == 15
    # on the pairs, at 64 noise draws each: the new version prefers the chosen images (its parent: log 2)
    policy, ref = (D.load.__wrapped__(str(p)) for p in (last["out_dir"], a.extra["path"]))
    rep = 64
    chosen, rejected = (torch.stack([getattr(p, k) for p in pairs]).repeat(rep, 1, 1, 1) for k in ("chosen", "rejected"))
    y = torch.tensor([p.digit for p in pairs]).repeat(rep)
    with torch.no_grad():
        loss, stats = dpo_loss(policy, ref, chosen, rejected, y, cfg.beta, torch.Generator().manual_seed(0))
        same, _ = dpo_loss(ref, ref, chosen, rejected, y, cfg.beta, torch.Generator().manual_seed(0))
    assert abs(same.item() - np.log(2)) < 1e-6 and loss.item() < np.log(2) - 0.05 and stats["implicit_acc"] > 0.6
    card = read_card(last["out_dir"])
    assert card["parent"].endswith(a.name) and card["learned_from"]["method"] == "diffusion-dpo"
    assert card["learned_from"]["pairs"] == 3
    assert any(i.path == last["out_dir"] for i in images.models())  # joins the image models (and the A/B pool)
    with pytest.raises(ValueError, match="at least 2 preference pairs"):
        next(liking.learn_by_dpo(a, [], [], cfg=cfg))
    with pytest.raises(ValueError, match="works on the diffusion model"):
        next(liking.learn_by_dpo(images.load("vae-digits"), rows, fought))


@pytest.mark.slow
def test_the_bundled_diffusion_model_learns_bold_strokes_from_ratings(tmp_path):
    """A rater who likes bold strokes rates 60 digits (5 for the bolder half of each digit's
    outputs, 1 for the rest); Diffusion-DPO makes a new version; the same rater's blind votes on
    fresh seeds rank it above its parent with a bootstrap interval that excludes zero."""
    store = FeedbackStore(f"sqlite:///{tmp_path / 'feedback.db'}")
    base = images.load("diffusion-mnist")
    gens = [images.generate(base, Params(seed=100 + i, n=1, label=i % 10)) for i in range(60)]
    for d in range(10):
        mine = sorted((g for g in gens if g.output["label"] == d), key=lambda g: _ink(g.media["images"][0]))
        for k, g in enumerate(mine):
            store.record(g, 5 if k >= len(mine) // 2 else 1, session="rater")
    out = config.data_dir() / "models" / "diffusion-mnist-feedback-test"
    try:
        last = list(liking.learn_by_dpo(base, store.rated("image", base.name), [], out_dir=out))[-1]
        new = images.load(str(out))
        battles, drawn = [], []
        for i in range(40):
            p = Params(seed=5000 + i, n=1, label=i % 10)
            ga, gb = images.generate(base, p), images.generate(new, p)
            drawn.append(gb.media["images"][:1])
            outcome = "a" if _ink(ga.media["images"][0]) > _ink(gb.media["images"][0]) else "b"
            votes.vote(store, votes.show_pair(store, ga, gb, f"rater-{i // 25}"), outcome, f"rater-{i // 25}")
            battles.append((base.name, new.name, outcome))
        wins = sum(o == "b" for *_, o in battles) / len(battles)
        diff, lo, hi = arena.difference_interval(battles, new.name, base.name)
        print(f"[loop] diffusion-dpo: {last['losses']}, new version wins {wins:.0%} of 40 blind votes, "
              f"strength difference {diff:.2f} [{lo:.2f}, {hi:.2f}]")
        assert lo > 0 and wins >= 0.75
        asked = (judge.judge(torch.cat(drawn))[0].argmax(1) == torch.arange(40) % 10).float().mean().item()
        assert asked >= 0.9  # still the digit asked for
    finally:
        shutil.rmtree(out, ignore_errors=True)
        catalog.clear_cache()


def test_the_tab_learns_from_votes_and_selects_the_new_version(tmp_path, tiny_versions):
    from playground import feedback
    from tabs import images_learn

    store = FeedbackStore(f"sqlite:///{tmp_path / 'feedback.db'}")
    feedback.set_default_store(store)
    try:
        a = images.load(tiny_versions[0])
        for s, r in zip(range(4), (5, 1, 1, 5)):
            if s == 2:  # a 5 for a 0 and a 1 for a 1 teach nothing yet: no two ratings of one digit
                with pytest.raises(gr.Error, match=r"at least 2 preference pairs \(0 so far\)"):
                    list(images_learn.learn_from_votes(tiny_versions[0]))
            store.record(images.generate(a, Params(seed=s, n=1, label=s % 2, sampling_steps=2)), r, session="rater")
        outs = list(images_learn.learn_from_votes(tiny_versions[0]))
        curve, status, choice = outs[-1]
        assert "Saved the new version" in status and "2 preference pairs" in status
        assert choice["value"].startswith(tiny_versions[0] + "-feedback-")
        assert choice["value"] in [v for _, v in choice["choices"]] and curve.size[0] > 100
        with pytest.raises(gr.Error, match="works on the diffusion model"):
            list(images_learn.learn_from_votes("vae-digits"))
    finally:
        feedback.set_default_store(None)
