"""Music: tokenisation, sampling, rendering, bad input, a short training run (tiny seeded models)."""
from __future__ import annotations

import json
import wave

import numpy as np
import pretty_midi
import pytest
import torch

from playground import music
from playground.card import read_card
from playground.music.compose import compose
from playground.music.model import ChoraleLSTM, MusicConfig
from playground.music.notes import (REST, Score, from_tokens, midi_to_note, note_to_midi, parse_melody,
                                    to_tokens)
from playground.music.render import read_midi, step_seconds
from playground.music.train_loop import MusicTrainConfig, evaluate, iter_train

TINY = dict(hidden=32, emb=8, cond_hidden=8, layers=1, dropout=0.0, head_prev=True)


def synthetic_chorales(n: int = 12, seed: int = 0) -> list[np.ndarray]:
    """Block chords moving by step, held for a beat: enough structure for a loss to fall."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        root = 60 + int(rng.integers(-3, 4))
        steps = []
        for _ in range(24):
            root += int(rng.choice([-2, -1, 1, 2]))
            root = int(np.clip(root, 62, 76))
            steps += [[root, root - 4, root - 9, root - 16]] * 4
        out.append(np.asarray(steps))
    return out


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    torch.manual_seed(0)
    d = tmp_path_factory.mktemp("music-tiny")
    ChoraleLSTM(MusicConfig(**TINY)).save_pretrained(d)
    (d / "openings.json").write_text(json.dumps([c[:64].tolist() for c in synthetic_chorales(3)]))
    return d


def gen(model_dir, tmp_path, **kw):
    """Compose with the checkpoint in ``model_dir`` and render it into ``tmp_path`` (as the tab does)."""
    kw.setdefault("seed", 0)
    kw.setdefault("notes", "")
    g = music.generate(music.load(model_dir), music.Params.from_dict(kw))
    g.media.update(zip(("midi", "wav", "png"), map(str, music.save_output(g, tmp_path / f"{g.id}.mid"))))
    return g


# ---- notes and tokens ---------------------------------------------------------------------
def test_note_names_round_trip():
    assert note_to_midi("C4") == 60 and note_to_midi("a4") == 69 and note_to_midi("Bb3") == 58
    assert note_to_midi("F#5") == 78 and note_to_midi("Cb4") == 59
    for p in range(0, 128):
        assert note_to_midi(midi_to_note(p)) == p


def test_tokens_round_trip():
    cfg = MusicConfig()
    grid = np.array([[72, 67, 64, 48], [REST, 65, 60, 41], [cfg.pitch_min, cfg.pitch_max, REST, 36]])
    tok = to_tokens(grid, cfg.pitch_min)
    assert tok.min() >= 0 and tok.max() < cfg.vocab
    assert (from_tokens(tok, cfg.pitch_min) == grid).all()


def test_melody_parse_and_events_round_trip():
    mel = parse_melody("C4 C4 E4:0.5 R G4:2")
    assert mel == [(60, 4), (60, 4), (64, 2), (-1, 4), (67, 8)]
    ev = Score.from_melody(mel).events()[0]
    assert ev == [[60, 0, 4], [60, 4, 4], [64, 8, 2], [67, 14, 8]]  # the repeated C4 stays two notes


# ---- generation ---------------------------------------------------------------------------
def test_midi_rereads_with_range_voices_and_length(model_dir, tmp_path):
    g = gen(model_dir, tmp_path, mode="continue", notes="C5 D5 E5 F5", bars=2, tempo=120)
    pm = pretty_midi.PrettyMIDI(g.media["midi"])
    assert len(pm.instruments) == 4
    steps = 16 + 2 * 16  # a one-bar seed + two bars
    assert pm.get_end_time() == pytest.approx(steps * step_seconds(120), abs=0.01)
    cfg = MusicConfig(**TINY)
    for inst, (lo, hi) in zip(pm.instruments, cfg.voice_ranges):
        assert inst.notes and all(lo <= n.pitch <= hi for n in inst.notes)
    score, four = read_midi(g.media["midi"])
    assert four and len(score) == steps
    assert score.events() == list(g.output["voices"].values())
    with wave.open(g.media["wav"]) as w:
        audio = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        assert w.getnframes() / w.getframerate() >= steps * step_seconds(120)
    assert 0 < np.abs(audio).max() <= 32767 and np.abs(audio).mean() > 100
    assert g.media["png"].endswith(".png")


def test_same_seed_same_notes(model_dir, tmp_path):
    a = gen(model_dir, tmp_path, mode="continue", source="chorale", chorale=1, bars=2, seed=7)
    b = gen(model_dir, tmp_path, mode="continue", source="chorale", chorale=1, bars=2, seed=7)
    c = gen(model_dir, tmp_path, mode="continue", source="chorale", chorale=1, bars=2, seed=8)
    assert a.output == b.output and a.output != c.output
    assert a.modality == "music" and a.params["seed"] == 7


def test_harmonise_keeps_the_melody(model_dir, tmp_path):
    text = "G4 G4 D5 D5 E5 E5 D5:2 C5:0.5 B4:0.5 R A4 G4:2"
    g = gen(model_dir, tmp_path, mode="harmonise", notes=text)
    assert g.output["voices"]["soprano"] == Score.from_melody(parse_melody(text)).events()[0]
    assert all(g.output["voices"][v] for v in ("alto", "tenor", "bass"))
    ch = gen(model_dir, tmp_path, mode="harmonise", source="chorale", chorale=0)
    opening = Score.from_grid(json.loads((model_dir / "openings.json").read_text())[0])
    assert ch.output["voices"]["soprano"] == opening.events()[0]


def test_harmonise_model_level_fixes_soprano(model_dir):
    model = ChoraleLSTM.from_pretrained(model_dir)
    melody = Score.from_melody(parse_melody("E5 D5 C5 D5 E5 E5 E5:2"))
    out = compose(model, "harmonise", melody, False, 1, 1.5, torch.Generator().manual_seed(3))
    assert (out.pitches[:, 0] == melody.pitches[:, 0]).all()


def test_opening_labels(model_dir):
    labels = music.opening_labels(model_dir)
    assert len(labels) == 3 and labels[0].startswith("Test chorale 1: ")


# ---- bad input ----------------------------------------------------------------------------
@pytest.mark.parametrize("kw, words", [
    (dict(notes="C4 H4"), "not a note name"),
    (dict(notes="C4 E#"), "not a note name"),
    (dict(notes="C2 D2"), "outside the soprano range"),
    (dict(notes="C4 G10"), "outside the MIDI range"),
    (dict(notes=""), "empty"),
    (dict(notes="   "), "empty"),
    (dict(notes="R R:2"), "only rests"),
    (dict(notes="C4:abc"), "duration"),
    (dict(notes="C4:1000"), "duration"),
    (dict(notes="C4:16 " * 70), "too long"),
    (dict(notes="C5", bars=0), "bars"),
    (dict(notes="C5", bars=10_000), "bars"),
    (dict(notes="C5", temperature=0), "temperature must be between 0.05 and 3"),
    (dict(notes="C5", tempo=5000), "tempo"),
    (dict(mode="sing", notes="C5"), "mode"),
    (dict(source="chorale", chorale=99), "chorale"),
    (dict(source="midi", midi_path=None), "Upload"),
])
def test_bad_input_is_a_plain_value_error(model_dir, tmp_path, kw, words):
    with pytest.raises(ValueError, match=words):
        gen(model_dir, tmp_path, **kw)


def test_bad_midi_uploads(model_dir, tmp_path):
    corrupt = tmp_path / "corrupt.mid"
    corrupt.write_bytes(b"MThd\x00\x00\x00\x06garbage" + bytes(range(200)))
    with pytest.raises(ValueError, match="could not be read"):
        gen(model_dir, tmp_path, source="midi", midi_path=str(corrupt))
    huge = tmp_path / "huge.mid"
    huge.write_bytes(b"\0" * 1_100_000)
    with pytest.raises(ValueError, match="too large"):
        gen(model_dir, tmp_path, source="midi", midi_path=str(huge))
    long = pretty_midi.PrettyMIDI(initial_tempo=120)
    inst = pretty_midi.Instrument(0)
    inst.notes = [pretty_midi.Note(velocity=80, pitch=72, start=i * 0.5, end=i * 0.5 + 0.5) for i in range(400)]
    long.instruments.append(inst)
    long.write(str(tmp_path / "long.mid"))
    with pytest.raises(ValueError, match="longer than 64 bars"):
        gen(model_dir, tmp_path, source="midi", midi_path=str(tmp_path / "long.mid"))


def test_midi_melody_upload_is_harmonised_in_octave(model_dir, tmp_path):
    pm = pretty_midi.PrettyMIDI(initial_tempo=100)
    inst = pretty_midi.Instrument(0)
    pitches = [48, 50, 52, 53, 55, 55]  # an octave below the soprano range: moved up
    inst.notes = [pretty_midi.Note(velocity=80, pitch=p, start=i * 0.6, end=i * 0.6 + 0.6) for i, p in enumerate(pitches)]
    pm.instruments.append(inst)
    pm.write(str(tmp_path / "tune.mid"))
    g = gen(model_dir, tmp_path, mode="harmonise", source="midi", midi_path=str(tmp_path / "tune.mid"))
    assert [n[0] for n in g.output["voices"]["soprano"]] == [p + 12 for p in pitches]


# ---- training -----------------------------------------------------------------------------
def test_short_training_run_loss_falls():
    data = synthetic_chorales(16)
    cfg = MusicConfig(**TINY)
    tcfg = MusicTrainConfig(crop=64, batch_size=8, lr=1e-2, max_iters=60, eval_interval=30, max_minutes=1,
                            threads=1, seed=0)
    loop = tcfg.loop()  # the shared loop: cosine to min_lr after a 100-step warm-up
    assert (loop.schedule, loop.warmup_steps, loop.min_lr_ratio) == ("cosine", 100, tcfg.min_lr / tcfg.lr)
    events = list(iter_train(data[:12], data[12:], cfg, tcfg))
    losses = [e["losses"]["train_loss"] for e in events if e["losses"] and "done" not in e]
    done = events[-1]
    assert done["done"] and losses[-1] < 0.6 * losses[0]
    assert [h["step"] for h in done["history"]] == [30, 60] and done["best"] == done["history"][-1]["val_nll"]
    before = evaluate(ChoraleLSTM(cfg), data[12:])["nll_per_note"]
    assert evaluate(done["model"], data[12:])["nll_per_note"] < 0.6 * before


# ---- the piano-roll (frame-level) model, baselines, CLI, bench ------------------------------
def test_ordered_model_is_a_normalised_distribution_over_frames():
    """With ordered slots, the probabilities of all valid frames (sets of <= 4 pitches) sum to 1."""
    import itertools

    torch.manual_seed(0)
    cfg = MusicConfig(**TINY, pitch_min=60, pitch_max=63, ordered=True, steps_per_beat=1, steps_per_bar=4)
    model = ChoraleLSTM(cfg).eval()
    combos = torch.tensor(list(itertools.product(range(cfg.vocab), repeat=4)))  # every token tuple
    with torch.no_grad():
        logp = torch.log_softmax(model(combos[:, None, :], torch.zeros(len(combos), 1, dtype=torch.long)), -1)
    lp = logp[:, 0].gather(-1, combos[:, :, None]).squeeze(-1).sum(-1)  # (N,)
    valid = torch.tensor([all((b == 0) or (a > b) for a, b in zip(c[:-1], c[1:])) for c in combos.tolist()])
    assert valid.sum() == 2 ** (cfg.vocab - 1)  # one tuple per subset of the 4 pitches
    assert torch.exp(lp[valid]).sum().item() == pytest.approx(1.0, abs=1e-5)
    assert torch.isinf(lp[~valid]).all()


def test_roll_loader_and_baselines(tmp_path):
    from playground.music.baselines import roll_baseline_nll
    from playground.music.data import load_split

    frames = [[[60, 64, 67, 72], [64, 64, 60], [], [59, 62, 67]]] * 3
    (tmp_path / "jsb-chorales-quarter.json").write_text(json.dumps({"train": frames, "valid": frames, "test": frames}))
    c = load_split(tmp_path, "test", fmt="roll")[0]
    assert c.tolist() == [[72, 67, 64, 60], [64, 60, -1, -1], [-1, -1, -1, -1], [67, 62, 59, -1]]
    train = synthetic_chorales(8)
    b = roll_baseline_nll(train[:6], train[6:])
    assert 0 < b["markov"] < b["bernoulli"] < 88 * np.log(2)


def test_condition_ignores_padding():
    """A short row scores the same alone as when padded next to a longer one (harmonise mode)."""
    from playground.music.train_loop import pad_batch

    torch.manual_seed(0)
    cfg = MusicConfig(**TINY)
    model = ChoraleLSTM(cfg).eval()
    a, b = synthetic_chorales(2)
    a = a[:40]
    alone = evaluate(model, [a], harmonise=True)["nll_per_note"]
    both = pad_batch([(a, 0), (b, 0)], cfg, use_cond=torch.tensor([True, True]))
    with torch.no_grad():
        logits = model(both["tokens"], both["positions"], both["tokens"][..., 0], both["use_cond"], both["lengths"])
    one = pad_batch([(a, 0)], cfg, use_cond=torch.tensor([True]))
    with torch.no_grad():
        ref = model(one["tokens"], one["positions"], one["tokens"][..., 0], one["use_cond"])
    assert torch.allclose(logits[0, :40], ref[0], atol=1e-5) and np.isfinite(alone)


def _fake_jsb(folder, n=(6, 3, 3)):
    data = {s: [c.tolist() for c in synthetic_chorales(k, seed=i)] for i, (s, k) in enumerate(zip(("train", "valid", "test"), n))}
    (folder / "Jsb16thSeparated.json").write_text(json.dumps(data))
    roll = {s: [[[p for p in f if p >= 0] for f in c[::4]] for c in v] for s, v in data.items()}
    (folder / "jsb-chorales-quarter.json").write_text(json.dumps(roll))


@pytest.mark.parametrize("fmt", ["voices", "roll"])
def test_training_command_writes_a_loadable_checkpoint(tmp_path, fmt):
    import argparse

    from playground.train import music as train_music

    _fake_jsb(tmp_path)
    p = argparse.ArgumentParser()
    train_music.add_arguments(p)
    out = tmp_path / f"music-{fmt}"
    args = p.parse_args(["--data", str(tmp_path), "--out", str(out), "--format", fmt, "--hidden", "16", "--emb", "8",
                         "--layers", "1", "--max-iters", "6", "--eval-interval", "3", "--batch-size", "4",
                         "--crop", "32", "--threads", "1"])
    train_music.main(args)
    card = read_card(out)
    assert card["config"]["format"] == fmt and np.isfinite(card["metrics"]["test_nats_per_frame"])
    assert card["model_type"] == "chorale-lstm" and card["steps"] == 6 and len(card["history"]) == 2
    assert (out / "README.md").read_text().count("nats per frame") >= 1
    model = ChoraleLSTM.from_pretrained(out)
    assert model.cfg.ordered == (fmt == "roll")
    assert (out / "openings.json").is_file() == (fmt == "voices")
    if fmt == "voices":
        g = gen(out, tmp_path, mode="continue", source="chorale", chorale=1, bars=1)
        assert len(g.output["voices"]["bass"]) > 0
    else:
        with pytest.raises(ValueError, match="not a 16th-note four-voice model"):
            gen(out, tmp_path, notes="C5 D5")


def test_missing_checkpoint_is_a_clear_message(tmp_path):
    with pytest.raises(ValueError, match="not installed.*python -m playground.train music"):
        gen(tmp_path / "nowhere", tmp_path, notes="C5 D5")


def test_bench_rows(model_dir):
    rows = music.bench(quick=True, model=model_dir)
    assert len(rows) == 2
    for r in rows:
        assert r["n"] == 3 and 0 < r["p50_ms"] <= r["p95_ms"] and r["goal"].startswith("< 1000 ms")
    assert music.bench(quick=True, model=model_dir / "missing")[0]["note"].startswith("skipped")
