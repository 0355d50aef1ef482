"""Training steps for the GAN and the VAE, run by the one training loop (``playground.train.loop``)
from ``python -m playground.train gan|vae`` and from the tab's "watch it learn".

A trainer owns its models, optimisers and a private ``torch.Generator`` (batches, noise), so an
in-app run never touches the global RNG that other users' requests might rely on.

    t = GANTrainer(GANConfig(), data.load("train"), seed=0)
    for ev in loop.train(t.step, t.optimizers(), LoopConfig(max_steps=100 * t.steps_per_epoch)): ...
    catalog.save(t.model, "assets/models/gan-digits")   # the EMA generator
"""
from __future__ import annotations

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

    Subclasses set ``model`` (what gets saved), ``preview`` (what "watch it learn" draws with)
    and define ``update(x, y)`` and ``optimizers()``."""

    model: torch.nn.Module
    preview: torch.nn.Module

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

    With ``config.aux_classes`` (unconditional GANs only) the discriminator also learns to name
    the digit of *real* images, and the generator gets ``aux_weight`` x (mean entropy of that
    head on its samples - entropy of their average): each sample should look like one clear
    digit, and all digits should come out equally often (CatGAN, Springenberg 2015)."""

    def __init__(self, config: GANConfig, data: DigitsSplit, *, seed: int = 0, batch_size: int = 64,
                 lr: float = 2e-4, ema: float = 0.999, aux_weight: float = 0.5, info_weight: float = 1.0):
        super().__init__(data, seed, batch_size)
        self.G, self.D = _seeded_init(seed, lambda: (Generator(config), Discriminator(config)))
        self.model = copy.deepcopy(self.G).eval().requires_grad_(False)  # EMA: what gets saved
        self.preview = self.G
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
        if self.aux:
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
        self.model = self.preview = _seeded_init(seed, lambda: VAE(config))
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


@dataclass
class Snapshot:
    """One frame of an in-app training run: where it is, what it draws, how the losses went."""

    step: int
    seconds: float
    grid: torch.Tensor  # (16, 1, 8, 8) samples of fixed noise
    history: list[dict[str, float]]  # smoothed losses at each snapshot


MAX_WATCH_SECONDS = 120


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

    trainer_cls, config_cls = TRAINERS[kind]
    trainer = trainer_cls(config_cls(), data or digits.load("train"), seed=seed)
    fixed = torch.randn(16, trainer.model.z_dim, generator=torch.Generator().manual_seed(seed))

    def snap(step: int, seconds: float, history: list[dict[str, float]]) -> Snapshot:
        with torch.inference_mode():
            return Snapshot(step, seconds, trainer.preview.eval().decode(fixed), list(history))

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
