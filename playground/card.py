"""The one model card: ``card.json`` (one JSON shape for every model) and a ``README.md`` from it.

    write_card(out, Card(model="gan-digits", model_type="gan", command=..., data=..., parameters=n,
                         train_seconds=s, steps=k, metrics={...}, config={...}), body="prose")
    read_card("assets/models/gan-digits")["metrics"]["recognised"]
"""
from __future__ import annotations

import json
import platform
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

CARD = "card.json"
README = "README.md"


def machine() -> str:
    """Where a run happened, for the card."""
    import torch

    return f"{platform.machine()}, {torch.get_num_threads()} torch threads, torch {torch.__version__}"


@dataclass
class Card:
    """What made a checkpoint and how good it is: the same keys for every model."""

    model: str  # folder name
    model_type: str
    command: str  # the command line that reproduces the run
    data: str  # what it learned from (path, split)
    parameters: int = 0
    train_seconds: float = 0.0
    steps: int = 0
    metrics: dict[str, Any] = field(default_factory=dict)  # headline numbers, units in the key names
    config: dict[str, Any] = field(default_factory=dict)  # the training config
    history: list[dict[str, Any]] = field(default_factory=list)  # evaluations during training
    machine: str = field(default_factory=machine)
    parent: str | None = None  # the checkpoint it started from (fine-tunes, feedback versions)
    learned_from: dict[str, Any] = field(default_factory=dict)  # e.g. {"method": "dpo", "votes": 40}
    created: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))


def write_card(out: str | Path, card: Card | dict[str, Any], body: str = "") -> Path:
    """Write ``card.json`` and a README.md (headline facts, then ``body``, then the command)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    d = asdict(card) if isinstance(card, Card) else dict(card)
    (out / CARD).write_text(json.dumps(d, indent=1, default=float) + "\n")
    metrics = "\n".join(f"| {k} | {_fmt(v)} |" for k, v in d.get("metrics", {}).items() if not isinstance(v, (list, dict)))
    lines = [f"# {d['model']}", "",
             f"- Type: `{d['model_type']}`, {d.get('parameters', 0):,} parameters",
             f"- Data: {d.get('data') or 'n/a'}",
             f"- Training: {d.get('steps', 0):,} steps in {d.get('train_seconds', 0) / 60:.1f} min on {d.get('machine', '')}",
             f"- Started from: {d.get('parent') or 'scratch'}", ""]
    if body:
        lines += [body.strip(), ""]
    if metrics:
        lines += ["## Metrics", "", "| metric | value |", "|---|---|", metrics, ""]
    lines += ["## Reproduce", "", "```", d.get("command", ""), "```", ""]
    (out / README).write_text("\n".join(lines))
    return out / CARD


def read_card(path: str | Path) -> dict[str, Any]:
    """The card of the checkpoint folder ``path`` ({} when it has none or it is unreadable)."""
    try:
        d = json.loads((Path(path) / CARD).read_text())
    except (OSError, ValueError):
        return {}
    return d if isinstance(d, dict) else {}


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)
