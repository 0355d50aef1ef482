"""Continuous batching: the text generations of one model share one forward pass per step.

    req = scheduler(tm).submit(ids, params)   # joins the running batch at the next step
    for token_id, probs in req: ...           # its own tokens as they are drawn (a queue per request)
    req.cancel()                              # Stop or a closed tab: its slot is free at the next step

One background thread per model runs the steps. A joining request first reads its prompt alone
(a batch of one, its own length: the solo computation) and draws its first token from that; its
keys/values are then copied into a free *slot*, one row of a cache of ``context`` columns. Each
decode step feeds every live row its last token at its own position, writes each row's new
key/value at its own column, and masks the columns after it. A row that fills the context is
read again from the last half of it, alone, exactly as when it runs solo. Requests leave when
they finish or are cancelled; each draws from its own ``torch.Generator`` with its own settings.

Why a row's numbers are its own whoever shares the step: attention runs in its plain ("eager")
form, which gives a row bitwise the same result whatever the other rows hold, whichever slot it
sits in and however many columns the step reads; the matrix products give the same bits for any
batch of at least ``min_rows`` rows (one row alone takes another kernel). ``min_rows`` is
measured when a scheduler first starts (4 on this machine), and every step runs at least that
many rows. A solo generation is this scheduler with one request, so batched and solo runs give
the same tokens for the same seed (``tests/test_batching.py`` checks it on 100 seeds).
"""
from __future__ import annotations

import copy
import queue
import threading
import weakref
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Iterator

import torch
from transformers.cache_utils import Cache

from playground.text.params import Params

MAX_SLOTS = 32  # rows of the shared cache: a class of 30 at once
CACHE_BUDGET = 512 * 2**20  # bytes of keys/values at most: a large Hub model gets fewer slots
JOINS_PER_STEP = 8  # prompts read between two decode steps, so running rows keep streaming
IDLE_S = 60.0  # an idle scheduler stops its thread and frees its cache
ROW_CHOICES = (1, 2, 4, 8, 16)  # candidates for min_rows, smallest first


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


