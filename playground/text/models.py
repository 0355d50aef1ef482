"""Which text models exist, and loading one (once per process) from a folder or a Hub id.

    tm = load("text-shakespeare")      # a bundled or fine-tuned folder's name, a path, or "distilgpt2"
    tm.module, tm.tokenizer, tm.hash   # the causal LM, its tokenizer, a short sha256 of its weights
"""
from __future__ import annotations

import os
import re
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playground import card, config
from playground.checkpoint import loaded_once, read_config
from playground.contract import Loaded, ModelInfo
from playground.generation import checkpoint_hash

MARKERS = (card.CARD, "training.json")  # a fine-tune's card (training.json: saved by the first version)


@dataclass
class TextModel(Loaded):
    """A loaded causal LM: ``module`` is the model, plus its tokenizer and context length."""

    tokenizer: Any = field(default=None, repr=False)
    context: int = 1024  # the longest sequence the model can attend to
    path: Path | None = None  # the folder it came from (None for a Hub id)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)  # one KV-cache walk at a time

    @property
    def start_id(self) -> int:
        """The token a text starts from (bos, else eos, else 0)."""
        for tid in (self.tokenizer.bos_token_id, self.tokenizer.eos_token_id):
            if tid is not None:
                return tid
        return 0


def models() -> list[ModelInfo]:
    """The bundled model, then the user's fine-tunes (newest first), with facts from their files."""
    folders = [config.DEFAULT_TEXT_MODEL]
    tuned = config.data_dir() / "models"
    if tuned.is_dir():
        found = [d for d in tuned.iterdir() if _is_text_model(d)]
        folders += sorted(found, key=lambda d: d.stat().st_mtime, reverse=True)
    return [info(d) for d in folders if (d / "config.json").is_file()]


def _is_text_model(d: Path) -> bool:
    if not any((d / m).is_file() for m in MARKERS):
        return False
    try:
        return "vocab_size" in read_config(d)  # a transformers causal LM, not an image or music model
    except ValueError:
        return False


def info(folder: Path) -> ModelInfo:
    """A folder's ``ModelInfo``: architecture from config.json, training facts from its card."""
    cfg, c = read_config(folder), card.read_card(folder)
    facts = {"layers": cfg.get("n_layer"), "width": cfg.get("n_embd"), "heads": cfg.get("n_head"),
             "context": cfg.get("n_positions"), "vocabulary": cfg.get("vocab_size"),
             "parameters": c.get("parameters"), "parent": c.get("parent"), **c.get("metrics", {})}
    return ModelInfo(name=folder.name, path=str(folder), model_type=cfg.get("model_type", ""),
                     facts={k: v for k, v in facts.items() if v is not None})


def resolve(name: str | os.PathLike) -> Path | str:
    """A local folder for ``name`` (a path or a listed model's name), else ``name`` as a Hub id."""
    key = str(name)
    path = Path(key).expanduser()
    if path.exists() or not looks_like_hub_id(key):
        return path.resolve()
    for m in models():
        if m.name == key:
            return Path(m.path).resolve()
    return key


def looks_like_hub_id(key: str) -> bool:
    """``name`` or ``owner/name`` (a path like ``assets/models/x`` or ``./x`` is local)."""
    return re.fullmatch(r"[\w.-]+(/[\w.-]+)?", key) is not None and not key.startswith(".")


def load(name: str | os.PathLike) -> TextModel:
    """Load (once per process) a causal LM: a listed model's name, a folder or a Hub id.

    ValueError with a plain sentence when the folder is missing or corrupt, or a Hub model
    cannot be downloaded (offline).
    """
    return _load(resolve(name))


@loaded_once()
def _load(where: Path | str) -> TextModel:
    return _load_folder(where) if isinstance(where, Path) else _load_hub(where)


def clear_cache() -> None:
    """Forget every loaded model (tests; a retrained folder)."""
    _load.cache_clear()


def loaded() -> list[str]:
    """The names of the models loaded so far in this process."""
    return [tm.name for tm in _load.held()]


def _load_folder(path: Path) -> TextModel:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if not (path / "config.json").is_file():
        raise ValueError(f"The model folder '{path}' is missing or has no config.json.")
    try:
        tokenizer = AutoTokenizer.from_pretrained(path)
        model = AutoModelForCausalLM.from_pretrained(path)
    except Exception as e:  # corrupt weights, bad json, unknown architecture
        raise ValueError(f"The model folder '{path}' could not be loaded (corrupt or incomplete): "
                         f"{type(e).__name__}: {str(e).splitlines()[0][:200]}") from None
    return _wrap(path.name, checkpoint_hash(path), model, tokenizer, path)


def _load_hub(key: str) -> TextModel:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:  # already in the local Hub cache?
        tokenizer = AutoTokenizer.from_pretrained(key, local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(key, local_files_only=True)
    except Exception:
        if os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false") or not _online():
            raise ValueError(f"The Hub model '{key}' cannot be downloaded: this machine is offline "
                             "(no connection to huggingface.co). Keep using the bundled model.") from None
        try:
            tokenizer = AutoTokenizer.from_pretrained(key)
            model = AutoModelForCausalLM.from_pretrained(key)
        except Exception as e:
            raise ValueError(f"The Hub model '{key}' could not be loaded: {str(e).splitlines()[0][:200]}") from None
    mhash = f"hub:{getattr(model.config, '_commit_hash', None) or 'unknown'}"[:16]
    return _wrap(key, mhash, model, tokenizer, None)


def _wrap(name: str, mhash: str, model, tokenizer, path: Path | None) -> TextModel:
    model.eval()
    cfg = model.config
    context = getattr(cfg, "n_positions", None) or getattr(cfg, "max_position_embeddings", 1024)
    return TextModel(name=name, hash=mhash, config=cfg.to_dict(), module=model, tokenizer=tokenizer,
                     context=int(context), path=path)


def _online(host: str = "huggingface.co", timeout: float = 3.0) -> bool:
    try:
        socket.create_connection((host, 443), timeout=timeout).close()
        return True
    except OSError:
        return False
