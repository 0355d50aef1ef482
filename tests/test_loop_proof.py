"""The loop, proven: a simulated rater's preferences make a new version (DPO) that the same
rater then prefers in blind A/B votes, with a Bradley-Terry interval that excludes zero."""
from __future__ import annotations

import numpy as np
import pytest

from playground import arena, text, votes
from playground.feedback import FeedbackStore
from playground.text.learn import learn_by_dpo
from playground.train.dpo import DPOConfig


def likes(t: str) -> bool:
    return "love" in t


@pytest.fixture()
def store(tmp_path):
    s = FeedbackStore(f"sqlite:///{tmp_path / 'f.db'}")
    yield s
    s.close()


def _base(tmp_path):
    from playground.train.text import TextTrainConfig, iter_train

    rng = np.random.default_rng(0)
    words = ["my love", "the sword", "the night", "my lord", "the king", "thy rose"]
    corpus = "".join(f"ROMEO: {rng.choice(words)} is here.\n" for _ in range(400))
    cfg = TextTrainConfig(n_layer=1, n_embd=48, n_head=2, block_size=48, max_iters=400, max_minutes=2,
                          eval_interval=10 ** 6, batch_size=16, bf16=False, warmup_iters=10, lr=3e-3, dropout=0.0)
    for _ in iter_train(corpus, tmp_path / "text-sim", cfg):
        pass
    return text.load(str(tmp_path / "text-sim"))


def test_dpo_version_wins_blind_votes_of_the_rater_who_taught_it(store, tmp_path, monkeypatch):
    monkeypatch.setattr(votes, "RATE_LIMIT", 1000)  # one simulated rater votes faster than a person
    base = _base(tmp_path)
    params = text.Params(prompt="ROMEO:", length=14, temperature=1.0)
    for i in range(60):  # ratings: 5 when the text mentions love, 1 otherwise
        g = text.generate(base, params.replace(seed=i))
        store.record(g, 5 if likes(g.output) else 1, "", session="rater")
    events = list(learn_by_dpo(base, store.rated("text"), [], DPOConfig(max_steps=60, lr=1e-3, beta=0.2),
                               out_dir=tmp_path / "text-sim-feedback-1"))
    assert events[-1]["done"] and events[-1]["card"]["learned_from"]["method"] == "dpo"
    tuned = text.load(str(tmp_path / "text-sim-feedback-1"))

    for i in range(40):  # blind A/B by the same rater, sides alternating
        ga, gb = (text.generate(m, params.replace(seed=1000 + i)) for m in ((base, tuned) if i % 2 else (tuned, base)))
        pid = votes.show_pair(store, ga, gb, "rater")
        a, b = likes(ga.output), likes(gb.output)
        votes.vote(store, pid, "a" if a > b else "b" if b > a else "tie" if a else "both_bad", "rater")
    battles = votes.battles(store, "text")
    vs = [(x["model_a"], x["model_b"], {"model_a": "a", "model_b": "b"}.get(x["winner"], "tie")) for x in battles]
    diff, lo, hi = arena.difference_interval(vs, tuned.name, base.name, resamples=200)
    win = np.mean([(x["winner"] == "model_a") == (x["model_a"] == tuned.name) for x in battles
                   if x["winner"] in ("model_a", "model_b")])
    print(f"\n[loop proof] text DPO: strength difference {diff:.2f} (95 % {lo:.2f}..{hi:.2f}), "
          f"tuned wins {win:.0%} of decided votes")
    assert diff > 0 and lo > 0
