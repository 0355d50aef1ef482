"""Images from noise: a DCGAN, a conditional DCGAN, a convolutional VAE and a diffusion model on
28x28 MNIST handwritten digits, behind the playground's one modality contract (``playground.contract``).

    from playground import images
    m = images.load("cgan-digits")                         # cached; images.models() lists the names
    g = images.generate(m, images.Params(seed=3, n=64, label=7))
    g.media["image"], g.media["grid"]                      # PIL pictures for the screen
    images.save_output(g, Path("out"))                     # one 28x28 PNG per image

Ordinary functions only this modality has: ``edit`` (a slider move: only the large sample),
``interpolate`` (slerp between two seeds), ``learn.watch`` ("watch it learn").

Modules: ``params`` (what a user can ask for), ``catalog`` (models from config.json, loading,
families), ``gan`` / ``vae`` (the networks), ``draw`` (sampling), ``sampling.latent`` (seeded
noise, slerp, principal directions), ``explanations`` (plain words per model), ``liking`` (what
ratings teach), ``learn`` + ``training_run`` (training on the one loop), ``judge`` +
``metrics`` (quality), ``benchmark`` (speed).
"""
from __future__ import annotations

from pathlib import Path

from playground import provenance
from playground.contract import Loaded, ModelInfo
from playground.generation import Generation
from playground.images import render
from playground.images.catalog import clear_cache, conditional, find, labelled, load, models
from playground.images.draw import edit, interpolate
from playground.images.draw import sample as generate
from playground.images.explanations import explain_config
from playground.images.liking import features, learn_from_feedback
from playground.images.params import ANY, MAX_GRID, MAX_LIKE, MAX_STEPS, N_SLIDERS, SLIDER_RANGE, Params

NAME = "image"

__all__ = ["NAME", "Params", "models", "load", "clear_cache", "generate", "explain", "features",
           "learn_from_feedback", "bench", "save_output", "edit", "interpolate", "conditional", "find",
           "labelled", "ANY", "MAX_GRID", "MAX_LIKE", "MAX_STEPS", "N_SLIDERS", "SLIDER_RANGE"]


def explain(model: Loaded | ModelInfo, notes: dict[str, str] | None = None) -> str:
    """How the model works, in plain words, chosen from its config's facts (``notes``: the text of each
    piece of ``explanations.NOTES`` by name; default the English)."""
    config = {"model_type": model.model_type, **model.facts} if isinstance(model, ModelInfo) else model.config
    return explain_config(config, notes)


def bench(quick: bool = False) -> list[dict]:
    """Latency rows (slider move, 64-image grid, interpolation) and quality rows of every model."""
    from playground.images.benchmark import run

    return run(quick)


def save_output(generation: Generation, out: Path) -> list[Path]:
    """One PNG per image of ``generation`` at the model's own resolution (28x28) in the folder ``out``,
    each carrying its provenance (model, hash, seed, params) in a PNG text chunk."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for x, stem in zip(generation.media["images"], generation.media["stems"]):
        path = out / f"{stem}.png"
        render.image(x, size=x.shape[-1]).save(path, pnginfo=provenance.png_info(generation))
        paths.append(path)
    return paths
