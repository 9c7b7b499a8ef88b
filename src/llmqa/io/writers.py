"""Writers for flat result records (verdicts, consensus, triage rows).

Records are plain dicts. CSV cells that hold lists or dicts are written as JSON so a
spreadsheet round-trips them; Parquet keeps them nested. ``-`` writes to standard output.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from llmqa.errors import InputError

OUTPUT_FORMATS = ("jsonl", "csv", "parquet")


def output_format(path: str | Path | None, explicit: str | None) -> str:
    if explicit:
        if explicit not in OUTPUT_FORMATS:
            raise InputError(f"unknown format '{explicit}': use one of {', '.join(OUTPUT_FORMATS)}")
        return explicit
    name = str(path or "-").lower()
    if name.endswith(".csv"):
        return "csv"
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    return "jsonl"


@contextmanager
def _open_text(path: str | Path | None) -> Iterator[IO[str]]:
    if path in (None, "-"):
        yield sys.stdout
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        yield handle


def write_records(records: Iterable[dict[str, Any]], path: str | Path | None = None,
                  fmt: str | None = None) -> int:
    """Write ``records`` to ``path`` (stdout when ``None`` or ``-``); returns the row count."""
    fmt = output_format(path, fmt)
    if fmt == "parquet":
        if path in (None, "-"):
            raise InputError("Parquet cannot be written to standard output; pass -o FILE")
        return _write_parquet(records, Path(path))
    count = 0
    with _open_text(path) as handle:
        if fmt == "jsonl":
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
                count += 1
            return count
        writer: csv.DictWriter[str] | None = None
        for record in records:
            flat = {k: _csv_cell(v) for k, v in record.items()}
            if writer is None:
                writer = csv.DictWriter(handle, fieldnames=list(flat), extrasaction="ignore")
                writer.writeheader()
            writer.writerow(flat)
            count += 1
    return count


def _csv_cell(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def _no_empty_structs(value: Any) -> Any:
    """Parquet cannot store a struct without fields: an empty dict is written as null."""
    if isinstance(value, dict):
        return {k: (None if v == {} else _no_empty_structs(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_no_empty_structs(v) for v in value]
    return value


def _write_parquet(records: Iterable[dict[str, Any]], path: Path, batch: int = 5000) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    writer: pq.ParquetWriter | None = None
    buffer: list[dict[str, Any]] = []
    count = 0

    def flush() -> None:
        nonlocal writer
        if not buffer:
            return
        table = pa.Table.from_pylist(buffer, schema=writer.schema if writer else None)
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
        buffer.clear()

    for record in records:
        buffer.append(_no_empty_structs(record))
        count += 1
        if len(buffer) >= batch:
            flush()
    flush()
    if writer is None:
        pq.write_table(pa.table({}), path)
    else:
        writer.close()
    return count
