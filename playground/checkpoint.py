"""The one checkpoint format for every model the playground trains (diffusers' ConfigMixin idea):

    out/config.json         {"model_type": "...", **the model's config dataclass}
    out/model.safetensors   the weights (float16 optional: half the size)
    out/card.json, README.md  the model card (``playground.card``)

    save_pretrained(model, "assets/models/gan-digits", model_type="gan")
    model = from_pretrained(Generator, GANConfig, "assets/models/gan-digits")

The text model keeps transformers' own ``save_pretrained`` (its config.json also has a
"model_type"), so ``read_config`` reads every checkpoint the app can show.
"""
from __future__ import annotations

import functools
import json
import threading
from collections import OrderedDict
from dataclasses import asdict, fields, is_dataclass
from pathlib import Path
from typing import Any, Callable, TypeVar

import torch
from safetensors.torch import load_file, save_file

from playground import config

CONFIG = "config.json"
WEIGHTS = "model.safetensors"

M = TypeVar("M", bound=torch.nn.Module)


def save_pretrained(model: torch.nn.Module, out: str | Path, model_type: str, config: Any = None,
                    dtype: torch.dtype | None = None) -> Path:
    """Write ``config`` (default ``model.config``; a dataclass or dict) and the weights to ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    config = model.config if config is None else config
    cfg = asdict(config) if is_dataclass(config) else dict(config)
    (out / CONFIG).write_text(json.dumps({"model_type": model_type, **cfg}, indent=2) + "\n")
    state = {k: v.detach().to(dtype or v.dtype).contiguous().clone() for k, v in model.state_dict().items()}
    save_file(state, str(out / WEIGHTS))
    return out


def read_config(path: str | Path, hint: str = "") -> dict[str, Any]:
    """A checkpoint folder's config.json as a dict; ValueError with a plain sentence if unusable."""
    path = Path(path)
    how = f" Train it with: {hint}" if hint else " Train it again with python -m playground.train."
    try:
        cfg = json.loads((path / CONFIG).read_text())
    except FileNotFoundError:
        raise ValueError(f"No model found in {path} (missing {CONFIG}).{how}") from None
    except (OSError, UnicodeDecodeError, ValueError):
        raise ValueError(f"The checkpoint in {path} could not be read ({CONFIG} is not valid JSON).{how}") from None
    if not isinstance(cfg, dict):
        raise ValueError(f"The checkpoint in {path} could not be read ({CONFIG} is not an object).{how}")
    return cfg


def config_from_dict(config_cls: type, raw: dict[str, Any]) -> Any:
    """``config_cls`` built from the keys of ``raw`` it knows (model_type and extras are ignored)."""
    known = {f.name for f in fields(config_cls)}
    return config_cls(**{k: v for k, v in raw.items() if k in known})


def from_pretrained(cls: type[M], config_cls: type, path: str | Path, hint: str = "") -> M:
    """Load a ``cls`` saved by :func:`save_pretrained` (eval mode, float32); ValueError if unusable."""
    path = Path(path)
    raw = read_config(path, hint)
    try:
        model = cls(config_from_dict(config_cls, raw))
        state = load_file(str(path / WEIGHTS))
        model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
    except FileNotFoundError:
        raise ValueError(f"No weights found in {path} (missing {WEIGHTS}).") from None
    except Exception as e:  # corrupt safetensors, shape mismatch, bad config values
        raise ValueError(f"The checkpoint in {path} could not be read ({type(e).__name__}); "
                         "train it again with python -m playground.train.") from e
    return model.eval()


def loaded_once(maxsize: int = 8) -> Callable[[Callable], Callable]:
    """A model loader's cache (the ``maxsize`` most recently used loads), one load at a time: many
    first calls at once (a class clicking together) load a model once, not once each (thirty slider
    moves at once loaded the GAN thirty times: 5.8 GB). A new load is kept out of full garbage
    collections (``config.settle_heap``). The loader keeps ``__wrapped__`` and gains
    ``cache_clear()``, ``holds(*args)``: whether that load is in memory now (a call would be
    instant), and ``held()``: the models in memory, least recently used first."""
    def wrap(load: Callable) -> Callable:
        held: OrderedDict = OrderedDict()  # args -> model, least recently used first
        lock = threading.Lock()

        @functools.wraps(load)
        def once(*args: Any) -> Any:
            with lock:
                if args in held:
                    held.move_to_end(args)
                    return held[args]
                model = held[args] = load(*args)
                if len(held) > maxsize:
                    held.popitem(last=False)
                config.settle_heap()
                return model
        once.cache_clear = held.clear
        once.holds = lambda *args: args in held
        once.held = lambda: list(held.values())
        return once
    return wrap
