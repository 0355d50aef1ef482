"""Seeded noise, spherical interpolation and principal latent directions (GANSpace-style).

Every draw uses its own ``torch.Generator``: the noise for seed ``s`` is the same on every call,
whatever else the process is doing.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch


def noise(seed: int, z_dim: int, n: int = 1) -> torch.Tensor:
    """(n, z_dim) standard normal noise; row i is the noise of seed ``seed + i``.

    One generator per row, so the first image of a grid equals the single sample of that seed.
    """
    rows = [torch.randn(1, z_dim, generator=torch.Generator().manual_seed(seed + i)) for i in range(n)]
    return torch.cat(rows)


def slerp(a: torch.Tensor, b: torch.Tensor, t: float | torch.Tensor) -> torch.Tensor:
    """Spherical interpolation between latent vectors ``a`` and ``b`` (last dim); t=0 -> a, t=1 -> b.

    Gaussian latents live near a sphere of radius sqrt(d); a straight line cuts through its
    middle, where the model rarely saw any noise, and the images there fade.
    """
    t = torch.as_tensor(t, dtype=a.dtype).reshape(-1, *([1] * a.dim()))  # (T, 1, ..)
    an, bn = a / a.norm(dim=-1, keepdim=True), b / b.norm(dim=-1, keepdim=True)
    omega = torch.acos((an * bn).sum(-1, keepdim=True).clamp(-1 + 1e-7, 1 - 1e-7))
    so = torch.sin(omega)
    out = (torch.sin((1 - t) * omega) / so) * a + (torch.sin(t * omega) / so) * b
    linear = (1 - t) * a + t * b
    out = torch.where(so.abs() < 1e-6, linear, out)  # (nearly) parallel: plain lerp
    return out.squeeze(0) if out.shape[0] == 1 else out


@dataclass
class Directions:
    """k unit directions in latent space (k, z_dim), most important first, with the spread
    (standard deviation) of samples along each, and the share of variance each explains."""

    vectors: torch.Tensor
    spread: torch.Tensor
    explained: torch.Tensor


def pca(points: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Top-k principal axes (k, D), the std along each (k,), and their variance shares (k,)."""
    centered = points - points.mean(0)
    _, s, vt = torch.linalg.svd(centered, full_matrices=False)
    var = s.pow(2) / (len(points) - 1)
    return vt[:k], var[:k].sqrt(), var[:k] / var.sum()


def ganspace(features: torch.Tensor, z: torch.Tensor, k: int) -> Directions:
    """GANSpace (Harkonen et al. 2020): PCA on ``features`` = f(z), then regress z on the PCA
    coordinates to carry each component back into latent space as a direction."""
    axes, _, explained = pca(features, k)
    coords = (features - features.mean(0)) @ axes.T  # (N, k)
    u = torch.linalg.lstsq(coords, z - z.mean(0)).solution  # (k, z_dim): z ~= coords @ u
    u = u / u.norm(dim=1, keepdim=True)
    spread = (z @ u.T).std(0)
    return Directions(u, spread, explained)


def latent_pca(points: torch.Tensor, k: int) -> Directions:
    """Principal directions of latent points themselves (e.g. a VAE's encoded training digits)."""
    axes, spread, explained = pca(points, k)
    return Directions(axes, spread, explained)


def move(z: torch.Tensor, directions: Directions, amounts: list[float] | torch.Tensor) -> torch.Tensor:
    """z + sum_k amount_k * spread_k * direction_k (amounts in standard deviations)."""
    a = torch.as_tensor(amounts, dtype=z.dtype)
    k = len(a)
    return z + (a * directions.spread[:k]) @ directions.vectors[:k]
