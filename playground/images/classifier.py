"""The digits classifier that judges generated images (trained on the real train split only).

    python -m playground.images.classifier --out assets/models/digits-classifier

A small CNN; its 64-d penultimate layer is the feature space for the Frechet distance.
Training uses one-pixel random shifts so it does not just memorise the 1,437 training digits.
"""
from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from playground.config import MODELS
from playground.images import checkpoint, data

DEFAULT_PATH = MODELS / "digits-classifier"


@dataclass
class ClassifierConfig:
    """Shape of the judge."""

    ch: int = 32
    features: int = 64


class DigitClassifier(nn.Module):
    """(B, 1, 8, 8) in [-1, 1] -> 10 logits; ``features`` gives the 64-d layer before them."""

    def __init__(self, config: ClassifierConfig):
        super().__init__()
        self.config = config
        c = config.ch
        self.body = nn.Sequential(
            nn.Conv2d(1, c, 3, 1, 1), nn.ReLU(),
            nn.Conv2d(c, 2 * c, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2),  # 4x4
            nn.Flatten(), nn.Linear(2 * c * 16, config.features), nn.ReLU(),
        )
        self.head = nn.Linear(config.features, data.N_CLASSES)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))

    def save_pretrained(self, out: str | Path) -> Path:
        return checkpoint.save_pretrained(self, out)

    @classmethod
    def from_pretrained(cls, path: str | Path) -> "DigitClassifier":
        return checkpoint.from_pretrained(cls, ClassifierConfig, path)


def _shift(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Shift each image by up to one pixel in x and y (the border is blank paper, -1)."""
    windows = F.pad(x, (1, 1, 1, 1), value=-1.0).unfold(2, 8, 1).unfold(3, 8, 1)  # (B, 1, 3, 3, 8, 8)
    dy, dx = torch.randint(0, 3, (2, len(x)), generator=gen)
    return windows[torch.arange(len(x)), :, dy, dx]


def train(epochs: int = 40, seed: int = 0, batch_size: int = 64) -> DigitClassifier:
    """Train the judge on the real train split (deterministic for a given seed)."""
    tr = data.load("train")
    gen = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = DigitClassifier(ClassifierConfig())
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=epochs * (len(tr.y) // batch_size))
    for _ in range(epochs):
        perm = torch.randperm(len(tr.y), generator=gen)
        for i in range(0, len(perm) - batch_size + 1, batch_size):
            idx = perm[i:i + batch_size]
            loss = F.cross_entropy(model(_shift(tr.x[idx], gen)), tr.y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
    return model.eval()


@lru_cache(maxsize=2)
def load(path: str = str(DEFAULT_PATH)) -> DigitClassifier:
    """The bundled judge (cached per process)."""
    return DigitClassifier.from_pretrained(path)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="Train the digits classifier used for image metrics.")
    p.add_argument("--out", default=str(DEFAULT_PATH))
    p.add_argument("--epochs", type=int, default=40)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    t0 = time.time()
    model = train(args.epochs, args.seed)
    with torch.inference_mode():
        te = data.load("test")
        prob = model(te.x).softmax(1)
        acc = (prob.argmax(1) == te.y).float().mean().item()
        conf = (prob.max(1).values >= 0.9).float().mean().item()
    model.save_pretrained(args.out)
    print(f"test accuracy {acc:.4f}  share with confidence >= 0.9: {conf:.4f}  ({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
