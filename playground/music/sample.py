"""Sampling from a ``ChoraleLSTM``: continue a four-voice score, or harmonise a melody.

    tokens = continue_tokens(model, prefix, n_steps=128, temperature=1.0, generator=g)
    tokens = harmonise_tokens(model, soprano, temperature=1.0, generator=g)

Both work on token ids (see ``notes.to_tokens``) and return a (T, 4) long tensor; every
call takes its own ``torch.Generator`` so results depend on the seed only.
"""
from __future__ import annotations

import torch

from playground.music.model import ChoraleLSTM


def _range_mask(model: ChoraleLSTM) -> torch.Tensor:
    """(4, V) additive mask: 0 where a voice may go (its range or a rest), -inf elsewhere."""
    cfg = model.cfg
    mask = torch.full((cfg.n_voices, cfg.vocab), float("-inf"))
    mask[:, 0] = 0.0
    for v, (lo, hi) in enumerate(cfg.voice_ranges):
        mask[v, max(1, lo - cfg.pitch_min + 1): max(1, hi - cfg.pitch_min + 2)] = 0.0
    return mask


@torch.inference_mode()
def sample_tokens(model: ChoraleLSTM, known: torch.Tensor, fixed: torch.Tensor, start_pos: int,
                  temperature: float, generator: torch.Generator, soprano: torch.Tensor | None = None) -> torch.Tensor:
    """Fill the steps of ``known`` (T, 4) where ``fixed`` (T, 4) is false, left to right.

    A leading run of fully fixed steps is read in one pass (the seed). ``soprano`` (T,)
    tokens switch on the melody condition (harmonisation).
    """
    model.eval()
    cfg = model.cfg
    T, nv = known.shape
    out = known.clone().long()
    pos = ((torch.arange(T) + start_pos) % cfg.steps_per_bar).unsqueeze(0)  # (1, T)
    cond = model.condition(None if soprano is None else soprano.view(1, T).long(), None, 1, T)
    mask = _range_mask(model)
    full = fixed.all(dim=1)
    n_seed = int(full.long().cumprod(0).sum())
    start = torch.full((1, 1, nv), model.start_id, dtype=torch.long)
    state = None
    if n_seed:
        prev = torch.cat([start, out[None, : n_seed - 1]], dim=1)
        _, state = model.rnn(model.step_inputs(prev, pos[:, :n_seed], cond[:, :n_seed]), state)
    prev = out[None, n_seed - 1: n_seed] if n_seed else start
    for t in range(n_seed, T):
        h, state = model.rnn(model.step_inputs(prev, pos[:, t:t + 1], cond[:, t:t + 1]), state)
        cur = out[t:t + 1].view(1, 1, nv).clone()
        prev_emb = model.embed(prev)
        for v in range(nv):
            if fixed[t, v]:
                continue
            logits = model.head(v, h, model.embed(cur), cur[..., v - 1] if v else None, prev_emb)[0, 0]
            logits = logits / temperature + mask[v]
            cur[0, 0, v] = torch.multinomial(torch.softmax(logits.float(), -1), 1, generator=generator)[0]
        out[t] = cur[0, 0]
        prev = cur
    return out


def continue_tokens(model: ChoraleLSTM, prefix: torch.Tensor, n_steps: int, temperature: float,
                    generator: torch.Generator, start_pos: int = 0) -> torch.Tensor:
    """The four-voice ``prefix`` (T0, 4) followed by ``n_steps`` sampled steps."""
    T0, nv = prefix.shape
    known = torch.cat([prefix.long(), torch.zeros(n_steps, nv, dtype=torch.long)])
    fixed = torch.zeros(T0 + n_steps, nv, dtype=torch.bool)
    fixed[:T0] = True
    return sample_tokens(model, known, fixed, start_pos, temperature, generator)


def harmonise_tokens(model: ChoraleLSTM, soprano: torch.Tensor, temperature: float,
                     generator: torch.Generator, start_pos: int = 0) -> torch.Tensor:
    """Alto, tenor and bass sampled under the fixed soprano tokens (T,)."""
    T = soprano.shape[0]
    known = torch.zeros(T, model.cfg.n_voices, dtype=torch.long)
    known[:, 0] = soprano.long()
    fixed = torch.zeros_like(known, dtype=torch.bool)
    fixed[:, 0] = True
    return sample_tokens(model, known, fixed, start_pos, temperature, generator, soprano=soprano)
