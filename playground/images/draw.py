"""Drawing with a loaded image model: the grid and large sample, the slider fast path, interpolation.

    m = catalog.load("cgan-digits")
    g = sample(m, Params(seed=3, n=64, label=7))        # the large sample of seed 3 + a grid of 64
    g = edit(m, Params(seed=3, amounts=[1.5, 0, -2]))    # only the large sample (a slider move)
    g = interpolate(m, Params(seed=3, label=1), seed_b=4, steps=10, label_b=8)

Each returns a ``Generation`` (modality "image"): ``output`` is the latent vector and the digit;
``media`` holds the pictures for the screen (PIL, upscaled) and the raw images at the model's
own size (``images``: (B, 1, H, W) in [-1, 1], named by ``stems``) for ``save_output``.
"""
from __future__ import annotations

import torch

from playground.contract import Loaded, seed, whole
from playground.generation import Generation
from playground.images import render
from playground.images.catalog import conditional
from playground.images.params import MAX_STEPS, Params, digit
from playground.images.sampling import latent

UNCONDITIONAL = "This model is unconditional: it cannot be asked for a digit."


def _check(m: Loaded, *labels: int | None) -> None:
    if not conditional(m) and any(label is not None for label in labels):
        raise ValueError(UNCONDITIONAL)


def _labels(m: Loaded, seed: int, label: int | None, n: int) -> torch.Tensor | None:
    """Class labels for n samples: the asked digit, or (any digit) seed + i mod n_classes."""
    if not conditional(m):
        return None
    if label is not None:
        return torch.full((n,), label, dtype=torch.long)
    return (seed + torch.arange(n)) % m.module.n_classes


def _noise(m: Loaded, seed: int, n: int, like: float) -> torch.Tensor:
    """(n, z_dim) noise of seeds seed..seed+n-1, moved toward what raters liked when ``like`` > 0."""
    z = latent.noise(seed, m.module.z_dim, n)
    if not like:
        return z  # no store read at all
    from playground import preference

    return torch.as_tensor(preference.toward_liked(m.name, z, like), dtype=z.dtype)


def _decode(m: Loaded, z: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
    with torch.inference_mode():
        return m.module.decode(z, y)


def _generation(m: Loaded, params: dict, z: torch.Tensor, y: torch.Tensor | None, media: dict) -> Generation:
    output = {"latent": [round(v, 6) for v in z[0].tolist()],
              "label": int(y[0]) if y is not None else None}
    return Generation("image", m.name, m.hash, params, output, media=media)


def sample(m: Loaded, p: Params) -> Generation:
    """A grid of ``p.n`` samples (seeds seed..seed+n-1) and the large sample of ``p.seed`` moved
    along the slider directions by ``p.amounts``; ``p.like`` > 0 moves all the noise toward what
    raters liked (``preference.toward_liked``)."""
    _check(m, p.label)
    z = _noise(m, p.seed, p.n, p.like)
    y = _labels(m, p.seed, p.label, p.n)
    z0 = latent.move(z[:1], m.extra["directions"], p.amounts)
    imgs = _decode(m, torch.cat([z0, z]), None if y is None else torch.cat([y[:1], y]))
    media = {"image": render.image(imgs[0], smooth=p.smooth),
             "grid": render.grid(imgs[1:], nrow=min(p.n, 8 if p.n <= 64 else 16)),
             "images": imgs, "stems": [f"sample-seed{p.seed}"] + [f"seed{p.seed + i}" for i in range(p.n)]}
    return _generation(m, p.to_dict(), z0, y, media)


def edit(m: Loaded, p: Params) -> Generation:
    """Only the large sample of ``p.seed`` moved by the slider ``p.amounts`` (the fast path)."""
    _check(m, p.label)
    z = latent.move(_noise(m, p.seed, 1, p.like), m.extra["directions"], p.amounts)
    y = _labels(m, p.seed, p.label, 1)
    imgs = _decode(m, z, y)
    media = {"image": render.image(imgs[0], smooth=p.smooth), "images": imgs, "stems": [f"sample-seed{p.seed}"]}
    return _generation(m, p.replace(n=1).to_dict(), z, y, media)


def interpolate(m: Loaded, p: Params, seed_b: int, steps: int = 10, label_b: int | str | None = None) -> Generation:
    """Slerp from the noise of ``p.seed`` (moved by the sliders ``p.amounts``) to that of
    ``seed_b``: a strip and GIF frames. A conditional model's class embedding moves linearly
    from ``p.label`` to ``label_b`` (the same digit when ``label_b`` is None)."""
    seed_b, steps, label_b = seed(seed_b), whole(steps, "number of steps", 2, MAX_STEPS), digit(label_b, "second digit")
    _check(m, p.label, label_b)
    za = latent.move(_noise(m, p.seed, 1, p.like), m.extra["directions"], p.amounts)
    zb = _noise(m, seed_b, 1, p.like)
    t = torch.linspace(0, 1, steps)
    z = latent.slerp(za[0], zb[0], t)  # (steps, z_dim)
    ya = _labels(m, p.seed, p.label, 1)
    yb = _labels(m, seed_b, label_b if label_b is not None else p.label, 1)
    if ya is None:
        imgs = _decode(m, z, None)
    else:  # class weights blended linearly from digit a to digit b
        eye = torch.eye(m.module.n_classes)
        imgs = _decode(m, z, torch.lerp(eye[int(ya[0])].expand(steps, -1), eye[int(yb[0])].expand(steps, -1), t[:, None]))
    frames = [render.image(im, smooth=p.smooth) for im in imgs]
    media = {"strip": render.grid(imgs, nrow=min(steps, 16)), "frames": frames, "image": frames[0],
             "images": imgs, "stems": [f"step{i:02d}" for i in range(steps)]}
    params = {**p.to_dict(), "seed_b": seed_b, "steps": steps, "label_b": label_b}
    params.pop("n")
    gen = _generation(m, params, z, ya, media)
    gen.output["latents"] = [[round(v, 6) for v in row] for row in z.tolist()]
    return gen
