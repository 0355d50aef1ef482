"""Tensors in [-1, 1] -> PIL images (dark ink on white paper, upscaled so 28x28 is easy to see)."""
from __future__ import annotations

import io
from pathlib import Path

import torch
from PIL import Image


def _to_pil(img: torch.Tensor, scale: int, resample: Image.Resampling) -> Image.Image:
    """(1, H, W) in [-1, 1] (ink high) -> greyscale PIL, ink dark, ``scale`` times larger."""
    paper = ((1 - img.clamp(-1, 1)) / 2 * 255).round().to(torch.uint8)[0].numpy()
    im = Image.fromarray(paper, mode="L")
    return im.resize((im.width * scale, im.height * scale), resample)


def image(x: torch.Tensor, size: int = 256, smooth: bool = False) -> Image.Image:
    """One (1, 28, 28) image as a picture about ``size`` pixels wide (nearest pixels, or bicubic)."""
    return _to_pil(x, max(1, size // x.shape[-1]),
                   Image.Resampling.BICUBIC if smooth else Image.Resampling.NEAREST)


def tile(x: torch.Tensor, nrow: int = 8, padding: int = 1, pad_value: float = -1.0) -> torch.Tensor:
    """(B, C, H, W) images -> one (C, H', W') picture, ``nrow`` to a row, with ``padding``-pixel
    gutters of ``pad_value``: torchvision's ``make_grid`` layout (one image: itself, no gutter),
    without importing torchvision, which took 1.6 s of the first image request."""
    if len(x) == 1:
        return x[0]
    n, c, h, w = x.shape
    cols = min(nrow, n)
    out = x.new_full((c, -(-n // cols) * (h + padding) + padding, cols * (w + padding) + padding), pad_value)
    for k in range(n):
        top, left = (k // cols) * (h + padding) + padding, (k % cols) * (w + padding) + padding
        out[:, top:top + h, left:left + w] = x[k]
    return out


def grid(x: torch.Tensor, nrow: int = 8, scale: int | None = None) -> Image.Image:
    """(B, 1, 28, 28) images as one picture (``tile``, white gutters); ``scale`` defaults to 2x
    for 28x28 (about 460 pixels for 8 across)."""
    return _to_pil(tile(x.clamp(-1, 1), nrow), scale or max(1, 64 // x.shape[-1]), Image.Resampling.NEAREST)


def gif(frames: list[Image.Image], path: str | Path | None = None, ms: int = 120, bounce: bool = True,
        hold_ms: int | None = None) -> bytes:
    """An animated GIF that plays the frames forward and back (``bounce``), or forward only with the
    last frame held ``hold_ms``; returns the bytes (also written to ``path``)."""
    seq = frames + frames[-2:0:-1] if bounce else list(frames)
    durations = [ms] * len(seq)
    if hold_ms is not None:
        durations[-1] = hold_ms
    buf = io.BytesIO()
    seq[0].save(buf, format="GIF", save_all=True, append_images=seq[1:], duration=durations, loop=0)
    if path is not None:
        Path(path).write_bytes(buf.getvalue())
    return buf.getvalue()
