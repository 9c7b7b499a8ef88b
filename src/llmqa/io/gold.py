"""Gold files on disk: the analysts' decisions, one item per row (JSONL, CSV or Parquet).

This module only reads rows (a CSV file as ``delimited`` reads it, any delimiter) and finds
the gold label under its accepted names (``gold_label``, ``gold`` as a label or
``{"label": ...}``, ``label``); ``store.gold`` turns each row into a decision, the one reading
every gold file goes through.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from llmqa.errors import Hint
from llmqa.io.delimited import DelimitedRows
from llmqa.io.readers import RowError, detect_format, text_lines

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
    """(line number, row) per row; a line that is not UTF-8 (or, in JSONL, not JSON) is a
    ``RowError`` there, and the rows around it are still read."""
    fmt = detect_format(path)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return list(enumerate(pq.read_table(path).to_pylist(), start=1))
    source = str(path)
    if fmt == "csv":
        with open(path, "rb") as handle:
            table = DelimitedRows(handle, source, as_json=Hint("name the file .jsonl"))
            if table.header_problem is not None:
                return [(1, RowError(source, 1, None, table.header_problem))]
            return [(n, RowError(source, n, None, row) if isinstance(row, str) else row)
                    for n, row in table.rows()]
    rows: list[tuple[int, Any]] = []
    with open(path, "rb") as handle:
        for number, line in text_lines(handle, source):
            try:
                rows.append((number, line if isinstance(line, RowError) else json.loads(line)))
            except json.JSONDecodeError as exc:
                rows.append((number, RowError(source, number, None, f"not JSON ({exc.msg})")))
    return rows
