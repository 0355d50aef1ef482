"""Train a convolutional VAE (optionally class-conditional) on the 28x28 MNIST train split.

    python -m playground.train vae --out assets/models/vae-digits
"""
from __future__ import annotations

import argparse

from playground.images.learn import VAETrainer
from playground.images.training_run import add_common_arguments, dataset, run
from playground.images.vae import VAEConfig


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Command-line flags."""
    add_common_arguments(p, epochs=600, lr=1e-3)


def main(args: argparse.Namespace) -> dict:
    """CLI entry, called by ``python -m playground.train vae``."""
    cfg = VAEConfig(n_classes=10 if args.conditional else 0)
    cfg.z_dim = args.z_dim or cfg.z_dim
    cfg.ch = args.width or cfg.ch
    trainer = VAETrainer(cfg, dataset(args.data, args.train_size), seed=args.seed, batch_size=args.batch_size, lr=args.lr)
    return run(trainer, args, "vae")
