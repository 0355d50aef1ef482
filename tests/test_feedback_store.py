"""The feedback store: upsert per session, validation, stats, exports, migrations, corrupt files."""
from __future__ import annotations

import csv
import json

import pytest
import sqlalchemy as sa

from playground import config, feedback
from playground.feedback import FeedbackStore
from playground.generation import Generation


@pytest.fixture
def store(tmp_path):
    s = FeedbackStore(f"sqlite:///{tmp_path / 'feedback.db'}")
    yield s
    s.close()


def gen(modality="text", model="m", output="hello", **params) -> Generation:
    return Generation(modality, model, "abc123", {"seed": 1, **params}, output)


def test_record_then_rerate_updates_and_other_session_adds(store):
    g = gen(prompt="Once")
    first = store.record(g, 4, "good", session="browser-1")
    assert not first["updated_existing"] and first["rating"] == 4
    assert first["params"] == {"seed": 1, "prompt": "Once"} and first["output"] == "hello"
    again = store.record(g, "2", "worse on second look", session="browser-1")
    assert again["updated_existing"] and again["id"] == first["id"] and again["rating"] == 2
    assert again["created"] == first["created"] and again["updated"] >= first["updated"]
    other = store.record(g, 5, "", session="browser-2")
    assert not other["updated_existing"]
    assert store.count() == 2


def test_session_is_hashed_and_no_ip_column(store):
    row = store.record(gen(), 3, "", session="raw-session-hash")
    assert row["session"] != "raw-session-hash" and len(row["session"]) == 16
    columns = set(feedback.ratings.c.keys())
    assert not {c for c in columns if "ip" in c.split("_") or "addr" in c}
    assert {"modality", "model", "model_hash", "params", "output", "rating", "comment", "session",
            "created", "updated", "generation_id"} <= columns


@pytest.mark.parametrize("bad", [0, 6, -1, 3.5, "abc", "", None, [], True, float("nan"), "4 stars"])
def test_bad_ratings_are_refused_with_a_sentence(store, bad):
    with pytest.raises(ValueError, match=r"rating"):
        store.record(gen(), bad, "", session="s")
    assert store.count() == 0


def test_numeric_strings_and_whole_floats_are_accepted(store):
    assert store.record(gen(), " 5 ", "", session="a")["rating"] == 5
    assert store.record(gen(), 2.0, "", session="b")["rating"] == 2


def test_one_megabyte_comment_is_refused_and_limit_is_inclusive(store):
    with pytest.raises(ValueError, match="too long: 1,000,000 characters; the limit is 2,000"):
        store.record(gen(), 3, "x" * 1_000_000, session="s")
    assert store.count() == 0
    assert len(store.record(gen(), 3, "y" * feedback.MAX_COMMENT, session="s")["comment"]) == 2000


def test_html_comment_is_stored_and_exported_verbatim(store, tmp_path):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"'
    store.record(gen(), 1, evil, session="s")
    assert store.latest_comments(5)[0]["comment"] == evil
    with open(store.export_csv(tmp_path / "r.csv"), newline="", encoding="utf-8") as f:
        assert next(csv.DictReader(f))["comment"] == evil
    line = (store.export_jsonl(tmp_path / "r.jsonl")).read_text().splitlines()[0]
    assert json.loads(line)["comment"] == evil


def test_nothing_to_rate(store):
    with pytest.raises(ValueError, match="Nothing to rate|nothing to rate"):
        store.record({}, 3, "", session="s")


def test_stats_per_modality_and_model(store):
    for i, (mod, model, r) in enumerate([("text", "a", 5), ("text", "a", 3), ("text", "b", 1),
                                         ("image", "gan", 4), ("music", "bach", 2)]):
        store.record(gen(mod, model), r, "", session=f"s{i}")
    s = store.stats()
    assert s["total"] == 5 and s["mean"] == pytest.approx(3.0)
    assert {m["modality"]: (m["count"], m["mean"]) for m in s["by_modality"]} == {
        "image": (1, 4.0), "music": (1, 2.0), "text": (3, 3.0)}
    assert {(m["model"], m["count"], m["mean"]) for m in s["by_model"] if m["modality"] == "text"} == {
        ("a", 2, 4.0), ("b", 1, 1.0)}
    assert s["histogram"] == {1: 1, 2: 1, 3: 1, 4: 1, 5: 1}
    assert sum(b["count"] for b in s["over_time"]) == 5


def test_rated_filters_for_the_loop(store):
    store.record(gen("image", "gan", output={"latent": [0.1, 0.2]}), 5, "", session="a")
    store.record(gen("image", "vae", output={"latent": [0.3, 0.4]}), 2, "", session="a")
    store.record(gen("text", "m"), 4, "", session="a")
    assert [r["output"]["latent"] for r in store.rated("image")] == [[0.1, 0.2], [0.3, 0.4]]
    assert [r["model"] for r in store.rated("image", "vae")] == ["vae"]
    assert len(store.rated("image", min_rating=4)) == 1


