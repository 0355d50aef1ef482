"""Text tab: a transformer continues your prompt, token by token, and shows why.

Handlers first (top-level, tests call them directly), then the layout. Every handler is a call
into ``playground.text`` (sampling, feedback learning) or ``playground.train.text``
(fine-tuning); their ValueErrors become ``gr.Error`` with the same sentence (``user_errors``).
"""
from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Iterator, NamedTuple

import gradio as gr
import pandas as pd

from playground import config, feedback, preference, votes
from playground import text as tx
from playground.contract import SEED_MAX
from playground.text.learn import learn_by_dpo, lineage_rows, new_version_dir
from playground.text.metrics import SLIDING
from tabs import charts, explanations, links, rating
from tabs.common import user_errors
from tabs.i18n import english, example_table, say, sentence, t

EXAMPLES = [
    ["ROMEO:\nO, she doth teach the torches", 200, 0.8, 0, 1.0, 7],
    ["KING HENRY:\nOnce more unto the", 200, 0.7, 20, 0.95, 1],
    ["First Citizen:\nWe are", 300, 1.0, 0, 0.9, 42],
    ["", 250, 0.8, 0, 1.0, 3],
]
STREAM_EVERY_S = 0.05  # at most ~20 UI updates per second, however fast the model is
# concurrent /generate handlers: with batching on, one slot each (playground.text.batching); solo
# walks wait for each other on the model, so more would only hold Gradio's worker threads
GENERATE_LIMIT = 4 if tx.sampling.BATCHING in ("0", "", "false") else 32
FULL_RATE_STREAMS = 2  # up to 2 pages streaming at once update every STREAM_EVERY_S; 30 every 0.75 s
DEFAULT_PROMPT = "ROMEO:\nO, she doth teach the torches"  # model input: the model writes English
STEP_START = "JULIET:\nMy "
LATEST = english("text.latest")  # the chart's English title


# ---------------------------------------------------------------- handlers

def _choices(extra: str | None = None) -> list[tuple[str, str]]:
    """Dropdown entries: a short name shown, the folder (or Hub id) as the value."""
    entries = [(m.name, m.path) for m in tx.models()]
    if extra and extra not in [v for _, v in entries]:
        entries.append((Path(extra).name if Path(extra).exists() else extra, extra))
    return entries


def _model(model_id: str) -> tuple[tx.TextModel, str]:
    """Load ``model_id``; if that fails and it is not the bundled model, fall back to it with a warning."""
    try:
        return tx.load(model_id), ""
    except ValueError as e:
        if str(model_id) == str(config.DEFAULT_TEXT_MODEL):
            raise
        gr.Warning(sentence(str(e)))
        return tx.load(config.DEFAULT_TEXT_MODEL), say("text.fallback", error=sentence(str(e)))


def _update_every(tm: tx.TextModel) -> float:
    """Seconds between two updates of one page: ``STREAM_EVERY_S`` alone, longer when many pages
    stream at once (each update costs the server and the browser more than its tokens do)."""
    return STREAM_EVERY_S * max(1.0, tx.scheduler(tm).busy() / FULL_RATE_STREAMS)


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"- {n}" for n in lines if n)


@user_errors
def generate(model_id, prompt, length, temperature, top_k, top_p, seed, candidates=1):
    """Stream the continuation into the page; the last update carries the ``Generation``.

    With ``candidates`` > 1, that many continuations (seeds seed, seed+1, ...) are made and the
    one a scorer fitted to the stored ratings likes best is shown (no streaming then).
    """
    params = tx.Params(prompt=prompt or "", length=length, temperature=temperature, top_k=top_k,
                       top_p=top_p, seed=seed)
    tm, warning = _model(model_id)
    notice = _bullets([warning] + [sentence(n) for n in tx.encode_prompt(tm, params.prompt)[1]])
    if int(candidates or 1) > 1:
        yield from _best_of(tm, params, int(candidates), notice)
        return
    t0, text, top, n, token = time.perf_counter(), "", [], 0, None
    # one Step per page update, with the tokens drawn meanwhile; chart: what step.token was drawn from
    for step in tx.stream(tm, params, every=lambda: _update_every(tm)):
        text, n, token, top = step.text, step.count, step.token, step.top
        yield text, charts.probability_bars(top, chosen=token, title=say("text.latest")), notice, gr.skip()
    elapsed = time.perf_counter() - t0
    gen = tx.record(tm, params, text)
    stats = say("text.stats", n=n, seconds=elapsed, rate=n / max(elapsed, 1e-9), model=tm.name, seed=params.seed)
    chart = charts.probability_bars(top, chosen=token, title=say("text.latest"))
    yield text, chart, (notice + "\n\n" if notice else "") + stats, gen


