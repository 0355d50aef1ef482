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


# ---------------------------------------------------------------- Diffusion-DPO from votes and ratings

MAX_PAIRS = 256  # the newest ones: a step of a few minutes on a 2-core CPU


def preference_pairs(rows: list[dict], battles: list[dict], min_gap: int = 2) -> list:
    """Image preference pairs (``train.diffusion_dpo.ImagePair``), newest last: every decided A/B
    vote (a tie teaches nothing), and every two rated images of the same digit whose ratings differ
    by ``min_gap`` or more. Each image is drawn again from its stored latent and settings by the
    model that made it; outputs of models no longer here are skipped."""
    from playground.images import catalog, draw
    from playground.train.diffusion_dpo import ImagePair

    def image(model: str, params: dict, output: dict):
        try:
            return draw.redraw(catalog.load(model), params, output)[0]
        except (ValueError, KeyError, TypeError):
            return None

    pairs = []
    for b in battles:
        if b["winner"] not in ("model_a", "model_b"):
            continue
        xa = image(b["model_a"], b["params"], b["output_a"])
        xb = image(b["model_b"], b["params"], b["output_b"])
        if xa is not None and xb is not None:
            win_a = b["winner"] == "model_a"
            pairs.append(ImagePair(b["output_a"].get("label"), xa if win_a else xb, xb if win_a else xa))
    by_digit: dict = {}
    for r in rows:
        if isinstance(r.get("output"), dict) and "latent" in r["output"] and "latents" not in r["output"]:
            by_digit.setdefault(r["output"].get("label"), []).append(r)
    for digit, group in by_digit.items():
        group.sort(key=lambda r: r["rating"])
        for lo, hi in zip(group, reversed(group)):  # the worst with the best, inward
            if hi["rating"] - lo["rating"] < min_gap:
                break
            xw, xl = image(hi["model"], hi["params"], hi["output"]), image(lo["model"], lo["params"], lo["output"])
            if xw is not None and xl is not None:
                pairs.append(ImagePair(digit, xw, xl))
    return pairs[-MAX_PAIRS:]


def learn_by_dpo(model: Loaded, rows: list[dict], battles: list[dict], out_dir=None, cfg=None,
                 stop=None) -> Iterator[dict]:
    """Diffusion-DPO of a diffusion ``model`` on its ``preference_pairs``: a new version under the
    data dir (``playground.train.diffusion_dpo``); yields the loop's events (the last: done)."""
    from pathlib import Path

    from playground.images.diffusion_draw import is_diffusion
    from playground.lineage import new_version_dir
    from playground.train.diffusion_dpo import diffusion_dpo

    if not is_diffusion(model):
        raise ValueError("Learning from votes (Diffusion-DPO) works on the diffusion model; the GAN and the VAE "
                         "learn a preference direction instead ('More like what I liked').")
    pairs = preference_pairs(rows, battles)
    yield from diffusion_dpo(model.extra["path"], pairs, Path(out_dir) if out_dir else new_version_dir(model.name),
                             cfg, stop, learned_from={"votes": len(battles), "ratings": len(rows)})
