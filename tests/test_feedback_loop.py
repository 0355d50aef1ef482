"""The loop, proven with simulated raters of known taste (fixed seeds).

Each rater rates N outputs through the real store; what is learned from ``store.rated`` then
steers new outputs. The share of outputs matching the taste is measured before and after:

- latents: a rater who likes one class of a synthetic latent classifier (10 classes; the
  Images tab's GAN gets the same treatment when its checkpoint is present);
- text: a rater who likes sentences with the word "love" (reranking 8 candidates);
- music: a rater who likes high melodies (reranking 8 candidates);
- fine-tuning: a tiny text model fine-tuned on the highly rated texts (slow).

Run with ``-s`` to see the figures.
"""
from __future__ import annotations

import numpy as np
import pytest

from playground.feedback import FeedbackStore
from playground.generation import Generation
from playground.music.feedback import features as music_features
from playground.music.feedback import notes_of
from playground.preference import LatentPreference, Reranker
from playground.text.learn import feedback_corpus, text_of
from playground.text.learn import features as text_features

N_RATINGS = 120
K = 8  # candidates per reranked output
TRIALS = 400


@pytest.fixture
def store(tmp_path):
    s = FeedbackStore(f"sqlite:///{tmp_path / 'loop.db'}")
    yield s
    s.close()


def rate_all(store: FeedbackStore, modality: str, outputs: list, rater, rng) -> list[dict]:
    """Record the rater's rating of each output (one simulated session) and read them back."""
    for i, out in enumerate(outputs):
        g = Generation(modality, "sim", "0", {"seed": i}, out)
        store.record(g, rater(out, rng), "", session="simulated-rater")
    return store.rated(modality, "sim")


def report(name: str, before: float, after: float, n: int = N_RATINGS) -> None:
    print(f"\n[loop] {name}: share matching the taste {before:.1%} before -> {after:.1%} after "
          f"{n} ratings")


# ---------------------------------------------------------------- latents

def test_latent_direction_moves_samples_toward_the_liked_class(store):
    rng = np.random.default_rng(0)
    dim, liked = 32, 3
    weights = rng.standard_normal((10, dim))

    def digit(z):  # a synthetic "classifier" of latents into 10 classes
        return np.argmax(np.atleast_2d(z) @ weights.T, axis=-1)

    def rater(out, r):
        return int(r.integers(4, 6)) if digit(np.array(out["latent"]))[0] == liked else int(r.integers(1, 3))

    latents = rng.standard_normal((N_RATINGS, dim))
    rows = rate_all(store, "image", [{"latent": z.tolist()} for z in latents], rater, rng)
    pref = LatentPreference.from_rows(rows)
    before = (digit(rng.standard_normal((2000, dim))) == liked).mean()
    shifted = (digit(pref.sample(2000, strength=2.5, seed=1)) == liked).mean()
    near = (digit(pref.sample_near_liked(2000, closeness=0.8, seed=2)) == liked).mean()
    report("latent direction (liked class 3 of 10)", before, shifted)
    report("latent near-liked sampling", before, near)
    assert before < 0.2 and shifted > before + 0.3 and near > before + 0.3


