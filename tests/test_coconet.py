"""The Coconet-style harmoniser with tiny seeded models: shapes, the melody kept, seeds, key lock,
exact chronological NLL, a short training run whose loss falls, corrupt checkpoints."""
from __future__ import annotations

import argparse
import json

import numpy as np
import pytest
import torch

from playground.checkpoint import save_pretrained
from playground.music import coconet as cc
from playground.music.voice_leading import melody_key
from playground.train import coconet as trainer

TINY = dict(channels=16, dilations=[1, 2, 4], dropout=0.0)
TWINKLE = np.repeat([72, 72, 79, 79, 81, 81, 79, 79, 77, 77, 76, 76, 74, 74, 72, 72], 4)


def chorales(n: int = 8, seed: int = 0) -> list[np.ndarray]:
    """Block chords moving by step in C major, a beat each: enough structure for a loss to fall."""
    rng = np.random.default_rng(seed)
    scale = [60, 62, 64, 65, 67, 69, 71, 72, 74, 76, 77]
    out = []
    for _ in range(n):
        i, steps = 4, []
        for _ in range(16):
            i = int(np.clip(i + rng.choice([-1, 1]), 2, 10))
            steps += [[scale[i] + 0, scale[i - 2], scale[i - 4] - 12 if i >= 4 else 48, scale[i % 7] - 24]] * 4
        out.append(np.asarray(steps))
    return out


@pytest.fixture(scope="module")
def model() -> cc.Coconet:
    torch.manual_seed(0)
    return cc.Coconet(cc.CoconetConfig(**TINY)).eval()


def test_forward_shapes_and_reach(model):
    tokens = torch.randint(0, model.config.vocab, (2, 20, 4))
    mask = torch.rand(2, 20, 4) < 0.5
    assert model(tokens, mask).shape == (2, 20, 4, model.config.vocab)
    assert model.config.reach == 7


def test_harmonise_keeps_the_melody_and_rests(model):
    melody = TWINKLE.copy()
    melody[8:12] = -1
    grid = cc.harmonise(model, melody, seed=1, steps=4)
    assert grid.shape == (len(melody), 4) and grid.dtype == np.int64
    assert (grid[:, 0] == melody).all()
    assert (grid[8:12] == -1).all() and (grid[12:, 1:] >= 0).all()  # the choir rests with the melody
    for v, (lo, hi) in enumerate(model.config.voice_ranges):
        sung = grid[grid[:, v] >= 0, v]
        assert v == 0 or ((sung >= lo) & (sung <= hi)).all()


def test_satb_ranges(model):
    from playground.music.voice_leading import RANGES

    grid = cc.harmonise(model, TWINKLE, seed=2, steps=3)
    for v in (1, 2, 3):
        assert ((grid[:, v] >= RANGES[v][0]) & (grid[:, v] <= RANGES[v][1])).all()


def test_same_seed_same_harmony(model):
    a = cc.harmonise(model, TWINKLE, seed=7, steps=5)
    b = cc.harmonise(model, TWINKLE, seed=7, steps=5)
    c = cc.harmonise(model, TWINKLE, seed=8, steps=5)
    assert (a == b).all() and not (a == c).all()


def test_key_lock_keeps_the_lower_voices_in_the_melodys_key(model):
    grid = cc.harmonise(model, TWINKLE, seed=0, steps=4, key_lock=True)
    key = melody_key(TWINKLE)
    assert key.name == "C major" and key.contains(grid[:, 1:]).all()


def test_guard_removes_parallels(model):
    from playground.music.voice_leading import report

    raw = [report(cc.harmonise(model, TWINKLE, seed=s, steps=6, guard=0)) for s in range(4)]
    guarded = [cc.harmonise(model, TWINKLE, seed=s, steps=6, guard=6) for s in range(4)]
    assert sum(len(r.parallels) for r in raw) > 0  # an untrained model writes some
    assert sum(len(report(g).parallels) for g in guarded) == 0
    assert all((g[:, 0] == TWINKLE).all() for g in guarded)


def test_fill_keeps_known_cells(model):
    grid = chorales(1)[0][:32]
    known = np.zeros_like(grid, dtype=bool)
    known[:16] = True
    out = cc.fill(model, grid, known, seed=0, steps=3)
    assert (out[:16] == grid[:16]).all() and (out[16:] >= 0).all()


