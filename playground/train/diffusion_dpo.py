"""Diffusion-DPO (Wallace et al. 2023): preference fine-tuning of the diffusion model on voted pairs.

    pairs = [ImagePair(digit=7, chosen=x_w, rejected=x_l), ...]     # (1, 28, 28) images in [-1, 1]
    for ev in diffusion_dpo("assets/models/diffusion-mnist", pairs, "data/models/v2"): ...

DPO's idea carried to a model without a likelihood: noise the chosen and the rejected image to
the same level with the same noise, and ask how much better the policy denoises each than the
frozen parent (``ref``) does. The loss per pair is

    -log sigmoid(-beta/2 * [(err_pol(w) - err_ref(w)) - (err_pol(l) - err_ref(l))])

with ``err`` the mean squared error of the model's v-prediction over the pixels: the policy
gains by denoising the chosen image better *relative to its parent* than the rejected one. beta
keeps it near the parent (the KL term of DPO). A share of the digits is hidden ("no digit") as in
training, so the unconditional model that guidance needs follows along.
"""
from __future__ import annotations

import copy
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator

import torch
import torch.nn.functional as F

from playground.card import Card, read_card, write_card
from playground.checkpoint import save_pretrained
from playground.images import diffusion as D
from playground.train.loop import LoopConfig, optimise, train


@dataclass
class DiffusionDPOConfig:
    """How hard and how long the preference step pulls (saved into the new version's card)."""

    beta: float = 2000.0  # per-pixel errors differ by ~1e-3: beta x that is order 1
    lr: float = 1e-5  # measured: 1e-4 made the digits 70 % thicker and lost the asked digit (98.5 -> 43 %)
    max_steps: int = 150
    max_minutes: float = 3.0
    batch_size: int = 16  # pairs per step
    label_dropout: float = 0.1
    seed: int = 0


@dataclass
class ImagePair:
    """One preference: under the same condition (``digit``, None = any), ``chosen`` beat ``rejected``."""

    digit: int | None
    chosen: torch.Tensor  # (1, 28, 28) in [-1, 1]
    rejected: torch.Tensor


def _errors(model: D.UNet, x0: torch.Tensor, y: torch.Tensor, t: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
    """Per-image mean squared error of the model's prediction at noise level ``t`` (the training loss's unit)."""
    cfg = model.config
    a, s = (v.view(-1, 1, 1, 1) for v in D.alpha_sigma(t, cfg.schedule))
    target = a * noise - s * x0 if cfg.prediction == "v" else noise
    return (model(a * x0 + s * noise, t, y) - target).pow(2).mean((1, 2, 3))


def dpo_loss(policy: D.UNet, ref: D.UNet, chosen: torch.Tensor, rejected: torch.Tensor, y: torch.Tensor,
             beta: float, generator: torch.Generator) -> tuple[torch.Tensor, dict[str, float]]:
    """The Diffusion-DPO loss of a batch of pairs, and how it is going (implicit accuracy: the share
    of pairs whose chosen image the policy now favours over its parent more than the rejected one)."""
    b = len(chosen)
    t = torch.rand(b, generator=generator).clamp(0.02, 0.98).repeat(2)  # same level and noise within a pair
    noise = torch.randn(chosen.shape, generator=generator).repeat(2, 1, 1, 1)
    x0, yy = torch.cat([chosen, rejected]), y.repeat(2)
    pol = _errors(policy, x0, yy, t, noise)
    with torch.no_grad():
        ref_err = _errors(ref, x0, yy, t, noise)
    gain = (pol - ref_err)  # < 0: the policy denoises this image better than its parent
    inside = -0.5 * beta * (gain[:b] - gain[b:])
    loss = -F.logsigmoid(inside).mean()
    return loss, {"dpo_loss": loss.item(), "implicit_acc": (inside > 0).float().mean().item(),
                  "chosen_gain": gain[:b].mean().item(), "rejected_gain": gain[b:].mean().item()}


def diffusion_dpo(init: str | Path, pairs: list[ImagePair], out_dir: str | Path, cfg: DiffusionDPOConfig | None = None,
                  stop=None, learned_from: dict | None = None) -> Iterator[dict]:
    """Fine-tune the diffusion model in ``init`` on ``pairs``; save a new version (float16, with its
    card: parent, what it learned from) to ``out_dir``. Yields the training loop's events."""
    cfg = cfg or DiffusionDPOConfig()
    if len(pairs) < 2:
        raise ValueError(f"Diffusion-DPO needs at least 2 preference pairs ({len(pairs)} so far): vote on more "
                         "comparisons.")
    torch.manual_seed(cfg.seed)
    policy = D.load.__wrapped__(str(init)).train()
    ref = copy.deepcopy(policy).eval().requires_grad_(False)
    null = policy.config.n_classes
    chosen = torch.stack([p.chosen for p in pairs]).float()
    rejected = torch.stack([p.rejected for p in pairs]).float()
    digits = torch.tensor([null if p.digit is None else int(p.digit) for p in pairs])
    opt = torch.optim.AdamW(policy.parameters(), lr=cfg.lr, weight_decay=0.0)
    gen = torch.Generator().manual_seed(cfg.seed)

    def step() -> dict[str, float]:
        idx = torch.randperm(len(pairs), generator=gen)[:cfg.batch_size]
        y = digits[idx].clone()
        y[torch.rand(len(idx), generator=gen) < cfg.label_dropout] = null
        loss, stats = dpo_loss(policy, ref, chosen[idx], rejected[idx], y, cfg.beta, gen)
        optimise(loss, [opt], policy)
        return stats

    loop = LoopConfig(max_steps=cfg.max_steps, max_minutes=cfg.max_minutes, warmup_steps=10, schedule="constant",
                      log_interval=5)
    for ev in train(step, [opt], loop, stop=stop):
        if ev.get("done"):
            policy.eval()
            out = Path(out_dir)
            save_pretrained(policy, out, D.MODEL_TYPE, dtype=torch.float16)
            parent = read_card(init)
            card = Card(model=out.name, model_type=D.MODEL_TYPE, data=f"{len(pairs)} preference pairs of 28x28 digits",
                        command=f"Diffusion-DPO of {Path(str(init)).name} in the app (beta {cfg.beta:g})",
                        parameters=sum(p.numel() for p in policy.parameters()), train_seconds=round(ev["elapsed_s"], 1),
                        steps=ev["step"], metrics={k: round(v, 5) for k, v in ev["losses"].items()},
                        config={**asdict(cfg), "loop": asdict(loop)}, parent=str(init),
                        learned_from={"method": "diffusion-dpo", "pairs": len(pairs), **(learned_from or {})})
            if parent.get("steps_table"):  # the same network size: the tab's cost note still holds
                card = {**asdict(card), "steps_table": parent["steps_table"]}
            write_card(out, card)
            ev = {**ev, "out_dir": str(out), "pairs": len(pairs)}
        yield ev
