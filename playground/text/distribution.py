"""The distribution a token is drawn from: temperature, top-k and top-p (nucleus) filtering of
the model's logits. Shared by the solo walk and the batching scheduler (pure torch, so importing
it does not load transformers)."""
from __future__ import annotations

import torch


def distribution(logits: torch.Tensor, temperature: float, top_k: int, top_p: float) -> torch.Tensor:
    """Probabilities after temperature, top-k and top-p (nucleus) filtering of ``logits``: one
    distribution (1-D) or one per row (2-D; each row's numbers are the same as alone)."""
    logits = logits.float() / temperature
    if 0 < top_k < logits.shape[-1]:
        kth = torch.topk(logits, top_k, dim=-1).values[..., -1:]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    probs = torch.softmax(logits, dim=-1)
    if top_p < 1.0:
        sorted_p, order = torch.sort(probs, dim=-1, descending=True)
        keep = torch.cumsum(sorted_p, -1) - sorted_p < top_p  # smallest set reaching top_p
        mask = torch.zeros_like(probs, dtype=torch.bool).scatter_(-1, order, keep)
        probs = torch.where(mask, probs, torch.zeros_like(probs))
        probs = probs / probs.sum(-1, keepdim=True)
    return probs
