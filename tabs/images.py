"""Images tab: digits from noise with a GAN, a conditional GAN and a VAE.

Sample grids, latent sliders that redraw live, interpolation strips with a GIF, and a short
"watch it learn" training run. Every handler is one call into ``playground.images``; its
ValueErrors become gr.Error with the same sentence.
"""
from __future__ import annotations

import json
import random
import tempfile
import uuid
from pathlib import Path

import gradio as gr

from playground.images import generate as gen
from playground.images import learn, plots, render
from playground.train.gan import HOW_IT_WORKS as GAN_HOW
from playground.train.gan import how_it_works as gan_how
from playground.train.vae import HOW_IT_WORKS as VAE_HOW
from tabs import rating

ANY = "any"
DIGITS = [ANY] + [str(d) for d in range(10)]
CGAN_HOW = GAN_HOW + (" The **conditional** GAN also gets the digit you ask for, and its discriminator "
                      "judges \"is this a real 7?\", so the generator learns to draw the asked digit.")
SLIDER_HELP = ("Each slider moves the noise along one direction that changes the picture most "
               "(GAN: principal components of the generator's first layer, as in GANSpace; VAE: principal "
               "directions of where the encoder puts real digits). Values are in standard deviations.")
INTRO = ("**Images from noise.** A generator turns a handful of random numbers (the *noise*, fixed by the "
         "seed) into an 8x8 handwritten digit; it learned this from scikit-learn's 1,797 digits. Pick a model "
         "and a seed, ask the conditional GAN for a digit, move the sliders to walk through the noise, "
         "morph one sample into another, or watch a new model learn from scratch.")


def _label(digit: str | None) -> int | None:
    return None if digit in (None, "", ANY) else int(digit)


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except ValueError as e:
        raise gr.Error(str(e)) from None


def _info(g) -> str:
    y = g.output["label"]
    return (f"**{g.model}** (weights {g.model_hash}), seed {g.params.get('seed')}"
            + (f", digit {y}" if y is not None else "") + ". Same seed, same image.")


def _config(folder: str) -> dict:
    """A checkpoint's config.json ({} when missing or unreadable); no weights are loaded."""
    try:
        cfg = json.loads((gen.folder(folder) / "config.json").read_text())
    except (OSError, ValueError):
        return {}
    return cfg if isinstance(cfg, dict) else {}


def _conditional(name: str, folder: str) -> bool:
    cfg = _config(folder)
    return bool(cfg.get("n_classes")) if cfg else "conditional" in name.lower()


def _how(name: str, folder: str) -> str:
    """The plain-words note for a model."""
    cfg = _config(folder)
    if cfg.get("kind") == "VAE" or (not cfg and "vae" in name.lower()):
        return VAE_HOW
    if cfg.get("n_classes") or (not cfg and "conditional" in name.lower()):
        return CGAN_HOW
    return gan_how(cfg)


def _missing_note(missing: dict[str, str]) -> str:
    if not missing:
        return ""
    lines = [f"- **{name}**: `{cmd}`" for name, cmd in missing.items()]
    return "⚠️ These checkpoints are missing, so their models cannot draw yet. Train them with:\n" + "\n".join(lines)


