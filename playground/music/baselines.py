"""Trivial per-voice baselines on the same grid and units as the model (nats per note).

Unigram: p(x^v). Bigram: p(x_t^v | x_{t-1}^v). Both count the training split with add-alpha
smoothing over the model's vocabulary and score every voice-step of the test split.
"""
from __future__ import annotations

import numpy as np

from playground.music.notes import to_tokens


def _counts(chorales: list[np.ndarray], pitch_min: int, vocab: int, nv: int) -> tuple[np.ndarray, np.ndarray]:
    uni = np.zeros((nv, vocab))
    bi = np.zeros((nv, vocab, vocab))
    for c in chorales:
        tok = to_tokens(c, pitch_min)
        for v in range(nv):
            np.add.at(uni[v], tok[:, v], 1)
            np.add.at(bi[v], (tok[:-1, v], tok[1:, v]), 1)
    return uni, bi


def baseline_nll(train: list[np.ndarray], test: list[np.ndarray], pitch_min: int, vocab: int,
                 alpha: float = 0.1) -> dict[str, float]:
    """Per-note test NLL (nats) of the unigram and bigram baselines."""
    nv = train[0].shape[1]
    uni, bi = _counts(train, pitch_min, vocab, nv)
    p_uni = (uni + alpha) / (uni + alpha).sum(-1, keepdims=True)
    p_bi = (bi + alpha) / (bi + alpha).sum(-1, keepdims=True)
    tot_u = tot_b = n = 0.0
    for c in test:
        tok = to_tokens(c, pitch_min)
        for v in range(nv):
            lu = -np.log(p_uni[v][tok[:, v]])
            tot_u += lu.sum()
            tot_b += lu[0] - np.log(p_bi[v][tok[:-1, v], tok[1:, v]]).sum()
        n += tok.size
    return {"unigram": float(tot_u / n), "bigram": float(tot_b / n)}


def _binary_roll(chorale: np.ndarray, low: int = 21, keys: int = 88) -> np.ndarray:
    """(T, 4) pitches (-1 = none) -> (T, 88) 0/1 piano roll (A0 = MIDI 21 .. C8 = 108)."""
    roll = np.zeros((len(chorale), keys), dtype=np.int64)
    t, v = np.nonzero(chorale >= 0)
    roll[t, chorale[t, v] - low] = 1
    return roll


def roll_baseline_nll(train: list[np.ndarray], test: list[np.ndarray], alpha: float = 0.5) -> dict[str, float]:
    """Frame-level test NLL (nats per frame, 88 binary keys) of two trivial piano-roll models.

    ``bernoulli``: each key on independently with its training frequency.
    ``markov``: each key on with a probability that depends on whether it was on in the
    frame before (a two-state Markov chain per key). Add-``alpha`` smoothing.
    """
    tr = [_binary_roll(c) for c in train]
    on = sum(r.sum(0) for r in tr)
    n = sum(len(r) for r in tr)
    p_on = (on + alpha) / (n + 2 * alpha)  # (88,)
    trans = np.zeros((2, 2, 88))  # [prev, cur, key]
    for r in tr:
        prev = np.vstack([np.zeros((1, 88), dtype=np.int64), r[:-1]])
        for a in (0, 1):
            for b in (0, 1):
                trans[a, b] += ((prev == a) & (r == b)).sum(0)
    p_trans = (trans[:, 1] + alpha) / (trans.sum(1) + 2 * alpha)  # p(on | prev) (2, 88)
    tot_b = tot_m = frames = 0.0
    for c in test:
        r = _binary_roll(c)
        prev = np.vstack([np.zeros((1, 88), dtype=np.int64), r[:-1]])
        tot_b -= (r * np.log(p_on) + (1 - r) * np.log1p(-p_on)).sum()
        q = p_trans[prev, np.arange(88)]
        tot_m -= (r * np.log(q) + (1 - r) * np.log1p(-q)).sum()
        frames += len(r)
    return {"bernoulli": float(tot_b / frames), "markov": float(tot_m / frames)}