def _best_of(tm: tx.TextModel, params: tx.Params, k: int, notice: str):
    """Rerank ``k`` candidates with the scorer fitted to this model's ratings."""
    t0 = time.perf_counter()
    gen, note = preference.best_of(k, lambda i: tx.generate(tm, params.replace(seed=params.seed + i)), "text", tm.name)
    top, _ = tx.next_token(tm, params.prompt + gen.output, params.temperature, params.top_k, params.top_p)
    stats = say("text.best_stats", k=k, seconds=time.perf_counter() - t0, model=tm.name, seed=gen.params["seed"])
    # the distribution after the whole text: nothing has been drawn from it yet, so no chosen row
    yield (gen.output, charts.probability_bars([(l, p) for l, p, _ in top]),
           "\n\n".join(([notice] if notice else []) + [sentence(note or ""), stats]), gen)


@user_errors
def peek(model_id, text, temperature, top_k, top_p):
    """The next-token distribution after ``text`` (step-by-step mode)."""
    tm, warning = _model(model_id)
    top, notes = tx.next_token(tm, text or "", temperature, top_k, top_p)
    choices = [(f"{label}  ({p:.1%})", tid) for label, p, tid in top]
    notes = [sentence(n) for n in notes]
    return charts.probability_bars([(l, p) for l, p, _ in top]), gr.update(choices=choices, value=None), _bullets([warning] + notes)


@user_errors
def add_token(model_id, text, choice, seed, position, temperature, top_k, top_p):
    """Append the picked token (or a sampled one when ``choice`` is None), then peek again."""
    tm, _ = _model(model_id)
    picked = choice not in (None, "")
    new_text, label = tx.step(tm, text or "", int(choice) if picked else None, seed=seed, position=position,
                              temperature=temperature, top_k=top_k, top_p=top_p)
    chart, choices, note = peek(model_id, new_text, temperature, top_k, top_p)  # after adding: no chosen row
    added = say("text.added_picked" if picked else "text.added_drawn", label=label, note=note)
    return new_text, chart, choices, added, int(position or 0) + 1


def sample_token(model_id, text, seed, position, temperature, top_k, top_p):
    """Append a token drawn by the sampler (seeded by ``seed`` and ``position``)."""
    return add_token(model_id, text, None, seed, position, temperature, top_k, top_p)


def new_seed() -> int:
    """A fresh random seed for the 🎲 button."""
    return random.randint(0, SEED_MAX)


def about(model_id) -> str:
    """What the selected model is (``playground.text.explain``, in the reader's language), or why it
    cannot be loaded. It runs when the page opens and when the model changes, so it also loads the
    model and warms its scheduler: the first Generate then writes at once."""
    try:
        tm = tx.load(model_id)
    except ValueError as e:
        return f"⚠️ {sentence(str(e))}"
    tx.warm(tm)
    return explanations.text(tm)


def _loss_rows(ev: dict) -> list[dict]:
    rows = [{"step": ev["step"], "loss": round(v, 4), "split": "train"}
            for k, v in ev.get("losses", {}).items() if k in ("train_loss", "dpo_loss")]
    return rows + [{"step": ev["step"], "loss": round(v, 4), "split": "validation"}
                   for k, v in ev.get("eval", {}).items() if k == "val_loss"]


def _follow(events: Iterator[dict], name: str, out: Path, progress):
    """Stream a training run's status and loss curve; select the new model when it is saved."""
    rows: list[dict] = []
    for ev in events:
        rows += _loss_rows(ev)
        progress(ev["progress"], desc=say("text.step", step=ev["step"]))
        if ev.get("done"):
            card = ev["card"]
            m = card["metrics"]
            score = say("text.val_loss", loss=m[SLIDING]) if SLIDING in m else \
                ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in m.items())
            status = say("text.saved", name=name, score=score, steps=card["steps"], seconds=card["train_seconds"])
            yield status, pd.DataFrame(rows), gr.update(choices=_choices(), value=str(out))
        else:
            yield say("text.training", step=ev["step"], seconds=ev["elapsed_s"]), pd.DataFrame(rows), gr.skip()


