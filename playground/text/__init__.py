"""Text: any transformers causal LM continues a prompt, token by token (``playground.contract``).

    tm = load("text-shakespeare")                          # or a folder, or a Hub id like "distilgpt2"
    gen = generate(tm, Params(prompt="ROMEO:", seed=1))    # gen.output: the text; gen.params: the inputs
    for s in stream(tm, params): s.text, s.top             # what the tab shows while it writes

Modules: ``params`` (validated inputs), ``models`` (list, load, cache), ``sampling`` (KV-cache
sampler, streaming, step mode), ``batching`` (continuous batching: concurrent generations share
each forward pass and get the tokens they would get alone), ``metrics`` (validation loss, two
protocols), ``explain``, ``learn`` (reranker features, fine-tuning on liked texts), ``bench``.
Training lives in ``playground.train.text``.
"""
from __future__ import annotations

from pathlib import Path

from playground.generation import Generation
from playground.text.bench import bench
from playground.text.explain import explain
from playground.text.learn import features, learn_from_feedback
from playground.text.models import TextModel, clear_cache, load, loaded, models
from playground.text.params import MAX_NEW_TOKENS, MAX_PROMPT_CHARS, Params
from playground.text.sampling import (Step, encode_prompt, generate, next_token, record, scheduler, step, stream,
                                      warm)

NAME = "text"

__all__ = ["NAME", "Params", "models", "load", "generate", "explain", "features", "learn_from_feedback",
           "bench", "save_output", "clear_cache", "loaded", "stream", "record", "next_token", "step", "encode_prompt",
           "scheduler", "warm", "Step", "TextModel", "MAX_NEW_TOKENS", "MAX_PROMPT_CHARS"]


def save_output(generation: Generation, out: Path) -> list[Path]:
    """Write the continuation (prompt not included) to ``out`` (a .txt file, or a folder)."""
    out = Path(out)
    if out.is_dir() or not out.suffix:
        out = out / f"text-{generation.params.get('seed', 0)}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(generation.output, encoding="utf-8")
    return [out]
