"""Continuous batching of text generation: batched and solo runs give the same tokens.

A tiny random GPT-2 (context 32, so long texts slide their window) makes most tests take well
under a second; the bundled model checks the same agreement on 100 seeds.
"""
from __future__ import annotations

import time

import pytest
import torch
from transformers import GPT2Config, GPT2LMHeadModel

from playground import config
from playground import text as tx
from playground.charset import build_char_tokenizer
from playground.text import batching
from playground.text.batching import Scheduler
from playground.text.models import TextModel

SONNETS = (config.ASSETS / "examples" / "sonnets.txt").read_text()
PROMPTS = ["", "Shall I", "Love is not love which alters when it alteration finds, or bends", "O"]


def _random_gpt2(context: int, name: str) -> TextModel:
    """A tiny random GPT-2 over the sonnets' characters: near-uniform draws, so texts differ a lot."""
    tok = build_char_tokenizer(SONNETS)
    cfg = GPT2Config(n_layer=1, n_embd=32, n_head=2, n_positions=context, vocab_size=len(tok), bos_token_id=0,
                     eos_token_id=0, pad_token_id=0)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        module = GPT2LMHeadModel(cfg).eval()
    return TextModel(name=name, hash="test", config=cfg.to_dict(), module=module, tokenizer=tok, context=context)


@pytest.fixture(scope="module")
def tiny() -> TextModel:
    """Context 32: long texts slide their window."""
    return _random_gpt2(32, "tiny")


def _params(i: int) -> tx.Params:
    """Seed ``i`` with its own settings: lengths past the context, top-k, top-p, temperatures."""
    return tx.Params(prompt=PROMPTS[i % len(PROMPTS)], length=1 + (i * 7) % 30, temperature=(0.5, 0.8, 1.0, 1.4)[i % 4],
                     top_k=(0, 5, 20)[i % 3], top_p=(1.0, 0.9, 0.6)[i % 3 if i % 5 else 0], seed=1000 + i)


def _tokens(req: batching.Request) -> list[int]:
    return [tid for tid, _ in req]


def _solo(s: Scheduler, tm: TextModel, p: tx.Params) -> list[int]:
    return _tokens(s.submit(tx.encode_prompt(tm, p.prompt)[0], p))


def _wait(cond, timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.005)
    return cond()


@pytest.mark.parametrize("which", ["tiny", "bundled"])
def test_a_rows_logits_are_its_own_whatever_the_batch(tiny, which):
    """Bitwise: whichever slot, whatever the neighbours hold, however many rows and columns."""
    tm = tiny if which == "tiny" else tx.load(config.DEFAULT_TEXT_MODEL)
    s = Scheduler(tm.module, tm.context, None)
    s._start()
    slots, g = s.cache.slots, torch.Generator().manual_seed(1)
    kv = [torch.randn(slots, heads, tm.context, dim, generator=g) for heads, dim, _ in s.cache.shapes]
    vocab = tm.module.config.vocab_size
    tokens = torch.randint(0, vocab, (slots,), generator=g).tolist()
    pos = sorted(torch.randint(0, tm.context, (slots,), generator=g).tolist())  # the first rows: few columns
    full, widths = s.logits_over(kv, tokens, pos), set()
    for n in range(s.min_rows, slots + 1):
        assert torch.equal(s.logits_over(kv, tokens[:n], pos[:n]), full[:n]), n
        widths.add(s.cache.width)
    assert len(widths) > 1 or tm.context <= s.width_step  # the cache was cut to fewer columns too (if it can be)
    other = [tokens[0]] + [(t + 7) % vocab for t in tokens[1:]]  # new neighbours
    assert torch.equal(s.logits_over(kv, other, pos)[0], full[0])
    moved = torch.roll(torch.arange(slots), 5)  # every row in another slot (its keys/values moved with it)
    order = moved.tolist()
    assert torch.equal(s.logits_over([t[moved] for t in kv], [tokens[i] for i in order], [pos[i] for i in order]),
                       full[moved])


