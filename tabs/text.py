"""Text tab: a transformer continues your prompt, token by token, and shows why.

Widgets and event wiring only; every handler is a call into ``playground.text`` (sampling) or
``playground.train.text`` (fine-tuning). Their ValueErrors become ``gr.Error`` with the same
sentence.
"""
from __future__ import annotations

import dataclasses
import random
import time
from pathlib import Path

import gradio as gr
import pandas as pd

from playground import config, preference
from playground import text as tx
from tabs import rating

INTRO = (
    "### Text: a transformer continues your words\n"
    "A language model reads your prompt and, one character (token) at a time, guesses what comes "
    "next: it turns its guesses into probabilities and draws one. **Temperature** sharpens (low) or "
    "flattens (high) those probabilities; **top-k** and **top-p** throw away unlikely tokens before "
    "the draw; the **seed** fixes the dice, so the same inputs and seed give the same text. The bundled "
    "model is a small GPT-2 trained here on Shakespeare; the chart shows the probabilities it saw "
    "at the latest step."
)
EXAMPLES = [
    ["ROMEO:\nO, she doth teach the torches", 200, 0.8, 0, 1.0, 7],
    ["KING HENRY:\nOnce more unto the", 200, 0.7, 20, 0.95, 1],
    ["First Citizen:\nWe are", 300, 1.0, 0, 0.9, 42],
    ["", 250, 0.8, 0, 1.0, 3],
]
STREAM_EVERY_S = 0.05  # at most ~20 UI updates per second, however fast the model is


def _probs_frame(top: list[tuple[str, float]]) -> pd.DataFrame:
    seen: dict[str, int] = {}
    rows = []
    for label, p in top:  # BPE vocabularies can show two tokens alike; keep both bars
        seen[label] = seen.get(label, 0) + 1
        rows.append({"token": label if seen[label] == 1 else f"{label} ({seen[label]})", "probability": round(p, 4)})
    return pd.DataFrame(rows, columns=["token", "probability"])


def _choices(extra: str | None = None) -> list[tuple[str, str]]:
    """Dropdown entries: a short name shown, the folder (or Hub id) as the value."""
    return [(Path(m).name if Path(m).exists() else m, m) for m in tx.available_models(extra)]


def _model(model_id: str) -> tuple[tx.TextModel, str]:
    """Load ``model_id``; if that fails and it is not the bundled model, fall back to it."""
    try:
        return tx.load(model_id), ""
    except ValueError as e:
        if str(model_id) == str(config.DEFAULT_TEXT_MODEL):
            raise gr.Error(str(e)) from None
        gr.Warning(str(e))
        try:
            return tx.load(config.DEFAULT_TEXT_MODEL), f"⚠️ {e} Using the bundled model instead."
        except ValueError as e2:
            raise gr.Error(str(e2)) from None


def generate(model_id, prompt, length, temperature, top_k, top_p, seed, candidates=1):
    """Stream the continuation into the page; the last update carries the ``Generation``.

    With ``candidates`` > 1, that many continuations (seeds seed, seed+1, ...) are made and the
    one a scorer fitted to the stored ratings likes best is shown (no streaming then).
    """
    tm, warning = _model(model_id)
    params = tx.TextParams(prompt=prompt or "", max_new_tokens=length, temperature=temperature,
                           top_k=top_k, top_p=top_p, seed=seed)
    try:
        checked, notes = params.checked()
    except ValueError as e:
        raise gr.Error(str(e)) from None
    _, more = tx.encode_prompt(tm, checked.prompt)
    notice = "\n".join(f"- {n}" for n in ([warning] if warning else []) + notes + more)
    if int(candidates or 1) > 1:
        yield from _best_of(tm, checked, int(candidates), notice)
        return
    t0, last, text, top, n = time.perf_counter(), 0.0, "", [], 0
    for step in tx.stream(tm, checked):
        text, top, n = step.text, step.top, n + 1
        now = time.perf_counter()
        if now - last >= STREAM_EVERY_S:
            last = now
            yield text, _probs_frame(top), notice, gr.skip()
    elapsed = time.perf_counter() - t0
    gen = tx.record(tm, checked, text, elapsed, n)
    stats = f"{n} tokens in {elapsed:.2f} s ({n / max(elapsed, 1e-9):.0f} tokens/s) · model `{tm.name}` · seed {checked.seed}"
    yield text, _probs_frame(top), (notice + "\n\n" if notice else "") + stats, gen


