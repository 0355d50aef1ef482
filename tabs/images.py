"""Images tab: digits from noise with a GAN, a conditional GAN, a VAE and a diffusion model.

    with gr.Blocks():
        images.build()                          # every image model of playground.images.models()
        images.build({"GAN": "path/to/gan"})    # tests: tab labels -> checkpoint folders

Sample grids, latent sliders that redraw live, interpolation strips with a GIF, a short
"watch it learn" training run, and for the diffusion model its settings and the trajectory from
noise to digit (``tabs.images_diffusion``). The handlers below are top-level functions, each one call into
``playground.images``; their ValueErrors become gr.Error (``tabs.common.user_errors``). The
model radio shows each model's label and passes its name (or folder) to the handlers. The
drawing handlers take the six slider values as ``*amounts``, optionally followed by the diffusion
model's steps, guidance and sampler (``images_diffusion.SETTINGS``).
"""
from __future__ import annotations

import random
import uuid
from pathlib import Path
from types import SimpleNamespace

import anyio
import gradio as gr

from playground import contract
from playground import images as img
from playground.images import learn, plots, render
from tabs import images_diffusion as diffusion_ui
from tabs import a11y, explanations, images_learn, links, rating
from tabs.common import user_errors
from tabs.inline import inline
from tabs.images_diffusion import GIF_DIR
from tabs.i18n import example_table, label as shown_name, say, sentence, t

ANY = img.ANY
DIGITS = [(t("images.any"), ANY)] + [(str(d), str(d)) for d in range(10)]  # (shown, value)
NEW_SEED_MAX = 99_999  # "New noise" draws short seeds, easy to read out in class (any seed up to 2**31-1 works)
EXAMPLES = {("gan", True): [(7, "7"), (3, "3")], ("gan", False): [(11, ANY)], ("vae", False): [(42, ANY)],
            ("diffusion", True): [(5, "2")]}
# ---------------------------------------------------------------- handlers (tests call these directly)

def _params(m: contract.Loaded, seed, digit, n, smooth, like, amounts) -> img.Params:
    """The drawing's Params; the digit only counts for a conditional model (the hidden dropdown may hold one).
    ``amounts``: the slider values, then optionally the diffusion settings (ignored by other models)."""
    label = digit if img.conditional(m) else None
    settings = dict(zip(diffusion_ui.SETTINGS, amounts[img.N_SLIDERS:]))
    return img.Params(seed=seed, n=n, label=label, amounts=list(amounts[:img.N_SLIDERS]), like=like, smooth=smooth,
                      **settings)


def _info(g) -> str:
    y = g.output["label"]
    return say("images.info_digit" if y is not None else "images.info", model=g.model, hash=g.model_hash,
               seed=g.params.get("seed"), digit=y)


@user_errors
def sample(model: str, seed, digit, n, smooth, like, *amounts):
    """Generate: the large sample of ``seed`` (moved by the sliders) and the grid of seeds seed, seed+1, ..."""
    m = img.load(model)
    g = img.generate(m, _params(m, seed, digit, n, smooth, like, amounts))
    return g.media["image"], g.media["grid"], _info(g), g


@user_errors
def move(model: str, seed, digit, smooth, like, *amounts):
    """A slider moved: only the large sample is redrawn (the fast path)."""
    m = img.load(model)
    g = img.edit(m, _params(m, seed, digit, 1, smooth, like, amounts))
    return g.media["image"], _info(g), g


def move_and_view(model: str, *rest):
    """``move``, then the diffusion view of its drawing (``images_diffusion.view``: empty for
    another model's drawing, whose views are hidden)."""
    out = move(model, *rest)
    return (*out, *diffusion_ui.view(model, out[-1]))


async def move_on_loop(model: str, *rest):
    """``move_and_view`` on the server's event loop when it takes a millisecond or two (a loaded GAN
    or VAE: one decoder pass), where the hop to a worker thread and back cost a fifth of a move's
    server CPU (README "Many users at once"); a model's first load and the diffusion model's many
    steps run in a worker thread, so they never hold up the loop."""
    if img.load.holds(model) and img.load(model).config.get("model_type") != "diffusion":
        return move_and_view(model, *rest)
    return await anyio.to_thread.run_sync(move_and_view, model, *rest)


def _drawn_sliders(g) -> list[float]:
    """The slider values a drawing was made with, one per slider: a drawing given fewer (the page's
    first, an API call) had the rest at 0."""
    amounts = list(g.params.get("amounts", []))
    return amounts + [0.0] * (img.N_SLIDERS - len(amounts))


