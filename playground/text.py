"""Text generation with any transformers causal LM: load, sample, stream, and explain.

    tm = load("assets/models/text-shakespeare")          # or a Hub id such as "distilgpt2"
    gen = generate(tm, TextParams(prompt="ROMEO:", seed=1))
    gen.output   # the continuation; gen.params holds every input that made it

Sampling is a small loop over the model with a key/value cache, so every step exposes the
next-token distribution (what a learner sees in the tab) and a ``torch.Generator`` seeded per
call makes the same inputs + seed give the same text, whatever other users do meanwhile.
"""
from __future__ import annotations

import os
import re
import socket
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

import torch

from playground import config
from playground.generation import Generation, checkpoint_hash

MAX_NEW_TOKENS = 1000  # a hard cap whatever the UI or API asks
MAX_PROMPT_CHARS = 20_000
TOP_SHOWN = 10  # tokens listed in the probability view


@dataclass
class TextParams:
    """Every input of one text generation (stored with the output, so it can be reproduced)."""

    prompt: str = ""
    max_new_tokens: int = 200
    temperature: float = 0.8
    top_k: int = 0  # 0 = no top-k cut
    top_p: float = 1.0  # 1 = no nucleus cut
    seed: int = 0

    def checked(self) -> tuple["TextParams", list[str]]:
        """A copy with every value in range, and the notices for what was changed."""
        notes = []
        p = TextParams(**asdict(self))
        p.prompt = p.prompt if isinstance(p.prompt, str) else ""
        if len(p.prompt) > MAX_PROMPT_CHARS:
            p.prompt = p.prompt[-MAX_PROMPT_CHARS:]
            notes.append(f"The prompt was longer than {MAX_PROMPT_CHARS:,} characters; only its end is used.")
        try:
            n = int(p.max_new_tokens)
        except (TypeError, ValueError):
            raise ValueError("Length must be a whole number of tokens.") from None
        if n < 1 or n > MAX_NEW_TOKENS:
            p.max_new_tokens = min(max(n, 1), MAX_NEW_TOKENS)
            notes.append(f"Length {n} is out of range; capped to {p.max_new_tokens} tokens (1-{MAX_NEW_TOKENS}).")
        try:
            p.temperature, p.top_p = float(p.temperature), float(p.top_p)
            p.top_k, p.seed = int(p.top_k), int(p.seed)
        except (TypeError, ValueError):
            raise ValueError("Temperature, top-k, top-p and seed must be numbers.") from None
        if not 0 < p.temperature <= 5:
            raise ValueError("Temperature must be above 0 and at most 5 (0.7-1.0 reads best).")
        if not 0 < p.top_p <= 1:
            raise ValueError("Top-p must be above 0 and at most 1.")
        if p.top_k < 0:
            raise ValueError("Top-k must be 0 (off) or a positive number of tokens.")
        return p, notes


@dataclass
class TextModel:
    """A loaded causal LM with its tokenizer and what identifies it."""

    name: str
    model: torch.nn.Module
    tokenizer: object
    model_hash: str
    context: int  # the longest sequence the model can attend to
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def start_id(self) -> int:
        t = self.tokenizer
        for tid in (t.bos_token_id, t.eos_token_id):
            if tid is not None:
                return tid
        return 0


@dataclass
class Step:
    """One streamed token: the text so far and the distribution it was drawn from."""

    text: str  # the continuation so far
    token: str  # the token just added
    prob: float  # its probability under the shown distribution
    top: list[tuple[str, float]]  # the most likely tokens at that position, with probabilities


_cache: dict[str, TextModel] = {}
_cache_lock = threading.Lock()


def _online(host: str = "huggingface.co", timeout: float = 3.0) -> bool:
    try:
        socket.create_connection((host, 443), timeout=timeout).close()
        return True
    except OSError:
        return False


def load(model_id: str | os.PathLike) -> TextModel:
    """Load (once per process) a causal LM from a local folder or a Hugging Face Hub id.

    Raises ValueError with a plain sentence when the folder is missing or corrupt, or a Hub
    model cannot be downloaded (offline).
    """
    key = str(model_id)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
        tm = _load(key)
        _cache[key] = tm
        return tm


