"""DPO moves a tiny text model toward the chosen completions and away from the rejected ones."""
from __future__ import annotations

import torch

from playground.card import read_card
from playground.train.dpo import DPOConfig, dpo, dpo_loss, sequence_logp, encode


def _tiny(tmp_path):
    from playground.train.text import TextTrainConfig, iter_train

    text = "ROMEO: my love is here.\nJULIET: the sword is here.\n" * 40
    cfg = TextTrainConfig(n_layer=1, n_embd=32, n_head=2, block_size=32, max_iters=30, max_minutes=1,
                          eval_interval=1000, batch_size=8, bf16=False, warmup_iters=2)
    for _ in iter_train(text, tmp_path / "base", cfg):
        pass
    return tmp_path / "base"


def test_dpo_loss_is_log2_at_the_reference_and_falls_with_a_margin():
    z = torch.zeros(3)
    loss, margin = dpo_loss(z, z, z, z, beta=0.1)
    assert abs(loss.item() - torch.log(torch.tensor(2.0)).item()) < 1e-6 and margin.item() == 0
    assert dpo_loss(z + 5, z, z, z, beta=0.1)[0] < loss


def test_dpo_prefers_chosen_after_training(tmp_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    base = _tiny(tmp_path)
    pairs = [{"prompt": "ROMEO:", "chosen": " my love", "rejected": " the sword"}] * 4
    events = list(dpo(base, pairs, tmp_path / "v2", DPOConfig(max_steps=25, lr=1e-3, beta=0.5)))
    assert events[-1]["done"] and read_card(tmp_path / "v2")["parent"] == str(base)
    tok = AutoTokenizer.from_pretrained(base)

    def pref(path) -> float:
        m = AutoModelForCausalLM.from_pretrained(path).eval()
        with torch.no_grad():
            c, r = sequence_logp(m, [encode(tok, "ROMEO:", " my love", 32), encode(tok, "ROMEO:", " the sword", 32)])
        return float(c - r)

    assert pref(tmp_path / "v2") > pref(base) + 0.5