async def catch_up(model: str, seed, digit, smooth, like, *rest):
    """After a drawing (Generate, a link, ...) and its view: if a slider moved while it was queued
    or drawing, the move's picture came first and the drawing's, made with the sliders as they
    were at the click, replaced it; draw the move again, so the picture follows the sliders.
    ``rest``: the sliders, the diffusion settings, then the drawing (``w.state``). Nothing to do
    (``gr.skip()``) when the sliders are the drawing's."""
    *values, g = rest
    if g is None or list(values[:img.N_SLIDERS]) == _drawn_sliders(g):
        return (gr.skip(),) * 6  # the move's outputs: picture, info, state and the three diffusion views
    return await move_on_loop(model, seed, digit, smooth, like, *values)


def new_noise(model: str, digit, n, smooth, like, *amounts):
    """A random seed, then the same drawing as Generate."""
    s = random.randint(0, NEW_SEED_MAX)
    return (s, *sample(model, s, digit, n, smooth, like, *amounts))


def reset_sliders(model: str, seed, digit, n, smooth, like, *settings):
    """All sliders back to 0, and the plain sample redrawn (``settings``: the diffusion ones)."""
    zeros = [0.0] * img.N_SLIDERS
    return (*zeros, *sample(model, seed, digit, n, smooth, like, *zeros, *settings))


@user_errors
def pick_model(model: str, seed, digit, n, smooth, like, *settings):
    """Another model: its digit choice (if conditional), its note, sliders at 0, a fresh drawing."""
    info = img.find(model)
    shown = gr.update(visible=info.facts["conditional"])
    return (shown, shown, explanations.image(info), *reset_sliders(model, seed, digit, n, smooth, like, *settings))


def note(model: str) -> str:
    """On page load and whenever the model changes: its "how it works" note in the reader's language
    ("" for a model that cannot be found; ``_problems`` says why)."""
    try:
        return explanations.image(img.find(model))
    except ValueError:
        return ""


def first(model: str, request: gr.Request = None):
    """On page load: the first model's drawing of seed 0, or why it cannot draw yet (a link draws its own)."""
    if links.replays(request, "images"):
        return (gr.skip(),) * 4
    try:
        return sample(model, 0, ANY, 64, False, 0.0)
    except gr.Error as e:
        return None, None, f"⚠️ {e.message}", None


@user_errors
def interpolate(model: str, seed, seed_b, digit, digit_b, steps, smooth, like, *amounts):
    """The strip from the image above to the second seed, and its animated GIF."""
    m = img.load(model)
    p = _params(m, seed, digit, 1, smooth, like, amounts)
    g = img.interpolate(m, p, seed_b, steps, label_b=digit_b if img.conditional(m) else None)
    GIF_DIR.mkdir(parents=True, exist_ok=True)
    path = GIF_DIR / f"interpolation-{g.params['seed']}-{g.params['seed_b']}-{uuid.uuid4().hex[:8]}.gif"
    render.gif(g.media["frames"], path)
    return g.media["strip"], str(path), g


@user_errors
def watch_learn(kind: str, seconds):
    """Train a new model from scratch for ``seconds``; stream its samples and loss curve."""
    seconds = contract.number(seconds, "training time")
    for s in learn.watch(kind, seconds):
        status = say("images.watch_status", step=s.step, seconds=s.seconds, total=seconds)
        if s.recognised is not None and s.seconds >= learn.JUDGE_AFTER_S:
            status += say("images.watch_judge", n=round(s.recognised * len(s.grid)), total=len(s.grid))
        if s.history:
            status += say("images.watch_losses", losses=", ".join(f"{k} {v:.3f}" for k, v in s.history[-1].items()))
        yield render.grid(s.grid, nrow=4, scale=3), plots.loss_curve(s.history, "report"), status


# ---------------------------------------------------------------- layout

def _choices(models: dict[str, str | Path] | None) -> dict[str, str]:
    """Tab label -> what ``img.load`` takes: the injected folders, else every image model's name."""
    if models is not None:
        return {label: str(folder) for label, folder in models.items()}
    return {label: info.name for label, info in img.labelled(img.models()).items()}


def _problems(choices: dict[str, str]) -> str:
    """A note naming the models that cannot draw (missing or unreadable checkpoints), with the fix."""
    lines = []
    for label, value in choices.items():
        try:
            img.find(value)
        except ValueError as e:
            lines.append(f"- **{label}**: {sentence(str(e))}")
    return (say("images.problems") + "\n" + "\n".join(lines)) if lines else ""


def _facts(value: str) -> tuple[bool, str]:
    """(conditional, model type) of a model without loading it; a missing one is (False, "")."""
    try:
        info = img.find(value)
    except ValueError:
        return False, ""
    return info.facts["conditional"], info.model_type