def _best_of(tm: tx.TextModel, params: tx.TextParams, k: int, notice: str):
    """Rerank ``k`` candidates with the scorer fitted to this model's ratings."""
    def make(i: int):
        return tx.generate(tm, dataclasses.replace(params, seed=params.seed + i))

    t0 = time.perf_counter()
    try:
        gen, note = preference.best_of(k, make, "text", tm.name)
    except ValueError as e:
        raise gr.Error(str(e)) from None
    top, _ = tx.next_token(tm, (params.prompt or "") + gen.output, params.temperature, params.top_k, params.top_p)
    stats = f"{k} candidates in {time.perf_counter() - t0:.2f} s · model `{tm.name}` · seed {gen.params['seed']}"
    lines = [notice] if notice else []
    yield gen.output, _probs_frame([(l, p) for l, p, _ in top]), "\n\n".join(lines + [note or "", stats]), gen


def peek(model_id, text, temperature, top_k, top_p):
    """The next-token distribution after ``text`` (step-by-step mode)."""
    tm, warning = _model(model_id)
    try:
        top, notes = tx.next_token(tm, text or "", temperature, top_k, top_p)
    except ValueError as e:
        raise gr.Error(str(e)) from None
    choices = [(f"{label}  ({p:.1%})", tid) for label, p, tid in top]
    note = "\n".join(f"- {n}" for n in ([warning] if warning else []) + notes)
    return _probs_frame([(l, p) for l, p, _ in top]), gr.update(choices=choices, value=None), note


def add_token(model_id, text, choice, seed, position, temperature, top_k, top_p):
    """Append the picked token (or a sampled one when ``choice`` is None), then peek again."""
    tm, _ = _model(model_id)
    try:
        new_text, label = tx.step(tm, text or "", None if choice in (None, "") else int(choice),
                                  seed=seed, position=position, temperature=temperature, top_k=top_k, top_p=top_p)
    except ValueError as e:
        raise gr.Error(str(e)) from None
    frame, choices, note = peek(model_id, new_text, temperature, top_k, top_p)
    how = "you picked" if choice not in (None, "") else "the sampler drew"
    return new_text, frame, choices, f"Added `{label}` ({how} it). {note}", position + 1


def _follow(events, name: str, out: Path, progress):
    """Stream a training run's status and loss curve; select the new model when it is saved."""
    rows: list[dict] = []
    try:
        for ev in events:
            if ev.get("train_loss") is not None:
                rows.append({"step": ev["step"], "loss": round(ev["train_loss"], 4), "split": "train"})
            if ev.get("val_loss") is not None:
                rows.append({"step": ev["step"], "loss": round(ev["val_loss"], 4), "split": "validation"})
            progress(ev["progress"], desc=f"step {ev['step']}")
            if ev.get("done"):
                card = ev["card"]
                status = (f"Saved **{name}**: validation loss {card['val_loss_nats_per_char']} nats/char after "
                          f"{card['steps']} steps ({card['train_seconds']:.0f} s). It is now selected as the model.")
                yield status, pd.DataFrame(rows), gr.update(choices=_choices(), value=str(out))
            else:
                yield f"Training… step {ev['step']}, {ev['elapsed_s']:.0f} s", pd.DataFrame(rows), gr.skip()
    except ValueError as e:
        raise gr.Error(str(e)) from None


def learn_from_feedback(base, progress=gr.Progress()):
    """Fine-tune ``base`` on the texts users rated 4-5 and save a new model version."""
    tm, _ = _model(base)
    folder = Path(str(base))
    if not (folder / "config.json").is_file():
        raise gr.Error("Learning from feedback needs a local model folder (the bundled model or a fine-tune).")
    out = preference.new_version_dir(tm.name)
    yield from _follow(preference.fine_tune_from_feedback(folder, model=tm.name, out_dir=out), out.name, out, progress)


def finetune(file, base, steps, seed, progress=gr.Progress()):
    """Fine-tune ``base`` on an uploaded .txt; streams status and the loss curve."""
    from playground.train import text as train_text  # transformers' training stack: loaded on first use

    if file is None:
        raise gr.Error("Upload a .txt file first.")
    path = Path(file if isinstance(file, str) else file.name)
    if path.suffix.lower() not in (".txt", ".md", ""):
        raise gr.Error(f"'{path.name}' is not a text file: upload a .txt file.")
    try:
        text = train_text.read_user_text(path)
        tx.load(base)  # a clear message now if the base model is broken
    except ValueError as e:
        raise gr.Error(str(e)) from None
    name = f"{Path(str(base)).name}-ft-{time.strftime('%Y%m%d-%H%M%S')}"
    out = config.data_dir() / "models" / name
    yield from _follow(train_text.finetune(text, base, out, steps=int(steps), seed=int(seed)), name, out, progress)


