"""The modalities of the playground, by name; the bench, the contract tests and
``python -m playground.generate`` iterate over this list.

    from playground import registry
    text = registry.get("text")          # the playground.text package (see playground.contract)
    for name, mod in registry.items(): ...
"""
from __future__ import annotations

import importlib
from types import ModuleType

from playground.contract import REQUIRED

MODALITIES = {  # name -> package implementing playground.contract
    "text": "playground.text",
    "image": "playground.images",
    "music": "playground.music",
}


def names() -> list[str]:
    return list(MODALITIES)


def get(name: str) -> ModuleType:
    """The package of modality ``name`` (ValueError for an unknown name or a broken package)."""
    if name not in MODALITIES:
        raise ValueError(f"Unknown modality '{name}': use one of {', '.join(MODALITIES)}.")
    mod = importlib.import_module(MODALITIES[name])
    lacking = [a for a in REQUIRED if not hasattr(mod, a)]
    if lacking:
        raise TypeError(f"{mod.__name__} does not implement the contract: missing {', '.join(lacking)}")
    return mod


def items() -> list[tuple[str, ModuleType]]:
    return [(n, get(n)) for n in MODALITIES]
