"""Sampling with a key/value cache, one token at a time, so every step shows its distribution.

    for step in stream(tm, Params(prompt="ROMEO:", seed=1)): step.text, step.top
    gen = generate(tm, params)                     # the whole continuation as a Generation
    top, notes = next_token(tm, "JULIET:\\nMy ")    # step mode: what the model expects next
    text, label = step(tm, text, choice=None, seed=7, position=0)

A ``torch.Generator`` seeded per call makes the same inputs + seed give the same text,
whatever other users do meanwhile. ``stream`` and ``generate`` run on the model's
continuous-batching scheduler (``playground.text.batching``): concurrent users share each forward
pass, and a text is bitwise the same written alone or beside others (``PLAYGROUND_TEXT_BATCHING=0``:
each request walks its own KV cache instead; ``auto``: alone solo, beside others batched).
"""
from __future__ import annotations

import os
import threading
import time
import weakref
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Callable, Iterator

import torch

from playground.generation import Generation
from playground.text.distribution import distribution
from playground.text.models import TextModel
from playground.text.params import Params

if TYPE_CHECKING:
    from playground.text import batching

TOP_SHOWN = 10  # tokens listed in the probability view
_labels: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # tokenizer -> {token id: label}


def scheduler(tm: TextModel) -> batching.Scheduler:
    """The continuous-batching scheduler of ``tm`` (``playground.text.batching``; imported on first
    use: it loads transformers' attention and cache classes, 1-2 s the app's start need not pay)."""
    from playground.text import batching

    return batching.scheduler(tm)


def warm(tm: TextModel) -> None:
    """Get ``tm``'s scheduler ready in the background (``Scheduler.warm``), unless requests never
    use it (``PLAYGROUND_TEXT_BATCHING=0``)."""
    if _joins_batch_mode():
        scheduler(tm).warm()


@dataclass
class Step:
    """One streamed token: the text so far and the distribution it was drawn from."""

    text: str  # the continuation so far
    token: str  # the token just added
    prob: float  # its probability under the shown distribution
    probs: torch.Tensor = field(repr=False)  # that distribution
    tm: TextModel = field(repr=False)
    count: int = 1  # tokens drawn so far

    @cached_property
    def top(self) -> list[tuple[str, float]]:
        """The most likely tokens at that position, with probabilities (computed when first read)."""
        return top_tokens(self.tm, self.probs)


