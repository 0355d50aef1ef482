"""How good are the generated digits? Judged by the project's digits classifier.

    python -m playground.images.metrics            # the table: real vs GAN vs cGAN vs VAE

For each generator, on 1,000 seeded samples: the share the judge recognises with confidence
>= 0.9, the class histogram (mode collapse shows as empty or crowded classes), the Frechet
distance between the judge's 64-d features of the samples and of the real test split, and for
a conditional model the share that comes out as the asked digit. For a VAE also the test ELBO
in nats per image (a lower bound on log p(x) under its 17-level pixel model).
"""
from __future__ import annotations

import argparse

import numpy as np
import torch

from playground.images import classifier, data
from playground.images.sampling import latent

CONFIDENCE = 0.9
EVAL_SEED = 1_000_000  # seeds used for the 1,000 evaluation samples (not the app's small seeds)


@torch.inference_mode()
def judge(x: torch.Tensor, clf: torch.nn.Module | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Class probabilities (N, 10) and 64-d features (N, 64) of images in [-1, 1]."""
    clf = clf or classifier.load()
    f = clf.features(x)
    return clf.head(f).softmax(1), f


def recognised_share(probs: torch.Tensor, threshold: float = CONFIDENCE) -> float:
    """Share of images whose most likely digit has probability >= threshold."""
    return (probs.max(1).values >= threshold).float().mean().item()


def class_histogram(probs: torch.Tensor) -> list[float]:
    """Share of images the judge assigns to each digit 0..9."""
    return (torch.bincount(probs.argmax(1), minlength=data.N_CLASSES).float() / len(probs)).tolist()


def frechet_distance(a: torch.Tensor, b: torch.Tensor) -> float:
    """Frechet distance between Gaussians fitted to two feature sets (as FID, other features).

    tr sqrt(S1 S2) is computed as the trace of sqrt(S1^1/2 S2 S1^1/2), a symmetric PSD matrix,
    so dead ReLU units (singular covariances) need no fudge. Rounding in the eigenvalues can make
    the formula dip a hair below 0 for (nearly) equal sets; a distance is never negative, so the
    result is clamped at 0."""
    a, b = a.double().numpy(), b.double().numpy()
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    w, v = np.linalg.eigh(s1)
    sq1 = (v * np.sqrt(w.clip(0))) @ v.T
    tr_covmean = np.sqrt(np.linalg.eigvalsh(sq1 @ s2 @ sq1).clip(0)).sum()
    return max(0.0, float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * tr_covmean))


@torch.inference_mode()
def samples(model: torch.nn.Module, n: int = 1000, seed: int = EVAL_SEED) -> tuple[torch.Tensor, torch.Tensor | None]:
    """n seeded samples; a conditional model is asked for each digit equally often."""
    z = latent.noise(seed, model.z_dim, n)
    y = torch.arange(n) % model.n_classes if model.n_classes else None
    return model.decode(z, y), y


def image_stats(x: torch.Tensor, asked: torch.Tensor | None = None,
                reference: torch.Tensor | None = None) -> dict:
    """Recognised share, histogram, Frechet distance to ``reference`` features (default real test)."""
    probs, feats = judge(x)
    if reference is None:
        reference = judge(data.load("test").x)[1]
    hist = class_histogram(probs)
    row = {"n": len(x), "recognised": recognised_share(probs), "histogram": hist,
           "min_class": min(hist), "max_class": max(hist),
           "frechet_test": frechet_distance(feats, reference)}
    if asked is not None:
        row["asked_class"] = (probs.argmax(1) == asked).float().mean().item()
    return row


@torch.inference_mode()
def test_elbo(vae: torch.nn.Module, draws: int = 10, seed: int = 0) -> dict:
    """Mean test ELBO, reconstruction and KL in nats per image (averaged over ``draws`` noise draws)."""
    te = data.load("test")
    y = te.y if vae.n_classes else None
    gen = torch.Generator().manual_seed(seed)
    recs, kls = zip(*(vae.elbo(te.x, y, generator=gen) for _ in range(draws)))
    rec, kl = torch.stack(recs).mean().item(), torch.stack(kls).mean().item()
    return {"elbo_nats": rec - kl, "recon_nats": rec, "kl_nats": kl,
            "bits_per_pixel": -(rec - kl) / (64 * np.log(2))}


def evaluate(model: torch.nn.Module, n: int = 1000) -> dict:
    """The quality row of one generator (GAN or VAE; a model with a likelihood adds its test ELBO)."""
    x, y = samples(model, n)
    row = image_stats(x, y)
    if hasattr(model, "elbo"):
        row.update(test_elbo(model))
    return row


def real_rows() -> dict[str, dict]:
    """Reference rows: the judge on real test digits, and real train vs real test features."""
    tr, te = data.load("train"), data.load("test")
    return {"real test": image_stats(te.x), "real train": image_stats(tr.x)}


def format_rows(rows: dict[str, dict]) -> str:
    """A plain-text table of quality rows."""
    head = f"{'model':<16}{'recognised':>11}{'asked':>8}{'min cls':>9}{'max cls':>9}{'Frechet':>9}{'ELBO nats':>11}"
    lines = [head, "-" * len(head)]
    for name, r in rows.items():
        asked = f"{r['asked_class']:.3f}" if "asked_class" in r else "-"
        elbo = f"{r['elbo_nats']:.1f}" if "elbo_nats" in r else "-"
        lines.append(f"{name:<16}{r['recognised']:>11.3f}{asked:>8}{r['min_class']:>9.3f}"
                     f"{r['max_class']:>9.3f}{r['frechet_test']:>9.2f}{elbo:>11}")
    return "\n".join(lines)


def quality_rows(names: list[str] | None = None) -> dict[str, dict]:
    """Real rows plus one row per model: ``names`` (model names or folders), default every image
    model of ``catalog.models()`` under its tab label."""
    from playground.images import catalog

    rows = real_rows()
    targets = {n: n for n in names} if names else {k: i.name for k, i in catalog.labelled(catalog.models()).items()}
    for label, name in targets.items():
        try:
            rows[label] = evaluate(catalog.load(name).module)
        except ValueError as e:
            print(f"skipping {label}: {e}")
    return rows


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="Quality of the image generators, judged by the digits classifier.")
    p.add_argument("models", nargs="*", help="model names or folders (default: every image model in assets/models)")
    args = p.parse_args(argv)
    rows = quality_rows(args.models or None)
    print(format_rows(rows))
    for name, r in rows.items():
        print(f"{name} histogram: " + " ".join(f"{v:.3f}" for v in r["histogram"]))


if __name__ == "__main__":
    main()
