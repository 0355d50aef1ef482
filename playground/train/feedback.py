"""Fine-tune a text model on its own highly rated outputs (the feedback loop), as a new version.

    python -m playground.train feedback --init assets/models/text-shakespeare
    python -m playground.train feedback --init assets/models/text-shakespeare --min-rating 5 \
        --store postgresql+psycopg://user@host/db --out data/models/my-liked-model --max-iters 300

Reads the ratings of ``--model`` (default: the name of the ``--init`` folder) from the feedback
store, keeps the texts rated ``--min-rating`` or higher, and fine-tunes through the same path as
``python -m playground.train text --init``. The new version goes to ``--out`` (default
``<data dir>/models/<model>-feedback-<UTC time>``) with its model card.
"""
from __future__ import annotations

import itertools

from playground import config, text
from playground.feedback import FeedbackStore
from playground.text.learn import feedback_train_config, lineage_rows, new_version_dir
from playground.text.metrics import SLIDING


def add_arguments(p) -> None:
    """Command-line flags."""
    p.add_argument("--init", required=True, help="the text model folder to start from")
    p.add_argument("--model", help="whose ratings to use (default: the --init folder's name and its feedback versions)")
    p.add_argument("--out", help="folder for the new version (default: under the data dir)")
    p.add_argument("--min-rating", type=int, default=4, help="keep outputs rated at least this (default 4)")
    p.add_argument("--store", help="feedback store URL (default: PLAYGROUND_FEEDBACK_URL or the data dir's SQLite)")
    p.add_argument("--data-dir", help="the app's data dir (where the default store lives)")
    p.add_argument("--max-iters", type=int, default=200)
    p.add_argument("--max-minutes", type=float, default=3.0)
    p.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch default)")


def main(args) -> None:
    """CLI entry, called by ``python -m playground.train feedback``."""
    if args.data_dir:
        config.set_data_dir(args.data_dir)
    tm = text.load(args.init)
    model = args.model or tm.name
    rows = lineage_rows(FeedbackStore(args.store).rated("text"), model)
    cfg = feedback_train_config(args.max_iters, args.max_minutes)
    cfg.threads = args.threads
    print(f"{len(rows)} rated text outputs of {model}; "
          f"{sum(r['rating'] >= args.min_rating for r in rows)} rated {args.min_rating}+")
    events = text.learn_from_feedback(tm, rows, min_rating=args.min_rating, cfg=cfg,
                                      out_dir=args.out or new_version_dir(model))
    try:
        first = next(events)
    except ValueError as e:  # too few liked texts: a sentence, not a traceback
        raise SystemExit(f"error: {e}") from None
    for ev in itertools.chain([first], events):
        if "eval" in ev:
            print(f"step {ev['step']:5d}  train {ev['losses'].get('train_loss', 0):.3f}  "
                  f"val {ev['eval'].get('val_loss', float('nan')):.4f}")
        if ev.get("done"):
            print(f"saved {ev['out_dir']}: val {ev['card']['metrics'][SLIDING]} nats/char")
