"""Which image models exist and how to load them: one listing read from each config.json's
"model_type", one table of model families.

    models()                       # [ModelInfo(name="gan-digits", model_type="gan", facts={...}), ...]
    m = load("gan-digits")         # a contract.Loaded, cached; ``load("path/to/folder")`` works too
    save(Generator(GANConfig()), "data/models/my-gan")

A new family (such as the diffusion model) is one ``Family`` row: its model class (with ``z_dim``,
``n_classes`` and ``decode(z, y)``), its config dataclass, and how to find its slider directions.
"""
from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Callable

import torch

from playground import checkpoint, config
from playground.card import read_card
from playground.config import MODELS
from playground.contract import Loaded, ModelInfo
from playground.generation import checkpoint_hash
from playground.images import data, diffusion_draw
from playground.images.diffusion import DiffusionConfig
from playground.images.gan import GANConfig, Generator
from playground.images.params import N_SLIDERS
from playground.images.sampling import latent
from playground.images.vae import VAE, VAEConfig


def gan_directions(model: Generator, k: int, n: int = 2000) -> latent.Directions:
    """GANSpace: principal components of the generator's first layer, carried back to the noise."""
    z = latent.noise(10_000, model.z_dim, n)
    y = torch.arange(n) % model.n_classes if model.n_classes else None
    return latent.ganspace(model.features(z, y).flatten(1), z, k)


def vae_directions(model: VAE, k: int) -> latent.Directions:
    """Principal directions of where the encoder puts the real training digits, seen as the noise
    that ``decode`` takes (through the learned prior's inverse map, if the model has one)."""
    tr = data.load("train")
    y = tr.y if model.n_classes else None
    mu, _ = model.encode(tr.x, y)
    return latent.latent_pca(model.to_noise(mu, y), k)


@dataclass(frozen=True)
class Family:
    """A kind of image generator: what to build from a config.json and how to steer it."""

    title: str  # what the tab calls it
    model_cls: type[torch.nn.Module]
    config_cls: type
    directions: Callable[[Any, int], latent.Directions]
    says_conditional: bool = True  # label "Conditional ..." when it takes a digit (diffusion does both)


FAMILIES = {  # config.json "model_type" -> family; the order is the tab's order
    "gan": Family("GAN", Generator, GANConfig, gan_directions),
    "vae": Family("VAE", VAE, VAEConfig, vae_directions),
    "diffusion": Family("Diffusion", diffusion_draw.DiffusionImages, DiffusionConfig, diffusion_draw.directions,
                        says_conditional=False),
}
LEGACY_KINDS = {"Generator": "gan", "VAE": "vae"}  # "kind" before model_type
DIRECTIONS = "directions.json"  # the slider directions beside the weights (not *.safetensors: not hashed)


def train_command(path: str | Path) -> str:
    """How to (re)create the checkpoint in ``path``: its card's command, else the generic one."""
    return read_card(path).get("command") or f"python -m playground.train gan (or vae) --out {path}"


def read_config(path: str | Path) -> dict[str, Any]:
    """``path``'s config.json with "model_type" first (a legacy "kind" is translated)."""
    path = Path(path)
    if not (path / checkpoint.CONFIG).is_file():
        raise ValueError(f"No image model found in {path}. Train it with: {train_command(path)}")
    raw = checkpoint.read_config(path, train_command(path))
    kind = raw.get("model_type") or LEGACY_KINDS.get(str(raw.get("kind")), raw.get("kind"))
    return {"model_type": kind, **{k: v for k, v in raw.items() if k not in ("model_type", "kind")}}


def family(config: dict[str, Any], path: str | Path = "") -> Family:
    """The family of a config (ValueError for a model that is not an image generator)."""
    kind = config.get("model_type")
    if kind not in FAMILIES:
        raise ValueError(f"{path or 'This checkpoint'} holds a {kind or 'model of unknown type'}, "
                         f"not an image generator ({', '.join(FAMILIES)}).")
    return FAMILIES[kind]


def describe(path: str | Path, name: str | None = None) -> ModelInfo:
    """The facts of the checkpoint in ``path`` from its config.json alone (no weights are read)."""
    path = Path(path)
    cfg = read_config(path)
    fam = family(cfg, path)
    kind, conditional = cfg.pop("model_type"), bool(cfg.get("n_classes"))
    prefix = "Conditional " if conditional and fam.says_conditional else ""
    facts = {"kind": kind, "conditional": conditional, "label": prefix + fam.title,
             **cfg}
    return ModelInfo(name or path.name, str(path), kind, facts)


