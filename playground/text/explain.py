"""Plain words about a text model, for the tab: what it is, what it read, how good it is.

    explain(tm)       # the English paragraph
    paragraphs(tm)    # its pieces: [("ARCH", {...}), ("LEARNED", {...}), ...], names of ``NOTES``

The tab shows the same pieces in the reader's language (``tabs/explanations.py``).
"""
from __future__ import annotations

import math

from playground import card
from playground.text import metrics
from playground.text.models import TextModel

NOTES = {
    "ARCH": "**{name}** is a transformer ({model_type}) of {layers} layers and {n:,} parameters. It reads up to "
            "{context:,} tokens of context and gives each of its {vocab:,} tokens a probability of coming next; "
            "the sampler then draws one.",
    "ARCH_ONE_LAYER": "**{name}** is a transformer ({model_type}) of 1 layer and {n:,} parameters. It reads up to "
                      "{context:,} tokens of context and gives each of its {vocab:,} tokens a probability of coming "
                      "next; the sampler then draws one.",
    "LEARNED": " It learned from {data}",
    "LEARNED_USER_TEXT": " It learned from user text",
    "PARENT": ", starting from {parent},",
    "STEPS": " in {steps:,} steps ({minutes:.1f} min).",
    "SCORE": " On held-out text it scores {score:.3f} nats per character with at least {chars} characters of context",
    "WINDOWS": " ({windows:.3f} averaged over whole {block}-character windows, nanoGPT's way)",
    "UNIFORM": "; lower is better, and guessing uniformly would score {uniform:.2f}.",
}


def paragraphs(tm: TextModel) -> list[tuple[str, dict]]:
    """The pieces of ``tm``'s paragraph, from its config.json and (if any) its model card: (name in
    ``NOTES``, its format values), in order; joined as they are."""
    cfg, n = tm.config, sum(p.numel() for p in tm.module.parameters())
    layers = cfg.get("n_layer", cfg.get("num_hidden_layers", "?"))
    out = [("ARCH_ONE_LAYER" if layers == 1 else "ARCH",
            {"name": tm.name, "model_type": cfg.get("model_type", "causal LM"), "layers": layers, "n": n,
             "context": tm.context, "vocab": cfg.get("vocab_size", len(tm.tokenizer))})]
    c = card.read_card(tm.path) if tm.path else {}
    if not c:
        return out
    out.append(("LEARNED", {"data": c["data"]}) if c.get("data") else ("LEARNED_USER_TEXT", {}))
    if c.get("parent"):
        out.append(("PARENT", {"parent": _short(c["parent"])}))
    out.append(("STEPS", {"steps": c.get("steps", 0), "minutes": c.get("train_seconds", 0) / 60}))
    m = c.get("metrics", {})
    if metrics.SLIDING not in m:
        return out
    out.append(("SCORE", {"score": m[metrics.SLIDING], "chars": m.get(metrics.CONTEXT, "?")}))
    if metrics.WINDOWS in m:
        out.append(("WINDOWS", {"windows": m[metrics.WINDOWS],
                                "block": c.get("config", {}).get("block_size", tm.context)}))
    out.append(("UNIFORM", {"uniform": _uniform(cfg)}))
    return out


def explain(tm: TextModel, notes: dict[str, str] | None = None) -> str:
    """A short Markdown paragraph about ``tm`` (``notes``: the text of each piece of ``NOTES`` by name;
    default the English)."""
    return "".join((notes or NOTES)[name].format(**values) for name, values in paragraphs(tm))


def _short(path: str) -> str:
    return str(path).rstrip("/").rsplit("/", 1)[-1]


def _uniform(cfg: dict) -> float:
    return math.log(max(2, int(cfg.get("vocab_size") or 2)))
