"""Plain words about a text model, for the tab: what it is, what it read, how good it is."""
from __future__ import annotations

import math

from playground import card
from playground.text import metrics
from playground.text.models import TextModel


def explain(tm: TextModel) -> str:
    """A short Markdown paragraph about ``tm``, from its config.json and (if any) its model card."""
    cfg, n = tm.config, sum(p.numel() for p in tm.module.parameters())
    layers = cfg.get("n_layer", cfg.get("num_hidden_layers", "?"))
    arch = (f"**{tm.name}** is a transformer ({cfg.get('model_type', 'causal LM')}) of "
            f"{layers} layer{'' if layers == 1 else 's'} and {n:,} parameters. "
            f"It reads up to {tm.context:,} tokens of context and gives each of its "
            f"{cfg.get('vocab_size', len(tm.tokenizer)):,} tokens a probability of coming next; "
            "the sampler then draws one.")
    c = card.read_card(tm.path) if tm.path else {}
    if not c:
        return arch
    m = c.get("metrics", {})
    learned = (f" It learned from {c.get('data') or 'user text'}"
               + (f", starting from {_short(c['parent'])}," if c.get("parent") else "")
               + f" in {c.get('steps', 0):,} steps ({c.get('train_seconds', 0) / 60:.1f} min).")
    if metrics.SLIDING not in m:
        return arch + learned
    block = c.get("config", {}).get("block_size", tm.context)
    score = (f" On held-out text it scores {m[metrics.SLIDING]:.3f} nats per character with at least "
             f"{m.get(metrics.CONTEXT, '?')} characters of context"
             + (f" ({m[metrics.WINDOWS]:.3f} averaged over whole {block}-character "
                "windows, nanoGPT's way)" if metrics.WINDOWS in m else "")
             + "; lower is better, and guessing uniformly would score "
             f"{_uniform(cfg):.2f}.")
    return arch + learned + score


def _short(path: str) -> str:
    return str(path).rstrip("/").rsplit("/", 1)[-1]


def _uniform(cfg: dict) -> float:
    return math.log(max(2, int(cfg.get("vocab_size") or 2)))
