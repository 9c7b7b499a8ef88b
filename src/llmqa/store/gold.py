"""Gold files: analysts' decisions as JSONL, one line per item (``llmqa decisions export``).

A line is ``{"id": ITEM, "label": GOLD, "decision": ..., "clause_ids": [...], "analyst": ...,
"note": ..., "created_at": ..., "item_hash": ...}``; ``id`` and ``label`` are what
``llmqa agreement --gold`` and the evals read. ``read_gold`` accepts the same lines (also
``item_id`` for ``id``; ``decision`` defaults to ``correct`` when only a label is given) and
yields a ``RowError`` with file:line for each bad one, so one bad row never stops an import.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from llmqa.errors import InputError
from llmqa.io.readers import RowError
from llmqa.store.decisions import Decision


def gold_record(decision: Decision) -> dict[str, Any]:
    row = decision.model_dump(mode="json", exclude_none=True)
    return {"id": row.pop("item_id"), **row}


def read_gold(path: str | Path, analyst: str | None = None,
              source: str = "import") -> Iterator[Decision | RowError]:
    """Decisions from a gold JSONL file; ``analyst`` fills lines that name none."""
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            yield _parse(line, str(path), number, analyst, source)


def _parse(line: str, source: str, number: int, analyst: str | None,
           origin: str) -> Decision | RowError:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        return RowError(source, number, None, f"not JSON ({exc.msg})")
    if not isinstance(row, dict):
        return RowError(source, number, None, "expected a JSON object")
    if "id" in row:
        row["item_id"] = row.pop("id")
    row.setdefault("decision", "correct" if row.get("label") else None)
    if analyst and not row.get("analyst"):
        row["analyst"] = analyst
    row["source"] = origin
    try:
        return Decision(**row)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or None
        return RowError(source, number, field, first["msg"])


def gold_labels(decisions: Iterable[Decision]) -> dict[str, str]:
    """item id → gold label, for the decisions that carry one."""
    return {d.item_id: d.label for d in decisions if d.is_gold and d.label}