def test_exports_csv_and_flat_jsonl(store, tmp_path):
    store.record(gen("text", output="a\nb, \"c\""), 4, "ok", session="a")
    store.record(gen("image", "gan", output={"latent": [1.5, -2.0]}), 2, "", session="b")
    store.record(gen("music", "bach", output=[[60, 0, 1], [62, 1, 2]]), 5, "", session="c")
    with open(store.export_csv(tmp_path / "r.csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [json.loads(r["output"]) for r in rows] == ["a\nb, \"c\"", {"latent": [1.5, -2.0]}, [[60, 0, 1], [62, 1, 2]]]
    lines = [json.loads(x) for x in (store.export_jsonl(tmp_path / "r.jsonl")).read_text().splitlines()]
    assert len(lines) == 3
    # what datasets' json loader needs: the same keys and one scalar type per key on every line
    assert all(list(x) == list(feedback.EXPORT_COLUMNS) for x in lines)
    for key in feedback.EXPORT_COLUMNS:
        assert len({type(x[key]) for x in lines}) == 1 and not isinstance(lines[0][key], (dict, list))
    assert json.loads(lines[1]["params"]) == {"seed": 1}


def test_corrupt_database_file_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "feedback.db"
    junk = b"this is not a database, just bytes " * 300
    path.write_bytes(junk)
    with pytest.raises(ValueError, match="cannot be opened.*left untouched"):
        FeedbackStore(f"sqlite:///{path}")
    assert path.read_bytes() == junk
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feedback.db"]


def test_migrations_apply_in_order_once(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'f.db'}"
    FeedbackStore(url).record(gen(), 3, "", session="s")  # a database at today's version with one row
    now, calls = len(feedback.MIGRATIONS), []

    def add_column(conn):
        calls.append("next")
        conn.execute(sa.text("ALTER TABLE ratings ADD COLUMN extra TEXT"))

    monkeypatch.setattr(feedback, "MIGRATIONS", [*feedback.MIGRATIONS, add_column])
    s = FeedbackStore(url)
    assert s.version == now + 1 and calls == ["next"] and s.count() == 1
    assert "extra" in {c["name"] for c in sa.inspect(s.engine).get_columns("ratings")}
    FeedbackStore(url)
    assert calls == ["next"]  # not applied twice


def test_a_version_1_database_gains_the_vote_tables_and_keeps_its_ratings(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'f.db'}"
    monkeypatch.setattr(feedback, "MIGRATIONS", feedback.MIGRATIONS[:1])
    FeedbackStore(url).record(gen(), 4, "kept", session="s")
    monkeypatch.undo()
    s = FeedbackStore(url)
    assert s.version == 2 and s.count() == 1
    assert {"pairs", "votes"} <= set(sa.inspect(s.engine).get_table_names())


def test_newer_schema_than_the_code_is_a_clear_error(tmp_path):
    url = f"sqlite:///{tmp_path / 'f.db'}"
    s = FeedbackStore(url)
    with s.engine.begin() as conn:
        conn.execute(sa.text("UPDATE schema_version SET version = 99"))
    with pytest.raises(ValueError, match="schema version 99"):
        FeedbackStore(url)


def test_default_store_lives_in_the_data_dir_in_wal_mode(tmp_path, monkeypatch):
    monkeypatch.delenv(feedback.URL_ENV, raising=False)
    monkeypatch.setattr(config, "_data_dir", None)
    monkeypatch.setenv("PLAYGROUND_DATA_DIR", str(tmp_path))
    feedback.set_default_store(None)
    try:
        s = feedback.default_store()
        assert s is feedback.default_store()
        assert s.url.database == str(tmp_path / "feedback.db")
        with s.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    finally:
        feedback.set_default_store(None)


def test_url_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(feedback.URL_ENV, f"sqlite:///{tmp_path / 'env.db'}")
    s = FeedbackStore()
    assert s.url.database == str(tmp_path / "env.db")


def test_damaged_pages_behind_a_valid_header_are_refused_untouched(tmp_path):
    path = tmp_path / "feedback.db"
    s = FeedbackStore(f"sqlite:///{path}")
    for i in range(300):
        s.record(gen(output="x" * 200), 1 + i % 5, "c" * 100, session=f"s{i}")
    s.close()
    data = bytearray(path.read_bytes())
    assert data[:16] == b"SQLite format 3\x00" and len(data) > 8 * 4096
    for off in range(4096 * 2, len(data), 997):  # scribble over every page after the first two
        data[off:off + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="cannot be opened.*left untouched"):
        FeedbackStore(f"sqlite:///{path}")
    assert path.read_bytes() == bytes(data)


def test_jsonl_export_loads_as_one_table(store, tmp_path):
    """pandas here; the ``datasets`` json loader too where that library is installed."""
    import pandas as pd

    store.record(gen("text", output="to be"), 4, "ok", session="a")
    store.record(gen("image", "gan", output={"latent": [1.5, -2.0], "label": None}), 2, "", session="b")
    store.record(gen("music", "bach", output={"voices": {"soprano": [[60, 0, 4]]}}), 5, "<i>x</i>", session="c")
    path = store.export_jsonl(tmp_path / "r.jsonl")
    frame = pd.read_json(path, lines=True)
    assert list(frame.columns) == list(feedback.EXPORT_COLUMNS) and frame["rating"].tolist() == [4, 2, 5]
    try:
        import datasets
    except ImportError:
        return
    ds = datasets.load_dataset("json", data_files=str(path), split="train")
    assert ds.num_rows == 3 and ds.column_names == list(feedback.EXPORT_COLUMNS)
