"""Helper process for the feedback tests: writes ratings to a store, printing each committed one.

    python tests/feedback_writer.py URL NAME COUNT [shared]

Rates generations ``NAME-0`` .. ``NAME-{COUNT-1}`` from session NAME and prints
``ok <generation_id>`` after each commit, flushed. With ``shared`` it rates ``shared-0`` ..
from the one session ``shared-user`` instead, so several writers race on the same rows (one
user whose clicks land on different app replicas): each row must end up stored once.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playground.feedback import FeedbackStore  # noqa: E402


def main(url: str, name: str, count: int, shared: bool) -> None:
    store = FeedbackStore(url)
    print("ready", flush=True)
    session = "shared-user" if shared else name
    for i in range(count):
        gid = f"shared-{i}" if shared else f"{name}-{i}"
        store.record({"id": gid, "modality": "text", "model": "m", "params": {"seed": i},
                      "output": f"text {i}"}, 1 + i % 5, f"from {name}", session=session)
        print("ok", gid, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), len(sys.argv) > 4 and sys.argv[4] == "shared")
