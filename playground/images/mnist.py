"""10,000 real MNIST digits at 28x28 and the one train/test split every image model uses.

    tr = mnist.load("train")          # tr.x (8500, 1, 28, 28) in [-1, 1], tr.y (8500,) digits
    te = mnist.load("test")           # 1,500 digits no model ever trains on
    mnist.split_record()              # seed, counts and hash of the split, for model cards

The split is stratified by digit (15 % of each digit goes to test) and drawn once with a
fixed seed; ``TEST_SHA256`` records it, so a changed split fails loudly instead of silently
mixing test digits into training. Data and attribution: ``assets/data/`` (README.md).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import numpy as np
import torch

from playground.config import ASSETS

DEFAULT_PATH = ASSETS / "data" / "mnist-10k.npz"
SIZE = 28
N_CLASSES = 10
SPLIT_SEED = 0
TEST_SHARE = 0.15
TEST_SHA256 = "ef8b0df8a461"  # sha256 of the sorted test indices (int64, little-endian), first 12 hex


@dataclass(frozen=True)
class Split:
    """Images (N, 1, 28, 28) in [-1, 1], labels (N,) and their row numbers in the file."""

    x: torch.Tensor
    y: torch.Tensor
    indices: np.ndarray


def to_unit(pixels: np.ndarray | torch.Tensor) -> torch.Tensor:
    """Grey levels 0..255 -> floats in [-1, 1] (ink is +1, paper -1)."""
    return torch.as_tensor(np.asarray(pixels), dtype=torch.float32) / 127.5 - 1


def to_uint8(x: torch.Tensor) -> np.ndarray:
    """Floats in [-1, 1] -> grey levels 0..255 (rounded, clamped), as numpy."""
    return ((x.detach().float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).cpu().numpy()


def split_indices(labels: np.ndarray, test_share: float = TEST_SHARE,
                  seed: int = SPLIT_SEED) -> tuple[np.ndarray, np.ndarray]:
    """Sorted (train, test) row numbers: ``test_share`` of every digit, drawn with ``seed``."""
    rng = np.random.default_rng(seed)
    test = []
    for c in range(N_CLASSES):
        rows = np.flatnonzero(labels == c)
        test.append(rng.permutation(rows)[: int(round(len(rows) * test_share))])
    test = np.sort(np.concatenate(test))
    train = np.setdiff1d(np.arange(len(labels)), test)
    return train, test


def indices_hash(indices: np.ndarray) -> str:
    """A short fingerprint of a set of row numbers (order does not matter)."""
    return hashlib.sha256(np.sort(indices).astype("<i8").tobytes()).hexdigest()[:12]


@lru_cache(maxsize=4)
def _read(path: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        with np.load(path) as d:
            images, labels = d["images"], d["labels"]
    except (OSError, KeyError, ValueError) as e:
        raise ValueError(f"Could not read the MNIST digits from {path} ({type(e).__name__}); "
                         f"expected an .npz with 'images' and 'labels' like {DEFAULT_PATH.name}.") from None
    if images.ndim != 3 or images.shape[1:] != (SIZE, SIZE) or len(images) != len(labels):
        raise ValueError(f"{path} does not hold 28x28 digits with one label each.")
    return images, labels.astype(np.int64)


@lru_cache(maxsize=8)
@torch.inference_mode(False)  # cached tensors must stay usable by training, whoever loads them first
def _load(path: str, split: str) -> Split:
    images, labels = _read(path)
    train, test = split_indices(labels)
    if len(labels) == 10_000 and indices_hash(test) != TEST_SHA256:
        raise ValueError("The MNIST train/test split changed (its hash differs from the recorded one).")
    idx = train if split == "train" else test
    x = to_unit(images[idx]).unsqueeze(1)  # (N, 1, 28, 28)
    return Split(x, torch.as_tensor(labels[idx]), idx)


def load(split: str = "train", path: str | Path = DEFAULT_PATH) -> Split:
    """The ``train`` (8,500) or ``test`` (1,500) split of the digits in ``path`` (cached)."""
    if split not in ("train", "test"):
        raise ValueError(f"Unknown split '{split}': use 'train' or 'test'.")
    return _load(str(Path(path).resolve()), split)


def split_record(path: str | Path = DEFAULT_PATH) -> dict:
    """What a model card says about the data: file, seed, sizes, per-digit counts, test hash."""
    tr, te = load("train", path), load("test", path)
    return {"file": Path(path).name, "split_seed": SPLIT_SEED, "test_share": TEST_SHARE,
            "train": len(tr.y), "test": len(te.y),
            "train_per_digit": torch.bincount(tr.y, minlength=N_CLASSES).tolist(),
            "test_per_digit": torch.bincount(te.y, minlength=N_CLASSES).tolist(),
            "test_sha256": indices_hash(te.indices)}


def describe(path: str | Path = DEFAULT_PATH) -> str:
    """One line for a model card's ``data`` field."""
    r = split_record(path)
    return (f"MNIST 10k ({r['file']}): train split {r['train']:,} digits, test split {r['test']:,} held out "
            f"(stratified, seed {r['split_seed']}, test hash {r['test_sha256']})")


def batches(n: int, size: int, generator: torch.Generator) -> Iterator[torch.Tensor]:
    """Endless random batches of row numbers 0..n-1: every row once per epoch, reshuffled each epoch."""
    while True:
        perm = torch.randperm(n, generator=generator)
        for i in range(0, n - size + 1, size):
            yield perm[i:i + size]


def shift(x: torch.Tensor, pixels: int, generator: torch.Generator) -> torch.Tensor:
    """Move each image by up to ``pixels`` in x and y (the uncovered border is paper, -1)."""
    k = 2 * pixels + 1
    windows = torch.nn.functional.pad(x, (pixels,) * 4, value=-1.0).unfold(2, SIZE, 1).unfold(3, SIZE, 1)
    dy, dx = torch.randint(0, k, (2, len(x)), generator=generator)  # windows: (B, 1, k, k, 28, 28)
    return windows[torch.arange(len(x)), :, dy, dx]
