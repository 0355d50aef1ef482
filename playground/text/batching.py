"""Continuous batching: the text generations of one model share one forward pass per step.

    req = scheduler(tm).submit(ids, params)   # joins the running batch at the next step
    for token_id, probs in req: ...           # its own tokens as they are drawn (a queue per request)
    req.cancel()                              # Stop or a closed tab: its slot is free at the next step

One background thread per model runs the steps. A joining request first reads its prompt alone
(a batch of one, its own length: the solo computation) and draws its first token from that; its
keys/values are then copied into a free *slot*, one row of a cache just as wide as the longest row
needs (a multiple of 64 columns). Each decode step feeds every live row its last token at its own
position, writes each row's new key/value at its own column, and masks the columns after it. A
row that fills the context is read again from the last half of it, alone, exactly as when it
runs solo. Requests leave when they finish or are cancelled; each draws from its own
``torch.Generator`` with its own settings.

Why a row's numbers are its own whoever shares the step (measured, then checked by the tests):
- attention runs in its plain form (``slot_attention``, on a view of the model that shares its
  weights), which gives a row bitwise the same result whatever the other rows hold, whichever
  slot it sits in and however many rows attend, as long as the step reads a multiple of 64
  columns (other widths change the last bits);
- the matrix products give the same bits for any batch of at least ``min_rows`` rows (one to
  three rows take other kernels), so a step runs at least ``min_rows`` rows; the padding rows
  skip attention.
``min_rows`` and the column step are measured when a scheduler starts (4 and 64 here; fixed
shapes if no smaller choice keeps the bits). Prompts that join together and have one length of at
least ``min_rows`` tokens are read in one forward pass, which gives each the bits it gets alone
(measured at start too; if not, each is read alone). A solo generation is this scheduler with one
request, so batched and solo runs give the same tokens for the same seed.
"""
from __future__ import annotations

import atexit
import copy
import queue
import threading
import time
import weakref
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import torch
from transformers import AttentionInterface
from transformers.cache_utils import Cache
from transformers.integrations.sdpa_attention import repeat_kv

from playground.text.distribution import distribution
from playground.text.params import Params

MAX_SLOTS = 32  # rows of the shared cache: a class of 30 at once
CACHE_BUDGET = 512 * 2**20  # bytes of keys/values at most: a large Hub model gets fewer slots
JOINS_PER_STEP = 32  # prompts read before the next decode step: a whole class joins at once
IDLE_S = 60.0  # an idle scheduler stops its thread and frees its cache
ROW_CHOICES = (1, 2, 4, 8, 16)  # candidates for min_rows, smallest first
WIDTH_STEP = 64  # a step reads a multiple of 64 columns (any width breaks bitwise equality: measured)

_all: weakref.WeakSet[Scheduler] = weakref.WeakSet()  # every scheduler, stopped at interpreter exit