def test_batched_and_solo_give_the_same_tokens_on_100_seeds(tiny):
    """100 requests through 8 slots (so most join a running batch) equal their solo runs."""
    params = [_params(i) for i in range(100)]
    solo = Scheduler(tiny.module, tiny.context, None)
    alone = [_solo(solo, tiny, p) for p in params]
    together = Scheduler(tiny.module, tiny.context, None, max_slots=8)
    reqs = [together.submit(tx.encode_prompt(tiny, p.prompt)[0], p) for p in params]
    assert [_tokens(r) for r in reqs] == alone
    assert [len(a) for a in alone] == [p.length for p in params]
    assert together.steps < solo.steps / 3  # they did share the steps
    assert len({tuple(a) for a in alone}) > 90  # (a few 1-token texts coincide)


def test_the_cache_grows_and_shrinks_with_its_longest_row_and_each_text_stays_its_own(monkeypatch):
    """A context of 160 columns (64, 128 or 160 wide): long and short requests through 8 slots, so
    the cache widens as rows lengthen and narrows when the long ones leave (and a long prompt slides
    past the context); every text equals its solo run."""
    tm = _random_gpt2(160, "wide")
    module = tm.module
    params = [tx.Params(prompt=PROMPTS[i % 4], length=(150, 10, 90, 30)[i % 4], seed=2000 + i) for i in range(24)]
    alone = [_solo(Scheduler(module, 160, None), tm, p) for p in params]
    s = Scheduler(module, 160, None, max_slots=8)
    s._start()  # its calibration re-lays the cache too: record only what the requests do
    assert s.width_step == batching.WIDTH_STEP and s.cache.width == 64
    widths, resize = [], batching.SlotCache.resize
    monkeypatch.setattr(batching.SlotCache, "resize",
                        lambda cache, width, source=None: widths.append(width) or resize(cache, width, source))
    reqs = [s.submit(tx.encode_prompt(tm, p.prompt)[0], p) for p in params]
    assert [_tokens(r) for r in reqs] == alone
    assert {128, 160} <= set(widths) and any(b < a for a, b in zip(widths, widths[1:])), widths


def test_a_request_joining_mid_batch_gets_its_own_continuation(tiny):
    s = Scheduler(tiny.module, tiny.context, None)
    a_p, b_p = tx.Params(prompt="Shall I", length=120, seed=1), tx.Params(prompt="O", length=40, seed=2)
    a_alone, b_alone = _solo(s, tiny, a_p), _solo(s, tiny, b_p)
    a = s.submit(tx.encode_prompt(tiny, a_p.prompt)[0], a_p)
    it, got = iter(a), []
    got += [next(it)[0] for _ in range(50)]  # a is well into its text (past one window slide)
    b = s.submit(tx.encode_prompt(tiny, b_p.prompt)[0], b_p)
    assert _tokens(b) == b_alone
    assert got + [tid for tid, _ in it] == a_alone


def test_a_long_and_a_short_request_finish_independently(tiny):
    s = Scheduler(tiny.module, tiny.context, None)
    long = s.submit([5, 6, 7], tx.Params(length=1000, seed=3))
    short = s.submit([8], tx.Params(length=5, seed=4))
    assert len(_tokens(short)) == 5
    assert not long.done and s.busy() == 1  # the long one goes on
    assert len(_tokens(long)) == 1000 and _wait(lambda: s.busy() == 0)


def test_cancel_frees_the_slot_and_the_others_go_on(tiny):
    s = Scheduler(tiny.module, tiny.context, None, max_slots=2)
    keep_p = tx.Params(prompt="O", length=200, seed=5)
    keep_alone = _solo(s, tiny, keep_p)
    keep = s.submit(tx.encode_prompt(tiny, "O")[0], keep_p)
    gone = s.submit([5], tx.Params(length=1000, seed=6))
    next(iter(gone))
    gone.cancel()
    assert _wait(lambda: gone.slot == -1 and s.busy() == 1)
    third = s.submit([9], tx.Params(length=3, seed=7))  # takes the freed slot
    assert len(_tokens(third)) == 3 and _tokens(keep) == keep_alone


