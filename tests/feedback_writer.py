"""Helper process for the feedback tests: writes ratings to a store, printing each committed one.

    python tests/feedback_writer.py URL NAME COUNT [shared|votes]

Rates generations ``NAME-0`` .. ``NAME-{COUNT-1}`` from session NAME and prints
``ok <generation_id>`` after each commit, flushed. With ``shared`` it rates ``shared-0`` ..
from the one session ``shared-user`` instead, so several writers race on the same rows (one
user whose clicks land on different app replicas): each row must end up stored once. With
``votes`` it shows a blind pair and votes on it instead, printing ``ok <pair_id>`` after each vote
returns (one session per 25 votes: under the per-session rate limit).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playground.feedback import FeedbackStore  # noqa: E402


def cast_votes(store: FeedbackStore, name: str, count: int) -> None:
    from playground import votes
    from playground.generation import Generation

    for i in range(count):
        session = f"{name}-{i // 25}"
        pid = votes.show_pair(store, Generation("text", "v1", "h1", {"seed": i}, f"left {i}"),
                              Generation("text", "v2", "h2", {"seed": i}, f"right {i}"), session)
        votes.vote(store, pid, "ab"[i % 2], session)
        print("ok", pid, flush=True)


def main(url: str, name: str, count: int, mode: str) -> None:
    store = FeedbackStore(url)
    print("ready", flush=True)
    if mode == "votes":
        return cast_votes(store, name, count)
    shared = mode == "shared"
    session = "shared-user" if shared else name
    for i in range(count):
        gid = f"shared-{i}" if shared else f"{name}-{i}"
        store.record({"id": gid, "modality": "text", "model": "m", "params": {"seed": i},
                      "output": f"text {i}"}, 1 + i % 5, f"from {name}", session=session)
        print("ok", gid, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else "")
