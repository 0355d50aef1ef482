"""The judge of generated 28x28 digits: a small CNN trained on the MNIST train split only.

    probs, feats = judge.judge(x)            # x (N, 1, 28, 28) in [-1, 1]
    judge.image_stats(x, asked=y)            # recognised share, histogram, Frechet vs real test

Train it with ``python -m playground.train judge`` (playground/train/judge.py). Its 128-d
penultimate layer is the feature space of the Frechet distance (FID's recipe, this judge's
features instead of Inception's).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import torch
from torch import nn

from playground.checkpoint import from_pretrained
from playground.config import MODELS
from playground.images import mnist
from playground.images.metrics import class_histogram, frechet_distance, recognised_share

DEFAULT_PATH = MODELS / "mnist-judge"
MODEL_TYPE = "mnist-judge"
HINT = "python -m playground.train judge --out assets/models/mnist-judge"


@dataclass
class JudgeConfig:
    """Shape of the judge."""

    ch: int = 16  # 2.5x faster to train than 32 on 2 CPU cores
    features: int = 128
    dropout: float = 0.3


def _block(i: int, o: int) -> list[nn.Module]:
    return [nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU()]


def _body(cfg: JudgeConfig) -> nn.Sequential:
    """Two conv pairs with pooling (28 -> 14 -> 7), then the feature layer."""
    c = cfg.ch
    return nn.Sequential(*_block(1, c), *_block(c, c), nn.MaxPool2d(2),
                         *_block(c, 2 * c), *_block(2 * c, 2 * c), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Dropout(cfg.dropout), nn.Linear(2 * c * 49, cfg.features), nn.ReLU())


class Judge(nn.Module):
    """(B, 1, 28, 28) in [-1, 1] -> 10 logits; ``features`` gives the layer before them."""

    def __init__(self, config: JudgeConfig):
        super().__init__()
        self.config, self.body = config, _body(config)
        self.head = nn.Linear(config.features, mnist.N_CLASSES)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))


@lru_cache(maxsize=2)
def load(path: str = str(DEFAULT_PATH)) -> Judge:
    """The trained judge (cached per process); ValueError if missing or unreadable."""
    return from_pretrained(Judge, JudgeConfig, path, HINT)


@torch.inference_mode()
def judge(x: torch.Tensor, model: Judge | None = None, batch: int = 500) -> tuple[torch.Tensor, torch.Tensor]:
    """Class probabilities (N, 10) and features (N, 128) of images in [-1, 1]."""
    model = (model or load()).eval()
    feats = torch.cat([model.features(x[i:i + batch]) for i in range(0, len(x), batch)])
    return model.head(feats).softmax(1), feats


@lru_cache(maxsize=2)
def _reference(judge_path: str, data_path: str) -> torch.Tensor:
    return judge(mnist.load("test", data_path).x, load(judge_path))[1]


def test_features(judge_path: str | Path = DEFAULT_PATH, data_path: str | Path = mnist.DEFAULT_PATH) -> torch.Tensor:
    """The judge's features of the 1,500 real test digits (cached)."""
    return _reference(str(judge_path), str(data_path))


def image_stats(x: torch.Tensor, asked: torch.Tensor | None = None, model: Judge | None = None,
                reference: torch.Tensor | None = None) -> dict:
    """Recognised share, class histogram, Frechet distance to ``reference`` (default: real test
    features) and, with ``asked`` digits, the share that came out as the asked digit."""
    probs, feats = judge(x, model)
    reference = test_features() if reference is None else reference
    hist = class_histogram(probs)
    row = {"n": len(x), "recognised": recognised_share(probs), "histogram": [round(h, 4) for h in hist],
           "min_class": min(hist), "max_class": max(hist), "frechet_test": frechet_distance(feats, reference)}
    if asked is not None:
        row["asked_digit"] = (probs.argmax(1) == asked).float().mean().item()
    return row


def real_rows(model: Judge | None = None, data_path: str | Path = mnist.DEFAULT_PATH, n: int = 1000) -> dict[str, dict]:
    """Reference rows: the judge on the real test digits (their accuracy too), on all real train
    digits, and on ``n`` random train digits: the Frechet distance has a small-sample bias, so
    a generator's ``n`` samples compare fairly with that last row."""
    te, tr = mnist.load("test", data_path), mnist.load("train", data_path)
    ref = judge(te.x, model)[1]
    pick = torch.randperm(len(tr.y), generator=torch.Generator().manual_seed(0))[:n]
    return {"real test": image_stats(te.x, te.y, model, ref), "real train": image_stats(tr.x, tr.y, model, ref),
            f"real train ({n:,})": image_stats(tr.x[pick], tr.y[pick], model, ref)}