def models(root: str | Path | None = None) -> list[ModelInfo]:
    """Every image generator under ``root`` (default: ``assets/models``, then the versions learned
    from feedback under the data dir's ``models``): GANs, VAEs, then diffusion models, plain first."""
    roots = [Path(root)] if root else [MODELS, config.data_dir() / "models"]
    infos = []
    for r in roots:
        for folder in sorted(p for p in r.iterdir() if p.is_dir()) if r.is_dir() else []:
            try:
                infos.append(describe(folder))
            except ValueError:  # not a checkpoint, or not an image generator
                continue
    order = list(FAMILIES)
    return sorted(infos, key=lambda i: (order.index(i.model_type), i.facts["conditional"], i.name))


def labelled(infos: list[ModelInfo]) -> dict[str, ModelInfo]:
    """The models by the label the tab shows ("GAN", "Conditional GAN", ...); the folder name is
    added to a label that several models share."""
    labels = [i.facts.get("label", i.name) for i in infos]
    return {(lab if labels.count(lab) == 1 else f"{lab} ({i.name})"): i for lab, i in zip(labels, infos)}


def load_folder(path: str | Path, name: str | None = None) -> Loaded:
    """Load the generator in ``path`` with its slider directions (ValueError if unusable)."""
    path = Path(path)
    cfg = read_config(path)
    fam = family(cfg, path)
    model = checkpoint.from_pretrained(fam.model_cls, fam.config_cls, path, train_command(path))
    weights = checkpoint_hash(path)
    directions = stored_directions(path, weights)
    if directions is None:
        try:
            with torch.inference_mode():
                directions = fam.directions(model, N_SLIDERS)
        except RuntimeError as e:  # e.g. NaN weights: the SVD fails
            raise ValueError(f"The checkpoint in {path} gives unusable images ({e.__class__.__name__}); "
                             "train it again.") from e
        store_directions(path, weights, directions)
    return Loaded(name or path.name, weights, cfg, model, {"directions": directions, "path": path})


def stored_directions(path: Path, weights: str) -> latent.Directions | None:
    """The slider directions saved beside the weights ``weights`` (their hash), or None.

    Finding them takes seconds (the GAN's: an SVD of 2,000 samples, 5 s on one thread), and their
    last bits depend on the torch thread count; stored once, every process gets the same ones
    (a link's picture does not depend on the machine) and the first slider move is instant."""
    try:
        saved = json.loads((path / DIRECTIONS).read_text())
        if saved["checkpoint"] != weights or len(saved["vectors"]) < N_SLIDERS:
            return None
        return latent.Directions(**{f.name: torch.tensor(saved[f.name], dtype=torch.float32)
                                    for f in fields(latent.Directions)})
    except (OSError, ValueError, KeyError, TypeError):  # none yet, or unreadable: found again
        return None


def store_directions(path: Path, weights: str, directions: latent.Directions) -> None:
    """Save ``directions`` beside the weights (exact: float32 -> JSON -> float32 keeps every bit);
    a read-only folder keeps none."""
    body = {"checkpoint": weights,
            **{f.name: getattr(directions, f.name).tolist() for f in fields(directions)}}
    tmp = path / f".{DIRECTIONS}.{os.getpid()}"
    try:
        tmp.write_text(json.dumps(body))
        tmp.replace(path / DIRECTIONS)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def find(name: str) -> ModelInfo:
    """The model of ``models()`` called ``name``, or the checkpoint folder at path ``name``
    (ValueError: unknown name, missing or unreadable folder, not an image generator)."""
    infos = models()
    for info in infos:
        if info.name == name:
            return info
    if name and (Path(name).is_dir() or "/" in name or "\\" in name):  # a folder path, maybe absent
        return describe(name)
    raise ValueError(f"Unknown image model '{name}': choose one of {', '.join(i.name for i in infos)}.")


@checkpoint.loaded_once()
def load(name: str) -> Loaded:
    """A model of ``models()`` by name, or a checkpoint folder by path (cached per process; many
    first calls at once load it once)."""
    info = find(name)
    return load_folder(info.path, info.name)


def clear_cache() -> None:
    """Forget every loaded model (after retraining into the same folder, or in tests)."""
    load.cache_clear()


def save(model: torch.nn.Module, out: str | Path) -> Path:
    """Write an image generator in the one checkpoint format (config.json with its model_type)."""
    kind = next((k for k, fam in FAMILIES.items() if isinstance(model, fam.model_cls)), None)
    if kind is None:
        raise TypeError(f"{type(model).__name__} is not an image generator ({', '.join(FAMILIES)}).")
    return checkpoint.save_pretrained(model, out, kind)


def conditional(model: Loaded) -> bool:
    """Whether ``model`` draws the digit it is asked for."""
    return bool(model.config.get("n_classes"))
