"""The plain-words "how it works" note of each image model, chosen from its config's facts.

    explain_config({"model_type": "gan", "z_dim": 16, "n_classes": 10})   # the conditional GAN's note

A new model family adds its note here (and to ``NOTES``) and one branch in ``paragraphs``; the tab
shows the same pieces in the reader's language (``tabs/explanations.py``).
"""
from __future__ import annotations

from typing import Any

GAN = (
    "A GAN is two networks playing a game. The **generator** turns {z_dim} random numbers (the noise) "
    "into a 28x28 image; the **discriminator** sees real digits and generated ones and learns to tell "
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

AC_NOTE = (
    " Its discriminator also learned to name the digit of *real* images, and the generator was "
    "rewarded when that judge named its drawing as the digit it was asked for (AC-GAN)."
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

FLOW_PRIOR = (
    " In practice the encoder does not fill that cloud evenly: it packs the digits into clumps, and random "
    "numbers often fall between clumps, where the decoder draws a blur. So after training, a second small "
    "network (a **flow**) learned where the clumps are, and it moves your random numbers into them before the "
    "decoder draws: the seed and the sliders still move the same random numbers."
)

DIFFUSION = (
    "A diffusion model learned to clean up noise. In training, real digits were buried under more and "
    "more random noise, and one network (a small U-Net) learned to look at a noisy picture and guess the "
    "clean digit underneath. To draw, it starts from pure noise ({pixels} random numbers, one per pixel, "
    "fixed by the seed) and takes a number of small steps: at each step it guesses the clean digit (the "
    "lower row of the strip), then removes a little of the noise toward that guess (the upper row). The "
    "coarse shape appears first, the fine strokes last. More steps take longer and give cleaner digits. "
    "**DDIM** walks the same path every time (same noise, same digit); **DDPM** adds a little fresh noise at "
    "each step, so its digits vary more. The network is also told the digit you ask for; **guidance** "
    "compares its guesses with and without the digit and exaggerates the difference (classifier-free "
    "guidance): higher guidance gives more typical, less varied digits. With \"any digit\" it is not told, "
    "and the noise alone decides which digit appears."
)


NOTES = {"GAN": GAN, "CONDITIONAL_GAN": CONDITIONAL_GAN, "AUX_NOTE": AUX_NOTE, "AC_NOTE": AC_NOTE,
         "CODE_NOTE": CODE_NOTE, "VAE": VAE, "CONDITIONAL_VAE": CONDITIONAL_VAE, "FLOW_PRIOR": FLOW_PRIOR,
         "DIFFUSION": DIFFUSION}


def paragraphs(config: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The pieces of the note for ``config``: (name in ``NOTES``, its format values), in order."""
    kind = config.get("model_type")
    z_dim = config.get("z_dim", 16 if kind == "gan" else 8)
    conditional = bool(config.get("n_classes"))
    if kind == "vae":
        return [("VAE", {"z_dim": z_dim})] + ([("CONDITIONAL_VAE", {})] if conditional else []) \
            + ([("FLOW_PRIOR", {})] if config.get("prior") == "flow" else [])
    if kind == "diffusion":
        return [("DIFFUSION", {"pixels": config.get("image_size", 28) ** 2})]
    if kind != "gan":
        return []
    if conditional:
        return [("GAN", {"z_dim": z_dim}), ("CONDITIONAL_GAN", {})] + ([("AC_NOTE", {})] if config.get("aux_classes") else [])
    return [("GAN", {"z_dim": z_dim})] + ([("AUX_NOTE", {})] if config.get("aux_classes") else []) \
        + ([("CODE_NOTE", {})] if config.get("n_codes") else [])


def join(pieces: list[str]) -> str:
    """The note from its formatted pieces: a piece that starts with a space goes on the paragraph
    before it; any other starts a new paragraph."""
    out = ""
    for piece in pieces:
        out += piece if not out or piece.startswith(" ") else "\n\n" + piece
    return out


def explain_config(config: dict[str, Any], notes: dict[str, str] | None = None) -> str:
    """The note for a checkpoint whose config.json is ``config`` ("" for an unknown model type);
    ``notes``: the text of each piece by name (default: the English ``NOTES``)."""
    return join([(notes or NOTES)[name].format(**values) for name, values in paragraphs(config)])
