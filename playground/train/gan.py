"""Train a DCGAN (optionally class-conditional) on the 28x28 MNIST train split.

    python -m playground.train gan --out assets/models/gan-digits
    python -m playground.train gan --conditional --out assets/models/cgan-digits
"""
from __future__ import annotations

import argparse

from playground.images.gan import GANConfig
from playground.images.learn import GANTrainer
from playground.images.training_run import add_common_arguments, dataset, run


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Command-line flags."""
    add_common_arguments(p, epochs=1500, lr=2e-4)
    p.add_argument("--ema", type=float, default=0.999, help="decay of the generator's moving average")
    p.add_argument("--aux-weight", type=float, default=0.0,
                   help="weight of the reward from a discriminator head that classifies real training digits: "
                        "clear-cut, evenly spread digits (unconditional), the asked digit (conditional, AC-GAN); "
                        "0 = plain GAN")
    p.add_argument("--codes", type=int, default=0,
                   help="unconditional only: a categorical code of this many values read off the noise "
                        "(InfoGAN; 10 for digits, 0 = off)")
    p.add_argument("--info-weight", type=float, default=1.0, help="weight of the code-recognition (InfoGAN) loss")


def main(args: argparse.Namespace) -> dict:
    """CLI entry, called by ``python -m playground.train gan``."""
    cfg = GANConfig(n_classes=10 if args.conditional else 0,
                    aux_classes=10 if args.aux_weight > 0 else 0,
                    n_codes=0 if args.conditional else args.codes)
    cfg.z_dim = args.z_dim or cfg.z_dim
    cfg.g_ch = cfg.d_ch = args.width or cfg.g_ch
    trainer = GANTrainer(cfg, dataset(args.data, args.train_size), seed=args.seed, batch_size=args.batch_size, lr=args.lr,
                         ema=args.ema, aux_weight=args.aux_weight, info_weight=args.info_weight)
    return run(trainer, args, "gan")
