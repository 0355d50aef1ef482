"""The one contract every modality (text, images, music) implements, and its shared validation.

A modality is a package (``playground.text``, ``playground.images``, ``playground.music``)
whose top level provides:

    Params                      a dataclass; constructing it validates and converts every
                                field (ValueError with a plain sentence); ``Params.from_dict``
    models() -> list[ModelInfo] the checkpoints a user can pick, facts read from each config.json
    load(name) -> Loaded        cached; ``name``, ``hash``, ``config`` (+ the module itself)
    generate(model, params) -> Generation
    explain(model) -> str       plain words for the tab, kept beside the model
    features(outputs)           what the reranker / preference direction learn from
    learn_from_feedback(model, rows) -> Iterator[dict]   progress events; the last has done=True
    bench(quick) -> list[dict]  rows for ``python -m playground.bench``
    save_output(generation, out) -> list[Path]           files for ``python -m playground.generate``

``playground.registry`` lists the modalities; the bench, the contract tests and the
``generate`` CLI iterate over it. Features only one modality has stay ordinary functions there.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Protocol, Sequence, TypeVar, runtime_checkable

from playground.generation import Generation

SEED_MAX = 2**31 - 1  # one seed range for every modality (what torch.Generator and numpy both take)

P = TypeVar("P")


# ---------------------------------------------------------------- what a modality returns

@dataclass(frozen=True)
class ModelInfo:
    """A checkpoint the user can pick: its name, where it lives, and facts read from its config."""

    name: str  # what the dropdown shows and ``load`` takes
    path: str  # folder (or Hub id)
    model_type: str  # ``config.json``'s "model_type"
    facts: dict[str, Any] = field(default_factory=dict)  # e.g. {"conditional": True, "parameters": ...}


@dataclass
class Loaded:
    """A model ready to generate: what identifies it and the module that does the work."""

    name: str
    hash: str  # short sha256 of the weights (``generation.checkpoint_hash``)
    config: dict[str, Any]  # the checkpoint's config.json
    module: Any = field(repr=False, default=None)  # the torch module (or wrapper) itself
    extra: dict[str, Any] = field(default_factory=dict, repr=False)  # per-modality helpers (tokenizer, ...)


@runtime_checkable
class Modality(Protocol):
    """What ``playground.registry`` expects at the top of each modality package."""

    NAME: str
    Params: type

    def models(self) -> list[ModelInfo]: ...
    def load(self, name: str) -> Loaded: ...
    def generate(self, model: Loaded, params: Any) -> Generation: ...
    def explain(self, model: Loaded) -> str: ...
    def features(self, outputs: Sequence[Any]) -> Any: ...
    def learn_from_feedback(self, model: Loaded, rows: list[dict]) -> Iterator[dict]: ...
    def bench(self, quick: bool) -> list[dict]: ...
    def save_output(self, generation: Generation, out: Path) -> list[Path]: ...


REQUIRED = ("NAME", "Params", "models", "load", "generate", "explain", "features",
            "learn_from_feedback", "bench", "save_output")


# ---------------------------------------------------------------- validation, one style everywhere

def whole(value: Any, what: str, lo: int | None = None, hi: int | None = None) -> int:
    """``value`` as an int (3, 3.0 and "3" are fine; 3.5, "x", NaN and True are not), within [lo, hi]."""
    if isinstance(value, bool):
        raise ValueError(f"The {what} must be a whole number.")
    try:
        f = float(value)
        if not math.isfinite(f) or f != int(f):
            raise ValueError
        n = int(f)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"The {what} must be a whole number.") from None
    _range(n, what, lo, hi, "{:,}")
    return n


def number(value: Any, what: str, lo: float | None = None, hi: float | None = None,
           lo_open: bool = False) -> float:
    """``value`` as a finite float within [lo, hi] (``lo_open``: strictly above ``lo``)."""
    if isinstance(value, bool):
        raise ValueError(f"The {what} must be a number.")
    try:
        f = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"The {what} must be a number.") from None
    if not math.isfinite(f):
        raise ValueError(f"The {what} must be a number.")
    if lo_open and lo is not None and f <= lo:
        raise ValueError(f"The {what} must be above {lo:g}" + (f" and at most {hi:g}." if hi is not None else "."))
    _range(f, what, lo, hi, "{:g}")
    return f


def _range(v: float, what: str, lo: float | None, hi: float | None, fmt: str) -> None:
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        if lo is not None and hi is not None:
            raise ValueError(f"The {what} must be between {fmt.format(lo)} and {fmt.format(hi)}.")
        if lo is not None:
            raise ValueError(f"The {what} must be at least {fmt.format(lo)}.")
        raise ValueError(f"The {what} must be at most {fmt.format(hi)}.")


def seed(value: Any) -> int:
    """A seed in the one range every modality uses: 0 to 2**31 - 1."""
    return whole(value, "seed", 0, SEED_MAX)


def choice(value: Any, what: str, options: Iterable[str]) -> str:
    """``value`` if it is one of ``options``."""
    options = list(options)
    if value not in options:
        raise ValueError(f"Unknown {what} '{value}': use one of {', '.join(map(str, options))}.")
    return value


def text(value: Any, what: str, max_chars: int, allow_empty: bool = True) -> str:
    """A string of at most ``max_chars`` (None counts as empty)."""
    value = "" if value is None else value
    if not isinstance(value, str):
        raise ValueError(f"The {what} must be text.")
    if len(value) > max_chars:
        raise ValueError(f"The {what} is {len(value):,} characters long; the limit is {max_chars:,}.")
    if not allow_empty and not value.strip():
        raise ValueError(f"The {what} is empty.")
    return value


class ParamsMixin:
    """``from_dict`` / ``to_dict`` for a Params dataclass whose ``__post_init__`` validates."""

    ALIASES: dict[str, str] = {}  # old stored names -> field names

    @classmethod
    def from_dict(cls: type[P], d: dict[str, Any] | None) -> P:
        """Params from a stored or query-string dict: unknown keys are ignored, aliases renamed."""
        d = dict(d or {})
        for old, new in getattr(cls, "ALIASES", {}).items():
            if old in d and new not in d:
                d[new] = d.pop(old)
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in d.items() if k in names})

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)  # type: ignore[call-overload]

    def replace(self: P, **changes: Any) -> P:
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]
