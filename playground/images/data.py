"""scikit-learn's bundled handwritten digits (1,797 images, 8x8, 17 grey levels), offline.

Pixels 0..16 are scaled to [-1, 1]. One fixed stratified split (80 % train, 20 % test,
``random_state=0``) is shared by every model and metric, so "real test" always means the same
360 digits.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

import numpy as np
import torch

LEVELS = 17  # sklearn digits store 0..16 ink per pixel
SIZE = 8
N_CLASSES = 10
SOURCE = "scikit-learn digits (sklearn.datasets.load_digits), 8x8, train split of playground/images/data.py (1,437 images)"
DESCRIPTION = (
    "scikit-learn's bundled handwritten digits (`sklearn.datasets.load_digits`), 8x8, 17 grey levels, scaled to "
    "[-1, 1]; the fixed stratified split of `playground/images/data.py`: 1,437 train, 360 test (test never seen in "
    "training)."
)


@dataclass(frozen=True)
class DigitsSplit:
    """Images (N, 1, 8, 8) in [-1, 1] and labels (N,) for one split."""

    x: torch.Tensor
    y: torch.Tensor


def to_unit(levels: np.ndarray | torch.Tensor) -> torch.Tensor:
    """Grey levels 0..16 -> floats in [-1, 1]."""
    return torch.as_tensor(levels, dtype=torch.float32) / (LEVELS - 1) * 2 - 1


def to_levels(x: torch.Tensor) -> torch.Tensor:
    """Floats in [-1, 1] -> integer grey levels 0..16 (rounded, clamped)."""
    return ((x.clamp(-1, 1) + 1) / 2 * (LEVELS - 1)).round().long()


@lru_cache(maxsize=1)
@torch.inference_mode(False)  # cached tensors must stay usable by training, whoever loads them first
def _split() -> tuple[DigitsSplit, DigitsSplit]:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    d = load_digits()
    idx_tr, idx_te = train_test_split(np.arange(len(d.target)), test_size=0.2,
                                      stratify=d.target, random_state=0)
    def part(idx: np.ndarray) -> DigitsSplit:
        x = to_unit(d.images[idx]).unsqueeze(1)  # (N, 1, 8, 8)
        return DigitsSplit(x, torch.as_tensor(d.target[idx], dtype=torch.long))
    return part(idx_tr), part(idx_te)


def load(split: str = "train") -> DigitsSplit:
    """The ``train`` (1,437) or ``test`` (360) split of the digits."""
    if split not in ("train", "test"):
        raise ValueError(f"Unknown split '{split}': use 'train' or 'test'.")
    tr, te = _split()
    return tr if split == "train" else te


def minibatches(split: DigitsSplit, batch_size: int, gen: torch.Generator) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Endless shuffled minibatches (one pass after another, the ragged end of each dropped),
    shuffled by ``gen`` so a training run never touches the global RNG."""
    while True:
        perm = torch.randperm(len(split.y), generator=gen)
        for i in range(0, len(perm) - batch_size + 1, batch_size):
            idx = perm[i:i + batch_size]
            yield split.x[idx], split.y[idx]


def load_dataset(name: str, split: str = "train") -> DigitsSplit:
    """A training dataset by name; only the bundled ``digits`` works offline."""
    if name == "digits":
        return load(split)
    if name in ("mnist", "fashion-mnist"):
        raise ValueError(f"'{name}' must be downloaded by torchvision and this machine is offline: "
                         "use --dataset digits (bundled with scikit-learn).")
    raise ValueError(f"Unknown dataset '{name}': use 'digits'.")
