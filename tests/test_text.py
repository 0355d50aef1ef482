"""The text model: tokenizer, params, sampling, loading, training, fine-tuning, the contract."""
from __future__ import annotations

import json
import math
import shutil
import time

import pytest
import torch
from transformers import AutoTokenizer

from playground import config, registry
from playground import text as tx
from playground.charset import build_char_tokenizer
from playground.text import metrics
from playground.text.sampling import distribution
from playground.train import text as tt

SONNETS = (config.ASSETS / "examples" / "sonnets.txt").read_text()
TINY = dict(n_layer=1, n_embd=32, n_head=2, block_size=32, batch_size=8, warmup_iters=5, bf16=False)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A tiny GPT-2 trained for a few steps (seconds) on the bundled example text."""
    out = tmp_path_factory.mktemp("tiny")
    cfg = tt.TextTrainConfig(**TINY, max_iters=80, eval_interval=20, lr=1e-2, min_lr=1e-3)
    events = list(tt.iter_train(SONNETS, out, cfg, source="sonnets"))
    return out, events


def _vals(events: list[dict]) -> list[float]:
    return [e["eval"]["val_loss"] for e in events if "eval" in e]


def test_tokenizer_round_trip(tmp_path):
    tok = build_char_tokenizer(SONNETS)
    ids = tok(SONNETS, add_special_tokens=False)["input_ids"]
    assert len(ids) == len(SONNETS)  # one token per character
    assert tok.decode(ids) == SONNETS
    tok.save_pretrained(tmp_path)
    again = AutoTokenizer.from_pretrained(tmp_path)
    assert again.decode(again(SONNETS, add_special_tokens=False)["input_ids"]) == SONNETS
    assert again.bos_token_id == 0 and again.convert_ids_to_tokens(0) == "<|endoftext|>"


def test_params_validate_and_convert():
    p = tx.Params(length="3", top_k=2.0, seed="5", temperature="0.5")
    assert (p.length, p.top_k, p.seed, p.temperature) == (3, 2, 5, 0.5) and type(p.length) is int
    assert tx.Params(length=3.0).length == 3
    with pytest.raises(ValueError, match="The length must be a whole number."):
        tx.Params(length=3.5)
    bad = [dict(length=0), dict(length=10**9), dict(length="many"), dict(temperature=0), dict(temperature=-1),
           dict(temperature=6), dict(top_p=0), dict(top_p=1.5), dict(top_k=-3), dict(seed=-1), dict(seed=2**31),
           dict(prompt="x" * (tx.MAX_PROMPT_CHARS + 1)), dict(prompt=3)]
    for kw in bad:
        with pytest.raises(ValueError):
            tx.Params(**kw)


def test_params_round_trip_and_the_old_stored_name():
    p = tx.Params(prompt="ROMEO:", length=40, temperature=1.0, top_k=5, top_p=0.9, seed=11)
    assert tx.Params.from_dict(p.to_dict()) == p
    stored = {"prompt": "ROMEO:", "max_new_tokens": 40, "temperature": 1.0, "top_k": 5, "top_p": 0.9, "seed": 11,
              "rerank": {"candidate": 1}}  # a row written by the first version, with the reranker's note
    assert tx.Params.from_dict(stored) == p


def test_training_on_the_shared_loop_loss_falls_and_card_is_written(tiny):
    out, events = tiny
    vals = _vals(events)
    uniform = math.log(len(tx.load(out).tokenizer))  # an untrained model's loss
    assert vals[-1] < vals[0] and vals[-1] < uniform - 0.8, (uniform, vals)
    assert all({"step", "progress", "elapsed_s", "losses"} <= set(e) for e in events)
    assert [e["progress"] for e in events] == sorted(e["progress"] for e in events)
    last = events[-1]
    assert last["done"] and last["step"] == 80 and [h["step"] for h in last["history"]] == [20, 40, 60, 80]
    card = json.loads((out / "card.json").read_text())
    assert card["parameters"] > 0 and card["steps"] == 80 and card["model_type"] == "gpt2"
    assert card["metrics"][metrics.SLIDING] == pytest.approx(vals[-1], abs=1e-3)
    assert card["metrics"][metrics.WINDOWS] > 0 and card["metrics"][metrics.CONTEXT] == 16
    assert (out / "model.safetensors").is_file() and "nanoGPT" in (out / "README.md").read_text()
    assert not (out / "training.json").exists()


def test_validation_loss_is_per_character_by_both_protocols():
    """Uniform logits score exactly log(vocab) nats per character: the metrics are not shifted."""
    class Uniform(torch.nn.Module):
        def forward(self, input_ids):
            return type("O", (), {"logits": torch.zeros(*input_ids.shape, 50)})()

    ids = torch.randint(0, 50, (1000,))
    for fn in (metrics.nll_per_char, metrics.nll_per_char_windows):
        assert fn(Uniform(), ids, block_size=64) == pytest.approx(math.log(50), rel=1e-5)


def test_windows_protocol_scores_whole_windows_only(tiny):
    """nanoGPT's protocol = the mean over non-overlapping windows; early positions have less context."""
    tm = tx.load(tiny[0])
    ids = metrics.encode_text(tm.tokenizer, SONNETS[:2000])
    by_hand = []
    for s in range(0, len(ids) - 32, 32):
        logp = torch.log_softmax(tm.module(input_ids=ids[None, s:s + 32]).logits[0].float(), -1)
        by_hand.append(-logp.gather(-1, ids[s + 1:s + 33, None]).mean().item())
    assert metrics.nll_per_char_windows(tm.module, ids, 32) == pytest.approx(sum(by_hand) / len(by_hand), rel=1e-4)


