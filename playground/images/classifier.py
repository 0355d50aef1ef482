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

from playground import checkpoint
from playground.card import Card, write_card
from playground.config import MODELS
from playground.images import data
from playground.train import loop

DEFAULT_PATH = MODELS / "digits-classifier"
MODEL_TYPE = "digits-classifier"
BODY = ("The judge of the image metrics: a small CNN trained on the real train split only (one-pixel random "
        "shifts, AdamW). Its 64-d penultimate layer is the feature space of the "
        "Frechet distance in `python -m playground.images.metrics`.")


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


def _shift(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Shift each image by up to one pixel in x and y (the border is blank paper, -1)."""
    windows = F.pad(x, (1, 1, 1, 1), value=-1.0).unfold(2, 8, 1).unfold(3, 8, 1)  # (B, 1, 3, 3, 8, 8)
    dy, dx = torch.randint(0, 3, (2, len(x)), generator=gen)
    return windows[torch.arange(len(x)), :, dy, dx]


def train(epochs: int = 40, seed: int = 0, batch_size: int = 64) -> DigitClassifier:
    """Train the judge on the real train split with the one training loop (deterministic per seed)."""
    tr = data.load("train")
    gen = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = DigitClassifier(ClassifierConfig())
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-3)
    batches = data.minibatches(tr, batch_size, gen)

    def step() -> dict[str, float]:
        x, y = next(batches)
        loss = F.cross_entropy(model(_shift(x, gen)), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return {"loss": loss.item()}

    steps = epochs * (len(tr.y) // batch_size)
    cfg = loop.LoopConfig(max_steps=steps, max_minutes=60, warmup_steps=steps // 10, schedule="cosine",
                     min_lr_ratio=0.0, log_interval=steps, keep_best=False)
    for _ in loop.train(step, [opt], cfg, bar="train digits-classifier"):
        pass
    return model.eval()


@lru_cache(maxsize=2)
def load(path: str = str(DEFAULT_PATH)) -> DigitClassifier:
    """The bundled judge (cached per process)."""
    return checkpoint.from_pretrained(DigitClassifier, ClassifierConfig, path,
                                      "python -m playground.images.classifier --out " + str(path))


@torch.inference_mode()
def test_scores(model: DigitClassifier) -> dict[str, float]:
    """Accuracy on the real test split, and the share it labels with confidence >= 0.9."""
    te = data.load("test")
    prob = model(te.x).softmax(1)
    return {"test_accuracy": (prob.argmax(1) == te.y).float().mean().item(),
            "confident_share": (prob.max(1).values >= 0.9).float().mean().item()}


def save(model: DigitClassifier, out: str | Path, card: Card, body: str = "") -> Path:
    """The checkpoint (config.json + model.safetensors) and its model card."""
    checkpoint.save_pretrained(model, out, MODEL_TYPE)
    write_card(out, card, body)
    return Path(out)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="Train the digits classifier used for image metrics.")
    p.add_argument("--out", default=str(DEFAULT_PATH))
    p.add_argument("--epochs", type=int, default=40)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    t0 = time.time()
    model = train(args.epochs, args.seed)
    scores = test_scores(model)
    card = Card(model=Path(args.out).name, model_type=MODEL_TYPE,
                command=f"python -m playground.images.classifier --out {args.out} --epochs {args.epochs} --seed {args.seed}",
                data=data.SOURCE, parameters=sum(p.numel() for p in model.parameters()),
                train_seconds=round(time.time() - t0, 1), steps=args.epochs * (len(data.load("train").y) // 64),
                metrics=scores,
                config={"epochs": args.epochs, "seed": args.seed, "batch_size": 64, "lr": 2e-3, "weight_decay": 1e-3})
    save(model, args.out, card, BODY)
    print(f"test accuracy {scores['test_accuracy']:.4f}  share with confidence >= 0.9: "
          f"{scores['confident_share']:.4f}  ({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