@pytest.fixture()
def batched(monkeypatch):
    """The app's text streams go through the scheduler (PLAYGROUND_TEXT_BATCHING=1)."""
    from playground.text import sampling

    monkeypatch.setattr(sampling, "BATCHING", True)


def test_closing_the_stream_cancels_its_request(batched):
    """A closed tab or Stop closes the handler's generator: the request leaves the batch."""
    tm = tx.load(config.DEFAULT_TEXT_MODEL)
    steps = tx.stream(tm, tx.Params(prompt="ROMEO:", length=1000, seed=8))
    first = next(steps)
    assert first.text and first.top and 0 < first.prob <= 1
    sched = batching.scheduler(tm)
    assert sched.busy() == 1
    steps.close()
    assert _wait(lambda: sched.busy() == 0)


def test_stop_in_the_tab_frees_the_slot(batched):
    """Gradio closes the handler's generator on Stop or a closed tab: GeneratorExit reaches the request."""
    from tabs import text as tab

    handler = tab.generate(str(config.DEFAULT_TEXT_MODEL), "ROMEO:", 1000, 0.8, 0, 1.0, 3)
    text, chart, _, _ = next(handler)
    sched = batching.scheduler(tx.load(config.DEFAULT_TEXT_MODEL))
    assert len(text) == 1 and "prob-chart" in chart and sched.busy() == 1
    handler.close()
    assert _wait(lambda: sched.busy() == 0)


def test_auto_goes_solo_alone_and_joins_the_batch_beside_others(monkeypatch):
    """PLAYGROUND_TEXT_BATCHING=auto: one user walks alone at full speed; the others share the batch."""
    from playground.text import sampling

    monkeypatch.setattr(sampling, "BATCHING", "auto")
    tm = tx.load(config.DEFAULT_TEXT_MODEL)
    sched = batching.scheduler(tm)
    first = tx.stream(tm, tx.Params(prompt="ROMEO:", length=1000, seed=1))
    next(first)  # alone: the solo walk
    assert sched.busy() == 0
    second = tx.stream(tm, tx.Params(prompt="ROMEO:", length=1000, seed=2))
    next(second)  # someone else is generating: the batch
    assert sched.busy() == 1
    first.close(), second.close()
    assert _wait(lambda: sched.busy() == 0)
    assert len(list(tx.stream(tm, tx.Params(prompt="ROMEO:", length=5, seed=3)))) == 5 and sched.busy() == 0


def test_one_failing_request_leaves_the_others_intact(tiny, monkeypatch):
    s = Scheduler(tiny.module, tiny.context, None)
    params = [_params(i) for i in range(6)]
    alone = [_solo(s, tiny, p) for p in params]
    bad_prompt = s.submit([10**6], tx.Params(length=5))  # an id outside the vocabulary: its prefill fails
    draw = Scheduler._draw

    def poisoned(self, r, logits=None, probs=None):  # request 2 draws an impossible token: the next step fails
        draw(self, r, logits, probs)
        if r.params.seed == params[2].seed and len(r.out) == 4:
            r.out[-1] = 10**6
    monkeypatch.setattr(Scheduler, "_draw", poisoned)
    reqs = [s.submit(tx.encode_prompt(tiny, p.prompt)[0], p) for p in params]
    with pytest.raises(RuntimeError, match="failed"):
        _tokens(bad_prompt)
    with pytest.raises(RuntimeError, match="failed"):
        _tokens(reqs[2])
    assert [_tokens(r) for i, r in enumerate(reqs) if i != 2] == alone[:2] + alone[3:]
    assert _wait(lambda: s.busy() == 0)


def test_an_idle_scheduler_frees_its_cache(tiny, monkeypatch):
    monkeypatch.setattr(batching, "IDLE_S", 0.05)
    s = Scheduler(tiny.module, tiny.context, None)
    assert len(_solo(s, tiny, tx.Params(length=3))) == 3
    assert _wait(lambda: s.thread is None and s.cache is None)
    assert len(_solo(s, tiny, tx.Params(length=3))) == 3  # and starts again on demand


