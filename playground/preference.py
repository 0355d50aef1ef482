"""The loop: ratings change what the models produce.

The learning pieces (no Gradio, no store needed):

- ``LatentPreference``: a direction in latent space learned from rated latents (ridge
  regression of rating on latent), plus ``sample_near_liked``; both give "more like what I
  liked" for latent models (the GAN / VAE of the Images tab).
- ``Reranker``: a small scorer fitted to ratings over features of outputs (``text_features``:
  character and word n-grams; ``music_features``: pitch and rhythm statistics); generate K
  candidates, keep ``best``.
- ``feedback_corpus`` / ``learn_from_feedback``: the highly rated texts as a fine-tuning text,
  through the existing fine-tune path (``playground.train.text.iter_train``).

The one-line hooks the tabs call (fitted to the feedback store, refitted whenever a rating of
that modality/model is added or changed, cached otherwise):

    z = preference.toward_liked("gan-digits", z, strength=2.0)       # Images: "more like what I liked"
    g, note = preference.best_of(4, lambda i: make(seed + i), "text")  # Text / Music: rerank K candidates
    for ev in preference.fine_tune_from_feedback("assets/models/text-shakespeare"): ...  # new version
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from playground import config, feedback
from playground.generation import Generation

MIN_RATINGS = 5  # fewer ratings than this teach nothing but noise


# ---------------------------------------------------------------- reading stored outputs

def latents_of(output: Any) -> list[np.ndarray]:
    """The latent vectors in a stored image output: a list of numbers, a dict with ``latent``/``z``,
    or a dict with ``latents`` (a grid: every image shares the grid's rating)."""
    if isinstance(output, dict) and "latents" in output:
        return [np.asarray(z, dtype=np.float64).reshape(-1) for z in output["latents"]]
    if isinstance(output, dict):
        output = output.get("latent", output.get("z"))
    if output is None:
        raise ValueError("This output has no latent vector.")
    return [np.asarray(output, dtype=np.float64).reshape(-1)]


def text_of(output: Any) -> str:
    """The generated text in a stored text output: a string, or a dict with ``text``."""
    if isinstance(output, dict):
        output = output.get("text", output.get("completion", ""))
    return output if isinstance(output, str) else ""


def notes_of(output: Any, voice: str = "soprano") -> list[tuple[float, float, float]]:
    """``(pitch, start, duration)`` per note of the melody in a stored music output.

    Accepts the Music tab's ``{"voices": {"soprano": [[pitch, start_step, n_steps], ...], ...}}``
    (``voice`` picks the line, default the top one), a list or ``{"notes": [...]}`` of
    ``[pitch, start, duration]`` sequences or of dicts with ``pitch``, ``start`` and ``end`` or
    ``duration``, or bare pitches (one unit each).
    """
    if isinstance(output, dict):
        output = output["voices"].get(voice, []) if "voices" in output else output.get("notes", [])
    notes = []
    for i, n in enumerate(output or []):
        if isinstance(n, dict):
            start = float(n.get("start", i))
            dur = float(n["end"]) - start if "end" in n else float(n.get("duration", 1.0))
            notes.append((float(n["pitch"]), start, dur))
        elif isinstance(n, (list, tuple)):
            notes.append((float(n[0]), float(n[1]), float(n[2])) if len(n) >= 3 else (float(n[0]), float(i), 1.0))
        else:
            notes.append((float(n), float(i), 1.0))
    return [n for n in notes if n[0] >= 0]  # -1 is a rest


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
        pairs = [(z, r["rating"]) for r in rows for z in latents_of(r["output"])]
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

def text_features(outputs: Sequence[Any]):
    """Sparse character 2-4-gram and word features of texts (hashed: nothing to fit)."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import HashingVectorizer

    texts = [text_of(o) for o in outputs]
    chars = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 4), n_features=2 ** 16, alternate_sign=False)
    words = HashingVectorizer(analyzer="word", n_features=2 ** 14, alternate_sign=False)
    return hstack([chars.transform(texts), words.transform(texts)]).tocsr()


def music_features(outputs: Sequence[Any]) -> np.ndarray:
    """Pitch and rhythm statistics per melody: mean/std/min/max pitch, steps, leaps, durations, density."""
    rows = []
    for o in outputs:
        notes = notes_of(o)
        if not notes:
            rows.append(np.zeros(10))
            continue
        p = np.array([n[0] for n in notes])
        d = np.array([max(n[2], 0.0) for n in notes])
        span = max(n[1] + n[2] for n in notes) - min(n[1] for n in notes)
        steps = np.abs(np.diff(p)) if len(p) > 1 else np.zeros(1)
        rows.append(np.array([p.mean(), p.std(), p.min(), p.max(), steps.mean(), (steps <= 2).mean(),
                              (steps >= 7).mean(), d.mean(), d.std(), len(p) / max(span, 1e-6)]))
    return np.vstack(rows)


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


# ---------------------------------------------------------------- fine-tuning on liked texts

def full_text(row: dict) -> str:
    """The prompt and its continuation as one text (the output alone if it already starts with it)."""
    text = text_of(row.get("output"))
    prompt = (row.get("params") or {}).get("prompt") or ""
    return text if not isinstance(prompt, str) or text.startswith(prompt) else prompt + text


def feedback_corpus(rows: list[dict], min_rating: int = 4) -> str:
    """The distinct texts (prompt + output) rated ``min_rating`` or higher, one per paragraph."""
    seen, texts = set(), []
    for r in rows:
        t = full_text(r).strip()
        if r["rating"] >= min_rating and t and t not in seen:
            seen.add(t)
            texts.append(t)
    return "\n\n".join(texts) + ("\n" if texts else "")


def feedback_train_config(max_iters: int = 200, max_minutes: float = 3.0):
    """A short, gentle fine-tune: low learning rate, small batches, no dropout."""
    from playground.train.text import TextTrainConfig

    return TextTrainConfig(max_iters=max_iters, max_minutes=max_minutes, lr=3e-4, min_lr=3e-5,
                           warmup_iters=10, eval_interval=50, batch_size=8, dropout=0.0)


def learn_from_feedback(rows: list[dict], init: str | Path, out_dir: str | Path, cfg=None,
                        min_rating: int = 4) -> Iterator[dict]:
    """Fine-tune the text model at ``init`` on the highly rated texts in ``rows``; saves to ``out_dir``.

    Yields ``iter_train``'s progress dicts (the last has ``done=True``). ``cfg`` defaults to a
    short, gentle run (200 steps or 3 minutes, low learning rate).
    """
    from playground.train.text import iter_train

    text = feedback_corpus(rows, min_rating)
    if len(text) < 200:
        raise ValueError(f"Not enough highly rated text yet ({len(text)} characters rated {min_rating}+ "
                         "stored; at least 200 are needed). Rate more outputs first.")
    cfg = cfg or feedback_train_config()
    n = sum(1 for r in rows if r["rating"] >= min_rating)
    yield from iter_train(text, out_dir, cfg, init=init,
                          source=f"feedback: {n} outputs rated {min_rating}+ ({len(text)} characters)",
                          command=f"playground.preference.learn_from_feedback(init={init})")


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


FEATURES: dict[str, Callable[[Sequence[Any]], Any]] = {"text": text_features, "music": music_features}


def reranker(modality: str, model: str | None = None, store: feedback.FeedbackStore | None = None) -> Reranker:
    """A ``Reranker`` fitted to the stored ratings of ``modality`` (of every model unless ``model``)."""
    if modality not in FEATURES:
        raise ValueError(f"There is no reranker for {modality} outputs; use one of {', '.join(FEATURES)}.")
    return _fitted("rerank", modality, model, lambda rows: Reranker(FEATURES[modality]).fit_rows(rows),
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


def new_version_dir(model: str) -> Path:
    """Where the next feedback-tuned version of ``model`` is saved (under the data dir)."""
    base = model.split("-feedback-")[0]
    return config.data_dir() / "models" / f"{base}-feedback-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}"


def lineage_rows(rows: list[dict], model: str) -> list[dict]:
    """The rows of ``model`` and of every feedback-tuned version of its base model."""
    base = model.split("-feedback-")[0]
    return [r for r in rows if r["model"] == base or r["model"].startswith(base + "-feedback-")]


def fine_tune_from_feedback(init: str | Path, model: str | None = None, store: feedback.FeedbackStore | None = None,
                            cfg=None, min_rating: int = 4, out_dir: str | Path | None = None) -> Iterator[dict]:
    """'Learn from feedback': fine-tune the text model folder ``init`` on the texts of its
    lineage (``model``, default the folder's name) rated ``min_rating``+ and save a new version
    under ``<data dir>/models/`` (or ``out_dir``). Yields ``iter_train`` progress dicts; the
    last has ``done=True``, ``out_dir`` and the model ``card``.
    """
    model = model or Path(init).name
    rows = lineage_rows((store or feedback.default_store()).rated("text"), model)
    out = Path(out_dir) if out_dir else new_version_dir(model)
    yield from learn_from_feedback(rows, init, out, cfg, min_rating)
