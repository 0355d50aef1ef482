"""A small convolutional VAE for 8x8 digits, with a proper likelihood.

Each pixel is one of 17 grey levels, so the decoder outputs a 17-way categorical per pixel and
the ELBO is an honest lower bound on log p(x) in nats (no Gaussian-on-discrete-data fudge).
The image shown is the decoder's expected grey level. ``n_classes=10`` makes it a conditional
VAE (the label goes into both encoder and decoder).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from playground.images.data import LEVELS, to_levels


@dataclass
class VAEConfig:
    """Shape of a VAE; a small latent so each axis has something to say."""

    z_dim: int = 8
    n_classes: int = 0
    ch: int = 32


class VAE(nn.Module):
    """Encoder (B, 1, 8, 8) -> N(mu, sigma); decoder (B, z_dim) -> 17 logits per pixel."""

    def __init__(self, config: VAEConfig):
        super().__init__()
        self.config = config
        c, k = config.ch, config.n_classes
        self.enc = nn.Sequential(
            nn.Conv2d(1 + k, c, 3, 1, 1), nn.SiLU(),
            nn.Conv2d(c, 2 * c, 4, 2, 1), nn.SiLU(),  # 4x4
            nn.Conv2d(2 * c, 4 * c, 4, 2, 1), nn.SiLU(),  # 2x2
            nn.Flatten(), nn.Linear(4 * c * 4, 2 * config.z_dim),
        )
        self.fc = nn.Linear(config.z_dim + k, 4 * c * 4)
        self.dec = nn.Sequential(
            nn.SiLU(),
            nn.ConvTranspose2d(4 * c, 2 * c, 4, 2, 1), nn.SiLU(),  # 4x4
            nn.ConvTranspose2d(2 * c, c, 4, 2, 1), nn.SiLU(),  # 8x8
            nn.Conv2d(c, LEVELS, 3, 1, 1),
        )
        self.register_buffer("levels", torch.linspace(-1, 1, LEVELS), persistent=False)

    @property
    def z_dim(self) -> int:
        return self.config.z_dim

    @property
    def n_classes(self) -> int:
        return self.config.n_classes

    def _onehot(self, y: torch.Tensor | None, n: int) -> torch.Tensor | None:
        if not self.n_classes:
            return None
        if y is None:
            raise ValueError("This model is class-conditional: choose a digit.")
        if y.is_floating_point():  # (B, n_classes) class weights, to blend digits
            return y.view(n, -1)
        return F.one_hot(y, self.n_classes).float().view(n, -1)

    def encode(self, x: torch.Tensor, y: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Posterior mean and log-variance, each (B, z_dim)."""
        oh = self._onehot(y, len(x))
        if oh is not None:
            x = torch.cat([x, oh[:, :, None, None].expand(-1, -1, *x.shape[2:])], dim=1)
        mu, logvar = self.enc(x).chunk(2, dim=1)
        return mu, logvar

    def logits(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """(B, 17, 8, 8) logits over grey levels."""
        oh = self._onehot(y, len(z))
        if oh is not None:
            z = torch.cat([z, oh], dim=1)
        return self.dec(self.fc(z).view(len(z), -1, 2, 2))

    def decode(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """(B, 1, 8, 8) expected image in [-1, 1]."""
        p = self.logits(z, y).softmax(dim=1)
        return torch.einsum("bkhw,k->bhw", p, self.levels).unsqueeze(1)

    forward = decode

    def elbo(self, x: torch.Tensor, y: torch.Tensor | None = None,
             generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-image reconstruction log-likelihood and KL (nats); ELBO = rec - kl."""
        mu, logvar = self.encode(x, y)
        eps = torch.randn(mu.shape, generator=generator, device=mu.device)
        z = mu + eps * (0.5 * logvar).exp()
        rec = -F.cross_entropy(self.logits(z, y), to_levels(x).squeeze(1), reduction="none").sum((1, 2))
        kl = 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(1)
        return rec, kl
