"""Every modality in the registry keeps the one contract (playground.contract)."""
from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest

from playground import config, contract, registry

NAMES = registry.names()


@pytest.fixture(scope="module", params=NAMES)
def mod(request):
    return registry.get(request.param)


def _quick(mod) -> object:
    """Small default params, so the contract tests stay fast."""
    small = {"text": {"length": 20}, "image": {"n": 4}, "music": {"bars": 1}}[mod.NAME]
    return mod.Params.from_dict(small)


def test_registry_lists_three_modalities_with_the_whole_contract():
    assert NAMES == ["text", "image", "music"]
    for name in NAMES:
        mod = registry.get(name)
        assert mod.NAME == name
        assert dataclasses.is_dataclass(mod.Params)
    with pytest.raises(ValueError, match="Unknown modality"):
        registry.get("video")


def test_models_read_their_facts_from_their_own_config(mod):
    infos = mod.models()
    assert infos, "every modality ships at least one bundled model"
    for info in infos:
        assert isinstance(info, contract.ModelInfo)
        cfg = json.loads((config.ROOT / info.path / "config.json").read_text()) if not info.path.startswith("/") \
            else json.loads((__import__("pathlib").Path(info.path) / "config.json").read_text())
        assert info.model_type == cfg["model_type"]


def test_load_is_cached_and_identifies_the_checkpoint(mod):
    name = mod.models()[0].name
    a, b = mod.load(name), mod.load(name)
    assert a is b
    assert a.name and len(a.hash) >= 8 and a.config["model_type"]
    assert isinstance(mod.explain(a), str) and len(mod.explain(a)) > 80


@pytest.mark.parametrize("bad", [-1, 2**31, 2.5, "seven", float("nan"), True])
def test_one_seed_range_everywhere(mod, bad):
    with pytest.raises(ValueError, match="seed"):
        mod.Params.from_dict({"seed": bad})
    assert mod.Params.from_dict({"seed": str(contract.SEED_MAX)}).seed == contract.SEED_MAX


def test_generate_is_reproducible_and_records_its_params(mod):
    model = mod.load(mod.models()[0].name)
    params = _quick(mod)
    a, b = mod.generate(model, params), mod.generate(model, params)
    assert a.output == b.output
    assert a.modality == mod.NAME and a.model == model.name and a.model_hash == model.hash
    assert mod.Params.from_dict(a.params) == params  # the stored params rebuild the same inputs
    other = mod.generate(model, params.replace(seed=params.seed + 1))
    assert other.output != a.output
    feats = mod.features([a.output, other.output])
    assert len(feats) == 2 if not hasattr(feats, "shape") else feats.shape[0] == 2


def test_save_output_writes_files(mod, tmp_path):
    model = mod.load(mod.models()[0].name)
    gen = mod.generate(model, _quick(mod))
    out = tmp_path / {"text": "out.txt", "image": "pngs", "music": "out.mid"}[mod.NAME]
    files = mod.save_output(gen, out)
    assert files and all(f.is_file() and f.stat().st_size > 0 for f in files)


def test_generate_cli_lists_models_and_rejects_bad_arguments(tmp_path):
    run = lambda *a: subprocess.run([sys.executable, "-m", "playground.generate", *a], cwd=config.ROOT,  # noqa: E731
                                    capture_output=True, text=True, timeout=120)
    listed = run("image", "--list")
    assert listed.returncode == 0 and listed.stdout.split()
    bad = run("text", "--length", "3.5", "--out", str(tmp_path / "x.txt"))
    assert bad.returncode != 0 and "whole number" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
