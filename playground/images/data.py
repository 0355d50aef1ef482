"""The image models' training data: the MNIST split of ``playground.images.mnist``, as batches.

    tr = data.load("train")                     # 8,500 digits (N, 1, 28, 28) in [-1, 1] + labels
    for x, y in minibatches(tr, 64, gen): ...   # endless shuffled batches from a private generator

Every generator, the judge and the metrics read this one dataset (10,000 MNIST digits bundled
under ``assets/data/``; ``--data`` points a training command at another copy of the file).
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import torch

from playground.images import mnist
from playground.images.mnist import N_CLASSES, SIZE, Split

DigitsSplit = Split  # the name the trainers use
__all__ = ["N_CLASSES", "SIZE", "DigitsSplit", "load", "minibatches", "describe"]


def load(split: str = "train", path: str | Path | None = None) -> Split:
    """The ``train`` (8,500) or ``test`` (1,500) split of the MNIST file at ``path`` (default bundled)."""
    return mnist.load(split, path or mnist.DEFAULT_PATH)


def describe(path: str | Path | None = None) -> str:
    """One line for a model card: the file, the split and its hash."""
    return mnist.describe(path or mnist.DEFAULT_PATH)


def minibatches(split: Split, batch_size: int, gen: torch.Generator) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Endless shuffled minibatches (one pass after another, the ragged end of each dropped),
    shuffled by ``gen`` so a training run never touches the global RNG."""
    for idx in mnist.batches(len(split.y), batch_size, gen):
        yield split.x[idx], split.y[idx]
