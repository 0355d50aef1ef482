"""The SQLite store under load: 10 threads x 1,000 ratings and x 500 votes, a writer of ratings and one of
votes killed with SIGKILL, two processes."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from playground import arena, votes
from playground.feedback import FeedbackStore
from playground.generation import Generation
from playground.timing import in_threads

WRITER = Path(__file__).with_name("feedback_writer.py")


def hammer(store: FeedbackStore, threads: int, per_thread: int) -> float:
    """``threads`` threads each record ``per_thread`` distinct ratings; returns seconds taken."""
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            for i in range(per_thread):
                store.record({"id": f"t{t}-{i}", "modality": "text", "model": f"m{t % 3}",
                              "params": {"seed": i}, "output": f"out {t} {i}"}, 1 + (t + i) % 5, "",
                             session=f"thread-{t}")
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    seconds = in_threads(work, threads)
    assert not errors, errors[:3]
    return seconds


def test_ten_threads_times_a_thousand_ratings_all_present(tmp_path):
    store = FeedbackStore(f"sqlite:///{tmp_path / 'f.db'}")
    seconds = hammer(store, threads=10, per_thread=1000)
    print(f"\n10 threads x 1,000 ratings (SQLite WAL): {seconds:.1f} s, {10_000 / seconds:.0f} ratings/s")
    assert store.count() == 10_000
    with store.engine.connect() as conn:
        ids = {r[0] for r in conn.execute(sa.text("SELECT generation_id FROM ratings"))}
    assert ids == {f"t{t}-{i}" for t in range(10) for i in range(1000)}
    assert store.stats()["total"] == 10_000


def writer(url: str, name: str, count: int, shared: bool = False, mode: str = "") -> subprocess.Popen:
    """``tests/feedback_writer.py`` in its own process; ``mode`` "votes" casts votes (see there)."""
    mode = mode or ("shared" if shared else "")
    args = [sys.executable, str(WRITER), url, name, str(count)] + ([mode] if mode else [])
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def kill_mid_stream(url: str, mode: str = "", after: int = 400) -> tuple[FeedbackStore, set[str]]:
    """Start a writer, SIGKILL it after ``after`` acknowledged writes (it is still writing), reopen the
    store; returns the store and every id whose call returned before the kill."""
    proc = writer(url, "victim", 1_000_000, mode=mode)
    acked = []
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    while len(acked) < after:
        line = proc.stdout.readline()
        assert line, proc.stderr.read()
        acked.append(line.split()[1])
    proc.send_signal(signal.SIGKILL)  # mid-stream: it is still writing
    proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    acked += [line.split()[1] for line in proc.stdout.read().splitlines() if line.startswith("ok ")]
    store = FeedbackStore(url)  # opens cleanly (recovers the WAL)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    return store, set(acked)


def test_writer_killed_with_sigkill_keeps_every_committed_row(tmp_path):
    store, acked = kill_mid_stream(f"sqlite:///{tmp_path / 'f.db'}")
    with store.engine.connect() as conn:
        stored = {r[0] for r in conn.execute(sa.text("SELECT generation_id FROM ratings"))}
    print(f"\nSIGKILL: {len(acked)} acknowledged, {len(stored)} stored, missing {len(acked - stored)}")
    assert acked <= stored
    store.record({"id": "after", "modality": "text"}, 5, "", session="s")  # still writable


def test_vote_writer_killed_with_sigkill_keeps_every_returned_vote(tmp_path):
    store, acked = kill_mid_stream(f"sqlite:///{tmp_path / 'f.db'}", "votes", after=300)
    with store.engine.connect() as conn:
        voted = {r[0] for r in conn.execute(sa.text("SELECT pair_id FROM votes"))}
    print(f"\nSIGKILL (votes): {len(acked)} returned, {len(voted)} stored, missing {len(acked - voted)}")
    assert acked <= voted
    assert len(votes.battles(store)) == len(voted)  # every stored vote still joins its pair
    pid = votes.show_pair(store, Generation("text", "v1", "h1", {}, "x"), Generation("text", "v2", "h2", {}, "y"), "s")
    votes.vote(store, pid, "tie", "s")  # still writable


def test_ten_threads_times_five_hundred_votes_all_present(tmp_path):
    store = FeedbackStore(f"sqlite:///{tmp_path / 'f.db'}")
    session = [[f"t{t}-{i // 25}" for i in range(500)] for t in range(10)]  # 25 votes each: under the rate limit
    shown = [[votes.show_pair(store, Generation("text", "v1", "h1", {"seed": i}, f"{t}-{i}"),
                              Generation("text", "v2", "h2", {"seed": i}, "x"), session[t][i]) for i in range(500)]
             for t in range(10)]
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            for i, pid in enumerate(shown[t]):
                votes.vote(store, pid, arena.OUTCOMES[(t + i) % 4], session[t][i])
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    seconds = in_threads(work, 10)
    print(f"\n10 threads x 500 votes (SQLite WAL): {seconds:.1f} s, {5_000 / seconds:.0f} votes/s")
    assert not errors, errors[:3]
    with store.engine.connect() as conn:
        voted = [r[0] for r in conn.execute(sa.text("SELECT pair_id FROM votes"))]
    assert len(voted) == 5_000 and set(voted) == {pid for row in shown for pid in row}
    assert sum(r["votes"] for r in votes.leaderboard(store, "text", resamples=0)) == 2 * 5_000
    store.close()


def test_two_processes_share_one_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'f.db'}"
    procs = [writer(url, name, 300) for name in ("app-a", "app-b")]
    procs += [writer(url, name, 100, shared=True) for name in ("app-a", "app-b")]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    store = FeedbackStore(url)
    assert store.count() == 600 + 100  # both rated shared-0..99 from one session: stored once
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