def _load(key: str) -> TextModel:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = Path(key).expanduser()
    if path.exists() or not _looks_like_hub_id(key):
        if not (path / "config.json").is_file():
            raise ValueError(f"The model folder '{key}' is missing or has no config.json.")
        try:
            tokenizer = AutoTokenizer.from_pretrained(path)
            model = AutoModelForCausalLM.from_pretrained(path)
        except Exception as e:  # corrupt weights, bad json, unknown architecture
            raise ValueError(f"The model folder '{key}' could not be loaded (corrupt or incomplete): "
                             f"{type(e).__name__}: {str(e).splitlines()[0][:200]}") from None
        name, mhash = path.resolve().name, checkpoint_hash(path)
    else:
        try:  # already in the local Hub cache?
            tokenizer = AutoTokenizer.from_pretrained(key, local_files_only=True)
            model = AutoModelForCausalLM.from_pretrained(key, local_files_only=True)
        except Exception:
            offline = os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false") or not _online()
            if offline:
                raise ValueError(f"The Hub model '{key}' cannot be downloaded: this machine is offline "
                                 "(no connection to huggingface.co). Keep using the bundled model.") from None
            try:
                tokenizer = AutoTokenizer.from_pretrained(key)
                model = AutoModelForCausalLM.from_pretrained(key)
            except Exception as e:
                raise ValueError(f"The Hub model '{key}' could not be loaded: {str(e).splitlines()[0][:200]}") from None
        name, mhash = key, f"hub:{getattr(model.config, '_commit_hash', None) or 'unknown'}"[:16]
    model.eval()
    context = getattr(model.config, "n_positions", None) or getattr(model.config, "max_position_embeddings", 1024)
    return TextModel(name=name, model=model, tokenizer=tokenizer, model_hash=mhash, context=int(context))


def _looks_like_hub_id(key: str) -> bool:
    """``name`` or ``owner/name`` (a path like ``assets/models/x`` or ``./x`` is local)."""
    return re.fullmatch(r"[\w.-]+(/[\w.-]+)?", key) is not None and not key.startswith(".")


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


def distribution(logits: torch.Tensor, temperature: float, top_k: int, top_p: float) -> torch.Tensor:
    """Probabilities after temperature, top-k and top-p (nucleus) filtering of 1-D ``logits``."""
    logits = logits.float() / temperature
    if 0 < top_k < logits.numel():
        kth = torch.topk(logits, top_k).values[-1]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    probs = torch.softmax(logits, dim=-1)
    if top_p < 1.0:
        sorted_p, order = torch.sort(probs, descending=True)
        keep = torch.cumsum(sorted_p, 0) - sorted_p < top_p  # smallest set reaching top_p
        mask = torch.zeros_like(probs, dtype=torch.bool)
        mask[order[keep]] = True
        probs = torch.where(mask, probs, torch.zeros_like(probs))
        probs = probs / probs.sum()
    return probs


def token_label(tm: TextModel, token_id: int) -> str:
    """A readable label of one token: spaces and newlines made visible."""
    s = tm.tokenizer.decode([token_id])
    if token_id == tm.start_id and not s.strip():
        return "<start>"
    return s.replace(" ", "␣").replace("\n", "⏎").replace("\t", "⇥") or "∅"


def top_tokens(tm: TextModel, probs: torch.Tensor, k: int = TOP_SHOWN) -> list[tuple[str, float]]:
    vals, idx = torch.topk(probs, min(k, probs.numel()))
    return [(token_label(tm, int(i)), float(v)) for v, i in zip(vals, idx) if v > 0]