def test_warm_makes_the_cache_and_measurements_before_any_request(tiny, monkeypatch):
    """A page that opens warms the scheduler: the thread, cache and calibration are ready before the
    first Generate, which then gets the same tokens; idle, the warm thread stops as usual."""
    monkeypatch.setattr(batching, "IDLE_S", 0.5)
    s = Scheduler(tiny.module, tiny.context, None)
    cold = _solo(s, tiny, tx.Params(prompt="Shall I", length=20, seed=7))
    assert _wait(lambda: s.thread is None and s.cache is None, timeout=10)
    s.warm()
    assert _wait(lambda: s.cache is not None and s.calibrated_for > 0) and s.busy() == 0
    s.warm()  # a second page: the same thread
    assert _solo(s, tiny, tx.Params(prompt="Shall I", length=20, seed=7)) == cold
    assert _wait(lambda: s.thread is None and s.cache is None, timeout=10)


def test_opening_the_text_tab_warms_the_models_scheduler(monkeypatch):
    from tabs import text as text_tab

    warmed = []
    monkeypatch.setattr(tx, "warm", lambda tm: warmed.append(tm.name))
    assert "text-shakespeare" in text_tab.about(str(config.DEFAULT_TEXT_MODEL)) and warmed == ["text-shakespeare"]
    assert text_tab.about("/no/such/model").startswith("⚠️") and warmed == ["text-shakespeare"]


def test_the_bundled_models_calibration():
    s = Scheduler(tx.load(config.DEFAULT_TEXT_MODEL).module, 256, None)
    s._start()
    assert s.min_rows <= 4 and s.width_step == batching.WIDTH_STEP  # measured on this machine: 4 and 64


@pytest.mark.slow
def test_bundled_model_batched_equals_solo_on_100_seeds():
    """100 seeds, 200 tokens each from prompts up to 128 tokens (so some slide past the context)."""
    tm = tx.load(config.DEFAULT_TEXT_MODEL)
    s = Scheduler(tm.module, tm.context, tm.tokenizer.eos_token_id)
    prompts = PROMPTS + [SONNETS[:300]]
    params = [tx.Params(prompt=prompts[i % 5], length=200, temperature=(0.8, 1.0)[i % 2], top_k=(0, 20)[i % 2],
                        top_p=(1.0, 0.95)[i % 3 == 0], seed=i) for i in range(100)]
    alone = [_solo(s, tm, p) for p in params]
    reqs = [s.submit(tx.encode_prompt(tm, p.prompt)[0], p) for p in params]
    assert [_tokens(r) for r in reqs] == alone


def test_a_paced_reader_gets_every_token_in_few_wakeups(tiny):
    """``chunks(every)``: the same tokens as one by one, in lists a tick apart; the last token
    comes at once when the request ends, not at the next tick."""
    s = Scheduler(tiny.module, tiny.context, None)
    p = tx.Params(prompt="Shall I", length=60, seed=5)
    alone = _solo(s, tiny, p)
    req = s.submit(tx.encode_prompt(tiny, p.prompt)[0], p)
    t0, lists, times = time.perf_counter(), [], []
    for chunk in req.chunks(every=0.05):
        lists.append([tid for tid, _ in chunk])
        times.append(time.perf_counter())
    assert [t for c in lists for t in c] == alone
    assert 1 <= len(lists) < len(alone) and all(b - a >= 0.045 for a, b in zip(times, times[1:-1]))
    assert times[-1] - t0 < 0.05 * len(lists) + 1.0  # no tick-long wait at the end
    assert _wait(lambda: s.busy() == 0)


