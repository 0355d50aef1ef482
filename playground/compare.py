"""Blind A/B comparisons for every modality: two versions, the same conditions, a vote.

    pair = make_pair("text", {"prompt": "ROMEO:"}, session="s1", seed=4)
    pair.a.output, pair.b.output          # shown as A and B; the names stay hidden until the vote
    votes.vote(store, pair.id, "a", "s1")

Conditions: text shares the prompt and settings, images the digit (only conditional versions
are paired when a digit is asked; two conditional versions draw the seed's digit when none is),
music the melody to harmonise. ``pick_pair`` compares the
least-compared version first, so a new version joins at once.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from playground import feedback, registry, votes
from playground.generation import Generation

CONDITIONS = {  # the shared inputs of a comparison, per modality, with their defaults
    "text": {"prompt": "ROMEO:\n", "length": 120, "temperature": 0.8},
    "image": {"n": 1, "label": None},
    "music": {"mode": "harmonise", "source": "notes", "notes": "C5 C5 G5 G5 A5 A5 G5:2 F5 F5 E5 E5 D5 D5 C5:2",
              "bars": 4},
}


@dataclass
class Pair:
    id: str
    a: Generation
    b: Generation


def versions(modality: str, condition: dict[str, Any] | None = None) -> list[str]:
    """The versions of ``modality`` that can answer ``condition`` (all that generate, by default)."""
    infos = [m for m in registry.get(modality).models() if m.facts.get("generates", True)]
    if modality == "image" and (condition or {}).get("label") not in (None, "", "any"):
        infos = [m for m in infos if m.facts.get("conditional")]
    return [m.name for m in infos]


def vote_counts(store: feedback.FeedbackStore, modality: str) -> dict[str, int]:
    """How many votes each version of ``modality`` has been in."""
    counts: dict[str, int] = {}
    for b in votes.battles(store, modality):
        for m in (b["model_a"], b["model_b"]):
            counts[m] = counts.get(m, 0) + 1
    return counts


def make_pair(modality: str, condition: dict[str, Any] | None, session: str | None, seed: int,
              store: feedback.FeedbackStore | None = None) -> Pair:
    """Generate the same ``condition`` (same seed) with two versions and store the pair as shown."""
    mod = registry.get(modality)
    store = store or feedback.default_store()
    cond = {**CONDITIONS[modality], **{k: v for k, v in (condition or {}).items() if v not in (None, "")}}
    params = mod.Params.from_dict({**cond, "seed": seed})
    names = versions(modality, cond)
    if len(names) < 2 and modality == "image" and cond.get("label") not in (None, "", "any"):
        raise ValueError("Only one image model can be asked for a digit: leave the digit empty to compare them all.")
    a, b = votes.pick_pair(names, vote_counts(store, modality), random.Random(seed))
    if modality == "image" and params.label is None and all(mod.conditional(mod.load(n)) for n in (a, b)):
        params = params.replace(label=seed % 10)  # "any digit": both still draw the same one
    ga, gb = mod.generate(mod.load(a), params), mod.generate(mod.load(b), params)
    return Pair(votes.show_pair(store, ga, gb, session), ga, gb)
