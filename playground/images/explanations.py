"""The plain-words "how it works" note of each image model, chosen from its config's facts.

    explain_config({"model_type": "gan", "z_dim": 16, "n_classes": 10})   # the conditional GAN's note

A new model family adds its note here and one branch in ``explain_config``.
"""
from __future__ import annotations

from typing import Any

GAN = (
    "A GAN is two networks playing a game. The **generator** turns {z_dim} random numbers (the noise) "
    "into an 8x8 image; the **discriminator** sees real digits and generated ones and learns to tell "
    "them apart. The generator is trained to fool it. When neither can win any more, the generator's "
    "images look like the real digits. The saved weights are a running average of the generator "
    "(EMA), which gives steadier images."
)

CONDITIONAL_GAN = (
    " The **conditional** GAN also gets the digit you ask for, and its discriminator "
    "judges \"is this a real 7?\", so the generator learns to draw the asked digit."
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

VAE = (
    "A VAE (variational autoencoder) learns to squeeze each digit into {z_dim} numbers (the **encoder**) "
    "and to redraw the digit from those {z_dim} numbers (the **decoder**). It is also pushed to place the "
    "codes of all digits like a cloud of plain random noise, so any random {z_dim} numbers decode to a "
    "plausible digit, and nearby codes decode to similar digits: that is why walking between two "
    "codes gives smooth morphs."
)

CONDITIONAL_VAE = " The **conditional** VAE also gets the digit you ask for, in its encoder and its decoder."


def explain_config(config: dict[str, Any]) -> str:
    """The note for a checkpoint whose config.json is ``config`` ("" for an unknown model type)."""
    kind = config.get("model_type")
    z_dim = config.get("z_dim", 16 if kind == "gan" else 8)
    conditional = bool(config.get("n_classes"))
    if kind == "vae":
        return VAE.format(z_dim=z_dim) + (CONDITIONAL_VAE if conditional else "")
    if kind != "gan":
        return ""
    if conditional:
        return GAN.format(z_dim=z_dim) + CONDITIONAL_GAN
    notes = [GAN.format(z_dim=z_dim)]
    if config.get("aux_classes"):
        notes.append(AUX_NOTE)
    if config.get("n_codes"):
        notes.append(CODE_NOTE)
    return "\n\n".join(notes)
