"""Gold files on disk: the analysts' decisions, one item per row (JSONL, CSV or Parquet).

This module only reads rows and finds the gold label under its accepted names
(``gold_label``, ``gold`` as a label or ``{"label": ...}``, ``label``); ``store.gold`` turns
each row into a decision, the one reading every gold file goes through.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from llmqa.io.readers import RowError, detect_format

LABEL_FIELDS = ("gold_label", "gold", "label")


def gold_label(row: dict[str, Any]) -> str | None:
    """The row's gold label, under whichever of its accepted names it is given."""
    for name in LABEL_FIELDS:
        value = row.get(name)
        if isinstance(value, dict):
            value = value.get("label")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def gold_file_rows(path: Path) -> list[tuple[int, Any]]:
    """(line number, row) per row; a JSONL line that is not JSON is a ``RowError`` there."""
    fmt = detect_format(path)
    if fmt == "csv":
        with open(path, newline="", encoding="utf-8") as handle:
            return [(n, row) for n, row in enumerate(csv.DictReader(handle), start=2)]
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return list(enumerate(pq.read_table(path).to_pylist(), start=1))
    rows: list[tuple[int, Any]] = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                rows.append((number, json.loads(line)))
            except json.JSONDecodeError as exc:
                rows.append((number, RowError(str(path), number, None, f"not JSON ({exc.msg})")))
    return rows

