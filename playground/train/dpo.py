"""Direct Preference Optimisation (Rafailov et al. 2023) of the text model, from preference pairs.

    pairs = [{"prompt": "ROMEO:", "chosen": " my love", "rejected": " the sword"}, ...]
    for ev in dpo(init="assets/models/text-shakespeare", pairs=pairs, out_dir="data/models/v2"): ...

Loss per pair: -log sigmoid(beta * [(log pi(c) - log ref(c)) - (log pi(r) - log ref(r))]), where
log pi(x) sums the policy's log-probabilities of the completion's tokens after the prompt and
``ref`` is the frozen parent, plus ``sft_weight`` x the chosen texts' NLL per token (RPO): DPO
alone can lower the chosen and rejected likelihoods together, and with a few pairs it does. Why not TRL's ``DPOTrainer``: it builds on the ``Trainer``/
``accelerate`` stack with subword tokenisation and chat-template processing, which a
65-character GPT-2 does not use, and its per-step set-up costs more than this model's forward
pass; the loss itself is the 20 lines below, on the playground's one training loop.
"""
from __future__ import annotations

import copy
import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator

import torch
import torch.nn.functional as F

from playground.card import Card, write_card
from playground.train.loop import LoopConfig, train


@dataclass
class DPOConfig:
    beta: float = 0.1  # how far the policy may move from its parent
    sft_weight: float = 0.2  # + this x NLL per token of the chosen texts (RPO, Pang et al. 2024): keeps them likely
    lr: float = 5e-5
    max_steps: int = 120
    max_minutes: float = 3.0
    batch_size: int = 8
    seed: int = 0


def encode(tokenizer, prompt: str, completion: str, context: int) -> tuple[torch.Tensor, int]:
    """Token ids of prompt + completion (cut from the left to ``context``) and the completion's start."""
    p = tokenizer(prompt, add_special_tokens=False)["input_ids"] if prompt else []
    c = tokenizer(completion, add_special_tokens=False)["input_ids"]
    start_id = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else 0
    ids = ([start_id] + p + c)[-context:]
    return torch.tensor(ids), max(1, len(ids) - len(c))


def sequence_logp(model, batch: list[tuple[torch.Tensor, int]]) -> torch.Tensor:
    """Sum of log p(completion tokens | everything before) for each (ids, completion start)."""
    out = []
    for ids, start in batch:  # rows differ in length; the model is small, so one row at a time
        logits = model(input_ids=ids[None]).logits[0, :-1].float()
        logp = F.log_softmax(logits, -1).gather(-1, ids[1:, None]).squeeze(-1)
        out.append(logp[start - 1:].sum())
    return torch.stack(out)


def _lengths(batch: list[tuple[torch.Tensor, int]]) -> torch.Tensor:
    return torch.tensor([max(1, len(ids) - start) for ids, start in batch], dtype=torch.float32)


def dpo_loss(pc: torch.Tensor, pr: torch.Tensor, rc: torch.Tensor, rr: torch.Tensor,
             beta: float) -> tuple[torch.Tensor, torch.Tensor]:
    """The DPO loss and the implicit reward margin (how much more the policy prefers chosen)."""
    margin = beta * ((pc - rc) - (pr - rr))
    return -F.logsigmoid(margin).mean(), margin.detach().mean()


def dpo(init: str | Path, pairs: list[dict], out_dir: str | Path, cfg: DPOConfig | None = None,
        stop=None) -> Iterator[dict]:
    """Fine-tune the model in ``init`` on ``pairs`` with DPO; save a new version to ``out_dir``."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    cfg = cfg or DPOConfig()
    if len(pairs) < 2:
        raise ValueError(f"DPO needs at least 2 preference pairs ({len(pairs)} so far): vote on more comparisons.")
    tokenizer = AutoTokenizer.from_pretrained(init)
    policy = AutoModelForCausalLM.from_pretrained(init)
    ref = copy.deepcopy(policy).eval().requires_grad_(False)
    context = int(getattr(policy.config, "n_positions", 256))
    data = [(encode(tokenizer, p["prompt"], p["chosen"], context), encode(tokenizer, p["prompt"], p["rejected"], context))
            for p in pairs]
    with torch.no_grad():
        ref_c = sequence_logp(ref, [c for c, _ in data])
        ref_r = sequence_logp(ref, [r for _, r in data])
    opt = torch.optim.AdamW(policy.parameters(), lr=cfg.lr, weight_decay=0.0)
    rng = random.Random(cfg.seed)

    def step() -> dict[str, float]:
        policy.train()
        idx = rng.sample(range(len(data)), min(cfg.batch_size, len(data)))
        chosen = [data[i][0] for i in idx]
        pc, pr = sequence_logp(policy, chosen), sequence_logp(policy, [data[i][1] for i in idx])
        loss, margin = dpo_loss(pc, pr, ref_c[idx], ref_r[idx], cfg.beta)
        sft = -(pc / _lengths(chosen)).mean()
        opt.zero_grad(set_to_none=True)
        (loss + cfg.sft_weight * sft).backward()
        torch.nn.utils.clip_grad_norm_(policy.parameters(), 1.0)
        opt.step()
        return {"dpo_loss": loss.item(), "reward_margin": margin.item(), "chosen_nll": sft.item()}

    loop = LoopConfig(max_steps=cfg.max_steps, max_minutes=cfg.max_minutes, warmup_steps=5, schedule="constant")
    for ev in train(step, [opt], loop, stop=stop):
        if ev.get("done"):
            policy.eval()
            out = Path(out_dir)
            policy.save_pretrained(out)
            tokenizer.save_pretrained(out)
            card = Card(model=out.name, model_type=policy.config.model_type, data=f"{len(pairs)} preference pairs",
                        command=f"DPO of {Path(str(init)).name} in the app (beta {cfg.beta})",
                        parameters=sum(p.numel() for p in policy.parameters()), train_seconds=round(ev["elapsed_s"], 1),
                        steps=ev["step"], metrics={k: round(v, 4) for k, v in ev["losses"].items()},
                        config=asdict(cfg), parent=str(init), learned_from={"method": "dpo", "pairs": len(pairs)})
            write_card(out, card)
            ev = {**ev, "out_dir": str(out), "card": asdict(card)}
        yield ev
