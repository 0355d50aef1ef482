"""Train a convolutional VAE (optionally class-conditional) on the bundled 8x8 digits.

    python -m playground.train vae --dataset digits --out assets/models/vae-digits
"""
from __future__ import annotations

import argparse

from playground.images import data
from playground.images.learn import VAETrainer
from playground.images.training_run import add_common_arguments, run
from playground.images.vae import VAEConfig

HOW_IT_WORKS = (
    "A VAE (variational autoencoder) learns to squeeze each digit into 8 numbers (the **encoder**) "
    "and to redraw the digit from those 8 numbers (the **decoder**). It is also pushed to place the "
    "codes of all digits like a cloud of plain random noise, so any random 8 numbers decode to a "
    "plausible digit, and nearby codes decode to similar digits: that is why walking between two "
    "codes gives smooth morphs."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_common_arguments(p, epochs=600, lr=1e-3)


def main(args: argparse.Namespace) -> dict:
    cfg = VAEConfig(n_classes=10 if args.conditional else 0)
    if args.z_dim:
        cfg.z_dim = args.z_dim
    if args.width:
        cfg.ch = args.width
    trainer = VAETrainer(cfg, _dataset(args.dataset), seed=args.seed,
                         batch_size=args.batch_size, lr=args.lr)
    if args.decay_from < 1:
        trainer.decay_lr(args.epochs * trainer.steps_per_epoch, args.decay_from)
    return run(trainer, args, "vae", HOW_IT_WORKS)


def _dataset(name: str) -> data.DigitsSplit:
    try:
        return data.load_dataset(name)
    except ValueError as e:
        raise SystemExit(str(e)) from None
