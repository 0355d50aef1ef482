"""Which music checkpoints exist, what each one is (read from its own config.json), and loading.

    models()                      # [ModelInfo("music-bach", ..., facts={"generates": True, ...}), ...]
    m = load("music-bach")        # cached; a folder path works too
    m.module, m.hash, m.extra["openings"]

A model family is one entry of ``FAMILIES``, keyed by config.json's "model_type": its config
class, how to load it, whether it composes, the words that explain it and its ``compose``
function. ``load(name).extra`` holds the family, the config object (``settings``) and the
chorale openings saved beside the weights (every chorale model shares those of the default
model, the same test split). The Coconet harmoniser is the second family: checkpoints of its
type appear in ``models()``, load with ``load`` and harmonise through ``generate``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import numpy as np

from playground import checkpoint, config
from playground.card import read_card
from playground.contract import Loaded, ModelInfo
from playground.generation import checkpoint_hash
from playground.music import coconet, harmony
from playground.music.compose import compose_params
from playground.music.model import ABOUT, ABOUT_ROLL, MODEL_TYPE, ChoraleLSTM, MusicConfig
from playground.music.notes import Score, midi_to_note

DEFAULT_MODEL = config.MODELS / "music-bach"
HARMONISER = config.MODELS / "music-coconet"  # what the tab harmonises with
OPENINGS = "openings.json"  # first bars of each test-split chorale, saved with the checkpoint
TRAIN_COMMAND = "python -m playground.train music --data ../shared/data/jsb-chorales --out assets/models/music-bach"


@dataclass(frozen=True)
class Family:
    """How to load, describe and compose with the checkpoints of one model_type."""

    model_type: str
    config_cls: type  # a dataclass; config.json's other keys fill it
    load: Callable[[str, str], Any]  # (folder, how-to-train hint) -> the module, eval mode
    generates: Callable[[Any], bool]  # config -> whether the app may compose with it
    explain: Callable[[Any], str]  # config -> plain words for the tab
    compose: Callable[..., Score]  # (module, params, score, four, generator) -> Score


FAMILIES: dict[str, Family] = {
    MODEL_TYPE: Family(MODEL_TYPE, MusicConfig, ChoraleLSTM.from_pretrained, lambda cfg: cfg.generates,
                       lambda cfg: ABOUT if cfg.generates else ABOUT_ROLL, compose_params),
    coconet.MODEL_TYPE: Family(coconet.MODEL_TYPE, coconet.CoconetConfig, lambda path, hint: coconet.load(path),
                               lambda cfg: True, harmony.explain, harmony.compose),
}


def folder(name: str | Path) -> Path:
    """The checkpoint folder of ``name``: a path as given, else a folder under assets/models, else a
    version learned from feedback under the data dir's ``models``."""
    p = Path(name)
    if p.is_dir() or p.is_absolute() or len(p.parts) > 1:
        return p
    learned = config.data_dir() / "models" / p
    return learned if not (config.MODELS / p).is_dir() and learned.is_dir() else config.MODELS / p


def missing_message(name: str | Path = DEFAULT_MODEL) -> str | None:
    """None when a checkpoint is at ``name``, else a plain sentence saying how to make one."""
    p = folder(name)
    if (p / checkpoint.CONFIG).is_file() and (p / checkpoint.WEIGHTS).is_file():
        return None
    how = coconet.HINT if "coconet" in p.name else TRAIN_COMMAND
    return f"The music model is not installed (nothing at {p}). Train it with: {how}"


def family_config(name: str | Path) -> tuple[Family, Any]:
    """The family and config of checkpoint ``name`` from its config.json (no weights read)."""
    p = folder(name)
    raw = checkpoint.read_config(p, TRAIN_COMMAND)
    fam = FAMILIES.get(raw.get("model_type"))
    if fam is None:
        raise ValueError(f"{p.name} is not a music model (model_type '{raw.get('model_type')}'); "
                         f"use one of {', '.join(FAMILIES)}.")
    return fam, checkpoint.config_from_dict(fam.config_cls, raw)


def facts(family: Family, cfg: Any, card: dict) -> dict[str, Any]:
    """What the app and the bench need to know about a checkpoint, from its config and card."""
    spb = getattr(cfg, "steps_per_beat", 4)
    return {"generates": family.generates(cfg), "ordered": getattr(cfg, "ordered", False),
            "voices": getattr(cfg, "n_voices", 4), "grid": {4: "16th", 2: "8th", 1: "quarter"}.get(spb, f"{spb} per beat"),
            "parameters": card.get("parameters"), "metrics": card.get("metrics", {})}


def models(root: str | Path | None = None) -> list[ModelInfo]:
    """Every music checkpoint under ``root`` (default: assets/models, then the versions learned from
    feedback under the data dir's ``models``), those that compose first (``facts["generates"]`` is
    False for evaluation-only ones such as the piano-roll model)."""
    out = []
    roots = [Path(root)] if root else [config.MODELS, config.data_dir() / "models"]
    for p in sorted(c for r in roots for c in r.glob(f"*/{checkpoint.CONFIG}")):
        try:
            fam, cfg = family_config(p.parent)
        except ValueError:  # another modality's checkpoint
            continue
        out.append(ModelInfo(p.parent.name, str(p.parent), fam.model_type, facts(fam, cfg, read_card(p.parent))))
    return sorted(out, key=lambda m: not m.facts["generates"])  # the ones that compose first


@checkpoint.loaded_once()
def _load(path: str) -> Loaded:
    msg = missing_message(path)
    if msg:
        raise ValueError(msg)
    fam, cfg = family_config(path)
    return Loaded(name=Path(path).name, hash=checkpoint_hash(path), config=checkpoint.read_config(Path(path)),
                  module=fam.load(path, TRAIN_COMMAND),
                  extra={"path": Path(path), "openings": openings(path) or openings(DEFAULT_MODEL), "family": fam,
                         "settings": cfg})


def load(name: str | Path = DEFAULT_MODEL) -> Loaded:
    """The checkpoint ``name`` (a folder under assets/models or a path), loaded once per process
    (many first calls at once load it once)."""
    return _load(str(folder(name).resolve()))


def clear_cache() -> None:
    """Forget loaded models and openings (after retraining a checkpoint in place; tests)."""
    _load.cache_clear()
    _openings.cache_clear()


def openings(name: str | Path = DEFAULT_MODEL) -> list[np.ndarray]:
    """Opening bars of the test-split chorales stored next to the model ((T, 4) arrays)."""
    return _openings(str(folder(name)))


@lru_cache(maxsize=8)
def _openings(path: str) -> list[np.ndarray]:
    p = Path(path) / OPENINGS
    return [np.asarray(o, dtype=np.int64) for o in json.loads(p.read_text())] if p.is_file() else []


def opening_labels(name: str | Path = DEFAULT_MODEL) -> list[str]:
    """Human labels for ``openings``: 'Test chorale 3: G4 G4 D5 B4 ...'."""
    labels = []
    for i, o in enumerate(openings(name)):
        tune = Score.from_grid(o).events()[0][:5]
        labels.append(f"Test chorale {i + 1}: " + " ".join(midi_to_note(p) for p, _, _ in tune) + " ...")
    return labels
