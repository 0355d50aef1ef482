"""The diffusion model as an image model of the Images tab: the UNet behind the same interface as
the GAN and the VAE (``z_dim``, ``n_classes``, ``decode(z, y)``), its slider directions, and the
pictures of its trajectory.

    m = catalog.load("diffusion-mnist")                   # m.module is a DiffusionImages
    z = latent.noise(3, m.module.z_dim)                   # (1, 784): the starting noise image, flattened
    traj = m.module.trajectory(z, torch.tensor([7]), steps=20, guidance=1.5, sampler="ddim", seeds=[3], frames=21)
    strip(traj), gif(traj, "denoising.gif")               # x_t over the guess of x0; the animation

The "latent" of a diffusion image is its starting noise (784 numbers). DDIM is deterministic, so
nearby noise gives a similar digit: interpolation morphs, and the sliders add smooth
low-frequency patterns to the noise, because the coarse shape of the digit is decided by the
low frequencies of the noise (the fine ones mostly become stroke texture).
"""
from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import torch
from PIL import Image

from playground.contract import Loaded
from playground.images import diffusion as D
from playground.images import render
from playground.images.sampling import latent

# (row frequency, column frequency), amount of one slider step in noise standard deviations along
# that unit pattern: chosen by eye on grids of -4..4 so that the digit changes smoothly over most of
# the range (the flat and the centre/sides patterns act most strongly; +-4 can still break a digit).
SLIDER_WAVES = [((0, 0), 1.0), ((1, 1), 2.5), ((0, 2), 1.0), ((2, 0), 1.0), ((0, 1), 2.5), ((1, 0), 2.5)]
SLIDER_NOTE = ("Diffusion: each slider adds one smooth, blurry wave pattern (the flat one, a diagonal, "
               "centre-versus-sides, ...) to the starting noise; the sampler settles the digit's coarse shape "
               "from the noise's low frequencies, so the digit thickens, slants, widens or shifts smoothly.")
LIKE_FREQS = 8  # "More like what I liked" moves only the 8x8 lowest frequencies of the noise
STRIP_FRAMES = 8
GIF_FRAMES = 41  # at most this many steps are kept for the animation


class DiffusionImages(D.UNet):
    """The diffusion UNet with the image-model interface: its latent is the starting noise image."""

    @property
    def z_dim(self) -> int:
        return self.config.image_size ** 2

    @property
    def n_classes(self) -> int:
        return self.config.n_classes

    def trajectory(self, z: torch.Tensor, y: torch.Tensor | Sequence[int | None] | None = None,
                   steps: int = D.DEFAULT_STEPS, guidance: float = D.DEFAULT_GUIDANCE, sampler: str = "ddim",
                   seeds: Sequence[int] | None = None, frames: int = 0) -> D.Trajectory:
        """Sample from the starting noise ``z`` (B, z_dim); ``y``: digits (None or an entry None:
        any digit, the unconditional model); ``seeds``: each image's own seed (DDPM's fresh noise)."""
        size = self.config.image_size
        digits = [None] * len(z) if y is None else [None if d is None else int(d) for d in list(y)]
        return D.sample(self, digits, steps, guidance, sampler, frames=frames, bf16=D.bf16_native(),
                        noise=z.reshape(-1, 1, size, size), seeds=seeds)

    def decode(self, z: torch.Tensor, y: torch.Tensor | Sequence[int | None] | None = None, **settings: Any
               ) -> torch.Tensor:
        """The finished images (B, 1, 28, 28) in [-1, 1] (``settings``: as for ``trajectory``)."""
        return self.trajectory(z, y, **settings).images


def is_diffusion(m: Loaded) -> bool:
    """Whether the loaded image model is the diffusion model."""
    return isinstance(m.module, DiffusionImages)


@lru_cache(maxsize=8)
def cosine_wave(u: int, v: int, size: int = 28) -> torch.Tensor:
    """The 2-D DCT-II basis image (u cycles/2 down, v across), flattened, unit length: (size*size,)."""
    x = torch.arange(size, dtype=torch.float64)

    def wave(k: int) -> torch.Tensor:
        return math.sqrt((1 if k == 0 else 2) / size) * torch.cos(math.pi * (2 * x + 1) * k / (2 * size))
    return (wave(u)[:, None] * wave(v)[None, :]).flatten().float()


