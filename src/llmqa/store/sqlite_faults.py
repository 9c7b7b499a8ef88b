"""SQLite faults as ``StoreError`` messages a user can act on, and read-only opening.

The verdict store's reads and writes go through these, so a full disk, a read-only folder, a
lock held elsewhere or a corrupt page each reads as one line naming the store, not a trace.
"""

from __future__ import annotations

import functools
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from llmqa.errors import Hint, StoreError


def explain(exc: sqlite3.Error, path: Path) -> StoreError:
    text = str(exc).lower()
    if "readonly" in text or "read-only" in text:
        return StoreError(f"{path}: the store is read-only",
                          hint=Hint("check permissions or choose another state folder with {}",
                                    ("home",)))
    if "disk is full" in text or "disk i/o" in text:
        return StoreError(f"{path}: disk full or I/O error; nothing half-written was kept, free "
                          "space and re-run to resume")
    if "locked" in text:
        return StoreError(f"{path}: the store is locked by another process; try again")
    if "malformed" in text or "not a database" in text:
        return StoreError(f"{path}: the store is corrupt ({exc}); move it aside to start anew")
    return StoreError(f"{path}: store error: {exc}")


def open_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection, also where the folder itself is read-only (a bind mount, an
    archive). WAL readers create ``-shm`` next to the file; when they cannot and no writer
    left a WAL behind, the file is complete on its own and is opened as immutable."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    try:
        db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return db
    except sqlite3.OperationalError:
        db.close()
        if Path(f"{path}-wal").exists() or os.access(path.parent, os.W_OK):
            raise
    db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True,
                         check_same_thread=False)
    db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    return db


def reads(method: Callable[..., Any]) -> Callable[..., Any]:
    """A read whose SQLite failure (a corrupt page, a truncated file) is a ``StoreError``
    naming the store, not a traceback."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise explain(exc, self.path) from exc

    return wrapper
