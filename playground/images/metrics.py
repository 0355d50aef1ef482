"""How good are the generated digits? Judged by the project's own MNIST judge (``mnist-judge``).

    python -m playground.images.metrics            # the table: real digits vs every image model

For each generator, on 1,000 seeded samples: the share the judge recognises with confidence
>= 0.9, the class histogram (mode collapse shows as empty or crowded classes), the Frechet
distance between the judge's 128-d features of the samples and of the real test split, and for
a conditional model the share that comes out as the asked digit. For a VAE also the test ELBO
in nats per image and bits per dimension (a lower bound on log p(x) under its discretised
logistic pixel model).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from playground.images import data
from playground.images.sampling import latent

CONFIDENCE = 0.9
EVAL_SEED = 1_000_000  # seeds used for the 1,000 evaluation samples (not the app's small seeds)


def judge(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Class probabilities (N, 10) and 128-d judge features of images in [-1, 1]."""
    from playground.images import judge as J

    return J.judge(x)


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


def image_stats(x: torch.Tensor, asked: torch.Tensor | None = None) -> dict:
    """Recognised share, histogram, Frechet distance to the real test digits' judge features."""
    from playground.images import judge as J

    return J.image_stats(x, asked)


@torch.inference_mode()
def test_elbo(vae: torch.nn.Module, draws: int = 10, seed: int = 0) -> dict:
    """Mean test ELBO, reconstruction and KL in nats per image (averaged over ``draws`` noise draws)."""
    te = data.load("test")
    y = te.y if vae.n_classes else None
    gen = torch.Generator().manual_seed(seed)
    recs, kls = zip(*(vae.elbo(te.x, y, generator=gen) for _ in range(draws)))
    rec, kl = torch.stack(recs).mean().item(), torch.stack(kls).mean().item()
    from playground.images.vae import LIKELIHOODS

    return {"elbo_nats": rec - kl, "recon_nats": rec, "kl_nats": kl,
            "bits_per_dim": -(rec - kl) / (te.x[0].numel() * np.log(2)),
            "likelihood": LIKELIHOODS[vae.config.likelihood]}


def evaluate(model: torch.nn.Module, n: int = 1000) -> dict:
    """The quality row of one generator (GAN or VAE; a model with a likelihood adds its test ELBO)."""
    x, y = samples(model, n)
    row = image_stats(x, y)
    if hasattr(model, "elbo"):
        row.update(test_elbo(model))
    return row


def real_rows() -> dict[str, dict]:
    """Reference rows: the judge on real test digits, all real train digits, and 1,000 of them."""
    from playground.images import judge as J

    return J.real_rows()


def format_rows(rows: dict[str, dict]) -> str:
    """A plain-text table of quality rows."""
    head = (f"{'model':<20}{'recognised':>11}{'asked':>8}{'min cls':>9}{'max cls':>9}{'Frechet':>9}"
            f"{'ELBO nats':>11}{'bits/dim':>9}")
    lines = [head, "-" * len(head)]
    for name, r in rows.items():
        asked = f"{r['asked_digit']:.3f}" if r.get("asked_digit") is not None else "-"
        elbo = f"{r['elbo_nats']:.1f}" if "elbo_nats" in r else "-"
        bpd = f"{r['bits_per_dim']:.3f}" if "bits_per_dim" in r else "-"
        lines.append(f"{name:<20}{r['recognised']:>11.3f}{asked:>8}{r['min_class']:>9.3f}"
                     f"{r['max_class']:>9.3f}{r['frechet_test']:>9.2f}{elbo:>11}{bpd:>9}")
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


def save_grids(folder: str | Path, n: int = 64) -> list[Path]:
    """One PNG per image model of ``n`` evaluation samples (the seeds of the table), and one of
    ``n`` real test digits spread over the split, in ``folder`` (``real-test.png``, ``<model>.png``)."""
    from playground.images import catalog, render

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "real-test.png"]
    te = data.load("test")  # sorted by digit: every (1500 / n)-th one shows all ten
    render.grid(te.x[torch.linspace(0, len(te.y) - 1, n).long()]).save(paths[0])
    for info in catalog.models():
        x, _ = samples(catalog.load(info.name).module, n)
        paths.append(folder / f"{info.name}.png")
        render.grid(x).save(paths[-1])
    return paths


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="Quality of the image generators, judged by the MNIST judge.")
    p.add_argument("models", nargs="*", help="model names or folders (default: every image model in assets/models)")
    p.add_argument("--grids", default=None, help="also save a 64-sample grid per model (and real test digits) here")
    args = p.parse_args(argv)
    if args.grids:
        print("\n".join(str(path) for path in save_grids(args.grids)))
    rows = quality_rows(args.models or None)
    print(format_rows(rows))
    for name, r in rows.items():
        print(f"{name} histogram: " + " ".join(f"{v:.3f}" for v in r["histogram"]))


if __name__ == "__main__":
    main()