@user_errors
def learn_from_feedback(base, progress=gr.Progress()):
    """Fine-tune ``base`` on the texts users rated 4-5 and save a new model version."""
    tm = tx.load(base)
    rows = lineage_rows(feedback.default_store().rated("text"), tm.name)
    out = new_version_dir(tm.name)
    yield from _follow(tx.learn_from_feedback(tm, rows, out_dir=out), out.name, out, progress)


@user_errors
def learn_from_votes(base, progress=gr.Progress()):
    """Direct Preference Optimisation of ``base`` on the A/B votes and rating gaps of its lineage."""
    tm = tx.load(base)
    store = feedback.default_store()
    out = new_version_dir(tm.name)
    events = learn_by_dpo(tm, store.rated("text"), votes.battles(store, "text"), out_dir=out)
    yield from _follow(events, out.name, out, progress)


@user_errors
def finetune(file, base, steps, seed, progress=gr.Progress()):
    """Fine-tune ``base`` on an uploaded .txt; streams status and the loss curve."""
    from playground.train import text as train_text  # transformers' training stack: loaded on first use

    if file is None:
        raise ValueError("Upload a .txt file first.")
    path = Path(file if isinstance(file, str) else file.name)
    if path.suffix.lower() not in (".txt", ".md", ""):
        raise ValueError(f"'{path.name}' is not a text file: upload a .txt file.")
    text = train_text.read_user_text(path)
    tm = tx.load(base)  # a clear message now if the base model is broken
    name = f"{tm.name}-ft-{time.strftime('%Y%m%d-%H%M%S')}"
    out = config.data_dir() / "models" / name
    yield from _follow(train_text.finetune(text, base, out, steps=int(steps), seed=int(seed)), name, out, progress)


# ---------------------------------------------------------------- layout

class Writing(NamedTuple):
    prompt: gr.Textbox
    go: gr.Button
    stop: gr.Button
    output: gr.Textbox
    notice: gr.Markdown


class Settings(NamedTuple):
    model: gr.Dropdown
    length: gr.Slider
    temperature: gr.Slider
    top_k: gr.Slider
    top_p: gr.Slider
    seed: gr.Number
    dice: gr.Button
    candidates: gr.Slider
    probs: gr.HTML
    about: gr.Markdown


class Stepper(NamedTuple):
    text: gr.Textbox
    pick: gr.Radio
    show: gr.Button
    add: gr.Button
    draw: gr.Button
    note: gr.Markdown
    probs: gr.HTML
    position: gr.State


class Tuning(NamedTuple):
    upload: gr.File
    steps: gr.Slider
    tune: gr.Button
    learn: gr.Button
    dpo: gr.Button
    stop: gr.Button
    status: gr.Markdown
    plot: gr.LinePlot


def _writing(gen_state: gr.State) -> Writing:
    prompt = gr.Textbox(label=t("text.prompt"), lines=3,
                        value=DEFAULT_PROMPT)
    with gr.Row():
        go = gr.Button(t("common.generate"), variant="primary")
        stop = gr.Button(t("common.stop"))
    output = gr.Textbox(label=t("text.output"), lines=10, interactive=False)
    notice = gr.Markdown()
    rating.build(gen_state)
    return Writing(prompt, go, stop, output, notice)


def _settings(model_id: str) -> Settings:
    model = gr.Dropdown(_choices(model_id), value=model_id, label=t("common.model"), allow_custom_value=True,
                        info=t("text.model_info"))
    with gr.Accordion(t("text.about"), open=False):
        about_md = gr.Markdown(elem_id="text-about")
    length = gr.Slider(1, tx.MAX_NEW_TOKENS, value=200, step=1, label=t("text.length"))
    temperature = gr.Slider(0.05, 2.0, value=0.8, step=0.05, label=t("common.temperature"))
    top_k = gr.Slider(0, 100, value=0, step=1, label=t("text.top_k"))
    top_p = gr.Slider(0.05, 1.0, value=1.0, step=0.01, label=t("text.top_p"))
    with gr.Row():
        seed = gr.Number(value=7, precision=0, label=t("common.seed"), minimum=0, maximum=SEED_MAX)
        dice = gr.Button(t("text.new_seed"), size="sm")
    candidates = gr.Slider(1, 8, value=1, step=1, label=t("common.candidates"), info=t("text.candidates_info"))
    probs = gr.HTML(t("chart.empty.text"), label=t("text.latest"), elem_id="text-probs")
    return Settings(model, length, temperature, top_k, top_p, seed, dice, candidates, probs, about_md)


