"""What the Images tab calls: bundled models by name, samples, slider edits, interpolations.

    g = sample("GAN", seed=3, n=64)            # grid + large image of seed 3
    g = edit("VAE", seed=3, amounts=[1.5, 0, -2])
    g = interpolate("Conditional GAN", 3, 4, steps=10, label=7)

Each returns a ``Generation`` (modality "image"): ``output`` is the latent vector(s) and the class
label, ``media`` the PIL pictures. Models load once per process (cached).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import torch

from playground.config import MODELS
from playground.generation import Generation, checkpoint_hash
from playground.images import data, render
from playground.images.gan import Generator
from playground.images.sampling import latent
from playground.images.vae import VAE

BUNDLED = {  # label in the UI -> folder under assets/models
    "GAN": "gan-digits",
    "Conditional GAN": "cgan-digits",
    "VAE": "vae-digits",
}
TRAIN_COMMANDS = {  # how to (re)create each bundled checkpoint
    "GAN": "python -m playground.train gan --dataset digits --out assets/models/gan-digits",
    "Conditional GAN": "python -m playground.train gan --conditional --dataset digits --out assets/models/cgan-digits",
    "VAE": "python -m playground.train vae --dataset digits --out assets/models/vae-digits",
}
N_SLIDERS = 6
SLIDER_RANGE = 4.0  # standard deviations
MAX_GRID = 256
MAX_STEPS = 64
MAX_SEED = 2**31 - 1


@dataclass
class Loaded:
    """A model ready to sample, with its name, checkpoint hash and slider directions."""

    name: str
    model: torch.nn.Module
    hash: str
    directions: latent.Directions

    @property
    def conditional(self) -> bool:
        return self.model.n_classes > 0


def directions_for(model: torch.nn.Module, k: int = N_SLIDERS, n: int = 2000) -> latent.Directions:
    """Slider directions: GANSpace for a generator, PCA of encoded training digits for a VAE."""
    with torch.inference_mode():
        if isinstance(model, VAE):
            tr = data.load("train")
            mu, _ = model.encode(tr.x, tr.y if model.n_classes else None)
            return latent.latent_pca(mu, k)
        z = latent.noise(10_000, model.z_dim, n)
        y = torch.arange(n) % model.n_classes if model.n_classes else None
        return latent.ganspace(model.features(z, y).flatten(1), z, k)


def load_folder(path: str | Path, name: str | None = None, train_hint: str | None = None) -> Loaded:
    """Load a GAN generator or VAE saved with ``save_pretrained`` (ValueError if unreadable)."""
    path = Path(path)
    kind = _kind(path, train_hint)
    if kind not in ("Generator", "VAE"):
        raise ValueError(f"{path} holds a {kind}, not an image generator (GAN or VAE).")
    model = (VAE if kind == "VAE" else Generator).from_pretrained(path)
    try:
        directions = directions_for(model)
    except RuntimeError as e:  # e.g. NaN weights: the SVD fails
        raise ValueError(f"The checkpoint in {path} gives unusable images ({e.__class__.__name__}); "
                         "train it again.") from e
    return Loaded(name or path.name, model, checkpoint_hash(path), directions)


def _kind(path: Path, train_hint: str | None = None) -> str:
    import json
    hint = train_hint or "python -m playground.train gan (or vae) --out " + str(path)
    try:
        kind = json.loads((path / "config.json").read_text()).get("kind", "Generator")
    except FileNotFoundError:
        raise ValueError(f"No image model found in {path}. Train it with: {hint}") from None
    except (ValueError, AttributeError):
        raise ValueError(f"The checkpoint in {path} could not be read (config.json is not valid JSON). "
                         f"Train it again with: {hint}") from None
    return str(kind)


def folder(name: str) -> Path:
    """The checkpoint folder of a UI name, or ``name`` itself when it is a path."""
    return MODELS / BUNDLED[name] if name in BUNDLED else Path(name)


def missing(names: list[str] | None = None) -> dict[str, str]:
    """UI names (default: all bundled) whose checkpoint is absent -> the command that trains it."""
    return {n: TRAIN_COMMANDS.get(n, "python -m playground.train gan|vae --out " + str(folder(n)))
            for n in (names or list(BUNDLED)) if not (folder(n) / "config.json").is_file()}


@lru_cache(maxsize=8)
def load(name: str) -> Loaded:
    """A bundled model by its UI name (``GAN``, ``Conditional GAN``, ``VAE``) or a folder path."""
    if name in BUNDLED:
        return load_folder(MODELS / BUNDLED[name], BUNDLED[name], TRAIN_COMMANDS[name])
    if name and (Path(name).is_dir() or "/" in name or "\\" in name):  # a folder path, maybe absent
        return load_folder(name)
    raise ValueError(f"Unknown image model '{name}': choose one of {', '.join(BUNDLED)}.")


def _int(value, what: str) -> int:
    """``value`` as a whole number, or ValueError naming ``what``."""
    try:
        f = float(value)
        if f != int(f):
            raise ValueError
        return int(f)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"The {what} must be a whole number.") from None


def _check(seed: int, label: int | str | None, m: Loaded) -> tuple[int, int | None]:
    seed = _int(seed, "seed")
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"The seed must be between 0 and {MAX_SEED}.")
    if label is None or label == "" or not m.conditional:
        return seed, None  # an unconditional model ignores the digit
    label = _int(label, "digit")
    if not 0 <= label <= 9:
        raise ValueError("The digit must be between 0 and 9.")
    return seed, label


def _labels(m: Loaded, seed: int, label: int | None, n: int) -> torch.Tensor | None:
    """Class labels for n samples: the asked digit, or (any digit) seed + i mod 10."""
    if not m.conditional:
        return None
    if label is not None:
        return torch.full((n,), label, dtype=torch.long)
    return (seed + torch.arange(n)) % m.model.n_classes


def _generation(m: Loaded, params: dict, z: torch.Tensor, y: torch.Tensor | None, media: dict) -> Generation:
    output = {"latent": [round(v, 6) for v in z[0].tolist()],
              "label": int(y[0]) if y is not None else None}
    return Generation("image", m.name, m.hash, params, output, media=media)


def sample(model: str, seed: int, n: int = 64, label: int | None = None,
           amounts: list[float] | None = None, smooth: bool = False, like: float = 0.0) -> Generation:
    """A grid of ``n`` samples (seeds seed..seed+n-1) and the large sample of ``seed``
    moved along the slider directions by ``amounts``. ``like`` > 0 moves every noise vector
    that many standard deviations toward what raters liked (``preference.toward_liked``)."""
    m = load(model)
    seed, label = _check(seed, label, m)
    n = _int(n, "grid size")
    if not 1 <= n <= MAX_GRID:
        raise ValueError(f"The grid can hold 1 to {MAX_GRID} images.")
    z = _liked(m, latent.noise(seed, m.model.z_dim, n), like)
    y = _labels(m, seed, label, n)
    z0 = latent.move(z[:1], m.directions, _amounts(amounts))
    with torch.inference_mode():
        imgs = m.model.decode(torch.cat([z0, z]), None if y is None else torch.cat([y[:1], y]))
    media = {"image": render.image(imgs[0], smooth=smooth),
             "grid": render.grid(imgs[1:], nrow=min(n, 8 if n <= 64 else 16))}
    params = {"seed": seed, "n": n, "label": label, "amounts": _amounts(amounts), "like": float(like or 0)}
    return _generation(m, params, z0, y, media)


def _liked(m: Loaded, z: torch.Tensor, like: float) -> torch.Tensor:
    """``z`` moved toward the latents raters liked (no change, and no store read, at 0)."""
    try:
        like = float(like or 0)
    except (TypeError, ValueError):
        raise ValueError("'More like what I liked' must be a number.") from None
    if not 0 <= like <= 3:
        raise ValueError("'More like what I liked' must be between 0 and 3.")
    if not like:
        return z
    from playground import preference

    return torch.as_tensor(preference.toward_liked(m.name, z, like), dtype=z.dtype)


def _amounts(amounts: list[float] | None) -> list[float]:
    try:
        a = [float(v) for v in (amounts or [])]
    except (TypeError, ValueError):
        raise ValueError("Slider values must be numbers.") from None
    if len(a) > N_SLIDERS:
        raise ValueError(f"There are only {N_SLIDERS} sliders.")
    if any(not abs(v) <= SLIDER_RANGE for v in a):  # also catches NaN
        raise ValueError(f"Slider values must be between -{SLIDER_RANGE:g} and {SLIDER_RANGE:g}.")
    return a


def edit(model: str, seed: int, amounts: list[float], label: int | None = None,
         smooth: bool = False, like: float = 0.0) -> Generation:
    """Only the large sample of ``seed`` moved by the slider ``amounts`` (the fast path)."""
    m = load(model)
    seed, label = _check(seed, label, m)
    a = _amounts(amounts)
    z = latent.move(_liked(m, latent.noise(seed, m.model.z_dim), like), m.directions, a)
    y = _labels(m, seed, label, 1)
    with torch.inference_mode():
        img = m.model.decode(z, y)[0]
    return _generation(m, {"seed": seed, "label": label, "amounts": a, "like": float(like or 0)}, z, y,
                       {"image": render.image(img, smooth=smooth)})


def interpolate(model: str, seed_a: int, seed_b: int, steps: int = 10, label: int | None = None,
                label_b: int | None = None, smooth: bool = False,
                amounts: list[float] | None = None) -> Generation:
    """Slerp from the noise of ``seed_a`` to that of ``seed_b``: a strip and GIF frames.

    ``amounts`` (slider values) moves the start point, so the walk can start from the image
    the sliders made. For a conditional model the class embedding moves linearly from
    ``label`` to ``label_b`` (the same digit when ``label_b`` is None).
    """
    m = load(model)
    seed_a, label = _check(seed_a, label, m)
    seed_b, label_b = _check(seed_b, label_b, m)
    steps = _int(steps, "number of steps")
    if not 2 <= steps <= MAX_STEPS:
        raise ValueError(f"Use 2 to {MAX_STEPS} interpolation steps.")
    a = _amounts(amounts)
    za = latent.move(latent.noise(seed_a, m.model.z_dim), m.directions, a)
    zb = latent.noise(seed_b, m.model.z_dim)
    t = torch.linspace(0, 1, steps)
    z = latent.slerp(za[0], zb[0], t)  # (steps, z_dim)
    ya = _labels(m, seed_a, label, 1)
    yb = _labels(m, seed_b, label_b if label_b is not None else label, 1)
    with torch.inference_mode():
        if ya is None:
            imgs = m.model.decode(z)
        else:
            imgs = _decode_between_labels(m.model, z, int(ya[0]), int(yb[0]), t)
    frames = [render.image(im, smooth=smooth) for im in imgs]
    media = {"strip": render.grid(imgs, nrow=min(steps, 16)), "frames": frames, "image": frames[0]}
    params = {"seed_a": seed_a, "seed_b": seed_b, "steps": steps, "label": label, "label_b": label_b,
              "amounts": a}
    gen = _generation(m, params, z, ya, media)
    gen.output["latents"] = [[round(v, 6) for v in row] for row in z.tolist()]
    return gen


def _decode_between_labels(model: torch.nn.Module, z: torch.Tensor, a: int, b: int,
                           t: torch.Tensor) -> torch.Tensor:
    """Decode with the class weights blended linearly from digit a to digit b."""
    eye = torch.eye(model.n_classes)
    return model.decode(z, torch.lerp(eye[a].expand(len(z), -1), eye[b].expand(len(z), -1), t[:, None]))
