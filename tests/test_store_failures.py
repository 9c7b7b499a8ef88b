"""A read-only or full store stops a review cleanly, keeps what was committed, and resumes."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from llmqa.errors import StoreError
from llmqa.runner import ReviewOptions, ReviewRunner
from llmqa.store import VerdictStore
from llmqa.store.migrations import MIGRATIONS
from review_helpers import fake_model, make_judge, make_retriever, sample_guidelines, sample_items


def _runner(store: VerdictStore, model) -> ReviewRunner:
    guidelines = sample_guidelines()
    return ReviewRunner(make_judge(model, guidelines), make_retriever(guidelines), store,
                        ReviewOptions(concurrency=2))


def test_disk_full_stops_cleanly_and_resumes(tmp_path):
    items = sample_items(12)
    store = VerdictStore(tmp_path)
    model = fake_model()
    # Fill the database to its page limit: SQLite then reports "database or disk is full"
    # exactly as on a full disk.
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages + 2}")
    with pytest.raises(StoreError, match="disk full"):
        asyncio.run(_runner(store, model).run(items))
    stored = store.db.execute("SELECT COUNT(*) FROM verdicts").fetchone()[0]
    assert stored < len(items)
    assert store.integrity_check() == "ok"
    calls_before = len(model.calls)
    store.close()

    # Space is back: the re-run completes and asks only for what was not stored.
    store = VerdictStore(tmp_path)
    summary = asyncio.run(_runner(store, model).run(items))
    assert summary.reused == stored
    assert len(model.calls) - calls_before == len(items) - stored
    rows = dict(store.db.execute("SELECT item_id, COUNT(*) FROM verdicts GROUP BY item_id"))
    assert len(rows) == len(items) and set(rows.values()) == {1}
    assert store.integrity_check() == "ok"


def test_read_only_store_is_a_clear_error(tmp_path):
    items = sample_items(3)
    store = VerdictStore(tmp_path)
    # query_only is SQLite's own read-only switch; file permissions do not stop root.
    store.db.execute("PRAGMA query_only = ON")
    with pytest.raises(StoreError, match="read-only"):
        asyncio.run(_runner(store, fake_model()).run(items))


def test_missing_store_for_results_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="no store"):
        VerdictStore(tmp_path / "nowhere", readonly=True)


def test_corrupt_store_is_a_clear_error(tmp_path):
    (tmp_path / "llmqa.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="corrupt"):
        VerdictStore(tmp_path)


def test_store_settings_are_deliberate(tmp_path):
    store = VerdictStore(tmp_path)
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] == 10000
    versions = [r[0] for r in store.db.execute("SELECT version FROM schema_migrations")]
    assert versions == list(range(1, len(MIGRATIONS) + 1))
    store.close()
    # Reopening does not re-run migrations.
    VerdictStore(tmp_path).close()
    with sqlite3.connect(tmp_path / "llmqa.db") as conn:
        count = conn.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0]
        assert count == len(MIGRATIONS)
