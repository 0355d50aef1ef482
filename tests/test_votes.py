"""Blind A/B votes, the Bradley-Terry leaderboard and the exports training tools read."""
from __future__ import annotations

import json
import random

import numpy as np
import pytest

from playground import arena, exports, votes
from playground.feedback import FeedbackStore
from playground.generation import Generation
from playground.timing import in_threads


@pytest.fixture()
def store(tmp_path):
    s = FeedbackStore(f"sqlite:///{tmp_path / 'f.db'}")
    yield s
    s.close()


def gen(model: str, out: str, seed: int = 0, prompt: str = "ROMEO:") -> Generation:
    return Generation("text", model, f"h-{model}", {"prompt": prompt, "seed": seed}, out)


def test_bradley_terry_recovers_known_strengths_with_intervals():
    rng = np.random.default_rng(0)
    true = {"base": 0.0, "tuned": 1.0, "worse": -0.8}
    names, vs = list(true), []
    for _ in range(4000):
        a, b = rng.choice(names, 2, replace=False)
        vs.append((a, b, "a" if rng.random() < 1 / (1 + np.exp(true[b] - true[a])) else "b"))
    board = arena.leaderboard(vs, resamples=100)
    assert [r["model"] for r in board] == ["tuned", "base", "worse"]
    s = {r["model"]: r for r in board}
    for m in names:  # the fitted differences land near the truth, inside their intervals
        assert s[m]["low"] <= s[m]["strength"] <= s[m]["high"]
    diff, lo, hi = arena.difference_interval(vs, "tuned", "base", resamples=100)
    assert abs(diff - 1.0) < 0.15 and 0 < lo < diff < hi


def test_a_version_that_never_lost_still_gets_a_finite_strength():
    s = arena.bradley_terry([("new", "old", "a")] * 5)
    assert np.isfinite(list(s.values())).all() and s["new"] > s["old"]


def test_votes_need_a_shown_pair_once_per_session(store):
    pid = votes.show_pair(store, gen("v1", "one"), gen("v2", "two"), session="alice")
    with pytest.raises(ValueError, match="never shown"):
        votes.vote(store, "no-such-pair", "a", "alice")
    with pytest.raises(ValueError, match="never shown"):
        votes.vote(store, pid, "a", "mallory")  # shown to alice, not to mallory
    with pytest.raises(ValueError, match="Vote A, B"):
        votes.vote(store, pid, "<script>", "alice")
    result = votes.vote(store, pid, "b", "alice")
    assert result["winner"] == "v2" and result["model_a"] == "v1"
    with pytest.raises(ValueError, match="already voted"):
        votes.vote(store, pid, "a", "alice")
    with pytest.raises(ValueError, match="two different"):
        votes.show_pair(store, gen("v1", "x"), gen("v1", "y"), "alice")


def test_rate_limit_per_session(store, monkeypatch):
    monkeypatch.setattr(votes, "RATE_LIMIT", 3)
    for i in range(3):
        votes.vote(store, votes.show_pair(store, gen("v1", f"a{i}"), gen("v2", f"b{i}"), "s"), "a", "s")
    with pytest.raises(ValueError, match="At most 3 votes"):
        votes.vote(store, votes.show_pair(store, gen("v1", "a"), gen("v2", "b"), "s"), "a", "s")


def test_ten_threads_of_votes_are_all_stored(store):
    pids = [[votes.show_pair(store, gen("v1", f"{t}-{i}"), gen("v2", "x"), f"t{t}") for i in range(25)]
            for t in range(10)]

    def work(t: int) -> None:
        for pid in pids[t]:
            votes.vote(store, pid, "a", f"t{t}")

    in_threads(work, 10)
    assert len(votes.battles(store)) == 250


def test_leaderboard_from_stored_votes_and_pairing_prefers_new_versions(store):
    for i in range(12):
        pid = votes.show_pair(store, gen("base", f"x{i}"), gen("tuned", f"y{i}"), f"s{i}")
        votes.vote(store, pid, "b" if i % 4 else "a", f"s{i}")
    board = votes.leaderboard(store, "text", resamples=50)
    assert board[0]["model"] == "tuned" and board[0]["votes"] == 12 and board[0]["win_rate"] == 0.75
    rng = random.Random(0)
    picks = [votes.pick_pair(["base", "tuned", "newest"], {"base": 12, "tuned": 12}, rng) for _ in range(20)]
    assert all("newest" in p for p in picks)


def test_exports_have_the_formats_training_libraries_read(store, tmp_path):
    store.record(gen("v1", "good text", 1), 5, "", session="s")
    store.record(gen("v1", "bad text", 2), 1, "", session="s")
    store.record(gen("v1", "so-so", 3), 3, "", session="s")
    img = Generation("image", "gan-digits", "h", {"seed": 4, "n": 1}, {"latent": [0.1, 0.2], "label": None})
    store.record(img, 4, "", session="s")
    votes.vote(store, votes.show_pair(store, gen("v1", "left"), gen("v2", "right"), "s"), "b", "s")

    kto = [json.loads(x) for x in exports.export_kto(store, tmp_path / "kto.jsonl").read_text().splitlines()]
    assert [(r["completion"], r["label"]) for r in kto if r["modality"] == "text"] == [("good text", True), ("bad text", False)]
    assert json.loads(next(r for r in kto if r["modality"] == "image")["completion"])["latent"] == [0.1, 0.2]
    dpo = [json.loads(x) for x in exports.export_dpo(store, tmp_path / "dpo.jsonl").read_text().splitlines()]
    assert {(r["chosen"], r["rejected"], r["source"]) for r in dpo} == {
        ("right", "left", "vote"), ("good text", "bad text", "ratings"), ("good text", "so-so", "ratings"),
        ("so-so", "bad text", "ratings")}  # every gap of 2 or more
    arena_rows = [json.loads(x) for x in exports.export_battles(store, tmp_path / "b.jsonl").read_text().splitlines()]
    assert arena_rows[0]["winner"] == "model_b" and arena_rows[0]["model_b"] == "v2"
    datasets = pytest.importorskip("datasets")
    for name, n in (("kto.jsonl", 3), ("dpo.jsonl", 4), ("b.jsonl", 1)):
        ds = datasets.load_dataset("json", data_files=str(tmp_path / name), split="train")
        assert len(ds) == n


