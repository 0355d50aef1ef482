"""The feedback store: every rating of every output, in one table, for the dashboard and the loop.

    from playground.feedback import default_store
    default_store().record(generation, rating=4, comment="nice", session=request.session_hash)

SQLite under ``config.data_dir()/feedback.db`` by default (WAL mode, so readers never block
the writer and a killed process loses nothing committed). Any SQLAlchemy URL works too, e.g.
``postgresql+psycopg://user@host/db`` when several app replicas share one store: pass ``url=``
or set ``PLAYGROUND_FEEDBACK_URL``.

One row per (output, session): rating the same output again from the same session updates
the row. Sessions are stored only as a salted hash; no IP address is ever stored. The schema
is versioned (table ``schema_version``); ``MIGRATIONS`` lists the steps from an empty
database to the current schema and is applied in order, under a lock, at open.
"""
from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import random
import sqlite3
import threading
import time
from collections import defaultdict
from contextlib import contextmanager, nullcontext
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from playground import config
from playground.generation import Generation

URL_ENV = "PLAYGROUND_FEEDBACK_URL"
MAX_COMMENT = 2_000  # characters
RATINGS = (1, 2, 3, 4, 5)
_SESSION_SALT = "playground-feedback-v1:"  # session ids are stored only as this salted hash

metadata = sa.MetaData()
ratings = sa.Table(
    "ratings", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("generation_id", sa.String(64), nullable=False),
    sa.Column("session", sa.String(32), nullable=False),
    sa.Column("modality", sa.String(16), nullable=False),
    sa.Column("model", sa.String(200), nullable=False),
    sa.Column("model_hash", sa.String(64), nullable=False),
    sa.Column("params", sa.Text, nullable=False),  # JSON
    sa.Column("output", sa.Text, nullable=False),  # JSON
    sa.Column("rating", sa.Integer, nullable=False),
    sa.Column("comment", sa.Text, nullable=False),  # plain text, never rendered as HTML
    sa.Column("created", sa.Float, nullable=False),  # unix seconds, UTC
    sa.Column("updated", sa.Float, nullable=False),
    sa.UniqueConstraint("generation_id", "session", name="uq_ratings_generation_session"),
)
sa.Index("ix_ratings_modality_model", ratings.c.modality, ratings.c.model)
sa.Index("ix_ratings_updated", ratings.c.updated)

# v2: blind A/B comparisons (playground.votes). A pair is stored when it is shown; a vote must
# name a stored pair, and each session votes on a pair once.
pairs = sa.Table(
    "pairs", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("session", sa.String(32), nullable=False),
    sa.Column("modality", sa.String(16), nullable=False),
    sa.Column("model_a", sa.String(200), nullable=False),
    sa.Column("hash_a", sa.String(64), nullable=False),
    sa.Column("model_b", sa.String(200), nullable=False),
    sa.Column("hash_b", sa.String(64), nullable=False),
    sa.Column("params", sa.Text, nullable=False),  # JSON: the shared conditions
    sa.Column("output_a", sa.Text, nullable=False),  # JSON
    sa.Column("output_b", sa.Text, nullable=False),  # JSON
    sa.Column("created", sa.Float, nullable=False),
)
votes = sa.Table(
    "votes", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("pair_id", sa.String(32), sa.ForeignKey("pairs.id"), nullable=False),
    sa.Column("session", sa.String(32), nullable=False),
    sa.Column("outcome", sa.String(8), nullable=False),  # a | b | tie | both_bad
    sa.Column("created", sa.Float, nullable=False),
    sa.UniqueConstraint("pair_id", "session", name="uq_votes_pair_session"),
)
sa.Index("ix_votes_created", votes.c.created)

EXPORT_COLUMNS = ("id", "generation_id", "session", "modality", "model", "model_hash", "params",
                  "output", "rating", "comment", "created", "updated")


# ---------------------------------------------------------------- schema and migrations

def _v1_create_ratings(conn: Connection) -> None:
    """v1: the ratings table with its indexes."""
    metadata.create_all(conn, tables=[ratings])


