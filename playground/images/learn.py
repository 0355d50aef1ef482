"""Training steps for the GAN and the VAE, shared by ``python -m playground.train`` and the tab.

A trainer owns its models, optimisers and a private ``torch.Generator`` (batches, noise), so an
in-app run never touches the global RNG that other users' requests might rely on.

    t = GANTrainer(GANConfig(), data.load("train"), seed=0)
    for _ in range(100):
        losses = t.epoch()          # {"d_loss": ..., "g_loss": ...}
    t.model.save_pretrained("assets/models/gan-digits")   # the EMA generator
"""
from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from typing import Iterator

import torch
import torch.nn.functional as F

from playground.images.data import DigitsSplit
from playground.images.gan import Discriminator, GANConfig, Generator
from playground.images.vae import VAE, VAEConfig


def _seeded_init(seed: int, build):
    """Build modules with seeded weights without disturbing the global RNG for anyone else."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


class _Trainer:
    """Shuffled minibatches from a private generator; subclasses define ``step``."""

    def __init__(self, data: DigitsSplit, seed: int, batch_size: int):
        if len(data.y) < batch_size:
            raise ValueError(f"Need at least {batch_size} training images for one batch.")
        self.data, self.batch_size = data, batch_size
        self.gen = torch.Generator().manual_seed(seed)
        self.steps = 0
        self.schedulers: list[torch.optim.lr_scheduler.LRScheduler] = []

    @property
    def steps_per_epoch(self) -> int:
        return len(self.data.y) // self.batch_size

    def decay_lr(self, total_steps: int, start: float = 0.5) -> None:
        """Keep the learning rate until ``start`` of ``total_steps``, then decay it linearly to 0
        (a settled generator draws cleaner digits than one still chasing the discriminator)."""
        begin = int(start * total_steps)
        factor = lambda step: 1.0 if step < begin else max(0.0, (total_steps - step) / max(1, total_steps - begin))  # noqa: E731
        self.schedulers = [torch.optim.lr_scheduler.LambdaLR(o, factor) for o in self.optimizers()]

    def optimizers(self) -> list[torch.optim.Optimizer]:
        raise NotImplementedError

    def _advance(self) -> None:
        self.steps += 1
        for s in self.schedulers:
            s.step()

    def batches(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        perm = torch.randperm(len(self.data.y), generator=self.gen)
        for i in range(0, len(perm) - self.batch_size + 1, self.batch_size):  # drop the ragged end
            idx = perm[i:i + self.batch_size]
            yield self.data.x[idx], self.data.y[idx]

    def step(self, x: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
        raise NotImplementedError

    def epoch(self) -> dict[str, float]:
        """One pass over the data; returns the mean of each loss."""
        sums: dict[str, float] = {}
        n = 0
        for x, y in self.batches():
            for k, v in self.step(x, y).items():
                sums[k] = sums.get(k, 0.0) + v
            n += 1
        return {k: v / max(n, 1) for k, v in sums.items()}


class GANTrainer(_Trainer):
    """Non-saturating GAN loss, Adam, and an exponential moving average of the generator.

    With ``config.aux_classes`` (unconditional GANs only) the discriminator also learns to name
    the digit of *real* images, and the generator gets ``aux_weight`` x (mean entropy of that
    head on its samples - entropy of their average): each sample should look like one clear
    digit, and all digits should come out equally often (CatGAN, Springenberg 2015)."""

    def __init__(self, config: GANConfig, data: DigitsSplit, *, seed: int = 0, batch_size: int = 64,
                 lr: float = 2e-4, ema: float = 0.999, aux_weight: float = 0.5, info_weight: float = 1.0):
        super().__init__(data, seed, batch_size)
        self.G, self.D = _seeded_init(seed, lambda: (Generator(config), Discriminator(config)))
        self.model = copy.deepcopy(self.G).eval().requires_grad_(False)  # EMA: what gets saved
        self.ema = ema
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=lr, betas=(0.5, 0.999))
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=lr, betas=(0.5, 0.999))
        self.conditional = config.n_classes > 0
        self.aux = bool(config.aux_classes) and not self.conditional
        self.aux_weight = aux_weight
        self.codes = config.n_codes > 0  # the generator refuses codes when conditional
        self.info_weight = info_weight

    def optimizers(self) -> list[torch.optim.Optimizer]:
        return [self.opt_g, self.opt_d]

    def step(self, x: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
        b = len(x)
        yc = y if self.conditional else None
        z = torch.randn(b, self.G.z_dim, generator=self.gen)
        codes = self.G.code(z) if self.codes else None
        fake = self.G(z, yc)
        extra: dict[str, float] = {}

        real_logit, real_h = self.D.logit_and_features(x, yc)
        fake_logit, fake_h = self.D.logit_and_features(fake.detach(), yc)
        d_loss = F.softplus(-real_logit).mean() + F.softplus(fake_logit).mean()
        heads = 0.0
        if self.aux:  # learn to name real digits
            cls_loss = F.cross_entropy(self.D.aux(real_h), y)
            extra["d_cls"] = cls_loss.item()
            heads = heads + cls_loss
        if self.codes:  # learn which code drew each fake
            q_loss = F.cross_entropy(self.D.q(fake_h), codes)
            extra["d_info"] = q_loss.item()
            heads = heads + self.info_weight * q_loss
        self.opt_d.zero_grad(set_to_none=True)
        (d_loss + heads).backward()
        self.opt_d.step()

        fake_logit, fake_h = self.D.logit_and_features(fake, yc)
        g_loss = total = F.softplus(-fake_logit).mean()
        if self.aux:
            p = self.D.aux(fake_h).softmax(1)
            each = -(p * p.clamp_min(1e-8).log()).sum(1).mean()  # low: every sample one clear digit
            avg = p.mean(0)
            spread = -(avg * avg.clamp_min(1e-8).log()).sum()  # high: all digits equally often
            extra.update(g_entropy=each.item(), g_spread=spread.item())
            total = total + self.aux_weight * (each - spread)
        if self.codes:  # each code should be recognisable from the image (mutual information)
            info = F.cross_entropy(self.D.q(fake_h), codes)
            extra["g_info"] = info.item()
            total = total + self.info_weight * info
        self.opt_g.zero_grad(set_to_none=True)
        total.backward()
        self.opt_g.step()

        decay = min(self.ema, (1 + self.steps) / (10 + self.steps))  # short warm-up for the average
        with torch.no_grad():
            for pe, p in zip(self.model.parameters(), self.G.parameters()):
                pe.lerp_(p, 1 - decay)
        self._advance()
        return {"d_loss": d_loss.item(), "g_loss": g_loss.item(), **extra}


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

    def step(self, x: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
        self.model.train()
        rec, kl = self.model.elbo(x, y if self.conditional else None, generator=self.gen)
        loss = (kl - rec).mean()
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        self.model.eval()
        self._advance()
        return {"neg_elbo": loss.item(), "recon": -rec.mean().item(), "kl": kl.mean().item()}


@dataclass
class Snapshot:
    """One frame of an in-app training run: where it is, what it draws, how the losses went."""

    step: int
    seconds: float
    grid: torch.Tensor  # (16, 1, 8, 8) samples of fixed noise
    history: list[dict[str, float]]  # mean losses per reported interval


MAX_WATCH_SECONDS = 120


def watch(kind: str, seconds: float = 30, seed: int = 0, every: float = 1.0,
          data: DigitsSplit | None = None) -> Iterator[Snapshot]:
    """Train a fresh ``"gan"`` or ``"vae"`` for ``seconds`` and yield a snapshot about every
    ``every`` seconds (and once at the end): for the tab's "watch it learn"."""
    if kind not in ("gan", "vae"):
        raise ValueError("Choose 'gan' or 'vae' to watch learning.")
    if not 1 <= seconds <= MAX_WATCH_SECONDS:
        raise ValueError(f"A classroom run lasts 1 to {MAX_WATCH_SECONDS} seconds.")
    from playground.images import data as digits

    data = data or digits.load("train")
    trainer = GANTrainer(GANConfig(), data, seed=seed) if kind == "gan" else VAETrainer(VAEConfig(), data, seed=seed)
    fixed = torch.randn(16, trainer.model.z_dim, generator=torch.Generator().manual_seed(seed))
    history: list[dict[str, float]] = []
    sums: dict[str, float] = {}
    n = 0
    t0 = last = time.monotonic()

    def snap() -> Snapshot:
        with torch.inference_mode():
            grid = (trainer.G if kind == "gan" else trainer.model).eval().decode(fixed)
        return Snapshot(trainer.steps, time.monotonic() - t0, grid, list(history))

    yield snap()
    while True:
        for x, y in trainer.batches():
            for k, v in trainer.step(x, y).items():
                sums[k] = sums.get(k, 0.0) + v
            n += 1
            now = time.monotonic()
            done = now - t0 >= seconds
            if now - last >= every or done:
                history.append({k: v / n for k, v in sums.items()})
                sums, n, last = {}, 0, now
                yield snap()
            if done:
                return
