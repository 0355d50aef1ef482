"""The 28x28 MNIST data: one fixed, stratified, disjoint train/test split."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from playground.images import mnist


def test_split_sizes_ranges_and_record():
    tr, te = mnist.load("train"), mnist.load("test")
    assert tr.x.shape == (8500, 1, 28, 28) and te.x.shape == (1500, 1, 28, 28)
    assert tr.x.dtype == torch.float32 and tr.x.min() == -1 and tr.x.max() == 1
    rec = mnist.split_record()
    assert rec["train"] == 8500 and rec["test"] == 1500 and rec["test_sha256"] == mnist.TEST_SHA256


def test_split_is_disjoint_and_covers_every_row():
    tr, te = mnist.load("train"), mnist.load("test")
    assert not set(tr.indices) & set(te.indices)
    assert sorted(np.concatenate([tr.indices, te.indices])) == list(range(10_000))


def test_split_is_stratified():
    tr, te = mnist.load("train"), mnist.load("test")
    counts_tr = torch.bincount(tr.y, minlength=10).numpy()
    counts_te = torch.bincount(te.y, minlength=10).numpy()
    share = counts_te / (counts_tr + counts_te)
    assert np.all(np.abs(share - mnist.TEST_SHARE) < 0.005), share


def test_split_is_fixed():
    labels = np.repeat(np.arange(10), 50)
    a, b = mnist.split_indices(labels), mnist.split_indices(labels)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    other = mnist.split_indices(labels, seed=1)
    assert not np.array_equal(a[1], other[1])
    assert mnist.indices_hash(mnist.load("test").indices) == mnist.TEST_SHA256


def test_bundled_file_matches_shared_copy_when_present():
    from pathlib import Path

    shared = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist" / "mnist-10k.npz"
    if not shared.exists():
        pytest.skip("no shared data folder next to the repository")
    assert torch.equal(mnist.load("test", shared).x, mnist.load("test").x)


def test_unknown_split_and_bad_file(tmp_path):
    with pytest.raises(ValueError, match="Unknown split"):
        mnist.load("valid")
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="Could not read"):
        mnist.load("train", bad)


def test_pixels_round_trip_and_shift():
    te = mnist.load("test")
    assert np.array_equal(mnist.to_uint8(mnist.to_unit(mnist.to_uint8(te.x[:5]))), mnist.to_uint8(te.x[:5]))
    g = torch.Generator().manual_seed(0)
    moved = mnist.shift(te.x[:8], 2, g)
    assert moved.shape == (8, 1, 28, 28) and moved.min() >= -1 and moved.max() <= 1
