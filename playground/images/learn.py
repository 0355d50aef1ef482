"""Training steps for the GAN and the VAE, run by the one training loop (``playground.train.loop``)
from ``python -m playground.train gan|vae`` and from the tab's "watch it learn".

A trainer owns its models, optimisers and a private ``torch.Generator`` (batches, noise), so an
in-app run never touches the global RNG that other users' requests might rely on.

    t = GANTrainer(GANConfig(), data.load("train"), seed=0)
    for ev in loop.train(t.step, t.optimizers(), LoopConfig(max_steps=100 * t.steps_per_epoch)): ...
    catalog.save(t.model, "assets/models/gan-digits")   # the EMA generator
"""
from __future__ import annotations

import contextlib
import copy
import threading
from dataclasses import dataclass
from typing import Iterator

import torch
import torch.nn.functional as F

from playground.images.data import DigitsSplit, minibatches
from playground.images.gan import Discriminator, GANConfig, Generator
from playground.images.vae import VAE, VAEConfig
from playground.train.loop import LoopConfig, train


def _seeded_init(seed: int, build):
    """Build modules with seeded weights without disturbing the global RNG for anyone else."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


class _Trainer:
    """Shuffled minibatches from a private generator; ``step()`` trains on the next one.

    Subclasses set ``model`` (what gets saved and what "watch it learn" draws with) and define
    ``update(x, y)`` and ``optimizers()``."""

    model: torch.nn.Module

    def __init__(self, data: DigitsSplit, seed: int, batch_size: int):
        if len(data.y) < batch_size:
            raise ValueError(f"Need at least {batch_size} training images for one batch.")
        self.data, self.batch_size = data, batch_size
        self.gen = torch.Generator().manual_seed(seed)
        self.steps = 0
        self._stream = minibatches(data, batch_size, self.gen)

    @property
    def steps_per_epoch(self) -> int:
        return len(self.data.y) // self.batch_size

    def optimizers(self) -> list[torch.optim.Optimizer]:
        raise NotImplementedError

    def update(self, x: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
        raise NotImplementedError

    def step(self) -> dict[str, float]:
        """One optimisation step on the next minibatch; its losses."""
        losses = self.update(*next(self._stream))
        self.steps += 1
        return losses


class GANTrainer(_Trainer):
    """Non-saturating GAN loss, Adam, and an exponential moving average of the generator.

    With ``config.aux_classes`` the discriminator also learns to name the digit of *real* images.
    An unconditional generator then gets ``aux_weight`` x (mean entropy of that head on its
    samples - entropy of their average): each sample should look like one clear digit, and all
    digits should come out equally often (CatGAN, Springenberg 2015). A conditional one gets
    ``aux_weight`` x the head's cross-entropy with the digit it was asked for (AC-GAN)."""

    def __init__(self, config: GANConfig, data: DigitsSplit, *, seed: int = 0, batch_size: int = 64,
                 lr: float = 2e-4, ema: float = 0.999, aux_weight: float = 0.5, info_weight: float = 1.0):
        super().__init__(data, seed, batch_size)
        self.G, self.D = _seeded_init(seed, lambda: (Generator(config), Discriminator(config)))
        self.model = copy.deepcopy(self.G).eval().requires_grad_(False)  # EMA: what gets saved
        self.ema = ema
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=lr, betas=(0.5, 0.999))
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=lr, betas=(0.5, 0.999))
        self.conditional = config.n_classes > 0
        self.aux = bool(config.aux_classes)
        self.aux_weight = aux_weight
        self.codes = config.n_codes > 0  # the generator refuses codes when conditional
        self.info_weight = info_weight

    def optimizers(self) -> list[torch.optim.Optimizer]:
        return [self.opt_g, self.opt_d]

    def update(self, x: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
        yc = y if self.conditional else None
        z = torch.randn(len(x), self.G.z_dim, generator=self.gen)
        codes = self.G.code(z) if self.codes else None
        fake = self.G(z, yc)
        losses = self._update_d(x, y, fake.detach(), codes)
        losses.update(self._update_g(fake, yc, codes))
        decay = min(self.ema, (1 + self.steps) / (10 + self.steps))  # short warm-up for the average
        with torch.no_grad():
            for pe, p in zip(self.model.parameters(), self.G.parameters()):
                pe.lerp_(p, 1 - decay)
        return losses

    def _update_d(self, x: torch.Tensor, y: torch.Tensor, fake: torch.Tensor,
                  codes: torch.Tensor | None) -> dict[str, float]:
        yc = y if self.conditional else None
        real_logit, real_h = self.D.logit_and_features(x, yc)
        fake_logit, fake_h = self.D.logit_and_features(fake, yc)
        d_loss = F.softplus(-real_logit).mean() + F.softplus(fake_logit).mean()
        out, heads = {"d_loss": d_loss.item()}, 0.0
        if self.aux:  # learn to name real digits
            cls_loss = F.cross_entropy(self.D.aux(real_h), y)
            out["d_cls"], heads = cls_loss.item(), heads + cls_loss
        if self.codes:  # learn which code drew each fake
            q_loss = F.cross_entropy(self.D.q(fake_h), codes)
            out["d_info"], heads = q_loss.item(), heads + self.info_weight * q_loss
        self.opt_d.zero_grad(set_to_none=True)
        (d_loss + heads).backward()
        self.opt_d.step()
        return out

    def _update_g(self, fake: torch.Tensor, yc: torch.Tensor | None,
                  codes: torch.Tensor | None) -> dict[str, float]:
        fake_logit, fake_h = self.D.logit_and_features(fake, yc)
        g_loss = total = F.softplus(-fake_logit).mean()
        out = {"g_loss": g_loss.item()}
        if self.aux and yc is not None:  # AC-GAN: the asked digit, recognisable
            named = F.cross_entropy(self.D.aux(fake_h), yc)
            out["g_named"] = named.item()
            total = total + self.aux_weight * named
        elif self.aux:
            p = self.D.aux(fake_h).softmax(1)
            each = -(p * p.clamp_min(1e-8).log()).sum(1).mean()  # low: every sample one clear digit
            avg = p.mean(0)
            spread = -(avg * avg.clamp_min(1e-8).log()).sum()  # high: all digits equally often
            out.update(g_entropy=each.item(), g_spread=spread.item())
            total = total + self.aux_weight * (each - spread)
        if self.codes:  # each code should be recognisable from the image (mutual information)
            info = F.cross_entropy(self.D.q(fake_h), codes)
            out["g_info"] = info.item()
            total = total + self.info_weight * info
        self.opt_g.zero_grad(set_to_none=True)
        total.backward()
        self.opt_g.step()
        return out


class VAETrainer(_Trainer):
    """Minimise the negative ELBO (nats per image) with Adam."""

    def __init__(self, config: VAEConfig, data: DigitsSplit, *, seed: int = 0, batch_size: int = 64,
                 lr: float = 1e-3):
        super().__init__(data, seed, batch_size)
        self.model = _seeded_init(seed, lambda: VAE(config))
        self.opt = torch.optim.Adam(self.model.parameters(), lr=lr)
        self.conditional = config.n_classes > 0

    def optimizers(self) -> list[torch.optim.Optimizer]:
        return [self.opt]

    def update(self, x: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
        self.model.train()
        rec, kl = self.model.elbo(x, y if self.conditional else None, generator=self.gen)
        loss = (kl - rec).mean()
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        self.model.eval()
        return {"neg_elbo": loss.item(), "recon": -rec.mean().item(), "kl": kl.mean().item()}


TRAINERS = {"gan": (GANTrainer, GANConfig), "vae": (VAETrainer, VAEConfig)}
# "watch it learn" trains small, quick versions: measured with two other trainings sharing the 2 cores,
# the judge recognised 60-65 % of GAN samples after 30-60 s and 53 % of VAE samples after 90 s
# (python -m playground.images.benchmark --watch repeats it); the bundled models are larger and trained longer
WATCH = {
    "gan": (GANTrainer, GANConfig(g_ch=32, d_ch=16, aux_classes=10), {"lr": 1e-3, "ema": 0.98, "aux_weight": 2.0}),
    "vae": (VAETrainer, VAEConfig(ch=16), {"lr": 3e-3}),
}


@dataclass
class Snapshot:
    """One frame of an in-app training run: where it is, what it draws, how the losses went."""

    step: int
    seconds: float
    grid: torch.Tensor  # (16, 1, 28, 28) samples of fixed noise
    history: list[dict[str, float]]  # smoothed losses at each snapshot
    recognised: float | None = None  # share of the grid the MNIST judge recognises (None: no judge)


def _recognised(x: torch.Tensor) -> float | None:
    """The share of ``x`` the bundled MNIST judge recognises with confidence >= 0.9 (None without it)."""
    from playground.images import judge, metrics

    try:
        probs, _ = judge.judge(x)
    except ValueError:  # the judge's checkpoint is missing: the run still shows its pictures
        return None
    return metrics.recognised_share(probs)


MAX_WATCH_SECONDS = 120
JUDGE_AFTER_S = 10  # the judge calls an untrained model's identical blobs confidently one digit: not shown before
BUSY = ("Another model is training in this app right now (one at a time, so the machine stays quick for "
        "everyone): wait until it finishes, or press its Stop.")
_training = threading.Lock()  # one "watch it learn" run per process


@contextlib.contextmanager
def one_training() -> Iterator[None]:
    """Hold the app's one training slot (watch it learn, Diffusion-DPO); ValueError(BUSY) if taken."""
    if not _training.acquire(blocking=False):
        raise ValueError(BUSY)
    try:
        yield
    finally:
        _training.release()


def watch(kind: str, seconds: float = 30, seed: int = 0, every: float = 1.0,
          data: DigitsSplit | None = None, stop: threading.Event | None = None) -> Iterator[Snapshot]:
    """Train a fresh ``"gan"`` or ``"vae"`` for ``seconds`` on the training loop and yield a
    snapshot about every ``every`` seconds (and once at the end): the tab's "watch it learn".
    ``stop`` (or closing the generator, as Gradio's Stop does) ends it early."""
    if kind not in TRAINERS:
        raise ValueError("Choose 'gan' or 'vae' to watch learning.")
    if not 1 <= seconds <= MAX_WATCH_SECONDS:
        raise ValueError(f"A classroom run lasts 1 to {MAX_WATCH_SECONDS} seconds.")
    from playground.images import data as digits

    with one_training():
        yield from _watch(kind, seconds, seed, every, data or digits.load("train"), stop)


def _watch(kind: str, seconds: float, seed: int, every: float, data: DigitsSplit,
           stop: threading.Event | None) -> Iterator[Snapshot]:
    trainer_cls, config, options = WATCH[kind]
    trainer = trainer_cls(config, data, seed=seed, **options)
    fixed = torch.randn(16, trainer.model.z_dim, generator=torch.Generator().manual_seed(seed))

    def snap(step: int, seconds: float, history: list[dict[str, float]]) -> Snapshot:
        with torch.inference_mode():
            grid = trainer.model.eval().decode(fixed)
        return Snapshot(step, seconds, grid, list(history), _recognised(grid))

    yield snap(0, 0.0, [])
    cfg = LoopConfig(max_steps=10**12, max_minutes=seconds / 60, schedule="constant", log_interval=1,
                     keep_best=False)
    history: list[dict[str, float]] = []
    last = 0.0
    for ev in train(trainer.step, trainer.optimizers(), cfg, stop=stop):
        if ev.get("done") or ev["elapsed_s"] - last >= every:
            last = ev["elapsed_s"]
            if ev["losses"]:
                history.append(ev["losses"])
            yield snap(ev["step"], ev["elapsed_s"], history)
