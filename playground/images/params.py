"""What a user can ask the image models for, validated and converted in one place.

    Params(seed="3", n=64.0, label="any", amounts="1.5, 0, -2", like=1, smooth="true")
    # -> Params(seed=3, n=64, label=None, amounts=[1.5, 0.0, -2.0], like=1.0, smooth=True, ...)
    Params(sampling_steps="50", guidance=2, sampler="DDPM")   # the diffusion model's settings

The diffusion settings (``sampling_steps``, ``guidance``, ``sampler``) have defaults and are
ignored by the GAN and the VAE.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from playground.contract import ParamsMixin, choice, number, seed, whole
from playground.images.diffusion import DEFAULT_GUIDANCE, DEFAULT_STEPS, MAX_GUIDANCE, SAMPLERS
from playground.images.diffusion import MAX_STEPS as MAX_SAMPLING_STEPS

N_SLIDERS = 6
SLIDER_RANGE = 4.0  # standard deviations
MAX_GRID = 256
MAX_STEPS = 64  # interpolation frames
MAX_LIKE = 3.0  # "More like what I liked", in standard deviations
ANY = "any"  # the tab's "any digit"


@dataclass
class Params(ParamsMixin):
    """One drawing: the noise of ``seed`` (grid: seeds seed..seed+n-1), an optional digit for a
    conditional model, slider ``amounts``, ``like`` (toward what raters liked), ``smooth`` upscaling;
    for a diffusion model also its ``sampling_steps``, classifier-free ``guidance`` and ``sampler``."""

    ALIASES = {"seed_a": "seed"}  # interpolation records before the contract

    seed: int = 0
    n: int = 64
    label: int | None = None
    amounts: list[float] = field(default_factory=list)
    like: float = 0.0
    smooth: bool = False
    sampling_steps: int = DEFAULT_STEPS  # (``steps`` is the interpolation's number of frames)
    guidance: float = DEFAULT_GUIDANCE
    sampler: str = "ddim"

    def __post_init__(self) -> None:
        self.seed = seed(self.seed)
        self.n = whole(self.n, "grid size", 1, MAX_GRID)
        self.label = digit(self.label)
        self.amounts = slider_values(self.amounts)
        self.like = number(self.like, "'More like what I liked' strength", 0, MAX_LIKE)
        self.smooth = flag(self.smooth, "smooth upscaling")
        self.sampling_steps = whole(self.sampling_steps, "number of sampling steps", 1, MAX_SAMPLING_STEPS)
        self.guidance = number(self.guidance, "guidance scale", 0, MAX_GUIDANCE)
        self.sampler = choice(str(self.sampler).strip().lower(), "sampler", SAMPLERS)


def digit(value: Any, what: str = "digit") -> int | None:
    """None for "any digit" (None, "", "any"), else a whole number 0..9."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", ANY, "none")):
        return None
    return whole(value, what, 0, 9)


def slider_values(value: Any) -> list[float]:
    """At most ``N_SLIDERS`` numbers within +-``SLIDER_RANGE`` (a list, or text such as "1.5, 0, -2")."""
    if value is None:
        return []
    if isinstance(value, str):
        text = value.strip()
        try:
            value = json.loads(text) if text.startswith("[") else [v for v in text.replace(",", " ").split()]
        except ValueError:
            raise ValueError("The slider values must be numbers, e.g. 1.5, 0, -2.") from None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise ValueError("The slider values must be a list of numbers.")
    if len(value) > N_SLIDERS:
        raise ValueError(f"There are only {N_SLIDERS} sliders.")
    return [number(v, "slider value", -SLIDER_RANGE, SLIDER_RANGE) for v in value]


def flag(value: Any, what: str) -> bool:
    """A yes/no setting: a bool, 0/1, or "true"/"false"."""
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "false", "0", "no", ""):
        return value.strip().lower() in ("true", "1", "yes")
    if value is None or isinstance(value, bool) or value in (0, 1):
        return bool(value)
    raise ValueError(f"The {what} setting must be true or false.")