class SlotCache(Cache):
    """Keys/values of every slot, (slots, heads, context, head_dim) per layer; a row writes at its own column."""

    def __init__(self, prefill: Cache, context: int, max_slots: int = MAX_SLOTS, budget: int = CACHE_BUDGET):
        super().__init__(layers=[])
        per_slot = sum(2 * l.keys[0, :, :1].numel() * l.keys.element_size() for l in prefill.layers) * context
        self.slots, self.context = max(1, min(max_slots, budget // per_slot)), context
        self.keys = [torch.zeros(self.slots, *l.keys.shape[1:2], context, l.keys.shape[-1], dtype=l.keys.dtype)
                     for l in prefill.layers]
        self.values = [torch.zeros(self.slots, *l.values.shape[1:2], context, l.values.shape[-1],
                                   dtype=l.values.dtype) for l in prefill.layers]
        self.prepare(torch.zeros(0, dtype=torch.long), torch.zeros(0, dtype=torch.long), 1, 1)

    def prepare(self, slots: torch.Tensor, positions: torch.Tensor, rows: int, width: int) -> None:
        """The next step runs ``rows`` rows over ``width`` columns; only ``slots`` write (at ``positions``)."""
        self.write, self.rows, self.width = slots, rows, width
        heads = self.keys[0].shape[1]
        where = (slots[:, None] * heads + torch.arange(heads)) * self.context + positions[:, None]
        self.index = where.reshape(-1)  # rows of the (slots * heads * context, head_dim) view

    def store(self, slot: int, prefill: Cache) -> None:
        """Copy a request's prefill keys/values (batch of one) into its slot, from column 0."""
        for keys, values, layer in zip(self.keys, self.values, prefill.layers):
            n = layer.keys.shape[2]
            keys[slot, :, :n] = layer.keys[0]
            values[slot, :, :n] = layer.values[0]

    def update(self, key_states: torch.Tensor, value_states: torch.Tensor, layer_idx: int, *args: Any,
               **kwargs: Any) -> tuple[torch.Tensor, torch.Tensor]:
        """Write the writing rows' new key/value (one token each) at their columns; return the step's view."""
        out = []
        for cache, new in ((self.keys[layer_idx], key_states), (self.values[layer_idx], value_states)):
            if len(self.write):
                flat = cache.view(-1, cache.shape[-1])
                flat.index_copy_(0, self.index, new[self.write, :, 0].reshape(-1, cache.shape[-1]))
            out.append(cache[:self.rows, :, :self.width])
        return out[0], out[1]

    def get_seq_length(self, layer_idx: int = 0) -> int:
        return 0  # positions are always passed explicitly


@dataclass(eq=False)
class Request:
    """One generation in the batch: its prompt, settings, generator, cache slot and token queue."""

    ids: list[int]  # the prompt's token ids
    params: Params
    out: list[int] = field(default_factory=list)  # tokens drawn so far
    slot: int = -1  # its row of the cache (-1: not in the batch)
    length: int = 0  # keys/values in its row
    done: bool = False
    queue: queue.SimpleQueue = field(default_factory=queue.SimpleQueue, repr=False)
    cancelled: threading.Event = field(default_factory=threading.Event, repr=False)

    def __post_init__(self) -> None:
        self.gen = torch.Generator().manual_seed(self.params.seed)

    def __iter__(self) -> Iterator[tuple[int, torch.Tensor]]:
        """(token id, the distribution it was drawn from) as each is drawn; raises if the request failed."""
        while (item := self.queue.get()) is not None:
            if isinstance(item, BaseException):
                raise RuntimeError(f"The text generation failed: {type(item).__name__}: {item}") from item
            yield item

    def cancel(self) -> None:
        """Leave the batch: the slot is freed before the next step."""
        self.cancelled.set()


def eager_view(module: torch.nn.Module) -> torch.nn.Module:
    """The same model (shared weights) with plain attention: row results independent of the batch."""
    memo = {id(t): t for t in [*module.parameters(), *module.buffers()]}
    view = copy.deepcopy(module, memo)
    view.set_attn_implementation("eager")
    return view.eval()


class Scheduler:
    """Runs the decode steps of every live request of one model on one background thread."""

    def __init__(self, module: torch.nn.Module, context: int, eos_id: int | None, max_slots: int = MAX_SLOTS):
        self.module, self.decoder = module, eager_view(module)
        self.context, self.eos_id, self.max_slots = context, eos_id, max_slots
        self.cache: SlotCache | None = None
        self.rows: list[Request | None] = []  # the request in each slot
        self.joining: deque[Request] = deque()
        self.cv = threading.Condition()
        self.thread: threading.Thread | None = None
        self.min_rows = 0  # measured at the first start
        self.steps = 0  # decode steps run so far

    def submit(self, ids: list[int], params: Params) -> Request:
        """A new request (``params`` already validated): it joins the batch at the next step."""
        req = Request(list(ids), params)
        with self.cv:
            self.joining.append(req)
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="text-batching", daemon=True)
                self.thread.start()
            self.cv.notify()
        return req

    def busy(self) -> int:
        """Requests in the batch or waiting to join it."""
        with self.cv:
            return len(self.joining) + sum(r is not None for r in self.rows)

    def _run(self) -> None:
        try:
            with torch.inference_mode():
                while self._wait_for_work():
                    self._step()
        except BaseException as e:  # a bug: fail every request rather than leave them waiting
            with self.cv:
                for r in [*self.joining, *self.rows]:
                    if r is not None:
                        r.queue.put(e)
                self.joining.clear()
                self.rows, self.cache, self.thread = [], None, None

    def _wait_for_work(self) -> bool:
        """Wait for requests; after ``IDLE_S`` without any, free the cache and end the thread."""
        with self.cv:
            if not self.joining and not any(self.rows):
                self.cv.wait_for(lambda: self.joining, timeout=IDLE_S)
            if not self.joining and not any(self.rows):
                self.rows, self.cache, self.thread = [], None, None
                return False
        if self.cache is None:
            self._start()
        return True

    def _start(self) -> None:
        """Allocate the slot cache (shapes from a one-token read) and measure ``min_rows`` once."""
        self.cache = SlotCache(self.module(input_ids=torch.zeros(1, 1, dtype=torch.long), use_cache=True).cache,
                               self.context, self.max_slots)
        self.rows = [None] * self.cache.slots
        if not self.min_rows:
            self.min_rows = self._calibrate()

    def _calibrate(self) -> int:
        """The fewest rows for which every row's logits equal its logits in a full batch (bitwise)."""
        g, slots = torch.Generator().manual_seed(0), self.cache.slots
        for t in self.cache.keys + self.cache.values:
            t.normal_(generator=g)  # random neighbours
        tokens = torch.randint(0, self.module.config.vocab_size, (slots,), generator=g)
        pos = torch.randint(0, self.context, (slots,), generator=g)
        full = self._logits(tokens, pos, torch.zeros(0, dtype=torch.long))
        chosen = slots
        for m in (c for c in ROW_CHOICES if c < slots):
            sizes = {m, m + 1, min(slots, 2 * m + 1), min(slots, 3 * m - 1)}
            if all(torch.equal(self._logits(tokens[:n], pos[:n], torch.zeros(0, dtype=torch.long)), full[:n])
                   for n in sizes):
                chosen = m
                break
        for t in self.cache.keys + self.cache.values:
            t.zero_()
        return chosen

    def _step(self) -> None:
        """Admit joiners, free the slots of finished rows, re-read full rows, then one decode step."""
        self._admit()
        live = [r for r in self.rows if r is not None and not self._left(r)]
        for r in [r for r in live if r.length + 1 > self.context]:  # the context is full: slide it
            self._prefill(r, (r.ids + r.out)[-(self.context // 2):])
        todo = [r for r in live if not r.done]
        if todo:
            self._decode(todo)

    def _left(self, r: Request) -> bool:
        if r.cancelled.is_set() and not r.done:
            self._finish(r)
        return r.done

    def _admit(self) -> None:
        """Up to ``JOINS_PER_STEP`` waiting requests take free slots; each reads its prompt alone."""
        for _ in range(JOINS_PER_STEP):
            with self.cv:
                free = next((i for i, r in enumerate(self.rows) if r is None), None)
                if free is None or not self.joining:
                    return
                req = self.joining.popleft()
                if not req.cancelled.is_set():
                    self.rows[free], req.slot = req, free
            if req.cancelled.is_set():
                self._finish(req)
            else:
                self._prefill(req, req.ids)

    def _prefill(self, r: Request, ids: list[int]) -> None:
        """Read ``ids`` alone (batch of one, as a solo run does), copy its keys/values into the slot, draw."""
        try:
            out = self.module(input_ids=torch.tensor([ids]), use_cache=True)
            self.cache.store(r.slot, out.cache)
            r.length = len(ids)
        except Exception as e:  # this request's input broke the model: only it fails
            return self._finish(r, e)
        self._draw(r, out.logits[0, -1])

    def _decode(self, rows: list[Request]) -> None:
        """One token for every row in one forward pass; if it fails, row by row to find the culprit."""
        try:
            logits = self._forward(rows)
        except Exception:
            for r in rows:
                try:
                    self._advance(r, self._forward([r]))
                except Exception as e:
                    self._finish(r, e)
            return
        for r in rows:
            self._advance(r, logits)

    def _advance(self, r: Request, logits: torch.Tensor) -> None:
        r.length += 1
        self._draw(r, logits[r.slot])

    def _forward(self, rows: list[Request]) -> torch.Tensor:
        """Logits of the next token of ``rows`` (indexed by slot); the rows below them run as padding."""
        n = min(self.cache.slots, max(self.min_rows, 1 + max(r.slot for r in rows)))
        tokens, pos = torch.zeros(n, dtype=torch.long), torch.zeros(n, dtype=torch.long)
        slots = torch.tensor([r.slot for r in rows])
        tokens[slots] = torch.tensor([r.out[-1] for r in rows])
        pos[slots] = torch.tensor([r.length for r in rows])
        self.steps += 1
        return self._logits(tokens, pos, slots)

    def _logits(self, tokens: torch.Tensor, pos: torch.Tensor, write: torch.Tensor) -> torch.Tensor:
        """One decode forward: row i feeds ``tokens[i]`` at ``pos[i]`` and sees columns 0..pos[i]."""
        width = 1 + int(pos.max())
        self.cache.prepare(write, pos[write], len(tokens), width)
        hidden = torch.arange(width) > pos[:, None]  # (rows, width): True = masked
        mask = torch.zeros(hidden.shape).masked_fill_(hidden, float("-inf"))[:, None, None, :]
        out = self.decoder(input_ids=tokens[:, None], position_ids=pos[:, None], attention_mask=mask,
                           cache=self.cache, use_cache=True)
        return out.logits[:, -1]

    def _draw(self, r: Request, logits: torch.Tensor) -> None:
        """Draw the row's next token with its own settings and generator; stream it or end."""
        p = r.params
        try:
            probs = distribution(logits, p.temperature, p.top_k, p.top_p)
            tid = int(torch.multinomial(probs, 1, generator=r.gen))
        except Exception as e:
            return self._finish(r, e)
        if tid == self.eos_id:  # the model says the text ends here
            return self._finish(r)
        r.out.append(tid)
        r.queue.put((tid, probs))
        if len(r.out) >= p.length:
            self._finish(r)

    def _finish(self, r: Request, error: BaseException | None = None) -> None:
        """End a request (done, cancelled or failed) and free its slot."""
        r.done = True
        r.queue.put(error)
        with self.cv:
            if 0 <= r.slot < len(self.rows) and self.rows[r.slot] is r:
                self.rows[r.slot] = None
        r.slot = -1


_schedulers: dict[int, Scheduler] = {}
_registry = threading.Lock()


def scheduler(tm: Any) -> Scheduler:
    """The scheduler of a loaded ``TextModel`` (made on first use, forgotten with the model)."""
    with _registry:
        s = _schedulers.get(id(tm))
        if s is None:
            s = _schedulers[id(tm)] = Scheduler(tm.module, tm.context, tm.tokenizer.eos_token_id)
            weakref.finalize(tm, _schedulers.pop, id(tm), None)
        return s
