"""The SQLite store under load: 10 threads x 1,000 ratings, a writer killed with SIGKILL, two processes."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from playground.feedback import FeedbackStore
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


def writer(url: str, name: str, count: int, shared: bool = False) -> subprocess.Popen:
    args = [sys.executable, str(WRITER), url, name, str(count)] + (["shared"] if shared else [])
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def test_writer_killed_with_sigkill_keeps_every_committed_row(tmp_path):
    path = tmp_path / "f.db"
    url = f"sqlite:///{path}"
    proc = writer(url, "victim", 1_000_000)
    acked = []
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    while len(acked) < 400:
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
        stored = {r[0] for r in conn.execute(sa.text("SELECT generation_id FROM ratings"))}
    print(f"\nSIGKILL: {len(acked)} acknowledged, {len(stored)} stored, missing {len(set(acked) - stored)}")
    assert set(acked) <= stored
    store.record({"id": "after", "modality": "text"}, 5, "", session="s")  # still writable


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