def test_note_probabilities(model):
    grid = cc.harmonise(model, TWINKLE, seed=0, steps=2)
    probs = cc.note_probabilities(model, grid, voice=2, step=5, top=500)
    assert abs(sum(p for _, p in probs) - 1) < 1e-4
    assert [p for _, p in probs] == sorted((p for _, p in probs), reverse=True)
    locked = cc.note_probabilities(model, grid, voice=2, step=5, key_lock=True, top=500)
    assert melody_key(TWINKLE).contains(np.array([n for n, _ in locked])).all()
    assert len(cc.note_probabilities(model, grid, voice=1, step=0, top=5)) == 5
    with pytest.raises(ValueError):
        cc.note_probabilities(model, grid, voice=4, step=0)
    later = grid.copy()
    later[6:, :] = 60  # with past_only, nothing after (step 5, tenor) matters
    later[5, 3] = 40
    assert cc.note_probabilities(model, grid, 2, 5, past_only=True) == \
        cc.note_probabilities(model, later, 2, 5, past_only=True)
    assert cc.note_probabilities(model, grid, 2, 5) != cc.note_probabilities(model, later, 2, 5)


def test_chronological_nll_is_exact(model):
    c = chorales(1)[0][:12]
    tok = torch.from_numpy(cc.to_tokens(c, model.config.pitch_min))[None]
    for given in ((), (0,)):
        brute = []
        for t in range(len(c)):
            for v in (v for v in range(4) if v not in given):
                mask = torch.zeros(1, len(c), 4, dtype=torch.bool)
                mask[0, t + 1:], mask[0, t, v:] = True, True
                mask[0, :, list(given)] = False
                with torch.no_grad():
                    brute.append(-torch.log_softmax(model(tok, mask)[0, t, v], -1)[tok[0, t, v]].item())
        got = cc.chronological_nll(model, [c], given=given, batch_size=7)
        assert got["notes"] == len(brute)
        assert got["nll_per_note"] == pytest.approx(np.mean(brute), rel=1e-4)


def test_bad_input(model):
    with pytest.raises(ValueError, match="only rests"):
        cc.harmonise(model, np.full(16, -1))
    with pytest.raises(ValueError, match="between MIDI"):
        cc.harmonise(model, np.full(16, 100))
    with pytest.raises(ValueError, match="at least one step"):
        cc.harmonise(model, TWINKLE, steps=0)


def test_gibbs_schedule_and_masks():
    sched = cc.gibbs_schedule(10)
    assert sched[0] == 1.0 and sched[1] == pytest.approx(0.9) and min(sched) == pytest.approx(0.05)
    assert all(a >= b for a, b in zip(sched[1:], sched[2:]))
    gen = torch.Generator().manual_seed(0)
    masks = [cc.training_mask(32, 4, gen) for _ in range(50)]
    assert all(m.shape == (32, 4) and m.dtype == torch.bool for m in masks)
    assert any(m[:, 1:].all() and not m[:, 0].any() for m in masks)  # whole soprano given, ATB hidden


def test_short_training_run_loss_falls_and_checkpoint_round_trips(tmp_path):
    data = tmp_path / "jsb"
    data.mkdir()
    split = {k: [c.tolist() for c in chorales(n, seed)] for k, n, seed in (("train", 16, 0), ("valid", 4, 1),
                                                                           ("test", 3, 2))}
    (data / "Jsb16thSeparated.json").write_text(json.dumps(split))
    p = argparse.ArgumentParser()
    trainer.add_arguments(p)
    args = p.parse_args(["--data", str(data), "--out", str(tmp_path / "m"), "--channels", "16", "--dilations",
                         "1,2", "--max-steps", "80", "--batch-size", "8", "--crop", "32", "--lr", "1e-2",
                         "--eval-interval", "40", "--threads", "1", "--dropout", "0"])
    metrics = trainer.main(args)
    card = json.loads((tmp_path / "m" / "card.json").read_text())
    assert card["model_type"] == "coconet" and card["steps"] == 80
    model = cc.load(tmp_path / "m")
    fresh = trainer.Coconet(model.config)
    test = [np.asarray(c) for c in split["test"]]
    assert metrics["test_masked_nll"] < 0.7 * cc.masked_loss(fresh.eval(), test)
    assert metrics["test_nll_per_note_chronological"] > 0 and metrics["test_atb_notes"] == 3 * 3 * 64
    assert (cc.harmonise(model, TWINKLE, steps=2)[:, 0] == TWINKLE).all()


def test_corrupt_or_missing_checkpoint(tmp_path, model):
    with pytest.raises(ValueError, match="No model found"):
        cc.load(tmp_path / "nothing")
    save_pretrained(model, tmp_path / "m", cc.MODEL_TYPE)
    assert cc.load(tmp_path / "m").config == model.config
    (tmp_path / "m" / "model.safetensors").write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="could not be read"):
        cc.load(tmp_path / "m")