def _v2_create_votes(conn: Connection) -> None:
    """v2: the pairs shown for blind A/B comparison and the votes on them."""
    metadata.create_all(conn, tables=[pairs, votes])


# Step i takes a database at version i to version i + 1. Append, never edit or reorder.
MIGRATIONS: list[Callable[[Connection], None]] = [_v1_create_ratings, _v2_create_votes]

_schema_version = sa.Table("schema_version", sa.MetaData(), sa.Column("version", sa.Integer, nullable=False))


def schema_version(conn: Connection) -> int:
    """The schema version of the database behind ``conn`` (0 when empty)."""
    if not sa.inspect(conn).has_table("schema_version"):
        return 0
    return conn.execute(sa.select(sa.func.max(_schema_version.c.version))).scalar() or 0


def _migrate(engine: Engine) -> int:
    """Bring the database to ``len(MIGRATIONS)``, one transaction, serialised across processes."""
    with _begin(engine, write=True) as conn:
        if conn.dialect.name == "postgresql":  # concurrent CREATE TABLE races without it
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(7246101)"))
        _schema_version.create(conn, checkfirst=True)
        version = schema_version(conn)
        if version > len(MIGRATIONS):
            raise ValueError(f"The feedback database has schema version {version}, newer than this "
                             f"app understands ({len(MIGRATIONS)}); update the app.")
        for step in MIGRATIONS[version:]:
            step(conn)
        if version < len(MIGRATIONS):
            conn.execute(_schema_version.delete())
            conn.execute(_schema_version.insert().values(version=len(MIGRATIONS)))
        return len(MIGRATIONS)


# ---------------------------------------------------------------- engine

def _enable_wal(cur, wait_s: float = 30.0) -> None:
    """Switch the file to WAL mode. Switching needs a moment of exclusive access, and SQLite
    answers "database is locked" at once (without its busy handler) while another process opens
    or switches the same new file, so wait and retry here."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            if cur.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.01 + 0.04 * random.random())


def _sqlite_engine(url: sa.URL) -> Engine:
    engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _on_begin)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout=30000")
        if url.database not in (None, "", ":memory:"):
            _enable_wal(cur)
        cur.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable against process crashes
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # writers take the write lock up front, so busy_timeout applies instead of a deadlock
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")

    return engine


def make_engine(url: str | sa.URL) -> Engine:
    """An engine for ``url``; SQLite files get WAL mode, a busy timeout and immediate write locks."""
    url = sa.make_url(url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    return sa.create_engine(url, pool_pre_ping=True)


class _begin:
    """``with _begin(engine, write=True) as conn``: one transaction (immediate lock on SQLite)."""

    def __init__(self, engine: Engine, write: bool = False):
        self.engine, self.write = engine, write

    def __enter__(self) -> Connection:
        self.conn = self.engine.connect().execution_options(write=self.write)
        self.tx = self.conn.begin()
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.tx.commit()
            else:
                self.tx.rollback()
        finally:
            self.conn.close()


def _check_sqlite_file(path: Path) -> None:
    """Refuse a file that is not a healthy SQLite database, before anything writes to it."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with open(path, "rb") as f:
        if f.read(16) != b"SQLite format 3\x00":
            raise sa.exc.DatabaseError("header check", None, Exception("file is not a database"))
    conn = sqlite3.connect(path, timeout=30)  # plain connection: reads only (and WAL recovery)
    try:
        result = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as e:
        raise sa.exc.DatabaseError("quick_check", None, e) from e
    finally:
        conn.close()
    if result != "ok":
        raise sa.exc.DatabaseError("quick_check", None, Exception("the file is damaged (PRAGMA quick_check failed)"))


# ---------------------------------------------------------------- validation

