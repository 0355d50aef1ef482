"""Exports that training and labelling tools read, from the ratings and votes in the store.

    export_kto(store, "kto.jsonl")      # TRL's unpaired preferences: {prompt, completion, label}
    export_dpo(store, "dpo.jsonl")      # TRL's pairs: {prompt, chosen, rejected}
    export_battles(store, "arena.jsonl")  # Chatbot Arena's battles: {model_a, model_b, winner, tstamp, ...}

Every line is one flat JSON object with the same keys and types, so
``datasets.load_dataset("json", data_files=path)`` reads each file. For text the prompt and
completion are the text itself; for images and music the prompt is the generation parameters
as JSON and the completion the stored output (latent vector, note list) as JSON. Every row
carries ``modality``, ``model``, ``model_hash`` and ``seed``: its provenance.
"""
from __future__ import annotations

import bisect
import json
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable, Iterator

from playground import votes
from playground.feedback import FeedbackStore

LIKED, DISLIKED = 4, 2  # KTO: >= 4 is desirable, <= 2 undesirable, 3 is dropped
MIN_GAP = 2  # DPO from ratings: same conditions, ratings at least this far apart
PAIRS_PER_OUTPUT = 4  # each better-rated output is paired with up to this many worse ones


def _prompt(modality: str, params: dict) -> str:
    if modality == "text":
        return str(params.get("prompt") or "")
    return json.dumps({k: v for k, v in params.items() if k != "rerank"}, sort_keys=True, default=str)


def _completion(modality: str, output: Any) -> str:
    return output if modality == "text" and isinstance(output, str) else json.dumps(output, default=str)


def _write(path: str | Path, rows: Iterator[dict]) -> Path:
    path = Path(path)
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path


def kto_rows(store: FeedbackStore) -> Iterator[dict]:
    for r in store.iter_rows():
        if DISLIKED < r["rating"] < LIKED:
            continue
        yield {"prompt": _prompt(r["modality"], r["params"]), "completion": _completion(r["modality"], r["output"]),
               "label": r["rating"] >= LIKED, "modality": r["modality"], "model": r["model"],
               "model_hash": r["model_hash"], "seed": int(r["params"].get("seed") or 0), "rating": r["rating"]}


def pairs_from_battles(battles: list[dict]) -> Iterator[dict]:
    """DPO pairs from A/B votes that have a winner (``votes.battles`` rows)."""
    for b in battles:
        if b["winner"] not in ("model_a", "model_b"):
            continue
        win, lose = ("a", "b") if b["winner"] == "model_a" else ("b", "a")
        yield _pair(b["modality"], b["params"], b[f"output_{win}"], b[f"output_{lose}"], b[f"model_{win}"],
                    b[f"hash_{win}"], b[f"model_{lose}"], "vote")


def pairs_from_ratings(rows: Iterable[dict]) -> Iterator[dict]:
    """DPO pairs from ratings of the same conditions (all params but the seed) >= ``MIN_GAP`` apart."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in rows:
        groups[(r["modality"], _prompt(r["modality"], {k: v for k, v in r["params"].items() if k != "seed"}))].append(r)
    for rows_ in groups.values():  # each output with up to PAIRS_PER_OUTPUT clearly worse ones: linear
        rows_.sort(key=lambda r: -r["rating"])
        neg = [-r["rating"] for r in rows_]  # ascending, for bisect
        said = [_completion(r["modality"], r["output"]) for r in rows_]  # each output encoded once, not per pair
        for i, hi in enumerate(rows_):
            first = bisect.bisect_left(neg, -(hi["rating"] - MIN_GAP))  # the first row rated <= hi - MIN_GAP
            worse = len(rows_) - first
            prompt = _prompt(hi["modality"], hi["params"]) if worse else ""
            for k in range(min(PAIRS_PER_OUTPUT, worse)):
                j = first + (i * PAIRS_PER_OUTPUT + k) % worse  # spread over the worse ones
                if rows_[j]["output"] != hi["output"]:
                    yield {**_pair(hi["modality"], hi["params"], "", "", hi["model"], hi["model_hash"],
                                   rows_[j]["model"], "ratings", prompt), "chosen": said[i], "rejected": said[j]}


def dpo_rows(store: FeedbackStore) -> Iterator[dict]:
    """Pairs from A/B votes (a clear winner) and from same-conditions rating gaps >= ``MIN_GAP``."""
    yield from pairs_from_battles(votes.battles(store))
    yield from pairs_from_ratings(store.iter_rows())


def _pair(modality: str, params: dict, chosen: Any, rejected: Any, model: str, model_hash: str,
          other: str, source: str, prompt: str | None = None) -> dict:
    return {"prompt": _prompt(modality, params) if prompt is None else prompt, "chosen": _completion(modality, chosen),
            "rejected": _completion(modality, rejected), "modality": modality, "model": model,
            "model_hash": model_hash, "rejected_model": other, "seed": int(params.get("seed") or 0),
            "source": source}


def battle_rows(store: FeedbackStore) -> Iterator[dict]:
    for b in votes.battles(store):
        yield {"model_a": b["model_a"], "model_b": b["model_b"], "winner": b["winner"], "tstamp": b["tstamp"],
               "judge": b["judge"], "modality": b["modality"], "hash_a": b["hash_a"], "hash_b": b["hash_b"],
               "conditions": json.dumps(b["params"], sort_keys=True, default=str)}


def export_kto(store: FeedbackStore, path: str | Path) -> Path:
    return _write(path, kto_rows(store))


def export_dpo(store: FeedbackStore, path: str | Path) -> Path:
    return _write(path, dpo_rows(store))


def export_battles(store: FeedbackStore, path: str | Path) -> Path:
    return _write(path, battle_rows(store))
