"""One entry point for all training: ``python -m playground.train <family> ...`` (``--help`` lists them).

Each model family lives in its own module here with ``add_arguments(parser)`` and
``main(args)``; this file only dispatches.
"""
from __future__ import annotations

import argparse
import importlib

FAMILIES = {
    "text": "playground.train.text",
    "gan": "playground.train.gan",
    "vae": "playground.train.vae",
    "vae-prior": "playground.train.vae_prior",
    "music": "playground.train.music",
    "feedback": "playground.train.feedback",
    "judge": "playground.train.judge",
    "diffusion": "playground.train.diffusion",
    "coconet": "playground.train.coconet",
    "music-rl": "playground.train.music_rl",
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m playground.train", description=__doc__)
    sub = parser.add_subparsers(dest="what", required=True)
    for name, module in FAMILIES.items():
        mod = importlib.import_module(module)
        p = sub.add_parser(name, help=(mod.__doc__ or "").strip().splitlines()[0])
        mod.add_arguments(p)
    args = parser.parse_args(argv)
    importlib.import_module(FAMILIES[args.what]).main(args)


if __name__ == "__main__":
    main()
