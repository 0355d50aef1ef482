"""A small DCGAN for 28x28 MNIST digits: generator (noise [+ class] -> image) and discriminator.

Generator: z -> linear -> (2c, 7, 7) -> two transposed convs (14x14, 28x28) -> 3x3 conv -> tanh.
Pixel normalisation (ProGAN) instead of batch norm, so one image does not depend on the rest
of its batch (a slider redraw is a batch of one) and the EMA copy needs no statistics.
Discriminator: three convs with spectral norm, a minibatch-stddev channel against mode
collapse, and a projection term (Miyato & Koyama 2018) when it is class-conditional.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm


@dataclass
class GANConfig:
    """Shape of a GAN; ``n_classes=0`` is unconditional, 10 lets you ask for a digit."""

    z_dim: int = 32  # small, so a handful of directions already explain most of it
    n_classes: int = 0
    g_ch: int = 64
    d_ch: int = 32
    # the discriminator also learns to classify *real* digits; the unconditional generator is then
    # rewarded for clear-cut, evenly spread digits (CatGAN style), the conditional one for drawing
    # the digit it was asked for (AC-GAN, Odena et al. 2017); 0 = off
    aux_classes: int = 0
    # unconditional GAN only: the largest of the first ``n_codes`` noise numbers picks one of
    # ``n_codes`` styles, fed to the generator as a one-hot code (InfoGAN's categorical code, read
    # off the same Gaussian noise, so seeds, sliders and interpolation work unchanged). The
    # generator can then jump from one digit to another instead of morphing through scribbles.
    n_codes: int = 0


class PixelNorm(nn.Module):
    """Scale each pixel's feature vector to unit RMS (no batch statistics)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(dim=1, keepdim=True) + 1e-8)


class Generator(nn.Module):
    """(B, z_dim) noise [+ (B,) labels] -> (B, 1, 28, 28) image in [-1, 1]."""

    def __init__(self, config: GANConfig):
        super().__init__()
        self.config = config
        c = config.g_ch
        self.embed = nn.Embedding(config.n_classes, config.z_dim) if config.n_classes else None
        if config.n_codes and (config.n_classes or config.n_codes > config.z_dim):
            raise ValueError("n_codes needs an unconditional GAN and n_codes <= z_dim.")
        in_dim = config.z_dim * (2 if config.n_classes else 1) + config.n_codes
        self.fc = nn.Linear(in_dim, 2 * c * 49)
        self.head = nn.Sequential(PixelNorm(), nn.LeakyReLU(0.2))
        self.body = nn.Sequential(
            nn.ConvTranspose2d(2 * c, c, 4, 2, 1), PixelNorm(), nn.LeakyReLU(0.2),  # 14x14
            nn.ConvTranspose2d(c, c // 2, 4, 2, 1), PixelNorm(), nn.LeakyReLU(0.2),  # 28x28
            nn.Conv2d(c // 2, 1, 3, 1, 1), nn.Tanh(),
        )

    @property
    def z_dim(self) -> int:
        return self.config.z_dim

    @property
    def n_classes(self) -> int:
        return self.config.n_classes

    def code(self, z: torch.Tensor) -> torch.Tensor:
        """(B,) the categorical code each noise vector picks (argmax of its first ``n_codes`` numbers)."""
        return z[:, :self.config.n_codes].argmax(1)

    def features(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """First-layer activations (B, 2c, 7, 7): the space GANSpace runs PCA in.

        ``y`` is (B,) class ids, or (B, n_classes) float class weights to blend digits."""
        if self.embed is not None:
            if y is None:
                raise ValueError("This model is class-conditional: choose a digit.")
            e = y @ self.embed.weight if y.is_floating_point() else self.embed(y)  # float y: class weights
            z = torch.cat([z, e], dim=1)
        elif self.config.n_codes:
            z = torch.cat([z, nn.functional.one_hot(self.code(z), self.config.n_codes).to(z.dtype)], dim=1)
        return self.head(self.fc(z).view(len(z), -1, 7, 7))

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.body(self.features(z, y))

    decode = forward  # the name every image model shares (VAE.decode)


class Discriminator(nn.Module):
    """(B, 1, 28, 28) image [+ labels] -> (B,) realness logit."""

    def __init__(self, config: GANConfig):
        super().__init__()
        self.config = config
        c = config.d_ch
        sn = spectral_norm
        self.convs = nn.Sequential(
            sn(nn.Conv2d(1, c, 4, 2, 1)), nn.LeakyReLU(0.2),  # 14x14
            sn(nn.Conv2d(c, 2 * c, 4, 2, 1)), nn.LeakyReLU(0.2),  # 7x7
        )
        self.last = nn.Sequential(sn(nn.Conv2d(2 * c + 1, 4 * c, 3, 2, 1)), nn.LeakyReLU(0.2))  # 4x4
        feat = 4 * c * 16
        self.out = sn(nn.Linear(feat, 1))
        self.embed = sn(nn.Embedding(config.n_classes, feat)) if config.n_classes else None
        aux = config.aux_classes
        self.aux = nn.Linear(feat, aux) if aux else None  # no spectral norm: logits must grow
        codes = config.n_codes if not config.n_classes else 0
        self.q = nn.Linear(feat, codes) if codes else None  # InfoGAN's Q: which code drew this?

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None,
                with_aux: bool = False) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        logit, h = self.logit_and_features(x, y)
        if with_aux:
            if self.aux is None:
                raise ValueError("This discriminator has no auxiliary classifier (aux_classes=0).")
            return logit, self.aux(h)  # (B,), (B, aux_classes)
        return logit

    def logit_and_features(self, x: torch.Tensor, y: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """(B,) realness logit and the (B, 64c) features the extra heads read."""
        h = self.convs(x)
        std = h.std(dim=0, unbiased=False).mean().expand(len(h), 1, *h.shape[2:])  # minibatch stddev
        h = self.last(torch.cat([h, std], dim=1)).flatten(1)
        logit = self.out(h).squeeze(1)
        if self.embed is not None:
            logit = logit + (self.embed(y) * h).sum(dim=1)
        return logit, h