def test_same_seed_same_text_and_params_recorded(tiny):
    tm = tx.load(tiny[0])
    p = tx.Params(prompt="Shall I", length=40, temperature=1.0, seed=11)
    a, b = tx.generate(tm, p), tx.generate(tm, p)
    assert a.output == b.output and len(a.output) == 40
    assert tx.generate(tm, p.replace(seed=12)).output != a.output
    assert a.params == {"prompt": "Shall I", "length": 40, "temperature": 1.0, "top_k": 0, "top_p": 1.0, "seed": 11}
    assert a.modality == "text" and a.model_hash == tm.hash != "unknown" and a.media == {}


def test_top_k_one_is_greedy_whatever_the_seed(tiny):
    tm = tx.load(tiny[0])
    outs = {tx.generate(tm, tx.Params(prompt="Love", length=20, top_k=1, seed=s)).output for s in range(4)}
    assert len(outs) == 1
    tiny_p = {tx.generate(tm, tx.Params(prompt="Love", length=20, top_p=1e-6, seed=s)).output for s in range(4)}
    assert tiny_p == outs


def test_distribution_filters():
    logits = torch.tensor([3.0, 2.0, 1.0, 0.0])
    assert torch.count_nonzero(distribution(logits, 1.0, 2, 1.0)) == 2
    p = distribution(logits, 1.0, 0, 0.7)  # top token has ~0.64: nucleus needs two
    assert torch.count_nonzero(p) == 2 and p.sum().item() == pytest.approx(1.0)
    hot, cold = distribution(logits, 2.0, 0, 1.0), distribution(logits, 0.5, 0, 1.0)
    assert cold[0] > hot[0]


def test_empty_long_and_unknown_prompts(tiny):
    tm = tx.load(tiny[0])
    ids, notes = tx.encode_prompt(tm, "")
    assert ids == [tm.start_id] and "start token" in notes[0]
    assert len(tx.generate(tm, tx.Params(prompt="", length=15)).output) == 15
    ids, notes = tx.encode_prompt(tm, "Love " * 100)
    assert len(ids) == tm.context // 2 and any("only its last" in n for n in notes)
    _, notes = tx.encode_prompt(tm, "Love ☃")
    assert any("never seen" in n for n in notes)
    # generating far past the context window slides it instead of failing
    assert len(tx.generate(tm, tx.Params(prompt="Love", length=100)).output) == 100


def test_step_mode(tiny):
    tm = tx.load(tiny[0])
    top, _ = tx.next_token(tm, "Shall I compare", k=5)
    assert len(top) == 5 and sum(p for _, p, _ in top) <= 1.0 + 1e-6
    assert top == sorted(top, key=lambda t: -t[1])
    text, label = tx.step(tm, "Shall", choice=top[0][2])
    assert text == "Shall" + tm.tokenizer.decode([top[0][2]])
    assert tx.step(tm, "Shall", None, seed=3, position=1) == tx.step(tm, "Shall", None, seed=3, position=1)


def test_missing_corrupt_and_offline_models(tmp_path, tiny):
    with pytest.raises(ValueError, match="missing"):
        tx.load(tmp_path / "nothing-here")
    broken = tmp_path / "broken"
    shutil.copytree(tiny[0], broken)
    (broken / "model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(ValueError, match="corrupt"):
        tx.load(broken)
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match="offline"):
        tx.load("distilgpt2")
    assert time.perf_counter() - t0 < 10


def test_user_text_checks(tmp_path):
    cases = {"latin1.txt": "café".encode("latin-1"), "empty.txt": b"  \n", "bin.txt": b"\x00\x01\x02abc"}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ValueError):
            tt.read_user_text(tmp_path / name)
    (tmp_path / "ok.txt").write_text("hello", encoding="utf-8")
    assert tt.read_user_text(tmp_path / "ok.txt") == "hello"


def test_finetune_makes_a_new_listed_model_and_keeps_the_base(tiny):
    base = tiny[0]
    before = (base / "model.safetensors").read_bytes()
    out = config.data_dir() / "models" / "tiny-ft"
    events = list(tt.finetune("Love is not love which alters when it alteration finds. " * 40, base, out, steps=20))
    assert events[-1]["done"] and (out / "model.safetensors").is_file()
    assert (base / "model.safetensors").read_bytes() == before
    assert tx.load(out).hash != tx.load(base).hash
    card = json.loads((out / "card.json").read_text())
    assert card["parent"] == str(base) and card["learned_from"]["method"] == "fine-tune on uploaded text"
    listed = {m.name: m for m in tx.models()}  # found by its card.json, facts from its files
    assert listed["tiny-ft"].model_type == "gpt2" and listed["tiny-ft"].facts["layers"] == 1
    assert list(listed)[0] == "text-shakespeare" and tx.load("tiny-ft") is tx.load(out)