class SlotCache(Cache):
    """Keys/values of every slot, (slots, heads, width, head_dim) per layer; a row writes at its own column.

    ``width`` (a multiple of ``step``, at most ``context``) is just wide enough for the longest row,
    and a step reads every column of it, masking those after each row's position: each (row, head)
    block is then one contiguous matrix. Reading the first columns of a context-wide cache instead
    (strided blocks) made attention 1.5-3x slower (measured: 30 rows, 128 of 256 columns, 3.9 ms
    against 1.2 ms a step); the bits are the same either way (``Scheduler._calibrate`` checks).
    """

    def __init__(self, prefill: Cache, context: int, max_slots: int = MAX_SLOTS, budget: int = CACHE_BUDGET,
                 step: int | None = None):
        super().__init__(layers=[])
        per_slot = sum(2 * l.keys[0, :, :1].numel() * l.keys.element_size() for l in prefill.layers) * context
        self.slots, self.context = max(1, min(max_slots, budget // per_slot)), context
        self.step = step or context  # the column step (``Scheduler._calibrate``)
        # (heads, head_dim, dtype) of every layer's keys, then of every layer's values
        self.shapes = [(l.keys.shape[1], l.keys.shape[-1], l.keys.dtype) for l in prefill.layers] * 2
        # one block of memory per layer's keys and values, as wide as the context, allocated once:
        # every width is a view of its start (re-allocating made the process's memory creep)
        self.memory = [torch.zeros(self.slots * heads * context * dim, dtype=dtype) for heads, dim, dtype in self.shapes]
        self.keys: list[torch.Tensor] = []
        self.values: list[torch.Tensor] = []
        self.width = 0
        self.clear()

    def clear(self) -> None:
        """Every slot empty (zeros), one step wide."""
        self.resize(self.fit(1), source=[])

    def fit(self, columns: int) -> int:
        """The width that holds ``columns`` columns: a multiple of ``step``, at most ``context``."""
        return min(self.context, -(-max(1, columns) // self.step) * self.step)

    def resize(self, width: int, source: list[torch.Tensor] | None = None) -> None:
        """Make every layer ``width`` columns wide, keeping the columns both widths have (from
        ``source``, keys then values of every layer, if given; else moved within the same memory)."""
        views = [m[:self.slots * heads * width * dim].view(self.slots, heads, width, dim)
                 for m, (heads, dim, _) in zip(self.memory, self.shapes)]
        if source is not None:
            for i, view in enumerate(views):
                n = min(width, source[i].shape[2]) if i < len(source) else 0
                if n:
                    view[:, :, :n] = source[i][:, :, :n]
                view[:, :, n:] = 0
        elif width != self.width:
            # A slot's block moves up when the cache widens and down when it narrows: moving the
            # last slot first (widening) or the first slot first (narrowing) never overwrites a
            # block not yet moved; a slot's own old and new places may overlap, hence the clone.
            n = min(width, self.width)
            order = range(self.slots - 1, -1, -1) if width > self.width else range(self.slots)
            for view, old in zip(views, self.keys + self.values):
                for slot in order:
                    view[slot, :, :n] = old[slot, :, :n].clone()
                view[:, :, n:] = 0
        half = len(views) // 2
        self.keys, self.values, self.width = views[:half], views[half:], width
        heads = self.shapes[0][0]
        self.first = (torch.arange(self.slots)[:, None] * heads + torch.arange(heads)) * width  # (slots, heads)
        self.prepare(torch.zeros(1, dtype=torch.long), [])

    def prepare(self, positions: torch.Tensor, write: list[int] | None = None) -> None:
        """The next step: row i writes at column ``positions[i]`` (only the rows in ``write``, if given)
        and every row reads all ``width`` columns."""
        self.rows, self.write = len(positions), write
        if write is not None:
            positions, first = positions[write], self.first[write]
        else:
            first = self.first[:self.rows]
        self.index = (first + positions[:, None]).reshape(-1)  # rows of the (slots * heads * width, dim) view

    def store(self, slot: int, prefill: Cache, row: int = 0) -> None:
        """Copy a request's prefill keys/values (``row`` of the prefill batch) into its slot, from column 0."""
        n = prefill.layers[0].keys.shape[2]
        if n > self.width:
            self.resize(self.fit(n))
        for keys, values, layer in zip(self.keys, self.values, prefill.layers):
            keys[slot, :, :n] = layer.keys[row]
            values[slot, :, :n] = layer.values[row]

    def update(self, key_states: torch.Tensor, value_states: torch.Tensor, layer_idx: int, *args: Any,
               **kwargs: Any) -> tuple[torch.Tensor, torch.Tensor]:
        """Write each row's new key/value (one token, (rows, heads, 1, dim)) at its column; return the step's rows."""
        out = []
        for cache, new in ((self.keys[layer_idx], key_states), (self.values[layer_idx], value_states)):
            if len(self.index):
                new = new if self.write is None else new[self.write]
                cache.view(-1, cache.shape[-1]).index_copy_(0, self.index, new.reshape(-1, cache.shape[-1]))
            out.append(cache[:self.rows])
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
    ended: threading.Event = field(default_factory=threading.Event, repr=False)  # set once it is done
    gen: torch.Generator = field(init=False, repr=False)  # its own dice, seeded by params.seed

    def __post_init__(self) -> None:
        self.gen = torch.Generator().manual_seed(self.params.seed)

    def __iter__(self) -> Iterator[tuple[int, torch.Tensor]]:
        """(token id, the distribution it was drawn from) as each is drawn; raises if the request failed."""
        for tokens in self.chunks():
            yield from tokens

    def chunks(self, every: float | Callable[[], float] = 0.0) -> Iterator[list[tuple[int, torch.Tensor]]]:
        """The same tokens in lists: after the first of a list arrives, wait until ``every`` seconds
        (a callable: asked each time) have passed since the last list, then take all drawn so far.
        A reader that shows the text a few times a second then wakes a few times a second, not once
        per token (thirty readers waking 40 times a second each slow the step they wait for).
        ``every`` 0: one token per list, however many are waiting."""
        last = 0.0
        while True:
            items = [self.queue.get()]
            interval = every() if callable(every) else every
            wait = last + interval - time.perf_counter()
            if wait > 0 and items[0] is not None and not isinstance(items[0], BaseException):
                self.ended.wait(wait)  # the last token comes at once, not at the next tick
            while interval > 0 and items[-1] is not None and not isinstance(items[-1], BaseException):
                try:
                    items.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            last = time.perf_counter()
            tokens = [t for t in items if isinstance(t, tuple)]
            if tokens:
                yield tokens
            if items[-1] is None:
                return
            if isinstance(items[-1], BaseException):
                raise RuntimeError(f"The text generation failed: {type(items[-1]).__name__}: {items[-1]}") \
                    from items[-1]

    def cancel(self) -> None:
        """Leave the batch: the slot is freed before the next step."""
        self.cancelled.set()


def slot_attention(module: torch.nn.Module, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                   attention_mask: torch.Tensor, scaling: float | None = None, dropout: float = 0.0,
                   attend_rows: int | None = None, **kwargs: Any) -> tuple[torch.Tensor, None]:
    """Plain attention, (rows, heads, 1, dim) queries over the step's columns, for the first
    ``attend_rows`` rows only: the padding rows after them (a step runs at least ``min_rows``) get
    zeros, and their output is never read. A row's result is the same whatever the other rows."""
    rows, m = query.shape[0], attend_rows or query.shape[0]
    groups = getattr(module, "num_key_value_groups", 1)
    if groups > 1:
        key, value = repeat_kv(key, groups), repeat_kv(value, groups)
    scaling = query.shape[-1] ** -0.5 if scaling is None else scaling
    scores = torch.matmul(query[:m], key[:m].transpose(-1, -2)) * scaling + attention_mask[:m]
    out = torch.matmul(torch.softmax(scores, dim=-1), value[:m]).transpose(1, 2)  # (m, 1, heads, dim)
    if m < rows:
        out = torch.cat([out, out.new_zeros(rows - m, *out.shape[1:])])
    return out, None


AttentionInterface.register("playground_slots", slot_attention)


def decoder_view(module: torch.nn.Module) -> torch.nn.Module:
    """The same model (shared weights) with ``slot_attention``: row results independent of the batch."""
    memo = {id(t): t for t in [*module.parameters(), *module.buffers()]}
    view = copy.deepcopy(module, memo)
    view.set_attn_implementation("playground_slots")
    return view.eval()


class Scheduler:
    """Runs the decode steps of every live request of one model on one background thread."""

    def __init__(self, module: torch.nn.Module, context: int, eos_id: int | None, max_slots: int = MAX_SLOTS):
        self.module, self.decoder = module, decoder_view(module)
        self.context, self.eos_id, self.max_slots = context, eos_id, max_slots
        self.cache: SlotCache | None = None
        self.rows: list[Request | None] = []  # the request in each slot
        self.joining: deque[Request] = deque()
        self.cv = threading.Condition()
        self.thread: threading.Thread | None = None
        self.min_rows, self.width_step = max_slots, context  # fewest rows and column step of a decode step
        self.joint_prompts = False  # whether prompts of the same length (>= min_rows) are read together
        self.calibrated_for = 0  # the torch thread count they were measured with (at each start)
        self.steps = 0  # decode steps run so far
        self.stopping = False
        _all.add(self)

    def submit(self, ids: list[int], params: Params) -> Request:
        """A new request (``params`` already validated): it joins the batch at the next step."""
        req = Request(list(ids), params)
        with self.cv:
            self.joining.append(req)
            self._ensure_thread()
            self.cv.notify()
        return req

    def warm(self) -> None:
        """Start the thread, its cache and its measurements now, without a request (a page that
        opens: its first Generate then skips them, 0.28 s here). Idle, it stops after ``IDLE_S``."""
        with self.cv:
            self._ensure_thread()

    def _ensure_thread(self) -> None:  # under self.cv
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="text-batching", daemon=True)
            self.thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """End the thread once the running requests are done (at interpreter exit: no thread left in torch)."""
        with self.cv:
            self.stopping, thread = True, self.thread
            self.cv.notify_all()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

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
        """Wait for requests; after ``IDLE_S`` without any, free the cache and end the thread.
        A new thread first makes its cache and measurements (``warm`` starts one with no request)."""
        if self.cache is None:
            self._start()
        with self.cv:
            if not self.joining and not any(self.rows):
                self.cv.wait_for(lambda: self.joining or self.stopping, timeout=IDLE_S)
            if not self.joining and not any(self.rows):
                self.rows, self.cache, self.thread = [], None, None
                return False
        return True

    def _start(self) -> None:
        """Allocate the slot cache (shapes from a one-token read); measure ``min_rows`` and ``width_step``."""
        self.cache = SlotCache(self.module(input_ids=torch.zeros(1, 1, dtype=torch.long), use_cache=True).cache,
                               self.context, self.max_slots, step=self.width_step)
        self.rows = [None] * self.cache.slots
        later = torch.ones(self.context, self.context, dtype=torch.bool).triu_(1)
        self.masks = torch.zeros(later.shape).masked_fill_(later, float("-inf"))  # row p: 0 up to column p
        if self.calibrated_for != torch.get_num_threads():  # kernels differ with the thread count
            self.min_rows, self.width_step = self._calibrate()
            self.cache.step = self.width_step
            self.cache.clear()
            self.joint_prompts = self._prompts_read_alike()
            self.calibrated_for = torch.get_num_threads()

    def _calibrate(self) -> tuple[int, int]:
        """The fewest rows and the coarsest column step for which every row's logits are bitwise its own.

        Random keys/values and positions; a row's logits in a smaller batch, over fewer columns,
        must equal its logits in the full batch over all columns. Fixed shapes always pass.
        """
        g, slots = torch.Generator().manual_seed(0), self.cache.slots
        neighbours = [torch.randn(slots, heads, self.context, dim, generator=g).to(dtype)
                      for heads, dim, dtype in self.cache.shapes]  # random keys, then values
        tokens = torch.randint(0, self.module.config.vocab_size, (slots,), generator=g).tolist()
        pos = sorted(torch.randint(0, self.context, (slots,), generator=g).tolist())  # small batches: few columns
        found = (slots, self.context)
        for step in (WIDTH_STEP, self.context):
            self.min_rows, self.width_step, self.cache.step = slots, step, step
            full = self.logits_over(neighbours, tokens, pos)
            for m in (c for c in ROW_CHOICES if c < slots):
                sizes = {m, m + 1, min(slots, 2 * m + 1), min(slots, 3 * m - 1)}
                if all(torch.equal(self.logits_over(neighbours, tokens[:n], pos[:n]), full[:n]) for n in sizes):
                    found = (m, step)
                    break
            if found[0] < slots:
                break
        return found

    def logits_over(self, kv: list[torch.Tensor], tokens: list[int], pos: list[int]) -> torch.Tensor:
        """``_logits`` (writing nothing) over a cache holding ``kv`` (keys then values of every layer,
        ``context`` columns), cut to the width these positions need: what a step gives these rows."""
        self.cache.resize(self.cache.fit(1 + max(pos)), source=kv)
        return self._logits(tokens, pos, [])

    def _prompts_read_alike(self) -> bool:
        """Whether prompts of one length (at least ``min_rows`` tokens: the same kernels) read
        together give each prompt bitwise the logits and keys/values it gets read alone."""
        g = torch.Generator().manual_seed(1)
        for length in sorted({self.min_rows, self.min_rows + 1, 2 * self.min_rows + 1, max(self.min_rows, self.context // 2)}):
            if length > self.context:
                continue
            ids = torch.randint(0, self.module.config.vocab_size, (3, length), generator=g)
            together = self.module(input_ids=ids, use_cache=True)
            for i in range(3):
                alone = self.module(input_ids=ids[i:i + 1], use_cache=True)
                if not torch.equal(together.logits[i], alone.logits[0]) or not all(
                        torch.equal(a.keys[i], b.keys[0]) and torch.equal(a.values[i], b.values[0])
                        for a, b in zip(together.cache.layers, alone.cache.layers)):
                    return False
        return True

    def _step(self) -> None:
        """Admit joiners, free the slots of finished rows, re-read full rows, then one decode step."""
        self._admit()
        live = [r for r in self.rows if r is not None and not self._left(r)]
        for r in [r for r in live if r.length + 1 > self.context]:  # the context is full: slide it
            self._prefill(r, (r.ids + r.out)[-(self.context // 2):])
        todo = [r for r in live if not r.done]
        if todo:
            width = self.cache.fit(1 + max(r.length for r in todo))
            if width < self.cache.width:  # the longest rows left: read fewer columns
                self.cache.resize(width)
            self._decode(todo)

    def _left(self, r: Request) -> bool:
        if r.cancelled.is_set() and not r.done:
            self._finish(r)
        return r.done

    def _admit(self) -> None:
        """Up to ``JOINS_PER_STEP`` waiting requests take free slots and read their prompts: those
        of one length (at least ``min_rows`` tokens, if measured alike) in one forward pass, the
        others alone (a class's thirty prompts: 19 ms together instead of 110 ms one by one)."""
        joined: dict[int, list[Request]] = {}
        for _ in range(JOINS_PER_STEP):
            with self.cv:
                free = next((i for i, r in enumerate(self.rows) if r is None), None)
                if free is None or not self.joining:
                    break
                req = self.joining.popleft()
                if not req.cancelled.is_set():
                    self.rows[free], req.slot = req, free
            if req.cancelled.is_set():
                self._finish(req)
            else:
                joined.setdefault(len(req.ids), []).append(req)
        for length, reqs in joined.items():
            if self.joint_prompts and length >= self.min_rows and len(reqs) > 1:
                self._prefill_together(reqs)
            else:
                for r in reqs:
                    self._prefill(r, r.ids)

    def _prefill(self, r: Request, ids: list[int]) -> None:
        """Read ``ids`` alone (batch of one, as a solo run does), copy its keys/values into the slot, draw."""
        try:
            out = self.module(input_ids=torch.tensor([ids]), use_cache=True)
            self.cache.store(r.slot, out.cache)
            r.length = len(ids)
        except Exception as e:  # this request's input broke the model: only it fails
            return self._finish(r, e)
        self._draw(r, out.logits[0, -1])

    def _prefill_together(self, reqs: list[Request]) -> None:
        """Read prompts of one length in one forward pass (bitwise as alone: measured at start)."""
        try:
            out = self.module(input_ids=torch.tensor([r.ids for r in reqs]), use_cache=True)
        except Exception:  # one prompt broke the model: each alone, so only it fails
            for r in reqs:
                self._prefill(r, r.ids)
            return
        for i, r in enumerate(reqs):
            self.cache.store(r.slot, out.cache, row=i)
            r.length = len(r.ids)
            self._draw(r, out.logits[i, -1])

    def _decode(self, rows: list[Request]) -> None:
        """One token for every row in one forward pass; if it fails, row by row to find the culprit."""
        try:
            logits = self._forward(rows)
        except Exception:
            for r in rows:
                try:
                    self._advance(r, self._forward([r], alone=True))
                except Exception as e:
                    self._finish(r, e)
            return
        groups: dict[tuple, list[Request]] = {}  # rows with the same settings share one filtering
        for r in rows:
            r.length += 1
            groups.setdefault((r.params.temperature, r.params.top_k, r.params.top_p), []).append(r)
        for (temperature, top_k, top_p), group in groups.items():
            try:
                probs = distribution(logits[[r.slot for r in group]], temperature, top_k, top_p)
            except Exception:  # a row's logits broke the filter: each row alone, to fail only its own
                for r in group:
                    self._draw(r, logits[r.slot])
                continue
            for r, p in zip(group, probs):
                self._draw(r, probs=p)

    def _advance(self, r: Request, logits: torch.Tensor) -> None:
        r.length += 1
        self._draw(r, logits[r.slot])

    def _forward(self, rows: list[Request], alone: bool = False) -> torch.Tensor:
        """Logits of the next token of ``rows`` (indexed by slot). Free slots below the last row,
        and rows after it up to ``min_rows``, run as padding (writing into their own free rows);
        ``alone``: the other live rows run as padding too, and write nothing."""
        last = 1 + max(r.slot for r in rows)
        tokens, pos = [0] * max(last, self.min_rows), [0] * max(last, self.min_rows)
        for r in rows:
            tokens[r.slot], pos[r.slot] = r.out[-1], r.length
        self.steps += 1
        return self._logits(tokens[:self.cache.slots], pos[:self.cache.slots],
                            [r.slot for r in rows] if alone else None, attend=last)

    def _logits(self, tokens: list[int], pos: list[int], write: list[int] | None,
                attend: int | None = None) -> torch.Tensor:
        """One decode forward: row i feeds ``tokens[i]`` at ``pos[i]`` and sees columns 0..pos[i]
        (rows from ``attend`` on are padding: no attention)."""
        if (needed := self.cache.fit(1 + max(pos))) > self.cache.width:
            self.cache.resize(needed)
        position, width = torch.tensor(pos), self.cache.width
        self.cache.prepare(position, write)
        mask = self.masks[:, :width][position][:, None, None, :]  # (rows, 1, 1, width): -inf after pos
        out = self.decoder(input_ids=torch.tensor(tokens)[:, None], position_ids=position[:, None],
                           attention_mask=mask, cache=self.cache, use_cache=True, attend_rows=attend)
        return out.logits[:, -1]

    def _draw(self, r: Request, logits: torch.Tensor | None = None, probs: torch.Tensor | None = None) -> None:
        """Draw the row's next token from ``probs`` (or its ``logits`` filtered with its own settings)
        with its own generator; stream it or end."""
        p = r.params
        try:
            if probs is None:
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
        r.ended.set()
        with self.cv:
            if 0 <= r.slot < len(self.rows) and self.rows[r.slot] is r:
                self.rows[r.slot] = None
        r.slot = -1


_schedulers: dict[int, Scheduler] = {}
_registry = threading.Lock()


@atexit.register
def _stop_all() -> None:  # no thread left inside torch when the interpreter exits (it can abort then)
    for s in list(_all):
        s.stop()


def scheduler(tm: Any) -> Scheduler:
    """The scheduler of a loaded ``TextModel`` (made on first use, forgotten with the model)."""
    with _registry:
        s = _schedulers.get(id(tm))
        if s is None:
            s = _schedulers[id(tm)] = Scheduler(tm.module, tm.context, tm.tokenizer.eos_token_id)
            weakref.finalize(tm, _schedulers.pop, id(tm), None)
        return s
