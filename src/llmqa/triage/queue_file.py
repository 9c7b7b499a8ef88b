"""Triage queues written by ``llmqa triage -o FILE``, read back by the review app, ``themes``
and ``revise``.

``check_first`` picks the items triage ranks as likely label errors: their labels are in
doubt, so no annotator is blamed and no example is proposed from them until a person has
looked (their gold decision, once made, is used instead).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from llmqa.errors import InputError
from llmqa.io.json_file import read_json_lines

DEFAULT_CHECK_FIRST = 0.75  # likely-error score (rank-based, 0..1) from which an item waits


def read_queue_file(path: Path) -> list[dict[str, Any]]:
    """Triage rows from ``llmqa triage -o FILE.jsonl`` (or .csv/.parquet via the readers
    ``llmqa triage`` writes with); rows without an ``item_id`` are named and skipped."""
    if not path.exists():
        raise InputError(f"{path}: no such queue file")
    if path.suffix == ".jsonl":
        rows = []
        for number, row in read_json_lines(path):
            if not isinstance(row, dict) or not row.get("item_id"):
                raise InputError(f"{path}:{number}: a queue row needs an item_id")
            rows.append(row)
        return rows
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    table = pq.read_table(path) if path.suffix == ".parquet" else pacsv.read_csv(path)
    rows = table.to_pylist()
    for row in rows:
        if isinstance(row.get("clause_ids"), str):
            row["clause_ids"] = json.loads(row["clause_ids"] or "[]")
    return rows


def check_first(rows: list[dict[str, Any]], threshold: float = DEFAULT_CHECK_FIRST
                ) -> dict[str, float]:
    """item id → likely-error score, for the rows at or above ``threshold``."""
    found: dict[str, float] = {}
    for row in rows:
        score = row.get("error_score")
        if score is None and row.get("kind") == "error":
            score = row.get("score")
        if score is not None and float(score) >= threshold:
            found[str(row["item_id"])] = float(score)
    return found
