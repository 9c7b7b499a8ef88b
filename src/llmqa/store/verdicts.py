"""The verdict store: one SQLite file (``.llmqa/llmqa.db``) an analyst can query with SQL.

Settings, chosen on purpose:

- ``journal_mode=WAL``: readers (``llmqa results``, a notebook, a SQL client) never block the
  running review, and a crash never corrupts committed rows.
- ``synchronous=NORMAL``: with WAL, a committed verdict survives a crash of llmqa (kill -9);
  only an operating-system crash or power loss can lose the last few commits, which the next
  run then simply asks for again.
- ``busy_timeout=10000``: short lock waits (a reader checkpointing) wait, not fail.
- One verdict is committed per model answer, so a crash loses at most the calls in flight.

Only one review may write to a store at a time: ``RunLock`` holds an exclusive lock file
next to the database and a second run refuses with a clear message.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sqlite3
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from llmqa.errors import REVIEW, Hint, StoreError
from llmqa.items import Item
from llmqa.redact import redact
from llmqa.store.migrations import MIGRATIONS
from llmqa.store.sqlite_faults import explain, open_readonly, reads
from llmqa.verdicts import REASK_PENDING, Verdict, VerdictStatus

DB_NAME = "llmqa.db"
_JSON_FIELDS = ("cited_clause_ids", "retrieved_clause_ids", "seen", "notes")
# Statuses a re-run asks the model for again: no usable answer was obtained (and, for
# FAILED, possibly none was paid for). Everything else is final until the key changes.
RETRY_STATUSES = frozenset({VerdictStatus.FAILED.value})


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class RunLock:
    """An exclusive, crash-safe lock: the OS drops it when the holder dies (even kill -9)."""

    def __init__(self, home: Path) -> None:
        self.path = home / "review.lock"
        self._handle: Any = None

    def acquire(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.path, "a+")  # noqa: SIM115 - held for the lock's lifetime
        except OSError as exc:
            raise StoreError(f"{self.path.parent}: cannot write the state folder "
                             f"({exc.strerror}); a review needs it writable. Reading results "
                             "works from a read-only folder") from exc
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise StoreError(f"another llmqa review is running on {self.path.parent} "
                             f"(pid {holder})",
                             hint=Hint("wait for it or use another state folder ({})",
                                       ("home",))) from exc
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _no_store(path: Path) -> StoreError:
    return StoreError(f"no store at {path}", hint=Hint("review a batch first ({})", (REVIEW,)))


@contextmanager
def locked_store(home: Path, existing: bool = False) -> Iterator[VerdictStore]:
    """The writable store in ``home`` under the run lock: no review or other writer runs
    meanwhile. The lock comes first, so a second run refuses before it touches the store.
    With ``existing``, a home without a store is refused as a read refuses it: upkeep has
    nothing to do there, and a mistyped home must not become a new, empty store."""
    if existing and not (home / DB_NAME).exists():
        raise _no_store(home / DB_NAME)
    with RunLock(home), VerdictStore(home) as store:
        yield store


class VerdictStore:
    def __init__(self, home: str | Path, readonly: bool = False) -> None:
        self.home = Path(home)
        self.path = self.home / DB_NAME
        try:
            if readonly:
                if not self.path.exists():
                    raise _no_store(self.path)
                self.db = open_readonly(self.path)
            else:
                self.home.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(self.path, check_same_thread=False,
                                          isolation_level=None)
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA busy_timeout=10000")
            self.db.row_factory = sqlite3.Row
            if not readonly:
                self._migrate()
        except sqlite3.Error as exc:
            raise explain(exc, self.path) from exc
        except OSError as exc:
            raise StoreError(f"{self.home}: cannot create the store ({exc.strerror})") from exc

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> VerdictStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction: committed whole or not at all."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
                self.db.execute("COMMIT")
            except BaseException:
                # SQLite may already have rolled back (a full disk does); never mask the cause.
                if self.db.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        self.db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise explain(exc, self.path) from exc

    def _migrate(self) -> None:
        with self._write() as db:
            db.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                       "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
            done = {row[0] for row in db.execute("SELECT version FROM schema_migrations")}
            for version, script in enumerate(MIGRATIONS, start=1):
                if version in done:
                    continue
                for statement in script.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute("INSERT INTO schema_migrations VALUES (?, ?)", (version, _now()))

    @reads
    def integrity_check(self) -> str:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0]

    # -- runs -------------------------------------------------------------------------------
    def start_run(self, model: str, guideline_version: str, prompt_hash: str, source: str,
                  settings: dict[str, Any]) -> int:
        """Record a new run. The caller holds the ``RunLock``, so a run still marked
        ``running`` was killed (kill -9, a power cut): it is marked ``interrupted``."""
        with self._write() as db:
            db.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
            cursor = db.execute(
                "INSERT INTO runs (started_at, status, model, guideline_version, prompt_hash, "
                "source, settings) VALUES (?, 'running', ?, ?, ?, ?, ?)",
                (_now(), model, guideline_version, prompt_hash, source, json.dumps(settings)))
            return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, status: str, **counts: Any) -> None:
        columns = ", ".join(f"{name} = ?" for name in counts)
        with self._write() as db:
            db.execute(f"UPDATE runs SET finished_at = ?, status = ?{', ' if counts else ''}"
                       f"{columns} WHERE id = ?", (_now(), status, *counts.values(), run_id))

    def annotate_run(self, run_id: int, **extra: Any) -> None:
        """Add entries to a run's settings (what a cascade learnt once both stages ran)."""
        with self._write() as db:
            row = db.execute("SELECT settings FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                return
            settings = json.loads(row["settings"] or "{}") | extra
            db.execute("UPDATE runs SET settings = ? WHERE id = ?",
                       (json.dumps(settings), run_id))

    @reads
    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,))
        return [dict(row) for row in rows]

    # -- items and verdicts -----------------------------------------------------------------
    def save_items(self, items: list[Item]) -> None:
        now = _now()
        with self._write() as db:
            db.executemany(
                "INSERT INTO items VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(item_id) DO UPDATE SET "
                "item_hash = excluded.item_hash, project = excluded.project, modality = "
                "excluded.modality, data = excluded.data, updated_at = excluded.updated_at",
                [(i.id, i.content_hash(), i.project, i.content.modality.value,
                  i.model_dump_json(exclude_none=True), now) for i in items])

    @reads
    def existing(self, keys: list[str]) -> dict[str, str]:
        """Status of each key already stored."""
        found: dict[str, str] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.db.execute(f"SELECT key, status FROM verdicts WHERE key IN ({marks})",
                                       chunk):
                found[row[0]] = row[1]
        return found

    @reads
    def pending_reasks(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        """Stored unusable answers whose re-ask was cut short, by key (see ``REASK_PENDING``)."""
        found: dict[str, dict[str, Any]] = {}
        pattern = f"%{json.dumps(REASK_PENDING)}%"
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.db.execute(
                    f"SELECT key, raw_answer, error, input_tokens, output_tokens, cached_tokens, "
                    f"attempts FROM verdicts WHERE key IN ({marks}) AND notes LIKE ?",
                    [*chunk, pattern]):
                found[row[0]] = dict(row)
        return found

    # -- item embeddings --------------------------------------------------------------------
    @reads
    def cached_vectors(self, embedder: str, text_hashes: list[str]) -> dict[str, bytes]:
        """Stored float32 vectors of ``embedder`` for these text hashes (those it has)."""
        found: dict[str, bytes] = {}
        unique = list(dict.fromkeys(text_hashes))
        for start in range(0, len(unique), 500):
            chunk = unique[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.db.execute(f"SELECT text_hash, vector FROM embeddings WHERE "
                                       f"embedder = ? AND text_hash IN ({marks})",
                                       [embedder, *chunk]):
                found[row[0]] = row[1]
        return found

    def save_vectors(self, embedder: str, vectors: dict[str, bytes]) -> None:
        with self._write() as db:
            db.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?)",
                           [(embedder, text_hash, blob) for text_hash, blob in vectors.items()])

    @reads
    def vector_counts(self) -> dict[str, tuple[int, int]]:
        """Cached item vectors per embedder: (vectors, bytes)."""
        return {row[0]: (int(row[1]), int(row[2])) for row in self.db.execute(
            "SELECT embedder, COUNT(*), SUM(LENGTH(vector)) FROM embeddings GROUP BY embedder")}

    def drop_vectors(self, keep: str | None = None) -> int:
        """Delete cached item vectors of every embedder but ``keep`` (all when ``None``);
        returns how many. They are only a cache: a later run embeds what it needs again."""
        with self._write() as db:
            if keep is None:
                return db.execute("DELETE FROM embeddings").rowcount
            return db.execute("DELETE FROM embeddings WHERE embedder != ?", (keep,)).rowcount

    def save_verdict(self, verdict: Verdict, run_id: int | None) -> None:
        row = verdict.model_dump(mode="json")
        # No API key reaches the store, even one a server echoed into an error or answer.
        for name in ("error", "raw_answer", "rationale"):
            if row.get(name):
                row[name] = redact(row[name], patterns=name == "error")
        for name in _JSON_FIELDS:
            row[name] = json.dumps(row[name])
        row["run_id"] = run_id
        row["created_at"] = _now()
        columns = ", ".join(row)
        marks = ", ".join(f":{name}" for name in row)
        with self._write() as db:
            # Upsert: a retried FAILED key is replaced, so a key never has two rows.
            db.execute(f"INSERT OR REPLACE INTO verdicts ({columns}) VALUES ({marks})", row)

    def verdicts(self, latest: bool = True, item_ids: Collection[str] | None = None,
                 **filters: Any) -> Iterator[dict[str, Any]]:
        """Stored verdicts (the newest per item when ``latest``), filtered by column value;
        ``item_ids`` scopes them to the items a command was given (a store holds every batch
        reviewed in it)."""
        where, params = [], []
        for column, value in filters.items():
            if value is None:
                continue
            where.append(f"v.{column} = ?")
            params.append(value)
        sql = "SELECT v.*, i.data AS item_data FROM verdicts v LEFT JOIN items i USING (item_id)"
        if latest:
            sql += (" WHERE v.rowid = (SELECT rowid FROM verdicts w WHERE w.item_id = v.item_id "
                    "ORDER BY w.created_at DESC, w.rowid DESC LIMIT 1)")
        if where:
            sql += (" AND " if latest else " WHERE ") + " AND ".join(where)
        sql += " ORDER BY v.item_id"
        try:
            for row in self.db.execute(sql, params):
                if item_ids is not None and row["item_id"] not in item_ids:
                    continue
                record = dict(row)
                for name in _JSON_FIELDS:
                    record[name] = json.loads(record[name]) if record[name] else []
                yield record
        except sqlite3.Error as exc:
            raise explain(exc, self.path) from exc

    @reads
    def verdicts_by_key(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        """Stored rows for exactly these keys (a key names one item judged one way)."""
        found: dict[str, dict[str, Any]] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 500):  # SQLite's bound-parameter limit
            chunk = unique[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            for row in self.db.execute(f"SELECT * FROM verdicts WHERE key IN ({marks})", chunk):
                record = dict(row)
                for name in _JSON_FIELDS:
                    record[name] = json.loads(record[name]) if record[name] else []
                found[record["key"]] = record
        return found

    def cost_breakdown(self, limit: int = 20) -> list[dict[str, Any]]:
        """Stored answers, tokens and cost per run and model, newest runs first.

        Batch API answers are stored at the Batch price already (``batch`` says which runs
        used it). A failed answer that a later run retried is replaced, so this counts the
        answers kept, not every request ever sent.
        """
        rows = self.db.execute(
            "SELECT v.run_id, r.started_at, r.settings, v.model, COUNT(*) AS answers, "
            "COALESCE(SUM(v.input_tokens), 0) AS input_tokens, "
            "COALESCE(SUM(v.output_tokens), 0) AS output_tokens, "
            "SUM(v.cost_usd) AS cost_usd, SUM(v.cost_usd IS NULL) AS unpriced "
            "FROM verdicts v LEFT JOIN runs r ON r.id = v.run_id "
            "WHERE v.run_id IN (SELECT id FROM runs ORDER BY id DESC LIMIT ?) "
            "GROUP BY v.run_id, v.model ORDER BY v.run_id DESC, v.model", (limit,))
        result = []
        for row in rows:
            record = dict(row)
            settings = json.loads(record.pop("settings") or "{}")
            record["batch"] = bool(settings.get("batch_api"))
            record["cascade"] = settings.get("cascade")
            result.append(record)
        return result

    def update_parsed(self, key: str, **values: Any) -> None:
        """Rewrite a stored answer's verdict fields after re-parsing (no model call)."""
        for name in _JSON_FIELDS:
            if name in values:
                values[name] = json.dumps(values[name])
        assignments = ", ".join(f"{name} = ?" for name in values)
        with self._write() as db:
            db.execute(f"UPDATE verdicts SET {assignments} WHERE key = ?", (*values.values(), key))

    # -- Batch API jobs ---------------------------------------------------------------------
    def save_batch(self, batch_id: str, run_id: int | None, keys: list[str],
                   input_file_id: str) -> None:
        with self._write() as db:
            db.execute("INSERT INTO batches (id, run_id, status, input_file_id, keys, created_at, "
                       "updated_at) VALUES (?, ?, 'submitted', ?, ?, ?, ?)",
                       (batch_id, run_id, input_file_id, json.dumps(keys), _now(), _now()))

    def update_batch(self, batch_id: str, status: str, output_file_id: str | None = None,
                     error_file_id: str | None = None) -> None:
        with self._write() as db:
            db.execute("UPDATE batches SET status = ?, output_file_id = COALESCE(?, "
                       "output_file_id), error_file_id = COALESCE(?, error_file_id), "
                       "updated_at = ? WHERE id = ?",
                       (status, output_file_id, error_file_id, _now(), batch_id))

    @reads
    def open_batches(self) -> list[dict[str, Any]]:
        """Batches submitted but not yet collected (a restart picks them up)."""
        rows = self.db.execute("SELECT * FROM batches WHERE status NOT IN ('collected', "
                               "'failed', 'expired', 'cancelled') ORDER BY created_at")
        return [dict(row) | {"keys": json.loads(row["keys"])} for row in rows]