@lru_cache(maxsize=2)
def low_frequencies(size: int = 28, k: int = LIKE_FREQS) -> torch.Tensor:
    """The k*k lowest-frequency cosine waves as rows (k*k, size*size), orthonormal."""
    return torch.stack([cosine_wave(u, v, size) for u in range(k) for v in range(k)])


def directions(model: DiffusionImages, k: int) -> latent.Directions:
    """The sliders: the first ``k`` low-frequency cosine waves, each with its step size."""
    waves = SLIDER_WAVES[:k]
    vectors = torch.stack([cosine_wave(u, v, model.config.image_size) for (u, v), _ in waves])
    spread = torch.tensor([s for _, s in waves])
    return latent.Directions(vectors, spread, torch.full((len(waves),), 1.0 / model.z_dim))


def toward_liked(name: str, z: torch.Tensor, strength: float, store: Any = None) -> torch.Tensor:
    """'More like what I liked' for the noise ``z`` (n, 784): the direction in which ``name``'s
    ratings rise (``preference.latent_preference``, from ``store``: default the app's) kept to its
    low frequencies (the rest only changes stroke texture and, fitted on a few ratings, is mostly
    chance), moved ``strength`` standard deviations. ValueError while too few ratings are stored."""
    from playground import preference

    basis = low_frequencies(int(math.isqrt(z.shape[1])))
    direction = torch.as_tensor(preference.latent_preference(name, store).direction, dtype=z.dtype)
    smooth = (basis @ direction) @ basis
    return z + strength * smooth / smooth.norm().clamp(min=1e-12)


def kept_frames(steps: int) -> int:
    """How many evenly spaced frames to keep for the strip and the animation."""
    return min(steps + 1, GIF_FRAMES)


def _pick(n: int, k: int) -> list[int]:
    return sorted({round(i * (n - 1) / (k - 1)) for i in range(k)}) if n > 1 else [0]


def strip(traj: D.Trajectory, index: int = 0, frames: int = STRIP_FRAMES, scale: int = 3) -> Image.Image:
    """Image ``index``'s trajectory as one picture: x_t from pure noise to the digit on top, the
    model's guess of the clean image at each of those steps below."""
    chosen = [traj.frames[i] for i in _pick(len(traj.frames), frames)]
    x = torch.cat([f.x[index:index + 1] for f in chosen] + [f.x0[index:index + 1] for f in chosen])
    return render.grid(x, nrow=len(chosen), scale=scale)


def gif(traj: D.Trajectory, path: str | Path, index: int = 0, ms: int = 90, hold_ms: int = 1500) -> Path:
    """An animated GIF of image ``index`` denoising: x_t (left) and the guess of x0 (right) at every
    kept step; the finished digit stays on screen a while before it starts again."""
    pics = [render.grid(torch.cat([f.x[index:index + 1], f.x0[index:index + 1]]), nrow=2, scale=4)
            for f in traj.frames]
    render.gif(pics, path, ms, bounce=False, hold_ms=hold_ms)
    return Path(path)


def only(traj: D.Trajectory, index: int = 0) -> D.Trajectory:
    """The trajectory of image ``index`` alone (what the tab keeps: small enough for a session)."""
    def one(x: torch.Tensor) -> torch.Tensor:
        return x[index:index + 1].clone()
    frames = [D.Frame(f.step, f.t, one(f.x), one(f.x0)) for f in traj.frames]
    return D.Trajectory(one(traj.images), frames, traj.steps, traj.sampler, traj.guidance, traj.seed,
                        traj.digits[index:index + 1])


def step_costs(path: str | Path, sampler: str) -> list[dict]:
    """The card's steps table for ``sampler``: steps, ms per image (with its strip), the share that
    is the asked digit and the Frechet distance to real test digits ([] when the card has none)."""
    from playground.card import read_card

    table = read_card(path).get("steps_table") or {}
    return [r for r in table.get("rows", []) if r.get("sampler") == sampler]