@pytest.mark.parametrize("mode", [True, "0"])
def test_a_paced_stream_shows_the_whole_text_and_its_count(monkeypatch, mode):
    """``stream(every=...)``, batched or walking alone: fewer Steps, at most one per interval, the
    same final text and token count as a per-token stream (the Text tab yields every Step)."""
    from playground.text import sampling

    monkeypatch.setattr(sampling, "BATCHING", mode)
    tm = tx.load(config.DEFAULT_TEXT_MODEL)
    p = tx.Params(prompt="ROMEO:", length=80, seed=11)
    each = list(tx.stream(tm, p))
    paced, times = [], []
    for step in tx.stream(tm, p, every=lambda: 0.05):
        paced.append(step), times.append(time.perf_counter())
    assert [s.count for s in each] == list(range(1, 81))
    assert paced[-1].text == each[-1].text and paced[-1].count == 80 and len(paced) < len(each)
    assert paced[-1].token == each[-1].token and torch.equal(paced[-1].probs, each[-1].probs)
    assert all(b - a >= 0.045 for a, b in zip(times, times[1:-1]))  # the last one comes at once


@pytest.mark.parametrize("settings", [(0.8, 0, 1.0), (1.0, 5, 1.0), (0.7, 0, 0.9), (1.3, 20, 0.6)])
def test_rows_filtered_together_equal_each_row_alone(settings):
    """A step filters the rows that share settings in one pass: each row's distribution is bitwise
    its own (1-D) one, and sums to 1 over the tokens it keeps."""
    logits = torch.randn(30, 66, generator=torch.Generator().manual_seed(3)) * 3
    together = batching.distribution(logits, *settings)
    for i in range(30):
        assert torch.equal(together[i], batching.distribution(logits[i], *settings))
    assert torch.allclose(together.sum(-1), torch.ones(30))
    if settings[1]:
        assert ((together > 0).sum(-1) <= settings[1]).all()


@pytest.mark.parametrize("which", ["tiny", "bundled"])
def test_a_class_joining_at_once_reads_its_prompts_together_and_gets_its_solo_texts(tiny, which, monkeypatch):
    """Thirty requests at once with one prompt (>= min_rows tokens) are read in one forward pass,
    and each still gets bitwise its solo text; shorter prompts are read alone."""
    tm = tiny if which == "tiny" else tx.load(config.DEFAULT_TEXT_MODEL)
    s = Scheduler(tm.module, tm.context, None)
    params = [tx.Params(prompt="Shall I", length=12, temperature=0.9, seed=i) for i in range(30)]
    alone = [_solo(s, tm, p) for p in params]
    assert s.joint_prompts and len(tx.encode_prompt(tm, "Shall I")[0]) >= s.min_rows
    together, real = [], Scheduler._prefill_together
    monkeypatch.setattr(Scheduler, "_prefill_together", lambda self, reqs: together.append(len(reqs)) or real(self, reqs))
    with s.cv:  # all thirty wait before the scheduler looks: they join in one admit
        reqs = [s.submit(tx.encode_prompt(tm, p.prompt)[0], p) for p in params]
    assert [_tokens(r) for r in reqs] == alone
    assert together and max(together) > 1
    short = [s.submit(tx.encode_prompt(tm, "O")[0], tx.Params(prompt="O", length=3, seed=i)) for i in range(3)]
    before = len(together)
    assert all(len(_tokens(r)) == 3 for r in short) and len(together) == before  # one token: alone


def test_a_broken_prompt_read_with_others_fails_alone(tiny):
    s = Scheduler(tiny.module, tiny.context, None)
    good = [tx.Params(prompt="Shall I", length=5, seed=i) for i in range(3)]
    alone = [_solo(s, tiny, p) for p in good]
    ids = tx.encode_prompt(tiny, "Shall I")[0]
    with s.cv:
        reqs = [s.submit(ids, good[0]), s.submit(ids[:-1] + [10**6], tx.Params(length=5)),
                s.submit(ids, good[1]), s.submit(ids, good[2])]
    with pytest.raises(RuntimeError, match="failed"):
        _tokens(reqs[1])
    assert [_tokens(r) for r in (reqs[0], reqs[2], reqs[3])] == alone