def encode_prompt(tm: TextModel, prompt: str) -> tuple[list[int], list[str]]:
    """Token ids for ``prompt`` (the start token when empty) and notices for what was changed."""
    notes = []
    ids = tm.tokenizer(prompt, add_special_tokens=False)["input_ids"] if prompt else []
    known = tm.tokenizer.decode(ids)
    if prompt and len(known) < len(prompt):
        dropped = sorted(set(prompt) - set(known))
        notes.append(f"{len(prompt) - len(known)} character(s) the model has never seen were left out: "
                     + " ".join(repr(c) for c in dropped[:10]))
    if not ids:
        ids = [tm.start_id]
        if not prompt:
            notes.append("Empty prompt: generating from the start token.")
    limit = max(1, tm.context // 2) if tm.context >= 8 else tm.context  # room left to generate
    if len(ids) > limit:
        notes.append(f"The prompt is {len(ids)} tokens, longer than the model can use here; "
                     f"only its last {limit} tokens are read (context {tm.context}).")
        ids = ids[-limit:]
    return ids, notes


def token_label(tm: TextModel, token_id: int) -> str:
    """A readable label of one token: spaces and newlines made visible (remembered per tokenizer)."""
    labels = _labels.setdefault(tm.tokenizer, {})
    if token_id not in labels:  # decoding costs ~10 us: thirty streams ask for ten labels a token
        s = tm.tokenizer.decode([token_id])
        s = "<start>" if token_id == tm.start_id and not s.strip() else s
        labels[token_id] = s.replace(" ", "␣").replace("\n", "⏎").replace("\t", "⇥") or "∅"
    return labels[token_id]


def top_tokens(tm: TextModel, probs: torch.Tensor, k: int = TOP_SHOWN) -> list[tuple[str, float]]:
    """The ``k`` most likely tokens of ``probs`` as (label, probability), zeros left out."""
    vals, idx = torch.topk(probs, min(k, probs.numel()))
    return [(token_label(tm, i), v) for v, i in zip(vals.tolist(), idx.tolist()) if v > 0]


# "1" (default): every request joins the model's batch (playground.text.batching; solo and
# batched texts bitwise equal; one user alone ~0.8x as fast as a solo walk). "0": every request
# walks its own KV cache, one at a time per model. "auto": solo while nobody else generates with the model, the
# batch otherwise (one user at full speed; a text written beside others differs from its solo run
# in about 1 of 20,000 texts of 200 tokens: measured, the two arithmetics' last bits differ).
BATCHING = os.environ.get("PLAYGROUND_TEXT_BATCHING", "1").lower()
_solo_now: set[int] = set()  # id() of the models with a solo walk running ("auto")
_solo_lock = threading.Lock()


def stream(tm: TextModel, p: Params, every: float | Callable[[], float] = 0.0) -> Iterator[Step]:
    """Sample ``p.length`` tokens (fewer if the model ends the text), yielding after each one.

    Solo or in the model's running batch, as ``PLAYGROUND_TEXT_BATCHING`` says; closing this
    generator (Stop, a closed tab) takes a batched request out at the next step. ``every`` > 0
    (seconds, or a callable asked each time): it yields at most that often (the last tokens at
    once), each ``Step`` carrying every token drawn meanwhile (``Step.count`` says how many so far).
    """
    ids, _ = encode_prompt(tm, p.prompt)
    chunks = _batched(tm, ids, p, every) if _joins_batch(tm) else _paced(_solo(tm, ids, p), every)
    text, pending, n = "", [], 0  # decoded so far, tokens not yet decodable on their own, count
    for chunk in chunks:
        for tid, probs in chunk:
            pending.append(tid)
            piece = tm.tokenizer.decode(pending)
            if not piece.endswith("\ufffd"):  # a whole character (a byte-level token can be half of one)
                text, pending = text + piece, []
        n += len(chunk)
        yield Step(text=text, token=token_label(tm, tid), prob=float(probs[tid]), probs=probs, tm=tm, count=n)


def _batched(tm: TextModel, ids: list[int], p: Params,
             every: float | Callable[[], float]) -> Iterator[list[tuple[int, torch.Tensor]]]:
    req = scheduler(tm).submit(ids, p)
    try:
        yield from req.chunks(every)
    finally:
        req.cancel()


def _paced(tokens: Iterator[tuple[int, torch.Tensor]],
           every: float | Callable[[], float]) -> Iterator[list[tuple[int, torch.Tensor]]]:
    """A solo walk's tokens in lists as ``Request.chunks`` gives a batched request's: a list once
    ``every`` seconds have passed since the last one (asked at each list's first token), the rest
    when the walk ends; ``every`` 0: one token per list."""
    last, held, interval = 0.0, [], 0.0
    for token in tokens:
        if not held:
            interval = every() if callable(every) else every
        held.append(token)
        if time.perf_counter() - last >= interval:
            yield held
            last, held = time.perf_counter(), []
    if held:
        yield held


def _joins_batch_mode() -> bool:
    """Whether requests use the batch at all (every one, or beside others in "auto")."""
    return BATCHING not in ("0", "", "false")


def _joins_batch(tm: TextModel) -> bool:
    """Whether this request goes to the batch; in "auto", a request that goes solo is counted."""
    if not _joins_batch_mode():
        return False
    if BATCHING != "auto":
        return True
    with _solo_lock:
        if id(tm) in _solo_now or scheduler(tm).busy():
            return True
        _solo_now.add(id(tm))
        return False


def _solo(tm: TextModel, ids: list[int], p: Params) -> Iterator[tuple[int, torch.Tensor]]:
    """The solo walk; in "auto" it stops counting as running when it ends or is closed."""
    try:
        yield from _walk(tm, ids, p)
    finally:
        with _solo_lock:
            _solo_now.discard(id(tm))


@torch.inference_mode()
def _walk(tm: TextModel, ids: list[int], p: Params) -> Iterator[tuple[int, torch.Tensor]]:
    """(token id, distribution) per step: one KV-cache walk, a torch.Generator seeded per call."""
    gen = torch.Generator().manual_seed(p.seed)
    out_ids: list[int] = []
    x, past = torch.tensor([ids]), None
    with tm.lock:  # one KV cache walk at a time per model keeps threads from fighting
        for _ in range(p.length):
            if past is not None and past.get_seq_length() + 1 > tm.context:
                # context full: start again from the last half of it
                x, past = torch.tensor([(ids + out_ids)[-(tm.context // 2):]]), None
            out = tm.module(input_ids=x, cache=past, use_cache=True)
            past = out.cache
            probs = distribution(out.logits[0, -1], p.temperature, p.top_k, p.top_p)
            tid = int(torch.multinomial(probs, 1, generator=gen))
            if tid == tm.tokenizer.eos_token_id:  # the model says the text ends here
                return
            out_ids.append(tid)
            x = torch.tensor([[tid]])
            yield tid, probs


def record(tm: TextModel, p: Params, text: str) -> Generation:
    """The ``Generation`` for a finished text: its inputs, output and model."""
    return Generation(modality="text", model=tm.name, model_hash=tm.hash, params=p.to_dict(), output=text)


def generate(tm: TextModel, p: Params) -> Generation:
    """Generate a whole continuation (no streaming)."""
    text = ""
    for s in stream(tm, p):
        text = s.text
    return record(tm, p, text)


@torch.inference_mode()
def _next_distribution(tm: TextModel, p: Params) -> tuple[torch.Tensor, list[str]]:
    """The sampler's distribution over the token after ``p.prompt`` (one forward pass), plus notices."""
    ids, notes = encode_prompt(tm, p.prompt)
    logits = tm.module(input_ids=torch.tensor([ids[-tm.context:]])).logits[0, -1]
    return distribution(logits, p.temperature, p.top_k, p.top_p), notes


def next_token(tm: TextModel, text: str, temperature: float = 1.0, top_k: int = 0,
               top_p: float = 1.0, k: int = TOP_SHOWN) -> tuple[list[tuple[str, float, int]], list[str]]:
    """The ``k`` most likely next tokens after ``text``: (label, probability, id), plus notices."""
    probs, notes = _next_distribution(tm, Params(prompt=text, temperature=temperature, top_k=top_k, top_p=top_p))
    vals, idx = torch.topk(probs, min(k, probs.numel()))
    return [(token_label(tm, i), v, i) for v, i in zip(vals.tolist(), idx.tolist()) if v > 0], notes


def step(tm: TextModel, text: str, choice: int | None = None, seed: int = 0, position: int = 0,
         temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0) -> tuple[str, str]:
    """Add one token to ``text``: ``choice`` (a token id) or one drawn by the sampler.

    The draw is seeded by ``seed`` and ``position`` so a replayed sequence of steps is
    reproducible. Returns the new text and the label of the added token.
    """
    p = Params(prompt=text, temperature=temperature, top_k=top_k, top_p=top_p, seed=seed)
    position = int(position or 0)
    if choice is None:
        probs, _ = _next_distribution(tm, p)
        gen = torch.Generator().manual_seed(p.seed * 100_003 + position)
        choice = int(torch.multinomial(probs, 1, generator=gen))
    return text + tm.tokenizer.decode([int(choice)]), token_label(tm, int(choice))
