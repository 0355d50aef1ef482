"""save_pretrained / from_pretrained for every image model: ``config.json`` + ``model.safetensors``.

A model class only needs a ``config`` attribute (a dataclass) and a constructor that takes it;
this file holds the one copy of the I/O, as diffusers' ``ConfigMixin`` does.
"""
from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path
from typing import TypeVar

import torch
from safetensors.torch import load_file, save_file

WEIGHTS = "model.safetensors"
CONFIG = "config.json"

M = TypeVar("M", bound=torch.nn.Module)


def save_pretrained(model: torch.nn.Module, out: str | Path, extra: dict | None = None) -> Path:
    """Write ``model.config`` (plus ``extra`` keys, e.g. the model kind) and its weights to ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    cfg = {"kind": type(model).__name__, **asdict(model.config), **(extra or {})}
    (out / CONFIG).write_text(json.dumps(cfg, indent=2) + "\n")
    state = {k: v.detach().contiguous().clone() for k, v in model.state_dict().items()}
    save_file(state, str(out / WEIGHTS))
    return out


def from_pretrained(cls: type[M], config_cls: type, path: str | Path) -> M:
    """Load a ``cls`` saved by :func:`save_pretrained`; a missing or corrupt folder raises ValueError."""
    path = Path(path)
    try:
        raw = json.loads((path / CONFIG).read_text())
        known = {f.name for f in fields(config_cls)}
        model = cls(config_cls(**{k: v for k, v in raw.items() if k in known}))
        model.load_state_dict(load_file(str(path / WEIGHTS)))
    except FileNotFoundError as e:
        raise ValueError(f"No image model found in {path} (missing {Path(e.filename).name}).") from e
    except Exception as e:  # corrupt json / safetensors / shape mismatch
        raise ValueError(f"The checkpoint in {path} could not be read ({type(e).__name__}); "
                         "train it again with python -m playground.train.") from e
    return model.eval()
