"""JSON from a file a user named (weights, clause summaries, candidates), errors for people."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from llmqa.errors import InputError


def _text(path: str | Path, what: str) -> str:
    """The file's text; a missing or non-UTF-8 file is an ``InputError`` naming ``what``."""
    try:
        # utf-8-sig: a file saved by a Windows editor starts with a byte-order mark.
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such {what}") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid UTF-8 (byte {exc.start}); re-save the {what} as "
                         "UTF-8") from exc


def read_json_file(path: str | Path, what: str) -> Any:
    """The parsed file; a missing or malformed file is an ``InputError`` naming ``what`` it
    should have been ("weights file") and where the JSON broke."""
    try:
        return json.loads(_text(path, what))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc


def read_json_lines(path: str | Path, what: str = "file") -> Iterator[tuple[int, Any]]:
    """(line number, value) per non-blank line of a JSONL file (written by llmqa, or a key
    made by hand); the first line that is not JSON is an ``InputError`` naming file:line (the
    file is damaged, not a batch of rows to sort)."""
    for number, line in enumerate(_text(path, what).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not JSON ({exc.msg})") from exc