def _controls(w: SimpleNamespace, choices: dict[str, str]) -> None:
    with gr.Column(scale=1, min_width=260):
        w.model = gr.Radio([(shown_name(k), v) for k, v in choices.items()], value=next(iter(choices.values())),
                           label=t("common.model"))
        w.digit = gr.Dropdown(DIGITS, value=ANY, label=t("images.digit"), visible=w.cond, info=t("images.digit_info"))
        w.seed = gr.Number(value=0, precision=0, minimum=0, maximum=contract.SEED_MAX, label=t("common.seed"))
        with gr.Row():
            w.new_noise = gr.Button(t("images.new_noise"))
            w.go = gr.Button(t("common.generate"), variant="primary")
        diffusion_ui.controls(w, w.diff)
        w.n = gr.Slider(1, img.MAX_GRID, value=diffusion_ui.GRID if w.diff else 64, step=1, label=t("images.grid_size"))
        w.smooth = gr.Checkbox(False, label=t("images.smooth"))
        w.like = gr.Slider(0, img.MAX_LIKE, value=0, step=0.25, label=t("images.like"), info=t("images.like_info"))
        w.how = gr.Markdown()  # the model's note, in the reader's language (``note``, on load)


def _pictures(w: SimpleNamespace) -> None:
    with gr.Column(scale=2):
        with gr.Row():
            w.big = a11y.picture("images.sample", type="pil", format="png", height=280, width=280,
                             elem_id="image-sample")
            w.grid = a11y.picture("images.grid", type="pil", format="png")
        w.info = gr.Markdown()
        diffusion_ui.views(w, w.diff)


def _sliders(w: SimpleNamespace) -> None:
    with gr.Accordion(t("images.sliders"), open=True):
        gr.Markdown(t("images.slider_help"))
        with gr.Row():
            w.sliders = [gr.Slider(-img.SLIDER_RANGE, img.SLIDER_RANGE, value=0, step=0.1, label=t(f"images.direction.{i + 1}"),
                                   min_width=140) for i in range(img.N_SLIDERS)]
        w.reset = gr.Button(t("images.reset"), size="sm")


def _examples(w: SimpleNamespace, choices: dict[str, str]) -> None:
    """Seeds worth showing, per kind of model (a click fills model, seed and digit, then draws)."""
    examples = []
    for value in choices.values():
        cond, kind = _facts(value)
        examples += [[value, seed, digit] for seed, digit in EXAMPLES.get((kind, cond), [])]
    w.examples = example_table(examples, [w.model, w.seed, w.digit], "common.examples") if examples else None


def _interpolation(w: SimpleNamespace) -> None:
    with gr.Accordion(t("images.interpolation"), open=False):
        gr.Markdown(t("images.interpolation_help"))
        with gr.Row():
            w.seed_b = gr.Number(value=1, precision=0, minimum=0, maximum=contract.SEED_MAX, label=t("images.seed_b"))
            w.digit_b = gr.Dropdown(DIGITS, value=ANY, label=t("images.digit_b"), visible=w.cond)
            w.steps = gr.Slider(2, img.MAX_STEPS, value=12, step=1, label=t("images.steps"))
            w.interp = gr.Button(t("images.interpolate"))
        w.strip = a11y.picture("images.strip", type="pil", format="png")
        w.gif = gr.File(label=t("images.gif"))


def _watch(w: SimpleNamespace) -> None:
    with gr.Accordion(t("images.watch"), open=False):
        gr.Markdown(t("images.watch_help"))
        with gr.Row():
            w.kind = gr.Radio([(shown_name("GAN"), "gan"), (shown_name("VAE"), "vae")], value="gan", label=t("images.train"))
            w.seconds = gr.Slider(5, learn.MAX_WATCH_SECONDS, value=30, step=5, label=t("images.seconds"))
            w.start = gr.Button(t("images.start"), variant="primary")
            w.stop = gr.Button(t("common.stop"))
        with gr.Row():
            w.learn_grid = a11y.picture("images.learn_grid", type="pil", format="png", height=260)
            w.learn_curve = a11y.picture("images.losses", type="pil", format="png", height=260)
        w.learn_status = gr.Markdown()


