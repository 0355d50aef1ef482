"""The one record every generator returns, and the checkpoint fingerprint it carries."""
from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any


@dataclass
class Generation:
    """One output of any tab: enough to show it, reproduce it, rate it and learn from it.

    ``params`` holds every input including the seed; ``output`` the produced content in
    plain JSON types (text, latent vector, note list). ``media`` holds what only the UI
    needs (an image, a WAV path) and is never stored.
    """

    modality: str  # "text" | "image" | "music"
    model: str  # model name, e.g. "text-shakespeare"
    model_hash: str  # short sha256 of the checkpoint weights
    params: dict[str, Any]
    output: Any
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    created: float = field(default_factory=time.time)
    media: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The storable part (everything but ``media``)."""
        d = asdict(self)
        d.pop("media")
        return d


@lru_cache(maxsize=64)
def _hash_file(path: str, mtime: float, size: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:12]


def checkpoint_hash(path: str | Path) -> str:
    """Short sha256 of a weights file, or of every ``*.safetensors`` in a folder (cached by mtime)."""
    p = Path(path)
    files = sorted(p.glob("*.safetensors")) if p.is_dir() else [p]
    if not files:
        return "unknown"
    parts = [_hash_file(str(f), f.stat().st_mtime, f.stat().st_size) for f in files]
    return parts[0] if len(parts) == 1 else hashlib.sha256("".join(parts).encode()).hexdigest()[:12]
