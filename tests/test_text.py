"""The text model: tokenizer, sampling, caps, bad input, training and fine-tuning."""
from __future__ import annotations

import json
import time

import pytest
import torch
from transformers import AutoTokenizer

from playground import config
from playground import text as tx
from playground.charset import build_char_tokenizer
from playground.train import text as tt

SONNETS = (config.ASSETS / "examples" / "sonnets.txt").read_text()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A tiny GPT-2 trained for a few steps (seconds) on the bundled example text."""
    out = tmp_path_factory.mktemp("tiny")
    cfg = tt.TextTrainConfig(n_layer=1, n_embd=32, n_head=2, block_size=32, batch_size=8,
                             max_iters=80, eval_interval=20, lr=1e-2, min_lr=1e-3, warmup_iters=5, bf16=False)
    events = list(tt.iter_train(SONNETS, out, cfg, source="sonnets"))
    return out, events


def test_tokenizer_round_trip(tmp_path):
    tok = build_char_tokenizer(SONNETS)
    ids = tok(SONNETS, add_special_tokens=False)["input_ids"]
    assert len(ids) == len(SONNETS)  # one token per character
    assert tok.decode(ids) == SONNETS
    tok.save_pretrained(tmp_path)
    again = AutoTokenizer.from_pretrained(tmp_path)
    assert again.decode(again(SONNETS, add_special_tokens=False)["input_ids"]) == SONNETS
    assert again.bos_token_id == 0 and again.convert_ids_to_tokens(0) == "<|endoftext|>"


def test_training_loss_falls_and_card_is_written(tiny):
    out, events = tiny
    vals = [e["val_loss"] for e in events if "val_loss" in e]
    uniform = torch.log(torch.tensor(float(len(tx.load(out).tokenizer)))).item()  # an untrained model's loss
    assert vals[-1] < vals[0] and vals[-1] < uniform - 0.8, (uniform, vals)
    assert events[-1]["done"]
    card = json.loads((out / "training.json").read_text())
    assert card["parameters"] > 0 and card["val_loss_nats_per_char"] == pytest.approx(vals[-1], abs=1e-3)
    assert (out / "model.safetensors").is_file() and (out / "README.md").is_file()


def test_validation_loss_is_per_character():
    """Uniform logits score exactly log(vocab) nats per character: the metric is not shifted."""
    class Uniform(torch.nn.Module):
        def forward(self, input_ids):
            return type("O", (), {"logits": torch.zeros(*input_ids.shape, 50)})()

    ids = torch.randint(0, 50, (1000,))
    assert tt.nll_per_char(Uniform(), ids, block_size=64) == pytest.approx(torch.log(torch.tensor(50.0)).item(), rel=1e-5)


def test_same_seed_same_text_and_params_recorded(tiny):
    tm = tx.load(tiny[0])
    p = tx.TextParams(prompt="Shall I", max_new_tokens=40, temperature=1.0, seed=11)
    a, b = tx.generate(tm, p), tx.generate(tm, p)
    assert a.output == b.output and len(a.output) == 40
    assert tx.generate(tm, tx.TextParams(prompt="Shall I", max_new_tokens=40, temperature=1.0, seed=12)).output != a.output
    assert a.params == {"prompt": "Shall I", "max_new_tokens": 40, "temperature": 1.0, "top_k": 0, "top_p": 1.0, "seed": 11}
    assert a.modality == "text" and a.model_hash == tx.load(tiny[0]).model_hash != "unknown"


def test_top_k_one_is_greedy_whatever_the_seed(tiny):
    tm = tx.load(tiny[0])
    outs = {tx.generate(tm, tx.TextParams(prompt="Love", max_new_tokens=20, top_k=1, seed=s)).output for s in range(4)}
    assert len(outs) == 1
    tiny_p = {tx.generate(tm, tx.TextParams(prompt="Love", max_new_tokens=20, top_p=1e-6, seed=s)).output for s in range(4)}
    assert tiny_p == outs


def test_distribution_filters():
    logits = torch.tensor([3.0, 2.0, 1.0, 0.0])
    assert torch.count_nonzero(tx.distribution(logits, 1.0, 2, 1.0)) == 2
    p = tx.distribution(logits, 1.0, 0, 0.7)  # top token has ~0.64: nucleus needs two
    assert torch.count_nonzero(p) == 2 and p.sum().item() == pytest.approx(1.0)
    hot, cold = tx.distribution(logits, 2.0, 0, 1.0), tx.distribution(logits, 0.5, 0, 1.0)
    assert cold[0] > hot[0]


def test_length_caps_and_bad_numbers():
    p, notes = tx.TextParams(max_new_tokens=10**9).checked()
    assert p.max_new_tokens == tx.MAX_NEW_TOKENS and "capped" in notes[0]
    assert tx.TextParams(max_new_tokens=0).checked()[0].max_new_tokens == 1
    for bad in (dict(temperature=0), dict(temperature=-1), dict(top_p=0), dict(top_k=-3), dict(max_new_tokens="many")):
        with pytest.raises(ValueError):
            tx.TextParams(**bad).checked()


def test_empty_long_and_unknown_prompts(tiny):
    tm = tx.load(tiny[0])
    ids, notes = tx.encode_prompt(tm, "")
    assert ids == [tm.start_id] and "start token" in notes[0]
    assert len(tx.generate(tm, tx.TextParams(prompt="", max_new_tokens=15)).output) == 15
    ids, notes = tx.encode_prompt(tm, "Love " * 100)
    assert len(ids) == tm.context // 2 and any("only its last" in n for n in notes)
    _, notes = tx.encode_prompt(tm, "Love ☃")
    assert any("never seen" in n for n in notes)
    # generating far past the context window slides it instead of failing
    assert len(tx.generate(tm, tx.TextParams(prompt="Love", max_new_tokens=100)).output) == 100


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
    broken.mkdir()
    for f in tiny[0].iterdir():
        (broken / f.name).write_bytes(f.read_bytes())
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


def test_finetune_makes_a_new_model_and_keeps_the_base(tiny, tmp_path):
    base = tiny[0]
    before = (base / "model.safetensors").read_bytes()
    events = list(tt.finetune("Love is not love which alters when it alteration finds. " * 40, base,
                              tmp_path / "ft", steps=20))
    assert events[-1]["done"] and (tmp_path / "ft" / "model.safetensors").is_file()
    assert (base / "model.safetensors").read_bytes() == before
    assert tx.load(tmp_path / "ft").model_hash != tx.load(base).model_hash


SHAKESPEARE = config.ROOT.parent / "shared" / "data" / "tinyshakespeare" / "input.txt"


@pytest.mark.skipif(not SHAKESPEARE.is_file(), reason="needs ../shared/data/tinyshakespeare/input.txt")
def test_bundled_model_scores_its_card_on_the_validation_split():
    """Recompute the card's number: the whole last 10 % of tiny Shakespeare, nats per character."""
    folder = config.DEFAULT_TEXT_MODEL
    card = json.loads((folder / "training.json").read_text())
    tm = tx.load(folder)
    _, val = tt.split_ids(tt.encode_text(tm.tokenizer, SHAKESPEARE.read_text(encoding="utf-8")))
    assert len(val) == card["val_chars"] == 111_540
    nll = tt.nll_per_char(tm.model, val, block_size=card["config"]["block_size"])
    assert nll == pytest.approx(card["val_loss_nats_per_char"], abs=2e-3) and nll <= 1.45