def _stepper() -> Stepper:
    with gr.Accordion(t("text.stepper"), open=False):
        gr.Markdown(t("text.stepper_help"))
        with gr.Row():
            with gr.Column(scale=3):
                text = gr.Textbox(label=t("text.so_far"), lines=4, value=STEP_START)
                pick = gr.Radio([], label=t("text.pick"))
                with gr.Row():
                    show = gr.Button(t("text.show"))
                    add = gr.Button(t("text.add"), variant="primary")
                    draw = gr.Button(t("text.draw"))
                note = gr.Markdown()
            probs = gr.HTML(t("chart.empty.step"), label=t("chart.title"), elem_id="step-probs")
        return Stepper(text, pick, show, add, draw, note, probs, gr.State(0))


def _tuning() -> Tuning:
    with gr.Accordion(t("text.tune"), open=False):
        gr.Markdown(t("text.tune_help"))
        with gr.Row():
            upload = gr.File(label=t("text.upload"), file_types=[".txt"], type="filepath")
            with gr.Column():
                steps = gr.Slider(10, 1000, value=100, step=10, label=t("text.steps"))
                tune = gr.Button(t("text.finetune"), variant="primary")
                learn = gr.Button(t("text.learn"))
                dpo = gr.Button(t("text.dpo"))
                stop = gr.Button(t("common.stop"))
        example_table([[str(config.ASSETS / "examples" / "sonnets.txt")]], [upload], "text.example")
        status = gr.Markdown()
        plot = gr.LinePlot(pd.DataFrame(columns=["step", "loss", "split"]), x="step", y="loss",
                           color="split", label=t("text.loss"), height=240)
    return Tuning(upload, steps, tune, learn, dpo, stop, status, plot)


def _wire(w: Writing, s: Settings, st: Stepper, t: Tuning, gen_state: gr.State) -> None:
    sampling = [s.temperature, s.top_k, s.top_p]
    # the batching scheduler serves every concurrent generation in shared steps: a class at once
    ev = gr.on([w.go.click, w.prompt.submit], generate,
               [s.model, w.prompt, s.length, *sampling, s.seed, s.candidates],
               [w.output, s.probs, w.notice, gen_state], api_name="generate", concurrency_limit=GENERATE_LIMIT)
    w.stop.click(None, None, None, cancels=[ev])  # closes the handler: its request leaves the batch
    s.dice.click(new_seed, None, s.seed, queue=False, api_visibility="private")
    gr.on(None, about, [s.model], s.about, api_visibility="private")  # on page load and model change
    step_out = [st.text, st.probs, st.pick, st.note, st.position]
    st.show.click(peek, [s.model, st.text, *sampling], [st.probs, st.pick, st.note], api_name="next_token")
    st.add.click(add_token, [s.model, st.text, st.pick, s.seed, st.position, *sampling], step_out,
                 api_name="add_token")
    st.draw.click(sample_token, [s.model, st.text, s.seed, st.position, *sampling], step_out,
                  api_name="sample_token")
    runs = [t.tune.click(finetune, [t.upload, s.model, t.steps, s.seed], [t.status, t.plot, s.model],
                         api_name="finetune", concurrency_limit=1),
            t.learn.click(learn_from_feedback, [s.model], [t.status, t.plot, s.model],
                          api_name="learn_from_feedback", concurrency_limit=1),
            t.dpo.click(learn_from_votes, [s.model], [t.status, t.plot, s.model], api_name="learn_from_votes",
                        concurrency_limit=1)]
    t.stop.click(None, None, None, cancels=runs)  # a stopped run saves nothing


def build(model_id: str | None = None) -> None:
    """The Text tab. ``model_id``: the model selected at start (folder or Hub id)."""
    model_id = str(model_id or config.DEFAULT_TEXT_MODEL)
    gen_state = gr.State(None)
    gr.Markdown(t("text.intro"))
    with gr.Row():
        with gr.Column(scale=3):
            writing = _writing(gen_state)
        with gr.Column(scale=2):
            settings = _settings(model_id)
    s = settings  # a link fills these (by Params name) and calls generate, as the Generate button does
    links.build("text", gen_state, generate, {"model": s.model, "prompt": writing.prompt, "length": s.length,
                "temperature": s.temperature, "top_k": s.top_k, "top_p": s.top_p, "seed": s.seed,
                "candidates": s.candidates}, [writing.output, s.probs, writing.notice, gen_state])
    example_table(EXAMPLES, [writing.prompt, settings.length, settings.temperature, settings.top_k,
                             settings.top_p, settings.seed], "common.examples")
    _wire(writing, settings, _stepper(), _tuning(), gen_state)
