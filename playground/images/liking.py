"""What the feedback loop learns from image ratings: the latent vectors, and a direction in
latent space along which ratings rise ("More like what I liked").

    features([g.output for g in generations])   # one (k, z_dim) array per output
    for ev in learn_from_feedback(model, store.rated("image", model.name)): ...
"""
from __future__ import annotations

from typing import Any, Iterator, Sequence

import numpy as np

from playground.contract import Loaded


def latents(output: Any) -> np.ndarray:
    """(k, D) latent vectors of one stored image output: a list of numbers, a dict with
    ``latent`` / ``z``, or a dict with ``latents`` (an interpolation: every frame shares its rating)."""
    if isinstance(output, dict) and "latents" in output:
        return np.asarray(output["latents"], dtype=np.float64).reshape(len(output["latents"]), -1)
    if isinstance(output, dict):
        output = output.get("latent", output.get("z"))
    if output is None:
        raise ValueError("This output has no latent vector.")
    return np.asarray(output, dtype=np.float64).reshape(1, -1)


def features(outputs: Sequence[Any]) -> list[np.ndarray]:
    """What the preference direction learns from: one (k, D) array of latents per output."""
    return [latents(o) for o in outputs]


def learn_from_feedback(model: Loaded, rows: list[dict]) -> Iterator[dict]:
    """Fit the latent preference direction of ``model`` to rated rows (``FeedbackStore.rated``).

    Yields a start event and a last one with ``done=True``: the fitted ``preference``
    (``playground.preference.LatentPreference``), its ``direction`` and how many ratings it used.
    Rows of other models, or with latents of another size, are skipped. ValueError (a plain
    sentence) while the ratings cannot teach anything (too few, or all equal)."""
    from playground.preference import LatentPreference

    yield {"step": 0, "progress": 0.0, "ratings": len(rows)}
    z_dim = model.module.z_dim
    pairs = [(z, r["rating"]) for r, zs in zip(rows, features([r["output"] for r in rows]))
             if r.get("model", model.name) == model.name for z in zs if len(z) == z_dim]
    pref = LatentPreference.fit([z for z, _ in pairs], [rating for _, rating in pairs])
    yield {"step": 1, "progress": 1.0, "done": True, "model": model.name, "preference": pref,
           "direction": pref.direction.round(6).tolist(), "ratings": pref.n_ratings, "liked": len(pref.liked)}
