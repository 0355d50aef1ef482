"""Blind A/B votes between two versions of one modality, kept in the feedback store.

    pair = show_pair(store, gen_a, gen_b, session)      # stored when shown; names stay hidden
    result = vote(store, pair, "a", session)            # -> {"winner": ..., "model_a": ..., ...}
    board = leaderboard(store, "text")                  # Bradley-Terry with bootstrap intervals

A vote must name a pair that was shown to that same session, once; a session may cast at most
``RATE_LIMIT`` votes a minute. ``pick_pair`` pairs the least-compared version first, so a new
version joins the comparisons at once.
"""
from __future__ import annotations

import json
import random
import time
import uuid
from typing import Sequence

import sqlalchemy as sa

from playground import arena
from playground.feedback import FeedbackStore, hash_session, pairs, to_json, votes
from playground.generation import Generation

RATE_LIMIT = 30  # votes per session per minute
MAX_PAYLOAD = 200_000  # characters of JSON per stored output
MODALITIES = ("text", "image", "music")


def show_pair(store: FeedbackStore, a: Generation, b: Generation, session: str | None) -> str:
    """Store the pair about to be shown (left = ``a``) and return its id."""
    if a.modality != b.modality:
        raise ValueError("A comparison shows two outputs of the same modality.")
    if a.modality not in MODALITIES:
        raise ValueError(f"Unknown modality '{str(a.modality)[:20]}': use one of {', '.join(MODALITIES)}.")
    if not all(isinstance(m, str) and m.strip() and len(m) <= 200 for m in (a.model, b.model)):
        raise ValueError("A comparison needs the name of each model version (at most 200 characters).")
    if (a.model, a.model_hash) == (b.model, b.model_hash):
        raise ValueError("A comparison needs two different model versions.")
    out_a, out_b = to_json(a.output), to_json(b.output)
    if max(len(out_a), len(out_b)) > MAX_PAYLOAD:
        raise ValueError("These outputs are too large to store for a comparison.")
    pid = uuid.uuid4().hex
    row = {"id": pid, "session": hash_session(session), "modality": a.modality, "model_a": a.model,
           "hash_a": a.model_hash, "model_b": b.model, "hash_b": b.model_hash, "params": to_json(a.params),
           "output_a": out_a, "output_b": out_b, "created": time.time()}
    with store.transaction(write=True) as conn:
        conn.execute(pairs.insert(), row)
    return pid


def vote(store: FeedbackStore, pair_id: str, outcome: str, session: str | None) -> dict:
    """Store ``outcome`` ("a", "b", "tie", "both_bad") for a shown pair; returns the revealed pair."""
    if outcome not in arena.OUTCOMES:
        raise ValueError(f"Vote A, B, tie or both bad (got {str(outcome)[:20]!r}).")
    who, now = hash_session(session), time.time()
    with store.transaction(write=True) as conn:
        pair = conn.execute(sa.select(pairs).where(pairs.c.id == str(pair_id)[:32])).mappings().first()
        if pair is None or pair["session"] != who:
            raise ValueError("This comparison was never shown to you: press Compare to get a new pair.")
        if conn.execute(sa.select(votes.c.id).where(votes.c.pair_id == pair["id"], votes.c.session == who)).first():
            raise ValueError("You already voted on this pair: press Compare for a new one.")
        recent = conn.execute(sa.select(sa.func.count()).select_from(votes)
                              .where(votes.c.session == who, votes.c.created > now - 60)).scalar_one()
        if recent >= RATE_LIMIT:
            raise ValueError(f"At most {RATE_LIMIT} votes a minute: take a breath and look again.")
        conn.execute(votes.insert(), {"pair_id": pair["id"], "session": who, "outcome": outcome, "created": now})
    winner = {"a": pair["model_a"], "b": pair["model_b"]}.get(outcome, outcome)
    return {"pair": pair["id"], "outcome": outcome, "winner": winner, "model_a": pair["model_a"],
            "model_b": pair["model_b"], "hash_a": pair["hash_a"], "hash_b": pair["hash_b"]}


def battles(store: FeedbackStore, modality: str | None = None) -> list[dict]:
    """Every vote with its pair, oldest first (Arena's battle shape plus the conditions)."""
    q = (sa.select(votes.c.outcome, votes.c.created, votes.c.session, pairs)
         .join(pairs, pairs.c.id == votes.c.pair_id).order_by(votes.c.id))
    if modality:
        q = q.where(pairs.c.modality == modality)
    with store.transaction() as conn:
        rows = conn.execute(q).mappings().all()
    return [{"modality": r["modality"], "model_a": r["model_a"], "model_b": r["model_b"],
             "hash_a": r["hash_a"], "hash_b": r["hash_b"], "winner": _winner(r["outcome"]),
             "tstamp": r["created"], "judge": r["session"], "params": json.loads(r["params"]),
             "output_a": json.loads(r["output_a"]), "output_b": json.loads(r["output_b"])} for r in rows]


def _winner(outcome: str) -> str:
    """Arena's labels: model_a, model_b, tie, tie (bothbad)."""
    return {"a": "model_a", "b": "model_b", "tie": "tie", "both_bad": "tie (bothbad)"}[outcome]


def leaderboard(store: FeedbackStore, modality: str, resamples: int = 200, seed: int = 0) -> list[dict]:
    """Bradley-Terry ranking of the versions of ``modality`` from every stored vote."""
    back = {"model_a": "a", "model_b": "b", "tie": "tie", "tie (bothbad)": "both_bad"}
    return arena.leaderboard([(b["model_a"], b["model_b"], back[b["winner"]]) for b in battles(store, modality)],
                             resamples=resamples, seed=seed)


def pick_pair(versions: Sequence[str], vote_counts: dict[str, int], rng: random.Random) -> tuple[str, str]:
    """Two distinct versions, the least-compared first (ties broken at random), sides shuffled."""
    if len(set(versions)) < 2:
        raise ValueError("A comparison needs two versions of this model: make one with Learn from feedback.")
    order = sorted(set(versions), key=lambda v: (vote_counts.get(v, 0), rng.random()))
    first = order[0]
    second = rng.choice([v for v in order if v != first])
    return (first, second) if rng.random() < 0.5 else (second, first)
