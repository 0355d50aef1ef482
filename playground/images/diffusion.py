"""A small class-conditional diffusion model for 28x28 digits: a compact UNet, its training
objective and two samplers that return the whole trajectory from noise to digit.

    model = diffusion.load()                                       # assets/models/diffusion-mnist
    traj = diffusion.sample(model, digits=[3], steps=20, guidance=2.0, sampler="ddim", seed=7)
    traj.images                      # (1, 1, 28, 28) in [-1, 1]: the digit
    traj.frames[0].x, traj.frames[0].x0    # pure noise, and the model's first guess of the digit

Forward process (continuous time t in [0, 1]): x_t = alpha_t * x_0 + sigma_t * noise with
alpha_t^2 + sigma_t^2 = 1; the cosine schedule reaches pure noise at t = 1 (alpha = 0). The
network sees x_t, t and the digit (or the "no digit" class, used for 10 % of training
examples) and predicts v = alpha_t * noise - sigma_t * x_0 (or the noise itself), from which
both the clean image x_0 and the noise follow. Sampling walks t from 1 to 0 in ``steps``
steps: DDIM moves deterministically to the next noise level; DDPM also adds fresh noise at
each step (ancestral sampling, DDIM's eta = 1). Classifier-free guidance mixes the
predictions with and without the digit: uncond + guidance * (cond - uncond).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from playground.checkpoint import from_pretrained
from playground.config import MODELS
from playground.contract import SEED_MAX, choice, number, seed as check_seed, whole

DEFAULT_PATH = MODELS / "diffusion-mnist"
MODEL_TYPE = "diffusion"
HINT = ("python -m playground.train diffusion --data ../shared/data/mnist/mnist-10k.npz "
        "--out assets/models/diffusion-mnist")
SAMPLERS = ("ddim", "ddpm")
MAX_STEPS = 250
MAX_GUIDANCE = 10.0
DEFAULT_STEPS = 20
DEFAULT_GUIDANCE = 1.35  # 20 DDIM steps, 1,000 samples: asked digit 99.0 %, Frechet 7.6 (1.5: 99.3-99.6 %, 8.3-9.9; 1.25: 98.0 %, 7.0)
BF16_MIN_BATCH = 16  # below this bfloat16 is no faster than float32 on CPU


@dataclass
class DiffusionConfig:
    """Shape of the UNet and of its diffusion process (saved as the checkpoint's config.json)."""

    channels: list[int] = field(default_factory=lambda: [32, 64])  # per resolution: 14x14, 7x7
    blocks: int = 1  # residual blocks per resolution on the way down (and up)
    attention: bool = True  # one self-attention layer at the lowest resolution (49 positions)
    emb_dim: int = 128  # time + digit embedding
    groups: int = 8  # GroupNorm groups
    patch: int = 2  # 28x28x1 is folded into 14x14x4 first: 4x less work per layer, no detail lost
    image_size: int = 28
    n_classes: int = 10  # the "no digit" class is index n_classes
    prediction: str = "v"  # "v" (alpha * noise - sigma * x0) or "eps" (the noise)
    schedule: str = "cosine"  # "cosine" (pure noise at t = 1) or "linear" (DDPM's betas 1e-4..0.02)


# ---------------------------------------------------------------- the noise schedule

def alpha_sigma(t: torch.Tensor, schedule: str = "cosine") -> tuple[torch.Tensor, torch.Tensor]:
    """Signal and noise scales at times ``t`` in [0, 1] (alpha^2 + sigma^2 = 1)."""
    if schedule == "cosine":
        phi = t * (math.pi / 2)
        return torch.cos(phi).clamp(min=0.0), torch.sin(phi)
    if schedule == "linear":  # DDPM: log alpha_bar(t) = -1000 * (b0 t + (b1 - b0) t^2 / 2)
        alpha_bar = torch.exp(-(0.1 * t + 9.95 * t * t))
        return alpha_bar.sqrt(), (1 - alpha_bar).clamp(min=0.0).sqrt()
    raise ValueError(f"Unknown noise schedule '{schedule}': use cosine or linear.")


def to_x0_eps(pred: torch.Tensor, x: torch.Tensor, a: torch.Tensor, s: torch.Tensor,
              prediction: str) -> tuple[torch.Tensor, torch.Tensor]:
    """The clean image and the noise implied by the network's output ``pred`` at x_t = x."""
    if prediction == "v":
        return a * x - s * pred, s * x + a * pred
    return (x - s * pred) / a.clamp(min=1e-3), pred


# ---------------------------------------------------------------- the network

def time_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Sinusoidal features of t in [0, 1] (as in DDPM, on 1000 * t): (B,) -> (B, dim)."""
    half = dim // 2
    freqs = torch.exp(-math.log(10_000) * torch.arange(half, dtype=torch.float32) / half)
    args = 1000 * t.float()[:, None] * freqs[None]
    return torch.cat([args.sin(), args.cos()], dim=1)


class ResBlock(nn.Module):
    """GroupNorm-SiLU-conv twice; the embedding scales and shifts the middle (FiLM)."""

    def __init__(self, c_in: int, c_out: int, emb_dim: int, groups: int):
        super().__init__()
        self.norm1, self.conv1 = nn.GroupNorm(groups, c_in), nn.Conv2d(c_in, c_out, 3, padding=1)
        self.film = nn.Linear(emb_dim, 2 * c_out)
        self.norm2, self.conv2 = nn.GroupNorm(groups, c_out), nn.Conv2d(c_out, c_out, 3, padding=1)
        self.skip = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()
        nn.init.zeros_(self.conv2.weight)  # each block starts as the identity
        nn.init.zeros_(self.conv2.bias)

    def forward(self, x: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)))
        scale, shift = self.film(emb)[:, :, None, None].chunk(2, dim=1)
        h = self.conv2(F.silu(self.norm2(h) * (1 + scale) + shift))
        return self.skip(x) + h


class Attention(nn.Module):
    """One multi-head self-attention layer over the positions of a small feature map."""

    def __init__(self, c: int, groups: int, heads: int = 4):
        super().__init__()
        self.norm, self.heads = nn.GroupNorm(groups, c), heads
        self.qkv, self.out = nn.Conv2d(c, 3 * c, 1), nn.Conv2d(c, c, 1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(b, 3, self.heads, c // self.heads, h * w).transpose(-1, -2).unbind(1)
        y = F.scaled_dot_product_attention(q, k, v)  # (B, heads, HW, C / heads)
        return x + self.out(y.transpose(-1, -2).reshape(b, c, h, w))


class UNet(nn.Module):
    """(x_t (B, 1, 28, 28), t (B,), digit (B,) with n_classes = none) -> v or noise (B, 1, 28, 28)."""

    def __init__(self, config: DiffusionConfig):
        super().__init__()
        self.config = cfg = config
        ch, e, g, p2 = list(cfg.channels), cfg.emb_dim, cfg.groups, cfg.patch ** 2
        self.time = nn.Sequential(nn.Linear(e, e), nn.SiLU(), nn.Linear(e, e))
        self.label = nn.Embedding(cfg.n_classes + 1, e)
        self.inp = nn.Conv2d(p2, ch[0], 3, padding=1)
        self.down = nn.ModuleList()
        self.downsample = nn.ModuleList()
        for i, c in enumerate(ch):
            self.down.append(nn.ModuleList(ResBlock(c, c, e, g) for _ in range(cfg.blocks)))
            if i + 1 < len(ch):
                self.downsample.append(nn.Conv2d(c, ch[i + 1], 3, stride=2, padding=1))
        self.mid = ResBlock(ch[-1], ch[-1], e, g)
        self.attn = Attention(ch[-1], g) if cfg.attention else nn.Identity()
        self.up = nn.ModuleList()
        self.upsample = nn.ModuleList()
        for i, c in reversed(list(enumerate(ch))):
            self.up.append(nn.ModuleList(ResBlock(2 * c, c, e, g) for _ in range(cfg.blocks)))
            if i > 0:
                self.upsample.append(nn.Conv2d(c, ch[i - 1], 3, padding=1))
        self.out = nn.Sequential(nn.GroupNorm(g, ch[0]), nn.SiLU(), nn.Conv2d(ch[0], p2, 3, padding=1))
        nn.init.zeros_(self.out[-1].weight)
        nn.init.zeros_(self.out[-1].bias)

    def embed(self, t: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """The (B, emb_dim) conditioning of noise level ``t`` and digit ``y``."""
        return F.silu(self.time(time_embedding(t, self.config.emb_dim)) + self.label(y))

    def forward(self, x: torch.Tensor, t: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        emb = self.embed(t, y)
        h = self.inp(F.pixel_unshuffle(x, self.config.patch))  # (B, C0, 14, 14)
        skips = []
        for i, blocks in enumerate(self.down):
            for block in blocks:
                h = block(h, emb)
                skips.append(h)
            if i < len(self.downsample):
                h = self.downsample[i](h)
        h = self.attn(self.mid(h, emb))
        for i, blocks in enumerate(self.up):
            for block in blocks:
                h = block(torch.cat([h, skips.pop()], dim=1), emb)
            if i < len(self.upsample):
                h = self.upsample[i](F.interpolate(h, size=skips[-1].shape[-2:], mode="nearest"))
        return F.pixel_shuffle(self.out(h), self.config.patch)


# ---------------------------------------------------------------- training objective

def loss(model: UNet, x0: torch.Tensor, y: torch.Tensor, generator: torch.Generator,
         label_dropout: float = 0.1) -> torch.Tensor:
    """Mean squared error of the predicted v (or noise) at random noise levels; a share
    ``label_dropout`` of the digits is replaced by "no digit" so that guidance has an
    unconditional model to push away from."""
    cfg, b = model.config, len(x0)
    t = (torch.rand(1, generator=generator) + torch.arange(b) / b) % 1.0  # stratified over [0, 1)
    noise = torch.randn(x0.shape, generator=generator)
    a, s = (v.view(b, 1, 1, 1) for v in alpha_sigma(t, cfg.schedule))
    drop = torch.rand(b, generator=generator) < label_dropout
    y = torch.where(drop, torch.full_like(y, cfg.n_classes), y)
    target = a * noise - s * x0 if cfg.prediction == "v" else noise
    return F.mse_loss(model(a * x0 + s * noise, t, y), target)


# ---------------------------------------------------------------- sampling

@dataclass
class Frame:
    """One point of a trajectory: the noisy image x_t and the model's guess of the clean one there."""

    step: int  # 0 = pure noise ... steps = the finished digit
    t: float  # noise level, 1 -> 0
    x: torch.Tensor  # (B, 1, 28, 28) x_t in about [-3, 3] at t = 1, [-1, 1] at t = 0
    x0: torch.Tensor  # (B, 1, 28, 28) the guess of the clean image, clipped to [-1, 1]


@dataclass
class Trajectory:
    """What ``sample`` returns: the digits and the frames asked for, from noise to clean."""

    images: torch.Tensor  # (B, 1, 28, 28) in [-1, 1]
    frames: list[Frame]
    steps: int
    sampler: str
    guidance: float
    seed: int
    digits: list[int | None]


def check_args(steps: object, guidance: object, sampler: object, seed: object) -> tuple[int, float, str, int]:
    """The sampling settings validated and converted (ValueError with a plain sentence)."""
    return (whole(steps, "number of steps", 1, MAX_STEPS), number(guidance, "guidance scale", 0, MAX_GUIDANCE),
            choice(sampler, "sampler", SAMPLERS), check_seed(seed))


def check_digits(digits: Sequence[object] | None, n_classes: int = 10) -> list[int | None]:
    """Each entry a digit 0..n_classes-1, or None for "any digit" (the unconditional model)."""
    if digits is None or isinstance(digits, (str, bytes)) or not len(digits):
        raise ValueError("Ask for at least one image (a digit 0-9, or None for any digit).")
    return [None if d is None else whole(d, "digit", 0, n_classes - 1) for d in digits]


def check_noise(noise: torch.Tensor, shape: torch.Size) -> torch.Tensor:
    """Starting noise given by the caller: one finite (1, 28, 28) image per digit asked for."""
    noise = torch.as_tensor(noise, dtype=torch.float32)
    if noise.shape != shape or not torch.isfinite(noise).all():
        raise ValueError(f"The starting noise must be {shape[0]} finite 28x28 images, one per digit.")
    return noise.clone()


def slerp(a: torch.Tensor, b: torch.Tensor, w: float) -> torch.Tensor:
    """Spherical interpolation between two noise images (keeps the noise's typical length)."""
    fa, fb = a.flatten(), b.flatten()
    omega = torch.arccos((fa @ fb / (fa.norm() * fb.norm())).clamp(-1, 1))
    if omega.abs() < 1e-6:
        return (1 - w) * a + w * b
    return (torch.sin((1 - w) * omega) * a + torch.sin(w * omega) * b) / torch.sin(omega)


def frame_steps(steps: int, frames: int | Sequence[int]) -> list[int]:
    """Which steps to record: ``frames`` evenly spaced from noise (0) to the digit (``steps``), or a list."""
    if isinstance(frames, int):
        n = whole(frames, "number of frames", 0, steps + 1)
        return sorted({round(i * steps / (n - 1)) for i in range(n)}) if n > 1 else [steps] * n
    return sorted({whole(f, "frame step", 0, steps) for f in frames})


def start_noise(seed: int, n: int, size: int, seeds: Sequence[int] | None = None
                ) -> tuple[torch.Tensor, list[torch.Generator]]:
    """Image i's starting noise comes from its own Generator seeded ``seed + i`` (or ``seeds[i]``),
    so a grid's first image is the single image of the same seed; DDPM's fresh noise for image i
    comes from the same Generator."""
    seeds = [(seed + i) % (SEED_MAX + 1) for i in range(n)] if seeds is None else [int(s) for s in seeds]
    gens = [torch.Generator().manual_seed(s) for s in seeds]
    return torch.stack([torch.randn(1, size, size, generator=g) for g in gens]), gens


@lru_cache(maxsize=1)
def bf16_native() -> bool:
    """Whether this CPU computes in bfloat16 natively (AVX-512 BF16 or AMX): then the network
    runs about 1.8x faster in it, for output differences of about 1 % of a pixel's range."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return " avx512_bf16" in flags or " amx_bf16" in flags


def guided(model: UNet, x: torch.Tensor, t: float, y: torch.Tensor, conditional: torch.Tensor,
           guidance: float, bf16: bool = False) -> torch.Tensor:
    """The network's output with classifier-free guidance: uncond + guidance * (cond - uncond).

    Images asked for no digit (``conditional`` False) and guidance 1 need one pass, guidance 0
    only the unconditional one; otherwise both run as one batch."""
    null = torch.full_like(y, model.config.n_classes)
    tt = torch.full((len(x),), t)
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        if guidance == 1.0 or guidance == 0.0:
            return model(x, tt, y if guidance else null).float()
        both = model(torch.cat([x, x]), torch.cat([tt, tt]), torch.cat([y, null])).float()
    cond, uncond = both.chunk(2)
    return torch.where(conditional[:, None, None, None], uncond + guidance * (cond - uncond), uncond)


def update(x: torch.Tensor, x0: torch.Tensor, t: float, s: float, schedule: str, eta: float,
           gens: list[torch.Generator]) -> torch.Tensor:
    """Move x_t to noise level s < t given the clean-image guess x0 (DDIM; ``eta`` 1 = DDPM)."""
    (a_t, s_t), (a_s, s_s) = (alpha_sigma(torch.tensor(v, dtype=torch.float64), schedule) for v in (t, s))
    eps = (x - a_t.float() * x0) / s_t.float()
    c = eta * torch.sqrt((s_s / s_t) ** 2 * (1 - (a_t / a_s) ** 2)).item() if eta and s > 0 else 0.0
    x = a_s.float() * x0 + math.sqrt(max(s_s.item() ** 2 - c * c, 0.0)) * eps
    if c:
        x = x + c * torch.stack([torch.randn(x.shape[1:], generator=g) for g in gens])
    return x


@torch.inference_mode()
def sample(model: UNet, digits: Sequence[int | None], steps: int = DEFAULT_STEPS,
           guidance: float = DEFAULT_GUIDANCE, sampler: str = "ddim", seed: int = 0,
           frames: int | Sequence[int] = 0, bf16: bool | None = None,
           noise: torch.Tensor | None = None, seeds: Sequence[int] | None = None) -> Trajectory:
    """Draw one image per entry of ``digits`` (None: any digit), walking t from 1 to 0 in ``steps``.

    ``frames``: how many evenly spaced frames of the trajectory to keep (or which steps);
    ``bf16``: run the network in bfloat16 (default: for 16 images or more where the CPU does it
    natively; small batches are faster in float32); ``noise``: the starting images (B, 1, 28, 28)
    instead of the seed's (DDIM maps nearby noise to similar digits: interpolation, "more like
    this"); ``seeds``: one seed per image for its own Generator (starting noise, DDPM's fresh
    noise) instead of seed, seed + 1, ... The same inputs give the same images."""
    steps, guidance, sampler, seed = check_args(steps, guidance, sampler, seed)
    cfg = model.config
    digits = check_digits(digits, cfg.n_classes)
    bf16 = bf16_native() and len(digits) >= BF16_MIN_BATCH if bf16 is None else bool(bf16)
    keep = set(frame_steps(steps, frames))
    conditional = torch.tensor([d is not None for d in digits])
    y = torch.tensor([cfg.n_classes if d is None else d for d in digits])
    if seeds is not None and len(seeds) != len(digits):
        raise ValueError("Give one seed per image.")
    x, gens = start_noise(seed, len(digits), cfg.image_size, seeds)
    if noise is not None:
        x = check_noise(noise, x.shape)
    ts = torch.linspace(1.0, 0.0, steps + 1, dtype=torch.float64).tolist()
    out = []
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):  # one context: weights cast once, not per step
        for i in range(steps):
            a, s = alpha_sigma(torch.tensor(ts[i]), cfg.schedule)
            pred = guided(model, x, ts[i], y, conditional, guidance if conditional.any() else 0.0, bf16)
            x0 = to_x0_eps(pred, x, a, s, cfg.prediction)[0].clamp(-1, 1)
            if i in keep:
                out.append(Frame(i, ts[i], x.clone(), x0))
            x = update(x, x0, ts[i], ts[i + 1], cfg.schedule, 1.0 if sampler == "ddpm" else 0.0, gens)
    x = x.clamp(-1, 1)
    if steps in keep:
        out.append(Frame(steps, 0.0, x, x))
    return Trajectory(x, out, steps, sampler, guidance, seed, digits)


@lru_cache(maxsize=4)
def load(path: str = str(DEFAULT_PATH)) -> UNet:
    """The trained model (cached per process); ValueError if missing or unreadable."""
    return from_pretrained(UNet, DiffusionConfig, path, HINT)