def _wire(w: SimpleNamespace, replayed: gr.events.Dependency) -> None:
    """Every event: one handler each; every drawing takes the "More like what I liked" slider.
    ``replayed``: the opened link's drawing (``links.build``), followed by the diffusion view too."""
    common, ds = [w.model, w.seed, w.digit, w.n, w.smooth, w.like], w.diffusion_inputs
    outs = [w.big, w.grid, w.info, w.state]
    picked = [w.digit, w.digit_b, w.how] + w.sliders + outs
    show = ([w.model, w.n], [w.diffusion_controls, w.diffusion_views, w.n])  # diffusion parts, then the drawing
    # an opened link may name the diffusion model: its controls and views show (the link keeps its grid size)
    replayed.then(diffusion_ui.shown, [w.model], [w.diffusion_controls, w.diffusion_views], api_visibility="private")
    drawings = [replayed]  # the events that draw the large sample (each then shows its diffusion view)
    drawings.append(gr.on([w.go.click, w.seed.submit, w.digit.input, w.n.release, w.smooth.input, w.like.release,
                           *diffusion_ui.triggers(w)], sample, inputs=common + w.sliders + ds, outputs=outs,
                          api_name="sample", concurrency_limit=8))
    drawings.append(gr.on(None, first, [w.model], outs, api_visibility="private", concurrency_limit=8))
    gr.on(None, note, [w.model], w.how, api_visibility="private", concurrency_limit=None, show_progress="hidden")
    drawings.append(w.new_noise.click(new_noise, [w.model, w.digit, w.n, w.smooth, w.like] + w.sliders + ds,
                                      [w.seed] + outs, api_name="new_noise", concurrency_limit=8))
    drawings.append(w.model.input(diffusion_ui.show, *show, api_name="show_diffusion", concurrency_limit=None)
                    .then(pick_model, common + ds, picked, api_name="pick_model", concurrency_limit=8))
    # A slider move skips the queue: the page sends one plain POST instead of joining the queue and
    # reading its event stream, and gets the diffusion view with the picture (README "Many users at
    # once": 9-13 ms of server CPU a move where the old three requests took 23-27). It streams
    # nothing, so it loses nothing. An API client (gradio_client always joins the queue) gets no
    # concurrency limit either, as the page's POST has none: a loaded GAN/VAE move runs on the loop
    # anyway, and thirty moves held four at a time in the queue cost a quarter more server CPU
    # (estimates re-sent to every waiting move at each start). Its inputs and outputs are processed
    # in the loop's thread too (tabs/inline.py: no worker-thread hop per component).
    moves = [w.model, w.seed, w.digit, w.smooth, w.like] + w.sliders + ds  # what a move reads
    moved = [w.big, w.info, w.state, *diffusion_ui.outputs(w)]  # and what it redraws
    gr.on([s.input for s in w.sliders], **inline(move_on_loop, moves, moved),
          api_name="move", queue=False, concurrency_limit=None, trigger_mode="always_last", show_progress="hidden")
    drawings.append(w.reset.click(reset_sliders, common + ds, w.sliders + outs, api_name="reset_sliders",
                                  concurrency_limit=8))
    w.interp.click(interpolate, [w.model, w.seed, w.seed_b, w.digit, w.digit_b, w.steps, w.smooth, w.like]
                   + w.sliders + ds, [w.strip, w.gif, w.state], api_name="interpolate", concurrency_limit=8)
    run = w.start.click(watch_learn, [w.kind, w.seconds], [w.learn_grid, w.learn_curve, w.learn_status],
                        api_name="watch_learn", concurrency_limit=1)
    w.stop.click(None, cancels=[run])
    if w.examples is not None:  # a click on an example fills model, seed and digit, then draws
        drawings.append(w.examples.load_input_event.then(diffusion_ui.show, *show, api_visibility="private")
                        .then(pick_model, common + ds, picked, api_visibility="private", concurrency_limit=8))
    # A move answers at once; a drawing can wait behind a class's clicks. The page applies answers
    # as they arrive, so a drawing's picture (sliders as at the click) could replace a later move's:
    # after each drawing, the page's sliders as they are now redraw the picture if they moved.
    for viewed in diffusion_ui.wire(w, drawings):
        viewed.then(**inline(catch_up, moves + [w.state], moved), queue=False, api_visibility="private",
                    show_progress="hidden")


def build(models: dict[str, str | Path] | None = None) -> None:
    """The Images tab inside the current Blocks (models load on first use).

    ``models`` maps tab labels to checkpoint folders (default: every image model in
    ``assets/models``, labelled from its config); tests pass tiny models here."""
    choices = _choices(models)
    gr.Markdown(t("images.intro"))
    if not choices:
        gr.Markdown(t("images.no_model"))
        return
    gr.Markdown(_problems(choices))
    cond, kind = _facts(next(iter(choices.values())))  # the first model's, shown at start
    w = SimpleNamespace(state=gr.State(None), cond=cond, diff=kind == "diffusion")
    with gr.Row():
        _controls(w, choices)
        _pictures(w)
    _sliders(w)
    _examples(w, choices)
    rating.build(w.state, [s.input for s in w.sliders])  # a slider move skips the queue
    replayed = links.build("images", w.state, sample,
                           {"model": w.model, "seed": w.seed, "label": w.digit, "n": w.n, "smooth": w.smooth,
                            "like": w.like, "amounts": w.sliders, **dict(zip(diffusion_ui.SETTINGS, w.diffusion_inputs))},
                           [w.big, w.grid, w.info, w.state])
    _interpolation(w)
    _watch(w)
    images_learn.build(w)
    _wire(w, replayed)
    images_learn.wire(w)