def judged_loop(store, model_name: str, decode, z_dim: int, liked: int = 3, seed: int = 5):
    """Rate N_RATINGS decoded latents by the digit the bundled MNIST judge sees, then compare the
    share of the liked digit in fresh samples before and after ``toward_liked`` / near-liked."""
    import torch
    from playground.images import judge
    from playground.preference import latent_preference, toward_liked

    def digits(z: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return judge.judge(decode(torch.as_tensor(z, dtype=torch.float32)))[0].argmax(1).numpy()

    rng = np.random.default_rng(seed)
    latents = rng.standard_normal((N_RATINGS, z_dim))
    seen = digits(latents)
    for i, (z, d) in enumerate(zip(latents, seen)):
        r = int(rng.integers(4, 6)) if d == liked else int(rng.integers(1, 3))
        store.record(Generation("image", model_name, "0", {"seed": i}, {"latent": z.tolist(), "label": None}),
                     r, "", session="simulated-rater")
    fresh = np.random.default_rng(seed + 1).standard_normal((2000, z_dim))
    before = (digits(fresh) == liked).mean()
    shifted = (digits(toward_liked(model_name, fresh, 2.0, store)) == liked).mean()
    near = (digits(latent_preference(model_name, store).sample_near_liked(2000, 0.8, seed=seed + 2)) == liked).mean()
    report(f"{model_name}, direction (liked digit {liked})", before, shifted)
    report(f"{model_name}, near-liked sampling", before, near)
    return before, shifted, near


def test_real_digits_latent_model_moves_toward_the_liked_digit(store):
    """A latent model that exists without training: probabilistic PCA of the real digits
    (x = mean + z * sqrt(variance) along 12 principal axes), judged by the bundled MNIST judge."""
    torch = pytest.importorskip("torch")
    from playground.config import MODELS
    from playground.images import data

    if not (MODELS / "mnist-judge" / "config.json").exists():
        pytest.skip("assets/models/mnist-judge is not trained yet")
    x = data.load("train").x.flatten(1)  # (N, 784)
    mean = x.mean(0)
    _, s, vt = torch.linalg.svd(x - mean, full_matrices=False)
    k = 12
    basis = vt[:k] * (s[:k] / (len(x) - 1) ** 0.5)[:, None]  # (k, 784)

    def decode(z):
        return (mean + z @ basis).clamp(-1, 1).view(-1, 1, 28, 28)

    before, shifted, near = judged_loop(store, "ppca-digits", decode, k)
    assert max(shifted, near) > before + 0.3


@pytest.mark.parametrize("name", ["gan-digits", "vae-digits"])
def test_bundled_image_model_moves_toward_the_liked_digit(store, name):
    """The same loop on the Images tab's own models (skipped until their checkpoints exist)."""
    pytest.importorskip("torch")
    from playground import images
    from playground.config import MODELS

    if name not in {i.name for i in images.models()} or not (MODELS / "mnist-judge" / "config.json").exists():
        pytest.skip(f"{name} is not trained yet")
    m = images.load(name)
    before, shifted, near = judged_loop(store, m.name, m.module.decode, m.module.z_dim)
    assert max(shifted, near) > before + 0.2


def test_latent_shift_keeps_torch_tensors():
    torch = pytest.importorskip("torch")
    pref = LatentPreference.fit([[1.0, 0.0], [-1.0, 0.0], [0.5, 0.1]], [5, 1, 4])
    z = torch.zeros(3, 2)
    moved = pref.shift(z, 2.0)
    assert isinstance(moved, torch.Tensor) and moved[0, 0] > 1.9


def test_latent_preference_needs_varied_ratings():
    with pytest.raises(ValueError, match="same"):
        LatentPreference.fit([[0.0], [1.0]], [3, 3])


# ---------------------------------------------------------------- text

WORDS = ("the king queen night day sword crown heart glove lovely sweet bitter cold fair lord lady "
         "speak hear thee thou thy good ill sleep dream war peace blood gold dust fire storm sea "
         "wind moon star light dark rose thorn tear smile grave honour death life time youth age").split()


def sentence(rng) -> str:
    words = list(rng.choice(WORDS, 8))
    if rng.random() < 0.08:
        words[int(rng.integers(0, 8))] = "love"
    return " ".join(words).capitalize() + "."


def likes_love(text: str) -> bool:
    return "love" in text.lower().strip(".").split()


def test_text_reranker_prefers_the_liked_word(store):
    rng = np.random.default_rng(1)
    rows = rate_all(store, "text", [sentence(rng) for _ in range(N_RATINGS)],
                    lambda t, r: 5 if likes_love(t) else int(r.integers(1, 4)), rng)
    ranker = Reranker(text_features).fit_rows(rows)
    before = np.mean([likes_love(sentence(rng)) for _ in range(TRIALS)])
    after = np.mean([likes_love(c[ranker.best(c)]) for c in ([sentence(rng) for _ in range(K)]
                                                             for _ in range(TRIALS))])
    report(f"text reranker (likes 'love', best of {K})", before, after)
    ceiling = 1 - (1 - before) ** K
    print(f"[loop] text: a perfect scorer would reach {ceiling:.1%}")
    assert after > before + 0.3


def test_feedback_corpus_keeps_only_liked_texts():
    rows = [{"output": "a love song", "rating": 5}, {"output": "a dirge", "rating": 2},
            {"output": {"text": "love again"}, "rating": 4}, {"output": "a love song", "rating": 5}]
    assert feedback_corpus(rows) == "a love song\n\nlove again\n"
    assert text_of({"text": "x"}) == "x" and text_of(None) == ""


# ---------------------------------------------------------------- music

def melody(rng) -> dict:
    """A 16-note random-walk soprano line in the Music tab's output format."""
    pitch, notes, t = int(rng.integers(52, 76)), [], 0
    for _ in range(16):
        dur = int(rng.choice([2, 4, 4, 8]))
        notes.append([pitch, t, dur])
        t += dur
        pitch = int(np.clip(pitch + rng.integers(-3, 4), 40, 90))
    return {"grid": "16th", "seed_steps": 0, "voices": {"soprano": notes, "alto": [], "tenor": [], "bass": []}}


def is_high(m: dict) -> bool:
    return np.mean([n[0] for n in notes_of(m)]) >= 70


def test_music_reranker_prefers_high_melodies(store):
    rng = np.random.default_rng(2)
    rows = rate_all(store, "music", [melody(rng) for _ in range(N_RATINGS)],
                    lambda m, r: int(r.integers(4, 6)) if is_high(m) else int(r.integers(1, 3)), rng)
    ranker = Reranker(music_features).fit_rows(rows)
    before = np.mean([is_high(melody(rng)) for _ in range(TRIALS)])
    after = np.mean([is_high(c[ranker.best(c)]) for c in ([melody(rng) for _ in range(K)] for _ in range(TRIALS))])
    report(f"music reranker (likes mean pitch >= 70, best of {K})", before, after)
    assert after > before + 0.3


def test_notes_of_reads_every_documented_shape():
    assert notes_of([[60, 0, 4], [-1, 4, 4], [62, 8, 2]]) == [(60.0, 0.0, 4.0), (62.0, 8.0, 2.0)]
    assert notes_of({"notes": [{"pitch": 64, "start": 1, "end": 3}]}) == [(64.0, 1.0, 2.0)]
    assert notes_of([67, 69]) == [(67.0, 0.0, 1.0), (69.0, 1.0, 1.0)]
    assert music_features([[]]).shape == (1, 10)


# ---------------------------------------------------------------- fine-tuning on liked texts

def sample_lines(model_dir, n: int, seed: int, length: int = 70) -> list[str]:
    """``n`` seeded samples (the first line of each) from a character model, started at a newline."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir).eval()
    gen = torch.Generator().manual_seed(seed)
    ids = torch.full((n, 1), tok.convert_tokens_to_ids("\n"), dtype=torch.long)
    with torch.inference_mode():
        for _ in range(length):
            logits = model(input_ids=ids[:, -model.config.n_positions:]).logits[:, -1].float()
            ids = torch.cat([ids, torch.multinomial(torch.softmax(logits, -1), 1, generator=gen)], 1)
    return [tok.decode(row[1:]).strip("\n").split("\n")[0] for row in ids.tolist()]


@pytest.mark.slow
def test_fine_tuning_on_liked_texts_raises_the_share(store, tmp_path):
    pytest.importorskip("transformers")
    from playground.text import load
    from playground.text.learn import learn_from_feedback
    from playground.train.text import TextTrainConfig, iter_train

    rng = np.random.default_rng(3)
    corpus = "\n".join(sentence(rng) for _ in range(2500)) + "\n"
    tiny = dict(n_layer=2, n_embd=64, n_head=4, block_size=64, dropout=0.0, batch_size=32,
                warmup_iters=20, eval_interval=10 ** 6, bf16=False, threads=1, seed=0)
    for _ in iter_train(corpus, tmp_path / "base", TextTrainConfig(max_iters=500, max_minutes=3, lr=3e-3, **tiny)):
        pass
    outputs = sample_lines(tmp_path / "base", 200, seed=1)
    rows = rate_all(store, "text", outputs, lambda t, r: 5 if likes_love(t) else int(r.integers(1, 4)), rng)
    liked = sum(r["rating"] >= 4 for r in rows)
    cfg = TextTrainConfig(max_iters=150, max_minutes=2, lr=1e-3, min_lr=1e-4, **tiny)
    last = list(learn_from_feedback(load(str(tmp_path / "base")), rows, cfg=cfg, out_dir=tmp_path / "tuned"))[-1]
    assert last["done"] and "feedback: " in last["card"]["data"]
    before = np.mean([likes_love(t) for t in sample_lines(tmp_path / "base", 200, seed=2)])
    after = np.mean([likes_love(t) for t in sample_lines(tmp_path / "tuned", 200, seed=2)])
    print(f"\n[loop] fine-tune on {liked} liked of 200 rated samples: share with 'love' "
          f"{before:.1%} before -> {after:.1%} after")
    assert after > before + 0.3


# ---------------------------------------------------------------- the hooks the tabs call

def test_toward_liked_needs_ratings_then_refits_when_they_change(store):
    from playground import preference

    z = np.zeros((2, 3))
    assert preference.toward_liked("gan", z, 0.0, store) is z  # strength 0: no store access at all
    with pytest.raises(ValueError, match="Rate at least 5 images of gan first"):
        preference.toward_liked("gan", z, 2.0, store)
    for i, (x, r) in enumerate([(1, 5), (2, 5), (-1, 1), (-2, 1), (0.5, 4)]):
        store.record(Generation("image", "gan", "h", {"seed": i}, {"latent": [x, 0.0, 0.0], "label": None}),
                     r, "", session="s")
    first = preference.latent_preference("gan", store)
    assert first is preference.latent_preference("gan", store)  # cached while nothing changes
    assert preference.toward_liked("gan", z, 2.0, store)[0, 0] > 1.9
    # re-rating flips the taste: the cache notices and the direction turns around
    for i, (x, r) in enumerate([(1, 1), (2, 1), (-1, 5), (-2, 5), (0.5, 2)]):
        store.record(Generation("image", "gan", "h", {"seed": i}, {"latent": [x, 0.0, 0.0], "label": None}),
                     r, "", session="s2")
    store.record({"id": "x", "modality": "image", "model": "gan", "output": {"latent": [-3, 0, 0]}}, 5, "", session="s")
    assert preference.toward_liked("gan", z, 2.0, store)[0, 0] < -1.9
    assert preference.latent_preference("gan", store) is not first


def test_best_of_reranks_only_once_there_is_something_to_learn(store):
    from playground import preference

    made = []

    def make(i):
        made.append(i)
        return Generation("text", "m", "h", {"seed": 10 + i}, ["a cold night.", "my love is here.", "the king."][i % 3])

    g, note = preference.best_of(3, make, "text", store=store)
    assert made == [0] and g.params["seed"] == 10 and note.startswith("Not reranked: Rate at least 5")
    rng = np.random.default_rng(0)
    for i in range(30):
        t = sentence(rng)
        store.record(Generation("text", "m", "h", {"seed": i}, t), 5 if likes_love(t) else 1, "", session="s")
    store.record(Generation("text", "m", "h", {}, "my love, my love."), 5, "", session="s")
    made.clear()
    g, note = preference.best_of(3, make, "text", store=store)
    assert made == [0, 1, 2] and g.output == "my love is here." and g.params["seed"] == 11
    assert g.params["rerank"]["candidate"] == 1 and g.params["rerank"]["of"] == 3 and "candidate 2 of 3" in note
    with pytest.raises(ValueError, match="no reranker for image"):
        preference.reranker("image", store=store)
    with pytest.raises(ValueError, match="1 and 16"):
        preference.best_of(0, make, "text", store=store)


def test_fine_tune_reads_the_lineage_and_versions_live_in_the_data_dir(store):
    from playground import config, text
    from playground.text import learn

    rows = [{"model": "text-a", "rating": 5, "output": "x"}, {"model": "text-a-feedback-20260101-000000", "rating": 5,
            "output": "y"}, {"model": "text-b", "rating": 5, "output": "z"}]
    assert [r["output"] for r in learn.lineage_rows(rows, "text-a-feedback-20260101-000000")] == ["x", "y"]
    out = learn.new_version_dir("text-a-feedback-20260101-000000")
    assert out.parent == config.data_dir() / "models" and out.name.startswith("text-a-feedback-2")
    assert learn.feedback_corpus([{"params": {"prompt": "ROMEO:"}, "output": " my love", "rating": 5},
                                  {"params": {"prompt": "JULIET:"}, "output": "JULIET: hi", "rating": 4}]) \
        == "ROMEO: my love\n\nJULIET: hi\n"
    tm = text.load(str(config.DEFAULT_TEXT_MODEL))
    with pytest.raises(ValueError, match="Not enough highly rated text"):
        next(learn.learn_from_feedback(tm, [{"params": {"prompt": "Hi"}, "output": " there", "rating": 5}]))


# ---------------------------------------------------------------- the real music model code

@pytest.mark.slow
def test_music_model_reranked_toward_high_melodies(store):
    """The Music tab's own model code (the bundled checkpoint when present, else the same
    network freshly initialised) continues a chord for one bar; a rater likes high melodies."""
    torch = pytest.importorskip("torch")
    from playground import preference
    from playground.music.catalog import DEFAULT_MODEL
    from playground.music.compose import compose
    from playground.music.model import ChoraleLSTM, MusicConfig
    from playground.music.notes import VOICES, Score

    torch.manual_seed(0)
    trained = (DEFAULT_MODEL / "config.json").exists()
    model = ChoraleLSTM.from_pretrained(DEFAULT_MODEL) if trained else ChoraleLSTM(MusicConfig())
    model.eval()
    opening = Score.from_grid(np.array([[67, 64, 60, 48]] * 4))  # a C major chord, soprano G4

    def make(seed: int) -> Generation:
        s = compose(model, "continue", opening, True, 1, 1.0, torch.Generator().manual_seed(seed))
        return Generation("music", "music-sim", "0", {"seed": seed}, {"voices": dict(zip(VOICES, s.events()))})

    def high(out) -> bool:
        return np.mean([n[0] for n in notes_of(out)]) >= 70

    rng = np.random.default_rng(4)
    for i in range(60):
        g = make(i)
        store.record(g, int(rng.integers(4, 6)) if high(g.output) else int(rng.integers(1, 3)), "", session="rater")
    trials, k = 40, 4
    before = np.mean([high(make(1000 + i).output) for i in range(trials)])
    after = np.mean([high(preference.best_of(k, lambda j, i=i: make(2000 + k * i + j), "music", store=store)[0].output)
                     for i in range(trials)])
    report(f"music model ({'bundled' if trained else 'untrained'} ChoraleLSTM), best of {k}", before, after, 60)
    assert after > before + 0.2


# ---------------------------------------------------------------- the real text model

@pytest.mark.slow
@pytest.mark.parametrize("word", ["love"])
def test_bundled_text_model_reranked_toward_the_liked_word(store, word):
    """The Text tab's own sampler and bundled model: 150 rated samples, then best of 8."""
    from playground import config, preference

    if not (config.DEFAULT_TEXT_MODEL / "config.json").exists():
        pytest.skip("assets/models/text-shakespeare is not trained yet")
    from playground import text

    tm = text.load(str(config.DEFAULT_TEXT_MODEL))

    def make(seed: int) -> Generation:
        return text.generate(tm, text.Params(prompt="\n", length=80, temperature=1.0, seed=seed))

    def liked(g: Generation) -> bool:
        return word in g.output.lower()

    rng = np.random.default_rng(6)
    for i in range(150):
        g = make(i)
        store.record(g, 5 if liked(g) else int(rng.integers(1, 4)), "", session="rater")
    k, trials = 8, 50
    before = np.mean([liked(make(10_000 + i)) for i in range(trials * 4)])
    after = np.mean([liked(preference.best_of(k, lambda j, i=i: make(20_000 + k * i + j), "text", store=store)[0])
                     for i in range(trials)])
    report(f"bundled text model, best of {k} (likes '{word}')", before, after, 150)
    # 'love' is rare in 80 characters of this model (a few %), so 150 ratings hold only a handful
    # of liked samples: the scorer is weak but the share still at least doubles
    assert after >= 2 * before and after >= before + 0.05