def build(models: dict[str, str | Path] | None = None) -> None:
    """The Images tab inside the current Blocks (models load on first use).

    ``models`` maps the UI labels to checkpoint folders (default: the bundled GAN, conditional
    GAN and VAE); tests pass tiny models here."""
    folders = {k: str(v) for k, v in (models or {n: n for n in gen.BUNDLED}).items()}
    names = list(folders)
    is_cond = {n: _conditional(n, f) for n, f in folders.items()}
    hows = {n: _how(n, f) for n, f in folders.items()}
    gif_dir = Path(tempfile.gettempdir()) / "playground-images"
    state = gr.State(None)

    gr.Markdown(INTRO)
    gr.Markdown(_missing_note(gen.missing(list(folders.values()))))
    with gr.Row():
        with gr.Column(scale=1, min_width=260):
            model = gr.Radio(names, value=names[0], label="Model")
            digit = gr.Dropdown(DIGITS, value=ANY, label="Digit", visible=is_cond[names[0]],
                                info="The conditional model draws the digit you ask for.")
            seed = gr.Number(value=0, precision=0, minimum=0, maximum=gen.MAX_SEED, label="Seed")
            with gr.Row():
                new_noise = gr.Button("New noise")
                go = gr.Button("Generate", variant="primary")
            n = gr.Slider(1, gen.MAX_GRID, value=64, step=1, label="Grid size")
            smooth = gr.Checkbox(False, label="Smooth upscaling (bicubic)")
            like = gr.Slider(0, 3, value=0, step=0.25, label="More like what I liked",
                             info="Moves the noise toward images rated highly (needs 5+ ratings of this model); "
                                  "used by Generate and the sliders")
            how = gr.Markdown(hows[names[0]])
        with gr.Column(scale=2):
            with gr.Row():
                big = gr.Image(label="Sample (seed)", type="pil", format="png", height=280, width=280, elem_id="image-sample")
                grid = gr.Image(label="Grid (seeds seed, seed+1, ...)", type="pil", format="png")
            info = gr.Markdown()
    with gr.Accordion("Latent sliders", open=True):
        gr.Markdown(SLIDER_HELP)
        with gr.Row():
            sliders = [gr.Slider(-gen.SLIDER_RANGE, gen.SLIDER_RANGE, value=0, step=0.1, label=f"Direction {i + 1}",
                                 min_width=140) for i in range(gen.N_SLIDERS)]
        reset = gr.Button("Reset sliders", size="sm")
    examples = [[m, s, d] for m, s, d in [("Conditional GAN", 7, "7"), ("Conditional GAN", 3, "3"),
                                          ("GAN", 11, ANY), ("VAE", 42, ANY)] if m in folders]
    example_set = gr.Examples(examples, [model, seed, digit], label="Try these") if examples else None
    rating.build(state)

    with gr.Accordion("Interpolation", open=False):
        gr.Markdown("Walk from the image above (seed and sliders) to the noise of a second seed, along the "
                    "sphere where Gaussian noise lives (spherical interpolation, slerp). With the conditional "
                    "model you can also morph one digit into another.")
        with gr.Row():
            seed_b = gr.Number(value=1, precision=0, minimum=0, maximum=gen.MAX_SEED, label="Second seed")
            digit_b = gr.Dropdown(DIGITS, value=ANY, label="Second digit", visible=is_cond[names[0]])
            steps = gr.Slider(2, gen.MAX_STEPS, value=12, step=1, label="Steps")
            interp = gr.Button("Interpolate")
        strip = gr.Image(label="Interpolation strip", type="pil", format="png")
        gif = gr.File(label="Animated GIF")

    with gr.Accordion("Watch it learn", open=False):
        gr.Markdown("Train a brand-new model from scratch for a few seconds and watch the same 16 noise "
                    "vectors turn from blur into digits. (The bundled models trained for minutes.)")
        with gr.Row():
            kind = gr.Radio([("GAN", "gan"), ("VAE", "vae")], value="gan", label="Train")
            seconds = gr.Slider(5, learn.MAX_WATCH_SECONDS, value=30, step=5, label="Seconds")
            start = gr.Button("Start training", variant="primary")
            stop = gr.Button("Stop")
        with gr.Row():
            learn_grid = gr.Image(label="Samples of fixed noise", type="pil", format="png", height=260)
            learn_curve = gr.Image(label="Losses", type="pil", format="png", height=260)
        learn_status = gr.Markdown()

    # ---- handlers: one call into playground.images each
    def where(name: str) -> str:
        if name not in folders:
            raise gr.Error(f"Unknown image model '{name}': choose one of {', '.join(names)}.")
        return folders[name]

    def show(name, seed, digit, n, smooth, *amounts):
        g = _call(gen.sample, where(name), seed, n=n, label=_label(digit), amounts=list(amounts), smooth=smooth)
        return g.media["image"], g.media["grid"], _info(g), g

    def move(name, seed, digit, smooth, like, *amounts):
        g = _call(gen.edit, where(name), seed, list(amounts), label=_label(digit), smooth=smooth, like=like)
        return g.media["image"], _info(g), g

    def show_liked(name, seed, digit, n, smooth, like, *amounts):
        g = _call(gen.sample, where(name), seed, n=n, label=_label(digit), amounts=list(amounts), smooth=smooth,
                  like=like)
        return g.media["image"], g.media["grid"], _info(g), g

    def fresh(name, digit, n, smooth, *amounts):
        s = random.randint(0, 99_999)
        return (s, *show(name, s, digit, n, smooth, *amounts))

    def pick(name, seed, digit, n, smooth):
        zeros = [0.0] * gen.N_SLIDERS
        cond = is_cond.get(name, False)
        return (gr.update(visible=cond), gr.update(visible=cond), hows.get(name, ""), *zeros,
                *show(name, seed, digit, n, smooth, *zeros))

    def first():  # on page load: the first model's seed 0, or why it cannot draw
        try:
            return show(names[0], 0, ANY, 64, False)
        except gr.Error as e:
            return None, None, f"⚠️ {e.message}", None

    def between(name, seed, seed_b, digit, digit_b, steps, smooth, *amounts):
        g = _call(gen.interpolate, where(name), seed, seed_b, steps=steps, label=_label(digit),
                  label_b=_label(digit_b), smooth=smooth, amounts=list(amounts))
        gif_dir.mkdir(parents=True, exist_ok=True)
        path = gif_dir / f"interpolation-{g.params['seed_a']}-{g.params['seed_b']}-{uuid.uuid4().hex[:8]}.gif"
        render.gif(g.media["frames"], path)
        return g.media["strip"], str(path), g

    def train(kind, seconds):
        for s in _call(learn.watch, kind, float(seconds)):
            status = f"step {s.step}, {s.seconds:.0f} s of {seconds:g} s"
            if s.history:
                status += ": " + ", ".join(f"{k} {v:.3f}" for k, v in s.history[-1].items())
            yield render.grid(s.grid, nrow=4, scale=12), plots.loss_curve(s.history, "report"), status

    common = [model, seed, digit, n, smooth]
    outs = [big, grid, info, state]
    gr.on([go.click, seed.submit, digit.input, n.release, smooth.input, like.release], show_liked,
          inputs=common + [like] + sliders, outputs=outs, api_name="sample", concurrency_limit=8)
    gr.on(None, first, None, outs, api_visibility="private", concurrency_limit=8)
    new_noise.click(fresh, [model, digit, n, smooth] + sliders, [seed] + outs, api_name="new_noise",
                    concurrency_limit=8)
    model.input(pick, common, [digit, digit_b, how] + sliders + outs, api_name="pick_model",
                concurrency_limit=8)
    gr.on([s.input for s in sliders], move,
          inputs=[model, seed, digit, smooth, like] + sliders, outputs=[big, info, state], api_name="move",
          concurrency_limit=32, trigger_mode="always_last", show_progress="hidden")
    reset.click(lambda *a: (*[0.0] * gen.N_SLIDERS, *show(*a, *[0.0] * gen.N_SLIDERS)), common,
                sliders + outs, api_name="reset_sliders", concurrency_limit=8)
    interp.click(between, [model, seed, seed_b, digit, digit_b, steps, smooth] + sliders, [strip, gif, state],
                 api_name="interpolate", concurrency_limit=8)
    run = start.click(train, [kind, seconds], [learn_grid, learn_curve, learn_status], api_name="watch_learn",
                      concurrency_limit=1)
    stop.click(None, cancels=[run])
    if example_set is not None:  # a click on an example fills model, seed and digit, then draws
        example_set.load_input_event.then(pick, common, [digit, digit_b, how] + sliders + outs,
                                          api_visibility="private", concurrency_limit=8)