def build(model_id: str | None = None) -> None:
    """The Text tab. ``model_id``: the model selected at start (folder or Hub id)."""
    model_id = str(model_id or config.DEFAULT_TEXT_MODEL)
    gen_state = gr.State(None)
    gr.Markdown(INTRO)
    with gr.Row():
        with gr.Column(scale=3):
            prompt = gr.Textbox(label="Seed prompt (empty = start from scratch)", lines=3,
                                value="ROMEO:\nO, she doth teach the torches")
            with gr.Row():
                go = gr.Button("Generate", variant="primary")
                stop = gr.Button("Stop")
            output = gr.Textbox(label="Continuation (streams as it is written)", lines=10, interactive=False)
            notice = gr.Markdown()
            rating.build(gen_state)
        with gr.Column(scale=2):
            model = gr.Dropdown(_choices(model_id), value=model_id, label="Model",
                                allow_custom_value=True,
                                info="Bundled, your fine-tunes, or a Hub id such as distilgpt2 (needs internet)")
            length = gr.Slider(1, tx.MAX_NEW_TOKENS, value=200, step=1, label="Length (new tokens)")
            temperature = gr.Slider(0.05, 2.0, value=0.8, step=0.05, label="Temperature")
            top_k = gr.Slider(0, 100, value=0, step=1, label="Top-k (0 = off)")
            top_p = gr.Slider(0.05, 1.0, value=1.0, step=0.01, label="Top-p (1 = off)")
            with gr.Row():
                seed = gr.Number(value=7, precision=0, label="Seed", minimum=0)
                dice = gr.Button("🎲 New seed", size="sm")
            candidates = gr.Slider(1, 8, value=1, step=1, label="Candidates (best of K)",
                                   info="K > 1: make K texts and show the one a scorer fitted to your ratings likes best")
            probs = gr.BarPlot(_probs_frame([]), x="token", y="probability", sort="-y", y_lim=[0, 1],
                               label="Next-token probabilities (latest step)", height=260)
    gr.Examples(EXAMPLES, [prompt, length, temperature, top_k, top_p, seed], label="Try these")

    with gr.Accordion("Step through it: pick the next token yourself", open=False):
        gr.Markdown("Write a start, look at what the model expects next, then add the token you choose "
                    "or let the sampler draw one (using the temperature, top-k/p and seed above).")
        with gr.Row():
            with gr.Column(scale=3):
                step_text = gr.Textbox(label="Text so far", lines=4, value="JULIET:\nMy ")
                pick = gr.Radio([], label="Most likely next tokens (pick one)")
                with gr.Row():
                    show = gr.Button("Show next-token probabilities")
                    add = gr.Button("Add the picked token", variant="primary")
                    draw = gr.Button("Let the sampler pick")
                step_note = gr.Markdown()
            step_probs = gr.BarPlot(_probs_frame([]), x="token", y="probability", sort="-y", y_lim=[0, 1],
                                    label="Next-token probabilities", height=260)
        position = gr.State(0)

    with gr.Accordion("Fine-tune on your own text", open=False):
        gr.Markdown("Upload a UTF-8 .txt file (a few KB to a few MB). The selected model keeps learning "
                    "on it for a few hundred steps; the new model is saved in the data folder (the bundled "
                    "one is never overwritten) and selected, so **Generate** uses it right away. "
                    "**Learn from feedback** does the same with the texts people rated 4 or 5.")
        with gr.Row():
            upload = gr.File(label="Your text (.txt)", file_types=[".txt"], type="filepath")
            with gr.Column():
                steps = gr.Slider(10, 1000, value=100, step=10, label="Training steps")
                tune = gr.Button("Fine-tune", variant="primary")
                learn = gr.Button("Learn from feedback (texts rated 4-5)")
        gr.Examples([[str(config.ASSETS / "examples" / "sonnets.txt")]], [upload], label="Example text")
        tune_status = gr.Markdown()
        loss_plot = gr.LinePlot(pd.DataFrame(columns=["step", "loss", "split"]), x="step", y="loss",
                                color="split", label="Loss (nats per character)", height=240)

    ev = gr.on([go.click, prompt.submit], generate, [model, prompt, length, temperature, top_k, top_p, seed, candidates],
               [output, probs, notice, gen_state], api_name="generate", concurrency_limit=4)
    stop.click(None, None, None, cancels=[ev])
    dice.click(lambda: random.randint(0, 2**31 - 1), None, seed, queue=False, api_visibility="private")
    show.click(peek, [model, step_text, temperature, top_k, top_p], [step_probs, pick, step_note],
               api_name="next_token")
    add.click(add_token, [model, step_text, pick, seed, position, temperature, top_k, top_p],
              [step_text, step_probs, pick, step_note, position], api_name="add_token")
    draw.click(lambda *a: add_token(a[0], a[1], None, *a[2:]), [model, step_text, seed, position, temperature, top_k, top_p],
               [step_text, step_probs, pick, step_note, position], api_name="sample_token")
    tune.click(finetune, [upload, model, steps, seed], [tune_status, loss_plot, model],
               api_name="finetune", concurrency_limit=1)
    learn.click(learn_from_feedback, [model], [tune_status, loss_plot, model],
                api_name="learn_from_feedback", concurrency_limit=1)
