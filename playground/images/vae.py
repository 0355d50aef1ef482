"""A small convolutional VAE for 28x28 MNIST digits, with an honest likelihood.

MNIST pixels are 256 grey levels, so the decoder gives each pixel a *discretised logistic*
distribution over those 256 levels (PixelCNN++, Salimans et al. 2017): a mean and a scale per
pixel, the probability of a level being the logistic's mass over that level's bin, the two end
bins taking the tails. The ELBO is then a true lower bound on log p(x) of the 8-bit image in nats,
and bits per dimension is that over 784 ln 2. The image shown is the decoder's mean.
``n_classes=10`` makes it a conditional VAE (the label goes into both encoder and decoder).

``prior="flow"``: the latent is drawn from a learned prior, a RealNVP flow fitted after training
to where the encoder puts the training digits (``latent_flow``; fitted by
``python -m playground.train vae-prior``). ``decode`` then takes standard normal *noise* and maps
it through the flow first, so seeds, sliders and interpolation work on the noise as before.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from playground.images.latent_flow import LatentFlow

LEVELS = 256  # grey levels of an MNIST pixel
LIKELIHOODS = {"logistic": "discretised logistic over the 256 grey levels of each pixel",
               "bernoulli": "Bernoulli (ink or paper) per pixel of the image binarised at half intensity"}
PRIORS = {"normal": "the standard normal N(0, I) it was trained with",
          "flow": "a RealNVP flow fitted to the encoded training digits after training (ex-post density estimation)"}


@dataclass
class VAEConfig:
    """Shape of a VAE; a small latent so each axis has something to say."""

    z_dim: int = 8
    n_classes: int = 0
    ch: int = 32
    # "logistic": a discretised logistic over the 256 grey levels of each pixel (a likelihood of
    # the 8-bit image); "bernoulli": ink or paper per pixel (a likelihood of the image binarised
    # at half intensity, the classic binarised-MNIST setting)
    likelihood: str = "logistic"
    # "normal": draw the latent from N(0, I); "flow": from a flow fitted after training
    prior: str = "normal"
    flow_layers: int = 8
    flow_hidden: int = 128


def discretised_logistic_logp(x: torch.Tensor, mean: torch.Tensor, log_scale: torch.Tensor) -> torch.Tensor:
    """log P(x) per pixel for images ``x`` in [-1, 1] whose values sit on 256 levels (bin width 2/255)."""
    half = 1.0 / (LEVELS - 1)
    inv = torch.exp(-log_scale)
    centred = x - mean
    cdf_plus = torch.sigmoid(inv * (centred + half))
    cdf_minus = torch.sigmoid(inv * (centred - half))
    log_cdf_plus = F.logsigmoid(inv * (centred + half))  # the lowest level takes everything below
    log_one_minus_cdf_minus = -F.softplus(inv * (centred - half))  # the highest takes everything above
    mid = (cdf_plus - cdf_minus).clamp_min(1e-12).log()
    return torch.where(x < -0.999, log_cdf_plus, torch.where(x > 0.999, log_one_minus_cdf_minus, mid))


class VAE(nn.Module):
    """Encoder (B, 1, 28, 28) -> N(mu, sigma); decoder (B, z_dim) -> a mean and scale per pixel."""

    def __init__(self, config: VAEConfig):
        super().__init__()
        self.config = config
        c, k = config.ch, config.n_classes
        self.enc = nn.Sequential(
            nn.Conv2d(1 + k, c, 4, 2, 1), nn.SiLU(),  # 14x14
            nn.Conv2d(c, 2 * c, 4, 2, 1), nn.SiLU(),  # 7x7
            nn.Flatten(), nn.Linear(2 * c * 49, 128), nn.SiLU(), nn.Linear(128, 2 * config.z_dim),
        )
        self.fc = nn.Sequential(nn.Linear(config.z_dim + k, 128), nn.SiLU(), nn.Linear(128, 2 * c * 49))
        self.dec = nn.Sequential(
            nn.SiLU(),
            nn.ConvTranspose2d(2 * c, c, 4, 2, 1), nn.SiLU(),  # 14x14
            nn.ConvTranspose2d(c, c, 4, 2, 1), nn.SiLU(),  # 28x28
            nn.Conv2d(c, 2 if config.likelihood == "logistic" else 1, 3, 1, 1),  # mean, log-scale | ink logit
        )
        if config.likelihood not in LIKELIHOODS:
            raise ValueError(f"Unknown likelihood '{config.likelihood}': use one of {', '.join(LIKELIHOODS)}.")
        if config.prior not in PRIORS:
            raise ValueError(f"Unknown prior '{config.prior}': use one of {', '.join(PRIORS)}.")
        self.flow = LatentFlow(config.z_dim, config.flow_layers, config.flow_hidden, k) if config.prior == "flow" else None

    def add_flow(self) -> LatentFlow:
        """Switch to the learned prior: a fresh (identity) flow to fit; returns it."""
        self.config.prior = "flow"
        self.flow = LatentFlow(self.z_dim, self.config.flow_layers, self.config.flow_hidden, self.n_classes)
        return self.flow

    def latent(self, noise: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """Standard normal noise -> a latent drawn from the prior (the flow's map, or itself)."""
        if self.flow is None:
            return noise
        return self.flow(noise, self._onehot(y, len(noise)))

    def to_noise(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """A latent -> the noise that ``latent`` maps to it (inverse of the flow)."""
        if self.flow is None:
            return z
        return self.flow.inverse(z, self._onehot(y, len(z)))[0]

    def prior_log_prob(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """(B,) log density of latents under the prior."""
        if self.flow is None:
            return -0.5 * (z.pow(2).sum(1) + z.shape[1] * math.log(2 * math.pi))
        return self.flow.log_prob(z, self._onehot(y, len(z)))

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

    def _out(self, z: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        oh = self._onehot(y, len(z))
        if oh is not None:
            z = torch.cat([z, oh], dim=1)
        return self.dec(self.fc(z).view(len(z), -1, 7, 7))

    def pixel_params(self, z: torch.Tensor, y: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, 1, 28, 28) mean and log-scale of each pixel's discretised logistic."""
        out = self._out(z, y)
        return out[:, :1], out[:, 1:].clamp(-7.0, 2.0)

    def decode(self, noise: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """(B, 1, 28, 28) image in [-1, 1] of standard normal ``noise`` (through the prior's map):
        the decoder's mean (logistic: its centre, clamped to the pixel range; Bernoulli: the
        probability of ink, as grey)."""
        return self.decode_latent(self.latent(noise, y), y)

    def decode_latent(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """``decode`` of a latent itself (e.g. an encoder's mean): no prior map."""
        if self.config.likelihood == "bernoulli":
            return torch.sigmoid(self._out(z, y)) * 2 - 1
        return self.pixel_params(z, y)[0].clamp(-1, 1)

    forward = decode

    def elbo(self, x: torch.Tensor, y: torch.Tensor | None = None,
             generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-image reconstruction log-likelihood and KL (nats); ELBO = rec - kl. With the flow
        prior the KL is a one-sample estimate, log q(z|x) - log p(z), at the same z."""
        mu, logvar = self.encode(x, y)
        eps = torch.randn(mu.shape, generator=generator, device=mu.device)
        z = mu + eps * (0.5 * logvar).exp()
        if self.config.likelihood == "bernoulli":
            ink = (x > 0).float()  # binarised at half intensity
            rec = -F.binary_cross_entropy_with_logits(self._out(z, y), ink, reduction="none").sum((1, 2, 3))
        else:
            x = ((x.clamp(-1, 1) + 1) * 127.5).round() / 127.5 - 1  # on the 256 levels exactly
            rec = discretised_logistic_logp(x, *self.pixel_params(z, y)).sum((1, 2, 3))
        if self.flow is None:
            kl = 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(1)
        else:
            log_q = -0.5 * (eps.pow(2) + logvar + math.log(2 * math.pi)).sum(1)
            kl = log_q - self.prior_log_prob(z, y)
        return rec, kl


def bits_per_dim(nats_per_image: float, pixels: int = 28 * 28) -> float:
    """Negative log-likelihood in nats per image -> bits per pixel."""
    return nats_per_image / (pixels * math.log(2))