def validate_rating(rating: Any) -> int:
    """``rating`` as an int 1-5, or ValueError with a plain sentence."""
    if rating is None or (isinstance(rating, str) and not rating.strip()):
        raise ValueError("Pick a rating from 1 to 5 first.")
    if isinstance(rating, bool):
        raise ValueError(f"The rating must be a whole number from 1 to 5, not {rating!r}.")
    try:
        value = float(str(rating).strip()) if isinstance(rating, str) else float(rating)
    except (TypeError, ValueError):
        raise ValueError(f"The rating must be a whole number from 1 to 5, not {str(rating)[:40]!r}.") from None
    if math.isnan(value) or value != int(value) or int(value) not in RATINGS:
        raise ValueError(f"The rating must be a whole number from 1 to 5, not {str(rating)[:40]!r}.")
    return int(value)


def validate_comment(comment: Any) -> str:
    """The comment as plain text (NUL bytes removed), or ValueError when over ``MAX_COMMENT``."""
    text = "" if comment is None else str(comment)
    text = text.replace("\x00", "").strip()
    if len(text) > MAX_COMMENT:
        raise ValueError(f"The comment is too long: {len(text):,} characters; the limit is {MAX_COMMENT:,}.")
    return text


def hash_session(session: str | None) -> str:
    """An anonymous id for a browser session (a salted hash; the raw id is never stored)."""
    raw = session or "anonymous"
    return hashlib.sha256((_SESSION_SALT + raw).encode()).hexdigest()[:16]


