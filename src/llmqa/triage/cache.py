"""The last triage of a state folder, kept so the next command on the same inputs reuses it.

``llmqa triage`` followed by ``llmqa report`` on the same batch (the demo, a daily script) would
otherwise embed, fold and score the batch twice. The run is kept under ``cache/triage/`` in the
state folder, keyed by everything that feeds the scores: the rows as read, the settings (consensus,
seed, weights, answer key, guidelines used and their version, embedder), the judge's usable
verdicts, the analysts' decisions, and the triage code itself. Any change is a new key, so a
kept run is only ever reused for the same inputs; only the newest run is kept.

The file is a pickle written by llmqa itself into the user's own state folder (as trusted as the
SQLite store beside it); an unreadable or stale file is recomputed, never an error.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

# Bumped when the kept object's shape changes; a change to the triage code itself changes the
# key on its own (``_code_digest``), so nobody has to remember to bump this for a new score.
CACHE_FORMAT = 1
FOLDER = ("cache", "triage")


def _feed(digest: Any, value: Any) -> None:
    digest.update(json.dumps(value, sort_keys=True, default=str).encode())
    digest.update(b"\0")


@cache
def _code_digest() -> str:
    """The triage package's own source, once per process: a run kept by other triage code
    (an upgrade, a local edit) is never reused."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _file_digest(path: Path | None) -> str | None:
    return None if path is None else hashlib.sha256(Path(path).read_bytes()).hexdigest()


def triage_key(records: Iterable[Any], settings: dict[str, Any],
               verdict_rows: list[dict[str, Any]], decisions: Any,
               weights: Path | None = None, answer_key: Path | None = None) -> str:
    """A hex key over every input of a triage run (see the module docstring)."""
    from llmqa import __version__
    from llmqa.items import Item

    digest = hashlib.sha256()
    _feed(digest, [CACHE_FORMAT, __version__, _code_digest(), settings,
                   _file_digest(weights), _file_digest(answer_key), decisions])
    for record in records:
        # A rejected row is a note in the run: its text is part of the output.
        digest.update(record.model_dump_json().encode() if isinstance(record, Item)
                      else repr(record).encode())
        digest.update(b"\0")
    for row in sorted(verdict_rows, key=lambda r: (str(r.get("item_id")), str(r.get("key")))):
        _feed(digest, row)
    return digest.hexdigest()


def _path(home: Path, key: str) -> Path:
    return home.joinpath(*FOLDER) / f"{key}.pkl"


def load(home: Path, key: str) -> Any | None:
    """The run kept under ``key``, or None (none kept, unreadable, or from other code)."""
    path = _path(home, key)
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)  # llmqa's own file in the state folder
    except FileNotFoundError:
        return None
    except Exception:  # a truncated or incompatible file is recomputed, never fatal
        return None


def save(home: Path, key: str, run: Any) -> str | None:
    """Keep ``run`` as the state folder's newest triage (older ones removed); the reason as a
    note when it cannot be written (a read-only state folder: the run still stands)."""
    path = _path(home, key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        with partial.open("wb") as handle:
            pickle.dump(run, handle, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)
        for old in path.parent.glob("*.pkl"):
            if old != path:
                old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError) as exc:
        return f"triage not kept for reuse: {exc}"
    return None
