"""Drawing with a loaded image model: the grid and large sample, the slider fast path, interpolation.

    m = catalog.load("cgan-digits")
    g = sample(m, Params(seed=3, n=64, label=7))        # the large sample of seed 3 + a grid of 64
    g = edit(m, Params(seed=3, amounts=[1.5, 0, -2]))    # only the large sample (a slider move)
    g = interpolate(m, Params(seed=3, label=1), seed_b=4, steps=10, label_b=8)

Each returns a ``Generation`` (modality "image"): ``output`` is the latent vector and the digit;
``media`` holds the pictures for the screen (PIL, upscaled) and the raw images at the model's
own size (``images``: (B, 1, H, W) in [-1, 1], named by ``stems``) for ``save_output``.

The diffusion model draws the same way (its latent is the starting noise; ``Params`` carries its
steps, guidance and sampler; "any digit" is its unconditional model). Its large sample also
brings ``media["trajectory"]`` (from noise to digit), ``media["strip"]`` and
``media["seconds"]`` / ``media["n_images"]`` (how long this draw took).
"""
from __future__ import annotations

import time

import torch

from playground.contract import Loaded, seed, whole
from playground.generation import Generation
from playground.images import diffusion_draw, render
from playground.images.catalog import conditional
from playground.images.diffusion_draw import is_diffusion
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
    if is_diffusion(m):
        return None  # any digit: its unconditional model, the noise decides
    return (seed + torch.arange(n)) % m.module.n_classes


def _noise(m: Loaded, seed: int, n: int, like: float) -> torch.Tensor:
    """(n, z_dim) noise of seeds seed..seed+n-1, moved toward what raters liked when ``like`` > 0."""
    z = latent.noise(seed, m.module.z_dim, n)
    if not like:
        return z  # no store read at all
    if is_diffusion(m):
        return diffusion_draw.toward_liked(m.name, z, like)
    from playground import preference

    return torch.as_tensor(preference.toward_liked(m.name, z, like), dtype=z.dtype)


def _decode(m: Loaded, z: torch.Tensor, y: torch.Tensor | list | None) -> torch.Tensor:
    with torch.inference_mode():
        return m.module.decode(z, y)


def _diffuse(m: Loaded, p: Params, z: torch.Tensor, y: torch.Tensor | list | None, seeds: list[int],
             media: dict | None = None) -> torch.Tensor:
    """The diffusion model's images; with ``media``, image 0's trajectory, strip and the timing too."""
    frames = diffusion_draw.kept_frames(p.sampling_steps) if media is not None else 0
    start = time.perf_counter()
    traj = m.module.trajectory(z, y, p.sampling_steps, p.guidance, p.sampler, seeds, frames)
    if media is not None:
        one = diffusion_draw.only(traj, 0)
        media.update(trajectory=one, strip=diffusion_draw.strip(one), seconds=time.perf_counter() - start,
                     n_images=len(z))
    return traj.images


def _images(m: Loaded, p: Params, z: torch.Tensor, y: torch.Tensor | None, seeds: list[int], media: dict
            ) -> torch.Tensor:
    """Decode the noise ``z``: the GAN/VAE in one pass, the diffusion model with its trajectory."""
    return _diffuse(m, p, z, y, seeds, media) if is_diffusion(m) else _decode(m, z, y)


def _generation(m: Loaded, params: dict, z: torch.Tensor, y: torch.Tensor | None, media: dict) -> Generation:
    digits = 3 if is_diffusion(m) else 6  # 784 noise numbers: keep the stored records small
    output = {"latent": [round(v, digits) for v in z[0].tolist()],
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
    media: dict = {}
    seeds = [p.seed] + [p.seed + i for i in range(p.n)]  # each image's own generator (DDPM's fresh noise)
    imgs = _images(m, p, torch.cat([z0, z]), None if y is None else torch.cat([y[:1], y]), seeds, media)
    media.update({"image": render.image(imgs[0], smooth=p.smooth),
                  "grid": render.grid(imgs[1:], nrow=min(p.n, 4 if p.n <= 16 else 8 if p.n <= 64 else 16)),
                  "images": imgs, "stems": [f"sample-seed{p.seed}"] + [f"seed{p.seed + i}" for i in range(p.n)]})
    return _generation(m, p.to_dict(), z0, y, media)


def edit(m: Loaded, p: Params) -> Generation:
    """Only the large sample of ``p.seed`` moved by the slider ``p.amounts`` (the fast path)."""
    _check(m, p.label)
    z = latent.move(_noise(m, p.seed, 1, p.like), m.extra["directions"], p.amounts)
    y = _labels(m, p.seed, p.label, 1)
    media: dict = {}
    imgs = _images(m, p, z, y, [p.seed], media)
    media.update({"image": render.image(imgs[0], smooth=p.smooth), "images": imgs, "stems": [f"sample-seed{p.seed}"]})
    return _generation(m, p.replace(n=1).to_dict(), z, y, media)


def interpolate(m: Loaded, p: Params, seed_b: int, steps: int = 10, label_b: int | str | None = None) -> Generation:
    """Slerp from the noise of ``p.seed`` (moved by the sliders ``p.amounts``) to that of
    ``seed_b``: a strip and GIF frames. A conditional model's class embedding moves linearly
    from ``p.label`` to ``label_b`` (the same digit when ``label_b`` is None); the diffusion model
    switches from one digit (and one seed's DDPM noise) to the other halfway."""
    seed_b, steps, label_b = seed(seed_b), whole(steps, "number of steps", 2, MAX_STEPS), digit(label_b, "second digit")
    _check(m, p.label, label_b)
    za = latent.move(_noise(m, p.seed, 1, p.like), m.extra["directions"], p.amounts)
    zb = _noise(m, seed_b, 1, p.like)
    t = torch.linspace(0, 1, steps)
    z = latent.slerp(za[0], zb[0], t)  # (steps, z_dim)
    ya = _labels(m, p.seed, p.label, 1)
    yb = _labels(m, seed_b, label_b if label_b is not None else p.label, 1)
    if is_diffusion(m):
        half = t < 0.5
        la, lb = p.label, label_b if label_b is not None else p.label
        imgs = _diffuse(m, p, z, [la if h else lb for h in half.tolist()],
                        [p.seed if h else seed_b for h in half.tolist()])
    elif ya is None:
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
    digits = 3 if is_diffusion(m) else 6
    gen.output["latents"] = [[round(v, digits) for v in row] for row in z.tolist()]
    return gen


def redraw(m: Loaded, params: dict, output: dict) -> torch.Tensor:
    """The large image of a stored output, (1, 1, 28, 28), drawn again from its stored latent (the
    noise after the sliders), digit and settings: no seed, slider or store is read again."""
    p = Params.from_dict(params)
    label = output.get("label")
    _check(m, label)
    z = torch.tensor([output["latent"]], dtype=torch.float32)
    if z.shape[1] != m.module.z_dim:
        raise ValueError(f"This output's latent has {z.shape[1]} numbers; {m.name} takes {m.module.z_dim}.")
    y = None if label is None or not conditional(m) else torch.tensor([int(label)])
    if is_diffusion(m):
        return _diffuse(m, p, z, [label], [p.seed])
    return _decode(m, z, y)
