"""One JSON document from a file a user named (weights, clause summaries), errors for people."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from llmqa.errors import InputError


def read_json_file(path: str | Path, what: str) -> Any:
    """The parsed file; a missing or malformed file is an ``InputError`` naming ``what`` it
    should have been ("weights file") and where the JSON broke."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such {what}") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