@pytest.mark.slow
def test_bundled_text_model_learns_from_feedback(store, tmp_path):
    """'Learn from feedback' on the bundled model: 300 rated samples, the liked ones (containing
    'love') fine-tune a new version; share of samples with 'love' before vs after."""
    from playground import config, text
    from playground.text import learn

    if not (config.DEFAULT_TEXT_MODEL / "config.json").exists():
        pytest.skip("assets/models/text-shakespeare is not trained yet")
    params = dict(prompt="\n", length=80, temperature=1.0)
    base = text.load(str(config.DEFAULT_TEXT_MODEL))
    rng = np.random.default_rng(7)
    for i in range(300):
        g = text.generate(base, text.Params(**params, seed=i))
        store.record(g, 5 if "love" in g.output.lower() else int(rng.integers(1, 4)), "", session="rater")
    cfg = learn.feedback_train_config(max_iters=150, max_minutes=4)
    cfg.threads = 1
    rows = learn.lineage_rows(store.rated("text"), base.name)
    last = list(learn.learn_from_feedback(base, rows, cfg=cfg, out_dir=tmp_path / "tuned"))[-1]
    assert last["done"] and (tmp_path / "tuned" / "model.safetensors").exists()
    tuned = text.load(str(tmp_path / "tuned"))
    share = {name: np.mean(["love" in text.generate(tm, text.Params(**params, seed=50_000 + i)).output.lower()
                            for i in range(200)]) for name, tm in (("base", base), ("tuned", tuned))}
    report(f"bundled text model fine-tuned on its liked outputs ({last['card']['data']}; "
           f"{last['steps'] if 'steps' in last else last['card']['steps']} steps)", share["base"], share["tuned"], 300)
    assert share["tuned"] > share["base"] + 0.1
