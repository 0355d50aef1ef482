"""Model lineage: every version of a modality's models, its parent and what it learned from.

    for v in versions("text"): print(v.name, v.parent, v.learned_from)
    print(tree(versions("text")))       # an indented outline, bundled bases at the roots

A version is a checkpoint folder the modality lists (``models()``); the facts come from its card
(``card.json``: ``parent``, ``learned_from``, ``created``) and its weights' hash.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playground import card as cards
from playground import config, registry
from playground.generation import checkpoint_hash


@dataclass(frozen=True)
class Version:
    name: str
    hash: str
    parent: str | None
    learned_from: dict[str, Any] = field(default_factory=dict)
    created: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)


def base_name(model: str) -> str:
    """The model a feedback version descends from (``x-feedback-20260101-000000`` -> ``x``)."""
    return model.split("-feedback-")[0]


def lineage_rows(rows: list[dict], model: str) -> list[dict]:
    """The rated rows of ``model``'s lineage: its base model and every version learned from feedback."""
    base = base_name(model)
    return [r for r in rows if base_name(str(r.get("model"))) == base]


def new_version_dir(model: str) -> Path:
    """Where the next version of ``model`` learned from feedback is saved (under the data dir)."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    return config.data_dir() / "models" / f"{base_name(model)}-feedback-{stamp}"


def versions(modality: str) -> list[Version]:
    """Every model version of ``modality`` with its lineage facts (oldest first)."""
    out = []
    for info in registry.get(modality).models():
        c = cards.read_card(info.path)
        path = Path(info.path)
        out.append(Version(name=info.name, hash=checkpoint_hash(path) if path.is_dir() else "hub",
                           parent=c.get("parent") and Path(str(c["parent"])).name,
                           learned_from=c.get("learned_from") or {}, created=c.get("created", ""),
                           metrics=c.get("metrics") or {}))
    return sorted(out, key=lambda v: v.created)


def tree(vs: list[Version]) -> str:
    """An indented Markdown outline: each version under its parent; unknown parents are roots."""
    names = {v.name for v in vs}
    children: dict[str | None, list[Version]] = {}
    for v in vs:
        children.setdefault(v.parent if v.parent in names else None, []).append(v)
    lines: list[str] = []

    def walk(parent: str | None, depth: int) -> None:
        for v in children.get(parent, []):
            how = ", ".join(f"{k} {val}" for k, val in v.learned_from.items())
            lines.append(f"{'  ' * depth}- **{v.name}** `{v.hash}`" + (f" ({how})" if how else "")
                         + (f", {v.created[:16].replace('T', ' ')}" if v.created else ""))
            walk(v.name, depth + 1)

    walk(None, 0)
    return "\n".join(lines)