def test_learn_from_feedback_fine_tunes_on_liked_texts_only(tiny, tmp_path):
    tm = tx.load(tiny[0])
    rows = [{"model": tm.name, "params": {"prompt": "Love"}, "output": f" is kind {i} and patient.", "rating": 5}
            for i in range(20)] + [{"model": tm.name, "params": {}, "output": "hate " * 50, "rating": 1}]
    cfg = tt.TextTrainConfig(**TINY, max_iters=10, eval_interval=5, lr=1e-3, min_lr=1e-4)
    events = list(tx.learn_from_feedback(tm, rows, cfg=cfg, out_dir=tmp_path / "v2"))
    card = events[-1]["card"]
    assert events[-1]["done"] and card["learned_from"] == {"method": "fine-tune on liked texts", "ratings": 21,
                                                           "liked": 20, "min_rating": 4}
    assert card["parent"] == str(tm.path) and "20 outputs rated 4+" in card["data"]
    with pytest.raises(ValueError, match="Not enough"):
        next(tx.learn_from_feedback(tm, rows[-1:], cfg=cfg, out_dir=tmp_path / "v3"))


def test_the_contract(tiny, tmp_path):
    assert registry.get("text") is tx and tx.NAME == "text"
    tm = tx.load(tiny[0])
    gen = tx.generate(tm, tx.Params(prompt="Love", length=12, seed=3))
    [path] = tx.save_output(gen, tmp_path / "out.txt")
    assert path.read_text(encoding="utf-8") == gen.output
    assert tx.save_output(gen, tmp_path / "folder")[0].parent == tmp_path / "folder"
    x = tx.features([gen.output, {"text": "Shall I compare"}, None])
    assert x.shape[0] == 3 and x[2].nnz == 0 and x[0].nnz > 0
    words = tx.explain(tm)
    assert tm.name in words and "nats per character" in words and "parameters" in words


SHAKESPEARE = config.ROOT.parent / "shared" / "data" / "tinyshakespeare" / "input.txt"


@pytest.mark.skipif(not SHAKESPEARE.is_file(), reason="needs ../shared/data/tinyshakespeare/input.txt")
def test_bundled_model_scores_its_card_on_the_validation_split():
    """Recompute the card's numbers on the whole last 10 % of tiny Shakespeare, by both protocols."""
    folder = config.DEFAULT_TEXT_MODEL
    card = json.loads((folder / "card.json").read_text())
    tm = tx.load(folder)
    _, val = metrics.split_ids(metrics.encode_text(tm.tokenizer, SHAKESPEARE.read_text(encoding="utf-8")))
    assert len(val) == card["metrics"]["val_chars"] == 111_540
    block = card["config"]["block_size"]
    sliding = metrics.nll_per_char(tm.module, val, block_size=block)
    windows = metrics.nll_per_char_windows(tm.module, val, block_size=block)
    assert sliding == pytest.approx(card["metrics"][metrics.SLIDING], abs=2e-3) and sliding <= 1.45
    assert windows == pytest.approx(card["metrics"][metrics.WINDOWS], abs=2e-3)
    assert sliding < windows  # more context, lower loss: the two numbers are not interchangeable


def test_bundled_model_meets_its_card():
    folder = config.DEFAULT_TEXT_MODEL
    card = json.loads((folder / "card.json").read_text())
    size = sum(f.stat().st_size for f in folder.iterdir())
    assert size <= 15_000_000
    assert card["metrics"][metrics.SLIDING] <= 1.45 and card["train_seconds"] <= 30 * 60  # the target
    tm = tx.load(folder)
    text = (config.ASSETS / "examples" / "sonnets.txt").read_text()  # Shakespeare it never trained on
    nll = metrics.nll_per_char(tm.module, metrics.encode_text(tm.tokenizer, text), block_size=256)
    assert nll < 2.2, nll  # far below a uniform guess (ln 66 = 4.19): it learned English
    out = tx.generate(tm, tx.Params(prompt="ROMEO:", length=120, seed=1)).output
    assert len(out) == 120 and out.count(" ") > 5  # words, not noise


def test_muon_and_wsd_train(tmp_path):
    cfg = tt.TextTrainConfig(**TINY, max_iters=40, eval_interval=20, optimizer="muon", schedule="wsd")
    events = list(tt.iter_train(SONNETS, tmp_path, cfg))
    vals = _vals(events)
    assert vals[-1] < vals[0], vals
    assert json.loads((tmp_path / "card.json").read_text())["config"]["optimizer"] == "muon"
    assert tt.loop_config(cfg).decay_from == pytest.approx(0.7) and tt.loop_config(cfg).schedule == "wsd"
