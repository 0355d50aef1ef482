"""Speed of the Text tab: our streamed sampler vs the stock transformers pipeline, same model.

    python -m playground.bench text [--quick]
"""
from __future__ import annotations

import statistics
import threading
import time
from typing import Callable

from playground import config
from playground.text.models import TextModel, load
from playground.text.params import Params
from playground.text.sampling import BATCHING, stream
from playground.timing import row, timed

PROMPT = "ROMEO:\nO, she doth teach the torches"


def _ours(tm: TextModel, tokens: int, firsts: list[float], rates: list[float]) -> Callable[[int], None]:
    """One seeded streamed generation; records time to its first token and its tokens/s."""
    def run(seed: int) -> None:
        t0, n = time.perf_counter(), 0
        for _ in stream(tm, Params(prompt=PROMPT, length=tokens, temperature=0.8, seed=seed)):
            n += 1
            if n == 1:
                firsts.append(time.perf_counter() - t0)
        rates.append(n / (time.perf_counter() - t0))
    return run


def _stock(pipe, tokens: int, firsts: list[float], rates: list[float]) -> Callable[[int], None]:
    """The same with ``pipeline("text-generation")`` streaming through a ``TextIteratorStreamer``."""
    import torch
    from transformers import TextIteratorStreamer

    def run(seed: int) -> None:
        streamer = TextIteratorStreamer(pipe.tokenizer, skip_prompt=True)
        torch.manual_seed(seed)  # the pipeline samples from the global RNG
        kwargs = dict(max_new_tokens=tokens, min_new_tokens=tokens, do_sample=True, temperature=0.8,
                      top_k=0, streamer=streamer, return_full_text=False)
        t0, first = time.perf_counter(), None
        worker = threading.Thread(target=pipe, args=(PROMPT,), kwargs=kwargs)
        worker.start()
        for chunk in streamer:
            if first is None and chunk:
                first = time.perf_counter() - t0
        worker.join()
        total = time.perf_counter() - t0
        firsts.append(total if first is None else first)
        rates.append(tokens / total)
    return run


def bench(quick: bool = False, tokens: int = 200) -> list[dict]:
    """First-token latency and streamed tokens/s, ours and the pipeline's, after one warm-up each,
    both under the app's own process settings (``config.serve_settings``), restored afterwards."""
    import sys

    import torch

    before = torch.get_num_threads(), sys.getswitchinterval()
    settings = config.serve_settings()
    try:
        return _bench(quick, tokens, settings)
    finally:
        torch.set_num_threads(before[0])
        sys.setswitchinterval(before[1])


def _bench(quick: bool, tokens: int, settings: dict) -> list[dict]:
    from transformers import pipeline

    tm = load(config.DEFAULT_TEXT_MODEL)
    repeats = 3 if quick else 7
    pipe = pipeline("text-generation", model=str(config.DEFAULT_TEXT_MODEL), device="cpu")
    result = {}
    for who, make in (("playground", lambda f, r: _ours(tm, tokens, f, r)),
                      ("stock pipeline", lambda f, r: _stock(pipe, tokens, f, r))):
        firsts, rates = [], []
        timed(make(firsts, rates), repeats)
        result[who] = (firsts[-repeats:], statistics.median(rates[-repeats:]))
    ours, ref = result["playground"][1], result["stock pipeline"][1]
    n_params = sum(p.numel() for p in tm.module.parameters())
    return [
        row("first token, playground", result["playground"][0]),
        row("first token, stock pipeline", result["stock pipeline"][0]),
        row(f"streamed tokens/s, {tokens} tokens", None, playground=round(ours), pipeline=round(ref),
            ratio=round(ours / ref, 2), note=f"{tm.name}, {n_params:,} params, batching "
            f"{BATCHING}, {settings['torch_threads']} torch thread(s)"),
    ]
