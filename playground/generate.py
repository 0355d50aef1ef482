"""Generate from a terminal with the same contract the tabs use: one command per modality.

    python -m playground.generate text --prompt "ROMEO:" --length 200 --seed 7 --out romeo.txt
    python -m playground.generate image --model gan-digits --n 16 --seed 3 --out digits/
    python -m playground.generate music --mode harmonise --notes "C5 D5 E5:2" --seed 1 --out tune.mid
    python -m playground.generate image --list

The flags of each modality are the fields of its ``Params`` dataclass. Outputs go to ``--out``;
the parameters, model and checkpoint hash of what was made are printed as JSON, so a teacher
can prepare material and a script can batch-generate. The same inputs give the same files.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path
from typing import Any

from playground import registry


def _add_params(p: argparse.ArgumentParser, params_cls: type) -> None:
    """One flag per ``Params`` field; values go to ``Params`` as given, which validates them."""
    for f in dataclasses.fields(params_cls):
        flag = "--" + f.name.replace("_", "-")
        default = f.default if f.default is not dataclasses.MISSING else None
        help_ = (f.metadata or {}).get("help") or f"default: {default!r}"
        if isinstance(default, bool):
            p.add_argument(flag, dest=f.name, action="store_true", help=help_)
        elif f.default is dataclasses.MISSING and f.default_factory is not dataclasses.MISSING:  # a list
            p.add_argument(flag, dest=f.name, nargs="*", help=f"{help_} (several values)")
        else:
            p.add_argument(flag, dest=f.name, help=help_)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m playground.generate", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="modality", required=True)
    for name in registry.names():
        mod = registry.get(name)
        sp = sub.add_parser(name, help=(mod.__doc__ or name).strip().splitlines()[0])
        sp.add_argument("--list", action="store_true", help="print the models of this modality, one per line")
        sp.add_argument("--model", help="a name from --list (default: the first)")
        sp.add_argument("--out", help="where to write the output (a file or a folder, see the examples)")
        _add_params(sp, mod.Params)
    return p


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Generate what ``args`` asks for, write it, and return the JSON record that is printed."""
    mod = registry.get(args.modality)
    names = [m.name for m in mod.models()]
    if not names:
        raise ValueError(f"No {args.modality} model is installed.")
    fields = {f.name for f in dataclasses.fields(mod.Params)}
    given = {k: v for k, v in vars(args).items() if k in fields and v is not None and v is not False}
    params = mod.Params.from_dict(given)
    model = mod.load(args.model or names[0])
    gen = mod.generate(model, params)
    if not args.out:
        raise ValueError("Say where to write the output with --out.")
    files = mod.save_output(gen, Path(args.out))
    return {"modality": gen.modality, "model": gen.model, "model_hash": gen.model_hash, "params": gen.params,
            "files": [str(f) for f in files]}


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    p = parser()
    args = p.parse_args(argv)
    try:
        if args.list:
            for m in registry.get(args.modality).models():  # evaluation-only checkpoints say so
                print(m.name + ("  (evaluation only: it scores, it does not generate)"
                                if m.facts.get("generates") is False else ""))
            return 0
        print(json.dumps(run(args), indent=1, default=str))
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