def test_bundled_model_meets_its_card():
    folder = config.DEFAULT_TEXT_MODEL
    card = json.loads((folder / "training.json").read_text())
    size = sum(f.stat().st_size for f in folder.iterdir())
    assert size <= 15_000_000
    assert card["val_loss_nats_per_char"] <= 1.45 and card["train_seconds"] <= 30 * 60  # the target
    tm = tx.load(folder)
    text = (config.ASSETS / "examples" / "sonnets.txt").read_text()  # Shakespeare it never trained on
    nll = tt.nll_per_char(tm.model, tt.encode_text(tm.tokenizer, text), block_size=256)
    assert nll < 2.2, nll  # far below a uniform guess (ln 66 = 4.19): it learned English
    out = tx.generate(tm, tx.TextParams(prompt="ROMEO:", max_new_tokens=120, seed=1)).output
    assert len(out) == 120 and out.count(" ") > 5  # words, not noise


def test_muon_option_trains(tmp_path):
    cfg = tt.TextTrainConfig(n_layer=1, n_embd=32, n_head=2, block_size=32, batch_size=8, max_iters=40,
                             eval_interval=20, optimizer="muon", warmup_iters=5, bf16=False)
    events = list(tt.iter_train(SONNETS, tmp_path, cfg))
    vals = [e["val_loss"] for e in events if "val_loss" in e]
    assert vals[-1] < vals[0], vals
    assert json.loads((tmp_path / "training.json").read_text())["config"]["optimizer"] == "muon"