def to_json(value: Any) -> str:
    """Compact JSON for a stored column."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds")


# ---------------------------------------------------------------- the store

class FeedbackStore:
    """Ratings of generations in a SQL database (SQLite file by default, any SQLAlchemy URL)."""

    def __init__(self, url: str | sa.URL | None = None):
        url = url or os.environ.get(URL_ENV) or f"sqlite:///{config.data_dir() / 'feedback.db'}"
        self.url = sa.make_url(url)
        path = self.url.database if self.url.get_backend_name() == "sqlite" else None
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.engine = make_engine(self.url)
        # SQLite has one writer at a time; threads of this process queue here (an immediate
        # hand-over) instead of in SQLite's busy handler, which sleeps up to 100 ms per retry
        self._write_lock = threading.Lock() if self.url.get_backend_name() == "sqlite" else nullcontext()
        try:
            if path and path != ":memory:":
                _check_sqlite_file(Path(path))
            self.version = _migrate(self.engine)
        except sa.exc.DatabaseError as e:
            self.engine.dispose()
            where = f"file {path}" if path else self.url.render_as_string(hide_password=True)
            reason = str(getattr(e, "orig", e)).strip().splitlines()[0]
            raise ValueError(f"The feedback database ({where}) cannot be opened: {reason}. "
                             "It was left untouched; move it away or point the app at another store.") from e

    def __repr__(self) -> str:
        return f"FeedbackStore({self.url.render_as_string(hide_password=True)!r})"

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    @contextmanager
    def transaction(self, write: bool = False) -> Iterator[Connection]:
        """One transaction on this store (writers queue in-process first on SQLite)."""
        with (self._write_lock if write else nullcontext()), _begin(self.engine, write=write) as conn:
            yield conn

    # -- writing

    def record(self, generation: Generation | dict, rating: Any, comment: Any = "",
               session: str | None = None) -> dict:
        """Store ``rating`` (1-5) and ``comment`` for ``generation`` from ``session``.

        A second rating of the same generation from the same session updates the first.
        Returns the stored row as a dict plus ``updated_existing`` (True on an update).
        """
        rating, comment = validate_rating(rating), validate_comment(comment)
        gen = generation.to_dict() if isinstance(generation, Generation) else dict(generation)
        if not gen.get("id") or not gen.get("modality"):
            raise ValueError("There is nothing to rate yet: generate something first.")
        now = time.time()
        key = {"generation_id": str(gen["id"])[:64], "session": hash_session(session)}
        change = {"rating": rating, "comment": comment, "updated": now}
        row = {**key, **change, "created": now,
               "modality": str(gen["modality"])[:16], "model": str(gen.get("model", ""))[:200],
               "model_hash": str(gen.get("model_hash", ""))[:64],
               "params": to_json(gen.get("params", {})), "output": to_json(gen.get("output"))}
        for _ in range(3):  # insert-or-update that is safe under concurrent writers on any backend
            try:
                with self._write_lock, _begin(self.engine, write=True) as conn:
                    stored = _write(conn, _UPDATE, {"k_gid": key["generation_id"], "k_session": key["session"], **change})
                    existing = stored is not None
                    if not existing:
                        stored = _write(conn, _INSERT, row)
                return {**self._row(stored), "updated_existing": existing}
            except sa.exc.IntegrityError:  # another writer inserted the same key first: update it
                continue
        raise RuntimeError("Could not store the rating after 3 attempts.")

    # -- reading

    @staticmethod
    def _row(row: Any, decode: bool = True) -> dict:
        d = dict(row)
        if decode:
            d["params"], d["output"] = json.loads(d["params"]), json.loads(d["output"])
        return d

    def count(self) -> int:
        """How many ratings are stored."""
        with _begin(self.engine) as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(ratings)).scalar_one()

    def fingerprint(self, modality: str, model: str | None = None) -> tuple[int, float]:
        """(count, last change time) of one modality's (and model's) ratings: changes on every
        new rating and every re-rating, so learned preferences know when to refit."""
        q = sa.select(sa.func.count(), sa.func.max(ratings.c.updated)).where(ratings.c.modality == modality)
        if model is not None:
            q = q.where(ratings.c.model == model)
        with _begin(self.engine) as conn:
            n, last = conn.execute(q).one()
        return int(n), float(last or 0.0)

    def iter_rows(self, decode: bool = True, batch: int = 1000) -> Iterator[dict]:
        """Every row in id order (``params``/``output`` decoded from JSON unless ``decode=False``)."""
        last = 0
        while True:
            with _begin(self.engine) as conn:
                rows = conn.execute(sa.select(ratings).where(ratings.c.id > last)
                                    .order_by(ratings.c.id).limit(batch)).mappings().all()
            if not rows:
                return
            for r in rows:
                yield self._row(r, decode)
            last = rows[-1]["id"]

    def rated(self, modality: str, model: str | None = None, min_rating: int | None = None) -> list[dict]:
        """Rated outputs of one modality (and model) for the learning loop, oldest first."""
        q = sa.select(ratings).where(ratings.c.modality == modality).order_by(ratings.c.id)
        if model is not None:
            q = q.where(ratings.c.model == model)
        if min_rating is not None:
            q = q.where(ratings.c.rating >= min_rating)
        with _begin(self.engine) as conn:
            return [self._row(r) for r in conn.execute(q).mappings()]

    def latest_comments(self, n: int = 20) -> list[dict]:
        """The ``n`` most recent non-empty comments: time, modality, model, rating, comment."""
        q = (sa.select(ratings.c.updated, ratings.c.modality, ratings.c.model, ratings.c.rating,
                       ratings.c.comment)
             .where(ratings.c.comment != "").order_by(ratings.c.updated.desc(), ratings.c.id.desc()).limit(n))
        with _begin(self.engine) as conn:
            return [{"time": _iso(r.updated), "modality": r.modality, "model": r.model,
                     "rating": r.rating, "comment": r.comment} for r in conn.execute(q)]

    def stats(self) -> dict:
        """Counts and mean rating per modality and per model, a 1-5 histogram, and ratings over time.

        ``over_time`` buckets by hour when everything is within two days, else by day.
        """
        mean = sa.func.avg(ratings.c.rating)
        with _begin(self.engine) as conn:
            by_modality = conn.execute(sa.select(ratings.c.modality, sa.func.count(), mean)
                                       .group_by(ratings.c.modality).order_by(ratings.c.modality)).all()
            by_model = conn.execute(sa.select(ratings.c.modality, ratings.c.model, sa.func.count(), mean)
                                    .group_by(ratings.c.modality, ratings.c.model)
                                    .order_by(ratings.c.modality, ratings.c.model)).all()
            hist = dict(conn.execute(sa.select(ratings.c.rating, sa.func.count()).group_by(ratings.c.rating)).all())
            times = conn.execute(sa.select(ratings.c.updated, ratings.c.rating)).all()
        total = sum(c for _, c, _ in by_modality)
        return {
            "total": total,
            "mean": (sum(c * float(m) for _, c, m in by_modality) / total) if total else None,
            "by_modality": [{"modality": m, "count": c, "mean": round(float(a), 3)} for m, c, a in by_modality],
            "by_model": [{"modality": m, "model": n, "count": c, "mean": round(float(a), 3)}
                         for m, n, c, a in by_model],
            "histogram": {r: int(hist.get(r, 0)) for r in RATINGS},
            "over_time": _over_time(times),
        }

    # -- export

    def export_csv(self, path: str | Path) -> Path:
        """Every rating as CSV (``params``/``output`` as JSON text, times as ISO 8601 UTC)."""
        path = Path(path)
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=EXPORT_COLUMNS)
            w.writeheader()
            for row in self.iter_rows(decode=False):
                w.writerow(_flat(row))
        return path

    def export_jsonl(self, path: str | Path) -> Path:
        """Every rating as JSON Lines: one flat object per line, the same keys and types on every line.

        ``params`` and ``output`` stay JSON strings (their shape differs per modality), so
        ``datasets.load_dataset("json", data_files=path)`` infers one schema.
        """
        path = Path(path)
        with open(path, "w", encoding="utf-8") as f:
            for row in self.iter_rows(decode=False):
                f.write(json.dumps(_flat(row), ensure_ascii=False) + "\n")
        return path


# built once: statement construction dominates the cost of a rating otherwise
_KEY = sa.and_(ratings.c.generation_id == sa.bindparam("k_gid"), ratings.c.session == sa.bindparam("k_session"))
_UPDATE = ratings.update().where(_KEY).values(rating=sa.bindparam("rating"), comment=sa.bindparam("comment"),
                                              updated=sa.bindparam("updated"))
_INSERT = ratings.insert()
_RETURNING = {_UPDATE: _UPDATE.returning(*ratings.c), _INSERT: _INSERT.returning(*ratings.c)}


def _write(conn: Connection, stmt: Any, params: dict) -> Any:
    """Run the INSERT/UPDATE and return the affected row (RETURNING where the backend has it), or None."""
    returning = conn.dialect.update_returning if stmt.is_update else conn.dialect.insert_returning
    if returning:
        return conn.execute(_RETURNING[stmt], params).mappings().first()
    if not conn.execute(stmt, params).rowcount:
        return None
    key = {"k_gid": params.get("k_gid", params.get("generation_id")),
           "k_session": params.get("k_session", params.get("session"))}
    return conn.execute(sa.select(ratings).where(_KEY), key).mappings().one()


def _flat(row: dict) -> dict:
    out = {k: row[k] for k in EXPORT_COLUMNS}
    out["created"], out["updated"] = _iso(row["created"]), _iso(row["updated"])
    return out


def _over_time(times: list[tuple[float, int]]) -> list[dict]:
    if not times:
        return []
    span = max(t for t, _ in times) - min(t for t, _ in times)
    fmt = "%Y-%m-%d %H:00" if span <= 2 * 86400 else "%Y-%m-%d"
    buckets: dict[str, list[int]] = defaultdict(list)
    for t, r in times:
        buckets[datetime.fromtimestamp(t, timezone.utc).strftime(fmt)].append(r)
    return [{"time": k, "count": len(v), "mean": round(sum(v) / len(v), 3)} for k, v in sorted(buckets.items())]


# ---------------------------------------------------------------- the default store

_default: FeedbackStore | None = None
_default_lock = threading.Lock()


def default_store() -> FeedbackStore:
    """The process-wide store (``PLAYGROUND_FEEDBACK_URL`` or the data dir's SQLite), opened on first use."""
    global _default
    with _default_lock:
        if _default is None:
            _default = FeedbackStore()
        return _default


def set_default_store(store: FeedbackStore | None) -> None:
    """Replace (or with ``None`` forget) the process-wide store, e.g. in tests."""
    global _default
    with _default_lock:
        if _default is not None and _default is not store:
            _default.close()
        _default = store

