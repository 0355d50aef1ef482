"""The shared store on a real PostgreSQL server on loopback: upserts, threads, two app processes.

The server comes from ``PLAYGROUND_TEST_PG_URL`` (a URL whose user may CREATE DATABASE, e.g. the
one ``.ci/postgres.sh`` prints), else this module starts its own with ``.ci/postgres.sh``
(installing Debian's ``postgresql`` when missing and possible) and stops it afterwards. Each
test gets a fresh database. Skipped, with the reason printed, only when no server can be had.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from playground.feedback import FeedbackStore

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_feedback_reliability import hammer, writer  # noqa: E402

URL_ENV = "PLAYGROUND_TEST_PG_URL"
SCRIPT = Path(__file__).resolve().parent.parent / ".ci" / "postgres.sh"


def _skip(reason: str):
    print(f"\nskipping the PostgreSQL tests: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def pg_server():
    """Yields a function that creates a fresh database and returns its URL."""
    url, root = os.environ.get(URL_ENV), None
    if not url:
        root = tempfile.mkdtemp(prefix="playground-pg-")
        env = {**os.environ, "PG_ROOT": root}
        try:
            run = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=600)
        except subprocess.TimeoutExpired:
            _skip(".ci/postgres.sh did not start a server within 10 minutes")
        if run.returncode != 0 or not run.stdout.strip():
            _skip(f"no PostgreSQL server ({run.stderr.strip().splitlines()[-1:] or ['.ci/postgres.sh failed']}[0])")
        url = run.stdout.strip().splitlines()[-1]
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as e:
        admin.dispose()
        _skip(f"cannot connect to {sa.make_url(url).render_as_string(hide_password=True)}: {str(e.orig).strip()[:200]}")
    created: list[str] = []

    def new_database() -> str:
        name = "playground_test_" + uuid.uuid4().hex[:10]
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return sa.make_url(url).set(database=name).render_as_string(hide_password=False)

    try:
        yield new_database
    finally:
        if root is None:  # someone else's server: leave it as found
            with admin.connect() as conn:
                for name in created:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        if root is not None:
            subprocess.run(["bash", str(SCRIPT), "stop"], env={**os.environ, "PG_ROOT": root},
                           capture_output=True, timeout=120)


def test_postgres_record_update_stats_export(pg_server, tmp_path):
    store = FeedbackStore(pg_server())
    assert store.engine.dialect.name == "postgresql" and store.version >= 1
    g = {"id": "g1", "modality": "image", "model": "gan", "model_hash": "h",
         "params": {"seed": 7}, "output": {"latent": [0.5, -1.25], "label": None}}
    assert not store.record(g, 2, "<b>bold?</b>", session="a")["updated_existing"]
    row = store.record(g, 5, "<b>bold?</b>\x00", session="a")  # NUL bytes are dropped, not an error
    assert row["updated_existing"] and row["rating"] == 5 and row["comment"] == "<b>bold?</b>"
    store.record(g, 3, "", session="b")
    assert store.count() == 2
    assert store.stats()["by_model"] == [{"modality": "image", "model": "gan", "count": 2, "mean": 4.0}]
    assert [r["output"]["latent"] for r in store.rated("image", "gan")] == [[0.5, -1.25]] * 2
    assert store.latest_comments(5)[0]["comment"] == "<b>bold?</b>"
    assert len(store.export_jsonl(tmp_path / "r.jsonl").read_text().splitlines()) == 2
    assert len(store.export_csv(tmp_path / "r.csv").read_text().splitlines()) == 3
    assert FeedbackStore(store.url).version == store.version  # reopening an up-to-date schema is a no-op
    store.close()


def test_postgres_threads(pg_server):
    store = FeedbackStore(pg_server())
    seconds = hammer(store, threads=8, per_thread=150)
    print(f"\nPostgreSQL 8 threads x 150 ratings: {seconds:.1f} s")
    assert store.count() == 1200
    store.close()


def test_two_app_processes_write_to_one_postgres_store(pg_server):
    url = pg_server()  # an empty database: both processes also race to create the schema
    procs = [writer(url, name, 200) for name in ("replica-a", "replica-b")]
    procs += [writer(url, name, 100, shared=True) for name in ("replica-a", "replica-b")]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        assert out.count("\nok ") in (100, 200)
    store = FeedbackStore(url)
    assert store.count() == 400 + 100  # the racing writers stored each shared row once
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM schema_version")).scalar() == 1
        shared = conn.execute(sa.text("SELECT count(DISTINCT generation_id) FROM ratings "
                                      "WHERE generation_id LIKE 'shared-%'")).scalar()
    assert shared == 100
    store.close()
