"""The music RL Tuner: policy gradient on the voice-leading rules (and the raters' scorer) with a KL
penalty to the parent. Fast: a tiny random LSTM learns to break fewer rules in 20 steps and is saved
as a new version the music models list. Slow: the bundled music-bach, a simulated rater who likes
high melodies, and the same rater's blind votes ranking the new version above its parent."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import torch

from playground import arena, config, lineage, music, votes
from playground.card import read_card
from playground.feedback import FeedbackStore
from playground.music import catalog, rl
from playground.music.model import ChoraleLSTM, MusicConfig
from playground.train.music_rl import MusicRLConfig, sample_batch, step_logprobs

C_MAJOR = [[72, 67, 64, 48]] * 8 + [[74, 67, 62, 55]] * 8  # two chords, one bar: an opening to continue


@pytest.fixture()
def tiny():
    """A tiny random chorale LSTM saved where versions live (the data dir), with one opening; removed after."""
    torch.manual_seed(0)
    out = config.data_dir() / "models" / "tiny-rl-test"
    ChoraleLSTM(MusicConfig(emb=8, hidden=32, layers=1, cond_hidden=8, dropout=0.0)).save_pretrained(out)
    (out / catalog.OPENINGS).write_text(json.dumps([C_MAJOR]))
    catalog.clear_cache()
    yield out
    for f in config.data_dir().joinpath("models").glob("tiny-rl-test*"):
        shutil.rmtree(f)
    catalog.clear_cache()


def test_the_batched_sampler_is_the_apps_sampler(tiny):
    """One row of ``sample_batch`` draws exactly what ``sample.continue_tokens`` (the Continue button)
    draws with the same seed, so the tuned policy is the policy the app samples; log pi is finite."""
    from playground.music.sample import continue_tokens

    m = ChoraleLSTM.from_pretrained(tiny)
    prefix = torch.tensor(C_MAJOR).sub(m.cfg.pitch_min - 1)
    mine = sample_batch(m, prefix[None], 32, torch.Generator().manual_seed(3))
    app = continue_tokens(m, prefix, 32, 1.0, torch.Generator().manual_seed(3))
    assert torch.equal(mine[0], app)
    lp = step_logprobs(m, sample_batch(m, prefix.expand(8, -1, -1), 4, torch.Generator().manual_seed(0)), 16)
    assert lp.shape == (8, 4) and torch.isfinite(lp).all() and (lp < 0).all()


def test_the_rules_alone_teach_a_tiny_model_and_it_joins_the_models(tiny):
    loaded = music.load(tiny.name)  # found by name under the data dir
    cfg = MusicRLConfig(max_steps=20, lr=3e-3, beta=0.0, bars=1, batch_size=16, seed=0)
    events = list(rl.learn_by_rl(loaded, [], cfg=cfg))
    first, last = events[0], events[-1]
    before, after = first["before"], last["after"]
    assert last["done"] and last["step"] == 20 and last["reward_parts"] == ["rules"] and last["ratings"] == 0
    broken = lambda d: sum(d[k] for k in rl.RULES)  # noqa: E731
    print(f"[rl tiny] rules broken {broken(before):.3f} -> {broken(after):.3f}, reward {before['reward']:.3f} -> "
          f"{after['reward']:.3f}")
    assert after["reward"] > before["reward"] + 0.05 and broken(after) < broken(before) - 0.025
    card = read_card(last["out_dir"])
    assert card["parent"].endswith(tiny.name) and card["learned_from"]["method"] == "rl-tuner"
    assert card["learned_from"]["ratings"] == 0 and card["metrics"]["after_reward"] == round(after["reward"], 4)
    new = last["out_dir"]
    assert lineage.base_name(new.split("/")[-1]) == tiny.name
    assert any(i.path == new for i in music.models())  # joins the music models (and the A/B pool)
    from playground.compare import versions

    assert new.split("/")[-1] in versions("music")
    g = music.generate(music.load(new.split("/")[-1]), music.Params(source="chorale", bars=1, seed=1))
    assert g.output["voices"]["soprano"]  # the saved version composes through the app's path


def test_reward_uses_the_raters_scorer_from_five_ratings():
    grids = [np.array(C_MAJOR)[:, :] + s for s in (0, 2, 4)]
    rows = [{"rating": r, "output": rl.output_of(np.array(C_MAJOR) + s, 0)} for r, s in zip((1, 2, 3, 4, 5), range(5))]
    assert rl.reward(rows[:4]).scorer is None  # too few: the rules alone
    r = rl.reward(rows)
    assert r.parts == ["rater", "rules"] and r.ratings == 5
    out = r(grids, 0)
    assert out["rated"][2] > out["rated"][0]  # higher melodies were rated higher
    assert np.allclose(out["reward"], out["rated"] + 2.0 * out["rules"])
    assert rl.reward([{**x, "rating": 3} for x in rows]).scorer is None  # all equal: nothing to learn
    v = rl.rule_violations([np.array([[60, 67, 55, 48], [62, 69, 57, 50]])])  # parallel fifths S-A, T-B + octaves
    assert v["parallels"] > 0.3 and v["crossings"] == 1.0  # the alto sits above the soprano throughout


def test_bad_input_gives_a_plain_sentence(tiny):
    with pytest.raises(ValueError, match="needs a chorale model saved in a folder"):
        next(rl.learn_by_rl("", []))
    with pytest.raises(ValueError, match="fine-tunes the chorale LSTM"):
        next(rl.learn_by_rl(music.load(music.HARMONISER), []))
    (tiny / "config.json").write_text(json.dumps({"model_type": "gan"}))
    with pytest.raises(ValueError, match="fine-tunes the chorale LSTM"):
        next(rl.learn_by_rl(str(tiny), []))


def _height(g) -> float:
    """The simulated rater's taste: how high the melody sits (mean MIDI pitch of the soprano's notes)."""
    return float(np.mean([p for p, _, _ in g.output["voices"]["soprano"]]))


@pytest.mark.slow
def test_the_bundled_lstm_learns_high_melodies_from_ratings(tmp_path):
    """A rater who likes high melodies rates 60 continuations (5 for the higher half, 1 for the rest);
    the RL Tuner makes a new version; the same rater's 40 blind votes on fresh seeds (same opening,
    same seed for both) rank it above its parent with a bootstrap interval that excludes zero."""
    store = FeedbackStore(f"sqlite:///{tmp_path / 'feedback.db'}")
    base = music.load("music-bach")
    n_open = len(base.extra["openings"])
    gens = [music.generate(base, music.Params(source="chorale", chorale=i % n_open, bars=2, seed=100 + i))
            for i in range(60)]
    cut = np.median([_height(g) for g in gens])
    for g in gens:
        store.record(g, 5 if _height(g) > cut else 1, session="rater")
    out = config.data_dir() / "models" / "music-bach-feedback-test"
    try:
        events = list(rl.learn_by_rl(base, store.rated("music", base.name), out_dir=out))
        last = events[-1]
        new = music.load(str(out))
        battles, liked = [], []
        for i in range(40):
            p = music.Params(source="chorale", chorale=(7 * i) % n_open, bars=2, seed=5000 + i)
            ga, gb = music.generate(base, p), music.generate(new, p)
            ha, hb = _height(ga), _height(gb)
            liked.append((ha > cut, hb > cut))  # would the rater give it a 5?
            outcome = "a" if ha > hb else "b" if hb > ha else "tie"
            votes.vote(store, votes.show_pair(store, ga, gb, f"rater-{i // 25}"), outcome, f"rater-{i // 25}")
            battles.append((base.name, new.name, outcome))
        wins = sum(o == "b" for *_, o in battles) / len(battles)
        ties = sum(o == "tie" for *_, o in battles)
        diff, lo, hi = arena.difference_interval(battles, new.name, base.name)
        b, a = last["before"], last["after"]
        print(f"\n[loop] music rl-tuner: 60 ratings, {last['step']} steps in {last['elapsed_s']:.0f} s; "
              f"rated {b['rated']:.2f} -> {a['rated']:.2f}; out of key {b['out_of_key']:.3f} -> {a['out_of_key']:.3f}, "
              f"parallels/pair {b['parallels']:.3f} -> {a['parallels']:.3f}, crossings/step {b['crossings']:.3f} -> "
              f"{a['crossings']:.3f}, out of range {b['out_of_range']:.3f} -> {a['out_of_range']:.3f}; "
              f"rater's 5s {np.mean([x for x, _ in liked]):.0%} -> {np.mean([y for _, y in liked]):.0%}; "
              f"new version wins {wins:.0%} of 40 blind votes ({ties} ties), strength difference {diff:.2f} "
              f"[{lo:.2f}, {hi:.2f}]")
        assert lo > 0 and a["rated"] > b["rated"]
    finally:
        shutil.rmtree(out, ignore_errors=True)
        catalog.clear_cache()


def test_the_tab_learns_and_selects_the_new_version(tmp_path, tiny, monkeypatch):
    import gradio as gr

    from playground import feedback
    from playground.train import music_rl
    from tabs import music_learn

    monkeypatch.setattr(music_rl.MusicRLConfig, "__init__", _short_config(music_rl.MusicRLConfig.__init__))
    store = FeedbackStore(f"sqlite:///{tmp_path / 'feedback.db'}")
    feedback.set_default_store(store)
    try:
        assert (tiny.name, tiny.name) in music_learn.lstm_choices()
        outs = list(music_learn.learn_by_rl(tiny.name))
        assert "voice-leading rules alone" in outs[0][1]  # no ratings yet
        curve, status, choice = outs[-1]
        assert "Saved the new version" in status and "notes out of the key" in status
        assert choice["value"].startswith(tiny.name + "-feedback-") and curve.size[0] > 100
        assert choice["value"] in [v for _, v in choice["choices"]]
        with pytest.raises(gr.Error, match="fine-tunes the chorale LSTM"):
            list(music_learn.learn_by_rl(str(music.HARMONISER)))
    finally:
        feedback.set_default_store(None)


def _short_config(init):
    """MusicRLConfig's constructor with a short run as the default (the tab passes no config)."""
    def short(self, *a, **kw):
        init(self, *a, **{"max_steps": 4, "batch_size": 4, "bars": 1, **kw})
    return short
