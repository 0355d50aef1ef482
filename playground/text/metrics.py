"""How well a text model predicts held-out text, in nats per character, by two protocols.

- ``nll_per_char`` (sliding): every character of the split scored once, with at least
  ``block_size // 2`` characters of context (overlapping windows, half a window apart).
- ``nll_per_char_windows`` (nanoGPT's): the mean loss over non-overlapping ``block_size``
  windows, so early positions of each window see little context; it reads higher. nanoGPT's
  published tiny-Shakespeare losses average random windows the same way.

With a character tokenizer, tokens are characters, so nats per token = nats per character.
"""
from __future__ import annotations

import torch

SLIDING = "val_nats_per_char_sliding"  # card metric names (the context rule is in ``CONTEXT``)
WINDOWS = "val_nats_per_char_nanogpt_windows"
CONTEXT = "sliding_min_context_chars"


def split_ids(ids: torch.Tensor, val_fraction: float = 0.1) -> tuple[torch.Tensor, torch.Tensor]:
    """The first ``1 - val_fraction`` of the stream trains, the rest validates."""
    n = int(len(ids) * (1 - val_fraction))
    return ids[:n], ids[n:]


def encode_text(tokenizer, text: str) -> torch.Tensor:
    """Token ids of ``text`` as a 1-D long tensor (characters outside the vocabulary are dropped)."""
    return torch.tensor(tokenizer(text, add_special_tokens=False)["input_ids"], dtype=torch.long)


def _token_nll(model, ids: torch.Tensor, starts: list[int], block_size: int) -> torch.Tensor:
    """(B, T) negative log-likelihood of ``ids[s+1 : s+1+T]`` given ``ids[s : s+T]``, per start s."""
    device = next(model.parameters(), torch.empty(0)).device
    x = torch.stack([ids[s:s + block_size] for s in starts]).to(device)
    y = torch.stack([ids[s + 1:s + 1 + block_size] for s in starts]).to(device)
    logp = torch.log_softmax(model(input_ids=x).logits.float(), dim=-1)
    return -logp.gather(-1, y.unsqueeze(-1)).squeeze(-1)


@torch.inference_mode()
def nll_per_char(model, ids: torch.Tensor, block_size: int, batch_size: int = 32,
                 max_windows: int = 0) -> float:
    """Mean negative log-likelihood (nats) of ``ids[1:]``, sliding windows with half overlap.

    Every position is scored once, with at least ``block_size // 2`` tokens of context
    (except the first window). ``max_windows`` > 0 scores only an evenly spaced subset.
    """
    model.eval()
    n = len(ids)
    block_size = min(block_size, n - 1)
    starts = list(range(0, max(1, n - block_size), max(1, block_size // 2)))
    if starts[-1] + block_size < n - 1:
        starts.append(n - 1 - block_size)
    if max_windows and len(starts) > max_windows:
        every = len(starts) / max_windows
        starts = [starts[int(i * every)] for i in range(max_windows)]
    total, count, scored_to = 0.0, 0, 0
    for i in range(0, len(starts), batch_size):
        chunk = starts[i:i + batch_size]
        nll = _token_nll(model, ids, chunk, block_size)  # (B, T)
        for row, s in enumerate(chunk):
            first = 0 if max_windows else max(0, scored_to - s)  # targets not scored yet
            total += nll[row, first:].sum().item()
            count += block_size - first
            scored_to = s + block_size
    return total / max(1, count)


@torch.inference_mode()
def nll_per_char_windows(model, ids: torch.Tensor, block_size: int, batch_size: int = 32) -> float:
    """nanoGPT's protocol: mean loss over the non-overlapping ``block_size`` windows of ``ids``."""
    model.eval()
    block_size = min(block_size, len(ids) - 1)
    starts = list(range(0, len(ids) - block_size, block_size))  # each needs block_size + 1 ids
    total = 0.0
    for i in range(0, len(starts), batch_size):
        total += _token_nll(model, ids, starts[i:i + batch_size], block_size).sum().item()
    return total / max(1, len(starts) * block_size)


def val_metrics(model, val_ids: torch.Tensor, block_size: int) -> dict[str, float]:
    """Both protocols on the whole split, for the model card."""
    if len(val_ids) <= 8:
        return {SLIDING: float("nan"), WINDOWS: float("nan"), CONTEXT: block_size // 2}
    return {SLIDING: round(nll_per_char(model, val_ids, block_size), 4),
            WINDOWS: round(nll_per_char_windows(model, val_ids, block_size), 4),
            CONTEXT: min(block_size, len(val_ids) - 1) // 2}