@torch.inference_mode()
def stream(tm: TextModel, params: TextParams) -> Iterator[Step]:
    """Sample ``params.max_new_tokens`` tokens, yielding after each one."""
    p, _ = params.checked()
    ids, _ = encode_prompt(tm, p.prompt)
    gen = torch.Generator().manual_seed(p.seed)
    model, out_ids = tm.model, []
    text, pending = "", []  # decoded so far, and tokens not yet decodable on their own
    x, past = torch.tensor([ids]), None
    with tm.lock:  # one KV cache walk at a time per model keeps threads from fighting
        for _ in range(p.max_new_tokens):
            if past is not None and past.get_seq_length() + 1 > tm.context:
                # context full: start again from the last half of it
                window = (ids + out_ids)[-(tm.context // 2):]
                x, past = torch.tensor([window]), None
            out = model(input_ids=x, cache=past, use_cache=True)
            past = out.cache
            probs = distribution(out.logits[0, -1], p.temperature, p.top_k, p.top_p)
            tid = int(torch.multinomial(probs, 1, generator=gen))
            if tid == tm.tokenizer.eos_token_id:  # the model says the text ends here
                return
            out_ids.append(tid)
            pending.append(tid)
            piece = tm.tokenizer.decode(pending)
            if not piece.endswith("\ufffd"):  # a whole character (a byte-level token can be half of one)
                text, pending = text + piece, []
            x = torch.tensor([[tid]])
            yield Step(text=text, token=token_label(tm, tid), prob=float(probs[tid]), top=top_tokens(tm, probs))


def record(tm: TextModel, params: TextParams, text: str, elapsed_s: float, n_tokens: int) -> Generation:
    """The ``Generation`` for a finished text (inputs, output, speed)."""
    p, _ = params.checked()
    return Generation(modality="text", model=tm.name, model_hash=tm.model_hash,
                      params=asdict(p), output=text,
                      media={"tokens": n_tokens, "seconds": round(elapsed_s, 3)})


def generate(tm: TextModel | str, params: TextParams) -> Generation:
    """Generate a whole continuation (no streaming)."""
    tm = load(tm) if not isinstance(tm, TextModel) else tm
    t0, text, n = time.perf_counter(), "", 0
    for step in stream(tm, params):
        text, n = step.text, n + 1
    return record(tm, params, text, time.perf_counter() - t0, n)


@torch.inference_mode()
def _next_distribution(tm: TextModel, text: str, temperature: float, top_k: int,
                       top_p: float) -> tuple[torch.Tensor, list[str]]:
    """The sampler's distribution over the token after ``text`` (one forward pass), plus notices."""
    p, notes = TextParams(prompt=text, temperature=temperature, top_k=top_k, top_p=top_p).checked()
    ids, more = encode_prompt(tm, p.prompt)
    logits = tm.model(input_ids=torch.tensor([ids[-tm.context:]])).logits[0, -1]
    return distribution(logits, p.temperature, p.top_k, p.top_p), notes + more


def next_token(tm: TextModel, text: str, temperature: float = 1.0, top_k: int = 0,
               top_p: float = 1.0, k: int = TOP_SHOWN) -> tuple[list[tuple[str, float, int]], list[str]]:
    """The ``k`` most likely next tokens after ``text``: (label, probability, id), plus notices."""
    probs, notes = _next_distribution(tm, text, temperature, top_k, top_p)
    vals, idx = torch.topk(probs, min(k, probs.numel()))
    return [(token_label(tm, int(i)), float(v), int(i)) for v, i in zip(vals, idx) if v > 0], notes


def step(tm: TextModel, text: str, choice: int | None = None, seed: int = 0, position: int = 0,
         temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0) -> tuple[str, str]:
    """Add one token to ``text``: ``choice`` (a token id) or one drawn by the sampler.

    The draw is seeded by ``seed`` and ``position`` so a replayed sequence of steps is
    reproducible. Returns the new text and the label of the added token.
    """
    if choice is None:
        probs, _ = _next_distribution(tm, text, temperature, top_k, top_p)
        gen = torch.Generator().manual_seed(int(seed) * 100_003 + int(position))
        choice = int(torch.multinomial(probs, 1, generator=gen))
    return text + tm.tokenizer.decode([int(choice)]), token_label(tm, int(choice))


def available_models(extra: str | None = None) -> list[str]:
    """The bundled text model, the user's fine-tuned ones (newest first), and ``extra``."""
    names = [str(config.DEFAULT_TEXT_MODEL)]
    tuned = config.data_dir() / "models"
    if tuned.is_dir():
        found = [d for d in tuned.iterdir() if (d / "config.json").is_file() and (d / "training.json").is_file()]
        names += [str(d) for d in sorted(found, key=lambda d: d.stat().st_mtime, reverse=True)]
    if extra and extra not in names:
        names.append(extra)
    return names