def test_two_conditional_image_versions_draw_the_same_digit_when_none_is_asked(store):
    from playground import compare, images

    conditional = [i.name for i in images.models() if i.facts.get("conditional")]
    if len(conditional) < 2:
        pytest.skip("needs two conditional image models")
    for seed in range(6):
        pair = compare.make_pair("image", {"label": None}, "s", seed, store)
        if all(images.conditional(images.load(g.model)) for g in (pair.a, pair.b)):
            assert pair.a.output["label"] == pair.b.output["label"] == seed % 10


def test_bad_votes_and_pairs_get_clear_messages(store, monkeypatch):
    pid = votes.show_pair(store, gen("v1", "one"), gen("v2", "two"), session="alice")
    for bad_id in (None, "", "x" * 1_000_000, {"id": pid}, ["a"], 12):  # never shown, whatever its shape
        with pytest.raises(ValueError, match="never shown"):
            votes.vote(store, bad_id, "a", "alice")
    for bad in (None, 1, "A", "a" * 10_000, {"outcome": "a"}):
        with pytest.raises(ValueError, match="Vote A, B, tie or both bad"):
            votes.vote(store, pid, bad, "alice")
    img = Generation("image", "gan-digits", "h", {"seed": 0}, {"latent": [0.0]})
    with pytest.raises(ValueError, match="same modality"):
        votes.show_pair(store, gen("v1", "x"), img, "alice")
    odd = [Generation(m, "v1", "h", {}, "x") for m in ("video", "")]
    for g in odd:
        with pytest.raises(ValueError, match="Unknown modality"):
            votes.show_pair(store, g, Generation(g.modality, "v2", "h", {}, "y"), "alice")
    for name in ("", "   ", "v" * 201):  # a version without a usable name
        with pytest.raises(ValueError, match="name of each model version"):
            votes.show_pair(store, gen(name, "x"), gen("v2", "y"), "alice")
    with pytest.raises(ValueError, match="too large"):
        votes.show_pair(store, gen("v1", "x" * (votes.MAX_PAYLOAD + 1)), gen("v2", "y"), "alice")
    with pytest.raises(ValueError, match="No vote names the version 'ghost'"):  # unknown version
        arena.difference_interval([("v1", "v2", "a")], "ghost", "v1", resamples=5)
    with pytest.raises(ValueError, match="Unknown vote outcome"):
        arena.leaderboard([("v1", "v2", "maybe")])
    assert votes.battles(store) == [] and votes.vote(store, pid, "a", "alice")["winner"] == "v1"


def test_progress_tracks_strength_rating_and_the_win_rate_against_the_parent(store, monkeypatch):
    from playground import progress

    clock = [1_800_000_000.0]
    monkeypatch.setattr(votes.time, "time", lambda: clock[0])
    monkeypatch.setattr("playground.feedback.time.time", lambda: clock[0])
    for i in range(40):  # two hours: "liked" wins 2.5 of every 4 votes against its parent (a tie counts half)
        clock[0] = 1_800_000_000.0 + i * 180
        pid = votes.show_pair(store, gen("base", f"x{i}"), gen("liked", f"y{i}"), f"s{i}")
        votes.vote(store, pid, ("b", "b", "tie", "a")[i % 4], f"s{i}")
        store.record(gen("liked" if i % 2 else "base", f"r{i}", i), 5 if i % 2 else 2, "", session=f"s{i}")
    p = progress.progress(store, "text", {"base": None, "liked": "base", "other": None})
    assert p["ratings"] == 40 and p["votes"] == 40 and p["format"] == "%Y-%m-%d %H:00"
    assert {r["lineage"] for r in p["strength"]} == {"base"}
    last = [r for r in p["strength"] if r["time"] == p["strength"][-1]["time"]]
    assert {r["model"]: r["votes"] for r in last} == {"base": 40, "liked": 40}
    s = {r["model"]: r["strength"] for r in last}
    assert s["liked"] > s["base"] and s == {k: round(v, 3) for k, v in arena.bradley_terry(
        [("base", "liked", ("b", "b", "tie", "a")[i % 4]) for i in range(40)]).items()}
    assert {r["model"]: r["mean"] for r in p["rating"]} == {"base": 2.0, "liked": 5.0}
    assert p["vs_parent"] == [{"model": "liked", "parent": "base", "wins": 25.0, "games": 40, "rate": 0.625}]
    assert progress.lineage_of({"c": "b", "b": "a", "a": None, "x": "gone"}) == {"c": "a", "b": "a", "a": "a", "x": "x"}
