"""The loop: ratings change what the models produce, for every modality alike.

- ``LatentPreference``: a direction in latent space learned from rated latents (ridge
  regression of rating on latent), plus ``sample_near_liked``: "more like what I liked" for
  latent models (the Images tab).
- ``Reranker``: a small scorer fitted to ratings over a modality's ``features(outputs)``
  (``playground.registry``); generate K candidates, keep ``best``.

The one-line hooks the tabs call (fitted to the feedback store, refitted whenever a rating of
that modality/model is added or changed, cached otherwise):

    z = preference.toward_liked("gan-digits", z, strength=2.0)       # Images: "more like what I liked"
    g, note = preference.best_of(4, lambda i: make(seed + i), "text")  # Text / Music: rerank K candidates

What each modality learns from is its own ``features``; fine-tuning on feedback is each
modality's ``learn_from_feedback``.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from playground import feedback
from playground.generation import Generation

MIN_RATINGS = 5  # fewer ratings than this teach nothing but noise


# ---------------------------------------------------------------- latent preference

@dataclass
class LatentPreference:
    """A unit direction in latent space along which ratings rise, and the latents rated highly."""

    direction: np.ndarray  # (D,), unit norm
    liked: np.ndarray  # (L, D) latents rated >= like_threshold
    n_ratings: int

    @classmethod
    def fit(cls, latents: Sequence[Sequence[float]], ratings: Sequence[float],
            l2: float = 1.0, like_threshold: int = 4) -> "LatentPreference":
        """Ridge regression of rating on latent; the normalised weights are the direction."""
        z = np.asarray(latents, dtype=np.float64)
        r = np.asarray(ratings, dtype=np.float64)
        if z.ndim != 2 or len(z) != len(r) or len(r) < 2:
            raise ValueError("Rate at least two images first.")
        if np.ptp(r) == 0:
            raise ValueError("All ratings are the same: rate some images higher and some lower first.")
        zc, rc = z - z.mean(0), r - r.mean()
        w = np.linalg.solve(zc.T @ zc + l2 * np.eye(z.shape[1]), zc.T @ rc)
        return cls(direction=w / (np.linalg.norm(w) + 1e-12), liked=z[r >= like_threshold], n_ratings=len(r))

    @classmethod
    def from_rows(cls, rows: list[dict], **kw) -> "LatentPreference":
        """Fit to rows of ``FeedbackStore.rated("image", model)``."""
        from playground import registry

        feats = registry.get("image").features([r["output"] for r in rows])
        pairs = [(z, r["rating"]) for f, r in zip(feats, rows) for z in f]
        return cls.fit([z for z, _ in pairs], [r for _, r in pairs], **kw)

    def shift(self, z: Any, strength: float = 2.0) -> Any:
        """``z`` moved ``strength`` standard deviations along the direction (numpy or torch, any batch)."""
        if hasattr(z, "new_tensor"):  # torch tensor: keep dtype and device
            return z + strength * z.new_tensor(self.direction)
        return np.asarray(z) + strength * self.direction

    def sample(self, n: int, strength: float = 2.0, seed: int = 0) -> np.ndarray:
        """``n`` standard-normal latents shifted toward the preference (seeded)."""
        z = np.random.default_rng(seed).standard_normal((n, len(self.direction)))
        return self.shift(z, strength)

    def sample_near_liked(self, n: int, closeness: float = 0.8, seed: int = 0) -> np.ndarray:
        """``n`` latents mixed from liked ones and fresh noise, still standard normal in law.

        ``closeness`` 0 is fresh noise, 1 repeats liked latents; works where liking is not linear.
        """
        if not len(self.liked):
            raise ValueError("No image is rated 4 or 5 yet.")
        rng = np.random.default_rng(seed)
        base = self.liked[rng.integers(0, len(self.liked), n)]
        noise = rng.standard_normal(base.shape)
        return closeness * base + np.sqrt(1 - closeness ** 2) * noise


# ---------------------------------------------------------------- reranking

class Reranker:
    """A ridge-regression scorer of rating over output features; ``best`` picks among candidates."""

    def __init__(self, featurize: Callable[[Sequence[Any]], Any], alpha: float = 1.0):
        self.featurize, self.alpha, self.model = featurize, alpha, None

    def fit(self, outputs: Sequence[Any], ratings: Sequence[float]) -> "Reranker":
        """Fit to rated outputs (at least two distinct ratings)."""
        from sklearn.linear_model import Ridge
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        r = np.asarray(ratings, dtype=np.float64)
        if len(r) < 2 or np.ptp(r) == 0:
            raise ValueError("The reranker needs ratings that differ: rate some outputs higher and some lower first.")
        x = self.featurize(outputs)
        scaler = StandardScaler(with_mean=not hasattr(x, "tocsr"))  # sparse features: scale only
        self.model = make_pipeline(scaler, Ridge(alpha=self.alpha)).fit(x, r)
        return self

    def fit_rows(self, rows: list[dict]) -> "Reranker":
        """Fit to rows of ``FeedbackStore.rated(modality, model)``."""
        return self.fit([r["output"] for r in rows], [r["rating"] for r in rows])

    def score(self, outputs: Sequence[Any]) -> np.ndarray:
        """Predicted rating of each output."""
        if self.model is None:
            raise ValueError("The reranker has not been fitted to any ratings yet.")
        return self.model.predict(self.featurize(outputs))

    def best(self, candidates: Sequence[Any]) -> int:
        """Index of the candidate with the highest predicted rating."""
        return int(np.argmax(self.score(candidates)))


# ---------------------------------------------------------------- hooks for the tabs

_cache: dict[tuple, tuple[tuple[int, float], Any]] = {}
_cache_lock = threading.Lock()


def clear_cache() -> None:
    """Forget every fitted scorer and direction (the next use refits from the store)."""
    with _cache_lock:
        _cache.clear()


def _fitted(kind: str, modality: str, model: str | None, fit: Callable[[list[dict]], Any],
            store: feedback.FeedbackStore | None, what: str) -> Any:
    """``fit(store.rated(modality, model))``, cached until a rating of that modality/model changes."""
    store = store or feedback.default_store()
    stamp = store.fingerprint(modality, model)
    key = (str(store.url), kind, modality, model)
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    if stamp[0] < MIN_RATINGS:
        raise ValueError(f"Rate at least {MIN_RATINGS} {what} first ({stamp[0]} rated so far), "
                         "some higher and some lower.")
    fitted = fit(store.rated(modality, model))
    with _cache_lock:
        _cache[key] = (stamp, fitted)
    return fitted


def latent_preference(model: str, store: feedback.FeedbackStore | None = None) -> LatentPreference:
    """The preference direction learned from the ratings of image model ``model`` (cached)."""
    return _fitted("latent", "image", model, LatentPreference.from_rows, store, f"images of {model}")


def toward_liked(model: str, z: Any, strength: float = 2.0, store: feedback.FeedbackStore | None = None) -> Any:
    """'More like what I liked': latents ``z`` (numpy or torch, any batch) moved ``strength``
    standard deviations along the direction in which ``model``'s ratings rise.

    ``strength`` 0 returns ``z`` untouched without reading the store; ValueError (a plain
    sentence) while too few ratings of ``model`` are stored.
    """
    if not strength:
        return z
    return latent_preference(model, store).shift(z, float(strength))


RERANKED = ("text", "music")  # modalities whose candidates are reranked


def reranker(modality: str, model: str | None = None, store: feedback.FeedbackStore | None = None) -> Reranker:
    """A ``Reranker`` fitted to the stored ratings of ``modality`` (of every model unless ``model``)."""
    from playground import registry

    if modality not in RERANKED:
        raise ValueError(f"There is no reranker for {modality} outputs; use one of {', '.join(RERANKED)}.")
    return _fitted("rerank", modality, model, lambda rows: Reranker(registry.get(modality).features).fit_rows(rows),
                   store, f"{modality} outputs")


def best_of(k: int, make: Callable[[int], Generation], modality: str, model: str | None = None,
            store: feedback.FeedbackStore | None = None) -> tuple[Generation, str]:
    """Make ``k`` candidates with ``make(i)`` (i = 0..k-1, e.g. seed + i) and return the one a
    scorer fitted to the stored ratings likes best, with a one-line note for the UI.

    While the ratings cannot teach a scorer yet (too few, or all equal) only ``make(0)`` runs
    and the note says why. The winner's ``params["rerank"]`` records the choice (candidate
    index, k, predicted rating, ratings used), so the output stays reproducible.
    """
    k = int(k)
    if not 1 <= k <= 16:
        raise ValueError("Choose between 1 and 16 candidates.")
    if k == 1:
        return make(0), ""
    try:
        ranker = reranker(modality, model, store)
    except ValueError as e:
        return make(0), f"Not reranked: {e}"
    candidates = [make(i) for i in range(k)]
    scores = ranker.score([c.output for c in candidates])
    i = int(np.argmax(scores))
    n = (store or feedback.default_store()).fingerprint(modality, model)[0]
    best = candidates[i]
    best.params["rerank"] = {"candidate": i, "of": k, "predicted_rating": round(float(scores[i]), 2), "ratings": n}
    return best, (f"Picked candidate {i + 1} of {k}: predicted rating {scores[i]:.1f}/5 by a scorer "
                  f"fitted to {n} ratings (the others: {', '.join(f'{s:.1f}' for j, s in enumerate(scores) if j != i)}).")
