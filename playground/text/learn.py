"""What the feedback loop learns from texts: reranker features, and fine-tuning on liked texts.

    x = features([gen.output for gen in rated])           # sparse n-gram features for a scorer
    for ev in learn_from_feedback(tm, rows): ...          # a new model version from texts rated 4-5
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, Sequence

from playground.lineage import base_name, lineage_rows, new_version_dir  # noqa: F401 (part of this module's API)
from playground.text.models import TextModel

MIN_CORPUS_CHARS = 200  # less liked text than this teaches nothing


def text_of(output: Any) -> str:
    """The generated text in a stored text output: a string, or a dict with ``text``."""
    if isinstance(output, dict):
        output = output.get("text", output.get("completion", ""))
    return output if isinstance(output, str) else ""


def features(outputs: Sequence[Any]):
    """Sparse character 2-4-gram and word features of texts (hashed: nothing to fit)."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import HashingVectorizer

    texts = [text_of(o) for o in outputs]
    chars = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 4), n_features=2 ** 16, alternate_sign=False)
    words = HashingVectorizer(analyzer="word", n_features=2 ** 14, alternate_sign=False)
    return hstack([chars.transform(texts), words.transform(texts)]).tocsr()


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


def learn_from_feedback(tm: TextModel, rows: list[dict], *, min_rating: int = 4, cfg=None,
                        out_dir: str | Path | None = None) -> Iterator[dict]:
    """Fine-tune ``tm`` (a local folder) on the texts in ``rows`` rated ``min_rating``+.

    Saves a new version to ``out_dir`` (default ``<data dir>/models/<base>-feedback-<UTC time>``)
    and yields the training loop's progress events; the last has ``done=True``, ``card`` and
    ``out_dir``. ``cfg`` (a ``TextTrainConfig``) defaults to a short, gentle run.
    """
    from playground.train.text import iter_train

    if tm.path is None:
        raise ValueError("Learning from feedback needs a local model folder (the bundled model or a fine-tune).")
    text = feedback_corpus(rows, min_rating)
    if len(text) < MIN_CORPUS_CHARS:
        raise ValueError(f"Not enough highly rated text yet ({len(text)} characters rated {min_rating}+ "
                         f"stored; at least {MIN_CORPUS_CHARS} are needed). Rate more outputs first.")
    n = sum(1 for r in rows if r["rating"] >= min_rating)
    out = Path(out_dir) if out_dir else new_version_dir(tm.name)
    yield from iter_train(text, out, cfg or feedback_train_config(), init=tm.path,
                          source=f"feedback: {n} outputs rated {min_rating}+ ({len(text)} characters)",
                          command=f"learn from feedback of {tm.name} (playground.text.learn_from_feedback)",
                          learned_from={"method": "fine-tune on liked texts", "ratings": len(rows),
                                        "liked": n, "min_rating": min_rating})


def preference_pairs(tm: TextModel, rows: list[dict], battles: list[dict]) -> list[dict]:
    """DPO pairs for ``tm``'s lineage: A/B votes between its versions, and same-prompt rating gaps."""
    from playground import exports

    mine = lineage_rows(rows, tm.name)
    base = base_name(tm.name)
    fought = [b for b in battles if b["modality"] == "text"
              and all(m == base or m.startswith(base + "-") for m in (b["model_a"], b["model_b"]))]
    return list(exports.pairs_from_battles(fought)) + list(exports.pairs_from_ratings(mine))


def learn_by_dpo(tm: TextModel, rows: list[dict], battles: list[dict], cfg=None,
                 out_dir: str | Path | None = None, stop=None) -> Iterator[dict]:
    """Direct Preference Optimisation of ``tm`` on its ``preference_pairs``; saves a new version
    (``playground.train.dpo``) and yields the loop's progress events (the last has ``done=True``)."""
    from playground.train.dpo import dpo

    if tm.path is None:
        raise ValueError("Learning from votes needs a local model folder (the bundled model or a fine-tune).")
    pairs = preference_pairs(tm, rows, battles)
    yield from dpo(tm.path, pairs, Path(out_dir) if out_dir else new_version_dir(tm.name), cfg, stop)
