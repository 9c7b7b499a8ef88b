"""Gold labels from a file: the analysts' decisions, one item per row.

Accepted rows (JSONL, CSV or Parquet via pyarrow): an ``id`` and the gold label as
``gold_label``, ``gold`` (a label or ``{"label": ...}``) or ``label``. A row without an id
or a label is reported by file and line, and the rest are kept. ``store.gold`` reads whole
decisions from the same rows.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from llmqa.errors import InputError
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


def read_gold(path: str | Path) -> tuple[dict[str, str], list[RowError]]:
    """``{item id: gold label}`` and the rows that could not be used (the last row of an item
    wins, as the latest decision does)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such gold file")
    gold: dict[str, str] = {}
    errors: list[RowError] = []
    for number, row in gold_file_rows(path):
        if isinstance(row, RowError):
            errors.append(row)
            continue
        if not isinstance(row, dict) or not row.get("id"):
            errors.append(RowError(str(path), number, "id", "missing"))
            continue
        label = gold_label(row)
        if label is None:
            errors.append(RowError(str(path), number, "gold_label", "missing"))
            continue
        gold[str(row["id"])] = label
    return gold, errors
