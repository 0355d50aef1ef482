"""The JSB chorales, as four separated voices or as the quarter-note piano roll.

    chorales = load_split("../shared/data/jsb-chorales", "train")            # 16th grid, S A T B
    frames = load_split("../shared/data/jsb-chorales", "test", fmt="roll")    # quarter-note roll

Both give a list of (T, 4) int arrays of MIDI pitches, -1 = silent, and share the
train/valid/test split of Boulanger-Lewandowski et al. (2012):

- ``fmt="voices"``: Coconet's ``Jsb16thSeparated.json``: 16th-note steps, one column per
  voice (soprano, alto, tenor, bass), original keys. ``stride=4`` keeps every 4th step.
- ``fmt="roll"``: ``jsb-chorales-quarter.json``, the piano roll the 2012 paper and its
  successors report frame-level NLL on: each quarter-note frame is the *set* of sounding
  pitches (unisons collapse, so 0-4 notes), stored here top note first, -1 padded.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

FILES = {"voices": "Jsb16thSeparated.json", "roll": "jsb-chorales-quarter.json"}
SPLITS = ("train", "valid", "test")
MAX_NOTES = 4


def _roll_frames(chorale: list[list[int]]) -> np.ndarray:
    out = np.full((len(chorale), MAX_NOTES), -1, dtype=np.int64)
    for t, frame in enumerate(chorale):
        notes = sorted({int(p) for p in frame}, reverse=True)
        if len(notes) > MAX_NOTES:
            raise ValueError(f"A frame has {len(notes)} notes; the roll format holds at most {MAX_NOTES}.")
        out[t, : len(notes)] = notes
    return out


@lru_cache(maxsize=4)
def _load(path: str, fmt: str) -> dict[str, list[np.ndarray]]:
    if fmt not in FILES:
        raise ValueError(f"fmt must be one of {tuple(FILES)}")
    p = Path(path)
    if p.is_dir():
        p = p / FILES[fmt]
    if not p.is_file():
        raise ValueError(f"Cannot find the chorales at {p}; pass the jsb-chorales folder.")
    raw = json.loads(p.read_text())
    if fmt == "roll":
        return {k: [_roll_frames(c) for c in raw[k]] for k in SPLITS}
    return {k: [np.asarray(c, dtype=np.int64) for c in raw[k]] for k in SPLITS}


def load_split(path: str | Path, split: str, stride: int = 1, fmt: str = "voices") -> list[np.ndarray]:
    """The chorales of one split as (T, 4) arrays of MIDI pitches (-1 = silent)."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}")
    return [c[::stride] for c in _load(str(path), fmt)[split]]


def pitch_span(chorales: list[np.ndarray]) -> tuple[int, int]:
    """Lowest and highest sounding pitch in the chorales."""
    sounding = np.concatenate([c[c >= 0] for c in chorales])
    return int(sounding.min()), int(sounding.max())


def transpose(chorale: np.ndarray, semitones: int) -> np.ndarray:
    """Shift every sounding note by ``semitones`` (rests stay rests)."""
    return np.where(chorale < 0, chorale, chorale + semitones)
