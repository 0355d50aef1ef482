"""Train a DCGAN (optionally class-conditional) on the bundled 8x8 digits.

    python -m playground.train gan --dataset digits --out assets/models/gan-digits
    python -m playground.train gan --conditional --out assets/models/cgan-digits
"""
from __future__ import annotations

import argparse

from playground.images import data
from playground.images.gan import GANConfig
from playground.images.learn import GANTrainer
from playground.images.training_run import add_common_arguments, run

HOW_IT_WORKS = (
    "A GAN is two networks playing a game. The **generator** turns 16 random numbers (the noise) "
    "into an 8x8 image; the **discriminator** sees real digits and generated ones and learns to tell "
    "them apart. The generator is trained to fool it. When neither can win any more, the generator's "
    "images look like the real digits. The saved weights are a running average of the generator "
    "(EMA), which gives steadier images."
)

AUX_NOTE = (
    "This GAN is still unconditional (you cannot ask for a digit: the noise alone decides), but "
    "during training its discriminator also learned to name the digit of *real* training images, "
    "and the generator was rewarded when that judge found each of its drawings clearly one digit "
    "and all ten digits equally often (as in CatGAN and AC-GAN). That pushes it away from "
    "in-between scribbles and from drawing some digits more than others."
)

CODE_NOTE = (
    "Its noise also holds a **categorical code**: whichever of the first ten noise numbers is the "
    "largest picks one of ten 'styles' (InfoGAN). Nobody told it which style is which digit; it "
    "sorted that out itself, because the discriminator had to guess the style from the picture. "
    "So a seed jumps cleanly from one digit to another when a slider makes a different number "
    "the largest, instead of passing through shapes that are half one digit and half another."
)


def how_it_works(config: dict) -> str:
    """The plain-words note for a GAN with this config (as in its config.json)."""
    notes = [HOW_IT_WORKS]
    if config.get("aux_classes"):
        notes.append(AUX_NOTE)
    if config.get("n_codes"):
        notes.append(CODE_NOTE)
    return "\n\n".join(notes)


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_common_arguments(p, epochs=1500, lr=2e-4)
    p.add_argument("--ema", type=float, default=0.999, help="decay of the generator's moving average")
    p.add_argument("--aux-weight", type=float, default=0.0,
                   help="unconditional only: weight of the clear-digit / even-spread reward from a discriminator "
                        "head that classifies real training digits (0 = plain GAN)")
    p.add_argument("--codes", type=int, default=0,
                   help="unconditional only: a categorical code of this many values read off the noise "
                        "(InfoGAN; 10 for digits, 0 = off)")
    p.add_argument("--info-weight", type=float, default=1.0, help="weight of the code-recognition (InfoGAN) loss")


def main(args: argparse.Namespace) -> dict:
    cfg = GANConfig(n_classes=10 if args.conditional else 0,
                    aux_classes=10 if args.aux_weight > 0 and not args.conditional else 0,
                    n_codes=0 if args.conditional else args.codes)
    if args.z_dim:
        cfg.z_dim = args.z_dim
    if args.width:
        cfg.g_ch = cfg.d_ch = args.width
    trainer = GANTrainer(cfg, _dataset(args.dataset), seed=args.seed,
                         batch_size=args.batch_size, lr=args.lr, ema=args.ema,
                         aux_weight=args.aux_weight, info_weight=args.info_weight)
    if args.decay_from < 1:
        trainer.decay_lr(args.epochs * trainer.steps_per_epoch, args.decay_from)
    return run(trainer, args, "gan", how_it_works(vars(cfg)))


def _dataset(name: str) -> data.DigitsSplit:
    try:
        return data.load_dataset(name)
    except ValueError as e:
        raise SystemExit(str(e)) from None
