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


# The bundled model (text-shakespeare, a 4-layer character GPT-2) and a rater who likes short lines:
# at least 3 line breaks in 80 characters (42 % of its samples after "ROMEO:\n"). "love" is in 6 % only.
SPEECH = ("ROMEO:\nBut, soft! what light through yonder window breaks?\nIt is the east, and Juliet is the sun.\n"
          "Arise, fair sun, and kill the envious moon,\nWho is already sick and pale with grief,\n"
          "That thou her maid art far more fair than she:\nBe not her maid, since she is envious;\n")


def short_lines(t: str) -> bool:
    return t.count("\n") >= 3


def _nll(tm, prompt: str, completion: str) -> float:
    """Mean negative log-likelihood per character (nats) of ``completion`` after ``prompt`` under ``tm``."""
    import torch

    from playground.train.dpo import encode, sequence_logp

    ids, start = encode(tm.tokenizer, prompt, completion, tm.context)
    with torch.no_grad():
        return -sequence_logp(tm.module.eval(), [(ids, start)]).item() / max(1, len(ids) - start)


@pytest.mark.slow
def test_dpo_version_of_the_bundled_text_model_wins_blind_votes(store, tmp_path, monkeypatch):
    import time

    import torch

    from playground import config

    torch.set_num_threads(1)
    monkeypatch.setattr(votes, "RATE_LIMIT", 1000)
    t0 = time.time()
    base = text.load(str(config.DEFAULT_TEXT_MODEL))
    params = text.Params(prompt="ROMEO:\n", length=80, temperature=1.0)
    for i in range(60):  # ratings: 5 when the lines are short, 1 otherwise
        g = text.generate(base, params.replace(seed=i))
        store.record(g, 5 if short_lines(g.output) else 1, "", session="rater")
    liked = sum(r["rating"] == 5 for r in store.rated("text"))
    events = list(learn_by_dpo(base, store.rated("text"), [], DPOConfig(max_steps=50, lr=1e-4, beta=0.1),
                               out_dir=tmp_path / f"{base.name}-feedback-1"))
    card = events[-1]["card"]
    assert events[-1]["done"] and card["learned_from"]["method"] == "dpo" and card["parent"] == str(base.path)
    tuned = text.load(str(tmp_path / f"{base.name}-feedback-1"))
    assert tuned.name != base.name

    for i in range(40):  # blind A/B by the same rater on fresh seeds, sides alternating
        ga, gb = (text.generate(m, params.replace(seed=1000 + i)) for m in ((base, tuned) if i % 2 else (tuned, base)))
        pid = votes.show_pair(store, ga, gb, "rater")
        a, b = short_lines(ga.output), short_lines(gb.output)
        votes.vote(store, pid, "a" if a > b else "b" if b > a else "tie" if a else "both_bad", "rater")
    battles = votes.battles(store, "text")
    assert len(battles) == 40
    vs = [(x["model_a"], x["model_b"], {"model_a": "a", "model_b": "b"}.get(x["winner"], "tie")) for x in battles]
    diff, lo, hi = arena.difference_interval(vs, tuned.name, base.name, resamples=200)
    decided = [(x["winner"] == "model_a") == (x["model_a"] == tuned.name) for x in battles
               if x["winner"] in ("model_a", "model_b")]

    before = [text.generate(base, params.replace(seed=2000 + i)).output for i in range(100)]
    after = [text.generate(tuned, params.replace(seed=2000 + i)).output for i in range(100)]
    rate_before, rate_after = np.mean([short_lines(t) for t in before]), np.mean([short_lines(t) for t in after])
    # still Shakespeare: a real speech and the new version's samples, scored per character
    speech = SPEECH.split("\n", 1)[1]
    speech_base, speech_tuned = _nll(base, "ROMEO:\n", speech), _nll(tuned, "ROMEO:\n", speech)
    own = np.mean([_nll(base, params.prompt, t) for t in before])
    theirs = np.mean([_nll(base, params.prompt, t) for t in after])
    print(f"\n[loop proof] bundled {base.name}, rater likes short lines (>= 3 line breaks in 80 characters): "
          f"{len(store.rated('text'))} ratings ({liked} liked) -> {card['learned_from']['pairs']} DPO pairs, "
          f"{card['steps']} steps; {len(battles)} blind votes, {len(decided)} decided: "
          f"tuned wins {np.mean(decided):.0%} (the parent {1 - np.mean(decided):.0%}); "
          f"strength difference {diff:.2f} (95 % {lo:.2f}..{hi:.2f}); "
          f"short-lined samples of 100 fresh seeds {rate_before:.0%} -> {rate_after:.0%}; "
          f"NLL/char of Romeo's speech {speech_base:.2f} -> {speech_tuned:.2f}, of the samples under the parent "
          f"{own:.2f} (its own) vs {theirs:.2f} (the new version's); distinct samples {len(set(after))}/100; "
          f"{time.time() - t0:.0f} s")
    assert diff > 0 and lo > 0
    assert rate_after > rate_before
    assert speech_tuned < speech_base + 0.5 and theirs < own + 0.5  # learned the taste, kept the language
    assert len(set(after)) == 100
